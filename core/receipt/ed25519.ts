/**
 * The checks Node's (OpenSSL's) Ed25519 verification does not make, which a receipt needs.
 *
 * OpenSSL accepts public keys and signature points of small order: with the identity point as the
 * key, R = identity and S = 0, a "signature" verifies for ANY message, so anyone could forge a
 * receipt that says VALID. RFC 8032 §5.1.7 and the cofactorless-verification literature list what
 * to refuse: a key or an R whose y coordinate is not reduced mod p (a non-canonical encoding), a
 * point of small order (the eight points of the torsion subgroup: y in {0, 1, p-1, ±y8}), and an
 * S that is not below the group order L.
 */

const P = 2n ** 255n - 19n;
/** The group order. */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
/** y of the points of order 8 (and its negation p - y8). */
const Y8 = 2707385501144840649318225287225658788936804267575313519463743609750303402022n;
const SMALL_ORDER_Y = new Set([0n, 1n, P - 1n, Y8, P - Y8]);

function littleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i] ?? 0);
  return n;
}

/** Why a 32-byte point encoding is unacceptable, or null when it is fine. */
export function pointProblem(encoded: Uint8Array): string | null {
  if (encoded.length !== 32) return 'is not 32 bytes';
  const y = littleEndian(encoded) & ((1n << 255n) - 1n);
  if (y >= P) return 'is not a canonical encoding (y is not reduced mod p)';
  if (SMALL_ORDER_Y.has(y)) return 'is a point of small order (it would verify forged signatures)';
  return null;
}

/** Why a 64-byte signature is unacceptable before verification, or null when it is fine. */
export function signatureProblem(signature: Uint8Array): string | null {
  if (signature.length !== 64) return 'is not 64 bytes';
  const r = pointProblem(signature.subarray(0, 32));
  if (r) return `has an R that ${r}`;
  if (littleEndian(signature.subarray(32)) >= L)
    return 'has an S that is not below the group order (non-canonical)';
  return null;
}

/** True when `s` is the one canonical standard base64 of its bytes (padding, no spare bits set). */
export function isCanonicalBase64(s: string): boolean {
  return /^[A-Za-z0-9+/]*={0,2}$/.test(s) && Buffer.from(s, 'base64').toString('base64') === s;
}
