/**
 * The Linux scan tier: the BUILT CLI (`out/cli/divest.cjs`) scans real dpkg and rpm roots made by
 * the real package tools (test/beds/linux.ts) through `--host-root`, and its output is held to the
 * `divest.scan/1` contract (core/scan/result.ts) and the exit codes of docs/ARCHITECTURE.md.
 *
 * `DIVEST_TEST_CATALOG=FILE` runs every scan with `--catalog FILE` instead of the built-in catalog.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Finding, ScanResult as ScanResultType } from '../../core/model/scan';
import { ScanResult } from '../../core/model/scan';
import type { Bed, FixturePackage } from '../beds/linux';
import {
  ensureBuiltCli,
  bedFixtures,
  buildFixtureDebs,
  buildFixtureRpms,
  installDebs,
  installRpms,
  kasperskyFixtures,
  lookAlikeFixtures,
  makeDpkgRoot,
  makeRpmRoot,
  ordinaryFixtures,
  skipReason,
  tempDir,
  writeIntoRoot,
} from '../beds/linux';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(repo, 'out/cli/divest.cjs');

const KESL = 'kaspersky-endpoint-security-linux';
const AGENT = 'kaspersky-network-agent';
const KAV4FS = 'kaspersky-anti-virus-linux-file-server';

const skip = skipReason(['dpkg', 'dpkg-deb', 'dpkg-query', 'rpm', 'rpmbuild']);

interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

function divest(args: readonly string[]): CliRun {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const cleanups: Bed[] = [];

/** A fresh data dir for one CLI run (cleaned up with the rest). */
function dataDir(): string {
  const d = tempDir('scan-data');
  cleanups.push(d);
  return d.root;
}

const catalogArgs = process.env.DIVEST_TEST_CATALOG ? ['--catalog', process.env.DIVEST_TEST_CATALOG] : [];

function scanArgs(root: string, json: boolean): string[] {
  return [
    'scan',
    ...(json ? ['--json'] : []),
    '--host-root',
    root,
    '--host-os',
    'linux',
    '--data-dir',
    dataDir(),
    ...catalogArgs,
  ];
}

/** Runs `divest scan --json` on `root` and validates the output against `divest.scan/1`. */
function scanJson(root: string): { run: CliRun; result: ScanResultType } {
  const run = divest(scanArgs(root, true));
  let raw: unknown;
  try {
    raw = JSON.parse(run.stdout);
  } catch {
    throw new Error(
      `scan --json did not print JSON (exit ${String(run.status)}):\n${run.stdout}\n${run.stderr}`,
    );
  }
  const parsed = ScanResult.safeParse(raw);
  if (!parsed.success) throw new Error(`scan --json does not match divest.scan/1: ${parsed.error.message}`);
  return { run, result: parsed.data };
}

function evidenceText(f: Finding): string {
  return f.evidence.map((e) => `${e.kind} ${e.location} ${e.detail}`).join('\n');
}

function byProduct(result: ScanResultType, productId: string): Finding {
  const found = result.findings.filter((f) => f.productId === productId);
  expect(found, `exactly one finding for ${productId}`).toHaveLength(1);
  const [f] = found;
  if (!f) throw new Error(`no finding for ${productId}`);
  return f;
}

/** What a correct scan of the full bed must say about each Kaspersky product. */
const expectations: { productId: string; fixtures: FixturePackage[]; folder: string; unit?: string }[] = [
  {
    productId: KESL,
    fixtures: [bedFixtures.kesl, bedFixtures.keslGui],
    folder: '/opt/kaspersky/kesl',
    unit: 'kesl.service',
  },
  {
    productId: AGENT,
    fixtures: [bedFixtures.klnagent64],
    folder: '/opt/kaspersky/klnagent64',
    unit: 'klnagent64.service',
  },
  // kav4fs ships a SysV init script whose name is unconfirmed: its service evidence is not required.
  { productId: KAV4FS, fixtures: [bedFixtures.kav4fs], folder: '/opt/kaspersky/kav4fs' },
];

/** Names of packages that must never appear in any finding. */
const innocent = [...lookAlikeFixtures, ...ordinaryFixtures].map((f) => f.name);

describe.skipIf(skip !== false)('Linux scan tier (built CLI on real dpkg and rpm roots)', () => {
  const roots: Record<'dpkg' | 'rpm' | 'dpkgClean' | 'rpmClean' | 'manual', string> = {
    dpkg: '',
    rpm: '',
    dpkgClean: '',
    rpmClean: '',
    manual: '',
  };

  beforeAll(() => {
    ensureBuiltCli();
    const pkgs = tempDir('scan-pkgs');
    cleanups.push(pkgs);
    const all = [...kasperskyFixtures, ...lookAlikeFixtures, ...ordinaryFixtures];
    const debs = buildFixtureDebs(all, path.join(pkgs.root, 'deb'));
    const rpms = buildFixtureRpms(all, path.join(pkgs.root, 'rpm'));
    const cleanDebs = debs.filter((d) => innocent.some((n) => path.basename(d).startsWith(`${n}_`)));
    const cleanRpms = rpms.filter((r) => innocent.some((n) => path.basename(r).startsWith(`${n}-`)));
    expect(cleanDebs).toHaveLength(innocent.length);
    expect(cleanRpms).toHaveLength(innocent.length);

    const dpkg = makeDpkgRoot();
    const dpkgClean = makeDpkgRoot();
    const rpm = makeRpmRoot();
    const rpmClean = makeRpmRoot();
    const manual = makeDpkgRoot();
    cleanups.push(dpkg, dpkgClean, rpm, rpmClean, manual);
    installDebs(dpkg.root, debs);
    installDebs(dpkgClean.root, cleanDebs);
    installRpms(rpm, rpms);
    installRpms(rpmClean, cleanRpms);
    // A manual install: the files are there, no package database knows them.
    writeIntoRoot(manual.root, {
      '/opt/kaspersky/kesl/bin/kesl-control': '#!/bin/sh\necho kesl-control\n',
      '/opt/kaspersky/kesl/shared/version': '12.1.0.1234\n',
    });
    Object.assign(roots, {
      dpkg: dpkg.root,
      rpm: rpm.root,
      dpkgClean: dpkgClean.root,
      rpmClean: rpmClean.root,
      manual: manual.root,
    });
  });

  afterAll(() => {
    for (const c of cleanups) c.cleanup();
  });

  for (const manager of ['dpkg', 'rpm'] as const) {
    describe(`${manager} root`, () => {
      let scan: { run: CliRun; result: ScanResultType };
      const db = manager === 'dpkg' ? /var\/lib\/dpkg|dpkg/ : /var\/lib\/rpm|sysimage\/rpm|rpm/;

      beforeAll(() => {
        scan = scanJson(roots[manager]);
      });

      it('exits 10 and prints valid divest.scan/1 for a Linux host root', () => {
        expect(scan.run.status, scan.run.stderr).toBe(10);
        expect(scan.result.host.os).toBe('linux');
        expect(scan.result.hostRoot).toBeDefined();
        expect(realpathSync(scan.result.hostRoot ?? '')).toBe(realpathSync(roots[manager]));
      });

      it('reports exactly the three Kaspersky products, and nothing else', () => {
        expect(scan.result.findings.map((f) => f.productId).sort()).toEqual([AGENT, KAV4FS, KESL].sort());
      });

      for (const exp of expectations) {
        it(`${exp.productId}: banned, installed, versioned, with package, file and service evidence`, () => {
          const f = byProduct(scan.result, exp.productId);
          expect(f.status).toBe('banned');
          expect(f.presence).toBe('installed');
          expect(f.directives.length).toBeGreaterThan(0);
          expect(f.version).toContain(exp.fixtures[0]?.version ?? '?');
          expect(f.vendor).toMatch(/kaspersky/i);

          const pkgEvidence = f.evidence.filter((e) => e.kind === 'package');
          expect(pkgEvidence.length).toBe(exp.fixtures.length);
          for (const e of pkgEvidence) expect(e.location).toMatch(db);
          for (const fx of exp.fixtures) {
            const named = pkgEvidence.filter((e) =>
              new RegExp(`(^|[^a-z0-9-])${fx.name}([^a-z0-9-]|$)`).test(`${e.location} ${e.detail}`),
            );
            expect(named.length, `package evidence for ${fx.name}:\n${evidenceText(f)}`).toBeGreaterThan(0);
            expect(f.removalHints.packages).toContainEqual({ manager, name: fx.name, installed: true });
          }

          const files = f.evidence.filter((e) => e.kind === 'file');
          expect(
            files.some((e) => e.location.includes(exp.folder)),
            `file evidence under ${exp.folder}:\n${evidenceText(f)}`,
          ).toBe(true);

          if (exp.unit) {
            const unit = exp.unit;
            const services = f.evidence.filter((e) => e.kind === 'service');
            expect(
              services.some((e) => e.location.endsWith(unit)),
              `service evidence ${unit}:\n${evidenceText(f)}`,
            ).toBe(true);
          }
        });
      }

      it('leaves look-alikes (klavaro, kasumi, klibc-utils, kaspa-cli, kasperskyfan-tools) and ordinary packages alone', () => {
        const all = JSON.stringify(scan.result.findings);
        for (const name of innocent) expect(all, name).not.toContain(name);
      });

      it('names each product and its version in the human table', () => {
        const run = divest(scanArgs(roots[manager], false));
        expect(run.status, run.stderr).toBe(10);
        expect(run.stdout).toMatch(/Endpoint Security/i);
        expect(run.stdout).toMatch(/Network Agent/i);
        expect(run.stdout).toMatch(/File Server/i);
        for (const v of ['12.1.0', '14.2.0', '8.0.4']) expect(run.stdout).toContain(v);
        expect(() => JSON.parse(run.stdout) as unknown).toThrow();
      });

      it('a clean root (look-alikes and ordinary packages only) exits 0 with no findings', () => {
        const clean = scanJson(manager === 'dpkg' ? roots.dpkgClean : roots.rpmClean);
        expect(clean.run.status, clean.run.stderr).toBe(0);
        expect(clean.result.findings).toEqual([]);
      });
    });
  }

  it('a manual install (files under /opt/kaspersky/kesl, no package) is never reported absent', () => {
    const { run, result } = scanJson(roots.manual);
    expect([1, 2]).not.toContain(run.status);
    const withFiles = result.findings.filter((f) =>
      f.evidence.some((e) => e.kind === 'file' && e.location.includes('/opt/kaspersky')),
    );
    expect(withFiles.length, JSON.stringify(result.findings, null, 2)).toBeGreaterThan(0);
  });

  it('--host-root on a missing folder fails with a clear message', () => {
    const parent = tempDir('gone');
    cleanups.push(parent);
    const missing = path.join(parent.root, 'no-such-root');
    const run = divest(scanArgs(missing, true));
    expect([1, 2]).toContain(run.status);
    expect(run.stderr).toContain(missing);
    expect(run.stderr.toLowerCase()).toMatch(/host-root|not found|does not exist|no such|missing/);
  });
});
