/**
 * The Linux removal tier, when things go wrong (issue 3): a removal script that fails, one that
 * hangs, the CLI killed in the middle of a plan, usage mistakes and missing rights. The BUILT CLI
 * runs against real dpkg roots (test/beds/linux.ts); the tests check the package database, the
 * files, the processes left running and the journal afterwards.
 *
 * Fixture maintainer scripts run on the host (dpkg --force-script-chrootless) and touch only
 * "$DPKG_ROOT"/... (the bed builder adds a guard that refuses to run without it).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import * as z from 'zod';
import { ScanResult } from '../../core/model/scan';
import type { Bed, CliRun, FixturePackage } from '../beds/linux';
import {
  activateClamav,
  bedFixtures,
  buildDeb,
  buildFixtureDebs,
  builtCli,
  debSpecOf,
  dpkgListFiles,
  dpkgQuery,
  ensureBuiltCli,
  installDebs,
  killGroups,
  kasperskyFixtures,
  lookAlikeFixtures,
  makeDpkgRoot,
  processesInRoot,
  runCli,
  skipReason,
  slowWhenMarkerPrerm,
  tempDir,
  waitFor,
  withDebScripts,
} from '../beds/linux';

/** The beds have no shell: their packages' scripts run on this machine (dpkg --force-script-chrootless), as built. */
const IMAGE_SCRIPTS = '--run-image-scripts-on-this-machine';

const KESL = 'kaspersky-endpoint-security-linux';
const AGENT = 'kaspersky-network-agent';
const KAV4FS = 'kaspersky-anti-virus-linux-file-server';
const NOBODY = { uid: 65534, gid: 65534 };

const skip = skipReason(['dpkg', 'dpkg-deb', 'dpkg-query', 'setpriv']);

const kasperskyNames = kasperskyFixtures.map((f) => f.name);
const MARKER = 'divest-test-slow-prerm';

const RemoveReport = z.object({
  schema: z.literal('divest.remove/2'),
  verdict: z.object({ state: z.string(), headline: z.string() }),
  planId: z.string(),
  status: z.string(),
  resumed: z.boolean(),
  results: z.array(
    z.object({
      stepId: z.string(),
      productId: z.string(),
      argv: z.array(z.string()),
      exitCode: z.number().int().nullable(),
      outcome: z.string(),
      message: z.string(),
      durationMs: z.number(),
    }),
  ),
  remaining: z.array(z.string()),
  after: z.object({ stillInstalled: z.array(z.string()) }),
  exitCode: z.number().int(),
});
type RemoveReport = z.infer<typeof RemoveReport>;

const JournalLine = z.object({ seq: z.number(), type: z.string(), data: z.record(z.string(), z.unknown()) });

function parseReport(run: CliRun): RemoveReport {
  try {
    return RemoveReport.parse(JSON.parse(run.stdout));
  } catch (e) {
    throw new Error(`remove --json: ${String(e)}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
}

function journal(data: string): z.infer<typeof JournalLine>[] {
  const file = path.join(data, 'journal.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .flatMap((l) => {
      try {
        return [JournalLine.parse(JSON.parse(l))];
      } catch {
        return []; // a line being written
      }
    });
}

const cleanups: Bed[] = [];
function scratch(prefix: string): string {
  const d = tempDir(prefix);
  cleanups.push(d);
  return d.root;
}

function hostArgs(root: string, data: string): string[] {
  return ['--host-root', root, '--host-os', 'linux', '--data-dir', data];
}

/** Every path under `root` except dpkg's own database, with each file's bytes. */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const e of readdirSync(path.join(root, rel))) {
      const r = `${rel}/${e}`;
      const st = lstatSync(path.join(root, r));
      if (st.isDirectory()) {
        out.set(r, `dir ${st.mode.toString(8)}`);
        walk(r);
      } else out.set(r, st.isFile() ? readFileSync(path.join(root, r), 'latin1') : `link`);
    }
  };
  walk('');
  return out;
}

function kasperskyPaths(root: string): string[] {
  return [...snapshot(root).keys()].filter(
    (p) =>
      /kaspersky|kesl|klnagent|kav4fs/.test(p) &&
      !p.includes('kasperskyfan-tools') &&
      !p.startsWith('/var/lib/dpkg/') &&
      p !== '/var/log/dpkg.log',
  );
}

function logVerify(data: string): CliRun {
  return runCli(['log', 'verify', '--data-dir', data]);
}

function statusOf(root: string, name: string): string | undefined {
  return dpkgQuery(root).find((r) => r.name === name)?.status;
}

describe.skipIf(skip !== false)('Linux removal tier: failures, time-outs, kills, usage and rights', () => {
  const debs = new Map<FixturePackage, string>();
  /** Processes a test must not leave behind, whatever happens. */
  const roots: string[] = [];

  beforeAll(() => {
    ensureBuiltCli();
    const all = [...kasperskyFixtures, ...lookAlikeFixtures, bedFixtures.hello];
    buildFixtureDebs(all, scratch('fail-debs')).forEach((deb, i) => debs.set(all[i]!, deb));
  });

  afterAll(() => {
    for (const r of roots) killGroups(processesInRoot(r).map((p) => p.pgid));
    for (const c of cleanups) c.cleanup();
  });

  function dpkgBed(fixtures: readonly FixturePackage[]): string {
    const bed = makeDpkgRoot();
    cleanups.push(bed);
    roots.push(bed.root);
    installDebs(
      bed.root,
      fixtures.map((f) => debs.get(f) ?? buildDeb(debSpecOf(f), scratch('deb'))),
    );
    return bed.root;
  }

  describe('a removal script that fails (kesl prerm exits 1)', () => {
    let root = '';
    let data = '';
    let run: CliRun;
    let report: RemoveReport;
    const ownedBefore = new Map<string, string[]>();

    beforeAll(() => {
      const kesl = withDebScripts(bedFixtures.kesl, {
        prerm: 'echo "kesl prerm: refusing to stop (Divest test fixture)" >&2\nexit 1',
      });
      // KESL (order 10) is planned before Network Agent (order 90): the failure is not the last step.
      root = dpkgBed([
        kesl,
        bedFixtures.keslGui,
        bedFixtures.klnagent64,
        ...lookAlikeFixtures,
        bedFixtures.hello,
      ]);
      for (const n of ['kesl', 'klnagent64', 'hello', ...lookAlikeFixtures.map((f) => f.name)])
        ownedBefore.set(
          n,
          dpkgListFiles(root, n).filter((p) => !lstatSync(path.join(root, p)).isDirectory()),
        );
      data = scratch('fail-data');
      run = runCli(['remove', '--yes', IMAGE_SCRIPTS, '--json', ...hostArgs(root, data)]);
      report = parseReport(run);
    });

    it("exits 30; the step has dpkg's exit code 1, outcome failed and a message; the plan stops there", () => {
      expect(run.status, run.stderr).toBe(30);
      expect(report.exitCode).toBe(30);
      expect(report.status).toBe('failed');
      expect(report.results).toHaveLength(1);
      const [step] = report.results;
      expect(step!.stepId).toBe('s1');
      expect(step!.productId).toBe(KESL);
      expect(step!.exitCode).toBe(1);
      expect(step!.outcome).toBe('failed');
      expect(step!.message).toMatch(/dpkg failed with exit code 1/);
      // Network Agent was next: listed as not run.
      expect(report.remaining).toEqual(['s2']);
    });

    it('touches nothing else: kesl, klnagent64, look-alikes and ordinary packages stay installed with their files', () => {
      expect(statusOf(root, 'kesl')).toMatch(/ (installed|half-configured)$/);
      expect(statusOf(root, 'klnagent64')).toBe('install ok installed');
      for (const f of [...lookAlikeFixtures, bedFixtures.hello])
        expect(statusOf(root, f.name), f.name).toBe('install ok installed');
      for (const [n, files] of ownedBefore)
        for (const p of files) expect(existsSync(path.join(root, p)), `${n}: ${p}`).toBe(true);
      expect(report.after.stillInstalled.sort()).toEqual([AGENT, KESL].sort());
    });

    it('the step\'s message does not claim "nothing else was changed" when dpkg removed kesl-gui in the same run', () => {
      // dpkg --purge kesl-gui kesl handles kesl-gui first (it depends on kesl): it is purged before
      // kesl's prerm fails. The step's message goes into the journal and the signed receipt.
      const guiGone = statusOf(root, 'kesl-gui') === undefined;
      expect(guiGone).toBe(true);
      expect(report.results[0]!.message).not.toMatch(/nothing else was changed/);
    });

    it('the journal is intact', () => {
      const v = logVerify(data);
      expect(v.status, v.stdout).toBe(0);
      expect(v.stdout).toContain('INTACT');
    });
  });

  it('a removal script that hangs (prerm sleep 300) is stopped by --step-timeout 3: exit 30 fast, nothing left running', () => {
    const kesl = withDebScripts(bedFixtures.kesl, { prerm: 'sleep 300' });
    const root = dpkgBed([kesl, bedFixtures.klnagent64, bedFixtures.hello]);
    const data = scratch('fail-data');
    const run = runCli(
      ['remove', '--yes', IMAGE_SCRIPTS, '--json', '--step-timeout', '3', ...hostArgs(root, data)],
      {
        timeoutMs: 60_000,
      },
    );
    const report = parseReport(run);
    expect(run.status, run.stderr).toBe(30);
    expect(run.ms).toBeLessThan(15_000);
    expect(report.results).toHaveLength(1);
    expect(report.results[0]!.outcome).toBe('timed-out');
    expect(report.results[0]!.exitCode).toBeNull();
    expect(report.results[0]!.durationMs).toBeGreaterThanOrEqual(2_900);
    expect(report.remaining).toEqual(['s2']);
    // The whole dpkg process group was killed: no dpkg, no prerm shell, no sleep 300.
    expect(processesInRoot(root)).toEqual([]);
    // dpkg was stopped inside kesl's prerm: kesl stays registered (half-configured); the agent is untouched.
    expect(statusOf(root, 'kesl')).toMatch(/half-configured|installed$/);
    expect(statusOf(root, 'klnagent64')).toBe('install ok installed');
    const v = logVerify(data);
    expect(v.status, v.stdout).toBe(0);
  });

  /** Starts `divest remove --yes` in its own process group and waits until s2's prerm is sleeping. */
  async function startAndWaitForS2(
    root: string,
    data: string,
  ): Promise<{ pid: number; stderr: () => string; exited: () => boolean }> {
    const child = spawn(
      process.execPath,
      [builtCli, 'remove', '--yes', IMAGE_SCRIPTS, ...hostArgs(root, data)],
      {
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    let exited = false;
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    child.stdout.resume();
    child.on('exit', () => (exited = true));
    if (!child.pid) throw new Error('divest did not start');
    await waitFor(
      () =>
        journal(data).some((e) => e.type === 'step.started' && e.data.stepId === 's2') &&
        processesInRoot(root).some((p) => path.basename(p.argv[0] ?? '') === 'sleep'),
      'step s2 to start and its prerm to sleep',
      30_000,
    );
    return { pid: child.pid, stderr: () => stderr, exited: () => exited };
  }

  function planIdOf(data: string): string {
    const started = journal(data).find((e) => e.type === 'plan.started');
    const id = started?.data.planId;
    if (typeof id !== 'string') throw new Error('no plan.started in the journal');
    return id;
  }

  const slowKesl = withDebScripts(bedFixtures.kesl, { prerm: slowWhenMarkerPrerm(MARKER) });
  // kav4fs (s1), kesl-gui + kesl (s2, slow), klnagent64 (s3).
  const killBed = (): FixturePackage[] => [
    bedFixtures.kav4fs,
    slowKesl,
    bedFixtures.keslGui,
    bedFixtures.klnagent64,
    bedFixtures.hello,
  ];

  describe('killed mid-plan with dpkg (a crash: the CLI and the uninstaller die together)', () => {
    let root = '';
    let data = '';
    let planId = '';
    let killedAt: { dpkg: string[]; kesl?: string; keslGui?: string; updates: string[] };

    beforeAll(async () => {
      root = dpkgBed([...killBed(), bedFixtures.clamav]);
      activateClamav(root);
      writeFileSync(path.join(root, MARKER), '20\n');
      data = scratch('kill-data');
      const cli = await startAndWaitForS2(root, data);
      const inRoot = processesInRoot(root);
      killedAt = { dpkg: inRoot.map((p) => p.argv.join(' ')), updates: [] };
      // As a power cut or the OOM killer would: the CLI's group and the uninstaller's group.
      killGroups([cli.pid, ...inRoot.map((p) => p.pgid)]);
      await waitFor(() => cli.exited() && processesInRoot(root).length === 0, 'the killed processes to go');
      planId = planIdOf(data);
      killedAt.kesl = statusOf(root, 'kesl');
      killedAt.keslGui = statusOf(root, 'kesl-gui');
      killedAt.updates = readdirSync(path.join(root, 'var/lib/dpkg/updates'));
    });

    it('leaves dpkg mid-removal: s2 started, not finished; kesl half-configured with dpkg updates pending', () => {
      const events = journal(data);
      expect(events.some((e) => e.type === 'step.finished' && e.data.stepId === 's1')).toBe(true);
      expect(events.some((e) => e.type === 'step.started' && e.data.stepId === 's2')).toBe(true);
      expect(events.some((e) => e.type === 'step.finished' && e.data.stepId === 's2')).toBe(false);
      expect(events.some((e) => e.type === 'plan.finished')).toBe(false);
      expect(killedAt.dpkg.some((a) => a.includes('--purge kesl-gui kesl'))).toBe(true);
      // What dpkg itself says (dpkg-query applies its journal in var/lib/dpkg/updates).
      expect(killedAt.kesl).toBe('purge ok half-configured');
      expect(killedAt.keslGui).toBeUndefined(); // purged before kesl's prerm ran
      expect(killedAt.updates.filter((f) => /^\d+$/.test(f)).length).toBeGreaterThan(0);
      expect(statusOf(root, 'kav4fs')).toBeUndefined();
      expect(statusOf(root, 'klnagent64')).toBe('install ok installed');
    });

    it('a scan in that state agrees with dpkg about which packages are still installed', () => {
      const scan = runCli(['scan', '--json', ...hostArgs(root, scratch('scan-data'))]);
      const result = ScanResult.parse(JSON.parse(scan.stdout));
      const installedPkgs = result.findings
        .flatMap((f) => f.removalHints.packages)
        .filter((p) => p.installed)
        .map((p) => p.name)
        .sort();
      const dpkgSays = dpkgQuery(root)
        .filter((r) => kasperskyNames.includes(r.name) && !/not-installed|config-files$/.test(r.status))
        .map((r) => r.name)
        .sort();
      expect(installedPkgs).toEqual(dpkgSays);
    });

    it('the next run continues the unfinished plan and ends clean; the journal is intact', () => {
      rmSync(path.join(root, MARKER));
      const again = runCli(['remove', '--yes', IMAGE_SCRIPTS, ...hostArgs(root, data)]);
      expect(again.stderr).toContain(
        `Continuing the unfinished removal plan ${planId} (re-derived and unchanged): 1 of 3 steps already done`,
      );
      expect(again.status, `${again.stdout}\n${again.stderr}`).toBe(0);
      const left = dpkgQuery(root).filter((r) => kasperskyNames.includes(r.name));
      expect(left, JSON.stringify(left)).toEqual([]);
      expect(kasperskyPaths(root)).toEqual([]);
      expect(statusOf(root, 'hello')).toBe('install ok installed');
      expect(journal(data).filter((e) => e.type === 'plan.resumed')).toHaveLength(1);
      const v = logVerify(data);
      expect(v.status, v.stdout).toBe(0);
    });
  });

  it('killed mid-plan with only the CLI dying (SIGKILL of its process group): the re-run still ends clean', async () => {
    // The runner starts each uninstaller in its own process group, so killing the CLI's group
    // leaves dpkg running, orphaned, holding its lock, with its prerm still sleeping.
    const root = dpkgBed([...killBed(), bedFixtures.clamav]);
    activateClamav(root);
    writeFileSync(path.join(root, MARKER), '6\n');
    const data = scratch('kill-data');
    const cli = await startAndWaitForS2(root, data);
    killGroups([cli.pid]);
    await waitFor(() => cli.exited(), 'the CLI to die');
    const planId = planIdOf(data);
    const orphans = processesInRoot(root);
    expect(orphans.some((p) => path.basename(p.argv[0] ?? '') === 'dpkg')).toBe(true);
    rmSync(path.join(root, MARKER));

    try {
      // Straight away, as a person whose terminal died would.
      const second = runCli(['remove', '--yes', IMAGE_SCRIPTS, ...hostArgs(root, data)], {
        timeoutMs: 240_000,
      });
      expect(second.stderr).toContain(`Continuing the unfinished removal plan ${planId}`);
      if (second.status !== 0) {
        // Acceptable only if it said that another package operation is running and kept the plan
        // open, so that the next run continues it once dpkg is done.
        expect(`${second.stdout}${second.stderr}`).toMatch(/in progress|lock/i);
        await waitFor(() => processesInRoot(root).length === 0, 'the orphaned dpkg to finish', 60_000, 200);
        const third = runCli(['remove', '--yes', IMAGE_SCRIPTS, ...hostArgs(root, data)]);
        expect(
          third.stderr,
          `second run (exit ${String(second.status)}):\n${second.stderr}\n${second.stdout}\nthird run (exit ${String(third.status)}):\n${third.stderr}`,
        ).toContain(`Continuing the unfinished removal plan ${planId}`);
        expect(third.status, third.stdout).toBe(0);
      }
      await waitFor(() => processesInRoot(root).length === 0, 'dpkg to finish', 60_000, 200);
      const left = dpkgQuery(root).filter((r) => kasperskyNames.includes(r.name));
      expect(left, JSON.stringify(left)).toEqual([]);
      expect(statusOf(root, 'hello')).toBe('install ok installed');
      const v = logVerify(data);
      expect(v.status, v.stdout).toBe(0);
    } finally {
      killGroups(processesInRoot(root).map((p) => p.pgid));
    }
  });

  describe('usage and rights', () => {
    let root = '';
    beforeAll(() => {
      root = dpkgBed([...kasperskyFixtures, bedFixtures.hello]);
    });

    it('remove without --yes and without a terminal exits 2 and changes nothing', () => {
      const before = snapshot(root);
      const status = readFileSync(path.join(root, 'var/lib/dpkg/status'));
      const data = scratch('usage-data');
      const run = runCli(['remove', IMAGE_SCRIPTS, ...hostArgs(root, data)]);
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/--yes/);
      expect(readFileSync(path.join(root, 'var/lib/dpkg/status')).equals(status)).toBe(true);
      expect(snapshot(root)).toEqual(before);
      expect(journal(data).filter((e) => e.type.startsWith('plan.') || e.type.startsWith('step.'))).toEqual(
        [],
      );
    });

    it('--dry-run prints the exact dpkg command of every step and changes nothing', () => {
      const before = snapshot(root);
      const rows = dpkgQuery(root);
      const data = scratch('usage-data');
      const json = runCli(['remove', '--dry-run', IMAGE_SCRIPTS, '--json', ...hostArgs(root, data)]);
      expect(json.status, json.stderr).toBe(0);
      const plan = z
        .object({
          schema: z.literal('divest.remove-dry-run/1'),
          plan: z.object({
            steps: z.array(z.object({ id: z.string(), productId: z.string(), argv: z.array(z.string()) })),
          }),
        })
        .parse(JSON.parse(json.stdout)).plan;
      const head = (names: string[]): string[] => [
        '/usr/bin/dpkg',
        `--root=${root}`,
        `--log=${root}/var/log/dpkg.log`,
        '--force-script-chrootless',
        '--purge',
        ...names,
      ];
      expect(plan.steps.map((s) => [s.productId, s.argv])).toEqual([
        [KAV4FS, head(['kav4fs'])],
        [KESL, head(['kesl-gui', 'kesl'])],
        [AGENT, head(['klnagent64'])],
      ]);
      const text = runCli(['remove', '--dry-run', IMAGE_SCRIPTS, ...hostArgs(root, data)]);
      expect(text.status, text.stderr).toBe(0);
      expect(text.stdout).toMatch(/Dry run: nothing will be changed/);
      for (const s of plan.steps) expect(text.stdout).toContain(`runs: ${s.argv.join(' ')}`);
      expect(dpkgQuery(root)).toEqual(rows);
      expect(snapshot(root)).toEqual(before);
      expect(journal(data).filter((e) => e.type.startsWith('step.'))).toEqual([]);
    });

    it('as user nobody: remove exits 30 saying it needs administrator rights, and touches nothing; scan still works', () => {
      // The bed as a real root looks to others: traversable, its database writable by root only.
      chmodSync(root, 0o755);
      chmodSync(path.join(root, 'var/lib/dpkg'), 0o755);
      const before = snapshot(root);
      // The user's own data folder (Divest refuses one another user owns or others may write).
      const data = scratch('nobody-data');
      chownSync(data, NOBODY.uid, NOBODY.gid);
      const run = runCli(['remove', '--yes', IMAGE_SCRIPTS, '--json', ...hostArgs(root, data)], {
        asUser: NOBODY,
      });
      expect(run.status, run.stderr).toBe(30);
      expect(run.stderr).toMatch(/administrator rights/);
      expect(run.stderr).toContain(path.join(root, 'var/lib/dpkg'));
      expect(snapshot(root)).toEqual(before);
      for (const n of kasperskyNames) expect(statusOf(root, n), n).toBe('install ok installed');
      expect(journal(data).map((e) => e.type)).toContain('remove.refused');

      const scan = runCli(['scan', '--json', ...hostArgs(root, data)], { asUser: NOBODY });
      expect(scan.status, scan.stderr).toBe(10);
      const result = ScanResult.parse(JSON.parse(scan.stdout));
      expect(result.findings.map((f) => f.productId).sort()).toEqual([AGENT, KAV4FS, KESL].sort());
    });
  });
});
