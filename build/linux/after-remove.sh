#!/bin/bash
# Divest's post-remove script for the .deb and .rpm (electron-builder deb/rpm.afterRemove).
#
# electron-builder 26.17's template (app-builder-lib/templates/linux/after-remove.tpl) with the
# changes of after-install.sh ("$DPKG_ROOT", divest-app, /usr/bin/divest), and one more: nothing
# happens on an upgrade. dpkg runs the old postrm with "upgrade" before the new postinst; rpm runs
# the old %postun with 1 AFTER the new %post, so removing the links then would leave an upgraded
# Divest without them.
case "$1" in
  upgrade|failed-upgrade|1|2) exit 0 ;;
esac

ROOT="$DPKG_ROOT"

# Delete the link to the binary
if type update-alternatives >/dev/null 2>&1; then
    update-alternatives --remove '${executable}' '/opt/${sanitizedProductName}/${executable}'
else
    rm -f "$ROOT/usr/bin/${executable}"
fi

# The command-line tool's link, only if it is still ours.
if [ -L "$ROOT/usr/bin/divest" ] && [ "`readlink "$ROOT/usr/bin/divest"`" = '/opt/${sanitizedProductName}/resources/bin/divest' ]; then
    rm -f "$ROOT/usr/bin/divest"
fi

APPARMOR_PROFILE_DEST="$ROOT/etc/apparmor.d/${executable}"

# Remove and unload apparmor profile.
if [ -f "$APPARMOR_PROFILE_DEST" ]; then
  if [ -z "$ROOT" ] && apparmor_status --enabled > /dev/null 2>&1; then
    if ! { [ -x '/usr/bin/ischroot' ] && /usr/bin/ischroot; } && hash apparmor_parser 2>/dev/null; then
      apparmor_parser --remove "$APPARMOR_PROFILE_DEST" || true
    fi
  fi
  rm -f "$APPARMOR_PROFILE_DEST"
fi
