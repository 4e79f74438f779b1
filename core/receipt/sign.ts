/**
 * Building, signing, serialising and verifying `divest.receipt/1` receipts.
 *
 * The signed bytes are the RFC 8785 canonical JSON (UTF-8) of the receipt without `signature`.
 * Verification canonicalises the JSON exactly as found in the file (not a re-parsed, defaulted
 * copy), so any edit of any field, or any added field, makes the signature fail. Verification
 * needs nothing but the file: it runs offline on the auditor's machine.
 */
import canonicalize from 'canonicalize';
import { randomUUID, sign, verify } from 'node:crypto';
import type { z } from 'zod';
import { findDuplicateKey } from './duplicate-keys.js';
import { fingerprintOf, publicKeyFromRaw, type SigningKey } from './keys.js';
import {
  RECEIPT_SCHEMA,
  Receipt,
  ReceiptSignature,
  UnsignedReceipt,
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
 * Throws a zod error naming the field when the input does not fit `divest.receipt/1`, so a bad
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
export function serializeReceipt(receipt: Receipt): string {
  return `${JSON.stringify(receipt, null, 2)}\n`;
}

/**
 * Options of {@link verifyReceipt}.
 *
 * `expectedFingerprint` is the fingerprint the operator gave the auditor through another channel.
 */
export interface VerifyReceiptOptions {
  /** `SHA256:<hex>` or the bare hex; spaces and case are ignored. */
  expectedFingerprint?: string;
}

/**
 * The outcome of verifying a receipt file.
 *
 * `problems` are sentences for people; `fingerprint` is that of the key in the file (computed from
 * the key, not copied from the stated fingerprint).
 */
export interface ReceiptVerification {
  valid: boolean;
  problems: string[];
  fingerprint?: string;
  receipt?: Receipt;
}

/**
 * The sentence for a signature that does not match the content.
 *
 * Exported so that tests and the CLI's documentation quote it exactly.
 */
export const SIGNATURE_MISMATCH =
  'the signature does not match the content: the receipt was edited after signing or signed by another key';

function describeJsonError(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : String(error);
  if (text.trim().length === 0) return 'not valid JSON: the file is empty';
  const m = /position (\d+)/.exec(message);
  const position =
    m?.[1] !== undefined ? Number(m[1]) : /end of JSON input/i.test(message) ? text.length : null;
  const clean = message.replace(/ in JSON at position \d+.*$/, '').replace(/ \(line \d+ column \d+\)$/, '');
  if (position === null) return `not valid JSON: ${clean}`;
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  const cut = position >= text.length ? ' (the file ends too early: is it cut off?)' : '';
  return `not valid JSON at line ${line}, column ${column} (character ${position}): ${clean}${cut}`;
}

function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(top level)' : out;
}

function normaliseFingerprint(value: string): string | null {
  const compact = value.replace(/\s+/g, '');
  const hex = compact.replace(/^sha256:/i, '').toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? `SHA256:${hex}` : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Verifies a receipt file's text: JSON, schema, structure, key fingerprint and signature.
 *
 * Never throws on bad input: every problem is a sentence in `problems`. With `expectedFingerprint`,
 * a receipt validly signed by any other key is reported as "signed by another key".
 */
export function verifyReceipt(text: string, options: VerifyReceiptOptions = {}): ReceiptVerification {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let raw: unknown;
  try {
    raw = JSON.parse(source);
  } catch (e) {
    return { valid: false, problems: [describeJsonError(e, source)] };
  }
  if (!isRecord(raw))
    return { valid: false, problems: ['not a receipt: the file holds JSON, but not an object'] };
  const duplicate = findDuplicateKey(source);
  if (duplicate)
    return {
      valid: false,
      problems: [
        `the key "${duplicate.key}" appears twice in ${duplicate.path} (character ${duplicate.position}): a receipt that different programs would read differently is refused`,
      ],
    };
  if (raw.schema !== RECEIPT_SCHEMA) {
    const found =
      raw.schema === undefined
        ? 'not a Divest receipt: there is no "schema" field'
        : `unknown schema ${JSON.stringify(raw.schema)} (expected "${RECEIPT_SCHEMA}")`;
    return { valid: false, problems: [found] };
  }

  const problems: string[] = [];
  const parsed = Receipt.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const keys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
      problems.push(`field ${fieldPath(issue.path)}: ${issue.message}${keys}`);
    }
  }

  let fingerprint: string | undefined;
  const sig = ReceiptSignature.safeParse(raw.signature);
  if (sig.success) {
    const keyRaw = Buffer.from(sig.data.publicKey, 'base64');
    fingerprint = fingerprintOf(keyRaw);
    if (fingerprint !== sig.data.keyFingerprint) {
      problems.push(
        `the key fingerprint does not match the public key (the receipt states ${sig.data.keyFingerprint}, the key's is ${fingerprint})`,
      );
    }
    let ok = false;
    try {
      ok = verify(null, signingBytes(raw), publicKeyFromRaw(keyRaw), Buffer.from(sig.data.value, 'base64'));
    } catch {
      ok = false;
    }
    if (!ok) problems.push(SIGNATURE_MISMATCH);
    if (options.expectedFingerprint !== undefined) {
      const expected = normaliseFingerprint(options.expectedFingerprint);
      if (expected === null) {
        problems.push(
          `the expected fingerprint "${options.expectedFingerprint}" is not a SHA256 fingerprint`,
        );
      } else if (expected !== fingerprint) {
        problems.push(`signed by another key (fingerprint ${fingerprint}, expected ${expected})`);
      }
    }
  }

  return {
    valid: problems.length === 0,
    problems,
    ...(fingerprint ? { fingerprint } : {}),
    ...(parsed.success ? { receipt: parsed.data } : {}),
  };
}
