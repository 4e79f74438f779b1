/**
 * Where Divest keeps its journal, signing key and state.
 *
 * Per ARCHITECTURE.md: `%ProgramData%\Divest` on Windows, `/Library/Application Support/Divest` on
 * macOS, `/var/lib/divest` for root on Linux, else `$XDG_STATE_HOME/divest` (default
 * `~/.local/state/divest`). The machine-wide folders are for administrators only.
 */
import { lstatSync, type Stats } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DivestError } from './errors';

/** The default data folder for this OS and user. */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (platform === 'win32')
    return path.win32.join(env.ProgramData ?? env.ALLUSERSPROFILE ?? 'C:\\ProgramData', 'Divest');
  if (platform === 'darwin') return '/Library/Application Support/Divest';
  if (typeof process.getuid === 'function' && process.getuid() === 0) return '/var/lib/divest';
  const state =
    env.XDG_STATE_HOME && path.isAbsolute(env.XDG_STATE_HOME)
      ? env.XDG_STATE_HOME
      : path.join(os.homedir(), '.local', 'state');
  return path.join(state, 'divest');
}

/**
 * Refuses a data folder that someone else controls: one that is a symbolic link, is not a folder,
 * belongs to another user (on POSIX: not to whoever runs Divest, or not to root when root runs it),
 * or that group or others may write (they could plant a journal or a signing key). A folder that
 * does not exist yet is fine: Divest creates it (0700). Windows relies on the installer's ACL
 * (see core/helper/trusted.ts and build/installer.nsh).
 */
export function checkDataDir(dir: string, platform: NodeJS.Platform = process.platform): void {
  if (platform === 'win32') return;
  let st: Stats;
  try {
    st = lstatSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  const refuse = (why: string): never => {
    throw new DivestError(
      'io',
      `The data folder ${dir} ${why}; Divest does not use it. Choose another with --data-dir.`,
    );
  };
  if (st.isSymbolicLink()) refuse('is a symbolic link');
  if (!st.isDirectory()) return; // not a folder: writing into it fails, and says so
  const euid = typeof process.geteuid === 'function' ? process.geteuid() : st.uid;
  if (st.uid !== euid) refuse(`belongs to user id ${st.uid}, not to the user running Divest (${euid})`);
  if ((st.mode & 0o022) !== 0)
    refuse(`can be written by other users (mode ${(st.mode & 0o777).toString(8)})`);
}
