/**
 * `divest.receipt/2` (and the `/1` it replaces, still verified): the signed proof of what Divest
 * found and did on one machine.
 *
 * An auditor receives the JSON file and verifies it offline on another machine. The signature is
 * Ed25519 over the RFC 8785 canonical JSON (UTF-8) of the receipt without its `signature` field,
 * so every other field, at any depth, is covered. Scripts rely on this shape: change it only with
 * a schema version bump.
 *
 * Key encoding: `signature.publicKey` is the standard base64 (with padding) of the 32-byte raw
 * Ed25519 public key; `signature.keyFingerprint` is `SHA256:` followed by the lower-case hex
 * SHA-256 of those 32 bytes; `signature.value` is the base64 of the 64-byte signature.
 */
import * as z from 'zod';
import { CatalogProvenance } from './catalog-release';
import { PlanStatus, StepResult } from './execution';
import { HostIdentity } from './host';
import { Hex64, KeyFingerprint, Timestamp } from './ids';
import { Finding } from './scan';
import { Verdict } from './verdict';
import { ReplacementStatus } from './verify';

/**
 * The schema name and version every new receipt carries. Verification names the schema it found
 * and accepts `/1` receipts issued before `/2` (they carry no signed verdict).
 */
export const RECEIPT_SCHEMA = 'divest.receipt/2';
export const RECEIPT_SCHEMA_V1 = 'divest.receipt/1';

/**
 * The machine the receipt is about.
 *
 * The same identity as in `divest.scan/1`, so a receipt can be matched with a scan.
 */
export const ReceiptHost = HostIdentity;

/**
 * Who did the work, as entered in the settings (both optional).
 *
 * Auditors need a person and an organisation to ask questions of.
 */
export const ReceiptOperator = z.strictObject({
  name: z.string().optional(),
  organisation: z.string().optional(),
});

/**
 * A directive the work answers (e.g. BOD 17-01).
 *
 * Short name and title are copied from the catalog so the receipt reads on its own.
 */
export const ReceiptDirective = z.strictObject({
  id: z.string(),
  shortName: z.string(),
  title: z.string(),
});

/**
 * One removal step as executed.
 *
 * `argv` is the command exactly as run, already free of secrets (the runner redacts them).
 */
export const ReceiptAction = StepResult.omit({ durationMs: true }).extend({
  // Receipts already issued are archives: their ids are checked as loosely as when they were signed.
  stepId: z.string(),
  findingId: z.string().optional(),
});

/**
 * Something left behind after removal, and how a person clears it.
 *
 * `kind` is free text (service, driver, file, registry key...) because leftovers vary by OS.
 */
export const ReceiptLeftover = z.strictObject({
  kind: z.string(),
  location: z.string(),
  detail: z.string(),
  howToClear: z.string(),
});

/**
 * The state of the machine after the work, from a rescan.
 *
 * An empty `findings` with no leftovers is the goal.
 */
export const ReceiptAfter = z.strictObject({
  findings: z.array(Finding),
  leftovers: z.array(ReceiptLeftover),
});

/**
 * Whether the machine is protected by a replacement product, as checked (null: not checked).
 *
 * A machine must not be left unprotected; the HTML shows anything but `active` loudly.
 */
export const ReceiptReplacement = ReplacementStatus;

/**
 * The local journal at the time of issue.
 *
 * `headHash` is the hash of the last valid journal line (64 zeros for an empty journal); an
 * auditor on site can find that line and check the chain up to it. `intact` is false when the
 * journal reported damage (see `divest log verify`).
 */
export const ReceiptJournal = z.strictObject({
  length: z.number().int().nonnegative(),
  headHash: Hex64,
  intact: z.boolean(),
});

/**
 * Which program and catalog produced the receipt.
 *
 * The catalog hash tells an auditor which signatures and recipes were used.
 */
export const ReceiptApp = z.strictObject({ name: z.literal('divest'), version: z.string() });

/**
 * The catalog version and hash in use.
 *
 * Same as `divest.scan/1`'s catalog, without the origin path.
 */
export const ReceiptCatalog = z.strictObject({ version: z.string(), sha256: Hex64 });

/** A `/1` receipt, before signing (issued by Divest 0.1; verified, never issued any more). */
export const UnsignedReceiptV1 = z.strictObject({
  schema: z.literal(RECEIPT_SCHEMA_V1),
  id: z.uuid(),
  issuedAt: Timestamp,
  kind: z.enum(['removal', 'scan']),
  host: ReceiptHost,
  operator: ReceiptOperator,
  directives: z.array(ReceiptDirective),
  findingsBefore: z.array(Finding),
  actions: z.array(ReceiptAction),
  after: ReceiptAfter,
  replacement: ReceiptReplacement.nullable(),
  journal: ReceiptJournal,
  app: ReceiptApp,
  catalog: ReceiptCatalog,
});
export type UnsignedReceiptV1 = z.infer<typeof UnsignedReceiptV1>;

/**
 * How many bytes a string `z.base64()` accepted decodes to: it is padded (a multiple of 4
 * characters), so the count needs no decoding and no Node `Buffer` (this module is plain data).
 */
function base64Bytes(s: string): number {
  return (s.length / 4) * 3 - (s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0);
}

/**
 * The signature block (see the file header for the encodings).
 *
 * The public key travels with the receipt; trust comes from comparing its fingerprint with the one
 * the operator gave the auditor through another channel.
 */
export const ReceiptSignature = z.strictObject({
  algorithm: z.literal('Ed25519'),
  publicKey: z.base64().refine((s) => base64Bytes(s) === 32, 'must be 32 bytes (base64)'),
  keyFingerprint: KeyFingerprint,
  value: z.base64().refine((s) => base64Bytes(s) === 64, 'must be 64 bytes (base64)'),
});
/**
 * The signature block.
 *
 * See {@link ReceiptSignature}.
 */
export type ReceiptSignature = z.infer<typeof ReceiptSignature>;

/** A signed `/1` receipt. */
export const ReceiptV1 = UnsignedReceiptV1.extend({ signature: ReceiptSignature });
export type ReceiptV1 = z.infer<typeof ReceiptV1>;

/** The OS account that exported the receipt, and whether it had administrator rights. */
export const ReceiptAccount = z.strictObject({
  user: z.string(),
  admin: z.union([z.boolean(), z.literal('unknown')]),
});

/** Who did the work: as entered (name, organisation), and the OS account Divest ran as. */
export const ReceiptOperatorV2 = ReceiptOperator.extend({ account: ReceiptAccount });

/** The local time of issue, as the operator's clock showed it, beside the UTC `issuedAt`. */
export const LocalTime = z.strictObject({
  /** ISO 8601 with the local offset, e.g. `2026-12-01T16:30:00-05:00`. */
  time: z.string(),
  /** IANA zone name when known (`America/New_York`), else `unknown`. */
  timeZone: z.string(),
});

/** The removal plan the receipt is about: how its run ended. */
export const ReceiptPlan = z.strictObject({
  id: z.string(),
  /** `interrupted` when the journal holds no end for the plan's last run. */
  status: z.union([PlanStatus, z.literal('interrupted')]),
  steps: z.number().int().nonnegative(),
});
export type ReceiptPlan = z.infer<typeof ReceiptPlan>;

/** The state after: a scan made after the removal's last step (never an assumed "after"). */
export const ReceiptAfterV2 = ReceiptAfter.extend({ scanAt: Timestamp });

/** The catalog in use, and where it came from (a signed release, a file, or the built-in one). */
export const ReceiptCatalogV2 = ReceiptCatalog.extend({ provenance: CatalogProvenance.optional() });

/**
 * Everything a `/2` receipt says, before signing. Its first fact is the machine verdict, computed
 * by `core/verdict.ts` from the same journal and after-scan as the rest of the receipt.
 */
export const UnsignedReceipt = z.strictObject({
  schema: z.literal(RECEIPT_SCHEMA),
  id: z.uuid(),
  issuedAt: Timestamp,
  issuedAtLocal: LocalTime,
  kind: z.enum(['removal', 'scan']),
  verdict: Verdict,
  host: ReceiptHost,
  operator: ReceiptOperatorV2,
  directives: z.array(ReceiptDirective),
  findingsBefore: z.array(Finding),
  plan: ReceiptPlan.nullable(),
  actions: z.array(ReceiptAction),
  after: ReceiptAfterV2,
  replacement: ReceiptReplacement.nullable(),
  journal: ReceiptJournal,
  app: ReceiptApp,
  catalog: ReceiptCatalogV2,
});
export type UnsignedReceipt = z.infer<typeof UnsignedReceipt>;

/** A signed `/2` receipt: {@link UnsignedReceipt} plus `signature`. */
export const Receipt = UnsignedReceipt.extend({ signature: ReceiptSignature });
export type Receipt = z.infer<typeof Receipt>;

/** Any receipt Divest verifies. */
export type AnyReceipt = Receipt | ReceiptV1;

/**
 * The ReceiptHost part, as a type.
 *
 * For the code that builds receipts; see the schema of the same name.
 */
export type ReceiptHost = z.infer<typeof ReceiptHost>;
/**
 * The ReceiptOperator part, as a type.
 *
 * For the code that builds receipts; see the schema of the same name.
 */
export type ReceiptOperator = z.infer<typeof ReceiptOperator>;
/**
 * The ReceiptDirective part, as a type.
 *
 * For the code that builds receipts; see the schema of the same name.
 */
export type ReceiptDirective = z.infer<typeof ReceiptDirective>;
/**
 * The ReceiptAction part, as a type.
 *
 * For the code that builds receipts; see the schema of the same name.
 */
export type ReceiptAction = z.infer<typeof ReceiptAction>;
/**
 * The ReceiptLeftover part, as a type.
 *
 * For the code that builds receipts; see the schema of the same name.
 */
export type ReceiptLeftover = z.infer<typeof ReceiptLeftover>;
/**
 * The ReceiptReplacement part, as a type.
 *
 * For the code that builds receipts; see the schema of the same name.
 */
export type ReceiptReplacement = z.infer<typeof ReceiptReplacement>;
/**
 * The ReceiptJournal part, as a type.
 *
 * For the code that builds receipts; see the schema of the same name.
 */
export type ReceiptJournal = z.infer<typeof ReceiptJournal>;
