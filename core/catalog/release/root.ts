/**
 * The root of trust: the root document compiled into the app (root.json), the rotations a data
 * folder has accepted since, and the rules of rotation (TUF's): root N+1 is accepted only when
 * signed by a threshold of root N's root keys AND a threshold of its own, each key counted once,
 * with version exactly N+1.
 */
import {
  ROOT_PAYLOAD_TYPE,
  RootDocument,
  type DsseEnvelope,
  type RootDocument as Root,
} from '../../model/catalog-release';
import { issuesInOneLine } from '../../validation';
import builtInRootJson from './root.json';
import { checkSignatures, decodeBase64, type SignatureCheck } from './dsse';
import { parseJsonBytes } from './envelope';
import { mislabelledKeys, rootKeys } from './keys';
import { refuse } from './refusal';

/** Parses and checks a root document (schema, and that every key id is its key's fingerprint). */
export function parseRoot(input: unknown, where: string): Root {
  const parsed = RootDocument.safeParse(input);
  if (!parsed.success)
    refuse('invalid', `${where} is not a valid root document: ${issuesInOneLine(parsed.error.issues)}`);
  const bad = mislabelledKeys(parsed.data);
  if (bad.length)
    refuse('invalid', `${where} lists key ${bad.join(', ')} under an id that is not its fingerprint`);
  return parsed.data;
}

/**
 * The root compiled into this build (core/catalog/release/root.json). The root shipped in this
 * repository is a DEVELOPMENT root: its private keys are in test/fixtures/catalog-release/dev-keys/.
 */
export function builtInRoot(): Root {
  return parseRoot(builtInRootJson, 'the built-in root (core/catalog/release/root.json)');
}

/** The distinct keys of `keyids` whose signatures verified (a key signing twice counts once). */
export function distinctSigners(checks: readonly SignatureCheck[], keyids: readonly string[]): string[] {
  const allowed = new Set(keyids);
  const seen = new Set<string>();
  for (const c of checks) if (c.kind === 'verified' && allowed.has(c.keyid)) seen.add(c.keyid);
  return [...seen];
}

function thresholdMet(
  checks: readonly SignatureCheck[],
  role: { keyids: string[]; threshold: number },
): { ok: boolean; count: number } {
  const count = distinctSigners(checks, role.keyids).length;
  return { ok: count >= role.threshold, count };
}

/**
 * Verifies a rotation from `current` to the root in `envelope`; returns the new root.
 * Refuses a wrong payloadType, a version other than current + 1, and a threshold of either the
 * old or the new root keys not met.
 */
export function verifyRotation(current: Root, envelope: DsseEnvelope, where: string): Root {
  if (envelope.payloadType !== ROOT_PAYLOAD_TYPE)
    refuse(
      'payload-type',
      `${where}: the new root has payloadType "${envelope.payloadType}", not "${ROOT_PAYLOAD_TYPE}"`,
    );
  const body = decodeBase64(envelope.payload);
  if (!body) refuse('malformed', `${where}: the new root's payload is not base64`);
  const next = parseRoot(parseJsonBytes(body, `${where}: the new root`), `${where}: the new root`);
  if (next.version !== current.version + 1)
    refuse(
      'rotation',
      `${where}: the new root is version ${next.version}, but only version ${current.version + 1} can follow the trusted root version ${current.version} (a rotation cannot skip or repeat a version)`,
    );
  const candidates = [...rootKeys(current).values(), ...rootKeys(next).values()];
  const unique = [...new Map(candidates.map((c) => [c.keyid, c])).values()];
  const checks = checkSignatures(envelope.payloadType, body, envelope.signatures, unique);
  const old = thresholdMet(checks, current.roles.root);
  if (!old.ok)
    refuse(
      'rotation',
      `${where}: root version ${next.version} is signed by ${old.count} of the trusted root version ${current.version}'s keys; ${current.roles.root.threshold} are needed (a new root must be signed by the old root keys and by its own)`,
    );
  const own = thresholdMet(checks, next.roles.root);
  if (!own.ok)
    refuse(
      'rotation',
      `${where}: root version ${next.version} is signed by ${own.count} of its own root keys; ${next.roles.root.threshold} are needed`,
    );
  return next;
}
