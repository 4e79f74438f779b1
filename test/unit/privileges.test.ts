/**
 * Does Divest have the rights to remove software? Windows answers are what `net session` prints
 * (on Windows, elevated and not, in English and other languages; and Wine's real output, which is
 * its usage text). Linux images are checked on temporary roots; because root may write anywhere,
 * the "no write access" case runs the real function in a child process as the user `nobody`.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNetSession, removalRights, type Rights } from '../../core/host/privileges';
import type { CommandRunner, RunOptions, RunResult } from '../../core/host/runner';

/** `wine net session` with Wine 8.0 (exit 0): Wine's net.exe has no `session` command. */
const WINE_NET_SESSION =
  "The syntax of this command is:\r\n\r\nNET command [arguments]\r\n    -or-\r\nNET command /HELP\r\n\r\nWhere 'command' is one of HELP, START, STOP or USE.\r\n";

describe('parseNetSession', () => {
  it.each([
    ['elevated, no sessions', 0, 'There are no entries in the list.\r\n\r\n', true],
    [
      'elevated, with a session',
      0,
      '\r\nComputer               User name            Client Type       Opens Idle time\r\n\r\n-------------------------------------------------------------------------------\r\n\\\\10.0.4.17            svc-backup                                1 00:00:12\r\nThe command completed successfully.\r\n\r\n',
      true,
    ],
    ['not elevated', 2, 'System error 5 has occurred.\r\n\r\nAccess is denied.\r\n\r\n', false],
    ['not elevated (German)', 2, 'Systemfehler 5 aufgetreten.\r\n\r\nZugriff verweigert\r\n\r\n', false],
    [
      'not elevated (French)',
      2,
      'L\u2019erreur syst\u00e8me 5 s\u2019est produite.\r\n\r\nAcc\u00e8s refus\u00e9.\r\n\r\n',
      false,
    ],
    ['not elevated (Spanish)', 2, 'Error de sistema 5.\r\n\r\nAcceso denegado.\r\n\r\n', false],
    ["Wine's net.exe (its usage text)", 0, WINE_NET_SESSION, 'unknown'],
    ['net.exe could not run', null, '', 'unknown'],
    [
      'another failure',
      1,
      'The Server service is not started.\r\n\r\nMore help is available by typing NET HELPMSG 2114.\r\n',
      'unknown',
    ],
  ] as const)('%s → admin %s', (_why, code, output, admin) => {
    const r = parseNetSession(code, output);
    expect(r.admin).toBe(admin);
    expect(r.how.length).toBeGreaterThan(10);
  });

  it('says why', () => {
    expect(parseNetSession(2, 'System error 5 has occurred.\r\n\r\nAccess is denied.\r\n').how).toBe(
      '"net session" was refused: this prompt is not elevated',
    );
    expect(parseNetSession(0, WINE_NET_SESSION).how).toBe('"net session" gave no clear answer (exit 0)');
  });
});

describe('removalRights on Windows', () => {
  it('runs net.exe session from %SystemRoot%\\System32 and reads its answer', async () => {
    const calls: string[][] = [];
    const runner: CommandRunner = {
      spawnCount: 0,
      async run(argv: readonly string[], _o?: RunOptions): Promise<RunResult> {
        calls.push([...argv]);
        return {
          argv,
          exitCode: 2,
          signal: null,
          stdout: '',
          stderr: 'System error 5 has occurred.\r\n\r\nAccess is denied.\r\n\r\n',
          timedOut: false,
          durationMs: 40,
          outputSha256: '',
        };
      },
    };
    const r = await removalRights({ os: 'windows', root: '/', live: true }, runner, {
      SystemRoot: 'C:\\WINDOWS',
    });
    expect(r).toEqual({ admin: false, how: '"net session" was refused: this prompt is not elevated' });
    expect(calls).toEqual([['C:\\WINDOWS\\System32\\net.exe', 'session']]);
  });
});

const noProcesses: CommandRunner = {
  spawnCount: 0,
  run: () => Promise.reject(new Error('no process may be started for Linux rights')),
};
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));
function image(dbs: string[]): string {
  const root = mkdtempSync(path.join(tmpdir(), 'divest-rights-'));
  roots.push(root);
  chmodSync(root, 0o755);
  for (const d of dbs) mkdirSync(path.join(root, d), { recursive: true, mode: 0o755 });
  return root;
}

describe('removalRights on Linux', () => {
  it('the live system: root or not', async () => {
    const r = await removalRights({ os: 'linux', root: '/', live: true }, noProcesses);
    if (isRoot) expect(r).toEqual({ admin: true, how: 'running as root' });
    else expect(r).toEqual({ admin: false, how: `running as uid ${process.getuid?.()}, not root` });
  });

  it('an image: write access to the package databases that exist', async () => {
    const one = image(['var/lib/dpkg']);
    expect(await removalRights({ os: 'linux', root: one, live: false }, noProcesses)).toEqual({
      admin: true,
      how: `write access to ${path.join(one, 'var/lib/dpkg')}`,
    });
    const two = image(['var/lib/dpkg', 'usr/lib/sysimage/rpm']);
    expect((await removalRights({ os: 'linux', root: two, live: false }, noProcesses)).how).toBe(
      `write access to ${path.join(two, 'var/lib/dpkg')}, ${path.join(two, 'usr/lib/sysimage/rpm')}`,
    );
    // With no package database, what counts is write access to the image itself.
    const none = image([]);
    expect(await removalRights({ os: 'linux', root: none, live: false }, noProcesses)).toEqual({
      admin: true,
      how: `write access to ${none}`,
    });
  });

  // Root may write anywhere, so "no write access" is checked as a user who really has none.
  const repo = fileURLToPath(new URL('../..', import.meta.url));
  const moduleUrl = pathToFileURL(path.join(repo, 'core/host/privileges.ts')).href;
  function rightsAsNobody(root: string): { rights?: [Rights, Rights]; error?: string } {
    const code = [
      `import { removalRights } from ${JSON.stringify(moduleUrl)};`,
      "const none = { spawnCount: 0, run: () => Promise.reject(new Error('no process')) };",
      `const image = await removalRights({ os: 'linux', root: ${JSON.stringify(root)}, live: false }, none);`,
      "const live = await removalRights({ os: 'linux', root: '/', live: true }, none);",
      'console.log(JSON.stringify([image, live]));',
    ].join('\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      uid: 65534,
      gid: 65534,
      cwd: repo,
      env: { ...process.env, HOME: tmpdir(), TSX_DISABLE_CACHE: '1' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (r.status !== 0) return { error: `${r.error?.message ?? ''}${r.stderr}`.slice(0, 500) };
    return { rights: JSON.parse(r.stdout.trim().split('\n').at(-1) ?? 'null') as [Rights, Rights] };
  }

  it('an image whose dpkg database this user cannot write: no rights, naming the folder', async () => {
    const root = image(['var/lib/dpkg']);
    const db = path.join(root, 'var/lib/dpkg');
    if (!isRoot) {
      chmodSync(db, 0o555);
      expect(await removalRights({ os: 'linux', root, live: false }, noProcesses)).toEqual({
        admin: false,
        how: `no write access to ${db}`,
      });
      return;
    }
    const out = rightsAsNobody(root);
    if (out.error !== undefined) {
      // The child could not start as nobody (e.g. the checkout is not readable by other users).
      if (process.env.CI) throw new Error(`cannot run as nobody: ${out.error}`);
      console.warn(`[privileges] skipping the unprivileged check: ${out.error}`);
      return;
    }
    expect(out.rights).toEqual([
      { admin: false, how: `no write access to ${db}` },
      { admin: false, how: 'running as uid 65534, not root' },
    ]);
  });
});
