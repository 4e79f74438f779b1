/**
 * The one way Divest reads the files of the machine it inspects, whether that is the running
 * system (`/`) or a folder that stands for one (`--host-root`: a mounted image, a test bed).
 *
 * An image's symbolic links point at *its* `/`, not ours. Node's own resolution (and `realpath`)
 * would send an image's `/opt -> /srv/opt` to this machine's `/srv/opt` and report what is there as
 * the image's, or, refusing links that leave the folder, miss the Kaspersky install behind it. Here
 * every component is `lstat`ed and links are followed by hand with the root standing for `/`: an
 * absolute target starts again from the image's root, a relative one is followed from its folder,
 * and a relative target that climbs above the root is refused (on the running system `/..` is `/`).
 * Files are read with {@link readRegularFile}: opened with `O_NOFOLLOW`, so a link swapped in
 * after resolution is refused, never followed; regular files only (a FIFO would block, a device
 * never end); never more than the caller's cap.
 *
 * Every failure is an {@link ImageFsError} whose `reason` tells "absent" (ENOENT, ENOTDIR) from
 * "could not be inspected" ({@link isBlind}: permission denied, an I/O error, a link that leaves the
 * image or loops, a file that is not a regular file or is too large): a place Divest cannot read is
 * not a place where nothing is installed.
 */
import type { Dirent, Stats } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { DivestError } from '../errors';
import { FileRefusedError, readRegularFile, readRegularFileHead } from './read-file';

/** Symlink hops allowed while resolving one path (the kernel's own limit is 40 on Linux, 32 on macOS). */
const MAX_SYMLINK_HOPS = 32;

/** Why a path of the image could not be used; the first two mean it is not there. */
export type ImageFsReason =
  'ENOENT' | 'ENOTDIR' | 'EACCES' | 'EPERM' | 'EIO' | 'ELOOP' | 'ESCAPE' | 'ENOTFILE' | 'EFBIG' | 'EOTHER';

/** A path of the inspected machine that could not be used, with the reason in words. */
export class ImageFsError extends DivestError<'invalid-input'> {
  constructor(
    readonly reason: ImageFsReason,
    /** What is wrong, in words that follow the path: `not readable (permission denied)`. */
    readonly phrase: string,
    options?: { cause?: unknown },
  ) {
    super('invalid-input', phrase, options);
    this.name = 'ImageFsError';
  }
}

/** True when the path simply is not there. */
export function isAbsent(e: ImageFsError): boolean {
  return e.reason === 'ENOENT' || e.reason === 'ENOTDIR';
}

/**
 * True when the path may be there but could not be inspected: anything but absent. Permission
 * denied (a 0700 vendor folder scanned without root), EIO, a link that leaves the image or loops,
 * a database that is a FIFO or over its cap: Divest does not know what is there.
 */
export function isBlind(e: ImageFsError): boolean {
  return !isAbsent(e);
}

const PHRASES: Partial<Record<string, [ImageFsReason, string]>> = {
  ENOENT: ['ENOENT', 'not present'],
  ENOTDIR: ['ENOTDIR', 'a path component is not a folder'],
  EACCES: ['EACCES', 'not readable (permission denied)'],
  EPERM: [
    'EPERM',
    process.platform === 'darwin'
      ? 'not readable (operation not permitted; on macOS, Full Disk Access may be needed)'
      : 'not readable (operation not permitted)',
  ],
  EIO: ['EIO', 'not readable (input/output error)'],
  ELOOP: ['ELOOP', 'too many levels of symbolic links'],
};

/** Turns anything thrown while reading the image into an {@link ImageFsError}. */
export function describeImageError(e: unknown): ImageFsError {
  if (e instanceof ImageFsError) return e;
  if (e instanceof FileRefusedError)
    return new ImageFsError(e.refusal === 'too-large' ? 'EFBIG' : 'ENOTFILE', e.reason, { cause: e });
  const code = (e as NodeJS.ErrnoException | undefined)?.code ?? 'EIO';
  const known = PHRASES[code];
  if (known) return new ImageFsError(known[0], known[1], { cause: e });
  return new ImageFsError('EOTHER', `cannot be read (${code}: ${(e as Error).message})`, { cause: e });
}

/** A path of the inspected machine resolved to components under its root (symlinks followed). */
export interface Resolved {
  /** Components from the inspected machine's `/`, after symlinks. */
  parts: readonly string[];
  /** Where that is on this machine's disk. */
  disk: string;
}

/** What an entry of a listed folder is, once links are followed. */
export type EntryKind = 'dir' | 'file' | 'other';

/** An entry of a listed folder. */
export interface Entry {
  name: string;
  /** The entry's path on the inspected machine, as listed (before symlinks). */
  real: string;
  kind: EntryKind;
  resolved: Resolved;
}

/** A link in a listed folder that could not be followed. */
export interface SkippedLink {
  /** The link's path on the inspected machine. */
  real: string;
  target: string;
  error: ImageFsError;
}

/** What `stat` says of a path of the image (after links). */
export interface ImageStat {
  kind: EntryKind;
  size: number;
  mtimeMs: number;
  resolved: Resolved;
}

function split(p: string): string[] {
  return p.split('/').filter((c) => c !== '' && c !== '.');
}

function kindOfStats(st: Stats | Dirent): EntryKind {
  return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
}

/** Code-unit order: the same on every machine, whatever its locale. */
export const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Reads the inspected machine's files through its root folder, resolving links inside it. */
export class ImageFs {
  readonly root: string;
  readonly #rootIsSystemRoot: boolean;

  constructor(hostRoot: string) {
    this.root = path.resolve(hostRoot);
    this.#rootIsSystemRoot = this.root === path.parse(this.root).root;
  }

  /** The root itself, resolved. */
  get top(): Resolved {
    return { parts: [], disk: this.root };
  }

  #disk(parts: readonly string[]): string {
    return parts.length === 0 ? this.root : path.join(this.root, ...parts);
  }

  /** The resolved path as the inspected machine names it (`/usr/lib/sysimage/rpm`). */
  shown(r: Resolved): string {
    return `/${r.parts.join('/')}`;
  }

  /** Resolves `rel` (relative to `base`, or absolute from the machine's `/`); throws {@link ImageFsError}. */
  async resolve(rel: string, base: Resolved = this.top): Promise<Resolved> {
    const parts = rel.startsWith('/') ? [] : [...base.parts];
    const pending = split(rel);
    let hops = 0;
    while (pending.length > 0) {
      const c = pending.shift() as string;
      if (c === '..') {
        if (parts.length === 0) {
          // On the running system `/..` is `/`; in an image it would be the folder above the image.
          if (this.#rootIsSystemRoot) continue;
          throw new ImageFsError(
            'ESCAPE',
            `a symbolic link on the way leads outside the inspected root (${this.root}); not followed`,
          );
        }
        parts.pop();
        continue;
      }
      parts.push(c);
      const disk = this.#disk(parts);
      let st;
      try {
        st = await lstat(disk);
      } catch (e) {
        throw describeImageError(e);
      }
      if (st.isSymbolicLink()) {
        hops += 1;
        if (hops > MAX_SYMLINK_HOPS) throw new ImageFsError('ELOOP', 'too many levels of symbolic links');
        let target: string;
        try {
          target = await readlink(disk);
        } catch (e) {
          throw describeImageError(e);
        }
        parts.pop();
        // An absolute target is absolute on the inspected machine: start again from its root.
        if (target.startsWith('/')) parts.length = 0;
        pending.unshift(...split(target));
      } else if (pending.length > 0 && !st.isDirectory()) {
        throw new ImageFsError('ENOTDIR', 'a path component is not a folder');
      }
    }
    return { parts, disk: this.#disk(parts) };
  }

  /** What is at `p` (links followed inside the image). */
  async stat(p: string, base?: Resolved): Promise<ImageStat> {
    const resolved = await this.resolve(p, base);
    try {
      const st = await lstat(resolved.disk);
      return { kind: kindOfStats(st), size: st.size, mtimeMs: st.mtimeMs, resolved };
    } catch (e) {
      throw describeImageError(e);
    }
  }

  /** Whether `name` exists in the folder `dir`, without following it if it is a link. */
  async hasEntry(dir: Resolved, name: string): Promise<boolean> {
    try {
      await lstat(path.join(dir.disk, name));
      return true;
    } catch (e) {
      const err = describeImageError(e);
      if (isAbsent(err)) return false;
      throw err;
    }
  }

  /** The raw entries of a resolved folder (names and their own types, links not followed), sorted. */
  async names(dir: Resolved): Promise<{ name: string; kind: EntryKind | 'link' }[]> {
    let dirents: Dirent[];
    try {
      dirents = await readdir(dir.disk, { withFileTypes: true });
    } catch (e) {
      throw describeImageError(e);
    }
    return dirents
      .map((d) => ({ name: d.name, kind: d.isSymbolicLink() ? ('link' as const) : kindOfStats(d) }))
      .sort((a, b) => byName(a.name, b.name));
  }

  /**
   * Lists a resolved folder: entries sorted by name, each resolved and typed (links followed inside
   * the image). `real` is the folder's path on the inspected machine, for the entries' names.
   */
  async list(dir: Resolved, real: string): Promise<{ entries: Entry[]; skipped: SkippedLink[] }> {
    const entries: Entry[] = [];
    const skipped: SkippedLink[] = [];
    for (const d of await this.names(dir)) {
      const entryReal = path.posix.join(real, d.name);
      const plain: Resolved = { parts: [...dir.parts, d.name], disk: path.join(dir.disk, d.name) };
      if (d.kind !== 'link') {
        entries.push({ name: d.name, real: entryReal, kind: d.kind, resolved: plain });
        continue;
      }
      try {
        const st = await this.stat(d.name, dir);
        entries.push({ name: d.name, real: entryReal, kind: st.kind, resolved: st.resolved });
      } catch (e) {
        const target = await readlink(plain.disk).catch(() => '?');
        skipped.push({ real: entryReal, target, error: describeImageError(e) });
      }
    }
    return { entries, skipped };
  }

  /**
   * Reads a resolved regular file of at most `maxBytes`. `what` names it in refusals (`dpkg status
   * file`); devices, FIFOs, folders and files over the cap are refused as {@link ImageFsError}s.
   */
  async readFile(file: Resolved, opts: { maxBytes: number; what: string }): Promise<Buffer> {
    try {
      return await readRegularFile(file.disk, { ...opts, shownAs: this.shown(file) });
    } catch (e) {
      throw describeImageError(e);
    }
  }

  /** Resolves and reads `p` (see {@link readFile}). */
  async read(p: string, opts: { maxBytes: number; what: string }, base?: Resolved): Promise<Buffer> {
    return this.readFile(await this.resolve(p, base), opts);
  }

  /** The first `bytes` bytes of the regular file `p` (a program's header); undefined when unreadable. */
  async readHeadOrUndefined(p: string, bytes: number, what: string): Promise<Buffer | undefined> {
    try {
      const file = await this.resolve(p);
      return await readRegularFileHead(file.disk, bytes, { what, shownAs: this.shown(file) });
    } catch {
      return undefined;
    }
  }

  /** Reads `p` as UTF-8 text; undefined when it cannot be read for any reason. */
  async readTextOrUndefined(
    p: string,
    opts: { maxBytes: number; what: string },
  ): Promise<string | undefined> {
    try {
      return (await this.read(p, opts)).toString('utf8');
    } catch {
      return undefined;
    }
  }
}
