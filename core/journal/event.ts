/**
 * The shape of one journal line, the event types the app writes, and the hash that links lines.
 *
 * A line is the UTF-8 JSON of `{ seq, at, type, prev, data }` on one line. `prev` is the SHA-256 of
 * the exact bytes of the physically previous line (without its line end), so changing, removing or
 * moving any line breaks the link of the line after it. The first line links to {@link GENESIS_HASH}.
 */
import * as crypto from 'node:crypto';
import * as z from 'zod';

/**
 * The `prev` of the first line: 64 zeros.
 *
 * Also the head hash of an empty journal, so that a receipt always carries a well-formed hash.
 */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * The event types Divest writes.
 *
 * Documented here so that the writers (scanner, remover, CLI, app) and the log viewer agree; the
 * journal itself accepts any type matching {@link EVENT_TYPE_PATTERN}.
 */
export const EVENT_TYPES = [
  'scan.started',
  'scan.finished',
  'plan.made',
  'plan.started',
  'plan.resumed',
  'plan.finished',
  'step.started',
  'step.finished',
  'verify.finished',
  'replacement.checked',
  'receipt.exported',
  'settings.changed',
  'journal-break',
] as const;

/**
 * One of the event types Divest writes.
 *
 * A closed union for editor completion and exhaustive switches in readers.
 */
export type KnownEventType = (typeof EVENT_TYPES)[number];

/**
 * Any event type: a known one, or another lower-case dotted name.
 *
 * The `string & {}` keeps editor completion for the known names while accepting new ones.
 */
export type EventType = KnownEventType | (string & {});

/**
 * What an event type must look like: lower case, digits, dots and dashes, starting with a letter.
 *
 * Keeps the type usable as a stable identifier in filters and in the log viewer.
 */
export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9.-]*$/;

/**
 * The event written when the journal was found damaged, before the next regular event.
 *
 * The break is history, not a repair: verification keeps reporting the damage it describes.
 */
export const BREAK_EVENT_TYPE = 'journal-break';

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits');

/**
 * One journal event as stored on one line.
 *
 * Parsed with zod so that a line that is valid JSON but not an event is reported as such.
 */
export const JournalEvent = z.strictObject({
  seq: z.number().int().positive(),
  at: z.iso.datetime({ offset: true }),
  type: z.string().regex(EVENT_TYPE_PATTERN, 'must match [a-z][a-z0-9.-]*'),
  prev: Hex64,
  data: z.record(z.string(), z.unknown()),
});
/**
 * One journal event as stored on one line.
 *
 * `data` stays `unknown` per field: readers parse what they need with their own schemas.
 */
export type JournalEvent = z.infer<typeof JournalEvent>;

/**
 * The kinds of damage verification names.
 *
 * `out-of-order` covers moved and repeated lines; the others are as named in the architecture.
 */
export const PROBLEM_KINDS = [
  'truncated',
  'malformed',
  'hash-mismatch',
  'seq-gap',
  'out-of-order',
  'schema',
] as const;
/**
 * A kind of damage.
 *
 * Lets the CLI and the log viewer group or explain problems without parsing messages.
 */
export type ProblemKind = (typeof PROBLEM_KINDS)[number];

/**
 * One problem as recorded inside a `journal-break` event's data.
 *
 * Kept small (line, kind, message) so that a break stays readable in the log viewer.
 */
export const RecordedProblem = z.object({
  line: z.number().int().positive(),
  kind: z.enum(PROBLEM_KINDS),
  message: z.string(),
});

/**
 * The data of a `journal-break` event.
 *
 * Verification reads it to mark the damage it lists as acknowledged (never as healed).
 */
export const BreakData = z.object({
  problems: z.array(RecordedProblem).min(1),
});
/**
 * The data of a `journal-break` event.
 *
 * See {@link BreakData}.
 */
export type BreakData = z.infer<typeof BreakData>;

/** `crypto.hash` (Node >= 20.12) is about twice as fast for short inputs; older Node 20 lacks it. */
const oneShot: typeof crypto.hash | undefined = typeof crypto.hash === 'function' ? crypto.hash : undefined;

/**
 * SHA-256 (lower-case hex) of one line's exact bytes, without its line end.
 *
 * The value the next line's `prev` must carry.
 */
export function hashLine(bytes: Uint8Array): string {
  return oneShot ? oneShot('sha256', bytes, 'hex') : crypto.createHash('sha256').update(bytes).digest('hex');
}
