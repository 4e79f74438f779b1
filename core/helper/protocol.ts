/**
 * The protocol between the unprivileged app and its elevated removal helper
 * (`divest remove --helper`), written once for both sides.
 *
 * What crosses from the app to the helper is only what the user is entitled to choose and the
 * helper can check or need not trust: the id of the plan the user read (on the command line; the
 * helper re-derives the plan and refuses another id), the manual steps the user reports done
 * (checked against the helper's own plan), an uninstall password (handed to the vendor's
 * uninstaller only), and "cancel". No path, no catalog, no image, no data folder: the helper takes
 * those from root-owned defaults (`trusted.ts`).
 *
 * Framing: JSON Lines (one JSON object per line, UTF-8). Linux: pkexec keeps stdio, so the request
 * is the helper's standard input (then closed) and its lines are its standard output; "cancel" is
 * a file appearing in the app's private folder ({@link CANCEL_PATH_RE}). Windows and macOS (whose
 * prompts keep no standard streams): one local socket the app serves (a named pipe, a Unix socket
 * in a 0700 folder), where the helper speaks first with a one-time token, and both directions
 * (request, cancel; the helper's lines) run over it.
 */
import * as z from 'zod';
import { RemovalSummary, RemoveProgress } from '../api';
import { PlanId, StepId } from '../model/ids';

/** The subcommand and flag that make the CLI an elevated helper: `divest remove --helper`. */
export const HELPER_ARGV = ['remove', '--helper'] as const;

/** A one-time token: 32 random bytes in hex. */
export const HelperToken = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits');

/** The Windows named pipe the app serves: `\\.\pipe\divest-` and 32 hex digits. */
export const PIPE_NAME_RE = /^\\\\\.\\pipe\\divest-[0-9a-f]{32}$/;
/** The macOS (and test) socket: `<dir>/divest-helper-XXXXXX/helper.sock`, absolute. */
export const SOCKET_PATH_RE = /^\/(?:[^\0]*\/)?divest-helper-[A-Za-z0-9]{6}\/helper\.sock$/;

/**
 * Linux: the file whose appearance asks the helper to stop before its next step, in the app's
 * private 0700 folder. The helper only looks whether something is there (lstat); it never opens,
 * reads or writes it, so whoever could put something there can at most ask for a stop.
 */
export const CANCEL_PATH_RE = /^\/(?:[^\0]*\/)?divest-helper-[A-Za-z0-9]{6}\/cancel$/;

/** The helper's command line after `remove --helper`, parsed; anything else is refused. */
export const HelperArgs = z.discriminatedUnion('channel', [
  z.strictObject({
    channel: z.literal('stdio'),
    planId: PlanId,
    cancelFile: z.string().regex(CANCEL_PATH_RE, "must be the cancel file in the app's private folder"),
  }),
  z.strictObject({
    channel: z.literal('socket'),
    planId: PlanId,
    socket: z
      .string()
      .refine(
        (s) => PIPE_NAME_RE.test(s) || SOCKET_PATH_RE.test(s),
        'must be the pipe or socket the app made',
      ),
    token: HelperToken,
  }),
]);
/** See {@link HelperArgs}. */
export type HelperArgs = z.infer<typeof HelperArgs>;

/** The argv (after the helper program) that asks for one helper run. */
export function helperArgv(args: HelperArgs): string[] {
  const base = [...HELPER_ARGV, '--plan-id', args.planId, '--channel', args.channel];
  return args.channel === 'stdio'
    ? [...base, '--cancel-file', args.cancelFile]
    : [...base, '--socket', args.socket, '--token', args.token];
}

/** The credentials a password-protected uninstaller may need (same limits as the contract). */
const Credentials = z.strictObject({
  login: z.string().min(1).max(256).optional(),
  password: z.string().min(1).max(1024),
});

/** A line from the app to the helper. */
export const AppLine = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('request'),
    manualDone: z.array(StepId).max(200),
    credentials: Credentials.optional(),
  }),
  z.strictObject({ kind: z.literal('cancel') }),
]);
/** See {@link AppLine}. */
export type AppLine = z.infer<typeof AppLine>;

/** Why the helper stopped without a summary. */
export const HelperErrorCode = z.enum([
  'plan-changed',
  'invalid-request',
  'untrusted-data-dir',
  'io',
  'internal',
]);

/** A line from the helper to the app. */
export const HelperLine = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('hello'), token: HelperToken }),
  z.strictObject({ kind: z.literal('progress'), event: RemoveProgress }),
  /** An event the helper appended to the machine's journal, for the app's own journal. */
  z.strictObject({
    kind: z.literal('journal'),
    type: z.string().min(1).max(100),
    data: z.record(z.string(), z.unknown()),
  }),
  z.strictObject({ kind: z.literal('summary'), summary: RemovalSummary }),
  z.strictObject({ kind: z.literal('error'), code: HelperErrorCode, message: z.string() }),
]);
/** See {@link HelperLine}. */
export type HelperLine = z.infer<typeof HelperLine>;

/** Exit codes of the helper. */
export const HELPER_EXIT = {
  done: 0,
  failed: 1,
  usage: 2,
  refused: 3,
} as const;

/** The longest line either side accepts (a summary with a large scan fits easily). */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/**
 * Splits a byte stream into lines and hands each one, parsed with `schema`, to `onLine`; a line
 * that is not JSON or does not match is handed to `onBad` (the other side is not trusted).
 */
export function lineReader<T>(
  schema: z.ZodType<T>,
  onLine: (line: T) => void,
  onBad: (reason: string) => void,
): (chunk: Buffer | string) => void {
  let pending = '';
  return (chunk) => {
    pending += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    if (pending.length > MAX_LINE_BYTES && !pending.includes('\n')) {
      pending = '';
      onBad('a line longer than the protocol allows');
      return;
    }
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const raw = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (!raw) continue;
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        onBad('a line that is not JSON');
        continue;
      }
      const parsed = schema.safeParse(json);
      if (parsed.success) onLine(parsed.data);
      else onBad(`a line that is not part of the protocol (${parsed.error.issues[0]?.message ?? ''})`);
    }
  };
}

/** One line of the protocol, serialised. */
export function encodeLine(line: AppLine | HelperLine): string {
  return `${JSON.stringify(line)}\n`;
}
