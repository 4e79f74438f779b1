/**
 * Command-line parsing: node's own `parseArgs` for the syntax, zod for the meaning, so that every
 * bad input gets one clear sentence naming what is wrong (exit code 2).
 */
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { DivestError } from '../core/errors';
import type { Catalog } from '../core/model/catalog';
import { HOST_OSES } from '../core/model/host';

/** A usage error (exit code 2): one sentence naming what is wrong with the command line. */
export class UsageError extends DivestError<'usage'> {
  constructor(message: string) {
    super('usage', message);
  }
}

const HostOsFlag = z.enum(HOST_OSES, {
  error: (iss) => `--host-os must be linux, macos or windows (got "${String(iss.input)}")`,
});
const NonEmpty = (flag: string): z.ZodString => z.string().min(1, `${flag} needs a value`);

export const CommonOptions = z.object({
  json: z.boolean().default(false),
  'host-root': NonEmpty('--host-root').optional(),
  'host-os': HostOsFlag.optional(),
  catalog: NonEmpty('--catalog').optional(),
  /** Development only: accept an unsigned catalog file given with --catalog. */
  'unsigned-catalog': z.boolean().default(false),
  'data-dir': NonEmpty('--data-dir').optional(),
});

/** Options every command accepts, in parseArgs form. */
export const COMMON_FLAGS = {
  json: { type: 'boolean' },
  'host-root': { type: 'string' },
  'host-os': { type: 'string' },
  catalog: { type: 'string' },
  'unsigned-catalog': { type: 'boolean' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type FlagSpec = Record<string, { type: 'boolean' | 'string'; short?: string; multiple?: boolean }>;

/** Parses argv for one command; unknown flags and stray arguments are usage errors. */
export function parseCommand<S extends z.ZodObject>(
  command: string,
  argv: string[],
  flags: FlagSpec,
  schema: S,
  positionals: { min: number; max: number; names: string },
): { options: z.infer<S>; positionals: string[]; help: boolean } {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options: flags, allowPositionals: true, strict: true });
  } catch (e) {
    const msg = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UsageError(`${command}: ${msg}`);
  }
  const help = parsed.values.help === true;
  if (help) return { options: {} as z.infer<S>, positionals: [], help };
  if (parsed.positionals.length < positionals.min || parsed.positionals.length > positionals.max) {
    const got = parsed.positionals.length ? `got: ${parsed.positionals.join(' ')}` : 'got none';
    throw new UsageError(
      positionals.max === 0
        ? `${command} takes no arguments (${got})`
        : `${command} expects ${positionals.names} (${got})`,
    );
  }
  const { help: _h, ...values } = parsed.values;
  const result = schema.safeParse(values);
  if (!result.success)
    throw new UsageError(`${command}: ${result.error.issues.map((i) => i.message).join('; ')}`);
  return { options: result.data, positionals: parsed.positionals, help };
}

/** `--only PRODUCT_ID`, repeatable. */
export const OnlyOption = z
  .array(
    z.string().regex(/^[a-z0-9-]+$/, '--only takes a product id such as kaspersky-endpoint-security-windows'),
  )
  .default([]);

/** Refuses `--only` ids that are not in the catalog (a typo must not mean "nothing to do"). */
export function checkOnly(command: string, only: readonly string[], catalog: Catalog): void {
  const unknown = only.filter((id) => !catalog.products.some((p) => p.id === id));
  if (unknown.length)
    throw new UsageError(
      `${command}: unknown product id ${unknown.map((u) => `"${u}"`).join(', ')}; known ids: ${catalog.products.map((p) => p.id).join(', ')}`,
    );
}
