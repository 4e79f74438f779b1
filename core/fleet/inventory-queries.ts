/**
 * Evidence queries: what osquery can show of the catalog's products on a host, traces included
 * (vendor keys, receipts, launchd jobs, unit files, folders), for logging and for people reading a
 * failing policy. Unlike the policy they do not decide anything: they list rows.
 */
import type { Pattern } from '../model/catalog';
import { type CatalogView, expandDefaultWindowsPath, type FleetPlatform } from './catalog-view';
import { likeExact, matchesAny, or, sqlString } from './sql';

export interface InventoryQuery {
  /** `divest_<table>`: the query's name in packs and Fleet reports. */
  name: string;
  platform: FleetPlatform;
  description: string;
  query: string;
}

function all(
  view: CatalogView,
  pick: (s: CatalogView['products'][number]['signatures']) => readonly Pattern[] | undefined,
): Pattern[] {
  return view.products.flatMap((p) => [...(pick(p.signatures) ?? [])]);
}

/** `file` rows at the catalog's paths (`*` in a last segment becomes osquery's one-level `%`). */
function pathRows(paths: readonly string[]): string {
  const likes = [...new Set(paths)].map((p) => sqlString(p.replace(/\*/g, '%')));
  if (likes.length === 0) return '';
  return `SELECT path, type, size, mtime FROM file WHERE ${likes.map((l) => `path LIKE ${l}`).join(' OR ')};`;
}

function prefixes(view: CatalogView, col: string): string {
  return or(
    view.vendors.flatMap((v) => v.bundleIdPrefixes.map((pre) => likeExact(col, pre.toLowerCase(), '%'))),
  );
}

function windowsQueries(view: CatalogView): Omit<InventoryQuery, 'platform'>[] {
  const roots = view.vendors.flatMap((v) =>
    v.registryKeys.flatMap((k) => [
      `HKEY_LOCAL_MACHINE\\SOFTWARE\\${k}`,
      `HKEY_LOCAL_MACHINE\\SOFTWARE\\WOW6432Node\\${k}`,
    ]),
  );
  const publishers = view.vendors.flatMap((v) => v.publishers);
  const svc = [...all(view, (s) => s.windows?.services), ...all(view, (s) => s.windows?.drivers)];
  const winPaths = view.products.flatMap((p) =>
    (p.signatures.windows?.paths ?? []).map((x) => expandDefaultWindowsPath(x.path)),
  );
  return [
    {
      name: 'divest_programs',
      description:
        'Uninstall entries published by a vendor of the catalog or named like one of its products.',
      query: `SELECT name, version, publisher, identifying_number, install_location, uninstall_string FROM programs WHERE ${or(
        [
          matchesAny('publisher', publishers),
          matchesAny(
            'name',
            all(view, (s) => s.windows?.displayNames),
          ),
        ],
      )};`,
    },
    {
      name: 'divest_services',
      description: 'Services and drivers named like the catalog’s (drivers need osquery 5.10 or later).',
      query: `SELECT name, display_name, service_type, start_type, status, path FROM services WHERE ${matchesAny('name', svc)};`,
    },
    {
      name: 'divest_vendor_keys',
      description: 'Subkeys of the vendors’ own registry keys (both views) and their product names.',
      query: `SELECT vk.path, vk.name, (SELECT e.data FROM registry e WHERE e.key = vk.path || '\\environment' AND e.name = 'ProductName') AS product_name FROM registry vk WHERE vk.key IN (${roots.map(sqlString).join(', ')}) AND vk.type = 'subkey';`,
    },
    {
      name: 'divest_security_products',
      description:
        'Every product registered with Windows Security Center: banned ones, and the replacement’s state.',
      query: 'SELECT type, name, state, signatures_up_to_date FROM windows_security_products;',
    },
    {
      name: 'divest_paths',
      description: 'The catalog’s folders and files (default drive letters).',
      query: pathRows(winPaths.filter((p): p is string => p !== undefined)),
    },
  ];
}

function linuxQueries(view: CatalogView): Omit<InventoryQuery, 'platform'>[] {
  const names = view.products.flatMap((p) => (p.signatures.linux?.packages ?? []).map((x) => x.name));
  const inNames = names.length ? `name IN (${[...new Set(names)].map(sqlString).join(', ')})` : 'FALSE';
  const maint = view.vendors.flatMap((v) => v.maintainers);
  const unit =
    "replace(replace(replace(replace(id, '.service', ''), '.socket', ''), '.timer', ''), '.path', '')";
  return [
    {
      name: 'divest_deb_packages',
      description: 'dpkg packages named in the catalog or maintained by one of its vendors (any state).',
      query: `SELECT name, version, arch, maintainer, status FROM deb_packages WHERE ${or([inNames, matchesAny('maintainer', maint)])};`,
    },
    {
      name: 'divest_rpm_packages',
      description: 'rpm packages named in the catalog or from one of its vendors.',
      query: `SELECT name, version, release, arch, vendor FROM rpm_packages WHERE ${or([inNames, matchesAny('vendor', maint)])};`,
    },
    {
      name: 'divest_systemd_units',
      description: 'systemd units named like the catalog’s.',
      query: `SELECT id, description, load_state, active_state, unit_file_state, fragment_path FROM systemd_units WHERE ${matchesAny(
        unit,
        all(view, (s) => s.linux?.units),
      )};`,
    },
    {
      name: 'divest_processes',
      description: 'Running processes named like the catalog’s.',
      query: `SELECT pid, name, path, cmdline FROM processes WHERE ${matchesAny(
        'name',
        all(view, (s) => s.linux?.processes),
      )};`,
    },
    {
      name: 'divest_paths',
      description: 'The catalog’s folders and files.',
      query: pathRows(view.products.flatMap((p) => (p.signatures.linux?.paths ?? []).map((x) => x.path))),
    },
  ];
}

function macosQueries(view: CatalogView): Omit<InventoryQuery, 'platform'>[] {
  const teams = view.vendors.flatMap((v) => v.teamIds);
  const byTeam = teams.length ? `team IN (${teams.map(sqlString).join(', ')})` : 'FALSE';
  return [
    {
      name: 'divest_apps',
      description: 'Application bundles of the catalog’s products or with a vendor’s bundle-id prefix.',
      query: `SELECT name, path, bundle_identifier, bundle_short_version FROM apps WHERE ${or([
        matchesAny(
          'bundle_identifier',
          all(view, (s) => s.macos?.bundleIds),
        ),
        matchesAny(
          "(CASE WHEN name LIKE '%.app' THEN substr(name, 1, length(name) - 4) ELSE name END)",
          all(view, (s) => s.macos?.appNames),
        ),
        prefixes(view, 'bundle_identifier'),
      ])};`,
    },
    {
      name: 'divest_package_receipts',
      description: 'Installer receipts of the catalog’s products or vendors.',
      query: `SELECT package_id, version, install_time, path FROM package_receipts WHERE ${or([
        matchesAny(
          'package_id',
          all(view, (s) => s.macos?.receipts),
        ),
        prefixes(view, 'package_id'),
      ])};`,
    },
    {
      name: 'divest_launchd',
      description: 'launchd jobs of the catalog’s products or vendors.',
      query: `SELECT path, label, program, run_at_load, disabled FROM launchd WHERE ${or([
        matchesAny(
          'label',
          all(view, (s) => s.macos?.launchd),
        ),
        prefixes(view, 'label'),
      ])};`,
    },
    {
      name: 'divest_system_extensions',
      description: 'System extensions of the catalog’s products or vendors (by identifier, prefix or team).',
      query: `SELECT identifier, team, state, version, path FROM system_extensions WHERE ${or([
        matchesAny(
          'identifier',
          all(view, (s) => s.macos?.systemExtensions),
        ),
        prefixes(view, 'identifier'),
        byTeam,
      ])};`,
    },
    {
      name: 'divest_kexts',
      description: 'Kernel extensions in /Library/Extensions with a vendor’s bundle-id prefix.',
      query: `SELECT path, value AS bundle_identifier FROM plist WHERE path LIKE '/Library/Extensions/%.kext/Contents/Info.plist' AND key = 'CFBundleIdentifier' AND ${prefixes(view, 'value')};`,
    },
    {
      name: 'divest_processes',
      description: 'Running processes named like the catalog’s.',
      query: `SELECT pid, name, path FROM processes WHERE ${matchesAny(
        'name',
        all(view, (s) => s.macos?.processes),
      )};`,
    },
    {
      name: 'divest_paths',
      description: 'The catalog’s folders and files.',
      query: pathRows(view.products.flatMap((p) => (p.signatures.macos?.paths ?? []).map((x) => x.path))),
    },
  ];
}

/** The evidence queries of every platform (queries whose condition is empty are left out). */
export function inventoryQueries(view: CatalogView): InventoryQuery[] {
  const tag = (platform: FleetPlatform, list: Omit<InventoryQuery, 'platform'>[]): InventoryQuery[] =>
    list.filter((q) => q.query !== '' && !/WHERE FALSE;$/.test(q.query)).map((q) => ({ ...q, platform }));
  return [
    ...tag('windows', windowsQueries(view)),
    ...tag('linux', linuxQueries(view)),
    ...tag('darwin', macosQueries(view)),
  ];
}
