/**
 * What a receipt attests, read back for an auditor: the second of the two answers a verification
 * gives (the first being the signature). Plain data for the CLI's summary and the app's auditor
 * view; built by `core/receipt/attest.ts`.
 */
import * as z from 'zod';
import { VerdictState } from './verdict';

export const Attestation = z.strictObject({
  /** `divest.receipt/2` carries a signed verdict; `/1` receipts do not. */
  schema: z.string(),
  receiptId: z.string(),
  kind: z.enum(['removal', 'scan']),
  /** The receipt's first line: its signed verdict (or, for `/1`, what its fields show). */
  headline: z.string(),
  verdictState: VerdictState.nullable(),
  machine: z.strictObject({
    hostname: z.string(),
    os: z.string(),
    osVersion: z.string(),
    arch: z.string(),
    machineId: z.string(),
  }),
  operator: z.strictObject({
    name: z.string().nullable(),
    organisation: z.string().nullable(),
    /** The OS account Divest ran as, and whether it had administrator rights. */
    account: z.string().nullable(),
  }),
  issued: z.strictObject({ utc: z.string(), local: z.string().nullable(), timeZone: z.string().nullable() }),
  /** Directives by name: "BOD 17-01: Removal of Kaspersky-branded Products". */
  directives: z.array(z.string()),
  before: z.array(
    z.strictObject({
      name: z.string(),
      version: z.string().nullable(),
      banned: z.boolean(),
      installed: z.boolean(),
    }),
  ),
  actions: z.array(
    z.strictObject({
      title: z.string(),
      outcome: z.string(),
      words: z.string(),
      exitCode: z.number().nullable(),
    }),
  ),
  after: z.strictObject({
    scanAt: z.string().nullable(),
    stillInstalled: z.array(z.string()),
    traces: z.number().int(),
    leftovers: z.number().int(),
  }),
  protection: z.strictObject({ product: z.string(), state: z.string(), checkedAt: z.string() }).nullable(),
  journal: z.strictObject({ intact: z.boolean(), length: z.number().int(), headHash: z.string() }),
  catalog: z.strictObject({
    version: z.string(),
    sha256: z.string(),
    channel: z.string().nullable(),
    sequence: z.number().nullable(),
    stale: z.boolean().nullable(),
  }),
  /** What an auditor must not miss, most serious first. */
  warnings: z.array(z.string()),
});
export type Attestation = z.infer<typeof Attestation>;
