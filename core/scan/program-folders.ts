/**
 * Which folders found by a vendor-wide wildcard (`/opt/kaspersky/*`, `...\Kaspersky Lab\*`) hold
 * programs: such a folder is an installed product of the vendor in its own right, named by the
 * catalog or not, while a folder of logs or settings is a trace. A program is an executable file
 * (an executable bit on Linux and macOS; .exe, .dll, .sys on Windows), looked for a few levels
 * down within a budget. A folder that cannot be looked into is taken to hold programs: a banned
 * product is never reported absent because its folder could not be read.
 */
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { ImageFs, type Resolved } from '../fs/image-fs';
import type { PathHit } from '../host/paths';
import type { HostOs } from '../model/host';
import { isProgramFolder } from './evidence/file';

const MAX_DEPTH = 4;
const MAX_ENTRIES = 5000;
const WINDOWS_PROGRAM = /\.(exe|dll|sys|msi|com)$/i;

/** Whether a hit comes from a wildcard pattern and is a non-empty folder in a program place. */
export function isWildcardProgramFolder(hit: PathHit): boolean {
  const last = hit.pattern.split(/[\\/]/).pop() ?? '';
  return (
    last.includes('*') && hit.entry.isDirectory && !hit.entry.empty && isProgramFolder(hit.entry.location)
  );
}

async function imageHoldsPrograms(fs: ImageFs, location: string): Promise<boolean> {
  let budget = MAX_ENTRIES;
  const walk = async (dir: Resolved, depth: number): Promise<boolean> => {
    for (const e of await fs.names(dir)) {
      if (--budget < 0) return true; // too big to look through: count it as a product
      if (e.kind === 'file') {
        const st = await lstat(path.join(dir.disk, e.name));
        if ((st.mode & 0o111) !== 0) return true;
      } else if (e.kind === 'dir' && depth < MAX_DEPTH) {
        if (await walk(await fs.resolve(e.name, dir), depth + 1)) return true;
      }
    }
    return false;
  };
  return walk(await fs.resolve(location), 0);
}

async function windowsHoldsPrograms(location: string): Promise<boolean> {
  let budget = MAX_ENTRIES;
  const walk = async (dir: string, depth: number): Promise<boolean> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (--budget < 0) return true;
      if (e.isFile() && WINDOWS_PROGRAM.test(e.name)) return true;
      if (e.isDirectory() && depth < MAX_DEPTH && (await walk(path.win32.join(dir, e.name), depth + 1)))
        return true;
    }
    return false;
  };
  return walk(location, 0);
}

/** The locations, among the wildcard hits, of folders that hold programs. */
export async function programFolders(
  hits: readonly PathHit[],
  target: { os: HostOs; root: string },
): Promise<Set<string>> {
  const out = new Set<string>();
  const fs = target.os === 'windows' ? undefined : new ImageFs(target.root);
  for (const hit of hits) {
    if (!isWildcardProgramFolder(hit)) continue;
    const location = hit.entry.location;
    let holds: boolean;
    try {
      holds = fs ? await imageHoldsPrograms(fs, location) : await windowsHoldsPrograms(location);
    } catch {
      holds = true;
    }
    if (holds) out.add(location);
  }
  return out;
}
