/**
 * A macOS system extension (`/Library/SystemExtensions/db.plist`). Classified by bundle id; an
 * unknown one is the vendor's by bundle id prefix or by the vendor's Apple team id.
 */
import { EVIDENCE_KINDS } from '../../model/evidence-labels';
import { fallbackOf, firstMatch, matchesAny, vendorByPrefix } from '../compile';
import type { EvidenceKindSpec } from './spec';
import { q } from './text';

export const systemExtension: EvidenceKindSpec<'system-extension'> = {
  kind: 'system-extension',
  label: EVIDENCE_KINDS['system-extension'].label,
  anchor: false,
  fallbackAnchor: false,
  live: true,
  showsInstalled: () => true,
  classify(item, { m }) {
    const p = firstMatch(m, (cp) => matchesAny(cp.mac.systemExtensions, item.bundleId));
    const v =
      vendorByPrefix(m, item.bundleId) ??
      m.vendors.find((cv) => item.teamId && cv.vendor.teamIds.includes(item.teamId));
    return p ?? fallbackOf(m, v);
  },
  describe: (item) =>
    `System extension ${q(item.bundleId)}, team ${q(item.teamId)}${item.state ? `, state ${item.state}` : ''}`,
  howToClear: () =>
    `The system extension is still active. Remove it with the vendor's uninstaller, which asks macOS to deactivate it; macOS needs a restart to finish.`,
};
