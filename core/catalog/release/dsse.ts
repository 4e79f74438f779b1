/**
 * DSSE (Dead Simple Signing Envelope, secure-systems-lab/dsse protocol.md v1.0.0) with `node:crypto`
 * only: the Pre-Authentication Encoding, strict base64, signing and verifying.
 *
 * DSSE signs bytes (`PAE(payloadType, payload)`), so no canonical JSON is needed, and the type is
 * bound into what is signed: changing `payloadType` breaks every signature.
 */
import { sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import type { DsseEnvelope } from '../../model/catalog-release';

/** `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, LEN the decimal byte length. */
export function pae(payloadType: string, body: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, 'ascii'),
    type,
    Buffer.from(` ${body.length} `, 'ascii'),
    body,
  ]);
}

const STANDARD = /^[A-Za-z0-9+/]*={0,2}$/;
const URL_SAFE = /^[A-Za-z0-9_-]*={0,2}$/;

/**
 * Decodes standard or URL-safe base64 (DSSE verifiers must accept both), strictly: any other
 * character, a bad length or non-zero padding bits is refused (Node's own decoder skips them,
 * which would let two different strings carry the same bytes). Returns undefined when invalid.
 */
export function decodeBase64(text: string): Buffer | undefined {
  const urlSafe = !STANDARD.test(text);
  if (urlSafe && !URL_SAFE.test(text)) return undefined;
  const bare = text.replace(/=+$/, '');
  if (bare.length % 4 === 1) return undefined;
  const padded = text.length !== bare.length;
  if (padded && text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(bare, urlSafe ? 'base64url' : 'base64');
  const again = bytes.toString(urlSafe ? 'base64url' : 'base64').replace(/=+$/, '');
  return again === bare ? bytes : undefined;
}

/** The signature algorithm for a key: Ed25519 signs the message itself; ECDSA P-256 its SHA-256. */
function algorithmOf(key: KeyObject): { digest: string | null; dsaEncoding?: 'ieee-p1363' } {
  if (key.asymmetricKeyType === 'ed25519') return { digest: null };
  if (key.asymmetricKeyType === 'ec') return { digest: 'sha256', dsaEncoding: 'ieee-p1363' };
  throw new TypeError(`unsupported key type ${String(key.asymmetricKeyType)}`);
}

/** Signs PAE(payloadType, body) with a private key. */
export function signPae(payloadType: string, body: Uint8Array, privateKey: KeyObject): Buffer {
  const { digest, dsaEncoding } = algorithmOf(privateKey);
  return cryptoSign(
    digest,
    pae(payloadType, body),
    dsaEncoding ? { key: privateKey, dsaEncoding } : privateKey,
  );
}

/** True when `sig` is a valid signature of PAE(payloadType, body) by `publicKey`. */
export function verifyPae(
  payloadType: string,
  body: Uint8Array,
  sig: Uint8Array,
  publicKey: KeyObject,
): boolean {
  const { digest, dsaEncoding } = algorithmOf(publicKey);
  try {
    return cryptoVerify(
      digest,
      pae(payloadType, body),
      dsaEncoding ? { key: publicKey, dsaEncoding } : publicKey,
      sig,
    );
  } catch {
    return false;
  }
}

/** Makes an envelope over `body`, one signature per key, each with its key id. */
export function makeEnvelope(
  payloadType: string,
  body: Uint8Array,
  signers: readonly { keyid: string; privateKey: KeyObject }[],
): DsseEnvelope {
  return {
    payloadType,
    payload: Buffer.from(body).toString('base64'),
    signatures: signers.map((s) => ({
      keyid: s.keyid,
      sig: signPae(payloadType, body, s.privateKey).toString('base64'),
    })),
  };
}

/** A key that may have signed: its id (fingerprint) and public key. */
export interface CandidateKey {
  keyid: string;
  publicKey: KeyObject;
}

/** What each signature of an envelope turned out to be. */
export type SignatureCheck =
  /** It verifies with this known key. */
  | { index: number; kind: 'verified'; keyid: string }
  /** It names a known key but does not verify with it (altered payload, moved signature). */
  | { index: number; kind: 'invalid'; keyid: string }
  /** It verifies with no known key; `claimed` is the key id it gives (never trusted), if any. */
  | { index: number; kind: 'unknown'; claimed?: string }
  /** Its `sig` is not base64. */
  | { index: number; kind: 'malformed'; claimed?: string };

/**
 * Checks every signature of an envelope against every candidate key (the key id only orders the
 * tries: DSSE forbids trusting it). A signature whose key id names a candidate but that verifies
 * with none is `invalid`.
 */
export function checkSignatures(
  payloadType: string,
  body: Uint8Array,
  signatures: DsseEnvelope['signatures'],
  candidates: readonly CandidateKey[],
): SignatureCheck[] {
  return signatures.map((s, index): SignatureCheck => {
    const sig = decodeBase64(s.sig);
    const claimed = s.keyid !== undefined ? { claimed: s.keyid } : {};
    if (!sig) return { index, kind: 'malformed', ...claimed };
    const ordered = [...candidates].sort((a, b) => Number(b.keyid === s.keyid) - Number(a.keyid === s.keyid));
    const hit = ordered.find((c) => verifyPae(payloadType, body, sig, c.publicKey));
    if (hit) return { index, kind: 'verified', keyid: hit.keyid };
    if (s.keyid !== undefined && candidates.some((c) => c.keyid === s.keyid))
      return { index, kind: 'invalid', keyid: s.keyid };
    return { index, kind: 'unknown', ...claimed };
  });
}
