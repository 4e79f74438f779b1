/**
 * The generated osquery/Fleet policies fail EXACTLY when `divest scan` exits 10, on every test bed
 * the project has: the dpkg and rpm roots (test/beds/linux.ts), the macOS layouts
 * (test/beds/macos.ts), the Windows registry exports (test/fixtures/windows/*.reg) and inventory
 * fixtures (test/fixtures/removal.ts), look-alikes included. Each bed's inventory becomes osquery
 * table rows (bed-rows.ts) in SQLite with osquery's columns and regex_match (osquery-model.ts);
 * `divest scan` is the built CLI on the same root (Linux, macOS) or the scanner's matcher on the
 * same inventory (Windows fixtures, which are registry exports rather than a machine).
 *
 * What this does not test: real osqueryd/fleetd (not installable offline) and how its tables read
 * a real host; the SQL, the regex translation and the matcher's rules are what is held equal here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBuiltInCatalog } from '../../core/catalog/load';
import { platformPolicies } from '../../core/fleet/policy';
import type { InventoryItem } from '../../core/host/inventory';
import type { PathHit } from '../../core/host/paths';
import type { HostOs } from '../../core/model/host';
import { ScanResult } from '../../core/model/scan';
import { compileCatalog, matchInventory } from '../../core/scan/match';
import {
  KASPERSKY_MAINTAINER,
  bedFixtures,
  ensureBuiltCli,
  kasperskyFixtures,
  lookAlikeFixtures,
  makeDpkgBed,
  makeDpkgRoot,
  makeRpmBed,
  ordinaryFixtures,
  removeDebs,
  runCli,
  skipReason,
  writeIntoRoot,
  type Bed,
  type FixturePackage,
} from '../beds/linux';
import {
  KASPERSKY_KES_MAC,
  KASPERSKY_LEGACY_KEXT,
  ORDINARY_MAC,
  makeMacosRoot,
  mergeSpecs,
  pythonAvailable,
  type MacosBedSpec,
} from '../beds/macos';
import { windowsInventory } from '../fixtures/removal';
import { dpkgBedRows, macosBedRows, processRows, rpmBedRows, windowsRows, type Rows } from './bed-rows';
import { osqueryDb, policyPasses } from './osquery-model';

const catalog = loadBuiltInCatalog();
const policies = Object.fromEntries(platformPolicies(catalog.catalog).map((p) => [p.platform, p]));

/** Runs the platform's policy (and each detection alone, which must not error) on the rows. */
async function policyOn(platform: 'windows' | 'linux' | 'darwin', rows: Rows): Promise<boolean> {
  const db = await osqueryDb(rows);
  try {
    for (const q of policies[platform]!.detections) db.exec(q);
    return policyPasses(db, policies[platform]!.policy);
  } finally {
    db.close();
  }
}

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanups.reverse()) c();
});

/** `divest scan --json` with the built CLI on a root; its exit code. */
function scanExit(root: string, os: 'linux' | 'macos'): number {
  const data = mkdtempSync(path.join(tmpdir(), 'divest-policy-data-'));
  cleanups.push(() => rmSync(data, { recursive: true, force: true }));
  const r = runCli(['scan', '--json', '--host-root', root, '--host-os', os, '--data-dir', data]);
  if (r.status !== 0 && r.status !== 10) throw new Error(`scan failed (${String(r.status)}): ${r.stderr}`);
  ScanResult.parse(JSON.parse(r.stdout));
  return r.status;
}

/** The matcher's verdict on an inventory (what `divest scan` exits with for it). */
function matcherExit(os: HostOs, items: readonly InventoryItem[], hits: readonly PathHit[] = []): number {
  const findings = matchInventory(compileCatalog(catalog.catalog), os, items, hits);
  return findings.some((f) => f.status === 'banned' && f.presence === 'installed') ? 10 : 0;
}

it('every policy names its tables and stays within osquery limits', () => {
  for (const p of Object.values(policies)) {
    expect(p.policy.startsWith('SELECT 1 WHERE NOT EXISTS')).toBe(true);
    expect(p.policy.length).toBeLessThan(60_000);
    for (const m of p.policy.matchAll(
      /regex_match\([^,]+(?:\([^)]*\))?[^,]*, '((?:[^']|'')*)', 0\) IS NOT NULL/g,
    ))
      expect(Buffer.byteLength(m[1]!.replace(/''/g, "'"), 'utf8')).toBeLessThanOrEqual(256);
    expect(p.policy).not.toMatch(/regex_match\([^)]*\)\s+(AND|OR|\))/);
  }
});

const linuxSkip = skipReason(['dpkg', 'dpkg-deb', 'dpkg-query', 'rpm', 'rpmbuild']);

/** A package of someone at the vendor that the catalog does not name: the fallback product. */
const vendorUnknown: FixturePackage = {
  name: 'kaspersky-rescue-tools',
  version: '1.0',
  release: '1',
  maintainer: KASPERSKY_MAINTAINER,
  vendor: 'AO Kaspersky Lab',
  description: 'an unknown Kaspersky package',
  files: { '/usr/share/kaspersky-rescue/readme': 'fixture\n' },
};

describe.skipIf(linuxSkip !== false)('Linux beds: the policy fails exactly when divest scan exits 10', () => {
  const beds: { name: string; make: () => { rows: Rows; root: string } }[] = [];
  const dpkg = (name: string, fixtures: FixturePackage[], after?: (b: Bed) => void): void => {
    beds.push({
      name: `dpkg: ${name}`,
      make: () => {
        const b = fixtures.length ? makeDpkgBed(fixtures) : makeDpkgRoot();
        cleanups.push(() => b.cleanup());
        after?.(b);
        return { rows: dpkgBedRows(b.root), root: b.root };
      },
    });
  };
  const rpm = (name: string, fixtures: FixturePackage[]): void => {
    beds.push({
      name: `rpm: ${name}`,
      make: () => {
        const b = makeRpmBed(fixtures);
        cleanups.push(() => b.cleanup());
        return { rows: rpmBedRows(b), root: b.root };
      },
    });
  };
  const innocent = [...lookAlikeFixtures, ...ordinaryFixtures];
  dpkg('Kaspersky products, look-alikes and ordinary packages', [...kasperskyFixtures, ...innocent]);
  dpkg('look-alikes and ordinary packages only', innocent);
  dpkg('the network agent alone', [bedFixtures.klnagent64]);
  dpkg('a vendor package the catalog does not name', [vendorUnknown, bedFixtures.hello]);
  dpkg('kesl removed, its configuration left (rc)', [bedFixtures.kesl], (b) => {
    removeDebs(b.root, ['kesl'], { purge: false });
  });
  dpkg('a manual install under /opt/kaspersky/kesl (no package)', [], (b) =>
    writeIntoRoot(b.root, { '/opt/kaspersky/kesl/bin/kesl-control': '#!/bin/sh\n' }),
  );
  dpkg('an empty /opt/kaspersky/kesl left behind', [bedFixtures.hello], (b) =>
    writeIntoRoot(b.root, { '/opt/kaspersky/kesl/.keep': '' }),
  );
  dpkg('only a shared vendor folder (/opt/kaspersky/other)', [], (b) =>
    writeIntoRoot(b.root, { '/opt/kaspersky/other/file': 'x\n', '/var/opt/kaspersky/kesl/state': 'x\n' }),
  );
  dpkg('a kesl unit file left behind', [], (b) =>
    writeIntoRoot(b.root, { '/lib/systemd/system/kesl.service': '[Unit]\n' }),
  );
  rpm('Kaspersky products, look-alikes and ordinary packages', [...kasperskyFixtures, ...innocent]);
  rpm('look-alikes and ordinary packages only', innocent);
  rpm('a vendor package the catalog does not name', [vendorUnknown]);

  const results: { name: string; scan: number; passes: boolean }[] = [];
  beforeAll(async () => {
    ensureBuiltCli();
    for (const bed of beds) {
      const { rows, root } = bed.make();
      results.push({ name: bed.name, scan: scanExit(root, 'linux'), passes: await policyOn('linux', rows) });
    }
  }, 600_000);

  it('agrees on every bed, and the beds cover both answers', () => {
    for (const r of results) expect(r.passes, `${r.name}: scan exit ${r.scan}`).toBe(r.scan === 0);
    expect(results.filter((r) => r.scan === 10).length).toBeGreaterThanOrEqual(4);
    expect(results.filter((r) => r.scan === 0).length).toBeGreaterThanOrEqual(4);
  });
});

const macSkip = pythonAvailable() ? false : 'python3 is not installed (it writes the beds’ binary plists)';

describe.skipIf(macSkip !== false && !process.env.CI)(
  'macOS beds: the policy fails exactly when divest scan exits 10',
  () => {
    const specs: [string, MacosBedSpec][] = [
      ['Kaspersky Endpoint Security for Mac', KASPERSKY_KES_MAC],
      ['ordinary software and look-alikes', ORDINARY_MAC],
      ['KES and ordinary software', mergeSpecs(KASPERSKY_KES_MAC, ORDINARY_MAC)],
      ['a legacy Kaspersky kext only', KASPERSKY_LEGACY_KEXT],
      [
        'receipts and launchd jobs left behind',
        { receipts: KASPERSKY_KES_MAC.receipts, launchd: KASPERSKY_KES_MAC.launchd },
      ],
      ['the support folder only', { dirs: KASPERSKY_KES_MAC.dirs, files: KASPERSKY_KES_MAC.files }],
      ['the system extension only', { systemExtensions: KASPERSKY_KES_MAC.systemExtensions }],
      [
        'an unknown com.kaspersky. app',
        {
          apps: [
            {
              path: '/Applications/Kaspersky Something.app',
              format: 'xml',
              info: { CFBundleIdentifier: 'com.kaspersky.something', CFBundleName: 'Something' },
            },
          ],
        },
      ],
    ];
    const results: { name: string; scan: number; passes: boolean }[] = [];
    beforeAll(async () => {
      ensureBuiltCli();
      for (const [name, spec] of specs) {
        const bed = makeMacosRoot(spec);
        cleanups.push(() => bed.cleanup());
        results.push({
          name,
          scan: scanExit(bed.root, 'macos'),
          passes: await policyOn('darwin', macosBedRows(bed.root)),
        });
      }
    }, 300_000);

    it('agrees on every bed, and the beds cover both answers', () => {
      for (const r of results) expect(r.passes, `${r.name}: scan exit ${r.scan}`).toBe(r.scan === 0);
      expect(results.filter((r) => r.scan === 10).length).toBeGreaterThanOrEqual(3);
      expect(results.filter((r) => r.scan === 0).length).toBeGreaterThanOrEqual(2);
    });
  },
);

describe('Windows fixtures: the policy fails exactly when the scan of the same inventory exits 10', () => {
  const all = windowsInventory();
  const byKind = (...kinds: InventoryItem['kind'][]): InventoryItem[] =>
    all.filter((i) => kinds.includes(i.kind));
  const named = (...names: string[]): InventoryItem[] =>
    all.filter((i) => 'name' in i && typeof i.name === 'string' && names.includes(i.name));
  const uninstall = (
    pred: (u: Extract<InventoryItem, { kind: 'registry-uninstall' }>) => boolean,
  ): InventoryItem[] => all.filter((i) => i.kind === 'registry-uninstall' && pred(i));
  const entry = (displayName: string, publisher?: string, keyName = 'X'): InventoryItem => ({
    kind: 'registry-uninstall',
    location: `HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\${keyName}`,
    hive: 'HKLM',
    view: '64',
    keyName,
    displayName,
    ...(publisher ? { publisher } : {}),
  });
  const center = (displayName: string): InventoryItem => ({
    kind: 'security-center',
    location: 'root\\SecurityCenter2:AntiVirusProduct',
    displayName,
  });
  const kesDir = 'C:\\Program Files (x86)\\Kaspersky Lab\\KES.12.1.0';
  const hit = (pattern: string, location: string, isDirectory: boolean, empty = false): PathHit => ({
    pattern,
    entry: { kind: 'file', location, isDirectory, ...(isDirectory ? { empty } : {}) },
  });
  const cases: { name: string; items: InventoryItem[]; hits?: PathHit[]; files?: Rows['file'] }[] = [
    { name: 'the whole client (removal.ts)', items: all },
    { name: 'Uninstall entries only', items: byKind('registry-uninstall') },
    { name: 'services and drivers only', items: byKind('service', 'driver') },
    { name: 'the klif driver only', items: named('klif') },
    {
      name: 'the AVP21.2 service with its vendor key',
      items: [...named('AVP21.2'), ...byKind('vendor-key')],
    },
    { name: 'vendor keys only (traces)', items: byKind('vendor-key') },
    { name: 'ordinary services (Tcpip, klvssbrige64)', items: named('Tcpip', 'klvssbrige64') },
    {
      name: 'look-alike programs (K-Lite, Fan Club with a KES name)',
      items: uninstall((u) => !/^(AO )?Kaspersky$/.test(u.publisher ?? '')),
    },
    { name: 'UltraAV (review, not banned)', items: uninstall((u) => u.publisher === 'UltraAV') },
    {
      name: 'a KES name without a Publisher',
      items: [entry('Kaspersky Endpoint Security 11.6 for Windows')],
    },
    {
      name: 'a Russian Network Agent name without a Publisher',
      items: [entry('АГЕНТ АДМИНИСТРИРОВАНИЯ Kaspersky Security Center 14')],
    },
    {
      name: 'an unknown product by Kaspersky (fallback)',
      items: [entry('Kaspersky Rescue Disk Creator', 'AO Kaspersky Lab')],
    },
    { name: 'a Pango-published unknown program', items: [entry('Pango Helper', 'Pango Inc.')] },
    { name: 'an UltraAV name without a Publisher', items: [entry('UltraAV 1.2')] },
    {
      name: 'a Pango-published program whose product code is in Kaspersky’s vendor key',
      items: [
        entry('Helper', 'Pango Inc.', '{63129F5E-8EC5-41BA-A4CF-47966CE84953}'),
        ...byKind('vendor-key'),
      ],
    },
    { name: 'Security Center: Kaspersky Free', items: [center('Kaspersky Free')] },
    { name: 'Security Center: UltraAV', items: [center('UltraAV')] },
    { name: 'Security Center: Windows Defender', items: [center('Windows Defender')] },
    {
      name: 'a KES folder with files under Program Files (x86)',
      items: [],
      hits: [hit('%ProgramFiles(x86)%\\Kaspersky Lab\\KES.*', kesDir, true)],
      files: [{ path: `${kesDir}\\avp.exe`, directory: kesDir, filename: 'avp.exe', type: 'regular' }],
    },
    {
      name: 'an empty KES folder left behind',
      items: [],
      hits: [hit('%ProgramFiles(x86)%\\Kaspersky Lab\\KES.*', kesDir, true, true)],
      files: [
        {
          path: kesDir,
          directory: 'C:\\Program Files (x86)\\Kaspersky Lab',
          filename: 'KES.12.1.0',
          type: 'directory',
        },
      ],
    },
    {
      name: 'the shared Kaspersky Lab folder only (traces)',
      items: [],
      hits: [hit('%ProgramData%\\Kaspersky Lab', 'C:\\ProgramData\\Kaspersky Lab', true)],
      files: [
        {
          path: 'C:\\ProgramData\\Kaspersky Lab\\x.dat',
          directory: 'C:\\ProgramData\\Kaspersky Lab',
          filename: 'x.dat',
          type: 'regular',
        },
      ],
    },
  ];

  for (const c of cases)
    it(c.name, async () => {
      const scan = matcherExit('windows', c.items, c.hits);
      const passes = await policyOn('windows', windowsRows(c.items, c.files ?? []));
      expect(passes, `scan exit ${scan}`).toBe(scan === 0);
    });

  it('the cases cover both answers', () => {
    const exits = cases.map((c) => matcherExit('windows', c.items, c.hits));
    expect(exits.filter((e) => e === 10).length).toBeGreaterThanOrEqual(8);
    expect(exits.filter((e) => e === 0).length).toBeGreaterThanOrEqual(8);
  });
});

describe('running processes (inventory fixtures): the policy follows the scan', () => {
  const proc = (name: string, executable: string | undefined, pid = 4242): InventoryItem => ({
    kind: 'process',
    location: `/proc/${pid}`,
    name,
    pid,
    ...(executable ? { executable } : {}),
  });
  // [os, platform, process name, its program, the scan's exit code]
  const cases: [HostOs, 'linux' | 'darwin', string, string | undefined, 0 | 10][] = [
    ['linux', 'linux', 'klserver', '/opt/kaspersky/ksc64/sbin/klserver', 10],
    ['linux', 'linux', 'klserver', '/tmp/klserver', 0], // anyone can name a program so
    ['linux', 'linux', 'klserver', '/usr/bin/python3', 0], // or rename a process (PR_SET_NAME)
    ['linux', 'linux', 'klserver', undefined, 0],
    ['linux', 'linux', 'klavaro', '/usr/bin/klavaro', 0],
    ['macos', 'darwin', 'kav', '/Library/Application Support/Kaspersky Lab/KAV/Binaries/kav', 10],
    ['macos', 'darwin', 'kav', '/Users/eve/kav', 0],
    [
      'macos',
      'darwin',
      'klnagent',
      '/Library/Application Support/Kaspersky Lab/klnagent/Binaries/klnagent',
      10,
    ],
    ['macos', 'darwin', 'kavorka', '/Applications/Kavorka.app/Contents/MacOS/kavorka', 0],
  ];
  for (const [os, platform, name, exe, expected] of cases)
    it(`${os}: process ${name} running ${exe ?? '(program not readable)'}`, async () => {
      const items = [proc(name, exe)];
      const scan = matcherExit(os, items);
      expect(scan).toBe(expected);
      expect(await policyOn(platform, { processes: processRows(items) })).toBe(scan === 0);
    });
});
