/**
 * Does this process have the rights to remove software?
 *
 * Linux and macOS: root (uid 0), or, for an image given with `--host-root`, write access to its
 * package database. Windows: `net session`, which only an elevated administrator may run
 * ("System error 5 ... Access is denied" otherwise). When the answer cannot be known (Wine's
 * `net` prints its usage for `session`), Divest says so and lets the uninstallers report missing
 * rights themselves (msiexec 1730/1603) rather than guess.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import type { CommandRunner } from './runner';
import type { HostOs } from '../model/host';
import { windowsTools } from './windows';

export type Rights =
  { admin: true; how: string } | { admin: false; how: string } | { admin: 'unknown'; how: string };

/** Reads `net session`'s answer. */
export function parseNetSession(exitCode: number | null, output: string): Rights {
  if (/System error 5|Access is denied|Zugriff verweigert|Accès refusé|Acceso denegado/i.test(output))
    return { admin: false, how: '"net session" was refused: this prompt is not elevated' };
  if (exitCode === 0 && !/syntax of this command|NET command/i.test(output))
    return { admin: true, how: '"net session" ran: this prompt is elevated' };
  return { admin: 'unknown', how: `"net session" gave no clear answer (exit ${exitCode})` };
}

/** Checks the rights needed to remove software from the target. */
export async function removalRights(
  target: { os: HostOs; root: string; live: boolean },
  runner: CommandRunner,
  env?: NodeJS.ProcessEnv,
): Promise<Rights> {
  if (target.os === 'windows') {
    const net = path.win32.join(windowsTools(env).systemRoot, 'System32', 'net.exe');
    const r = await runner.run([net, 'session'], { timeoutMs: 30_000 });
    return parseNetSession(r.exitCode, `${r.stdout}\n${r.stderr}`);
  }
  if (!target.live) {
    const dbs = ['var/lib/dpkg', 'var/lib/rpm', 'usr/lib/sysimage/rpm']
      .map((d) => path.join(target.root, d))
      .filter((d) => existsSync(d));
    // No package database: removal would write into the image itself.
    if (dbs.length === 0) dbs.push(target.root);
    for (const d of dbs) {
      try {
        accessSync(d, constants.W_OK);
      } catch {
        return { admin: false, how: `no write access to ${d}` };
      }
    }
    return { admin: true, how: `write access to ${dbs.join(', ')}` };
  }
  const uid = typeof process.getuid === 'function' ? process.getuid() : -1;
  return uid === 0
    ? { admin: true, how: 'running as root' }
    : { admin: false, how: `running as uid ${uid}, not root` };
}
