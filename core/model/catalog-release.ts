/**
 * Signed catalog releases (`divest.catalog-release/1`): the shapes of the DSSE envelope, the signed
 * payload, the root of trust, agency overlays and exceptions, the import state kept in the data
 * folder, and the provenance every face and receipt shows. Plain data only (zod, no I/O).
 *
 * How they are checked is in `core/catalog/release/`; the trust model is in docs/architecture.md
 * ("Signed catalog updates: format and trust model").
 */
import * as z from 'zod';
import { Hex64, KeyFingerprint, Slug, Timestamp } from './ids';
import { Directive, Product, Reference, Vendor } from './catalog';

export const RELEASE_SCHEMA = 'divest.catalog-release/1';
export const ROOT_SCHEMA = 'divest.catalog-root/1';
export const OVERLAY_SCHEMA = 'divest.catalog-overlay/1';
export const STATE_SCHEMA = 'divest.catalog-state/1';
export const TRUST_SCHEMA = 'divest.catalog-trust/1';

/** DSSE payloadType of a catalog release. */
export const RELEASE_PAYLOAD_TYPE = 'application/vnd.divest.catalog-release+json';
/** DSSE payloadType of a root document (carried inside a release for rotation). */
export const ROOT_PAYLOAD_TYPE = 'application/vnd.divest.catalog-root+json';

/** The largest release file Divest reads (checked before reading). */
export const MAX_RELEASE_BYTES = 8 * 1024 * 1024;
/** How far in the future `issuedAt` may be, against the effective clock. */
export const MAX_FUTURE_MS = 24 * 60 * 60 * 1000;

/** A DSSE signature: `keyid` is a hint only (never trusted); `sig` is base64 (standard or URL-safe). */
export const DsseSignature = z.strictObject({
  keyid: z.string().max(200).optional(),
  sig: z.string().min(1).max(1024),
});
export type DsseSignature = z.infer<typeof DsseSignature>;

/** The DSSE JSON envelope (secure-systems-lab/dsse envelope.md). */
export const DsseEnvelope = z.strictObject({
  payloadType: z.string().min(1).max(200),
  payload: z.string(),
  signatures: z.array(DsseSignature).max(32),
});
export type DsseEnvelope = z.infer<typeof DsseEnvelope>;

/** `publisher` or `agency:<slug>`. */
export const Channel = z
  .string()
  .regex(
    /^(publisher|agency:[a-z0-9]+(?:-[a-z0-9]+)*)$/,
    'must be "publisher" or "agency:<slug>" (a lower-case slug)',
  );
export type Channel = z.infer<typeof Channel>;

/** A plain `MAJOR.MINOR.PATCH` version. */
export const AppVersion = z.string().regex(/^\d{1,6}\.\d{1,6}\.\d{1,6}$/, 'must be MAJOR.MINOR.PATCH');

/** A raw Ed25519 public key: 32 bytes, standard base64. */
const RawKey = z
  .string()
  .regex(/^[A-Za-z0-9+/]{43}=$/, 'must be a raw Ed25519 public key (32 bytes, base64)');

export const RootKey = z.strictObject({
  /** `SHA256:` + hex SHA-256 of the raw key (checked against `publicKey`). */
  keyid: KeyFingerprint,
  publicKey: RawKey,
  /** Who holds it ("root key 1, maintainer A"). */
  name: z.string().min(1).max(200),
});
export type RootKey = z.infer<typeof RootKey>;

const Role = {
  keyids: z.array(KeyFingerprint).min(1).max(16),
  threshold: z.number().int().min(1).max(16),
};
export const RootRole = z.strictObject(Role);
export const PublisherRole = z.strictObject({
  ...Role,
  /** After a rotation, the publisher channel's sequence floor is at least this (fast-forward recovery). */
  minSequence: z.number().int().nonnegative().default(0),
});

/**
 * The root of trust (`divest.catalog-root/1`): the root keys and threshold that sign the next root,
 * and the publisher (catalog signing) keys and threshold. Version 1 is compiled into the app.
 */
export const RootDocument = z
  .strictObject({
    schema: z.literal(ROOT_SCHEMA),
    version: z.number().int().min(1),
    /** Set on roots whose private keys are public (development builds): every face says so. */
    development: z.boolean().default(false),
    note: z.string().max(2000).optional(),
    issuedAt: Timestamp,
    expires: Timestamp,
    keys: z.array(RootKey).min(1).max(32),
    roles: z.strictObject({ root: RootRole, publisher: PublisherRole }),
  })
  .superRefine((root, ctx) => {
    const known = new Set<string>();
    root.keys.forEach((k, i) => {
      if (known.has(k.keyid))
        ctx.addIssue({
          code: 'custom',
          path: ['keys', i, 'keyid'],
          message: `key ${k.keyid} is listed twice`,
        });
      known.add(k.keyid);
    });
    for (const role of ['root', 'publisher'] as const) {
      const r = root.roles[role];
      r.keyids.forEach((id, i) => {
        if (!known.has(id))
          ctx.addIssue({
            code: 'custom',
            path: ['roles', role, 'keyids', i],
            message: `key ${id} is not in "keys"`,
          });
      });
      if (new Set(r.keyids).size !== r.keyids.length)
        ctx.addIssue({ code: 'custom', path: ['roles', role, 'keyids'], message: 'a key is listed twice' });
      if (r.threshold > new Set(r.keyids).size)
        ctx.addIssue({
          code: 'custom',
          path: ['roles', role, 'threshold'],
          message: `threshold ${r.threshold} is more than the ${r.keyids.length} keys of the role`,
        });
    }
    const rootKeys = new Set(root.roles.root.keyids);
    if (root.roles.publisher.keyids.some((k) => rootKeys.has(k)))
      ctx.addIssue({
        code: 'custom',
        path: ['roles', 'publisher', 'keyids'],
        message: 'a root key cannot also be a publisher key (role separation)',
      });
  });
export type RootDocument = z.infer<typeof RootDocument>;

/** Who a documented exception applies to: one machine (its machineId) or a named group. */
export const ExceptionTarget = z.union([
  z.strictObject({ machineId: z.string().min(8).max(200) }),
  z.strictObject({ group: Slug }),
]);

/**
 * A documented, time-limited exception (OMB M-23-13, PSPF directions): this machine or group may
 * keep `products` under `directive` until `expires`, because `justification`, approved by `approver`.
 */
export const CatalogException = z.strictObject({
  id: Slug,
  target: ExceptionTarget,
  directive: Slug,
  products: z.array(Slug).min(1),
  justification: z.string().min(20).max(4000),
  approver: z.string().min(1).max(200),
  approvedAt: Timestamp,
  expires: Timestamp,
});
export type CatalogException = z.infer<typeof CatalogException>;

/**
 * An agency overlay (`divest.catalog-overlay/1`): entries an agency adds on top of the publisher's
 * catalog. Every id starts with `agency-<slug>-`; publisher entries cannot be named, changed or
 * removed (checked when merging).
 */
export const CatalogOverlay = z.strictObject({
  schema: z.literal(OVERLAY_SCHEMA),
  version: z.string().regex(/^\d{4}\.\d{2}\.\d{2}(\.\d+)?$/, 'must look like 2026.11.22 or 2026.11.22.1'),
  references: z.array(Reference).default([]),
  vendors: z.array(Vendor).default([]),
  directives: z.array(Directive).default([]),
  products: z.array(Product).default([]),
  exceptions: z.array(CatalogException).default([]),
});
export type CatalogOverlay = z.infer<typeof CatalogOverlay>;

/**
 * The signed payload (`divest.catalog-release/1`). `catalog` (the FULL catalog, publisher channel)
 * or `overlay` (agency channel) is checked against its own schema after the signatures verify.
 */
export const ReleasePayload = z
  .strictObject({
    schema: z.literal(RELEASE_SCHEMA),
    channel: Channel,
    sequence: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    catalogVersion: z.string().min(1).max(40),
    issuedAt: Timestamp,
    expires: Timestamp,
    minAppVersion: AppVersion,
    /** A new root (a DSSE envelope of a RootDocument) for rotation, or null. */
    root: DsseEnvelope.nullable().default(null),
    catalog: z.unknown().optional(),
    overlay: z.unknown().optional(),
  })
  .superRefine((p, ctx) => {
    const agency = p.channel.startsWith('agency:');
    const want = agency ? 'overlay' : 'catalog';
    const other = agency ? 'catalog' : 'overlay';
    if (p[want] === undefined)
      ctx.addIssue({ code: 'custom', path: [want], message: `a ${p.channel} release must carry "${want}"` });
    if (p[other] !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: [other],
        message: `a ${p.channel} release cannot carry "${other}"`,
      });
    if (agency && p.root !== null)
      ctx.addIssue({
        code: 'custom',
        path: ['root'],
        message: 'only the publisher channel can rotate the root',
      });
  });
export type ReleasePayload = z.infer<typeof ReleasePayload>;

/** What the data folder records of the release installed on one channel. */
export const ChannelState = z.strictObject({
  sequence: z.number().int().min(1),
  catalogVersion: z.string(),
  payloadSha256: Hex64,
  issuedAt: Timestamp,
  expires: Timestamp,
  installedAt: Timestamp,
  /** The root version it was verified under (publisher floors count only under the current root). */
  rootVersion: z.number().int().min(1),
});
export type ChannelState = z.infer<typeof ChannelState>;

/** `<dataDir>/catalog/state.json`. */
export const ImportState = z.strictObject({
  schema: z.literal(STATE_SCHEMA),
  channels: z.record(Channel, ChannelState),
  /** The newest issuedAt of any release accepted: the effective clock never goes below it. */
  maxIssuedAt: Timestamp.nullable(),
  /** The newest root version trusted. */
  rootVersion: z.number().int().min(1),
});
export type ImportState = z.infer<typeof ImportState>;

/** An agency key an administrator installed (`divest catalog trust-agency`). */
export const TrustedAgency = z.strictObject({
  slug: Slug,
  keyid: KeyFingerprint,
  publicKey: RawKey,
  /** Publisher releases import only with a valid signature of this agency too. */
  requireAgencySignature: z.boolean(),
  addedAt: Timestamp,
});
export type TrustedAgency = z.infer<typeof TrustedAgency>;

/** `<dataDir>/catalog/trust.json`. */
export const AgencyTrust = z.strictObject({
  schema: z.literal(TRUST_SCHEMA),
  agencies: z.array(TrustedAgency),
});
export type AgencyTrust = z.infer<typeof AgencyTrust>;

/** The journal payload of `catalog.installed` (one per accepted import: the rollback anchor). */
export const CatalogInstalled = z.object({
  channel: Channel,
  sequence: z.number().int().min(1),
  version: z.string(),
  /** SHA-256 of the signed payload bytes. */
  sha256: Hex64,
  /** The keys whose signatures counted. */
  keyids: z.array(KeyFingerprint),
  issuedAt: Timestamp.optional(),
  rootVersion: z.number().int().min(1).optional(),
  /** The weakenings the operator accepted with --accept-weakening, in words. */
  acceptedWeakening: z.array(z.string()).optional(),
});
export type CatalogInstalled = z.infer<typeof CatalogInstalled>;

/** A key whose signature counted, and in which role. */
export const ProvenanceSigner = z.strictObject({
  keyid: KeyFingerprint,
  role: z.enum(['publisher', 'agency']),
  /** The agency's slug, for an agency signature. */
  agency: Slug.optional(),
});
export type ProvenanceSigner = z.infer<typeof ProvenanceSigner>;

/** One agency overlay merged into the active catalog. */
export const OverlayProvenance = z.strictObject({
  channel: Channel,
  sequence: z.number().int().min(1),
  version: z.string(),
  payloadSha256: Hex64,
  issuedAt: Timestamp,
  expires: Timestamp,
  stale: z.boolean(),
  signers: z.array(ProvenanceSigner),
  exceptions: z.number().int().nonnegative(),
});
export type OverlayProvenance = z.infer<typeof OverlayProvenance>;

/**
 * Where the active catalog comes from: what the app header, `divest status`, `catalog show` and
 * receipts (`divest.receipt/2`, `catalog.provenance`) carry.
 *
 * - `source`: `built-in` (shipped in the app), `installed` (an imported release in the data folder),
 *   `file` (a signed release given with --catalog FILE), `unsigned-file` (--unsigned-catalog).
 * - `sequence`, `issuedAt`, `expires`, `payloadSha256`: of the signed release; the built-in catalog
 *   has its build-time sequence and no dates; an unsigned file has none.
 * - `stale`: the release has expired (against the effective clock); scanning and removal go on.
 * - `clockBehind`: the system clock is earlier than the newest issuedAt seen (expiry uses the latter).
 * - `developmentRoot`: the root this build trusts is a development root (its private keys are public).
 */
export const CatalogProvenance = z.strictObject({
  source: z.enum(['built-in', 'installed', 'file', 'unsigned-file']),
  channel: Channel,
  version: z.string(),
  sequence: z.number().int().nonnegative().nullable(),
  payloadSha256: Hex64.nullable(),
  issuedAt: Timestamp.nullable(),
  expires: Timestamp.nullable(),
  stale: z.boolean(),
  signers: z.array(ProvenanceSigner),
  rootVersion: z.number().int().min(1),
  developmentRoot: z.boolean(),
  clockBehind: z.boolean(),
  overlays: z.array(OverlayProvenance),
});
export type CatalogProvenance = z.infer<typeof CatalogProvenance>;
