/**
 * What the removal planner needs to know about the machine, read once, before planning.
 *
 * The planner (`core/remove/plan.ts` and the tools under `core/remove/tools/`) reads nothing
 * itself: it decides from the scan, the catalog and these facts. So the I/O is here, and a test can
 * hand the planner any machine (a Mac whose uninstaller is group-writable, an image without a
 * shell) and see what Divest would do there. The facts are gathered again for every plan, so a
 * resumed plan is re-derived from the machine as it is now.
 */
import { access, lstat, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { Catalog } from '../model/catalog';
import type { HostOs } from '../model/host';

/** The `lstat` of a file, and where it really leads (links resolved). */
export interface FileFacts {
  isFile: boolean;
  uid: number;
  mode: number;
  /** The path with every link resolved; absent when it cannot be resolved. */
  realPath?: string;
}

/** What is planned against: the OS, the folder inspected as `/`, and whether it is this machine. */
export interface FactsTarget {
  os: HostOs;
  root: string;
  live: boolean;
}

export interface MachineFacts {
  os: HostOs;
  /** The folder inspected as `/` (`/` for the live system and Windows). */
  root: string;
  live: boolean;
  /** The user Divest runs as (POSIX uid); absent on Windows. */
  uid?: number;
  /**
   * Package tools of THIS machine (they run here, also against an image), by absolute path when
   * they are in a standard place; absent: looked up on PATH.
   */
  binaries: { dpkg?: string; rpm?: string };
  /** For a Linux image: whether it has `/bin/sh` or `/usr/bin/sh` (links followed inside it). */
  imageHasShell?: boolean;
  /** macOS, live: the `lstat` of each vendor uninstaller the catalog names that exists, by path. */
  uninstallers: Record<string, FileFacts>;
}

const SYSTEM_DIRS = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'];

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}

/** A tool of this machine by absolute path when it is in a standard place. */
async function systemBinary(name: string): Promise<string | undefined> {
  for (const dir of SYSTEM_DIRS) if (await exists(`${dir}/${name}`)) return `${dir}/${name}`;
  return undefined;
}

/**
 * Resolves an absolute in-image path the way a chroot into `root` would: absolute links restart at
 * the image's `/`, `..` never climbs above it. Undefined when a part is missing or links loop.
 */
async function resolveChrooted(root: string, p: string): Promise<string | undefined> {
  let rest = p.split('/').filter((s) => s !== '' && s !== '.');
  let done: string[] = [];
  for (let hops = 0; rest.length > 0;) {
    const name = rest.shift() as string;
    if (name === '..') {
      done.pop();
      continue;
    }
    const full = path.join(root, ...done, name);
    try {
      if (!(await lstat(full)).isSymbolicLink()) {
        done.push(name);
        continue;
      }
      if (++hops > 40) return undefined;
      const target = await readlink(full);
      if (target.startsWith('/')) done = [];
      rest = [...target.split('/').filter((s) => s !== '' && s !== '.'), ...rest];
    } catch {
      return undefined;
    }
  }
  return path.join(root, ...done);
}

/** True when the image has a shell in which its maintainer scripts could run chrooted. */
async function imageHasShell(root: string): Promise<boolean> {
  for (const sh of ['/bin/sh', '/usr/bin/sh']) {
    const real = await resolveChrooted(root, sh);
    if (real && (await lstat(real).catch(() => undefined))?.isFile()) return true;
  }
  return false;
}

async function fileFacts(p: string): Promise<FileFacts | undefined> {
  try {
    const st = await lstat(p);
    const real = await realpath(p).catch(() => undefined);
    return { isFile: st.isFile(), uid: st.uid, mode: st.mode, ...(real ? { realPath: real } : {}) };
  } catch {
    return undefined;
  }
}

/** Reads what the planner needs to know about `target` for the products of `catalog`. */
export async function gatherFacts(target: FactsTarget, catalog: Catalog): Promise<MachineFacts> {
  const facts: MachineFacts = {
    os: target.os,
    root: target.root,
    live: target.live,
    binaries: {},
    uninstallers: {},
  };
  if (target.os !== 'windows' && typeof process.getuid === 'function') facts.uid = process.getuid();
  if (target.os === 'linux') {
    const [dpkg, rpm] = await Promise.all([systemBinary('dpkg'), systemBinary('rpm')]);
    facts.binaries = { ...(dpkg ? { dpkg } : {}), ...(rpm ? { rpm } : {}) };
    if (!target.live) facts.imageHasShell = await imageHasShell(target.root);
  }
  if (target.os === 'macos' && target.live) {
    const paths = new Set(
      catalog.products.flatMap((p) => p.removal?.macos?.uninstallers ?? []).map((u) => u.path),
    );
    for (const p of paths) {
      const f = await fileFacts(p);
      if (f) facts.uninstallers[p] = f;
    }
  }
  return facts;
}
