/**
 * A closed terminal or a dropped SSH session (SIGHUP) during `divest remove` (issue 15.14): before,
 * it killed Divest mid-step, unjournaled, and orphaned the uninstaller. Now it is handled as Ctrl-C:
 * the running uninstaller is waited for (its result journaled), the plan stops before the next
 * step and says so, and the exit code is 30, on a real dpkg bed with a slow removal script.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activateClamav,
  bedFixtures,
  builtCli,
  dpkgQuery,
  ensureBuiltCli,
  killGroups,
  makeDpkgBed,
  processesInRoot,
  runCli,
  skipReason,
  slowWhenMarkerPrerm,
  tempDir,
  waitFor,
  withDebScripts,
  type Bed,
} from '../beds/linux';

const skip = skipReason(['dpkg', 'dpkg-deb', 'dpkg-query']);
const MARKER = 'divest-hup-marker';

describe.skipIf(skip !== false)('SIGHUP during remove', () => {
  let bed: Bed;
  let data: Bed;
  beforeAll(() => {
    ensureBuiltCli();
    bed = makeDpkgBed([
      withDebScripts(bedFixtures.kav4fs, { prerm: slowWhenMarkerPrerm(MARKER) }),
      bedFixtures.klnagent64,
      bedFixtures.clamav,
    ]);
    activateClamav(bed.root);
    data = tempDir('hup-data');
  }, 120_000);
  afterAll(() => {
    killGroups(processesInRoot(bed.root).map((p) => p.pgid));
    bed?.cleanup();
    data?.cleanup();
  });

  it('waits for the running uninstaller, journals it, stops before the next step, exits 30', async () => {
    writeFileSync(path.join(bed.root, MARKER), '3\n');
    const host = ['--host-root', bed.root, '--host-os', 'linux', '--data-dir', data.root];
    const child = spawn(
      process.execPath,
      [builtCli, 'remove', '--yes', '--run-image-scripts-on-this-machine', ...host],
      { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const journal = path.join(data.root, 'journal.jsonl');
    await waitFor(
      () =>
        existsSync(journal) &&
        readFileSync(journal, 'utf8').includes('"stepId":"s1"') &&
        processesInRoot(bed.root).some((p) => path.basename(p.argv[0] ?? '') === 'sleep'),
      'step s1 to sleep in its removal script',
      60_000,
    );
    process.kill(child.pid!, 'SIGHUP'); // what the terminal's closing sends to the foreground process
    const code = await exited;
    expect(code).toBe(30);
    expect(stderr).toMatch(/the terminal was closed \(SIGHUP\)/);
    // Not orphaned: nothing of the removal is still running.
    expect(processesInRoot(bed.root)).toEqual([]);
    const lines = readFileSync(journal, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string; data: { stepId?: string; status?: string } });
    expect(lines.some((e) => e.type === 'step.finished' && e.data.stepId === 's1')).toBe(true);
    expect(lines.some((e) => e.type === 'step.started' && e.data.stepId === 's2')).toBe(false);
    expect(lines.find((e) => e.type === 'plan.finished')?.data.status).toBe('cancelled');
    // The first step really ran to its end; the second product is still there.
    expect(dpkgQuery(bed.root).find((r) => r.name === 'kav4fs' && r.abbrev.startsWith('i'))).toBeUndefined();
    expect(
      dpkgQuery(bed.root)
        .find((r) => r.name === 'klnagent64')
        ?.abbrev.trim(),
    ).toBe('ii');
    const status = runCli(['status', '--no-scan', ...host]);
    expect(status.status).toBe(30);
    expect(status.stdout).toMatch(/^Removal incomplete: stopped before step 2 of 2/);
  }, 120_000);
});
