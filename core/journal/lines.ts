/**
 * Reading journal lines as bytes: forward in chunks (for verification of files of any size) and
 * backward from the end (to find the head without reading the whole file).
 *
 * Lines are bytes, not strings, because the hash chain is over the exact bytes on disk.
 *
 * The journal is opened without following links and only when it is a regular file (see
 * core/fs/read-file.ts): a journal replaced by a link to `/etc/passwd` is refused, not quoted back,
 * and one replaced by a FIFO is refused instead of blocking the reader forever.
 */
import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { openRegularFile } from '../fs/read-file';
import { hashLine } from './event.js';

const NEWLINE = 0x0a;
const DEFAULT_CHUNK = 1024 * 1024;
/**
 * The longest line kept in memory while reading (16 MiB).
 *
 * Longer lines are hashed but not kept, and reported as malformed: no event is that large.
 */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

/**
 * One physical line of the journal file.
 *
 * `bytes` is null when the line is longer than the reader's limit: it is still hashed, so the chain
 * check of the next line stays exact.
 */
export interface RawLine {
  /** 1-based line number. */
  number: number;
  /** Byte offset of the first byte of the line. */
  offset: number;
  bytes: Buffer | null;
  byteLength: number;
  /** SHA-256 hex of the line's bytes (without the line end). */
  hash: string;
  /** False for a last line that is not followed by a line end. */
  terminated: boolean;
}

/**
 * Options of {@link readLines}.
 *
 * `start` and `firstLine` let verification resume from a known good position (a checkpoint).
 */
export interface ReadLinesOptions {
  /** Byte offset to start at; must be the start of a line. */
  start?: number;
  /** The number of the line at `start`. */
  firstLine?: number;
  maxLineBytes?: number;
  chunkBytes?: number;
}

function isNotFound(e: unknown): boolean {
  return typeof e === 'object' && e !== null && 'code' in e && e.code === 'ENOENT';
}

/** Opens the journal for reading (a regular file, not through a link); null when it does not exist. */
async function openJournal(file: string): Promise<{ handle: FileHandle; size: number } | null> {
  try {
    const { handle, stats } = await openRegularFile(file, { what: 'journal' });
    return { handle, size: stats.size };
  } catch (e) {
    if (isNotFound(e)) return null;
    throw e;
  }
}

/**
 * Yields every line of `file` in order, reading fixed-size chunks.
 *
 * Memory stays bounded by the chunk size plus the longest line (capped), so a 1 GB journal is
 * verified without loading it. A missing file yields nothing; a link or a file that is not a
 * regular file is refused (`FileRefusedError`).
 */
export async function* readLines(file: string, options: ReadLinesOptions = {}): AsyncGenerator<RawLine> {
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK;
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const opened = await openJournal(file);
  if (!opened) return;
  const { handle } = opened;
  try {
    let position = options.start ?? 0;
    let lineNumber = options.firstLine ?? 1;
    let lineStart = position;
    let pieces: Buffer[] = [];
    let length = 0;
    let hasher: Hash | null = null;

    const add = (segment: Buffer): void => {
      if (segment.length === 0) return;
      if (hasher) {
        hasher.update(segment);
      } else if (length + segment.length > maxLineBytes) {
        hasher = createHash('sha256');
        for (const p of pieces) hasher.update(p);
        hasher.update(segment);
        pieces = [];
      } else {
        pieces.push(segment);
      }
      length += segment.length;
    };
    const emit = (terminated: boolean): RawLine => {
      let bytes: Buffer | null = null;
      let hash: string;
      if (hasher) {
        hash = hasher.digest('hex');
      } else {
        bytes = pieces.length === 1 && pieces[0] ? pieces[0] : Buffer.concat(pieces, length);
        hash = hashLine(bytes);
      }
      const line: RawLine = {
        number: lineNumber,
        offset: lineStart,
        bytes,
        byteLength: length,
        hash,
        terminated,
      };
      lineNumber += 1;
      lineStart += length + (terminated ? 1 : 0);
      pieces = [];
      length = 0;
      hasher = null;
      return line;
    };

    for (;;) {
      // A fresh buffer per read: slices of it are handed out and may outlive the next read.
      const chunk = Buffer.allocUnsafe(chunkBytes);
      const { bytesRead } = await handle.read(chunk, 0, chunkBytes, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      let i = 0;
      while (i < bytesRead) {
        const nl = chunk.indexOf(NEWLINE, i);
        const end = nl === -1 || nl >= bytesRead ? bytesRead : nl;
        add(chunk.subarray(i, end));
        if (end === bytesRead) break;
        yield emit(true);
        i = end + 1;
      }
    }
    if (length > 0) yield emit(false);
  } finally {
    await handle.close();
  }
}

/**
 * The end of the journal file as found by reading backward from its end.
 *
 * Enough to chain the next event (`lastLine`) and to name the head (`lastEvent`) cheaply.
 */
export interface Tail {
  size: number;
  /** The physically last line, or null for an empty or missing file. */
  lastLine: { bytes: Buffer; hash: string; terminated: boolean } | null;
  /** The last line that parses as an event (by `parse`), with its hash. */
  lastEvent: { seq: number; hash: string } | null;
}

/**
 * Reads the file backward from its end until the last line and the last event line are found.
 *
 * Starts with 64 KiB and widens the window when a line is longer; `parseSeq` returns the `seq` of a
 * line that is a valid event, or null.
 */
export async function readTail(file: string, parseSeq: (bytes: Buffer) => number | null): Promise<Tail> {
  const opened = await openJournal(file);
  if (!opened) return { size: 0, lastLine: null, lastEvent: null };
  const { handle, size } = opened;
  try {
    if (size === 0) return { size, lastLine: null, lastEvent: null };
    let window = 64 * 1024;
    for (;;) {
      const start = Math.max(0, size - window);
      const buf = Buffer.allocUnsafe(size - start);
      await handle.read(buf, 0, buf.length, start);
      const terminated = buf[buf.length - 1] === NEWLINE;
      const body = terminated ? buf.subarray(0, buf.length - 1) : buf;
      const lines: Buffer[] = [];
      let from = 0;
      for (;;) {
        const nl = body.indexOf(NEWLINE, from);
        if (nl === -1) {
          lines.push(body.subarray(from));
          break;
        }
        lines.push(body.subarray(from, nl));
        from = nl + 1;
      }
      // When the window does not start at 0, its first piece may be the end of a longer line.
      const complete = start === 0 ? lines : lines.slice(1);
      const last = complete[complete.length - 1];
      if (last !== undefined) {
        const lastLine = { bytes: Buffer.from(last), hash: hashLine(last), terminated };
        for (let j = complete.length - 1; j >= 0; j -= 1) {
          const candidate = complete[j];
          if (candidate === undefined) continue;
          const seq = parseSeq(candidate);
          if (seq !== null) {
            return {
              size,
              lastLine,
              lastEvent: { seq, hash: j === complete.length - 1 ? lastLine.hash : hashLine(candidate) },
            };
          }
        }
        if (start === 0) return { size, lastLine, lastEvent: null };
      }
      if (start === 0) return { size, lastLine: null, lastEvent: null };
      window *= 4;
    }
  } finally {
    await handle.close();
  }
}
