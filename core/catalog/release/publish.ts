/**
 * Making releases (the publisher's and agencies' side; used offline by scripts/catalog-publish.mjs
 * and by the tests): the payload bytes, the envelope signed by every key given, countersignatures
 * over an existing release, and signed root documents for rotation.
 */
import {
  OVERLAY_SCHEMA,
  RELEASE_PAYLOAD_TYPE,
  RELEASE_SCHEMA,
  ROOT_PAYLOAD_TYPE,
  DsseEnvelope,
  type Channel,
  type DsseEnvelope as Envelope,
} from '../../model/catalog-release';
import { decodeBase64, makeEnvelope, signPae } from './dsse';
import type { CatalogPrivateKey } from './keys';

/** What a release says about itself; the catalog (or overlay) goes in whole. */
export interface ReleaseSpec {
  channel: Channel;
  sequence: number;
  issuedAt: string;
  expires: string;
  minAppVersion: string;
  /** The full catalog (publisher channel). */
  catalog?: { version: string } & Record<string, unknown>;
  /** The overlay (agency channel). */
  overlay?: { version: string } & Record<string, unknown>;
  /** A signed root document for rotation. */
  root?: Envelope | null;
}

/** The payload bytes exactly as they will be signed (UTF-8 JSON). */
export function releasePayloadBytes(spec: ReleaseSpec): Buffer {
  const content = spec.catalog ?? spec.overlay;
  if (!content) throw new TypeError('a release needs a catalog or an overlay');
  const payload = {
    schema: RELEASE_SCHEMA,
    channel: spec.channel,
    sequence: spec.sequence,
    catalogVersion: content.version,
    issuedAt: spec.issuedAt,
    expires: spec.expires,
    minAppVersion: spec.minAppVersion,
    root: spec.root ?? null,
    ...(spec.catalog ? { catalog: spec.catalog } : {}),
    ...(spec.overlay ? { overlay: { schema: OVERLAY_SCHEMA, ...spec.overlay } } : {}),
  };
  return Buffer.from(JSON.stringify(payload), 'utf8');
}

/** A release envelope signed by every key given. */
export function signRelease(spec: ReleaseSpec, keys: readonly CatalogPrivateKey[]): Envelope {
  return makeEnvelope(RELEASE_PAYLOAD_TYPE, releasePayloadBytes(spec), keys);
}

/** Signs arbitrary payload bytes as a release (tests build malformed payloads with it). */
export function signPayloadBytes(
  body: Uint8Array,
  keys: readonly CatalogPrivateKey[],
  payloadType = RELEASE_PAYLOAD_TYPE,
): Envelope {
  return makeEnvelope(payloadType, body, keys);
}

/** Adds signatures (an agency's countersignature) over an envelope's payload, as it is. */
export function countersign(envelope: Envelope, keys: readonly CatalogPrivateKey[]): Envelope {
  const env = DsseEnvelope.parse(envelope);
  const body = decodeBase64(env.payload);
  if (!body) throw new TypeError('the envelope payload is not base64');
  return {
    ...env,
    signatures: [
      ...env.signatures,
      ...keys.map((k) => ({
        keyid: k.keyid,
        sig: signPae(env.payloadType, body, k.privateKey).toString('base64'),
      })),
    ],
  };
}

/** A root document signed for rotation (by a threshold of the old root keys and of its own). */
export function signRoot(root: Record<string, unknown>, keys: readonly CatalogPrivateKey[]): Envelope {
  return makeEnvelope(ROOT_PAYLOAD_TYPE, Buffer.from(JSON.stringify(root), 'utf8'), keys);
}

/** `divest-catalog-<version>.dsse.json` (an overlay: `divest-overlay-<slug>-<version>.dsse.json`). */
export function releaseFileName(channel: Channel, version: string): string {
  return channel === 'publisher'
    ? `divest-catalog-${version}.dsse.json`
    : `divest-overlay-${channel.slice('agency:'.length)}-${version}.dsse.json`;
}

/** The envelope as written to a file. */
export function serializeEnvelope(envelope: Envelope): string {
  return `${JSON.stringify(envelope, null, 2)}\n`;
}
