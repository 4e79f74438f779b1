/**
 * Reading a release file as bytes, strictly: UTF-8, JSON without duplicated keys (in the envelope
 * and in the payload: two parsers must not see two different releases), a DSSE envelope of the
 * catalog-release payloadType, a strict-base64 payload, and the payload's metadata. Nothing here
 * decides trust: `verify.ts` does, on what this returns.
 */
import { createHash } from 'node:crypto';
import {
  DsseEnvelope,
  MAX_RELEASE_BYTES,
  RELEASE_PAYLOAD_TYPE,
  ReleasePayload,
  type DsseEnvelope as Envelope,
  type ReleasePayload as Payload,
} from '../../model/catalog-release';
import { findDuplicateKey } from '../../receipt/strict-json';
import { issuesInOneLine, jsonDepthExceeds, jsonSyntaxMessage } from '../../validation';
import { decodeBase64 } from './dsse';
import { refuse } from './refusal';

/** Deeper than any catalog or release document (about 10 levels); refused before parsing. */
const MAX_JSON_DEPTH = 64;

/**
 * Parses UTF-8 JSON bytes, refusing invalid UTF-8, invalid JSON and (unless `duplicates` is false)
 * duplicated keys.
 */
export function parseJsonBytes(bytes: Uint8Array, what: string, duplicates = true): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    refuse('malformed', `${what} is not UTF-8 text`);
  }
  const deep = jsonDepthExceeds(text, MAX_JSON_DEPTH);
  if (deep)
    refuse(
      'malformed',
      `${what} is nested more than ${MAX_JSON_DEPTH} levels deep (at character ${deep.position}): no catalog is`,
    );
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    refuse('malformed', `${what} is not valid JSON: ${jsonSyntaxMessage(e)}`);
  }
  // Long runs of base64 (the envelope's payload: ~250 KB) hold no quote, backslash or key, so they
  // are collapsed before the key scan: the same keys, found in a fraction of the time.
  const dup = duplicates && findDuplicateKey(text.replace(/"[A-Za-z0-9+/=_-]{256,}"/g, '""'));
  if (dup)
    refuse(
      'duplicate-key',
      `${what} repeats the key "${dup.key}" in ${dup.path} (at character ${dup.position}): a file that two JSON readers can read differently is refused`,
    );
  return value;
}

/** A release file taken apart, not yet trusted. */
export interface DecodedRelease {
  envelope: Envelope;
  /** The payload bytes exactly as signed. */
  payloadBytes: Buffer;
  /** SHA-256 (hex) of the payload bytes: the release's identity (fork detection, journal). */
  payloadSha256: string;
  payload: Payload;
}

/** SHA-256 hex of bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Takes a release file's bytes apart; refuses anything that is not a well-formed release.
 * `duplicates: false` skips the duplicated-key scan, for a release already accepted (it was scanned
 * at import; the scan guards other readers, and Divest's own parse is deterministic).
 */
export function decodeRelease(bytes: Uint8Array, origin: string, duplicates = true): DecodedRelease {
  if (bytes.length > MAX_RELEASE_BYTES)
    refuse(
      'too-large',
      `${origin} is ${bytes.length} bytes; a catalog release is at most ${MAX_RELEASE_BYTES} bytes`,
    );
  const input = parseJsonBytes(bytes, origin, duplicates);
  const env = DsseEnvelope.safeParse(input);
  if (!env.success)
    refuse('malformed', `${origin} is not a DSSE envelope: ${issuesInOneLine(env.error.issues)}`);
  const envelope = env.data;
  if (envelope.payloadType !== RELEASE_PAYLOAD_TYPE)
    refuse(
      'payload-type',
      `${origin} has payloadType "${envelope.payloadType}"; a Divest catalog release has "${RELEASE_PAYLOAD_TYPE}"`,
    );
  if (envelope.signatures.length === 0) refuse('untrusted-key', `${origin} carries no signature`);
  const payloadBytes = decodeBase64(envelope.payload);
  if (!payloadBytes) refuse('malformed', `${origin}: the payload is not valid base64`);
  const parsed = ReleasePayload.safeParse(
    parseJsonBytes(payloadBytes, `${origin} (signed payload)`, duplicates),
  );
  if (!parsed.success)
    refuse(
      'invalid',
      `${origin}: the signed payload is not a catalog release: ${issuesInOneLine(parsed.error.issues)}`,
    );
  return { envelope, payloadBytes, payloadSha256: sha256Hex(payloadBytes), payload: parsed.data };
}
