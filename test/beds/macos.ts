/**
 * macOS test beds: a temporary folder laid out like a Mac's `/`, for `probeMacos` and for
 * `divest scan --host-root DIR --host-os macos`.
 *
 * The plists are written by Python's `plistlib` (the same XML and `bplist00` formats Apple's
 * CoreFoundation writes), not by the `plist` package the probe reads them with, so a test does not
 * check a parser against its own builder. All plists of a bed are written by ONE python3 process.
 *
 * Layouts follow research §4.1 (products.md): KES for Mac's app bundle, receipts, launchd jobs,
 * system extension and support folder. Bundle ids, labels and the team id come from there; version
 * numbers, UUIDs and program arguments are made up. Next to them sit ordinary software and
 * look-alikes (Kaspa Wallet, Klack, Kasper, Apple's XProtect jobs) that must never be flagged.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A plist value as JSON can carry it; dates and bytes are wrapped as `{ $date }` / `{ $data }`. */
export type PlistJson =
  | string
  | number
  | boolean
  | { $date: string }
  | { $data: string }
  | PlistJson[]
  | { [key: string]: PlistJson };

/** `XML` as Xcode writes Info.plists, `binary` as the system writes receipts and its databases. */
export type PlistFormat = 'xml' | 'binary';

/** An `.app` bundle: where it lives and its `Contents/Info.plist`. */
export interface AppSpec {
  /** e.g. `/Applications/Safari.app` or `/Users/alice/Applications/Klack.app`. */
  path: string;
  /** Info.plist keys; omitted means the bundle has no Info.plist at all. */
  info?: { [key: string]: PlistJson };
  format?: PlistFormat;
  /** Raw bytes for Contents/Info.plist instead of `info` (a broken file). */
  rawInfo?: string | Buffer;
}

/** A `/var/db/receipts/<id>.plist` receipt (with its `.bom` beside it, as pkgutil leaves it). */
export interface ReceiptSpec {
  id: string;
  version: string;
  /** ISO-8601. */
  installDate?: string;
  format?: PlistFormat;
}

/** A launchd job definition. */
export interface LaunchdSpec {
  /** e.g. `/Library/LaunchDaemons/com.kaspersky.kav.plist`. */
  path: string;
  label: string;
  program?: string;
  programArguments?: string[];
  format?: PlistFormat;
}

/** One entry of `/Library/SystemExtensions/db.plist`. */
export interface SysextSpec {
  identifier: string;
  teamID: string;
  state: string;
  version: string;
  build?: string;
  /** The app that installed it (its `originPath` is inside). */
  appPath?: string;
  appIdentifier?: string;
  category?: string;
  uuid: string;
}

/** A kernel extension under `/Library/Extensions`. */
export interface KextSpec {
  path: string;
  bundleId: string;
  version: string;
}

/** What to put in a bed. Every part is optional; specs are combined with {@link mergeSpecs}. */
export interface MacosBedSpec {
  apps?: AppSpec[];
  receipts?: ReceiptSpec[];
  /** Pre-10.6 receipt bundles: `/Library/Receipts/<name>.pkg/Contents/Info.plist`. */
  legacyReceipts?: { name: string; id: string; version: string }[];
  launchd?: LaunchdSpec[];
  /** Entries of `/Library/SystemExtensions/db.plist`; undefined means no such folder at all. */
  systemExtensions?: SysextSpec[];
  kexts?: KextSpec[];
  /** Plain files (support folders, broken plists...): path -> content. */
  files?: { [path: string]: string | Buffer };
  dirs?: string[];
  /** Symbolic links: path -> target, written as given (absolute targets point at the HOST's `/`). */
  symlinks?: { [path: string]: string };
}

/** A bed on disk. */
export interface MacosBed {
  root: string;
  /** `p` (a path on the imagined Mac) on this machine's disk. */
  at(p: string): string;
  cleanup(): void;
}

const PLISTLIB_BATCH = `
import datetime, json, os, plistlib, sys, base64
def conv(v):
    if isinstance(v, dict):
        if set(v) == {'$date'}:
            d = datetime.datetime.fromisoformat(v['$date'].replace('Z', '+00:00'))
            if d.tzinfo is not None:
                d = d.astimezone(datetime.timezone.utc).replace(tzinfo=None)
            return d
        if set(v) == {'$data'}:
            return base64.b64decode(v['$data'])
        return {k: conv(x) for k, x in v.items()}
    if isinstance(v, list):
        return [conv(x) for x in v]
    return v
for job in json.load(sys.stdin):
    os.makedirs(os.path.dirname(job['path']), exist_ok=True)
    fmt = plistlib.FMT_BINARY if job['format'] == 'binary' else plistlib.FMT_XML
    with open(job['path'], 'wb') as f:
        plistlib.dump(conv(job['value']), f, fmt=fmt, sort_keys=False)
`;

/** True when python3 (with plistlib) can be run here. */
export function pythonAvailable(): boolean {
  const r = spawnSync('python3', ['-c', 'import plistlib'], { stdio: 'ignore' });
  return r.status === 0;
}

/** Writes many plists with one python3 process. */
export function writePlists(jobs: readonly { path: string; value: PlistJson; format: PlistFormat }[]): void {
  if (jobs.length === 0) return;
  execFileSync('python3', ['-c', PLISTLIB_BATCH], {
    input: JSON.stringify(jobs),
    stdio: ['pipe', 'inherit', 'inherit'],
  });
}

/** One plist's bytes as plistlib writes them. */
export function plistBytes(value: PlistJson, format: PlistFormat): Buffer {
  const dir = mkdtempSync(path.join(tmpdir(), 'divest-plist-'));
  try {
    const file = path.join(dir, 'x.plist');
    writePlists([{ path: file, value, format }]);
    return readFileSync(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function infoPlist(
  id: string,
  name: string,
  version: string,
  extra: { [key: string]: PlistJson } = {},
): { [key: string]: PlistJson } {
  return {
    CFBundleIdentifier: id,
    CFBundleName: name,
    CFBundleShortVersionString: version,
    CFBundleVersion: version.split('.').pop() ?? version,
    CFBundlePackageType: 'APPL',
    CFBundleExecutable: name,
    LSMinimumSystemVersion: '11.0',
    ...extra,
  };
}

/** Kaspersky's Apple Developer Team ID (research §4.1, High confidence). */
export const KASPERSKY_TEAM_ID = '2Y8XE5CQ94';

const KES_APP = '/Applications/Kaspersky Endpoint Security for Mac.app';
const KL_SUPPORT = '/Library/Application Support/Kaspersky Lab';

/** Kaspersky Endpoint Security for Mac, laid out as research §4.1 describes it. */
export const KASPERSKY_KES_MAC: MacosBedSpec = {
  apps: [
    {
      path: KES_APP,
      format: 'xml',
      info: infoPlist('com.kaspersky.kav', 'Kaspersky Endpoint Security for Mac', '12.1.0.553', {
        CFBundleDisplayName: 'Kaspersky Endpoint Security for Mac',
      }),
    },
  ],
  receipts: [
    {
      id: 'com.kaspersky.kav.core',
      version: '12.1.0.553',
      installDate: '2024-03-05T09:14:02Z',
      format: 'binary',
    },
    {
      id: 'com.kaspersky.kav.oas',
      version: '12.1.0.553',
      installDate: '2024-03-05T09:14:03Z',
      format: 'xml',
    },
  ],
  launchd: [
    {
      path: '/Library/LaunchDaemons/com.kaspersky.kav.plist',
      label: 'com.kaspersky.kav',
      programArguments: [`${KL_SUPPORT}/KAV/Binaries/kav`, '-d'],
      format: 'xml',
    },
    {
      path: '/Library/LaunchAgents/com.kaspersky.kav.gui.plist',
      label: 'com.kaspersky.kav.gui',
      program: `${KES_APP}/Contents/MacOS/kav_app`,
      format: 'binary',
    },
  ],
  systemExtensions: [
    {
      identifier: 'com.kaspersky.kav.sysext',
      teamID: KASPERSKY_TEAM_ID,
      state: 'activated_enabled',
      version: '12.1.0.553',
      build: '553',
      appPath: KES_APP,
      appIdentifier: 'com.kaspersky.kav',
      category: 'com.apple.system_extension.endpoint_security',
      uuid: '6F1C0A2E-3B4D-4E5F-8A9B-0C1D2E3F4A5B',
    },
  ],
  dirs: [`${KL_SUPPORT}/klnagent/Binaries`, `${KL_SUPPORT}/klnagent_conf`],
  files: {
    [`${KL_SUPPORT}/KAV/Binaries/kav`]: '#!/bin/sh\n# test bed stand-in for the kav daemon\n',
    [`${KL_SUPPORT}/KAV/Binaries/UninstallScript`]: '#!/bin/sh\n# test bed stand-in\n',
  },
};

/** A Kaspersky kext left behind by an old (pre-system-extension) install. */
export const KASPERSKY_LEGACY_KEXT: MacosBedSpec = {
  kexts: [
    { path: '/Library/Extensions/klif.kext', bundleId: 'com.kaspersky.kext.klif', version: '11.0.0.157' },
  ],
};

/** Ordinary software and look-alikes; nothing here is Kaspersky. */
export const ORDINARY_MAC: MacosBedSpec = {
  apps: [
    {
      path: '/Applications/Safari.app',
      format: 'binary',
      info: infoPlist('com.apple.Safari', 'Safari', '17.4.1'),
    },
    // Look-alikes: "Kaspa", "Klack", "Kasper" share letters with Kaspersky and nothing else.
    {
      path: '/Applications/Kaspa Wallet.app',
      format: 'xml',
      info: infoPlist('org.kaspa.wallet', 'Kaspa Wallet', '2.3.0'),
    },
    {
      path: '/Applications/Kasper.app',
      format: 'binary',
      info: infoPlist('com.kasperapp.kasper', 'Kasper', '1.0.4'),
    },
    {
      path: '/Applications/Utilities/Disk Inventory X.app',
      format: 'xml',
      info: infoPlist('net.derlien.DiskInventoryX', 'Disk Inventory X', '1.3'),
    },
    {
      path: '/Users/alice/Applications/Klack.app',
      format: 'xml',
      info: infoPlist('com.klack.Klack', 'Klack', '1.6.0'),
    },
  ],
  receipts: [
    {
      id: 'com.apple.pkg.XProtectPayloads_10_15.16U4211',
      version: '2178',
      installDate: '2024-02-01T02:00:00Z',
      format: 'binary',
    },
    { id: 'org.kaspa.wallet.pkg', version: '2.3.0', installDate: '2024-01-10T12:00:00Z', format: 'binary' },
  ],
  launchd: [
    {
      path: '/Library/Apple/System/Library/LaunchDaemons/com.apple.XProtect.daemon.scan.plist',
      label: 'com.apple.XProtect.daemon.scan',
      programArguments: ['/Library/Apple/System/Library/CoreServices/XProtect.app/Contents/MacOS/XProtect'],
      format: 'xml',
    },
    {
      path: '/Library/LaunchDaemons/org.kaspa.kaspad.plist',
      label: 'org.kaspa.kaspad',
      program: '/usr/local/bin/kaspad',
      format: 'xml',
    },
    {
      path: '/Users/alice/Library/LaunchAgents/com.klack.Klack.helper.plist',
      label: 'com.klack.Klack.helper',
      programArguments: ['/Users/alice/Applications/Klack.app/Contents/MacOS/KlackHelper'],
      format: 'binary',
    },
  ],
  systemExtensions: [
    {
      identifier: 'com.example.vpn.tunnel',
      teamID: 'EXAMPLE123',
      state: 'activated_enabled',
      version: '3.2.1',
      appPath: '/Applications/Example VPN.app',
      appIdentifier: 'com.example.vpn',
      category: 'com.apple.system_extension.network_extension',
      uuid: '0A1B2C3D-4E5F-4061-8293-A4B5C6D7E8F9',
    },
  ],
  kexts: [
    { path: '/Library/Extensions/SoftRAID.kext', bundleId: 'com.softraid.driver.SoftRAID', version: '8.0' },
  ],
  dirs: ['/Library/Application Support/Apple', '/Users/Shared'],
};

/** Combines bed specs (lists concatenated; system extensions too). */
export function mergeSpecs(...specs: MacosBedSpec[]): MacosBedSpec {
  const out: MacosBedSpec = {};
  for (const s of specs) {
    out.apps = [...(out.apps ?? []), ...(s.apps ?? [])];
    out.receipts = [...(out.receipts ?? []), ...(s.receipts ?? [])];
    out.legacyReceipts = [...(out.legacyReceipts ?? []), ...(s.legacyReceipts ?? [])];
    out.launchd = [...(out.launchd ?? []), ...(s.launchd ?? [])];
    if (s.systemExtensions) out.systemExtensions = [...(out.systemExtensions ?? []), ...s.systemExtensions];
    out.kexts = [...(out.kexts ?? []), ...(s.kexts ?? [])];
    out.files = { ...out.files, ...s.files };
    out.dirs = [...(out.dirs ?? []), ...(s.dirs ?? [])];
    out.symlinks = { ...out.symlinks, ...s.symlinks };
  }
  return out;
}

function sysextEntry(s: SysextSpec): { [key: string]: PlistJson } {
  const bundle = `${s.identifier}.systemextension`;
  const entry: { [key: string]: PlistJson } = {
    identifier: s.identifier,
    teamID: s.teamID,
    state: s.state,
    categories: [s.category ?? 'com.apple.system_extension.endpoint_security'],
    bundleVersion: { CFBundleShortVersionString: s.version, CFBundleVersion: s.build ?? s.version },
    uniqueID: s.uuid,
    stagedBundleURL: { relative: `file:///Library/SystemExtensions/${s.uuid}/${bundle}/` },
    stagedCdhashes: {},
  };
  if (s.appPath) {
    entry.originPath = `${s.appPath}/Contents/Library/SystemExtensions/${bundle}`;
    entry.container = { bundlePath: s.appPath, bundleIdentifier: s.appIdentifier ?? '' };
    entry.references = [
      { appIdentifier: s.appIdentifier ?? '', appRef: `file://${encodeURI(s.appPath)}/`, teamID: s.teamID },
    ];
  }
  return entry;
}

/**
 * Builds a temporary Mac root from `spec`. Call `cleanup()` when done (in `afterAll`).
 *
 * Always present, as on every Mac: `/Applications`, `/Library/LaunchDaemons`, `/Library/LaunchAgents`,
 * `/Users`, and `/var/db/receipts` (with `/var` a link to `private/var`). `/Library/SystemExtensions`
 * only when `spec.systemExtensions` is given.
 */
export function makeMacosRoot(spec: MacosBedSpec): MacosBed {
  const root = mkdtempSync(path.join(tmpdir(), 'divest-macos-'));
  const at = (p: string): string => path.join(root, p);
  try {
    // As on a real Mac, /var is a relative link into /private: probes must resolve it inside the root.
    mkdirSync(at('/private/var/db/receipts'), { recursive: true });
    symlinkSync('private/var', at('/var'));
    for (const d of [
      '/Applications',
      '/Library/LaunchDaemons',
      '/Library/LaunchAgents',
      '/Users',
      ...(spec.dirs ?? []),
    ]) {
      mkdirSync(at(d), { recursive: true });
    }
    const jobs: { path: string; value: PlistJson; format: PlistFormat }[] = [];
    const writeRaw = (p: string, content: string | Buffer): void => {
      mkdirSync(path.dirname(at(p)), { recursive: true });
      writeFileSync(at(p), content);
    };

    for (const app of spec.apps ?? []) {
      mkdirSync(at(`${app.path}/Contents/MacOS`), { recursive: true });
      if (app.rawInfo !== undefined) writeRaw(`${app.path}/Contents/Info.plist`, app.rawInfo);
      else if (app.info)
        jobs.push({
          path: at(`${app.path}/Contents/Info.plist`),
          value: app.info,
          format: app.format ?? 'xml',
        });
    }
    for (const r of spec.receipts ?? []) {
      const value: { [key: string]: PlistJson } = {
        PackageIdentifier: r.id,
        PackageVersion: r.version,
        PackageFileName: `${r.id}.pkg`,
        InstallPrefixPath: '/',
        InstallProcessName: 'installer',
      };
      if (r.installDate) value.InstallDate = { $date: r.installDate };
      jobs.push({ path: at(`/var/db/receipts/${r.id}.plist`), value, format: r.format ?? 'binary' });
      writeRaw(`/var/db/receipts/${r.id}.bom`, Buffer.from('BOMStore'));
    }
    for (const r of spec.legacyReceipts ?? []) {
      jobs.push({
        path: at(`/Library/Receipts/${r.name}.pkg/Contents/Info.plist`),
        value: {
          CFBundleIdentifier: r.id,
          CFBundleShortVersionString: r.version,
          IFMajorVersion: 1,
          IFMinorVersion: 0,
        },
        format: 'xml',
      });
    }
    for (const j of spec.launchd ?? []) {
      const value: { [key: string]: PlistJson } = { Label: j.label, RunAtLoad: true };
      if (j.program) value.Program = j.program;
      if (j.programArguments) value.ProgramArguments = j.programArguments;
      jobs.push({ path: at(j.path), value, format: j.format ?? 'xml' });
    }
    if (spec.systemExtensions) {
      mkdirSync(at('/Library/SystemExtensions'), { recursive: true });
      jobs.push({
        path: at('/Library/SystemExtensions/db.plist'),
        value: {
          version: 1,
          bootUUID: 'F00DFACE-0000-4000-8000-000000000001',
          developerMode: false,
          extensionPolicies: [],
          extensions: spec.systemExtensions.map(sysextEntry),
        },
        format: 'xml',
      });
      for (const s of spec.systemExtensions) {
        jobs.push({
          path: at(`/Library/SystemExtensions/${s.uuid}/${s.identifier}.systemextension/Contents/Info.plist`),
          value: {
            CFBundleIdentifier: s.identifier,
            CFBundleShortVersionString: s.version,
            CFBundlePackageType: 'SYSX',
          },
          format: 'xml',
        });
      }
    }
    for (const k of spec.kexts ?? []) {
      jobs.push({
        path: at(`${k.path}/Contents/Info.plist`),
        value: {
          CFBundleIdentifier: k.bundleId,
          CFBundleShortVersionString: k.version,
          CFBundlePackageType: 'KEXT',
        },
        format: 'xml',
      });
    }
    // Plists first, so that raw files and links given in the spec land on top of them.
    writePlists(jobs);
    for (const [p, content] of Object.entries(spec.files ?? {})) writeRaw(p, content);
    for (const [p, target] of Object.entries(spec.symlinks ?? {})) {
      mkdirSync(path.dirname(at(p)), { recursive: true });
      symlinkSync(target, at(p));
    }
  } catch (e) {
    rmSync(root, { recursive: true, force: true });
    throw e;
  }
  return { root, at, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
