/**
 * No path through a crash or a failure yields a receipt, a status or an exit code that claims more
 * than the machine shows (issue 9). A three-step plan runs on real dpkg and rpm roots; the BUILT CLI
 * and the uninstaller are killed together (SIGKILL of both process groups, as a power cut would)
 * during each step in turn, and a removal script that fails is run too. Each time, `divest status`,
 * the unfinished-removal notice, the signed receipt and its HTML must agree with what dpkg or rpm
 * itself says is still installed; then a second `remove` finishes the job and everything says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Receipt } from '../../core/model/receipt';
import type { Bed, FixturePackage, RpmBed } from '../beds/linux';
import {
  activateClamav,
  bedFixtures,
  builtCli,
  dpkgQuery,
  ensureBuiltCli,
  killGroups,
  makeDpkgBed,
  makeRpmBed,
  processesInRoot,
  provisionTool,
  rpmQuery,
  runCli,
  skipReason,
  slowWhenMarkerPrerm,
  tempDir,
  waitFor,
  withDebScripts,
} from '../beds/linux';

/** The beds have no shell: their packages' scripts run on this machine (dpkg --force-script-chrootless), as built. */
const IMAGE_SCRIPTS = '--run-image-scripts-on-this-machine';

const skip = skipReason(['dpkg', 'dpkg-deb', 'dpkg-query', 'rpm', 'rpmbuild']);
const MARKER = 'divest-crash-marker';
const KASPERSKY = ['kav4fs', 'kesl', 'kesl-gui', 'klnagent64'];

const cleanups: Bed[] = [];
const roots: string[] = [];
afterAll(() => {
  for (const r of roots) killGroups(processesInRoot(r).map((p) => p.pgid));
  for (const c of cleanups) c.cleanup();
});

function scratch(prefix: string): string {
  const d = tempDir(prefix);
  cleanups.push(d);
  return d.root;
}

const hostArgs = (root: string, data: string): string[] => [
  '--host-root',
  root,
  '--host-os',
  'linux',
  '--data-dir',
  data,
];

/** Journal events as written (type and data), read raw: a line being written is skipped. */
function events(data: string): { type: string; data: Record<string, unknown> }[] {
  const file = path.join(data, 'journal.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as { type: string; data: Record<string, unknown> }];
      } catch {
        return [];
      }
    });
}

/** Starts `divest remove --yes` in its own process group; waits until step `stepId` sleeps in its script. */
async function startUntilStep(
  root: string,
  data: string,
  stepId: string,
): Promise<{ pid: number; exited: () => boolean }> {
  const child = spawn(
    process.execPath,
    [builtCli, 'remove', '--yes', IMAGE_SCRIPTS, ...hostArgs(root, data)],
    {
      detached: true,
      stdio: ['ignore', 'ignore', 'ignore'],
    },
  );
  let exited = false;
  child.on('exit', () => (exited = true));
  if (!child.pid) throw new Error('divest did not start');
  await waitFor(
    () =>
      events(data).some((e) => e.type === 'step.started' && e.data.stepId === stepId) &&
      processesInRoot(root).some((p) => path.basename(p.argv[0] ?? '') === 'sleep'),
    `step ${stepId} to start and its removal script to sleep`,
    60_000,
  );
  return { pid: child.pid, exited: () => exited };
}

/** What the package manager itself says is still there, by package name. */
type Truth = () => string[];

/**
 * The receipt's "after" must name as installed exactly the products whose packages the package
 * manager still has; and everything else must say the same.
 */
function checkEverythingAgrees(root: string, data: string, truth: Truth, headline: RegExp): void {
  const stillThere = truth();
  const status = runCli(['status', '--no-scan', ...hostArgs(root, data)]);
  expect(status.status, status.stdout).toBe(30);
  expect(status.stdout.split('\n')[0]).toMatch(headline);

  const scan = runCli(['scan', ...hostArgs(root, scratch('scan-data'))]);
  expect(scan.status, scan.stderr).toBe(stillThere.length ? 10 : 0);
  const notice = runCli(['scan', ...hostArgs(root, data)]);
  if (/interrupted/.test(headline.source)) expect(notice.stderr).toMatch(/was interrupted at step \d of 3/);

  const out = path.join(scratch('receipt'), 'r.json');
  const html = out.replace(/\.json$/, '.html');
  const exp = runCli(['receipt', 'export', '--out', out, '--html', html, ...hostArgs(root, data)]);
  expect(exp.status, `${exp.stdout}${exp.stderr}`).toBe(0);
  const receipt = Receipt.parse(JSON.parse(readFileSync(out, 'utf8')));
  expect(receipt.verdict.state).toBe('removal-incomplete');
  expect(receipt.verdict.headline).toMatch(headline);
  const installedPackages = receipt.after.findings
    .filter((f) => f.status === 'banned' && f.presence === 'installed')
    .flatMap((f) => f.removalHints.packages.filter((p) => p.installed).map((p) => p.name))
    .sort();
  expect(installedPackages).toEqual([...stillThere].sort());
  // Page 1 of the printable receipt says it first.
  const page = readFileSync(html, 'utf8');
  expect(page.indexOf('Removal incomplete')).toBeGreaterThan(0);
  expect(page.indexOf('Removal incomplete')).toBeLessThan(page.indexOf('<h2>Machine</h2>'));
  expect(page).not.toContain('Removed and verified');
  const verify = runCli(['receipt', 'verify', out]);
  expect(verify.status).toBe(0);
  expect(verify.stdout).toMatch(/WHAT IT ATTESTS[\s\S]*Removal incomplete/);
}

/** A second `remove` finishes, and status, receipt and the package manager agree it is done. */
function finishAndCheck(root: string, data: string, truth: Truth): void {
  const again = runCli(['remove', '--yes', IMAGE_SCRIPTS, ...hostArgs(root, data)], { timeoutMs: 120_000 });
  expect(again.status, `${again.stdout}\n${again.stderr}`).toBe(0);
  expect(truth()).toEqual([]);
  const status = runCli(['status', '--no-scan', ...hostArgs(root, data)]);
  expect(status.status, status.stdout).toBe(0);
  expect(status.stdout).toMatch(/^Removed and verified/);
  const out = path.join(scratch('receipt'), 'done.json');
  expect(runCli(['receipt', 'export', '--out', out, ...hostArgs(root, data)]).status).toBe(0);
  expect(Receipt.parse(JSON.parse(readFileSync(out, 'utf8'))).verdict.state).toBe('removed');
}

/** Its removal script sleeps while `<root>/<MARKER>-<name>` exists: one step at a time is slowed. */
const slow = (f: FixturePackage): FixturePackage =>
  withDebScripts(f, { prerm: slowWhenMarkerPrerm(`${MARKER}-${f.name}`) });
/** The package whose removal script runs in step k (s1 kav4fs, s2 kesl-gui + kesl, s3 klnagent64). */
const SLOWED = ['kav4fs', 'kesl', 'klnagent64'];

describe.skipIf(skip !== false)(
  'crash at every step, and a failing step: everything agrees with the package manager',
  () => {
    beforeAll(() => {
      ensureBuiltCli();
    });

    describe('dpkg', () => {
      // Plan: s1 kav4fs, s2 kesl-gui + kesl, s3 klnagent64 (protection products before Network Agent).
      const fixtures = (): FixturePackage[] => [
        slow(bedFixtures.kav4fs),
        slow(bedFixtures.kesl),
        bedFixtures.keslGui,
        slow(bedFixtures.klnagent64),
        bedFixtures.hello,
        bedFixtures.clamav,
      ];
      const present =
        (root: string): Truth =>
        () =>
          dpkgQuery(root)
            .filter((r) => KASPERSKY.includes(r.name) && !/not-installed|config-files$/.test(r.status))
            .map((r) => r.name);

      for (const k of [1, 2, 3]) {
        it(`killed with its uninstaller in step ${k} of 3`, async () => {
          const bed = makeDpkgBed(fixtures());
          cleanups.push(bed);
          roots.push(bed.root);
          activateClamav(bed.root);
          const marker = path.join(bed.root, `${MARKER}-${SLOWED[k - 1]}`);
          writeFileSync(marker, '30\n');
          const data = scratch('crash-data');
          const cli = await startUntilStep(bed.root, data, `s${k}`);
          killGroups([cli.pid, ...processesInRoot(bed.root).map((p) => p.pgid)]);
          await waitFor(
            () => cli.exited() && processesInRoot(bed.root).length === 0,
            'the killed processes to go',
          );
          rmSync(marker);
          checkEverythingAgrees(
            bed.root,
            data,
            present(bed.root),
            new RegExp(`^Removal incomplete: interrupted at step ${k} of 3 `),
          );
          finishAndCheck(bed.root, data, present(bed.root));
        }, 180_000);
      }

      it('a removal script that fails (step 2 of 3)', () => {
        const failing = withDebScripts(bedFixtures.kesl, {
          prerm: 'echo "kesl: cannot stop the service" >&2\nexit 1',
        });
        const bed = makeDpkgBed([
          bedFixtures.kav4fs,
          failing,
          bedFixtures.keslGui,
          bedFixtures.klnagent64,
          bedFixtures.clamav,
        ]);
        cleanups.push(bed);
        activateClamav(bed.root);
        const data = scratch('fail-data');
        const run = runCli(['remove', '--yes', IMAGE_SCRIPTS, ...hostArgs(bed.root, data)]);
        expect(run.status, run.stdout).toBe(30);
        expect(run.stdout).toMatch(/^\nRemoval incomplete: step 2 of 3 \(.+\) failed; still installed: /);
        checkEverythingAgrees(
          bed.root,
          data,
          present(bed.root),
          /^Removal incomplete: step 2 of 3 \(.+\) failed/,
        );
      }, 120_000);
    });

    describe('rpm', () => {
      const preun = (name: string): string => `if [ -e /${MARKER}-${name} ]; then sleep 30; fi`;
      const fixtures = (): FixturePackage[] => [
        { ...bedFixtures.kav4fs, rpmScripts: { preun: preun('kav4fs') } },
        { ...bedFixtures.kesl, rpmScripts: { preun: preun('kesl') } },
        bedFixtures.keslGui,
        { ...bedFixtures.klnagent64, rpmScripts: { preun: preun('klnagent64') } },
        bedFixtures.hello,
        bedFixtures.clamav,
      ];
      const present =
        (bed: RpmBed): Truth =>
        () =>
          rpmQuery(bed)
            .map((r) => r.name)
            .filter((n) => KASPERSKY.includes(n));

      for (const k of [1, 2, 3]) {
        it(`killed with its uninstaller in step ${k} of 3`, async () => {
          const bed = makeRpmBed(fixtures(), { shell: true });
          cleanups.push(bed);
          roots.push(bed.root);
          provisionTool(bed.root, 'sleep');
          activateClamav(bed.root);
          const marker = path.join(bed.root, `${MARKER}-${SLOWED[k - 1]}`);
          writeFileSync(marker, '30\n');
          const data = scratch('crash-data');
          const cli = await startUntilStep(bed.root, data, `s${k}`);
          killGroups([cli.pid, ...processesInRoot(bed.root).map((p) => p.pgid)]);
          await waitFor(
            () => cli.exited() && processesInRoot(bed.root).length === 0,
            'the killed processes to go',
          );
          rmSync(marker);
          checkEverythingAgrees(
            bed.root,
            data,
            present(bed),
            new RegExp(`^Removal incomplete: interrupted at step ${k} of 3 `),
          );
          finishAndCheck(bed.root, data, present(bed));
        }, 180_000);
      }
    });
  },
);
