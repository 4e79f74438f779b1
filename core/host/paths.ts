/**
 * Checks which of the catalog's paths exist on the inspected machine.
 *
 * Windows paths start with placeholders (%ProgramFiles(x86)%, %ProgramData%...) expanded from the
 * environment; Linux and macOS paths are absolute in the image under `hostRoot`. Only the last
 * segment may hold `*`, matched against the folder listing (case-insensitively on Windows and
 * macOS, whose usual file systems are).
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { PathEntry } from './inventory';
import type { HostOs } from '../model/host';
import { listInRoot, resolveInRoot, statInRoot } from './fs-root';

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

/** Resolves catalog path patterns on the inspected machine. */
export async function checkPaths(
  patterns: readonly string[],
  ctx: { os: HostOs; hostRoot: string; env?: NodeJS.ProcessEnv },
): Promise<PathHit[]> {
  const hits: PathHit[] = [];
  const seen = new Set<string>();
  const add = (pattern: string, location: string, isDirectory: boolean, empty = false): void => {
    const key = `${pattern}\0${location}`;
    if (seen.has(key)) return;
    seen.add(key);
    hits.push({ pattern, entry: { kind: 'file', location, isDirectory, ...(isDirectory ? { empty } : {}) } });
  };
  const emptyInRoot = async (p: string): Promise<boolean> => {
    const real = await resolveInRoot(ctx.hostRoot, p);
    return real ? isEmptyDir(real) : false;
  };

  await Promise.all(
    patterns.map(async (pattern) => {
      if (ctx.os === 'windows') {
        const expanded = expandWindowsPath(pattern, ctx.env ?? process.env);
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
        return;
      }
      const dir = path.posix.dirname(pattern);
      const last = path.posix.basename(pattern);
      if (!last.includes('*')) {
        const s = await statInRoot(ctx.hostRoot, pattern);
        if (s) add(pattern, pattern, s.isDirectory, s.isDirectory && (await emptyInRoot(pattern)));
        return;
      }
      const re = globToRegExp(last, ctx.os === 'macos');
      for (const e of (await listInRoot(ctx.hostRoot, dir)) ?? []) {
        if (!re.test(e.name)) continue;
        const p = path.posix.join(dir, e.name);
        const s = await statInRoot(ctx.hostRoot, p);
        if (s) add(pattern, p, s.isDirectory, s.isDirectory && (await emptyInRoot(p)));
      }
    }),
  );
  return hits;
}
