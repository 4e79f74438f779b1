/**
 * Checking a release before it is carried in (`catalog verify`), installing it (`catalog import`),
 * and using one for a single run (`--catalog FILE`).
 *
 * An import is anchored in the journal before its files are written: `catalog.installed` first,
 * then the root rotation, the envelope (verbatim) and state.json, each atomically. A process killed
 * in between leaves the previous catalog in use and a journal floor at least as high as the files'
 * (the same release can then be imported again; nothing older can).
 */
import { join } from 'node:path';
import type { Catalog } from '../../model/catalog';
import type { CatalogInstalled, CatalogOverlay, TrustedAgency } from '../../model/catalog-release';
import type { Journal } from '../../journal/journal';
import { allOf, type Events } from '../../journal/history';
import type { LoadedCatalog } from '../load';
import {
  overlayProvenance,
  readActive,
  signedProvenance,
  type ActiveCatalog,
  type CatalogSetup,
} from './active';
import { diffCatalogs, type CatalogDiff } from './diff';
import { checkFloor, floorOf, recordsOf, type FloorRecord } from './floor';
import { mergeOverlay } from './overlay';
import { effectiveClock } from './provenance';
import { refuse, ReleaseRefused } from './refusal';
import { catalogDir, readBounded, releaseFile, removeLeftoverTemps, writeAtomic, writeState } from './store';
import { storeRotation, trustedAgencies } from './trust';
import { verifyRelease, type VerifiedRelease } from './verify';

/** A release that passed every check, and what installing it would change. */
export interface Examined {
  active: ActiveCatalog;
  release: VerifiedRelease;
  /** The release file's bytes, kept verbatim when installed. */
  bytes: Buffer;
  diff: CatalogDiff;
  /** The same release an interrupted install left in the journal only. */
  reinstall: boolean;
}

/** The agency slug of an overlay release. */
function slugOf(v: VerifiedRelease): string {
  return v.payload.channel.slice('agency:'.length);
}

/** The overlay an agency release carries (verified releases of agency channels always have one). */
function overlayOf(v: VerifiedRelease): CatalogOverlay {
  if (!v.overlay) throw new Error(`${v.origin} carries no overlay`);
  return v.overlay;
}

function storedRecord(v: VerifiedRelease | undefined, from: string): FloorRecord[] {
  return v
    ? [
        {
          sequence: v.payload.sequence,
          sha256: v.payloadSha256,
          rootVersion: v.root.version,
          from,
          installed: true,
        },
      ]
    : [];
}

/**
 * Refuses a release at or below what this machine remembers (see floor.ts); returns true when the
 * journal already records this very release (an install interrupted before its files were written).
 */
function checkAgainstFloor(
  release: VerifiedRelease,
  active: ActiveCatalog,
  installed: readonly CatalogInstalled[],
  sameOk: boolean,
): boolean {
  const { channel } = release.payload;
  const stored =
    channel === 'publisher' ? active.stored : active.overlays.find((o) => o.payload.channel === channel);
  const records = [
    ...recordsOf(channel, active.state, installed),
    ...storedRecord(stored, 'the installed release file'),
  ];
  if (channel === 'publisher' && active.builtIn.provenance.sequence !== null)
    records.push({
      sequence: active.builtIn.provenance.sequence,
      sha256: null,
      rootVersion: 1,
      from: 'the catalog built into this Divest',
      installed: true,
    });
  const role = release.root.roles.publisher;
  const floor = floorOf(channel, records, { version: release.root.version, minSequence: role.minSequence });
  checkFloor(release.payload, release.payloadSha256, records, floor, release.origin, sameOk);
  // Past the floor check, a record of this very release can only be the journal's (an interrupted install).
  return records.some((r) => r.sha256 === release.payloadSha256);
}

/** The highest root version anything remembers; a shorter chain in the data folder is refused. */
function checkRootFloor(
  release: VerifiedRelease,
  active: ActiveCatalog,
  installed: readonly CatalogInstalled[],
  dataDir: string,
): void {
  const remembered = Math.max(active.state.rootVersion, ...installed.map((e) => e.rootVersion ?? 1));
  if (release.root.version < remembered)
    refuse(
      'state',
      `this machine trusted root version ${remembered}, but the data folder holds root versions only up to ${active.root.version}: restore ${join(catalogDir(dataDir), 'roots')} from a backup`,
    );
}

function diffFor(release: VerifiedRelease, active: ActiveCatalog, publisher: Catalog): CatalogDiff {
  const { channel, sequence, catalogVersion } = release.payload;
  const to = `${channel} #${sequence} (${catalogVersion})`;
  if (release.catalog) {
    const from = active.base ? `publisher #${active.base.payload.sequence}` : 'the built-in catalog';
    const d = diffCatalogs(
      { catalog: publisher, label: `${from} (${publisher.version})` },
      { catalog: release.catalog.catalog, label: to },
    );
    for (const o of active.overlays)
      try {
        mergeOverlay(release.catalog.catalog, overlayOf(o), slugOf(o), o.origin);
      } catch (e) {
        if (!(e instanceof ReleaseRefused)) throw e;
        d.weakening.push(
          `the overlay ${o.payload.channel} would no longer apply (${e.problems[0] ?? e.message})`,
        );
      }
    return d;
  }
  const old = active.overlays.find((o) => o.payload.channel === channel);
  const before = old?.overlay
    ? mergeOverlay(publisher, old.overlay, slugOf(old), old.origin)
    : { catalog: publisher, exceptions: [] };
  const after = release.merged ?? { catalog: publisher, exceptions: [] };
  const from = old ? `${channel} #${old.payload.sequence}` : 'no overlay';
  return diffCatalogs(
    { catalog: before.catalog, exceptions: before.exceptions, label: from },
    { catalog: after.catalog, exceptions: after.exceptions, label: to },
  );
}

/** Every check of `catalog verify` / `import`, on a file, against this data folder (and journal, when given). */
export function examine(
  file: string,
  setup: CatalogSetup,
  events: Events | null,
  use: 'install' | 'one-run' = 'install',
): Examined {
  const active = readActive(setup, true);
  const installed = events ? allOf(events, 'catalog.installed').map((e) => e.data) : [];
  const agencies: TrustedAgency[] = events
    ? trustedAgencies(setup.dataDir, events).agencies
    : active.agencies;
  const clock = effectiveClock(
    active.clock.system,
    active.clock.effective.toISOString(),
    ...installed.map((e) => e.issuedAt),
  );
  const publisher = active.base?.catalog?.catalog ?? active.builtIn.catalog;
  const bytes = readBounded(file);
  const release = verifyRelease(
    bytes,
    file,
    { root: active.root, agencies, appVersion: setup.appVersion, clock, publisherCatalog: publisher },
    'new',
  );
  checkRootFloor(release, active, installed, setup.dataDir);
  const reinstall = checkAgainstFloor(release, active, installed, use === 'one-run');
  return { active, release, bytes, diff: diffFor(release, active, publisher), reinstall };
}

/** `catalog verify FILE`: every check an import makes, writing nothing. */
export async function examineRelease(file: string, setup: CatalogSetup, journal: Journal): Promise<Examined> {
  return examine(file, setup, (await journal.read()).events);
}

/** `catalog import FILE`: verifies, refuses a weakening unless accepted, installs. */
export async function importRelease(
  file: string,
  setup: CatalogSetup & { journal: Journal; acceptWeakening?: boolean },
): Promise<Examined> {
  const { events } = await setup.journal.read();
  const x = examine(file, setup, events);
  const { release, diff } = x;
  if (diff.weakening.length && !setup.acceptWeakening)
    refuse(
      'weakening',
      `${file} would weaken the catalog:\n  ${diff.weakening.join('\n  ')}\nNothing was installed. If this is intended, import again with --accept-weakening (it is recorded in the journal).`,
      diff.weakening,
    );
  const p = release.payload;
  const record: CatalogInstalled = {
    channel: p.channel,
    sequence: p.sequence,
    version: p.catalogVersion,
    sha256: release.payloadSha256,
    keyids: release.signers.map((s) => s.keyid),
    issuedAt: p.issuedAt,
    rootVersion: release.root.version,
    ...(diff.weakening.length ? { acceptedWeakening: diff.weakening } : {}),
  };
  const last = allOf(events, 'catalog.installed').at(-1)?.data;
  if (!(x.reinstall && last?.sha256 === record.sha256))
    await setup.journal.append('catalog.installed', record);
  if (release.rotation) storeRotation(setup.dataDir, release.rotation.envelope, release.rotation.root);
  writeAtomic(releaseFile(setup.dataDir, p.channel), x.bytes);
  const { state } = x.active;
  const installedAt = x.active.clock.system.toISOString();
  const later = state.maxIssuedAt !== null && Date.parse(state.maxIssuedAt) > Date.parse(p.issuedAt);
  writeState(setup.dataDir, {
    ...state,
    channels: {
      ...state.channels,
      [p.channel]: {
        sequence: p.sequence,
        catalogVersion: p.catalogVersion,
        payloadSha256: release.payloadSha256,
        issuedAt: p.issuedAt,
        expires: p.expires,
        installedAt,
        rootVersion: release.root.version,
      },
    },
    maxIssuedAt: later ? state.maxIssuedAt : p.issuedAt,
    rootVersion: Math.max(state.rootVersion, release.root.version),
  });
  removeLeftoverTemps(setup.dataDir, x.active.clock.system.getTime());
  return x;
}

/**
 * `--catalog FILE`: a signed publisher release used for one run, accepted only if `catalog verify`
 * would accept it against state.json and the installed files (the journal is not read here; an
 * import reads it). The installed overlays are merged on top.
 */
export function loadSignedCatalogFile(file: string, setup: CatalogSetup): LoadedCatalog {
  const { active, release } = examine(file, setup, null, 'one-run');
  if (!release.catalog)
    refuse(
      'invalid',
      `${file} is an agency overlay; --catalog takes a publisher release (import overlays with "divest catalog import")`,
    );
  let catalog = release.catalog;
  const overlays: VerifiedRelease[] = [];
  const notes: string[] = [];
  for (const o of active.overlays)
    try {
      catalog = mergeOverlay(catalog.catalog, overlayOf(o), slugOf(o), o.origin);
      overlays.push(o);
    } catch (e) {
      if (!(e instanceof ReleaseRefused)) throw e;
      notes.push(`The overlay ${o.payload.channel} is not in use with ${file}: ${e.message}`);
    }
  return {
    catalog: catalog.catalog,
    sha256: catalog.sha256,
    origin: file,
    provenance: signedProvenance('file', release, active.clock, overlays.map(overlayProvenance)),
    exceptions: overlays.flatMap((o) => o.merged?.exceptions ?? []),
    notes,
  };
}
