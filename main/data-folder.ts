/**
 * Where the app (running as the user) keeps its journal, signing key and logs.
 *
 * The default is core's `defaultDataDir()`; on Windows and macOS that is the machine's folder
 * (`%ProgramData%\Divest`, `/Library/Application Support/Divest`), which the installers make
 * administrators-only for writing. Whether the app may write there is found out by really opening
 * a file there for appending (and deleting it): `fs.access` does not read Windows ACLs (Node's
 * documentation says so), so it would say yes where Windows then refuses. When the answer is no,
 * the app uses a folder of its own in the user's app data and says where and why.
 */
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ensureDir } from '../core/fs-dirs';

/** Opens a new file in `dir` for appending, writes a byte, closes and deletes it. */
export function probeAppend(dir: string): { ok: true } | { ok: false; reason: string } {
  const probe = path.join(dir, `.divest-write-check-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    ensureDir(dir);
    // 'ax': append, and fail if the name exists (never reuse a file someone put there).
    const fd = openSync(probe, 'ax', 0o600);
    try {
      writeSync(fd, '\n');
    } finally {
      closeSync(fd);
    }
    rmSync(probe, { force: true });
    return { ok: true };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { ok: false, reason: err.code ?? err.message };
  }
}

/** The chosen data folder and, when it is not the one asked for, why. */
export interface DataFolderChoice {
  dir: string;
  /** One sentence for the UI, or null when the wanted folder is used. */
  note: string | null;
}

/** Uses `wanted` when the app can write there, else `fallback` (created), with the reason. */
export function chooseDataFolder(
  wanted: string,
  fallback: string,
  probe: (dir: string) => { ok: true } | { ok: false; reason: string } = probeAppend,
): DataFolderChoice {
  const w = probe(wanted);
  if (w.ok) return { dir: wanted, note: null };
  const f = probe(fallback);
  if (!f.ok)
    throw new Error(
      `Divest can write neither ${wanted} (${w.reason}) nor ${fallback} (${f.reason}): it needs one folder for its journal.`,
    );
  return {
    dir: fallback,
    note: `Divest keeps your journal and receipts in ${fallback}, because ${wanted} is the machine's folder and only administrators may write there (opening a file there for writing was refused: ${w.reason}). A removal run with administrator rights is recorded in both.`,
  };
}
