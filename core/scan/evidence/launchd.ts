/**
 * A launchd job definition (daemon or agent). Listed with the live signals, but a plist left
 * behind after the program is gone does not by itself show the product installed.
 */
import { EVIDENCE_KINDS } from '../../model/evidence-labels';
import { fallbackOf, firstMatch, matchesAny, vendorByPrefix } from '../compile';
import type { EvidenceKindSpec } from './spec';
import { onThisMachine, q } from './text';

export const launchd: EvidenceKindSpec<'launchd'> = {
  kind: 'launchd',
  label: EVIDENCE_KINDS.launchd.label,
  anchor: false,
  fallbackAnchor: false,
  live: true,
  showsInstalled: () => false,
  classify: (item, { m }) =>
    firstMatch(m, (cp) => matchesAny(cp.mac.launchd, item.label)) ??
    fallbackOf(m, vendorByPrefix(m, item.label)),
  describe: (item) => `launchd job ${q(item.label)}${item.program ? `, runs ${item.program}` : ''}`,
  howToClear: (e, _f, hostRoot) =>
    hostRoot
      ? `Delete ${onThisMachine(e.location, hostRoot)} from the image; the job is not loaded there.`
      : `Unload the job ("sudo launchctl bootout system ${e.location}", or "gui/<uid>" for an agent), then delete ${e.location}.`,
};
