/**
 * The Linux removal tier (issue 3): the BUILT CLI (`out/cli/divest.cjs`) removes Kaspersky
 * packages from real dpkg and rpm roots (test/beds/linux.ts) with `--host-root`, and the tests look
 * at the package databases and the files afterwards, not only at what the CLI says. Receipts and
 * the journal are checked through the CLI too (export, verify, tampering).
 *
 * Failures, time-outs, a kill in the middle of a plan, usage and rights: remove-failures.test.ts.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import {
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import * as z from 'zod';
import { Finding, ScanResult } from '../../core/model/scan';
import { Leftover } from '../../core/model/verify';
import { ReplacementStatus } from '../../core/model/verify';
import { Receipt, UnsignedReceipt } from '../../core/model/receipt';
import { loadOrCreateSigningKey } from '../../core/receipt/keys';
import { serializeReceipt, signReceipt } from '../../core/receipt/sign';
import { SIGNATURE_MISMATCH } from '../../core/receipt/verify';
import type { Bed, CliRun, FixturePackage, RpmBed } from '../beds/linux';
import {
  activateClamav,
  bedFixtures,
  buildDeb,
  buildFixtureDebs,
  debSpecOf,
  dpkgListFiles,
  dpkgQuery,
  ensureBuiltCli,
  installDebs,
  kasperskyFixtures,
  lookAlikeFixtures,
  makeDpkgRoot,
  makeRpmBed,
  ordinaryFixtures,
  rpmListFiles,
  rpmQuery,
  runCli,
  skipReason,
  tempDir,
  withDebScripts,
  writeIntoRoot,
} from '../beds/linux';

/** The beds have no shell: their packages' scripts run on this machine (dpkg --force-script-chrootless), as built. */
const IMAGE_SCRIPTS = '--run-image-scripts-on-this-machine';

const KESL = 'kaspersky-endpoint-security-linux';
const AGENT = 'kaspersky-network-agent';
const KAV4FS = 'kaspersky-anti-virus-linux-file-server';

const skip = skipReason(['dpkg', 'dpkg-deb', 'dpkg-query', 'rpm', 'rpmbuild']);

const kasperskyNames = kasperskyFixtures.map((f) => f.name);
const innocentFixtures = [...lookAlikeFixtures, ...ordinaryFixtures];

/** `divest remove --json` output (cli/remove-command.ts), held to the types the engine uses. */
const RemoveReport = z.object({
  schema: z.literal('divest.remove/2'),
  verdict: z.object({ state: z.string(), headline: z.string() }),
  planId: z.string().regex(/^[0-9a-f]{16}$/),
  status: z.enum(['completed', 'reboot-pending', 'failed', 'cancelled', 'incomplete']),
  resumed: z.boolean(),
  results: z.array(
    z.object({
      stepId: z.string(),
      productId: z.string(),
      title: z.string(),
      method: z.string(),
      argv: z.array(z.string()),
      exitCode: z.number().int().nullable(),
      outcome: z.string(),
      message: z.string(),
    }),
  ),
  remaining: z.array(z.string()),
  after: z.object({
    findings: z.array(Finding),
    leftovers: z.array(Leftover),
    stillInstalled: z.array(z.string()),
  }),
  replacement: ReplacementStatus,
  exitCode: z.number().int(),
});
type RemoveReport = z.infer<typeof RemoveReport>;

function parseJson<T>(schema: z.ZodType<T>, run: CliRun, what: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(run.stdout);
  } catch {
    throw new Error(`${what} did not print JSON (exit ${String(run.status)}):\n${run.stdout}\n${run.stderr}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new Error(`${what}: unexpected JSON: ${parsed.error.message}\n${run.stdout}`);
  return parsed.data;
}

const cleanups: Bed[] = [];
function scratch(prefix: string): string {
  const d = tempDir(prefix);
  cleanups.push(d);
  return d.root;
}

/** Every path under `root` (not following links), relative, with a leading `/`. */
function tree(root: string, skipDirs: readonly string[] = ['/var/lib/dpkg', '/var/lib/rpm']): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of readdirSync(path.join(root, rel))) {
      const r = `${rel}/${e}`;
      if (skipDirs.includes(r)) continue;
      out.push(r);
      if (lstatSync(path.join(root, r)).isDirectory()) walk(r);
    }
  };
  walk('');
  return out.sort();
}

/** Paths in `root` that belong to Kaspersky (the look-alike kasperskyfan-tools aside). */
function kasperskyPaths(root: string): string[] {
  return tree(root).filter(
    (p) => /kaspersky|kesl|klnagent|kav4fs/.test(p) && !p.includes('kasperskyfan-tools'),
  );
}

/** The regular files (and symlinks) a package database lists for a package, as found on disk. */
function ownedFiles(root: string, listed: readonly string[]): string[] {
  return listed.filter((p) => {
    try {
      return !lstatSync(path.join(root, p)).isDirectory();
    } catch {
      return false;
    }
  });
}

function hostArgs(root: string, data: string): string[] {
  return ['--host-root', root, '--host-os', 'linux', '--data-dir', data];
}

function removeJson(
  root: string,
  data: string,
  extra: readonly string[] = [],
): { run: CliRun; report: RemoveReport } {
  const run = runCli(['remove', '--yes', IMAGE_SCRIPTS, '--json', ...extra, ...hostArgs(root, data)]);
  return { run, report: parseJson(RemoveReport, run, 'remove --json') };
}

describe.skipIf(skip !== false)('Linux removal tier (built CLI on real dpkg and rpm roots)', () => {
  /** Each stock fixture's .deb, built once for the file (variants are built when used). */
  const debs = new Map<FixturePackage, string>();

  beforeAll(() => {
    ensureBuiltCli();
    const dir = scratch('remove-debs');
    const all = [...kasperskyFixtures, ...innocentFixtures];
    buildFixtureDebs(all, dir).forEach((deb, i) => debs.set(all[i]!, deb));
  });

  afterAll(() => {
    for (const c of cleanups) c.cleanup();
  });

  /** A fresh dpkg root with these fixtures installed. */
  function dpkgBed(fixtures: readonly FixturePackage[]): string {
    const bed = makeDpkgRoot();
    cleanups.push(bed);
    const files = fixtures.map((f) => debs.get(f) ?? buildDeb(debSpecOf(f), scratch('deb')));
    installDebs(bed.root, files);
    return bed.root;
  }

  describe('dpkg root: kesl, kesl-gui, klnagent64, kav4fs, look-alikes and ordinary packages', () => {
    let root = '';
    let data = '';
    let run: CliRun;
    let report: RemoveReport;
    const owned = new Map<string, string[]>();

    beforeAll(() => {
      root = dpkgBed([...kasperskyFixtures, ...innocentFixtures]);
      activateClamav(root);
      data = scratch('remove-data');
      for (const f of [...kasperskyFixtures, ...innocentFixtures])
        owned.set(f.name, ownedFiles(root, dpkgListFiles(root, f.name)));
      for (const f of kasperskyFixtures) expect(owned.get(f.name)!.length, f.name).toBeGreaterThan(0);
      ({ run, report } = removeJson(root, data));
    });

    it('exits 0 and reports each step removed by dpkg (divest.remove/2)', () => {
      expect(run.status, run.stderr).toBe(0);
      expect(report.exitCode).toBe(0);
      expect(report.status).toBe('completed');
      expect(report.resumed).toBe(false);
      expect(report.remaining).toEqual([]);
      expect(report.results.map((r) => r.productId).sort()).toEqual([AGENT, KAV4FS, KESL].sort());
      for (const r of report.results) {
        expect(r.outcome, r.message).toBe('removed');
        expect(r.exitCode).toBe(0);
        expect(r.method).toBe('package');
        expect(path.basename(r.argv[0]!)).toBe('dpkg');
        expect(r.argv).toContain(`--root=${root}`);
        expect(r.argv).toContain('--purge');
      }
      const kesl = report.results.find((r) => r.productId === KESL)!;
      // The catalog says kesl-gui goes before kesl; both in one dpkg run.
      expect(kesl.argv.slice(kesl.argv.indexOf('--purge') + 1)).toEqual(['kesl-gui', 'kesl']);
    });

    it('removes the protection products before Network Agent (klnagent64 last), in the JSON and in dpkg.log', () => {
      expect(report.results.at(-1)?.productId).toBe(AGENT);
      expect(
        report.results
          .slice(0, 2)
          .map((r) => r.productId)
          .sort(),
      ).toEqual([KAV4FS, KESL].sort());
      // dpkg's own log, inside the root: the order things actually happened.
      const log = readFileSync(path.join(root, 'var/log/dpkg.log'), 'utf8').split('\n');
      const gone = (name: string): number =>
        log.findIndex((l) => new RegExp(`\\bstatus not-installed ${name}:`).test(l));
      for (const name of kasperskyNames) expect(gone(name), `${name} in dpkg.log`).toBeGreaterThanOrEqual(0);
      for (const name of ['kesl', 'kesl-gui', 'kav4fs']) expect(gone(name)).toBeLessThan(gone('klnagent64'));
    });

    it('every Kaspersky package is purged from the database (not "rc") and its files are gone', () => {
      const rows = dpkgQuery(root);
      const left = rows.filter((r) => kasperskyNames.includes(r.name) && !/not-installed$/.test(r.status));
      expect(left, JSON.stringify(left)).toEqual([]);
      for (const name of kasperskyNames) {
        for (const p of owned.get(name)!) expect(existsSync(path.join(root, p)), p).toBe(false);
        expect(
          readdirSync(path.join(root, 'var/lib/dpkg/info')).filter(
            (f) => f.startsWith(`${name}.`) || f.startsWith(`${name}:`),
          ),
        ).toEqual([]);
      }
      // Conffiles, postinst-made state and the enabled-unit link went with the purge.
      expect(kasperskyPaths(root)).toEqual([]);
    });

    it('leaves every look-alike and ordinary package installed, with its files', () => {
      const rows = dpkgQuery(root);
      for (const f of innocentFixtures) {
        expect(rows.find((r) => r.name === f.name)?.status, f.name).toBe('install ok installed');
        for (const p of owned.get(f.name)!) expect(existsSync(path.join(root, p)), p).toBe(true);
      }
    });

    it('verifies: no banned product installed after, nothing still installed, the replacement active', () => {
      expect(
        report.after.findings.filter((f) => f.status === 'banned' && f.presence === 'installed'),
      ).toEqual([]);
      expect(report.after.stillInstalled).toEqual([]);
      expect(report.replacement.os).toBe('linux');
      expect(report.replacement.product).toBe('ClamAV');
      // activateClamav gave the bed's "clamav" fresh signatures and an enabled updater.
      expect(report.replacement.state).toBe('active');
      expect(report.verdict.state).toBe('removed');
      expect(report.verdict.headline).toMatch(/^Removed and verified/);
    });

    describe('receipts through the CLI', () => {
      let json = '';
      let html = '';
      let fingerprint = '';
      let text = '';

      beforeAll(() => {
        json = path.join(data, 'out', 'receipt.json');
        html = path.join(data, 'out', 'receipt.html');
        const exp = runCli([
          'receipt',
          'export',
          '--out',
          json,
          '--html',
          html,
          '--operator',
          'Ada Operator',
          '--organisation',
          'Agency of Examples',
          '--data-dir',
          data,
        ]);
        expect(exp.status, exp.stderr).toBe(0);
        fingerprint = /Signing key fingerprint: (SHA256:[0-9a-f]{64})/.exec(exp.stdout)?.[1] ?? '';
        expect(fingerprint, exp.stdout).not.toBe('');
        text = readFileSync(json, 'utf8');
      });

      function verify(file: string, extra: readonly string[] = []): CliRun {
        return runCli(['receipt', 'verify', file, ...extra]);
      }
      function variant(name: string, content: string): string {
        const f = path.join(data, 'out', name);
        writeFileSync(f, content);
        return f;
      }

      it('exports a removal receipt of what was done, signed with the printed fingerprint', () => {
        const r = Receipt.parse(JSON.parse(text));
        expect(r.kind).toBe('removal');
        expect(r.signature.keyFingerprint).toBe(fingerprint);
        expect(r.actions.map((a) => [a.productId, a.outcome])).toEqual(
          report.results.map((x) => [x.productId, 'removed']),
        );
        expect(r.findingsBefore.map((f) => f.productId).sort()).toEqual([AGENT, KAV4FS, KESL].sort());
        expect(r.operator).toEqual({
          name: 'Ada Operator',
          organisation: 'Agency of Examples',
          account: { user: 'root', admin: true },
        });
        expect(r.journal.intact).toBe(true);
      });

      it('verify exits 0, alone and with the right --fingerprint', () => {
        const alone = verify(json);
        expect(alone.status, alone.stdout).toBe(0);
        expect(alone.stdout).toContain('VALID');
        expect(alone.stdout).toContain(fingerprint);
        const pinned = verify(json, ['--fingerprint', fingerprint]);
        expect(pinned.status, pinned.stdout).toBe(0);
      });

      const edits: { what: string; edit: (r: Receipt) => void }[] = [
        {
          what: 'actions[0].outcome',
          edit: (r) => {
            r.actions[0]!.outcome = 'failed';
          },
        },
        {
          what: 'host.hostname',
          edit: (r) => {
            r.host.hostname = `${r.host.hostname}-x`;
          },
        },
        {
          what: 'after.leftovers (one more)',
          edit: (r) => {
            r.after.leftovers.push({
              kind: 'file',
              location: '/opt/kaspersky',
              detail: 'Folder exists',
              howToClear: 'Delete /opt/kaspersky.',
            });
          },
        },
      ];
      for (const { what, edit } of edits) {
        it(`an edit of ${what} exits 1 naming the signature`, () => {
          const r = Receipt.parse(JSON.parse(text));
          edit(r);
          const run = verify(variant(`edit-${what.replace(/\W+/g, '-')}.json`, serializeReceipt(r)));
          expect(run.status, run.stdout).toBe(1);
          expect(run.stdout).toContain('INVALID');
          expect(run.stdout).toContain(SIGNATURE_MISMATCH);
        });
      }

      it('a copy re-signed with another key verifies alone, but not with the original --fingerprint', () => {
        const body = JSON.parse(text) as Record<string, unknown>;
        delete body.signature;
        const forged = UnsignedReceipt.parse(body);
        forged.host.hostname = 'somewhere-else';
        const other = loadOrCreateSigningKey(scratch('other-key'));
        expect(other.fingerprint).not.toBe(fingerprint);
        const file = variant('resigned.json', serializeReceipt(signReceipt(forged, other)));
        const alone = verify(file);
        expect(alone.status, alone.stdout).toBe(0);
        expect(alone.stdout).toContain(other.fingerprint);
        const pinned = verify(file, ['--fingerprint', fingerprint]);
        expect(pinned.status, pinned.stdout).toBe(1);
        expect(pinned.stdout).toMatch(/signed by another key/);
        expect(pinned.stdout).toContain(other.fingerprint);
      });

      it('a truncated file exits 1 saying it is not valid JSON', () => {
        const run = verify(variant('truncated.json', text.slice(0, Math.floor(text.length / 2))));
        expect(run.status, run.stdout).toBe(1);
        expect(run.stdout).toMatch(/not valid JSON/);
      });

      it('a file with schema divest.receipt/9 exits 1 naming the schema', () => {
        const r = JSON.parse(text) as Record<string, unknown>;
        r.schema = 'divest.receipt/9';
        const run = verify(variant('schema9.json', JSON.stringify(r, null, 2)));
        expect(run.status, run.stdout).toBe(1);
        expect(run.stdout).toContain('divest.receipt/9');
        expect(run.stdout).toMatch(/schema/);
      });

      it('the HTML is self-contained (no script, no http(s) assets) and shows the fingerprint and the operator', () => {
        const page = readFileSync(html, 'utf8');
        expect(page).not.toMatch(/<script/i);
        expect(page).not.toMatch(/\b(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?\/\//i);
        expect(page).not.toMatch(/url\(\s*["']?\s*(?:https?:)?\/\//i);
        expect(page).not.toMatch(/@import/i);
        expect(page).not.toMatch(/<(?:img|link|iframe|object|embed)\b/i);
        expect(page).toContain(fingerprint);
        expect(page).toContain('Ada Operator');
        expect(page).toContain('Agency of Examples');
      });
    });

    describe('journal tampering through the CLI', () => {
      let lines: string[] = [];

      beforeAll(() => {
        const text = readFileSync(path.join(data, 'journal.jsonl'), 'utf8');
        lines = text.split('\n').filter((l) => l !== '');
        expect(lines.length).toBeGreaterThanOrEqual(15);
        const ok = runCli(['log', 'verify', '--data-dir', data]);
        expect(ok.status, ok.stdout).toBe(0);
        expect(ok.stdout).toContain('INTACT');
      });

      /** A data dir holding `content` as its journal. */
      function damaged(content: string): string {
        const d = scratch('journal');
        writeFileSync(path.join(d, 'journal.jsonl'), content);
        return d;
      }

      /** After damage: scan still works, records a journal-break, and the damage stays reported. */
      function expectKeepsWorking(d: string, line: number): void {
        const scan = runCli(['scan', '--json', ...hostArgs(root, d)]);
        // The bed is clean after the removal: nothing banned installed.
        expect(scan.status, scan.stderr).toBe(0);
        ScanResult.parse(JSON.parse(scan.stdout));
        const show = runCli(['log', 'show', '--json', '--data-dir', d]);
        expect(show.status, show.stderr).toBe(0);
        const shown = z
          .object({ events: z.array(z.object({ line: z.number(), type: z.string() })) })
          .parse(JSON.parse(show.stdout));
        expect(shown.events.map((e) => e.type)).toContain('journal-break');
        const again = runCli(['log', 'verify', '--data-dir', d]);
        expect(again.status, again.stdout).toBe(1);
        expect(again.stdout).toMatch(new RegExp(`line ${line}\\b[^\\n]*recorded as a journal-break event`));
      }

      it('the last line cut short by 10 bytes: exit 1 naming the last line', () => {
        const d = damaged(`${lines.join('\n')}\n`);
        const file = path.join(d, 'journal.jsonl');
        truncateSync(file, statSync(file).size - 10);
        const run = runCli(['log', 'verify', '--data-dir', d]);
        expect(run.status, run.stdout).toBe(1);
        expect(run.stdout).toContain('BROKEN');
        expect(run.stdout).toMatch(new RegExp(`line ${lines.length}: [^\\n]*cut off`));
        expectKeepsWorking(d, lines.length);
      });

      it("one character changed inside a middle line's data: exit 1 naming that line", () => {
        const at = Math.floor(lines.length / 2); // 0-based; line number at + 1
        const line = lines[at]!;
        const dataStart = line.indexOf('"data":');
        const m = /\d/.exec(line.slice(dataStart));
        expect(dataStart >= 0 && m !== null, line).toBe(true);
        const i = dataStart + m!.index;
        const d0 = Number(line[i]);
        const changed = `${line.slice(0, i)}${d0 === 9 ? 8 : d0 + 1}${line.slice(i + 1)}`;
        JSON.parse(changed); // still valid JSON: only the hash chain can tell
        const copy = [...lines];
        copy[at] = changed;
        const d = damaged(`${copy.join('\n')}\n`);
        const run = runCli(['log', 'verify', '--data-dir', d]);
        expect(run.status, run.stdout).toBe(1);
        expect(run.stdout).toMatch(new RegExp(`line ${at + 1}: line ${at + 1} was changed`));
        expectKeepsWorking(d, at + 1);
      });

      it('a line deleted: exit 1 naming the position', () => {
        const at = Math.floor(lines.length / 2);
        const copy = lines.filter((_, i) => i !== at);
        const d = damaged(`${copy.join('\n')}\n`);
        const run = runCli(['log', 'verify', '--data-dir', d]);
        expect(run.status, run.stdout).toBe(1);
        expect(run.stdout).toMatch(
          new RegExp(`line ${at + 1}: 1 event missing between line ${at} and line ${at + 1}`),
        );
        expectKeepsWorking(d, at + 1);
      });
    });
  });

  describe('rpm root: the same products, look-alikes and ordinary packages', () => {
    let bed: RpmBed;
    let run: CliRun;
    let report: RemoveReport;
    const owned = new Map<string, string[]>();

    beforeAll(() => {
      bed = makeRpmBed([...kasperskyFixtures, ...innocentFixtures]);
      cleanups.push(bed);
      for (const f of [...kasperskyFixtures, ...innocentFixtures])
        owned.set(f.name, ownedFiles(bed.root, rpmListFiles(bed, f.name)));
      ({ run, report } = removeJson(bed.root, scratch('remove-data')));
    });

    it('runs rpm -e for each product, protection products first, Network Agent last', () => {
      expect(report.results.map((r) => r.outcome)).toEqual(['removed', 'removed', 'removed']);
      expect(report.results.at(-1)?.productId).toBe(AGENT);
      for (const r of report.results) {
        expect(path.basename(r.argv[0]!)).toBe('rpm');
        expect(r.argv.slice(1, 5)).toEqual(['--root', bed.root, '--dbpath', bed.dbpath]);
        expect(r.argv).toContain('-e');
        expect(r.exitCode).toBe(0);
      }
    });

    it('every Kaspersky package is gone from the rpm database, with its files; the others stay', () => {
      const names = rpmQuery(bed).map((r) => r.name);
      for (const n of kasperskyNames) expect(names).not.toContain(n);
      for (const n of kasperskyNames)
        for (const p of owned.get(n)!) expect(existsSync(path.join(bed.root, p)), p).toBe(false);
      for (const f of innocentFixtures) {
        expect(names).toContain(f.name);
        for (const p of owned.get(f.name)!) expect(existsSync(path.join(bed.root, p)), p).toBe(true);
      }
      // rpm leaves the folders it does not own (/opt/kaspersky...), empty: no file of Kaspersky's remains.
      const files = kasperskyPaths(bed.root).filter((p) => !lstatSync(path.join(bed.root, p)).isDirectory());
      expect(files).toEqual([]);
    });

    it('exits 40 (removed, but UNPROTECTED): empty folders rpm leaves behind are traces, not an installed product', () => {
      const installed = report.after.findings.filter(
        (f) => f.status === 'banned' && f.presence === 'installed',
      );
      expect(installed, JSON.stringify(installed, null, 2)).toEqual([]);
      expect(report.after.stillInstalled).toEqual([]);
      // The bed's "clamav" package is a name only: no signatures, no enabled service.
      expect(run.status, run.stdout).toBe(40);
      expect(report.status).toBe('completed');
      expect(report.verdict.state).toBe('removed-unprotected');
      expect(report.replacement.detail).toContain('UNPROTECTED');
    });
  });

  it('leftovers the package did not own are reported with how to clear them; exit 40 (unprotected); scan shows traces', () => {
    // A KESL whose purge deletes only what it made itself (as vendors' scripts often do).
    const kesl = withDebScripts(bedFixtures.kesl, {
      postrm: [
        'if [ "$1" = purge ]; then',
        '  rm -rf "$DPKG_ROOT/var/opt/kaspersky/kesl/common" "$DPKG_ROOT/var/log/kaspersky/kesl"',
        '  rm -f "$DPKG_ROOT/etc/systemd/system/multi-user.target.wants/kesl.service"',
        '  rmdir "$DPKG_ROOT/var/opt/kaspersky/kesl" "$DPKG_ROOT/var/log/kaspersky" "$DPKG_ROOT/var/opt/kaspersky" 2>/dev/null || true',
        'fi',
      ].join('\n'),
    });
    const root = dpkgBed([kesl, bedFixtures.keslGui, bedFixtures.klnagent64, bedFixtures.hello]);
    writeIntoRoot(root, {
      '/var/opt/kaspersky/kesl/custom/report.log': 'scan report kept by the operator\n',
      '/etc/systemd/system/kesl.service':
        '[Unit]\nDescription=KESL (local override)\n[Service]\nExecStart=/opt/kaspersky/kesl/libexec/kesl\n',
    });
    const data = scratch('remove-data');
    const { run, report } = removeJson(root, data);

    expect(
      report.results.every((r) => r.outcome === 'removed'),
      JSON.stringify(report.results),
    ).toBe(true);
    expect(dpkgQuery(root).filter((r) => kasperskyNames.includes(r.name))).toEqual([]);
    // Leftovers are reported, not a failure; Divest deletes none of them. No ClamAV here: 40.
    expect(run.status, run.stdout).toBe(40);
    expect(report.verdict.state).toBe('removed-unprotected');
    expect(report.after.stillInstalled).toEqual([]);
    expect(existsSync(path.join(root, 'var/opt/kaspersky/kesl/custom/report.log'))).toBe(true);
    expect(existsSync(path.join(root, 'etc/systemd/system/kesl.service'))).toBe(true);

    const unit = report.after.leftovers.find((l) => l.location === '/etc/systemd/system/kesl.service');
    const folder = report.after.leftovers.find((l) => l.location === '/var/opt/kaspersky/kesl');
    expect(unit, JSON.stringify(report.after.leftovers, null, 2)).toBeDefined();
    expect(folder, JSON.stringify(report.after.leftovers, null, 2)).toBeDefined();
    for (const l of report.after.leftovers) {
      expect(l.productId).toBe(KESL);
      expect(l.howToClear.length, l.location).toBeGreaterThan(20);
    }
    expect(unit!.howToClear).toMatch(/systemctl/);
    expect(folder!.howToClear).toContain('/var/opt/kaspersky/kesl');

    const scan = runCli(['scan', '--json', ...hostArgs(root, data)]);
    expect(scan.status, scan.stderr).toBe(0);
    const result = ScanResult.parse(JSON.parse(scan.stdout));
    expect(result.findings.map((f) => [f.productId, f.presence])).toEqual([[KESL, 'traces']]);

    // The receipt of this session lists the leftovers and verifies.
    const out = path.join(data, 'receipt.json');
    const exp = runCli(['receipt', 'export', '--out', out, '--data-dir', data]);
    expect(exp.status, `${exp.stdout}${exp.stderr}`).toBe(0);
    const receipt = Receipt.parse(JSON.parse(readFileSync(out, 'utf8')));
    expect(receipt.after.leftovers.map((l) => l.location)).toEqual(
      report.after.leftovers.map((l) => l.location),
    );
    expect(runCli(['receipt', 'verify', out]).status).toBe(0);
  });

  it('a clean machine: remove exits 0 with nothing to remove; the receipt is a scan receipt, "nothing found"', () => {
    const root = dpkgBed(innocentFixtures);
    activateClamav(root);
    const before = readFileSync(path.join(root, 'var/lib/dpkg/status'));
    const data = scratch('remove-data');
    const run = runCli(['remove', '--yes', IMAGE_SCRIPTS, ...hostArgs(root, data)]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/Nothing to remove/);
    expect(readFileSync(path.join(root, 'var/lib/dpkg/status')).equals(before)).toBe(true);

    const json = path.join(data, 'r.json');
    const html = path.join(data, 'r.html');
    const exp = runCli(['receipt', 'export', '--out', json, '--html', html, '--data-dir', data]);
    expect(exp.status, exp.stderr).toBe(0);
    const receipt = Receipt.parse(JSON.parse(readFileSync(json, 'utf8')));
    expect(receipt.findingsBefore).toEqual([]);
    expect(receipt.actions).toEqual([]);
    expect(receipt.kind).toBe('scan');
    expect(exp.stdout).toContain('scanned, nothing found');
    // The receipt's headline is its signed verdict (core/verdict.ts), on page 1.
    expect(receipt.verdict.state).toBe('clean');
    expect(readFileSync(html, 'utf8')).toMatch(
      /<p class="title">Clean: no banned software is installed, and ClamAV protects this machine\.<\/p>/,
    );
  });

  it('a clean but unprotected machine: remove exits 40 and every face says UNPROTECTED first', () => {
    const root = dpkgBed(innocentFixtures);
    const data = scratch('remove-data');
    const run = runCli(['remove', '--yes', IMAGE_SCRIPTS, ...hostArgs(root, data)]);
    expect(run.status, run.stderr).toBe(40);
    expect(run.stdout).toMatch(
      /^\nNo banned software is installed, but this machine is UNPROTECTED: ClamAV is inactive\./,
    );
    const status = runCli(['status', '--no-scan', ...hostArgs(root, data)]);
    expect(status.status).toBe(40);
    expect(status.stdout.split('\n')[0]).toMatch(/UNPROTECTED/);
    const json = path.join(data, 'r.json');
    const exp = runCli(['receipt', 'export', '--out', json, ...hostArgs(root, data)]);
    expect(exp.status, exp.stderr).toBe(0);
    const receipt = Receipt.parse(JSON.parse(readFileSync(json, 'utf8')));
    expect(receipt.verdict.state).toBe('unprotected');
    const verify = runCli(['receipt', 'verify', json]);
    expect(verify.status).toBe(0);
    expect(verify.stdout).toMatch(/only SELF-ASSERTED/);
    expect(verify.stdout).toMatch(
      /WARNINGS:\n\s+! No banned software is installed, but this machine is UNPROTECTED/,
    );
  });

  it('--only kaspersky-network-agent removes klnagent64 and nothing else', () => {
    const root = dpkgBed([...kasperskyFixtures, bedFixtures.hello]);
    const others = ['kesl', 'kesl-gui', 'kav4fs'];
    const ownedBefore = new Map(others.map((n) => [n, ownedFiles(root, dpkgListFiles(root, n))]));
    const agentFiles = ownedFiles(root, dpkgListFiles(root, 'klnagent64'));
    const { run, report } = removeJson(root, scratch('remove-data'), ['--only', AGENT]);
    // Done what was asked; no ClamAV here (40); the others are still installed and said so.
    expect(run.status, run.stderr).toBe(40);
    expect(report.verdict.state).toBe('banned-present');
    expect(report.verdict.headline).toMatch(/^Banned software is still installed \(not in this plan\): /);
    expect(report.results.map((r) => [r.productId, r.outcome])).toEqual([[AGENT, 'removed']]);
    expect(report.results[0]!.argv.slice(-2)).toEqual(['--purge', 'klnagent64']);
    const rows = dpkgQuery(root);
    expect(rows.find((r) => r.name === 'klnagent64')).toBeUndefined();
    for (const p of agentFiles) expect(existsSync(path.join(root, p)), p).toBe(false);
    for (const n of [...others, 'hello']) {
      expect(rows.find((r) => r.name === n)?.status, n).toBe('install ok installed');
      for (const p of ownedBefore.get(n) ?? []) expect(existsSync(path.join(root, p)), p).toBe(true);
    }
    // The rest is still there and said so.
    expect(
      report.after.findings
        .filter((f) => f.presence === 'installed')
        .map((f) => f.productId)
        .sort(),
    ).toEqual([KAV4FS, KESL].sort());
  });
});
