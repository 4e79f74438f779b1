/**
 * Building, signing and serialising `divest.receipt/2` receipts (verification: `verify.ts`).
 *
 * The signed bytes are the RFC 8785 canonical JSON (UTF-8) of the receipt without `signature`.
 */
import canonicalize from 'canonicalize';
import { randomUUID, sign } from 'node:crypto';
import type { z } from 'zod';
import type { SigningKey } from './keys';
import {
  RECEIPT_SCHEMA,
  UnsignedReceipt,
  type AnyReceipt,
  type Receipt,
  type ReceiptJournal,
} from '../model/receipt';

/**
 * What the caller provides to build a receipt.
 *
 * `schema` is fixed; `id`, `issuedAt` and `kind` have defaults (a new UUID, now, and `removal` when
 * there are actions, else `scan`). Findings may omit fields that have defaults.
 */
export type ReceiptInput = Omit<z.input<typeof UnsignedReceipt>, 'schema' | 'id' | 'issuedAt' | 'kind'> & {
  id?: string;
  issuedAt?: string;
  kind?: 'removal' | 'scan';
};

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Replaces lone UTF-16 surrogates (possible in Windows registry strings), which RFC 8785 forbids. */
function wellFormed(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(LONE_SURROGATE, '\uFFFD');
  if (Array.isArray(value)) return value.map(wellFormed);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [wellFormed(k) as string, wellFormed(v)]),
    );
  }
  return value;
}

/**
 * Builds and validates an unsigned receipt.
 *
 * Throws a zod error naming the field when the input does not fit `divest.receipt/2`, so a bad
 * receipt is never signed.
 */
export function buildReceipt(input: ReceiptInput): UnsignedReceipt {
  const { id, issuedAt, kind, ...rest } = input;
  return UnsignedReceipt.parse(
    wellFormed({
      schema: RECEIPT_SCHEMA,
      id: id ?? randomUUID(),
      issuedAt: issuedAt ?? new Date().toISOString(),
      kind: kind ?? (input.actions.length > 0 ? 'removal' : 'scan'),
      ...rest,
    }),
  );
}

/**
 * The receipt's journal part from a journal verification report.
 *
 * The head hash of an empty journal is the chain's genesis (64 zeros).
 */
export function journalRef(report: {
  length: number;
  intact: boolean;
  head: { hash: string } | null;
}): ReceiptJournal {
  return { length: report.length, headHash: report.head?.hash ?? '0'.repeat(64), intact: report.intact };
}

/**
 * The exact bytes that are signed: RFC 8785 canonical JSON of the receipt without `signature`.
 *
 * Exported so that other implementations (an auditor's script) can be checked against this one.
 */
export function signingBytes(receipt: object): Buffer {
  const body: Record<string, unknown> = { ...receipt };
  delete body.signature;
  const text = canonicalize(body);
  if (text === undefined) throw new TypeError('the receipt cannot be canonicalised');
  return Buffer.from(text, 'utf8');
}

/**
 * Signs a receipt with the data dir's key.
 *
 * The receipt is validated again first; a `signature` already present is replaced.
 */
export function signReceipt(unsigned: UnsignedReceipt, key: SigningKey): Receipt {
  const body: Record<string, unknown> = { ...unsigned };
  delete body.signature;
  const clean = UnsignedReceipt.parse(body);
  const value = sign(null, signingBytes(clean), key.privateKey).toString('base64');
  return {
    ...clean,
    signature: {
      algorithm: 'Ed25519',
      publicKey: key.publicKeyRaw.toString('base64'),
      keyFingerprint: key.fingerprint,
      value,
    },
  };
}

/**
 * The receipt as the file to hand over: indented JSON with a final line end.
 *
 * Indentation does not matter to the signature (it covers the canonical form), only to people.
 */
export function serializeReceipt(receipt: AnyReceipt): string {
  return `${JSON.stringify(receipt, null, 2)}\n`;
}
