/**
 * The engine's one error model: every failure it throws on purpose is a {@link DivestError} with a
 * stable `code`, a sentence for people, and the `cause` when there is one.
 *
 * The faces map codes in one table each: the CLI to exit codes (`cli/errors.ts`), the app to the
 * contract's error codes (`main/errors.ts`). Anything else that escapes is a bug and maps to
 * `internal`. Probes and verifiers do not throw: what they could not do is data (notes, problems).
 */

/** Every code a {@link DivestError} can carry, and that the app's contract can report. */
export const ERROR_CODES = [
  /** The request cannot be carried out as asked (a bad flag, --host-os without --host-root). */
  'usage',
  /** A request across the app's boundary did not match the contract. */
  'invalid-request',
  /** A catalog file or release is malformed, forged or refused. */
  'catalog',
  /** A file given to Divest is not what it must be (not a regular file, too large, malformed). */
  'invalid-input',
  /** A receipt was asked for before anything was scanned. */
  'nothing-to-receipt',
  /** Removal needs administrator rights that this process does not have. */
  'no-admin',
  /** The system prompt for administrator rights was refused or failed. */
  'elevation-failed',
  /** The plan the user saw is not the plan the machine now needs. */
  'plan-changed',
  /** Another use case is running; nothing was queued. */
  'busy',
  /** The thing named (a plan id) does not exist. */
  'not-found',
  /** Not available on this machine or build (PDF printing without a browser). */
  'unsupported',
  /** The journal's lock is held by another process for too long. */
  'journal-locked',
  /** A journal line would have contained a secret; nothing was written. */
  'journal-secret',
  /** The receipt signing key cannot be used (unsafe permissions, foreign owner, damaged). */
  'signing-key',
  /** The data folder or an output file cannot be written. */
  'io',
  /** The bridge could not reach the other side (app contract only). */
  'transport',
  /** A bug: something failed that was not expected to. */
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** A failure the engine reports on purpose. */
export class DivestError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;

  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'DivestError';
  }
}

/** True for a {@link DivestError}, optionally of one code. */
export function isDivestError<C extends ErrorCode>(e: unknown, code?: C): e is DivestError<C> {
  return e instanceof DivestError && (code === undefined || e.code === code);
}

/** The message of anything thrown, without a stack. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Fails a switch that a new union member reached without being handled. */
export function assertNever(value: never, what = 'value'): never {
  throw new DivestError('internal', `unexpected ${what}: ${JSON.stringify(value)}`);
}
