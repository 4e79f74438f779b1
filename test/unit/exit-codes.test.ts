/**
 * What each uninstaller's exit means. msiexec codes are Microsoft's (research products.md §3.3
 * [S16]); dpkg and rpm failures, time-outs, missing tools and signals come from real processes run
 * by the real runner, so the classifier is tested on what those tools really print.
 */
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeCommandRunner, type RunResult } from '../../core/host/runner';
import { classifyExit, type Tool } from '../../core/remove/exit-codes';
import {
  buildDeb,
  dpkgArgv,
  installDebs,
  makeDpkgRoot,
  makeRpmRoot,
  rpmArgv,
  skipReason,
  tempDir,
  type Bed,
} from '../beds/linux';

/** A finished process as the runner reports it. */
function exited(code: number | null, out: { stdout?: string; stderr?: string } = {}): RunResult {
  const stdout = out.stdout ?? '';
  const stderr = out.stderr ?? '';
  return {
    argv: ['C:\\Windows\\System32\\msiexec.exe', '/x', '{7EC66A9F-0A49-4DC0-A9E8-460333EA8013}', '/qn'],
    exitCode: code,
    signal: null,
    stdout,
    stderr,
    timedOut: false,
    durationMs: 41_000,
    outputSha256: createHash('sha256').update(stdout).update('\0').update(stderr).digest('hex'),
  };
}

describe('msiexec exit codes (research §3.3)', () => {
  it.each([
    [0, 'removed', /successfully \(0\)/],
    [1602, 'failed', /cancelled \(1602\)/],
    [1603, 'failed', /fatal error \(1603\).*password/],
    [1605, 'already-absent', /not installed \(1605\).*already removed/],
    [1618, 'failed', /already in progress \(1618\).*retries/],
    [1641, 'reboot-required', /started a restart \(1641\)/],
    [3010, 'reboot-required', /restart is required to finish \(3010\)/],
  ] as const)('%i → %s', (code, outcome, message) => {
    const c = classifyExit('msiexec', exited(code));
    expect(c.outcome).toBe(outcome);
    expect(c.message).toMatch(message);
  });

  it('1618 asks for a retry; 1603 hints at a password; nothing else does', () => {
    expect(classifyExit('msiexec', exited(1618))).toMatchObject({ retry: true });
    expect(classifyExit('msiexec', exited(1603))).toMatchObject({ maybeNeedsCredentials: true });
    for (const code of [0, 1602, 1605, 1641, 3010, 1612, 1620, 1625, 1639, 1730, 1234]) {
      const c = classifyExit('msiexec', exited(code));
      expect(c.retry, String(code)).toBeUndefined();
      expect(c.maybeNeedsCredentials, String(code)).toBeUndefined();
    }
  });

  it.each([
    [1614, 'already-absent', /uninstalled \(1614\)/],
    [1612, 'failed', /source .* not available \(1612\)/],
    [1620, 'failed', /could not be opened \(1620\)/],
    [1625, 'failed', /policy prohibits .* \(1625\)/],
    [1639, 'failed', /rejected the command line \(1639\)/],
    [1730, 'failed', /administrator .* \(1730\)/],
  ] as const)('other Windows Installer codes: %i → %s', (code, outcome, message) => {
    const c = classifyExit('msiexec', exited(code));
    expect(c.outcome).toBe(outcome);
    expect(c.message).toMatch(message);
  });

  it.each([1, 2, 1234, 1601, 3221225477])('an unknown code (%i) is a failure that names the code', (code) => {
    const c = classifyExit('msiexec', exited(code));
    expect(c.outcome).toBe('failed');
    expect(c.message).toBe(`msiexec failed with exit code ${code}.`);
  });
});

describe('vendor EXE uninstallers and scripts', () => {
  it('exe: 0 removed, 3010/1641 reboot, anything else failed (1605 means nothing special)', () => {
    expect(classifyExit('exe', exited(0)).outcome).toBe('removed');
    expect(classifyExit('exe', exited(3010))).toMatchObject({ outcome: 'reboot-required' });
    expect(classifyExit('exe', exited(1641)).message).toMatch(/restart is required \(1641\)/);
    for (const code of [1, 2, 1603, 1605, 1618])
      expect(classifyExit('exe', exited(code))).toMatchObject({
        outcome: 'failed',
        message: `The vendor uninstaller failed with exit code ${code}.`,
      });
  });

  it('script: 0 removed; a failure quotes the end of its output', () => {
    expect(classifyExit('script', exited(0)).outcome).toBe('removed');
    const c = classifyExit(
      'script',
      exited(1, {
        stdout: 'Stopping Kaspersky services...\nUnloading kernel extension...\nkextunload: failed (-1)\n',
      }),
    );
    expect(c.outcome).toBe('failed');
    expect(c.message).toContain('exit code 1: Unloading kernel extension... kextunload: failed (-1)');
  });
});

describe('processes that never finish normally (real runner)', () => {
  const runner = new NodeCommandRunner();

  it('a time-out is "timed-out", not a failure code, and says how long it waited', async () => {
    const r = await runner.run(['/bin/sh', '-c', 'sleep 30'], { timeoutMs: 1_200 });
    expect(r.timedOut).toBe(true);
    for (const tool of ['msiexec', 'exe', 'dpkg', 'rpm', 'script'] as Tool[]) {
      const c = classifyExit(tool, r);
      expect(c.outcome).toBe('timed-out');
      expect(c.message).toMatch(/did not finish in time and was stopped after [12] s/);
    }
  });

  it('a tool that cannot be started (ENOENT) fails with the reason', async () => {
    const r = await runner.run(['/nonexistent/Windows/System32/msiexec.exe', '/x', '{GUID}']);
    expect(r.spawnError?.code).toBe('ENOENT');
    const c = classifyExit('msiexec', r);
    expect(c.outcome).toBe('failed');
    expect(c.message).toMatch(/could not be started \(ENOENT: spawn .*ENOENT\)/);
  });

  it('a process killed by a signal fails and names the signal', async () => {
    const r = await runner.run(['/bin/sh', '-c', 'kill -TERM $$']);
    expect(r).toMatchObject({ exitCode: null, signal: 'SIGTERM', timedOut: false });
    for (const tool of ['msiexec', 'dpkg', 'rpm'] as Tool[])
      expect(classifyExit(tool, r)).toEqual({
        outcome: 'failed',
        message: 'The uninstaller was killed by SIGTERM.',
      });
  });
});

const dpkgSkip = skipReason(['dpkg', 'dpkg-deb']);
const rpmSkip = skipReason(['rpm']);

describe('dpkg (real dpkg in a temporary root)', () => {
  const beds: Bed[] = [];
  afterAll(() => beds.forEach((b) => b.cleanup()));

  it.skipIf(dpkgSkip !== false)('0 is "removed"', async () => {
    const root = makeDpkgRoot({ foreignArchs: [] });
    beds.push(root);
    const r = await new NodeCommandRunner().run(dpkgArgv(root.root, '--purge', 'kesl'));
    // dpkg warns about a package it does not know and exits 0; the executor's postflight decides.
    expect(r.exitCode).toBe(0);
    expect(classifyExit('dpkg', r)).toEqual({
      outcome: 'removed',
      message: 'dpkg removed the packages (0).',
    });
  });

  it.skipIf(dpkgSkip !== false)(
    'a failing removal script: "failed", with the end of what dpkg said',
    async () => {
      const root = makeDpkgRoot({ foreignArchs: [] });
      const debs = tempDir('exit-debs');
      beds.push(root, debs);
      const deb = buildDeb(
        {
          name: 'kesl',
          version: '12.1.0-1234',
          maintainer: 'AO Kaspersky Lab <support@kaspersky.com>',
          description: 'Kaspersky Endpoint Security for Linux',
          files: { '/opt/kaspersky/kesl/bin/kesl-control': '#!/bin/sh\nexit 0\n' },
          scripts: {
            prerm: 'echo "kesl: the protection is managed by a policy; removal is locked" >&2\nexit 1',
          },
        },
        debs.root,
      );
      installDebs(root.root, [deb]);
      const r = await new NodeCommandRunner().run(dpkgArgv(root.root, '--purge', 'kesl'));
      expect(r.exitCode).toBe(1);
      const c = classifyExit('dpkg', r);
      expect(c.outcome).toBe('failed');
      expect(c.message).toMatch(/^dpkg failed with exit code 1: /);
      expect(c.message).toMatch(/Errors were encountered while processing:\s+kesl/);
    },
  );
});

describe('rpm (real rpm in a temporary root)', () => {
  const beds: Bed[] = [];
  afterAll(() => beds.forEach((b) => b.cleanup()));

  it.skipIf(rpmSkip !== false)('"package ... is not installed" is "already-absent"', async () => {
    const bed = makeRpmRoot();
    beds.push(bed);
    const r = await new NodeCommandRunner().run(rpmArgv(bed, '-e', 'kesl'));
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/error: package kesl is not installed/);
    expect(classifyExit('rpm', r)).toMatchObject({ outcome: 'already-absent' });
  });

  it('0 is "removed"; other failures quote rpm', () => {
    expect(classifyExit('rpm', exited(0)).outcome).toBe('removed');
    const c = classifyExit(
      'rpm',
      exited(1, {
        stderr:
          'error: Failed dependencies:\n\tkesl = 12.1.0-1234 is needed by (installed) kesl-gui-12.1.0-1234.x86_64\n',
      }),
    );
    expect(c.outcome).toBe('failed');
    expect(c.message).toContain('rpm failed with exit code 1: error: Failed dependencies:');
    expect(c.message).toContain('is needed by (installed) kesl-gui');
  });
});
