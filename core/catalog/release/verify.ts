/**
 * Verifying a catalog release against a root of trust and the agencies this machine trusts: the
 * signatures (threshold, roles, countersignatures), a root rotation it carries, the clock, the
 * app version, and the catalog or overlay it carries. Pure: bytes in, a verified release or a
 * {@link ReleaseRefused} out. Anti-rollback against what is installed is `floor.ts`'s.
 */
import canonicalize from 'canonicalize';
import type { Catalog } from '../../model/catalog';
import {
  MAX_FUTURE_MS,
  RELEASE_PAYLOAD_TYPE,
  type CatalogException,
  type CatalogOverlay,
  type DsseEnvelope,
  type ProvenanceSigner,
  type RootDocument,
  type TrustedAgency,
} from '../../model/catalog-release';
import { CatalogError, validateCatalog } from '../load';
import { checkSignatures, decodeBase64, type CandidateKey, type SignatureCheck } from './dsse';
import { decodeRelease, parseJsonBytes, type DecodedRelease } from './envelope';
import { agencyKey, rootKeys } from './keys';
import { mergeOverlay, parseOverlay } from './overlay';
import { refuse } from './refusal';
import { distinctSigners, parseRoot, verifyRotation } from './root';

/** The clock a check uses: the system's, and the effective one (never before the newest issuedAt seen). */
export interface EffectiveClock {
  system: Date;
  effective: Date;
}

/** What a release is checked against. */
export interface TrustContext {
  /** The newest trusted root (the built-in one, or the last rotation accepted). */
  root: RootDocument;
  agencies: readonly TrustedAgency[];
  appVersion: string;
  clock: EffectiveClock;
  /** The active publisher catalog, which an agency overlay is merged into. */
  publisherCatalog?: Catalog;
}

/** A release whose signatures and content passed. */
export interface VerifiedRelease extends DecodedRelease {
  origin: string;
  /** The root the signatures were checked against (the new one, after a rotation). */
  root: RootDocument;
  /** The rotation this release carried and that was verified, if any. */
  rotation: { envelope: DsseEnvelope; root: RootDocument } | null;
  signers: ProvenanceSigner[];
  /** The full catalog (publisher channel). */
  catalog?: { catalog: Catalog; sha256: string };
  /** The overlay (agency channel), and the publisher catalog with it merged in. */
  overlay?: CatalogOverlay;
  merged?: { catalog: Catalog; sha256: string; exceptions: CatalogException[] };
  /** Expired against the effective clock (only a release already installed can be). */
  stale: boolean;
}

/** `new`: a release offered for import or use; `stored`: one accepted before (may be expired). */
export type VerifyMode = 'new' | 'stored';

/** Compares MAJOR.MINOR.PATCH versions (a pre-release suffix of `b` counts as below its release). */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string): number[] => {
    const [core = '', pre] = v.split('-', 2);
    const parts = core.split('.').map((x) => Number.parseInt(x, 10) || 0);
    return [...parts, 0, 0, 0].slice(0, 3).concat(pre === undefined ? 1 : 0);
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

/** The root the release is signed under: a verified rotation, or the trusted root. */
function rootFor(
  decoded: DecodedRelease,
  trusted: RootDocument,
  origin: string,
): { root: RootDocument; rotation: VerifiedRelease['rotation'] } {
  const carried = decoded.payload.root;
  if (!carried) return { root: trusted, rotation: null };
  const body = decodeBase64(carried.payload);
  const peek = body ? (parseJsonBytes(body, `${origin}: the new root`) as { version?: unknown }) : {};
  const version = typeof peek.version === 'number' ? peek.version : Number.NaN;
  if (version <= trusted.version) {
    // A release may carry the current root again (for machines that skipped a rotation).
    const same =
      version === trusted.version && canonicalize(parseRoot(peek, origin)) === canonicalize(trusted);
    if (version === trusted.version && !same)
      refuse(
        'rotation',
        `${origin} carries a root version ${version} that differs from the trusted root version ${trusted.version}`,
      );
    return { root: trusted, rotation: null };
  }
  const root = verifyRotation(trusted, carried, origin);
  return { root, rotation: { envelope: carried, root } };
}

function describeUnknown(checks: readonly SignatureCheck[]): string {
  const ids = checks
    .filter((c): c is Extract<SignatureCheck, { kind: 'unknown' }> => c.kind === 'unknown')
    .map((c) => c.claimed ?? '(a key it does not name)');
  return [...new Set(ids)].join(', ');
}

/** Refuses a signature that names a trusted key and does not verify, or is not base64. */
function refuseBadSignatures(checks: readonly SignatureCheck[], origin: string): void {
  for (const c of checks) {
    if (c.kind === 'malformed') refuse('bad-signature', `${origin}: signature ${c.index + 1} is not base64`);
    if (c.kind === 'invalid')
      refuse(
        'bad-signature',
        `${origin}: signature ${c.index + 1} (key ${c.keyid}) does not verify over this payload: the payload or its type was altered, or the signature belongs to another release`,
      );
  }
}

function publisherSigners(
  checks: readonly SignatureCheck[],
  ctx: TrustContext,
  root: RootDocument,
  origin: string,
): string[] {
  const role = root.roles.publisher;
  const signers = distinctSigners(checks, role.keyids);
  if (signers.length >= role.threshold) return signers;
  const agencyIds = new Map(ctx.agencies.map((a) => [a.keyid, a.slug]));
  const byAgency = checks.find((c) => c.kind === 'verified' && agencyIds.has(c.keyid));
  const byRoot = distinctSigners(checks, root.roles.root.keyids);
  if (signers.length === 0 && byAgency?.kind === 'verified')
    refuse(
      'cross-role',
      `${origin} is signed by the key of agency "${agencyIds.get(byAgency.keyid)}" (${byAgency.keyid}), but an agency key cannot sign the publisher channel`,
    );
  if (signers.length === 0 && byRoot.length)
    refuse('cross-role', `${origin} is signed by root key ${byRoot[0]}: root keys sign roots, not catalogs`);
  const unknown = describeUnknown(checks);
  if (signers.length === 0 && unknown)
    refuse(
      'untrusted-key',
      `${origin} is signed by ${unknown}, a key that root version ${root.version} does not delegate for the publisher channel`,
    );
  refuse(
    'threshold',
    `${origin} has ${signers.length} valid signature${signers.length === 1 ? '' : 's'} by distinct publisher keys; ${role.threshold} are needed (signatures by the same key count once)`,
  );
}

function agencySigner(
  checks: readonly SignatureCheck[],
  ctx: TrustContext,
  root: RootDocument,
  slug: string,
  origin: string,
): TrustedAgency {
  const agency = ctx.agencies.find((a) => a.slug === slug);
  if (!agency)
    refuse(
      'unknown-agency',
      `${origin} is an overlay of agency "${slug}", which this machine does not trust (an administrator adds it with "divest catalog trust-agency --pubkey FILE --name ${slug}")`,
    );
  if (distinctSigners(checks, [agency.keyid]).length) return agency;
  const publisher = distinctSigners(checks, [...root.roles.publisher.keyids, ...root.roles.root.keyids]);
  if (publisher.length)
    refuse(
      'cross-role',
      `${origin} is signed by publisher/root key ${publisher[0]}, which cannot sign an agency channel`,
    );
  const other = ctx.agencies.find((a) => distinctSigners(checks, [a.keyid]).length);
  if (other)
    refuse('cross-role', `${origin} is for agency "${slug}" but signed by the key of agency "${other.slug}"`);
  refuse(
    'untrusted-key',
    `${origin} is signed by ${describeUnknown(checks) || 'no key'}, not by the key of agency "${slug}" (${agency.keyid})`,
  );
}

function checkSigners(
  decoded: DecodedRelease,
  ctx: TrustContext,
  root: RootDocument,
  mode: VerifyMode,
  origin: string,
): ProvenanceSigner[] {
  const { channel } = decoded.payload;
  const candidates: CandidateKey[] = [...rootKeys(root).values(), ...ctx.agencies.map(agencyKey)];
  const checks = checkSignatures(
    RELEASE_PAYLOAD_TYPE,
    decoded.payloadBytes,
    decoded.envelope.signatures,
    candidates,
  );
  refuseBadSignatures(checks, origin);
  if (channel.startsWith('agency:')) {
    const agency = agencySigner(checks, ctx, root, channel.slice('agency:'.length), origin);
    return [{ keyid: agency.keyid, role: 'agency', agency: agency.slug }];
  }
  const signers: ProvenanceSigner[] = publisherSigners(checks, ctx, root, origin).map((keyid) => ({
    keyid,
    role: 'publisher',
  }));
  for (const agency of ctx.agencies) {
    const signed = distinctSigners(checks, [agency.keyid]).length > 0;
    if (signed) signers.push({ keyid: agency.keyid, role: 'agency', agency: agency.slug });
    // Checked when a release is offered; one installed before the agency was added stays usable.
    else if (agency.requireAgencySignature && mode === 'new')
      refuse(
        'countersignature',
        `${origin} is not countersigned by agency "${agency.slug}" (${agency.keyid}), which this machine requires for publisher releases`,
      );
  }
  return signers;
}

function checkTime(
  decoded: DecodedRelease,
  root: RootDocument,
  ctx: TrustContext,
  mode: VerifyMode,
  origin: string,
): boolean {
  const { issuedAt, expires } = decoded.payload;
  const now = ctx.clock.effective.getTime();
  const issued = Date.parse(issuedAt);
  const until = Date.parse(expires);
  if (until <= issued) refuse('invalid', `${origin} expires (${expires}) before it was issued (${issuedAt})`);
  if (mode === 'new') {
    if (until <= now)
      refuse(
        'expired',
        `${origin} expired on ${expires} (now is ${ctx.clock.effective.toISOString()}): an expired release cannot be installed; ask the publisher for a current one`,
      );
    if (issued > now + MAX_FUTURE_MS)
      refuse(
        'future',
        `${origin} was issued at ${issuedAt}, more than 24 hours after now (${ctx.clock.effective.toISOString()}): check this machine's clock, or the release is not valid yet`,
      );
    if (Date.parse(root.expires) <= now)
      refuse(
        'root-expired',
        `the trusted root version ${root.version} expired on ${root.expires}: a release carrying a new root (version ${root.version + 1}) is needed`,
      );
  }
  return until <= now;
}

function checkContent(
  decoded: DecodedRelease,
  ctx: TrustContext,
  origin: string,
): Pick<VerifiedRelease, 'catalog' | 'overlay' | 'merged'> {
  const { payload } = decoded;
  if (payload.channel.startsWith('agency:')) {
    const overlay = parseOverlay(payload.overlay, origin);
    if (overlay.version !== payload.catalogVersion)
      refuse(
        'invalid',
        `${origin}: catalogVersion "${payload.catalogVersion}" is not the overlay's version "${overlay.version}"`,
      );
    if (!ctx.publisherCatalog) throw new Error('an overlay needs the publisher catalog to merge into');
    const slug = payload.channel.slice('agency:'.length);
    return { overlay, merged: mergeOverlay(ctx.publisherCatalog, overlay, slug, origin) };
  }
  let catalog: VerifiedRelease['catalog'];
  try {
    catalog = validateCatalog(payload.catalog, `carried by ${origin}`, () => `${origin} (catalog)`);
  } catch (e) {
    if (!(e instanceof CatalogError)) throw e;
    const n = e.problems.length;
    refuse(
      'invalid',
      `${origin} is validly signed, but its catalog is not valid (${n} problem${n === 1 ? '' : 's'}):\n  ${e.problems.join('\n  ')}`,
      e.problems,
    );
  }
  if (catalog.catalog.version !== payload.catalogVersion)
    refuse(
      'invalid',
      `${origin}: catalogVersion "${payload.catalogVersion}" is not the catalog's version "${catalog.catalog.version}"`,
    );
  return { catalog };
}

/** Verifies a release's bytes; throws a ReleaseRefused naming the reason. */
export function verifyRelease(
  bytes: Uint8Array,
  origin: string,
  ctx: TrustContext,
  mode: VerifyMode,
): VerifiedRelease {
  const decoded = decodeRelease(bytes, origin, mode === 'new');
  const { root, rotation } = rootFor(decoded, ctx.root, origin);
  const signers = checkSigners(decoded, ctx, root, mode, origin);
  const stale = checkTime(decoded, root, ctx, mode, origin);
  const { minAppVersion } = decoded.payload;
  if (compareVersions(minAppVersion, ctx.appVersion) > 0)
    refuse(
      'app-too-old',
      `${origin} needs Divest ≥ ${minAppVersion}; this is Divest ${ctx.appVersion}: update Divest first`,
    );
  return { ...decoded, origin, root, rotation, signers, ...checkContent(decoded, ctx, origin), stale };
}
