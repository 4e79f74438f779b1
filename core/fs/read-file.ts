/**
 * Reading a file that must be a regular file: the one way Divest opens a file it did not write
 * itself in this run (a catalog, a receipt, its signing key, its journal, a file of an image).
 *
 * A plain `readFile` follows a symbolic link wherever it points, blocks forever on a named pipe
 * that nobody writes to, and reads `/dev/zero` until memory runs out. Here the file is opened with
 * `O_NOFOLLOW` (a link is refused, not followed) and `O_NONBLOCK` (opening a FIFO returns at once),
 * then `fstat`ed: anything that is not a regular file is refused by name (a FIFO, a device, a
 * folder, a socket), and a file over the caller's cap is refused before a byte is read. The read
 * itself stops at the cap, so a file that grows while it is read (or a `/proc` file that says it is
 * empty) cannot take more memory than that.
 *
 * Refusals are {@link FileRefusedError}s (`invalid-input`) with one sentence naming the file and
 * what is wrong. Errors of the OS (ENOENT, EACCES...) are thrown unchanged, so callers keep telling
 * "absent" from "unreadable".
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, type Stats } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';
import { DivestError } from '../errors';

export const KiB = 1024;
export const MiB = 1024 * KiB;

/**
 * `O_NOFOLLOW` where the OS has it (POSIX). Windows has none: there the path is `lstat`ed before
 * opening and the opened file compared with what was `lstat`ed.
 */
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const NONBLOCK = constants.O_NONBLOCK ?? 0;
/** Flags for reading: read only, never through a link, never waiting for a writer. */
export const READ_FLAGS = constants.O_RDONLY | NOFOLLOW | NONBLOCK;
/** Flags for appending to a log: created when missing, never through a link. */
export const APPEND_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | NOFOLLOW | NONBLOCK;

/** What a refused file was. */
export type RefusalKind =
  | 'symbolic-link'
  | 'fifo'
  | 'character-device'
  | 'block-device'
  | 'socket'
  | 'folder'
  | 'not-regular'
  | 'too-large';

export interface RegularFileOptions {
  /** What the file is, as it follows "The": `catalog file`, `receipt`, `dpkg status file`. */
  what: string;
  /** How to name the file in messages (an image's own path); default: the path opened. */
  shownAs?: string;
}

export interface ReadRegularOptions extends RegularFileOptions {
  /** The largest file accepted; a larger one is refused before anything is read. */
  maxBytes: number;
}

/** A file Divest will not read: not a regular file, or over its cap. */
export class FileRefusedError extends DivestError<'invalid-input'> {
  constructor(
    /** The file as named in the message. */
    readonly file: string,
    readonly refusal: RefusalKind,
    /** What is wrong, as it follows the file's name: `is a named pipe (FIFO), not a regular file`. */
    readonly reason: string,
    what: string,
  ) {
    super('invalid-input', `The ${what} ${file} ${reason}.`);
    this.name = 'FileRefusedError';
  }
}

const KIND_REASON: Record<Exclude<RefusalKind, 'too-large'>, string> = {
  'symbolic-link': 'is a symbolic link, which Divest does not follow here',
  fifo: 'is a named pipe (FIFO), not a regular file',
  'character-device': 'is a character device, not a regular file',
  'block-device': 'is a block device, not a regular file',
  socket: 'is a socket, not a regular file',
  folder: 'is a folder, not a regular file',
  'not-regular': 'is not a regular file',
};

/** What a non-regular file is, from its (l)stat. */
export function kindOf(st: Stats): Exclude<RefusalKind, 'too-large'> | 'file' {
  if (st.isFile()) return 'file';
  if (st.isSymbolicLink()) return 'symbolic-link';
  if (st.isFIFO()) return 'fifo';
  if (st.isCharacterDevice()) return 'character-device';
  if (st.isBlockDevice()) return 'block-device';
  if (st.isSocket()) return 'socket';
  if (st.isDirectory()) return 'folder';
  return 'not-regular';
}

/** `8 MiB`, `1.5 GiB`, `640 KiB`, `12 bytes`. */
export function formatSize(bytes: number): string {
  const units: [number, string][] = [
    [1024 * MiB, 'GiB'],
    [MiB, 'MiB'],
    [KiB, 'KiB'],
  ];
  for (const [size, unit] of units) {
    if (bytes >= size) {
      const n = bytes / size;
      return `${Number.isInteger(n) ? n : n.toFixed(1)} ${unit}`;
    }
  }
  return `${bytes} byte${bytes === 1 ? '' : 's'}`;
}

function refuseKind(file: string, kind: Exclude<RefusalKind, 'too-large'>, what: string): FileRefusedError {
  return new FileRefusedError(file, kind, KIND_REASON[kind], what);
}

function refuseSize(file: string, size: number | 'more', maxBytes: number, what: string): FileRefusedError {
  const reason =
    size === 'more'
      ? `grew past the ${formatSize(maxBytes)} limit while it was read`
      : `is ${formatSize(size)} (${size} bytes), over the ${formatSize(maxBytes)} limit`;
  return new FileRefusedError(file, 'too-large', reason, what);
}

function errnoOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string'
    ? e.code
    : undefined;
}

/**
 * Open errors that mean "this is not a regular file" rather than "cannot be reached": ELOOP (or
 * BSD's EMLINK) for `O_NOFOLLOW` on a link, ENXIO for a socket or a FIFO opened for writing with no
 * reader, EISDIR for a folder opened for writing (or on Windows).
 */
const NOT_A_FILE_ERRNOS = new Set(['ELOOP', 'EMLINK', 'ENXIO', 'EISDIR', 'EOPNOTSUPP']);

function checkOpened(file: string, st: Stats, opts: RegularFileOptions): void {
  const kind = kindOf(st);
  if (kind !== 'file') throw refuseKind(opts.shownAs ?? file, kind, opts.what);
}

function sameFile(a: Stats, b: Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

/**
 * Opens `file` with `flags` (default: for reading) after the checks above, and returns the open
 * file with its `fstat`. Refuses links and non-regular files; OS errors are thrown unchanged.
 */
export async function openRegularFile(
  file: string,
  opts: RegularFileOptions,
  flags = READ_FLAGS,
  mode = 0o600,
): Promise<{ handle: FileHandle; stats: Stats }> {
  const shown = opts.shownAs ?? file;
  let before: Stats | undefined;
  if (NOFOLLOW === 0) {
    before = await lstat(file).catch((e: unknown) => {
      if (errnoOf(e) === 'ENOENT' && flags & constants.O_CREAT) return undefined;
      throw e;
    });
    if (before) checkOpened(file, before, opts);
  }
  let handle: FileHandle;
  try {
    handle = await open(file, flags, mode);
  } catch (e) {
    if (!NOT_A_FILE_ERRNOS.has(errnoOf(e) ?? '')) throw e;
    const st = await lstat(file).catch(() => undefined);
    const kind = st ? kindOf(st) : 'file';
    if (kind === 'file') throw e;
    throw refuseKind(shown, kind, opts.what);
  }
  try {
    const stats = await handle.stat();
    checkOpened(file, stats, opts);
    if (before && !sameFile(before, stats)) throw refuseKind(shown, 'symbolic-link', opts.what);
    return { handle, stats };
  } catch (e) {
    await handle.close();
    throw e;
  }
}

/** {@link openRegularFile}, blocking: for the few callers that must stay synchronous. */
export function openRegularFileSync(
  file: string,
  opts: RegularFileOptions,
  flags = READ_FLAGS,
  mode = 0o600,
): { fd: number; stats: Stats } {
  const shown = opts.shownAs ?? file;
  let before: Stats | undefined;
  if (NOFOLLOW === 0) {
    try {
      before = lstatSync(file);
    } catch (e) {
      if (!(errnoOf(e) === 'ENOENT' && flags & constants.O_CREAT)) throw e;
    }
    if (before) checkOpened(file, before, opts);
  }
  let fd: number;
  try {
    fd = openSync(file, flags, mode);
  } catch (e) {
    if (!NOT_A_FILE_ERRNOS.has(errnoOf(e) ?? '')) throw e;
    let kind: ReturnType<typeof kindOf> = 'file';
    try {
      kind = kindOf(lstatSync(file));
    } catch {
      /* gone meanwhile: report the open error */
    }
    if (kind === 'file') throw e;
    throw refuseKind(shown, kind, opts.what);
  }
  try {
    const stats = fstatSync(fd);
    checkOpened(file, stats, opts);
    if (before && !sameFile(before, stats)) throw refuseKind(shown, 'symbolic-link', opts.what);
    return { fd, stats };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/**
 * The `lstat` of `file` when it is a regular file, undefined when it does not exist; anything else
 * (a link, a FIFO, a device, a folder) is refused with a {@link FileRefusedError}.
 */
export function lstatRegularSync(file: string, opts: RegularFileOptions): Stats | undefined {
  let st: Stats;
  try {
    st = lstatSync(file);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return undefined;
    throw e;
  }
  checkOpened(file, st, opts);
  return st;
}

/**
 * The bytes read so far, in a buffer that grows up to the cap + 1 (one byte more than allowed, to
 * see that a file goes past it without reading any further).
 */
class CappedBuffer {
  #buf: Buffer;
  #total = 0;

  constructor(
    private readonly size: number,
    private readonly opts: ReadRegularOptions & { shown: string },
  ) {
    if (size > opts.maxBytes) throw refuseSize(opts.shown, size, opts.maxBytes, opts.what);
    this.#buf = Buffer.allocUnsafe(Math.min(opts.maxBytes + 1, Math.max(size + 1, 4 * KiB)));
  }

  /** Where the next read goes. */
  room(): { buffer: Buffer; offset: number; length: number } {
    if (this.#total === this.#buf.length) {
      this.#checkCap();
      const bigger = Buffer.allocUnsafe(Math.min(this.opts.maxBytes + 1, this.#buf.length * 2));
      this.#buf.copy(bigger, 0, 0, this.#total);
      this.#buf = bigger;
    }
    return { buffer: this.#buf, offset: this.#total, length: this.#buf.length - this.#total };
  }

  /**
   * Counts `bytesRead`; true when the file's whole size (as `fstat` gave it) has been read. A file
   * that says it is empty (`/proc`) is read until its end instead.
   */
  complete(bytesRead: number): boolean {
    this.#total += bytesRead;
    return this.size > 0 && this.#total >= this.size;
  }

  result(): Buffer {
    this.#checkCap();
    return this.#buf.subarray(0, this.#total);
  }

  #checkCap(): void {
    if (this.#total > this.opts.maxBytes)
      throw refuseSize(this.opts.shown, 'more', this.opts.maxBytes, this.opts.what);
  }
}

/**
 * Reads a whole regular file of at most `maxBytes`.
 *
 * Throws {@link FileRefusedError} for a link, a FIFO, a device, a folder or a socket, and for a
 * file over the cap (before reading when its size says so, else as soon as the read passes it).
 */
export async function readRegularFile(file: string, opts: ReadRegularOptions): Promise<Buffer> {
  const { handle, stats } = await openRegularFile(file, opts);
  try {
    const out = new CappedBuffer(stats.size, { ...opts, shown: opts.shownAs ?? file });
    for (;;) {
      const { buffer, offset, length } = out.room();
      const { bytesRead } = await handle.read(buffer, offset, length, null);
      if (bytesRead === 0 || out.complete(bytesRead)) return out.result();
    }
  } finally {
    await handle.close();
  }
}

/** The first `bytes` bytes (or fewer) of a regular file, opened as {@link readRegularFile} opens it. */
export async function readRegularFileHead(
  file: string,
  bytes: number,
  opts: RegularFileOptions,
): Promise<Buffer> {
  const { handle } = await openRegularFile(file, opts);
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** {@link readRegularFile}, blocking: for the catalog, the receipt given to verify, and the key. */
export function readRegularFileSync(file: string, opts: ReadRegularOptions): Buffer {
  const { fd, stats } = openRegularFileSync(file, opts);
  try {
    const out = new CappedBuffer(stats.size, { ...opts, shown: opts.shownAs ?? file });
    for (;;) {
      const { buffer, offset, length } = out.room();
      const bytesRead = readSync(fd, buffer, offset, length, null);
      if (bytesRead === 0 || out.complete(bytesRead)) return out.result();
    }
  } finally {
    closeSync(fd);
  }
}
