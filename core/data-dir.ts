/**
 * Where Divest keeps its journal, signing key and state.
 *
 * Per ARCHITECTURE.md: `%ProgramData%\Divest` on Windows, `/Library/Application Support/Divest` on
 * macOS, `/var/lib/divest` for root on Linux, else `$XDG_STATE_HOME/divest` (default
 * `~/.local/state/divest`). The machine-wide folders are for administrators only.
 */
import os from 'node:os';
import path from 'node:path';

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
