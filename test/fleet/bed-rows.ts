/**
 * osquery table rows for the project's test beds, built the way each osquery table documents its
 * source (and independently of Divest's own probes where the bed is a real folder):
 * - `deb_packages`: `dpkg-query` on the bed's admindir, every package but `not-installed`
 *   (osquery/utils/linux/dpkg/dpkgquery.cpp), `status` as "want eflag status";
 * - `rpm_packages`: `rpm -qa` on the bed's database;
 * - `systemd_units`: the unit files in the bed's unit folders;
 * - `file`: every path under the bed, with `directory` and `type`;
 * - `apps`, `package_receipts`, `launchd`, `system_extensions`, `plist`: the bed's bundles and
 *   plists (read with the project's plist parser, which reads XML and binary plists);
 * - Windows: from inventory items as the registry holds them (`programs` from Uninstall keys,
 *   `services` with osquery's service_type names, `registry` rows for vendor subkeys and their
 *   `environment` values, `windows_security_products` for Security Center entries).
 */
import { readdirSync, readFileSync, lstatSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { InventoryItem } from '../../core/host/inventory';
import { isPlistDict, parsePlist, plistString } from '../../core/host/parsers/plist';
import { dpkgQuery, rpmQuery, type RpmBed } from '../beds/linux';
import type { Row } from './osquery-model';

export type Rows = Partial<Record<string, Row[]>>;

/** Every path under `root` as a `file` row (paths as on the imagined machine). */
export function fileRows(root: string, skip: readonly string[] = []): Row[] {
  const rows: Row[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(path.join(root, dir))) {
      const p = path.posix.join(dir, name);
      if (skip.some((s) => p === s || p.startsWith(`${s}/`))) continue;
      const st = lstatSync(path.join(root, p));
      const type = st.isDirectory() ? 'directory' : st.isSymbolicLink() ? 'symlink' : 'regular';
      rows.push({ path: p, directory: dir, filename: name, type, size: st.size });
      if (st.isDirectory()) walk(p);
    }
  };
  walk('/');
  return rows;
}

const UNIT_DIRS = ['/etc/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system'];

function unitRows(root: string): Row[] {
  return UNIT_DIRS.flatMap((d) => {
    const dir = path.join(root, d);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((n) => /\.(service|socket|timer|path)$/.test(n))
      .map((n) => ({ id: n, fragment_path: `${d}/${n}`, load_state: 'loaded', unit_file_state: 'enabled' }));
  });
}

/** Rows of a dpkg bed. */
export function dpkgBedRows(root: string): Rows {
  const deb = dpkgQuery(root)
    .filter((r) => !r.status.endsWith(' not-installed'))
    .map((r) => ({
      name: r.name,
      version: r.version,
      arch: r.architecture,
      maintainer: r.maintainer,
      status: r.status,
      admindir: '/var/lib/dpkg',
    }));
  return { deb_packages: deb, systemd_units: unitRows(root), file: fileRows(root, ['/var/lib/dpkg']) };
}

/** Rows of an rpm bed. */
export function rpmBedRows(bed: RpmBed): Rows {
  const rpm = rpmQuery(bed).map((r) => ({
    name: r.name,
    version: r.version,
    release: r.release,
    arch: r.arch,
    vendor: r.vendor === '(none)' ? '' : r.vendor,
  }));
  return {
    rpm_packages: rpm,
    systemd_units: unitRows(bed.root),
    file: fileRows(bed.root, ['/var/lib/rpm', '/usr/lib/sysimage/rpm']),
  };
}

function readPlist(file: string): unknown {
  try {
    return parsePlist(readFileSync(file));
  } catch {
    return undefined;
  }
}

function listDir(root: string, dir: string): string[] {
  const full = path.join(root, dir);
  return existsSync(full) ? readdirSync(full) : [];
}

/** `.app` bundles where osquery's `apps` looks: /Applications (one level of folders) and ~/Applications. */
function appRows(root: string): Row[] {
  const dirs = ['/Applications'];
  for (const n of listDir(root, '/Applications'))
    if (!n.endsWith('.app') && lstatSync(path.join(root, '/Applications', n)).isDirectory())
      dirs.push(`/Applications/${n}`);
  for (const u of listDir(root, '/Users')) dirs.push(`/Users/${u}/Applications`);
  return dirs.flatMap((d) =>
    listDir(root, d)
      .filter((n) => n.endsWith('.app'))
      .map((n) => {
        const info = readPlist(path.join(root, d, n, 'Contents/Info.plist'));
        return {
          name: n,
          path: `${d}/${n}`,
          bundle_identifier: plistString(info, 'CFBundleIdentifier'),
          bundle_name: plistString(info, 'CFBundleName'),
          bundle_short_version: plistString(info, 'CFBundleShortVersionString'),
        };
      }),
  );
}

/** Rows of a macOS bed. */
export function macosBedRows(root: string): Rows {
  const receipts = listDir(root, '/var/db/receipts')
    .filter((n) => n.endsWith('.plist'))
    .map((n) => {
      const p = readPlist(path.join(root, '/var/db/receipts', n));
      return {
        package_id: plistString(p, 'PackageIdentifier'),
        version: plistString(p, 'PackageVersion'),
        path: `/var/db/receipts/${n}`,
      };
    });
  const launchd = [
    '/Library/LaunchDaemons',
    '/Library/LaunchAgents',
    '/Library/Apple/System/Library/LaunchDaemons',
  ].flatMap((d) =>
    listDir(root, d)
      .filter((n) => n.endsWith('.plist'))
      .map((n) => ({
        path: `${d}/${n}`,
        name: n,
        label: plistString(readPlist(path.join(root, d, n)), 'Label'),
      })),
  );
  const db = readPlist(path.join(root, '/Library/SystemExtensions/db.plist'));
  const exts = isPlistDict(db) && Array.isArray(db.extensions) ? db.extensions : [];
  const sysext = exts.map((e) => ({
    identifier: plistString(e, 'identifier'),
    team: plistString(e, 'teamID'),
    state: plistString(e, 'state'),
  }));
  const plist = listDir(root, '/Library/Extensions')
    .filter((n) => n.endsWith('.kext'))
    .flatMap((n) => {
      const p = `/Library/Extensions/${n}/Contents/Info.plist`;
      const info = readPlist(path.join(root, p));
      if (!isPlistDict(info)) return [];
      return Object.entries(info)
        .filter(([, v]) => typeof v === 'string')
        .map(([key, value]) => ({ path: p, key, value: value as string }));
    });
  return {
    apps: appRows(root),
    package_receipts: receipts,
    launchd,
    system_extensions: sysext,
    plist,
    file: fileRows(root),
  };
}

const SERVICE_TYPES: Record<number, string> = {
  1: 'KERNEL_DRIVER',
  2: 'FILE_SYSTEM_DRIVER',
  16: 'OWN_PROCESS',
  32: 'SHARE_PROCESS',
};

const hive = (location: string): string =>
  location.replace(/^HKLM\\/, 'HKEY_LOCAL_MACHINE\\').replace(/^HKCU\\/, 'HKEY_USERS\\S-1-5-21-1000\\');

/** Rows of a Windows machine from its inventory (what the registry holds). */
export function windowsRows(items: readonly InventoryItem[], files: readonly Row[] = []): Rows {
  const rows: Rows = {
    programs: [],
    services: [],
    registry: [],
    windows_security_products: [],
    processes: [],
    file: [...files],
  };
  for (const item of items) {
    switch (item.kind) {
      case 'registry-uninstall':
        rows.programs!.push({
          name: item.displayName,
          version: item.displayVersion,
          publisher: item.publisher,
          install_location: item.installLocation,
          uninstall_string: item.uninstallString,
          identifying_number: /\{[a-fA-F0-9]+-[a-fA-F0-9]+-[a-fA-F0-9]+-[a-fA-F0-9]+-[a-fA-F0-9]+\}$/.exec(
            item.keyName,
          )?.[0],
        });
        break;
      case 'service':
      case 'driver':
        rows.services!.push({
          name: item.name,
          display_name: 'displayName' in item ? item.displayName : undefined,
          path: 'imagePath' in item ? item.imagePath : undefined,
          service_type:
            'type' in item && item.type !== undefined ? (SERVICE_TYPES[item.type] ?? 'UNKNOWN') : 'UNKNOWN',
        });
        break;
      case 'vendor-key': {
        if (!item.keyName) break;
        const full = hive(item.location);
        rows.registry!.push({
          key: full.slice(0, full.lastIndexOf('\\')),
          path: full,
          name: item.keyName,
          type: 'subkey',
        });
        for (const [name, data] of Object.entries(item.values))
          rows.registry!.push({
            key: `${full}\\environment`,
            path: `${full}\\environment\\${name}`,
            name,
            type: 'REG_SZ',
            data,
          });
        break;
      }
      case 'security-center':
        rows.windows_security_products!.push({ type: 'Antivirus', name: item.displayName, state: 'On' });
        break;
      default:
        break;
    }
  }
  return rows;
}

/** Rows for running processes (Linux/macOS inventory items). */
export function processRows(items: readonly InventoryItem[]): Row[] {
  // osquery's `path` is the program file (Linux /proc/<pid>/exe); empty when it cannot be read.
  return items.flatMap((i) =>
    i.kind === 'process' ? [{ pid: i.pid, name: i.name, path: i.executable ?? '' }] : [],
  );
}
