/**
 * What this machine trusts beyond the built-in root: the root rotations accepted since (a chain
 * re-verified from the built-in root at every load), and the agency keys an administrator
 * installed (`divest catalog trust-agency`), journaled as `settings.changed` so that deleting
 * trust.json does not quietly drop a required countersignature (the journal's agencies are added
 * back when imports are checked).
 */
import { DivestError } from '../../errors';
import type { Journal } from '../../journal/journal';
import { allOf, type Events } from '../../journal/history';
import {
  DsseEnvelope,
  TrustedAgency,
  type RootDocument,
  type TrustedAgency as Agency,
} from '../../model/catalog-release';
import { Slug } from '../../model/ids';
import { issuesInOneLine } from '../../validation';
import { parseJsonBytes } from './envelope';
import { publicKeyFromPem } from './keys';
import { refuse, ReleaseRefused } from './refusal';
import { verifyRotation } from './root';
import { exists, readBounded, readTrust, rootFile, writeAtomic, writeTrust } from './store';

/** The `settings.changed` key under which agency trust is journaled. */
export const TRUST_SETTING = 'catalog.trust-agency';

/**
 * The newest root: the built-in one, then every `roots/root-<N>.dsse.json` in order, each verified
 * against the one before. A file that does not verify stops everything (fail closed).
 */
export function loadRootChain(dataDir: string, builtIn: RootDocument): RootDocument {
  let root = builtIn;
  for (;;) {
    const file = rootFile(dataDir, root.version + 1);
    if (!exists(file)) return root;
    try {
      const env = DsseEnvelope.safeParse(parseJsonBytes(readBounded(file, 1024 * 1024), file));
      if (!env.success)
        refuse('malformed', `${file} is not a DSSE envelope: ${issuesInOneLine(env.error.issues)}`);
      root = verifyRotation(root, env.data, file);
    } catch (e) {
      if (!(e instanceof ReleaseRefused)) throw e;
      refuse(
        'state',
        `the root rotation kept in the data folder cannot be verified: ${e.message}. Restore that file from a backup, or import the release that carried it again`,
      );
    }
  }
}

/** Keeps an accepted root rotation (verbatim envelope). */
export function storeRotation(dataDir: string, envelope: DsseEnvelope, root: RootDocument): void {
  writeAtomic(rootFile(dataDir, root.version), `${JSON.stringify(envelope, null, 2)}\n`);
}

/** Agencies the journal says were trusted (a `settings.changed` of {@link TRUST_SETTING}). */
export function journaledAgencies(events: Events): Agency[] {
  const out = new Map<string, Agency>();
  for (const e of allOf(events, 'settings.changed')) {
    if (!e.data.changed.includes(TRUST_SETTING)) continue;
    const parsed = TrustedAgency.safeParse(e.data.values?.[TRUST_SETTING]);
    if (parsed.success) out.set(parsed.data.slug, parsed.data);
  }
  return [...out.values()];
}

/** trust.json's agencies, with any the journal knows and the file lost. */
export function trustedAgencies(dataDir: string, events?: Events): { agencies: Agency[]; problem?: string } {
  const { trust, problem } = readTrust(dataDir);
  const bySlug = new Map(trust.agencies.map((a) => [a.slug, a]));
  // The journal is tamper-evident and trust.json is not: for an agency the journal knows, its
  // latest journaled trust wins.
  for (const a of events ? journaledAgencies(events) : []) bySlug.set(a.slug, a);
  return { agencies: [...bySlug.values()], ...(problem ? { problem } : {}) };
}

/** Installs an agency's public key (PEM); journaled. Returns what was trusted. */
export async function trustAgency(o: {
  dataDir: string;
  journal: Journal;
  root: RootDocument;
  pem: string;
  slug: string;
  requireAgencySignature: boolean;
  now: Date;
}): Promise<Agency> {
  if (!Slug.safeParse(o.slug).success)
    throw new DivestError('usage', `--name must be a lower-case slug such as "acme" (got "${o.slug}")`);
  let key: ReturnType<typeof publicKeyFromPem>;
  try {
    key = publicKeyFromPem(o.pem);
  } catch (e) {
    throw new DivestError(
      'invalid-input',
      `the agency key is not an Ed25519 public key in PEM: ${(e as Error).message}`,
    );
  }
  if (o.root.keys.some((k) => k.keyid === key.keyid))
    throw new DivestError(
      'invalid-input',
      `key ${key.keyid} is a key of the root (root or publisher role): an agency key must be a different key (role separation)`,
    );
  const { trust } = readTrust(o.dataDir);
  const other = trust.agencies.find((a) => a.keyid === key.keyid && a.slug !== o.slug);
  if (other)
    throw new DivestError('invalid-input', `key ${key.keyid} is already the key of agency "${other.slug}"`);
  const agency: Agency = {
    slug: o.slug,
    keyid: key.keyid,
    publicKey: key.raw,
    requireAgencySignature: o.requireAgencySignature,
    addedAt: o.now.toISOString(),
  };
  await o.journal.append('settings.changed', {
    changed: [TRUST_SETTING],
    values: { [TRUST_SETTING]: agency },
  });
  writeTrust(o.dataDir, { ...trust, agencies: [...trust.agencies.filter((a) => a.slug !== o.slug), agency] });
  return agency;
}
