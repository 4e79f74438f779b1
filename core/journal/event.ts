/**
 * The shape of one journal line, the event types the app writes, and the hash that links lines.
 *
 * A line is the UTF-8 JSON of `{ seq, at, type, prev, data }` on one line. `prev` is the SHA-256 of
 * the exact bytes of the physically previous line (without its line end), so changing, removing or
 * moving any line breaks the link of the line after it. The first line links to {@link GENESIS_HASH}.
 */
import * as crypto from 'node:crypto';
import * as z from 'zod';
import { BreakData, PROBLEM_KINDS, type ProblemKind } from '../model/events';

export { BreakData, PROBLEM_KINDS, type ProblemKind };

/**
 * The `prev` of the first line: 64 zeros.
 *
 * Also the head hash of an empty journal, so that a receipt always carries a well-formed hash.
 */
export const GENESIS_HASH = '0'.repeat(64);

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
export const LogEvent = z.strictObject({
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
export type LogEvent = z.infer<typeof LogEvent>;

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
