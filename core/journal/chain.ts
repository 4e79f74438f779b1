/**
 * The hash-chain verifier: fed one physical line at a time, it names each kind of damage once, at
 * the line where it shows.
 *
 * How damage shows. Every line carries the hash of the physically previous line and the next `seq`.
 * A boundary between two lines is "broken" when the link or the sequence does not follow. Broken
 * boundaries come in short runs, and the verifier classifies a whole run at once instead of
 * reporting every broken boundary:
 * - one broken link with the sequence intact: the line before was changed (an edited line N is seen
 *   at line N+1; the problem is reported at line N, "line N was changed");
 * - a forward jump in `seq`: lines were deleted (reported at the first line after the hole);
 * - `seq` going backward or repeating inside a run: lines were moved or copied (reported at the
 *   first misplaced line).
 * A line that is not JSON, or JSON that is not an event, is reported itself; the broken link of the
 * line after it is the same damage seen twice and is not reported again.
 *
 * What no verifier can see from the file alone: the loss of the last lines (cut at a line end) or
 * an edit of the very last line. The head hash (carried by receipts) is what anchors the end.
 */
import {
  BREAK_EVENT_TYPE,
  BreakData,
  EVENT_TYPE_PATTERN,
  GENESIS_HASH,
  LogEvent,
  type ProblemKind,
} from './event.js';
import type { RawLine } from './lines.js';

/**
 * One piece of damage, at a 1-based physical line.
 *
 * `acknowledged` marks damage that a later `journal-break` event recorded: still reported (the
 * break is history, not a repair), but known to the app.
 */
export interface JournalProblem {
  line: number;
  kind: ProblemKind;
  message: string;
  /** The line of the `journal-break` event that recorded this problem, when one did. */
  acknowledgedAt?: number;
}

/**
 * The head of the chain: the last line that is a valid event.
 *
 * Its `hash` is what a receipt quotes to anchor the end of the journal.
 */
export interface JournalHead {
  seq: number;
  hash: string;
  line: number;
}

/**
 * The outcome of verifying a journal.
 *
 * `intact` is false as soon as there is any problem, acknowledged or not.
 */
export interface VerifyReport {
  intact: boolean;
  /** Number of physical lines (one event each when intact). */
  length: number;
  head: JournalHead | null;
  problems: JournalProblem[];
}

/**
 * Where verification stands after a line: enough to resume from there without re-reading.
 *
 * Journals keep one after each append, so the next append only checks what others wrote since.
 */
export interface ChainCheckpoint {
  /** Byte offset just after the last line (its line end included). */
  offset: number;
  line: number;
  /** Hash of the physically last line. */
  prevHash: string;
  /** Seq of the last valid event (0 before any). */
  lastSeq: number;
  /** Whether the last line was a valid event. */
  prevOk: boolean;
  head: JournalHead | null;
}

interface Boundary {
  /** The line after the boundary. */
  line: number;
  seq: number;
}

const MAX_RUN = 10_000;
const decoder = new TextDecoder('utf-8', { fatal: true });

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function range(a: number, b: number): string {
  return a === b ? `line ${a}` : `lines ${a}–${b}`;
}

const EVENT_KEYS = ['seq', 'at', 'type', 'prev', 'data'];
const ISO_TIME =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
const HEX64 = /^[0-9a-f]{64}$/;

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A fast check for the common case (zod is a third of the verification time); whatever it does not
 * accept goes through the zod schema, which accepts or explains.
 */
function looksLikeEvent(value: unknown): value is LogEvent {
  if (!isPlainRecord(value)) return false;
  const keys = Object.keys(value);
  if (keys.length !== EVENT_KEYS.length || !EVENT_KEYS.every((k) => k in value)) return false;
  const { seq, at, type, prev, data } = value;
  return (
    typeof seq === 'number' &&
    Number.isSafeInteger(seq) &&
    seq > 0 &&
    typeof at === 'string' &&
    ISO_TIME.test(at) &&
    typeof type === 'string' &&
    EVENT_TYPE_PATTERN.test(type) &&
    typeof prev === 'string' &&
    HEX64.test(prev) &&
    isPlainRecord(data)
  );
}

/**
 * Parses one line's bytes as an event, or says why it is not one.
 *
 * Shared by verification and by the tail reader, so both agree on what an event is.
 */
export function parseEventLine(
  bytes: Buffer | null,
): { ok: true; event: LogEvent } | { ok: false; json: boolean; reason: string } {
  if (bytes === null) return { ok: false, json: false, reason: 'the line is too long to be an event' };
  if (bytes.length === 0) return { ok: false, json: false, reason: 'the line is empty' };
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch (e) {
    return { ok: false, json: false, reason: e instanceof Error ? e.message : String(e) };
  }
  if (looksLikeEvent(value)) return { ok: true, event: value };
  const parsed = LogEvent.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `field ${issue.path.join('.')}: ` : '';
    return { ok: false, json: true, reason: `${where}${issue?.message ?? 'not an event'}` };
  }
  return { ok: true, event: parsed.data };
}

/**
 * Verifies a journal line by line.
 *
 * Feed every line in order with {@link ChainVerifier.feed}, then call {@link ChainVerifier.finish}.
 * Start from a {@link ChainCheckpoint} to verify only what was appended after it.
 */
export class ChainVerifier {
  #line = 0;
  #offset = 0;
  #prevHash = GENESIS_HASH;
  /** Whether the physically previous line was a valid event (the genesis counts as one). */
  #prevOk = true;
  #lastSeq = 0;
  #head: JournalHead | null = null;
  #run: Boundary[] = [];
  #runBefore: { line: number; seq: number } = { line: 0, seq: 0 };
  #problems: JournalProblem[] = [];
  #onEvent: ((event: LogEvent, line: RawLine) => void) | undefined;

  constructor(from?: ChainCheckpoint, onEvent?: (event: LogEvent, line: RawLine) => void) {
    if (from) {
      this.#line = from.line;
      this.#offset = from.offset;
      this.#prevHash = from.prevHash;
      this.#lastSeq = from.lastSeq;
      this.#prevOk = from.prevOk;
      this.#head = from.head;
    }
    this.#onEvent = onEvent;
  }

  /** Checks one physical line (in order). */
  feed(raw: RawLine): void {
    this.#line = raw.number;
    this.#offset = raw.offset + raw.byteLength + (raw.terminated ? 1 : 0);
    const parsed = parseEventLine(raw.bytes);
    if (!parsed.ok) {
      this.#flushRun();
      if (!raw.terminated && !parsed.json) {
        this.#report(
          raw.number,
          'truncated',
          `line ${raw.number} is cut off: the file ends in the middle of an event (an interrupted write, or the file was truncated)`,
        );
      } else if (parsed.json) {
        this.#report(
          raw.number,
          'schema',
          `line ${raw.number} is valid JSON but not a journal event (${parsed.reason})`,
        );
      } else {
        this.#report(
          raw.number,
          'malformed',
          `line ${raw.number} is not a valid journal line (${parsed.reason})`,
        );
      }
      this.#prevHash = raw.hash;
      this.#prevOk = false;
      return;
    }

    const event = parsed.event;
    if (!raw.terminated) {
      this.#report(
        raw.number,
        'truncated',
        `line ${raw.number} has no line end: the file was cut at its very end (the event on this line is complete)`,
      );
    }
    if (this.#prevOk) {
      const linkOk = event.prev === this.#prevHash;
      const seqOk = event.seq === this.#lastSeq + 1;
      if (linkOk && seqOk) {
        this.#flushRun();
      } else {
        if (this.#run.length === 0) this.#runBefore = { line: raw.number - 1, seq: this.#lastSeq };
        this.#run.push({ line: raw.number, seq: event.seq });
        if (this.#run.length >= MAX_RUN) this.#flushRun();
      }
    }
    // After a line that is not an event, the broken link is that line's damage, already reported.

    this.#prevHash = raw.hash;
    this.#prevOk = true;
    this.#lastSeq = event.seq;
    this.#head = { seq: event.seq, hash: raw.hash, line: raw.number };
    if (event.type === BREAK_EVENT_TYPE) {
      this.#flushRun();
      this.#acknowledge(event, raw.number);
    }
    this.#onEvent?.(event, raw);
  }

  /** Where verification stands now, to resume from later. */
  checkpoint(): ChainCheckpoint {
    return {
      offset: this.#offset,
      line: this.#line,
      prevHash: this.#prevHash,
      lastSeq: this.#lastSeq,
      prevOk: this.#prevOk,
      head: this.#head,
    };
  }

  /** Ends verification and returns the report (problems sorted by line). */
  finish(): VerifyReport {
    this.#flushRun();
    const problems = [...this.#problems].sort((a, b) => a.line - b.line);
    return { intact: problems.length === 0, length: this.#line, head: this.#head, problems };
  }

  #report(line: number, kind: ProblemKind, message: string): void {
    this.#problems.push({ line, kind, message });
  }

  /** Classifies a run of consecutive broken boundaries as one problem. */
  #flushRun(): void {
    const run = this.#run;
    if (run.length === 0) return;
    this.#run = [];
    const before = this.#runBefore;
    const first = run[0];
    const last = run[run.length - 1];
    if (!first || !last) return;
    const seqs = [before.seq, ...run.map((b) => b.seq)];
    const steps = seqs.slice(1).map((s, i) => s - (seqs[i] ?? 0));
    const links = range(first.line, last.line);

    if (steps.every((d) => d === 1)) {
      // The sequence is intact: content changed. A changed line N breaks line N+1's link.
      const from = Math.max(1, first.line - 1);
      const to = Math.max(1, last.line - 1);
      const message =
        from === to
          ? from === first.line
            ? `line ${from} was changed (it no longer links to the line before it)`
            : `line ${from} was changed (line ${first.line}'s hash link no longer matches)`
          : `${range(from, to)} were changed (the hash links of ${links} no longer match)`;
      this.#report(from, 'hash-mismatch', message);
      return;
    }

    if (steps.every((d) => d >= 1)) {
      // Only forward jumps: lines are missing.
      const at = run.findIndex((_, i) => (steps[i] ?? 1) > 1);
      const jump = run[at] ?? first;
      const missing = steps.reduce((n, d) => n + (d - 1), 0);
      const fromSeq = seqs[at] ?? 0;
      const where =
        jump.line === 1
          ? `before line 1 (the journal starts at seq ${jump.seq})`
          : `between line ${jump.line - 1} and line ${jump.line} (seq jumps from ${fromSeq} to ${jump.seq})`;
      const extra = run.length > 1 ? `; the hash links of ${links} do not match` : '';
      this.#report(
        jump.line,
        'seq-gap',
        `${plural(missing, 'event')} missing ${where}: lines were deleted${extra}`,
      );
      return;
    }

    // The sequence goes backward or repeats: lines were moved or copied.
    const at = run.findIndex((_, i) => (steps[i] ?? 1) !== 1);
    const misplacedFrom = (run[at] ?? first).line;
    const misplacedTo = Math.max(misplacedFrom, last.line - 1);
    const shown = run
      .filter((b) => b.line >= misplacedFrom && b.line <= misplacedTo)
      .map((b) => b.seq)
      .join(', ');
    const message =
      misplacedFrom === misplacedTo
        ? `line ${misplacedFrom} is out of place: moved or copied (seq ${shown} after seq ${seqs[at] ?? 0})`
        : `${range(misplacedFrom, misplacedTo)} are out of order (seq ${shown} after seq ${seqs[at] ?? 0})`;
    this.#report(misplacedFrom, 'out-of-order', message);
  }

  /** Marks the damage a `journal-break` recorded as acknowledged, and keeps what it recorded. */
  #acknowledge(event: LogEvent, breakLine: number): void {
    const data = BreakData.safeParse(event.data);
    if (!data.success) return;
    for (const recorded of data.data.problems) {
      if (recorded.line >= breakLine) continue;
      const found = this.#problems.find((p) => p.line === recorded.line && p.acknowledgedAt === undefined);
      if (found) {
        found.acknowledgedAt = breakLine;
        // A cut-off last line is a malformed middle line once later events follow it.
        if (recorded.kind === 'truncated' && found.kind === 'malformed') {
          found.kind = 'truncated';
          found.message = recorded.message;
        }
      } else {
        // No longer visible (e.g. the missing line end that the append restored): history says so.
        this.#problems.push({ ...recorded, acknowledgedAt: breakLine });
      }
    }
  }
}
