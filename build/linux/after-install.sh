#!/bin/bash
# Divest's post-install script for the .deb and .rpm (electron-builder deb/rpm.afterInstall).
#
# electron-builder 26.17's own template (app-builder-lib/templates/linux/after-install.tpl), which
# a custom script replaces rather than extends, with three changes:
# - every path is under "$DPKG_ROOT" (empty in a normal install; set by dpkg when it installs into
#   another root with --force-script-chrootless, as Divest's package tests do), and nothing that
#   acts on the running kernel (AppArmor) happens then;
# - the desktop app's executable is divest-app (electron-builder.yml linux.executableName), so
#   that /usr/bin/divest is free for the command-line tool;
# - /usr/bin/divest links to the self-contained CLI shipped in resources/bin.
# The dollar-brace names (executable, sanitizedProductName) are electron-builder's macros, filled
# in at build time; any other name in that form is an error there, so shell variables here are
# written as plain $NAME.

ROOT="$DPKG_ROOT"

if type update-alternatives >/dev/null 2>&1; then
    # Remove previous link if it doesn't use update-alternatives
    if [ -L "$ROOT/usr/bin/${executable}" -a -e "$ROOT/usr/bin/${executable}" -a "`readlink "$ROOT/usr/bin/${executable}"`" != '/etc/alternatives/${executable}' ]; then
        rm -f "$ROOT/usr/bin/${executable}"
    fi
    update-alternatives --install '/usr/bin/${executable}' '${executable}' '/opt/${sanitizedProductName}/${executable}' 100 || ln -sf '/opt/${sanitizedProductName}/${executable}' "$ROOT/usr/bin/${executable}"
else
    ln -sf '/opt/${sanitizedProductName}/${executable}' "$ROOT/usr/bin/${executable}"
fi

# The command-line tool (also the removal helper the app runs as root through pkexec).
mkdir -p "$ROOT/usr/bin"
ln -sfn '/opt/${sanitizedProductName}/resources/bin/divest' "$ROOT/usr/bin/divest"

# Check if user namespaces are supported by the kernel and working with a quick test:
if ! { [[ -L /proc/self/ns/user ]] && unshare --user true; }; then
    # Use SUID chrome-sandbox only on systems without user namespaces:
    chmod 4755 "$ROOT/opt/${sanitizedProductName}/chrome-sandbox" || true
else
    chmod 0755 "$ROOT/opt/${sanitizedProductName}/chrome-sandbox" || true
fi

if hash update-mime-database 2>/dev/null; then
    update-mime-database "$ROOT/usr/share/mime" || true
fi

if hash update-desktop-database 2>/dev/null; then
    update-desktop-database "$ROOT/usr/share/applications" || true
fi

# Install apparmor profile. (Ubuntu 24+)
# First check if the version of AppArmor running on the device supports our profile.
# This is in order to keep backwards compatibility with Ubuntu 22.04 which does not support abi/4.0.
# In that case, we just skip installing the profile since the app runs fine without it on 22.04.
# Not when installing into another root: the profile would be loaded into this machine's kernel.
if [ -z "$ROOT" ] && apparmor_status --enabled > /dev/null 2>&1; then
  APPARMOR_PROFILE_SOURCE='/opt/${sanitizedProductName}/resources/apparmor-profile'
  APPARMOR_PROFILE_TARGET='/etc/apparmor.d/${executable}'
  if apparmor_parser --skip-kernel-load --debug "$APPARMOR_PROFILE_SOURCE" > /dev/null 2>&1; then
    cp -f "$APPARMOR_PROFILE_SOURCE" "$APPARMOR_PROFILE_TARGET"

    # Updating the current AppArmor profile is not possible and probably not meaningful in a chroot'ed environment.
    if ! { [ -x '/usr/bin/ischroot' ] && /usr/bin/ischroot; } && hash apparmor_parser 2>/dev/null; then
      apparmor_parser --replace --write-cache --skip-read-cache "$APPARMOR_PROFILE_TARGET"
    fi
  else
    echo "Skipping the installation of the AppArmor profile as this version of AppArmor does not seem to support the bundled profile"
  fi
fi
