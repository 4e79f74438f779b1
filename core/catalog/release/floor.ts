/**
 * Anti-rollback: the lowest sequence a channel may accept next, from everything that remembers an
 * install: state.json, the journal's `catalog.installed` events (so deleting state.json does not
 * reopen rollback), the envelope kept in the data folder, the built-in catalog's own sequence, and
 * a rotated root's `minSequence`.
 *
 * A rotation that changes the publisher keys is also how a fast-forward attack is recovered from
 * (a stolen key signed sequence 2^50): publisher records made under an older root stop counting,
 * and the new root's `minSequence` (chosen by a threshold of root keys) takes their place.
 */
import type { CatalogInstalled, Channel, ImportState, ReleasePayload } from '../../model/catalog-release';
import { refuse } from './refusal';

/** Something that remembers a release on a channel. */
export interface FloorRecord {
  sequence: number;
  /** SHA-256 of the payload, when known (the built-in catalog and minSequence have none). */
  sha256: string | null;
  /** Root version it was accepted under (publisher channel). */
  rootVersion: number;
  /** Where it is remembered, for messages: "state.json", "the journal", "the built-in catalog". */
  from: string;
  /** True for the record of what is installed right now (state.json, or the stored envelope). */
  installed: boolean;
  /** A lower bound set by a root (`minSequence`), not a release. */
  minimum?: boolean;
}

/** Records of one channel from state.json and the journal's `catalog.installed` events. */
export function recordsOf(
  channel: Channel,
  state: ImportState,
  installed: readonly CatalogInstalled[],
): FloorRecord[] {
  const out: FloorRecord[] = [];
  const s = state.channels[channel];
  if (s)
    out.push({
      sequence: s.sequence,
      sha256: s.payloadSha256,
      rootVersion: s.rootVersion,
      from: 'state.json',
      installed: true,
    });
  for (const e of installed)
    if (e.channel === channel)
      out.push({
        sequence: e.sequence,
        sha256: e.sha256,
        rootVersion: e.rootVersion ?? 1,
        from: 'the journal',
        installed: false,
      });
  return out;
}

/** The record with the highest sequence that still counts under root `rootVersion`. */
export function floorOf(
  channel: Channel,
  records: readonly FloorRecord[],
  root: { version: number; minSequence: number },
): FloorRecord | undefined {
  const counted = records.filter(
    (r) => channel !== 'publisher' || r.sha256 === null || r.rootVersion >= root.version,
  );
  if (channel === 'publisher' && root.minSequence > 0)
    counted.push({
      sequence: root.minSequence - 1,
      sha256: null,
      rootVersion: root.version,
      from: `root version ${root.version}`,
      installed: false,
      minimum: true,
    });
  let best: FloorRecord | undefined;
  for (const r of counted)
    if (!best || r.sequence > best.sequence || (r.sequence === best.sequence && r.sha256 && !best.sha256))
      best = r;
  return best;
}

/**
 * Refuses a release at or below the floor: older (rollback), the same sequence with other content
 * (fork: possible key compromise), or the one already installed. The same release that only the
 * journal remembers (an install interrupted before its files were written) may be installed again.
 */
export function checkFloor(
  payload: ReleasePayload,
  sha256: string,
  records: readonly FloorRecord[],
  floor: FloorRecord | undefined,
  origin: string,
  /** Accept the release already installed (using it for one run is not installing it again). */
  sameOk = false,
): void {
  if (!floor || payload.sequence > floor.sequence) return;
  const n = payload.sequence;
  if (floor.minimum)
    refuse(
      'rollback',
      `${origin} is release #${n} of the ${payload.channel} channel; ${floor.from} accepts only #${floor.sequence + 1} or later (its minSequence)`,
    );
  if (n < floor.sequence)
    refuse(
      'rollback',
      `${origin} is release #${n} of the ${payload.channel} channel, older than the installed #${floor.sequence} (recorded in ${floor.from}): an older release cannot replace a newer one`,
    );
  const same = records.filter((r) => r.sequence === n && r.sha256 !== null);
  const other = same.find((r) => r.sha256 !== sha256);
  if (other)
    refuse(
      'fork',
      `${origin} is release #${n} of the ${payload.channel} channel, but a different release #${n} is installed (recorded in ${other.from}; payload SHA-256 ${other.sha256}, this one ${sha256}): two releases with one sequence mean a signing key may be compromised (possible key compromise). Refused; tell the publisher`,
    );
  if (sameOk && same.length > 0) return;
  if (same.length === 0 || same.some((r) => r.installed))
    refuse(
      'rollback',
      `${origin} is release #${n} of the ${payload.channel} channel, which is already installed (${floor.from}): only a newer sequence can be imported`,
    );
}
