/**
 * The macOS scan tier: the BUILT CLI (`out/cli/divest.cjs`) scans test beds laid out like a Mac
 * (test/beds/macos.ts, plists written by Python's plistlib) through `--host-root DIR --host-os macos`,
 * and its output is held to the `divest.scan/1` contract (core/scan/result.ts) and the exit codes of
 * docs/ARCHITECTURE.md: Kaspersky Endpoint Security for Mac is found by its app bundle, receipts,
 * launchd jobs and system extension; look-alikes (Kaspa Wallet, Kasper, Klack, Apple's XProtect)
 * never are.
 *
 * `DIVEST_TEST_CATALOG=FILE` runs every scan with `--catalog FILE` instead of the built-in catalog.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanResult as ScanResultType } from '../../core/model/scan';
import { ScanResult } from '../../core/model/scan';
import {
  KASPERSKY_KES_MAC,
  KASPERSKY_TEAM_ID,
  makeMacosRoot,
  mergeSpecs,
  ORDINARY_MAC,
  pythonAvailable,
} from '../beds/macos';
import type { MacosBed } from '../beds/macos';
import { ensureBuiltCli } from '../beds/linux';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(repo, 'out/cli/divest.cjs');

const KES_MAC = 'kaspersky-endpoint-security-mac';
const KES_APP = '/Applications/Kaspersky Endpoint Security for Mac.app';
const KES_SYSEXT =
  '/Library/SystemExtensions/6F1C0A2E-3B4D-4E5F-8A9B-0C1D2E3F4A5B/com.kaspersky.kav.sysext.systemextension';

/** Every place in the Kaspersky bed where Kaspersky really is: evidence may point only here. */
const KASPERSKY_LOCATIONS = [
  KES_APP,
  '/var/db/receipts/com.kaspersky.kav.core.plist',
  '/var/db/receipts/com.kaspersky.kav.oas.plist',
  '/Library/LaunchDaemons/com.kaspersky.kav.plist',
  '/Library/LaunchAgents/com.kaspersky.kav.gui.plist',
  KES_SYSEXT,
];
const KASPERSKY_PREFIX = '/Library/Application Support/Kaspersky Lab';

/** Where the look-alikes and ordinary software of the bed live: never evidence. */
const LOOK_ALIKE_MARKERS = [
  'Kaspa',
  'Kasper.app',
  'kaspad',
  'Klack',
  'Safari',
  'XProtect',
  'SoftRAID',
  'Disk Inventory',
  'example',
];

const PYTHON = pythonAvailable();
if (!PYTHON) {
  if (process.env.CI) throw new Error('python3 (plistlib) is needed to build macOS test beds');
  console.warn('macOS tier: python3 not found; skipped');
}

const temps: string[] = [];
const beds: MacosBed[] = [];

afterAll(() => {
  for (const b of beds) b.cleanup();
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

/** `divest scan --json` of a bed, with its own data dir; the output is checked against the schema. */
function scan(bed: MacosBed): { status: number | null; result: ScanResultType; stderr: string } {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'divest-mac-data-'));
  temps.push(dataDir);
  const args = ['scan', '--json', '--host-root', bed.root, '--host-os', 'macos', '--data-dir', dataDir];
  if (process.env.DIVEST_TEST_CATALOG) args.push('--catalog', process.env.DIVEST_TEST_CATALOG);
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  let json: unknown;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    throw new Error(`divest scan did not print JSON (exit ${String(r.status)}):\n${r.stdout}\n${r.stderr}`);
  }
  const parsed = ScanResult.safeParse(json);
  if (!parsed.success) throw new Error(`divest.scan/1 contract broken: ${parsed.error.message}\n${r.stdout}`);
  return { status: r.status, result: parsed.data, stderr: r.stderr };
}

describe.skipIf(!PYTHON)('macOS tier: divest scan --host-os macos on test beds', () => {
  let kaspersky: ReturnType<typeof scan>;
  let clean: ReturnType<typeof scan>;
  let kasperskyBed: MacosBed;

  beforeAll(() => {
    ensureBuiltCli();
    kasperskyBed = makeMacosRoot(mergeSpecs(KASPERSKY_KES_MAC, ORDINARY_MAC));
    const cleanBed = makeMacosRoot(ORDINARY_MAC);
    beds.push(kasperskyBed, cleanBed);
    kaspersky = scan(kasperskyBed);
    clean = scan(cleanBed);
  });

  it('finds Kaspersky Endpoint Security for Mac and exits 10', () => {
    expect(kaspersky.status).toBe(10);
    expect(kaspersky.result.host.os).toBe('macos');
    const kes = kaspersky.result.findings.find((f) => f.productId === KES_MAC);
    expect(
      kes,
      `no ${KES_MAC} finding in ${JSON.stringify(kaspersky.result.findings, null, 2)}`,
    ).toBeDefined();
    if (!kes) return;
    expect(kes.status).toBe('banned');
    expect(kes.presence).toBe('installed');
    expect(kes.name).toBe('Kaspersky Endpoint Security for Mac');
    expect(kes.version).toBe('12.1.0.553');
    expect(kes.directives.length).toBeGreaterThan(0);
  });

  it('backs the finding with app bundle, receipt, launchd and system extension evidence', () => {
    const kes = kaspersky.result.findings.find((f) => f.productId === KES_MAC);
    const evidence = kes?.evidence ?? [];
    const kinds = new Set(evidence.map((e) => e.kind));
    const holder = (kind: string): string =>
      kaspersky.result.findings
        .filter((f) => f.evidence.some((e) => e.kind === kind))
        .map((f) => f.productId)
        .join(', ') || 'no finding';
    for (const kind of ['app-bundle', 'pkg-receipt', 'launchd', 'system-extension'] as const) {
      expect(kinds.has(kind), `${kind} evidence is not in ${KES_MAC} (it is in: ${holder(kind)})`).toBe(true);
    }
    const at = (kind: string): string[] => evidence.filter((e) => e.kind === kind).map((e) => e.location);
    expect(at('app-bundle')).toContain(KES_APP);
    expect(at('pkg-receipt')).toContain('/var/db/receipts/com.kaspersky.kav.core.plist');
    expect(at('launchd')).toContain('/Library/LaunchDaemons/com.kaspersky.kav.plist');
    expect(at('system-extension')).toContain(KES_SYSEXT);
    const sysext = evidence.find((e) => e.kind === 'system-extension');
    expect(sysext?.detail).toContain(KASPERSKY_TEAM_ID);
  });

  it('flags no look-alike, and points only at the Mac’s own paths', () => {
    for (const f of kaspersky.result.findings) {
      // The contract's example shows the vendor's name ("Kaspersky"); the scanner may give its id.
      expect(f.vendor).toMatch(/^kaspersky$/i);
      for (const e of f.evidence) {
        expect(e.location.startsWith(kasperskyBed.root)).toBe(false);
        const known = KASPERSKY_LOCATIONS.includes(e.location) || e.location.startsWith(KASPERSKY_PREFIX);
        expect(known, `unexpected evidence ${JSON.stringify(e)} in ${f.productId}`).toBe(true);
        for (const marker of LOOK_ALIKE_MARKERS) expect(e.location).not.toContain(marker);
      }
    }
  });

  it('reads the bed without starting processes', () => {
    expect(kaspersky.result.spawns).toBe(0);
    expect(clean.result.spawns).toBe(0);
  });

  it('finds nothing on a Mac with only ordinary software and look-alikes, and exits 0', () => {
    expect(clean.result.findings).toEqual([]);
    expect(clean.status).toBe(0);
  });
});
