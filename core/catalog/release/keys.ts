/**
 * Catalog keys: Ed25519 only, identified by their fingerprint (`SHA256:` + hex SHA-256 of the 32 raw
 * bytes, the same as receipt keys, from `core/receipt/keys.ts`), read from PEM files.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { fingerprintOf, publicKeyFromRaw, rawPublicKey } from '../../receipt/keys';
import type { RootDocument, TrustedAgency } from '../../model/catalog-release';
import type { CandidateKey } from './dsse';

/** A public key with its id. */
export interface CatalogPublicKey {
  keyid: string;
  publicKey: KeyObject;
  /** The 32 raw bytes, base64 (as root documents and trust.json hold them). */
  raw: string;
}

/** A private key with the id of its public half (for signing). */
export interface CatalogPrivateKey {
  keyid: string;
  privateKey: KeyObject;
}

function describe(key: KeyObject): CatalogPublicKey {
  if (key.asymmetricKeyType !== 'ed25519')
    throw new TypeError(`not an Ed25519 key (it is ${String(key.asymmetricKeyType)})`);
  const raw = rawPublicKey(key);
  return { keyid: fingerprintOf(raw), publicKey: key, raw: raw.toString('base64') };
}

/** The key of a base64 raw Ed25519 public key. */
export function keyFromRaw(rawBase64: string): CatalogPublicKey {
  return describe(publicKeyFromRaw(Buffer.from(rawBase64, 'base64')));
}

/** An Ed25519 public key from PEM (SPKI `PUBLIC KEY`, or the public half of a private key). */
export function publicKeyFromPem(pem: string): CatalogPublicKey {
  return describe(createPublicKey(pem));
}

/** An Ed25519 private key from PKCS#8 PEM. */
export function privateKeyFromPem(pem: string): CatalogPrivateKey {
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new TypeError(`not an Ed25519 private key (it is ${String(privateKey.asymmetricKeyType)})`);
  return { keyid: describe(createPublicKey(privateKey)).keyid, privateKey };
}

/** The keys of a root document (every key's id already checked against its bytes). */
export function rootKeys(root: RootDocument): Map<string, CandidateKey> {
  return new Map(
    root.keys.map((k) => [k.keyid, { keyid: k.keyid, publicKey: keyFromRaw(k.publicKey).publicKey }]),
  );
}

/** Key ids whose listed id is not the fingerprint of the listed key (a root must not lie about ids). */
export function mislabelledKeys(root: RootDocument): string[] {
  return root.keys.filter((k) => keyFromRaw(k.publicKey).keyid !== k.keyid).map((k) => k.keyid);
}

/** The candidate key of a trusted agency. */
export function agencyKey(agency: TrustedAgency): CandidateKey {
  return { keyid: agency.keyid, publicKey: keyFromRaw(agency.publicKey).publicKey };
}
