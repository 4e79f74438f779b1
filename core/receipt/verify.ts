/**
 * Verifying a receipt file: offline, from the file alone, on the auditor's machine.
 *
 * Two separate answers, never merged into one "VALID": the SIGNATURE (the content is exactly what
 * the key signed, and whether that key is the one the auditor expected, or only the key the file
 * itself brings: self-asserted), and WHAT IT ATTESTS (`attest.ts`). Verification canonicalises the
 * JSON exactly as found in the file (not a re-parsed, defaulted copy), so any edit of any field, or
 * any added field, makes the signature fail; a file that different parsers would read differently
 * (a duplicated key, a number or a base64 string with two spellings) is refused; keys and
 * signature points of small order, which Node's verifier accepts, are refused. Never throws on
 * bad input: every problem is a sentence.
 */
import { verify } from 'node:crypto';
import type { z } from 'zod';
import {
  RECEIPT_SCHEMA,
  RECEIPT_SCHEMA_V1,
  Receipt,
  ReceiptSignature,
  ReceiptV1,
  type AnyReceipt,
} from '../model/receipt';
import { formatPath } from '../validation';
import { isCanonicalBase64, pointProblem, signatureProblem } from './ed25519';
import { fingerprintOf, publicKeyFromRaw } from './keys';
import { signingBytes } from './sign';
import { findDuplicateKey, findNonCanonicalToken } from './strict-json';
import { jsonDepthExceeds, jsonSyntaxMessage } from '../validation';

/** Deeper than any receipt (about 8 levels); refused before parsing. */
const MAX_RECEIPT_DEPTH = 64;

export interface VerifyReceiptOptions {
  /** The fingerprint the operator gave the auditor by another channel: `SHA256:<hex>` or the hex. */
  expectedFingerprint?: string;
}

/**
 * Whom the signature ties the receipt to: `pinned` (the key is the one expected), `self-asserted`
 * (no key was expected: the file names its own key, so anyone could have made it), or
 * `other-key` (a valid signature by a key other than the expected one).
 */
export type KeyTrust = 'pinned' | 'self-asserted' | 'other-key';

export interface ReceiptVerification {
  /** The signature is valid AND, when a fingerprint was expected, made by that key. */
  valid: boolean;
  signature: { valid: boolean; trust: KeyTrust | null; fingerprint: string | null };
  problems: string[];
  /** `divest.receipt/2` or `/1`, when the file names a known schema. */
  version: typeof RECEIPT_SCHEMA | typeof RECEIPT_SCHEMA_V1 | null;
  receipt?: AnyReceipt;
  /** Kept for callers of the first version: the key's fingerprint, computed from the key. */
  fingerprint?: string;
}

/** The sentence for a signature that does not match the content (tests and docs quote it). */
export const SIGNATURE_MISMATCH =
  'the signature does not match the content: the receipt was edited after signing or signed by another key';

function describeJsonError(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : String(error);
  if (text.trim().length === 0) return 'not valid JSON: the file is empty';
  const m = /position (\d+)/.exec(message);
  const position =
    m?.[1] !== undefined ? Number(m[1]) : /end of JSON input/i.test(message) ? text.length : null;
  const clean = jsonSyntaxMessage(error);
  if (position === null) return `not valid JSON: ${clean}`;
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  const cut = position >= text.length ? ' (the file ends too early: is it cut off?)' : '';
  return `not valid JSON at line ${line}, column ${column} (character ${position}): ${clean}${cut}`;
}

function normaliseFingerprint(value: string): string | null {
  const hex = value
    .replace(/\s+/g, '')
    .replace(/^sha256:/i, '')
    .toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? `SHA256:${hex}` : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function structureProblems(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
    return `field ${formatPath(issue.path)}: ${issue.message}${keys}`;
  });
}

function refused(problem: string): ReceiptVerification {
  return {
    valid: false,
    signature: { valid: false, trust: null, fingerprint: null },
    problems: [problem],
    version: null,
  };
}

/** The signature block's own problems (encodings, small-order points), then the signature itself. */
function checkSignature(
  raw: Record<string, unknown>,
  problems: string[],
): { valid: boolean; fingerprint: string | null } {
  const sig = ReceiptSignature.safeParse(raw.signature);
  if (!sig.success) return { valid: false, fingerprint: null };
  const { publicKey, value, keyFingerprint } = sig.data;
  const before = problems.length;
  if (!isCanonicalBase64(publicKey)) problems.push('field signature.publicKey: is not canonical base64');
  if (!isCanonicalBase64(value)) problems.push('field signature.value: is not canonical base64');
  const keyRaw = Buffer.from(publicKey, 'base64');
  const sigRaw = Buffer.from(value, 'base64');
  const keyProblem = pointProblem(keyRaw);
  if (keyProblem) problems.push(`the public key ${keyProblem}: refused`);
  const sigProblem = signatureProblem(sigRaw);
  if (sigProblem) problems.push(`the signature ${sigProblem}: refused`);
  const fingerprint = fingerprintOf(keyRaw);
  if (fingerprint !== keyFingerprint)
    problems.push(
      `the key fingerprint does not match the public key (the receipt states ${keyFingerprint}, the key's is ${fingerprint})`,
    );
  if (problems.length > before) return { valid: false, fingerprint };
  let ok = false;
  try {
    ok = verify(null, signingBytes(raw), publicKeyFromRaw(keyRaw), sigRaw);
  } catch {
    ok = false;
  }
  if (!ok) problems.push(SIGNATURE_MISMATCH);
  return { valid: ok, fingerprint };
}

/** Verifies a receipt file's text (see the file header). */
export function verifyReceipt(text: string, options: VerifyReceiptOptions = {}): ReceiptVerification {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const deep = jsonDepthExceeds(source, MAX_RECEIPT_DEPTH);
  if (deep)
    return refused(
      `nested more than ${MAX_RECEIPT_DEPTH} levels deep (at character ${deep.position}): no receipt is, and such a file is refused before it is read`,
    );
  let raw: unknown;
  try {
    raw = JSON.parse(source);
  } catch (e) {
    return refused(describeJsonError(e, source));
  }
  if (!isRecord(raw)) return refused('not a receipt: the file holds JSON, but not an object');
  const duplicate = findDuplicateKey(source);
  if (duplicate)
    return refused(
      `the key "${duplicate.key}" appears twice in ${duplicate.path} (character ${duplicate.position}): a receipt that different programs would read differently is refused`,
    );
  const token = findNonCanonicalToken(source);
  if (token)
    return refused(`${token.message} (character ${token.position}): a receipt with two spellings is refused`);
  const version =
    raw.schema === RECEIPT_SCHEMA
      ? RECEIPT_SCHEMA
      : raw.schema === RECEIPT_SCHEMA_V1
        ? RECEIPT_SCHEMA_V1
        : null;
  if (version === null)
    return refused(
      raw.schema === undefined
        ? 'not a Divest receipt: there is no "schema" field'
        : `unknown schema ${JSON.stringify(raw.schema)} (expected "${RECEIPT_SCHEMA}" or "${RECEIPT_SCHEMA_V1}")`,
    );

  const problems: string[] = [];
  const parsed = (version === RECEIPT_SCHEMA ? Receipt : ReceiptV1).safeParse(raw);
  if (!parsed.success) problems.push(...structureProblems(parsed.error.issues));
  const sig = checkSignature(raw, problems);

  let trust: KeyTrust | null = sig.valid ? 'self-asserted' : null;
  if (options.expectedFingerprint !== undefined) {
    const expected = normaliseFingerprint(options.expectedFingerprint);
    if (expected === null)
      problems.push(`the expected fingerprint "${options.expectedFingerprint}" is not a SHA256 fingerprint`);
    else if (sig.fingerprint && expected !== sig.fingerprint) {
      problems.push(`signed by another key (fingerprint ${sig.fingerprint}, expected ${expected})`);
      if (sig.valid) trust = 'other-key';
    } else if (sig.valid) trust = 'pinned';
  }
  return {
    valid: problems.length === 0,
    signature: { valid: sig.valid && parsed.success, trust, fingerprint: sig.fingerprint },
    problems,
    version,
    ...(sig.fingerprint ? { fingerprint: sig.fingerprint } : {}),
    ...(parsed.success ? { receipt: parsed.data } : {}),
  };
}
