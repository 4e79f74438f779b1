/**
 * Where the active catalog comes from, for people and receipts: {@link catalogProvenance} (the
 * shape receipts carry, recomputed at the moment asked: a catalog can become stale while the app
 * runs) and {@link formatProvenance} (the header line).
 */
import type { CatalogProvenance } from '../../model/catalog-release';
import type { LoadedCatalog } from '../load';
import type { EffectiveClock } from './verify';

/** The effective clock: the system's, never before the newest issuedAt seen. */
export function effectiveClock(system: Date, ...issued: (string | null | undefined)[]): EffectiveClock {
  const newest = Math.max(system.getTime(), ...issued.map((t) => (t ? Date.parse(t) : 0)));
  return { system, effective: new Date(newest) };
}

/** True when the system clock is earlier than the newest issuedAt seen. */
export function clockIsBehind(clock: EffectiveClock): boolean {
  return clock.system.getTime() < clock.effective.getTime();
}

/**
 * The active catalog's provenance now: channel, sequence, signers, dates, whether it is stale
 * (expired against the effective clock: reported, while scanning and removal go on), whether the
 * clock is behind, and whether this build trusts a development root.
 */
export function catalogProvenance(loaded: LoadedCatalog, now: Date = new Date()): CatalogProvenance {
  const p = loaded.provenance;
  const clock = effectiveClock(now, p.issuedAt, ...p.overlays.map((o) => o.issuedAt));
  const expired = (t: string | null): boolean => t !== null && Date.parse(t) <= clock.effective.getTime();
  // Staleness seen once stays (a clock set back later does not revive a release in this process).
  return {
    ...p,
    stale: p.stale || expired(p.expires),
    clockBehind: p.clockBehind || clockIsBehind(clock),
    overlays: p.overlays.map((o) => ({ ...o, stale: o.stale || expired(o.expires) })),
  };
}

const SOURCE: Record<CatalogProvenance['source'], string> = {
  'built-in': 'built into this Divest',
  installed: 'installed release',
  file: 'signed release file',
  'unsigned-file': 'UNSIGNED file (development)',
};

/** One line (two with an overlay) for headers: version, sequence, signers, dates, warnings. */
export function formatProvenance(p: CatalogProvenance): string {
  const seq = p.sequence === null ? '' : ` #${p.sequence}`;
  const signers = p.signers.length
    ? `signed by ${p.signers.map((s) => (s.role === 'agency' ? `${s.keyid} (agency ${s.agency})` : s.keyid)).join(', ')} (root v${p.rootVersion})`
    : 'no signature';
  const dates = p.issuedAt ? `; issued ${p.issuedAt}, expires ${p.expires ?? '-'}` : '';
  const flags = [
    p.stale ? 'STALE: expired, ask for a current release' : '',
    p.clockBehind ? 'the system clock is behind the newest release seen' : '',
    p.developmentRoot ? 'DEVELOPMENT ROOT: not for production' : '',
  ].filter(Boolean);
  const lines = [
    `Catalog ${p.version}${seq} (${p.channel}, ${SOURCE[p.source]}), ${signers}${dates}${flags.length ? ` [${flags.join('; ')}]` : ''}`,
  ];
  for (const o of p.overlays)
    lines.push(
      `  + overlay ${o.channel} ${o.version} #${o.sequence}, signed by ${o.signers.map((s) => s.keyid).join(', ')}; expires ${o.expires}${o.stale ? ' [STALE]' : ''}; ${o.exceptions} exception${o.exceptions === 1 ? '' : 's'}`,
    );
  return lines.join('\n');
}
