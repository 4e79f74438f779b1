/**
 * Checks which of the catalog's paths exist on the inspected machine.
 *
 * Windows paths start with placeholders (%ProgramFiles(x86)%, %ProgramData%...) expanded from the
 * environment; Linux and macOS paths are absolute in the image under `hostRoot`. Only the last
 * segment may hold `*`, matched against the folder listing (case-insensitively on Windows and
 * macOS, whose usual file systems are).
 *
 * Linux and macOS paths are looked at through the image (links resolved inside it: `/opt ->
 * /srv/opt` in an image means the image's `/srv/opt`). A catalog path that could not be inspected
 * (a 0700 `/opt/kaspersky` scanned without root) is never taken for absent: it is a blind note.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { PathEntry, ProbeNote } from './inventory';
import type { HostOs } from '../model/host';
import { describeImageError, ImageFs, type Resolved } from '../fs/image-fs';
import { placeNote } from './notes';

const PROBE = 'paths';

async function isEmptyDir(real: string): Promise<boolean> {
  try {
    return (await readdir(real)).length === 0;
  } catch {
    return false;
  }
}

const WINDOWS_PLACEHOLDERS: [string, (env: NodeJS.ProcessEnv) => string | undefined][] = [
  ['%ProgramFiles(x86)%', (e) => e['ProgramFiles(x86)'] ?? e['PROGRAMFILES(X86)']],
  ['%ProgramFiles%', (e) => e.ProgramFiles ?? e.PROGRAMFILES],
  ['%ProgramData%', (e) => e.ProgramData ?? e.PROGRAMDATA ?? e.ALLUSERSPROFILE],
  ['%SystemRoot%', (e) => e.SystemRoot ?? e.SYSTEMROOT ?? e.windir],
  ['%SystemDrive%', (e) => e.SystemDrive ?? e.SYSTEMDRIVE],
  ['%LocalAppData%', (e) => e.LOCALAPPDATA],
  ['%AppData%', (e) => e.APPDATA],
];

/** Expands a catalog Windows path; undefined when a placeholder has no value here (e.g. no x86 folder). */
export function expandWindowsPath(p: string, env: NodeJS.ProcessEnv): string | undefined {
  let out = p;
  for (const [token, get] of WINDOWS_PLACEHOLDERS) {
    if (!out.toLowerCase().includes(token.toLowerCase())) continue;
    const value = get(env);
    if (!value) return undefined;
    out = out.replace(new RegExp(token.replace(/[()%]/g, '\\$&'), 'ig'), () => value);
  }
  if (/%[A-Za-z()0-9_]+%/.test(out)) return undefined;
  return out;
}

function globToRegExp(glob: string, caseInsensitive: boolean): RegExp {
  const body = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${body}$`, caseInsensitive ? 'iu' : 'u');
}

export interface PathHit {
  /** The catalog pattern that matched. */
  pattern: string;
  entry: PathEntry;
}

/** What the catalog's paths showed: the ones present, and the places that could not be inspected. */
export interface PathCheck {
  hits: PathHit[];
  notes: ProbeNote[];
}

type Add = (pattern: string, location: string, isDirectory: boolean, empty?: boolean) => void;

/** Windows: the live file system, placeholders expanded. */
async function checkWindowsPattern(pattern: string, env: NodeJS.ProcessEnv, add: Add): Promise<void> {
  const expanded = expandWindowsPath(pattern, env);
  if (!expanded) return;
  const dir = path.win32.dirname(expanded);
  const last = path.win32.basename(expanded);
  if (!last.includes('*')) {
    try {
      const s = await stat(expanded);
      add(pattern, expanded, s.isDirectory(), s.isDirectory() && (await isEmptyDir(expanded)));
    } catch {
      /* absent */
    }
    return;
  }
  const re = globToRegExp(last, true);
  let names: string[] = [];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const n of names) {
    if (!re.test(n)) continue;
    const full = path.win32.join(dir, n);
    try {
      const isDir = (await stat(full)).isDirectory();
      add(pattern, full, isDir, isDir && (await isEmptyDir(full)));
    } catch {
      /* raced away */
    }
  }
}

/** Linux and macOS: the image, through {@link ImageFs}; what cannot be inspected goes to `notes`. */
async function checkImagePattern(
  fs: ImageFs,
  os: HostOs,
  pattern: string,
  add: Add,
  notes: ProbeNote[],
): Promise<void> {
  const blind = (place: string, e: unknown, what = 'this catalog path'): void => {
    const n = placeNote(PROBE, place, describeImageError(e), what);
    if (n) notes.push(n);
  };
  /** Adds `p` when it is there; a folder that cannot be listed is not called empty. */
  const addPresent = async (p: string, base?: Resolved): Promise<void> => {
    let st;
    try {
      st = await fs.stat(p, base);
    } catch (e) {
      blind(p, e);
      return;
    }
    if (st.kind !== 'dir') return add(pattern, p, false);
    try {
      add(pattern, p, true, (await fs.names(st.resolved)).length === 0);
    } catch (e) {
      add(pattern, p, true, false);
      blind(p, e, 'what this folder holds');
    }
  };
  const last = path.posix.basename(pattern);
  if (!last.includes('*')) return addPresent(pattern);
  const dirPath = path.posix.dirname(pattern);
  let dir: Resolved;
  let names: string[];
  try {
    dir = await fs.resolve(dirPath);
    names = (await fs.names(dir)).map((e) => e.name);
  } catch (e) {
    blind(dirPath, e, `the folder of the catalog path ${pattern}`);
    return;
  }
  const re = globToRegExp(last, os === 'macos');
  for (const n of names) if (re.test(n)) await addPresent(path.posix.join(dirPath, n));
}

/** Resolves catalog path patterns on the inspected machine. */
export async function checkPaths(
  patterns: readonly string[],
  ctx: { os: HostOs; hostRoot: string; env?: NodeJS.ProcessEnv },
): Promise<PathCheck> {
  const hits: PathHit[] = [];
  const notes: ProbeNote[] = [];
  const seen = new Set<string>();
  const add: Add = (pattern, location, isDirectory, empty = false) => {
    const key = `${pattern}\0${location}`;
    if (seen.has(key)) return;
    seen.add(key);
    hits.push({ pattern, entry: { kind: 'file', location, isDirectory, ...(isDirectory ? { empty } : {}) } });
  };
  const fs = new ImageFs(ctx.hostRoot);
  await Promise.all(
    patterns.map((pattern) =>
      ctx.os === 'windows'
        ? checkWindowsPattern(pattern, ctx.env ?? process.env, add)
        : checkImagePattern(fs, ctx.os, pattern, add, notes),
    ),
  );
  // Patterns run concurrently: sort the notes so the output does not depend on timing.
  const unique = [...new Map(notes.map((n) => [n.message, n])).values()];
  unique.sort((a, b) => (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
  return { hits, notes: unique };
}
