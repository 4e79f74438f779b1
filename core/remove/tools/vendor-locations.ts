/**
 * Where each vendor's own software lives, fixed in code.
 *
 * A catalog is data a user can replace (`--catalog FILE`), so it may name what to remove but not
 * widen where an uninstaller may come from or what counts as the vendor's files: an uninstaller
 * "path" of `/sbin/reboot`, an EXE pattern `.*` that would accept a payload in Downloads, or a
 * package attributed by a Maintainer field alone are refused against these lists. A vendor that is
 * not listed here gets no automated removal of that kind (its steps become guided manual steps).
 */

export interface VendorLocations {
  /** Linux folders (FHS add-on folders) whose contents only the vendor's packages own. */
  readonly linux: readonly string[];
  /** macOS: where the vendor's uninstall scripts and apps live (whole normalized paths). */
  readonly macUninstallers: readonly RegExp[];
  /** Windows: the vendor's folder names directly under Program Files (x86) and ProgramData. */
  readonly windowsFolders: readonly string[];
}

const VENDOR_LOCATIONS: Readonly<Record<string, VendorLocations>> = {
  kaspersky: {
    linux: ['/opt/kaspersky', '/var/opt/kaspersky', '/etc/opt/kaspersky'],
    macUninstallers: [
      /^\/Library\/Application Support\/Kaspersky Lab\/[^/]+(\/[^/]+)*$/u,
      /^\/Applications\/Kaspersky[^/]*\.app\/Contents\/[^/]+(\/[^/]+)*$/u,
    ],
    windowsFolders: ['Kaspersky Lab'],
  },
};

const NONE: VendorLocations = { linux: [], macUninstallers: [], windowsFolders: [] };

/** The vendor's locations (none for a vendor Divest has no list for). */
export function vendorLocations(vendorId: string): VendorLocations {
  return Object.hasOwn(VENDOR_LOCATIONS, vendorId) ? (VENDOR_LOCATIONS[vendorId] ?? NONE) : NONE;
}

/** True when `p` is an absolute POSIX path strictly inside `dir` (no `.`, `..` or `//` tricks). */
export function posixInside(p: string, dir: string): boolean {
  return isNormalPosix(p) && p.startsWith(`${dir}/`) && p.length > dir.length + 1;
}

/** An absolute POSIX path with no empty, `.` or `..` segment and no trailing slash. */
export function isNormalPosix(p: string): boolean {
  return (
    p.startsWith('/') &&
    p
      .slice(1)
      .split('/')
      .every((s) => s !== '' && s !== '.' && s !== '..')
  );
}
