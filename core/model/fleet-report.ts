/**
 * `divest.fleet-report/1`: what `divest report DIR` concludes from the receipts of many machines,
 * and `divest.key/1`, what `divest key show --json` prints to pin a machine's receipt key.
 *
 * Scripts and compliance tools read these: change the shapes only with a schema version bump.
 */
import * as z from 'zod';
import { HostOs } from './host';
import { Hex64, KeyFingerprint, Timestamp } from './ids';
import { ReplacementState } from './verify';
import { FleetStatus, VerdictState } from './verdict';

export const FLEET_REPORT_SCHEMA = 'divest.fleet-report/1';
export const MACHINE_KEY_SCHEMA = 'divest.key/1';

/** `divest key show --json`: this machine's id and the fingerprint of its receipt-signing key. */
export const MachineKey = z.strictObject({
  schema: z.literal(MACHINE_KEY_SCHEMA),
  machineId: z.string().min(1),
  hostname: z.string(),
  os: HostOs,
  fingerprint: KeyFingerprint,
  /** base64 of the 32-byte Ed25519 public key. */
  publicKey: z.string(),
});
export type MachineKey = z.infer<typeof MachineKey>;

/**
 * What is wrong with a host's evidence (each makes it non-compliant):
 * - `invalid-receipt`: a receipt naming this machine failed verification (see `invalid`);
 * - `unpinned`: `--pins` was given and does not list the machine;
 * - `pinned-to-other-key`: its receipts are signed by another key than the pinned one;
 * - `rekeyed`: its valid receipts are signed by more than one key;
 * - `journal-broken`: the journal was not intact when its latest receipt was issued;
 * - `catalog-old`: its latest receipt used a catalog older than `--catalog-min`;
 * - `stale`: its latest receipt is older than `--max-age-days`.
 */
export const HostFlag = z.enum([
  'invalid-receipt',
  'unpinned',
  'pinned-to-other-key',
  'rekeyed',
  'journal-broken',
  'catalog-old',
  'stale',
]);
export type HostFlag = z.infer<typeof HostFlag>;

export const ReportedProduct = z.strictObject({
  productId: z.string(),
  name: z.string(),
  version: z.string().optional(),
});

export const HostEntry = z.strictObject({
  machineId: z.string(),
  hostname: z.string(),
  os: HostOs,
  osVersion: z.string(),
  /** The latest valid receipt of this machine. */
  receipt: z.strictObject({
    id: z.string(),
    file: z.string(),
    sha256: Hex64,
    issuedAt: Timestamp,
    kind: z.enum(['removal', 'scan']),
    schema: z.string(),
  }),
  /** How many valid receipts of this machine were read (only the latest counts). */
  receiptsRead: z.number().int().positive(),
  fingerprint: KeyFingerprint,
  /** Every key that signed a valid receipt of this machine. */
  keys: z.array(KeyFingerprint).min(1),
  status: FleetStatus,
  /** The receipt's own verdict state (divest.receipt/2), or null when derived from a /1 receipt. */
  verdictState: VerdictState.nullable(),
  /** Where `status` comes from: the receipt's verdict, or Divest's rules applied to a /1 receipt. */
  statusSource: z.enum(['receipt-verdict', 'derived']),
  protection: z.strictObject({
    state: z.union([ReplacementState, z.literal('not-checked')]),
    product: z.string().optional(),
  }),
  /** Banned products installed at the time of the receipt (after the removal, if one ran). */
  stillInstalled: z.array(ReportedProduct),
  /** Banned products found before the work (what the directives call "use or presence"). */
  found: z.array(ReportedProduct),
  /** Products a removal on this machine removed. */
  removed: z.array(z.string()),
  directives: z.array(z.string()),
  catalog: z.strictObject({ version: z.string(), sha256: Hex64 }),
  journal: z.strictObject({ intact: z.boolean(), length: z.number().int().nonnegative() }),
  flags: z.array(HostFlag),
  /** One sentence per flag, in the order of `flags`. */
  flagDetails: z.array(z.string()),
  /** No banned software installed (clean or unprotected) and no flag. */
  compliant: z.boolean(),
});
export type HostEntry = z.infer<typeof HostEntry>;

export const InvalidReceipt = z.strictObject({
  file: z.string(),
  /** The machine it claims to be about, when its JSON says so. */
  machineId: z.string().nullable(),
  problems: z.array(z.string()).min(1),
});
export type InvalidReceipt = z.infer<typeof InvalidReceipt>;

export const FleetReport = z.strictObject({
  schema: z.literal(FLEET_REPORT_SCHEMA),
  generatedAt: Timestamp,
  app: z.strictObject({ name: z.literal('divest'), version: z.string() }),
  /** The catalog of the Divest that made the report (names products and directives). */
  catalog: z.strictObject({ version: z.string(), sha256: Hex64 }),
  inputs: z.strictObject({
    directory: z.string(),
    filesRead: z.number().int().nonnegative(),
    pins: z.strictObject({ file: z.string(), machines: z.number().int().nonnegative() }).nullable(),
    catalogMin: z.string().nullable(),
    maxAgeDays: z.number().nonnegative().nullable(),
  }),
  summary: z.strictObject({
    hosts: z.number().int().nonnegative(),
    compliant: z.number().int().nonnegative(),
    nonCompliant: z.number().int().nonnegative(),
    flagged: z.number().int().nonnegative(),
    invalidReceipts: z.number().int().nonnegative(),
    byStatus: z.record(FleetStatus, z.number().int().nonnegative()),
    unprotected: z.number().int().nonnegative(),
  }),
  /** Products found (before any removal), with the number of endpoints each was found on. */
  products: z.array(
    z.strictObject({
      productId: z.string(),
      name: z.string(),
      directives: z.array(z.string()),
      endpoints: z.number().int().positive(),
      stillInstalledOn: z.number().int().nonnegative(),
    }),
  ),
  hosts: z.array(HostEntry),
  invalid: z.array(InvalidReceipt),
  /** How the evidence was gathered and checked, in words (BOD 17-01 (c)). */
  method: z.string(),
});
export type FleetReport = z.infer<typeof FleetReport>;
