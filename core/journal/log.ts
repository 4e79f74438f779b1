/**
 * The hash-chained log under Divest's journal: append-only, one JSON event per line.
 *
 * One JSON event per line (`<dataDir>/journal.jsonl`), each line carrying the SHA-256 of the line
 * before it (see `event.ts`), appended with fsync and never rewritten. Damage (a cut-off tail, an
 * edited, deleted or moved line, a foreign line) is found by {@link HashChainLog.verify} and named with
 * its line (see `chain.ts`). The app keeps working after damage: the next append first records a
 * `journal-break` event that lists the damage and links to the physically previous line, so the
 * chain continues from there. The damage stays reported (`intact` stays false) but is marked as
 * acknowledged, and the lines after the break verify normally.
 *
 * Appends from several processes (the CLI and the app) are serialised by a lock file next to the
 * journal (`journal.jsonl.lock`, see `lock.ts`). The first append of a {@link HashChainLog} object checks
 * the whole file; later ones only check what other processes appended since (a checkpoint), so an
 * append does not re-read the whole file.
 *
 * Secrets (uninstall passwords) must never reach the journal: callers pass them to `append`, which
 * refuses to write a line that contains any of them.
 */
import { closeSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  ChainVerifier,
  parseEventLine,
  type ChainCheckpoint,
  type JournalProblem,
  type VerifyReport,
} from './chain.js';
import { BREAK_EVENT_TYPE, EVENT_TYPE_PATTERN, LogEvent, hashLine } from './event.js';
import { DEFAULT_MAX_LINE_BYTES, readLines, readTail, type RawLine } from './lines.js';
import { withFileLock, type LockOptions } from './lock.js';
import { DivestError } from '../errors';
import { ensureDir } from '../fs-dirs';
import { APPEND_FLAGS, lstatRegularSync, openRegularFileSync } from '../fs/read-file';

/** How the journal is named in refusals ("The journal ... is a symbolic link, ..."). */
const JOURNAL = { what: 'journal' };

export type { JournalProblem, JournalHead, VerifyReport } from './chain.js';
export { GENESIS_HASH, LogEvent } from './event.js';

/**
 * Options of {@link openLog}.
 *
 * All optional; tests use `now` for fixed timestamps and `lock` for short time-outs.
 */
export interface LogOptions {
  lock?: LockOptions;
  /** Longest line accepted when writing and reading (default 16 MiB). */
  maxLineBytes?: number;
  /** Clock for the `at` field. */
  now?: () => Date;
}

/**
 * Options of {@link HashChainLog.append}.
 *
 * `secrets` are the strings that must not be written (passwords given to an uninstaller).
 */
export interface AppendOptions {
  secrets?: readonly string[];
}

/**
 * One event read back, with where it is in the file.
 *
 * The line number matches the ones in verification problems; the hash is the line's own hash.
 */
export interface LogEntry {
  line: number;
  hash: string;
  event: LogEvent;
}

/**
 * The events that could be read, and the verification report of the same pass.
 *
 * Readers (log viewer, resume after reboot) get both in one read of the file.
 */
export interface LogReadResult {
  events: LogEntry[];
  report: VerifyReport;
}

/**
 * An open hash-chained log file: any event type, any payload object.
 *
 * Cheap to create (nothing is read until used). Divest's own events go through the typed journal
 * (`journal.ts`), which validates payloads; this layer only guarantees the chain.
 */
export interface HashChainLog {
  readonly file: string;
  /**
   * Appends one event and returns it as written.
   *
   * Throws {@link JournalSecretError} (writing nothing) when the line would contain a secret.
   */
  append(type: string, data: Record<string, unknown>, options?: AppendOptions): Promise<LogEvent>;
  /** Verifies the whole chain, streaming the file. */
  verify(): Promise<VerifyReport>;
  /** Reads every event that can be read, with the verification report of the same pass. */
  readEvents(): Promise<LogReadResult>;
  /** The last valid event's seq and line hash, read from the end of the file; null when there is none. */
  head(): Promise<{ seq: number; hash: string } | null>;
}

/**
 * A line was refused because it contained a secret.
 *
 * The message does not repeat the secret; nothing was written.
 */
export class JournalSecretError extends DivestError<'journal-secret'> {
  constructor(type: string) {
    super('journal-secret', `refused to write a "${type}" event to the journal: it contains a secret`);
  }
}

/**
 * Opens (lazily) the log at `file`.
 *
 * The file and its directory are created on the first append (file mode 0600, directory 0700).
 */
export function openLog(file: string, options: LogOptions = {}): HashChainLog {
  return new LogFile(file, options);
}

function code(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string'
    ? e.code
    : undefined;
}

/** The journal's size (0 when it does not exist yet); a link or a non-regular file is refused. */
function fileSize(file: string): number {
  return lstatRegularSync(file, JOURNAL)?.size ?? 0;
}

function endsWithNewline(file: string, size: number): boolean {
  if (size === 0) return true;
  const { fd } = openRegularFileSync(file, JOURNAL);
  try {
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, size - 1);
    return b[0] === 0x0a;
  } finally {
    closeSync(fd);
  }
}

function containsSecret(line: string, secrets: readonly string[] | undefined): boolean {
  if (!secrets) return false;
  for (const s of secrets) {
    if (s.length === 0) continue;
    // As written, and as JSON escapes it (a quote, a backslash or a control character in a password).
    if (line.includes(s) || line.includes(JSON.stringify(s).slice(1, -1))) return true;
  }
  return false;
}

function writeAll(fd: number, buffer: Buffer): void {
  let done = 0;
  while (done < buffer.length) done += writeSync(fd, buffer, done, buffer.length - done);
}

function fsyncDirectory(dir: string): void {
  if (process.platform === 'win32') return;
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Best effort: some file systems do not allow it.
  }
}

class LogFile implements HashChainLog {
  readonly file: string;
  readonly #lockFile: string;
  readonly #options: LogOptions;
  readonly #maxLineBytes: number;
  /** Where the chain stood after this object's last append; null until the first. */
  #checkpoint: ChainCheckpoint | null = null;
  /** Set when damage was seen outside an append: the next append checks the whole file again. */
  #recheck = true;

  constructor(file: string, options: LogOptions) {
    this.file = file;
    this.#lockFile = `${file}.lock`;
    this.#options = options;
    this.#maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  }

  async append(type: string, data: Record<string, unknown>, options: AppendOptions = {}): Promise<LogEvent> {
    if (!EVENT_TYPE_PATTERN.test(type)) throw new TypeError(`invalid journal event type "${type}"`);
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new TypeError('journal event data must be an object');
    }
    // Fail early, before taking the lock, on a secret in the data.
    if (containsSecret(JSON.stringify(data), options.secrets)) throw new JournalSecretError(type);
    ensureDir(dirname(this.file), 0o700);
    return withFileLock(this.#lockFile, () => this.#appendLocked(type, data, options), this.#options.lock);
  }

  async #appendLocked(
    type: string,
    data: Record<string, unknown>,
    options: AppendOptions,
  ): Promise<LogEvent> {
    const size = fileSize(this.file);
    const { checkpoint, problems } = await this.#stateForAppend(size);
    const now = (this.#options.now ?? (() => new Date()))().toISOString();

    const lines: string[] = [];
    let prev = checkpoint.prevHash;
    let seq = checkpoint.lastSeq + 1;
    if (problems.length > 0) {
      const breakData = {
        problems: problems.map((p) => ({ line: p.line, kind: p.kind, message: p.message })),
        linesChecked: checkpoint.line,
        note: 'Damage found in the journal before this line. It is kept as found; the chain continues from the physically previous line.',
      };
      const breakLine = JSON.stringify({ seq, at: now, type: BREAK_EVENT_TYPE, prev, data: breakData });
      lines.push(breakLine);
      prev = hashLine(Buffer.from(breakLine, 'utf8'));
      seq += 1;
    }
    const eventLine = JSON.stringify({ seq, at: now, type, prev, data });
    const event = LogEvent.parse(JSON.parse(eventLine));
    lines.push(eventLine);
    for (const l of lines) {
      if (containsSecret(l, options.secrets)) throw new JournalSecretError(type);
      if (Buffer.byteLength(l, 'utf8') > this.#maxLineBytes) {
        throw new RangeError(`journal event "${type}" is too large (over ${this.#maxLineBytes} bytes)`);
      }
    }

    // After a cut-off last line, start on a new line instead of gluing onto the fragment.
    const lead = endsWithNewline(this.file, size) ? '' : '\n';
    const buffer = Buffer.from(`${lead}${lines.join('\n')}\n`, 'utf8');
    const created = size === 0;
    // O_NOFOLLOW: a journal swapped for a link since the size was read is refused, not appended to.
    const { fd } = openRegularFileSync(this.file, JOURNAL, APPEND_FLAGS, 0o600);
    try {
      writeAll(fd, buffer);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (created) fsyncDirectory(dirname(this.file));

    const eventHash = hashLine(Buffer.from(eventLine, 'utf8'));
    const line = checkpoint.line + lines.length;
    this.#checkpoint = {
      offset: size + buffer.length,
      line,
      prevHash: eventHash,
      lastSeq: seq,
      prevOk: true,
      head: { seq, hash: eventHash, line },
    };
    this.#recheck = false;
    return event;
  }

  /**
   * Verifies what is needed before writing: the whole file the first time, then only what was
   * appended since this object's last append. Returns the unacknowledged problems to record.
   */
  async #stateForAppend(size: number): Promise<{ checkpoint: ChainCheckpoint; problems: JournalProblem[] }> {
    const cp = this.#checkpoint;
    if (!this.#recheck && cp && size === cp.offset) return { checkpoint: cp, problems: [] };
    if (!this.#recheck && cp && size > cp.offset) {
      const verifier = new ChainVerifier(cp);
      for await (const raw of readLines(this.file, {
        start: cp.offset,
        firstLine: cp.line + 1,
        maxLineBytes: this.#maxLineBytes,
      })) {
        verifier.feed(raw);
      }
      const report = verifier.finish();
      const fresh = report.problems.filter((p) => p.acknowledgedAt === undefined);
      if (fresh.length === 0) return { checkpoint: verifier.checkpoint(), problems: [] };
      // Something is wrong since the checkpoint: look at the whole file to name it precisely.
    }
    const verifier = new ChainVerifier();
    for await (const raw of readLines(this.file, { maxLineBytes: this.#maxLineBytes })) verifier.feed(raw);
    const report = verifier.finish();
    return {
      checkpoint: verifier.checkpoint(),
      problems: report.problems.filter((p) => p.acknowledgedAt === undefined),
    };
  }

  async #scan(events: LogEntry[] | null): Promise<VerifyReport> {
    const onEvent = events
      ? (event: LogEvent, raw: RawLine) => events.push({ line: raw.number, hash: raw.hash, event })
      : undefined;
    const verifier = new ChainVerifier(undefined, onEvent);
    for await (const raw of readLines(this.file, { maxLineBytes: this.#maxLineBytes })) verifier.feed(raw);
    return verifier.finish();
  }

  /** Verifies (collecting events when asked) without the lock, and again under it if the end looks cut. */
  async #scanConsistent(collect: boolean): Promise<LogReadResult> {
    let events: LogEntry[] = [];
    let report = await this.#scan(collect ? events : null);
    const last = report.problems[report.problems.length - 1];
    if (
      last &&
      last.kind === 'truncated' &&
      last.line === report.length &&
      last.acknowledgedAt === undefined
    ) {
      // Maybe an append in progress in another process: look again while holding the lock.
      try {
        const again: LogEntry[] = [];
        report = await withFileLock(
          this.#lockFile,
          () => this.#scan(collect ? again : null),
          this.#options.lock,
        );
        events = again;
      } catch (e) {
        // A read-only copy (an auditor's), or no right to create the lock: the first reading stands.
        if (!['EACCES', 'EPERM', 'EROFS', 'ENOENT'].includes(code(e) ?? '')) throw e;
      }
    }
    if (report.problems.some((p) => p.acknowledgedAt === undefined)) this.#recheck = true;
    return { events, report };
  }

  async verify(): Promise<VerifyReport> {
    return (await this.#scanConsistent(false)).report;
  }

  readEvents(): Promise<LogReadResult> {
    return this.#scanConsistent(true);
  }

  async head(): Promise<{ seq: number; hash: string } | null> {
    const tail = await readTail(this.file, (bytes) => {
      const parsed = parseEventLine(bytes);
      return parsed.ok ? parsed.event.seq : null;
    });
    return tail.lastEvent;
  }
}
