/**
 * Which catalog is active: the newest accepted signed release in the data folder when there is
 * one (re-verified at every load), else the built-in catalog (itself a publisher release, with the
 * sequence of catalog/meta.json); agency overlays merged on top. An older app that finds a newer
 * stored release keeps it (no downgrade), and refuses to run on one it is too old to read rather
 * than fall back to its own older catalog.
 */
import { readdirSync } from 'node:fs';
import type {
  CatalogProvenance,
  ImportState,
  OverlayProvenance,
  RootDocument,
  TrustedAgency,
} from '../../model/catalog-release';
import { loadBuiltInCatalog, type LoadedCatalog } from '../load';
import { clockIsBehind, effectiveClock } from './provenance';
import { refuse, ReleaseRefused } from './refusal';
import { builtInRoot } from './root';
import { catalogDir, exists, readBounded, readState, releaseFile } from './store';
import { loadRootChain, trustedAgencies } from './trust';
import { verifyRelease, type EffectiveClock, type TrustContext, type VerifiedRelease } from './verify';

/** Where the catalog state lives and what this app is. */
export interface CatalogSetup {
  dataDir: string;
  appVersion: string;
  now?: () => Date;
  /** The root compiled into the app; tests inject their own. */
  builtInRoot?: RootDocument;
  /** The built-in catalog; tests inject their own. */
  builtIn?: LoadedCatalog;
}

/** Everything a load found: import and verify compare against it. */
export interface ActiveCatalog {
  loaded: LoadedCatalog;
  root: RootDocument;
  state: ImportState;
  agencies: TrustedAgency[];
  clock: EffectiveClock;
  builtIn: LoadedCatalog;
  /** The stored publisher release, verified (also when the built-in catalog is newer). */
  stored?: VerifiedRelease;
  /** The publisher release in use (undefined: the built-in catalog). */
  base?: VerifiedRelease;
  /** The stored overlays that merged. */
  overlays: VerifiedRelease[];
}

/** The provenance of a verified release (publisher channel) with its overlays. */
export function signedProvenance(
  source: CatalogProvenance['source'],
  v: VerifiedRelease,
  clock: EffectiveClock,
  overlays: OverlayProvenance[],
): CatalogProvenance {
  return {
    source,
    channel: v.payload.channel,
    version: v.payload.catalogVersion,
    sequence: v.payload.sequence,
    payloadSha256: v.payloadSha256,
    issuedAt: v.payload.issuedAt,
    expires: v.payload.expires,
    stale: v.stale,
    signers: v.signers,
    rootVersion: v.root.version,
    developmentRoot: v.root.development,
    clockBehind: clockIsBehind(clock),
    overlays,
  };
}

/** The provenance line of one merged overlay. */
export function overlayProvenance(v: VerifiedRelease): OverlayProvenance {
  return {
    channel: v.payload.channel,
    sequence: v.payload.sequence,
    version: v.payload.catalogVersion,
    payloadSha256: v.payloadSha256,
    issuedAt: v.payload.issuedAt,
    expires: v.payload.expires,
    stale: v.stale,
    signers: v.signers,
    exceptions: v.merged?.exceptions.length ?? 0,
  };
}

/** Verifies a release kept in the data folder; a refusal there is a broken install, and says so. */
function verifyStored(file: string, ctx: TrustContext): VerifiedRelease {
  try {
    return verifyRelease(readBounded(file), file, ctx, 'stored');
  } catch (e) {
    if (!(e instanceof ReleaseRefused) || e.reason === 'overlay') throw e;
    if (e.reason === 'app-too-old')
      refuse(
        'app-too-old',
        `The installed catalog cannot be used: ${e.message}. This Divest will not fall back to its older built-in catalog (no downgrade)`,
      );
    refuse(
      'state',
      `The installed catalog cannot be used: ${e.message}. Import a current release with "divest catalog import FILE"`,
    );
  }
}

/** The stored publisher release, checked against what state.json says was installed. */
function storedPublisher(
  setup: CatalogSetup,
  ctx: TrustContext,
  state: ImportState,
): VerifiedRelease | undefined {
  const file = releaseFile(setup.dataDir, 'publisher');
  if (!exists(file)) return undefined;
  const stored = verifyStored(file, ctx);
  const recorded = state.channels.publisher;
  if (recorded && recorded.rootVersion >= stored.root.version && recorded.sequence > stored.payload.sequence)
    refuse(
      'state',
      `The installed catalog cannot be used: ${file} is release #${stored.payload.sequence}, but state.json records #${recorded.sequence} as installed (the file was replaced by an older one). Import a current release with "divest catalog import FILE"`,
    );
  return stored;
}

/** Overlays of trusted agencies merged into `base`; one that no longer fits is left out with a note. */
function mergeOverlays(
  setup: CatalogSetup,
  ctx: TrustContext,
  notes: string[],
): { overlays: VerifiedRelease[]; catalog: NonNullable<TrustContext['publisherCatalog']> } {
  let catalog = ctx.publisherCatalog;
  if (!catalog) throw new Error('no publisher catalog to merge overlays into');
  const overlays: VerifiedRelease[] = [];
  for (const agency of ctx.agencies) {
    const file = releaseFile(setup.dataDir, `agency:${agency.slug}`);
    if (!exists(file)) continue;
    try {
      const v = verifyStored(file, { ...ctx, publisherCatalog: catalog });
      overlays.push(v);
      catalog = v.merged?.catalog ?? catalog;
    } catch (e) {
      if (!(e instanceof ReleaseRefused) || e.reason !== 'overlay') throw e;
      notes.push(`The overlay of agency "${agency.slug}" is not in use: ${e.message}`);
    }
  }
  const trusted = new Set(ctx.agencies.map((a) => `agency-${a.slug}.dsse.json`));
  let names: string[] = [];
  try {
    names = readdirSync(catalogDir(setup.dataDir));
  } catch {
    // No catalog folder.
  }
  for (const n of names.filter((n) => /^agency-.*\.dsse\.json$/.test(n) && !trusted.has(n)))
    notes.push(`${n} is in the catalog folder, but its agency is not trusted (trust.json): it is not in use`);
  return { overlays, catalog };
}

/**
 * Loads everything that decides the active catalog. With `tolerant` (import and verify: the way to
 * repair a broken install), a stored release that cannot be used is set aside with a note instead
 * of stopping everything.
 */
export function readActive(setup: CatalogSetup, tolerant = false): ActiveCatalog {
  const system = (setup.now ?? (() => new Date()))();
  const root = loadRootChain(setup.dataDir, setup.builtInRoot ?? builtInRoot());
  const { state, problem } = readState(setup.dataDir);
  const trust = trustedAgencies(setup.dataDir);
  const notes = [problem, trust.problem].filter((x): x is string => x !== undefined);
  const builtIn = setup.builtIn ?? loadBuiltInCatalog();
  const first = effectiveClock(system, state.maxIssuedAt);
  const ctx: TrustContext = { root, agencies: trust.agencies, appVersion: setup.appVersion, clock: first };
  let stored: VerifiedRelease | undefined;
  try {
    stored = storedPublisher(setup, ctx, state);
  } catch (e) {
    if (!tolerant || !(e instanceof ReleaseRefused) || (e.reason !== 'state' && e.reason !== 'app-too-old'))
      throw e;
    notes.push(e.message);
  }
  const base = stored && (stored.payload.sequence >= (builtIn.provenance.sequence ?? 0) ? stored : undefined);
  const catalog = base?.catalog ?? builtIn;
  const { overlays, catalog: merged } = mergeOverlays(
    setup,
    { ...ctx, publisherCatalog: catalog.catalog },
    notes,
  );
  const clock = effectiveClock(
    system,
    state.maxIssuedAt,
    base?.payload.issuedAt,
    ...overlays.map((o) => o.payload.issuedAt),
  );
  const overlayLines = overlays.map(overlayProvenance);
  const provenance: CatalogProvenance = base
    ? signedProvenance('installed', base, clock, overlayLines)
    : {
        ...builtIn.provenance,
        rootVersion: root.version,
        developmentRoot: root.development,
        clockBehind: clockIsBehind(clock),
        overlays: overlayLines,
      };
  const last = overlays.at(-1)?.merged;
  const loaded: LoadedCatalog = {
    catalog: merged,
    sha256: last?.sha256 ?? catalog.sha256,
    origin: base ? releaseFile(setup.dataDir, 'publisher') : builtIn.origin,
    provenance,
    exceptions: overlays.flatMap((o) => o.merged?.exceptions ?? []),
    notes,
  };
  return {
    loaded,
    root,
    state,
    agencies: trust.agencies,
    clock,
    builtIn,
    ...(stored ? { stored } : {}),
    ...(base ? { base } : {}),
    overlays,
  };
}

/** The active catalog of a data folder (see the file header). */
export function loadActiveCatalog(setup: CatalogSetup): LoadedCatalog {
  return readActive(setup).loaded;
}
