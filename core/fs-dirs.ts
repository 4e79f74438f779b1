/**
 * Creating folders without Node's recursive mkdir.
 *
 * Node 20's `mkdirSync(dir, { recursive: true })` spins forever at full CPU when the OS answers
 * ENOENT for a folder whose parent exists (as under /proc, and on some network file systems):
 * a data folder given by mistake must fail with a message, not hang the machine. This walks the
 * path one level at a time with plain mkdir and lets every error through.
 */
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** Creates `dir` and its missing parents (new folders get `mode`); throws on any failure. */
export function ensureDir(dir: string, mode = 0o777): void {
  const p = path.resolve(dir);
  const missing: string[] = [];
  let cur = p;
  for (;;) {
    try {
      if (!statSync(cur).isDirectory()) {
        const e = new Error(
          `ENOTDIR: not a directory, mkdir '${p}' (${cur} is a file)`,
        ) as NodeJS.ErrnoException;
        e.code = 'ENOTDIR';
        throw e;
      }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      missing.push(cur);
      const parent = path.dirname(cur);
      if (parent === cur) break;
      cur = parent;
    }
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d, { mode });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}
