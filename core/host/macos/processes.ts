/**
 * Running processes of the live Mac: one `/bin/ps`, the only process the macOS probe starts.
 */
import path from 'node:path';
import type { ProcessEntry } from '../inventory';
import { isMissingTool, type CommandRunner } from '../runner';
import { emptyPart, note, type Part } from './common';

const PS_TIMEOUT_MS = 20_000;

/**
 * Parses `ps -axo pid=,comm=` output. On macOS `comm` is the executable's full path (it may hold
 * spaces: `/Library/Application Support/Kaspersky Lab/KAV/Binaries/kav`), so everything after the
 * pid is the path.
 */
export function parsePsOutput(stdout: string): ProcessEntry[] {
  const out: ProcessEntry[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^\s*(\d+)\s+(.+?)\s*$/.exec(line);
    if (!m) continue;
    const pid = Number(m[1]);
    const comm = m[2] as string;
    out.push({
      kind: 'process',
      location: comm,
      name: path.posix.basename(comm) || comm,
      pid,
      ...(comm.startsWith('/') ? { executable: comm } : {}),
    });
  }
  return out;
}

export async function probeProcesses(runner: CommandRunner): Promise<Part> {
  const part = emptyPart();
  // /bin/ps by full path: the scan runs as root, and a PATH entry writable by someone else must not
  // be able to stand in for ps.
  const r = await runner.run(['/bin/ps', '-axo', 'pid=,comm='], { timeoutMs: PS_TIMEOUT_MS });
  if (isMissingTool(r)) {
    part.notes.push(note('warning', '/bin/ps is missing; running processes not inventoried'));
    return part;
  }
  if (r.spawnError) {
    part.notes.push(
      note(
        'warning',
        `/bin/ps could not be started (${r.spawnError.code}); running processes not inventoried`,
      ),
    );
    return part;
  }
  if (r.timedOut || r.exitCode !== 0) {
    const why = r.timedOut
      ? `timed out after ${PS_TIMEOUT_MS / 1000} s`
      : `exited with ${r.exitCode ?? r.signal ?? '?'}`;
    const stderr = r.stderr.trim().split('\n')[0];
    part.notes.push(
      note('warning', `/bin/ps ${why}${stderr ? `: ${stderr}` : ''}; the process list may be incomplete`),
    );
  }
  part.items.push(...parsePsOutput(r.stdout));
  return part;
}
