/**
 * Reading an inspected machine's files through its root folder, safely.
 *
 * With `--host-root DIR` the machine being inspected is a folder (a mounted image, a test bed).
 * Its symlinks point at *its* `/`, not ours: following them naively could read the scanning
 * machine's own files and report them as the image's. These helpers resolve paths inside the
 * root and never follow a link that leaves it.
 */
import { lstat, readdir, readFile, realpath } from 'node:fs/promises';
import type { Dirent } from 'node:fs';
import path from 'node:path';

/** Joins an absolute in-image path (`/opt/x`) onto the root folder. */
export function underRoot(root: string, p: string): string {
  if (root === '/' || root === '') return p;
  return path.join(root, p);
}

/** True when `real` is `root` or inside it. */
function inside(root: string, real: string): boolean {
  const rel = path.relative(root, real);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Resolves an in-image path to a real path inside the root, or undefined when it does not exist
 * or a symlink leads outside the root.
 */
export async function resolveInRoot(root: string, p: string): Promise<string | undefined> {
  const joined = underRoot(root, p);
  try {
    const real = await realpath(joined);
    if (root === '/' || root === '') return real;
    const realRoot = await realpath(root);
    return inside(realRoot, real) ? real : undefined;
  } catch {
    return undefined;
  }
}

/** Reads a file of the inspected machine, or undefined when absent, unreadable or outside the root. */
export async function readInRoot(root: string, p: string): Promise<Buffer | undefined> {
  const real = await resolveInRoot(root, p);
  if (!real) return undefined;
  try {
    return await readFile(real);
  } catch {
    return undefined;
  }
}

/** Lists a folder of the inspected machine; undefined when it is absent or unreadable. */
export async function listInRoot(root: string, p: string): Promise<Dirent[] | undefined> {
  const real = await resolveInRoot(root, p);
  if (!real) return undefined;
  try {
    return await readdir(real, { withFileTypes: true });
  } catch {
    return undefined;
  }
}

/** Whether a path exists in the image (without following links out of it), and if it is a folder. */
export async function statInRoot(root: string, p: string): Promise<{ isDirectory: boolean } | undefined> {
  const real = await resolveInRoot(root, p);
  if (!real) return undefined;
  try {
    const s = await lstat(real);
    return { isDirectory: s.isDirectory() };
  } catch {
    return undefined;
  }
}
