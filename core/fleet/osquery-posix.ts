/**
 * The Linux and macOS policies: osquery queries that return a row exactly when `divest scan` would
 * find a banned product INSTALLED (exit 10), following core/scan/match.ts:
 * - Linux: a dpkg package whose files are on disk, or any rpm package, named in the catalog or
 *   maintained by the vendor; a running process; a product's own non-empty folder under /opt.
 *   systemd units and init scripts left behind are traces only.
 * - macOS: an app bundle (by bundle id, then folder name, then the vendor's bundle-id prefix), a
 *   system extension or a kext in /Library/Extensions (by identifier, prefix or team id), a
 *   running process, a product's own non-empty folder under /Applications. Installer receipts
 *   and launchd jobs are traces only.
 */
import type { Vendor } from '../model/catalog';
import { type CatalogView, DPKG_FILES_PRESENT, PROGRAM_FOLDER } from './catalog-view';
import { and, isBanned, likeExact, matchesAny, or, sqlString, type StatusRule } from './sql';

/** "The package is a banned product's": by exact name, else by the vendor's maintainer. */
function packageRule(view: CatalogView, maintainerColumn: string): StatusRule {
  const byVendor = view.firstVendorFallback((v) => matchesAny(maintainerColumn, v.maintainers));
  return view.firstProduct((p) => {
    const names = (p.signatures.linux?.packages ?? []).map((x) => x.name);
    return names.length ? `name IN (${names.map(sqlString).join(', ')})` : undefined;
  }, byVendor);
}

/** dpkg's own "files present" states, on `deb_packages.status` ("install ok installed"). */
function dpkgInstalled(): string {
  return or(DPKG_FILES_PRESENT.map((s) => `status LIKE ${sqlString(`% ${s}`)}`));
}

function processRule(view: CatalogView, os: 'linux' | 'macos'): StatusRule {
  const list = (p: CatalogView['products'][number]) => p.signatures[os]?.processes;
  return {
    branches: [
      ...view.firstMatching('name', list, null).branches,
      ...view.firstMatching('name', list, null, view.fallbacks()).branches,
    ],
    otherwise: null,
  };
}

/** Queries on `file`: a banned product's own folder (under /opt or /Applications) with something in it. */
function folderQueries(view: CatalogView, os: 'linux' | 'macos'): string[] {
  return view.pathOwners(os).flatMap(({ path, owner }) => {
    if (owner.fallback || owner.status !== 'banned' || !PROGRAM_FOLDER.test(path)) return [];
    const slash = path.lastIndexOf('/');
    const [dir, last] = [path.slice(0, slash), path.slice(slash + 1)];
    if (!last.includes('*'))
      return [
        `SELECT 1 FROM file WHERE directory = ${sqlString(path)}`,
        `SELECT 1 FROM file WHERE path = ${sqlString(path)} AND type != 'directory'`,
      ];
    // osquery expands LIKE on path and directory (one level for %); GLOB keeps Linux case-sensitive.
    const like = sqlString(`${dir}/${last.replace(/\*/g, '%')}`);
    const glob =
      os === 'linux'
        ? ` AND ${'directory'} GLOB ${sqlString(`${dir}/${last.replace(/[[\]?]/g, '[$&]')}`)}`
        : '';
    const globPath = glob.replace('directory GLOB', 'path GLOB');
    return [
      `SELECT 1 FROM file WHERE directory LIKE ${like}${glob}`,
      `SELECT 1 FROM file WHERE path LIKE ${like}${globPath} AND type != 'directory'`,
    ];
  });
}

/**
 * As Divest's scan (core/scan/evidence/process.ts): a process shows a product installed only when
 * the program it runs lies in a program place and is the file it is named after (a name alone is
 * whatever the starter chose; `comm` is cut at 15 characters).
 */
const FROM_PROGRAM_PLACE =
  "(path LIKE '/opt/%' OR path LIKE '/Applications/%' OR path LIKE '/Library/Application Support/%')" +
  " AND (path LIKE '%/' || name OR (length(name) >= 15 AND path LIKE '%/' || name || '%'))";

/** Every Linux query whose rows mean "a banned product is installed". */
export function linuxBannedQueries(view: CatalogView): string[] {
  const deb = and([dpkgInstalled(), isBanned(packageRule(view, 'maintainer'))]);
  const rpm = isBanned(packageRule(view, 'vendor'));
  const proc = and([FROM_PROGRAM_PLACE, isBanned(processRule(view, 'linux'))]);
  const q = (table: string, cond: string): string[] =>
    cond === 'FALSE' ? [] : [`SELECT 1 FROM ${table} WHERE ${cond}`];
  return [
    ...q('deb_packages', deb),
    ...q('rpm_packages', rpm),
    ...q('processes', proc),
    ...folderQueries(view, 'linux'),
  ];
}

/** "The id starts with one of the vendor's bundle-id prefixes" (ASCII case-insensitive). */
function hasPrefix(col: string, v: Vendor): string {
  return or(v.bundleIdPrefixes.map((pre) => likeExact(col, pre.toLowerCase(), '%')));
}

/** The app bundle's folder name without `.app` (osquery's `apps.name` is `Name.app`). */
const APP_FOLDER = "(CASE WHEN name LIKE '%.app' THEN substr(name, 1, length(name) - 4) ELSE name END)";

function appRule(view: CatalogView): StatusRule {
  return {
    branches: [
      ...view.firstMatching('bundle_identifier', (p) => p.signatures.macos?.bundleIds, null).branches,
      ...view.firstMatching(APP_FOLDER, (p) => p.signatures.macos?.appNames, null).branches,
    ],
    otherwise: view.firstVendorFallback((v) => hasPrefix('bundle_identifier', v)),
  };
}

/** A system extension or kext by identifier, else the vendor by prefix, else by team id. */
function extensionRule(view: CatalogView, idColumn: string, teamColumn: string | null): StatusRule {
  const byTeam = teamColumn
    ? view.firstVendorFallback((v) =>
        v.teamIds.length ? `${teamColumn} IN (${v.teamIds.map(sqlString).join(', ')})` : undefined,
      )
    : null;
  return view.firstMatching(
    idColumn,
    (p) => p.signatures.macos?.systemExtensions,
    view.firstVendorFallback((v) => hasPrefix(idColumn, v), byTeam),
  );
}

/** Every macOS query whose rows mean "a banned product is installed". */
export function macosBannedQueries(view: CatalogView): string[] {
  const q = (table: string, cond: string): string[] =>
    cond === 'FALSE' ? [] : [`SELECT 1 FROM ${table} WHERE ${cond}`];
  const kext = isBanned(extensionRule(view, 'value', null));
  return [
    ...q('apps', isBanned(appRule(view))),
    ...q('system_extensions', isBanned(extensionRule(view, 'identifier', 'team'))),
    ...(kext === 'FALSE'
      ? []
      : [
          `SELECT 1 FROM plist WHERE path LIKE '/Library/Extensions/%.kext/Contents/Info.plist' AND key = 'CFBundleIdentifier' AND ${kext}`,
        ]),
    ...q('processes', and([FROM_PROGRAM_PLACE, isBanned(processRule(view, 'macos'))])),
    ...folderQueries(view, 'macos'),
  ];
}
