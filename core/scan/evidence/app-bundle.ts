/**
 * A macOS application bundle: the program itself. Classified by bundle id, then by its folder's
 * name; a bundle id with the vendor's prefix that names no catalog product is the fallback's.
 */
import { EVIDENCE_KINDS } from '../../model/evidence-labels';
import { fallbackOf, firstMatch, matchesAny, vendorByPrefix } from '../compile';
import type { EvidenceKindSpec } from './spec';
import { q } from './text';

export const appBundle: EvidenceKindSpec<'app-bundle'> = {
  kind: 'app-bundle',
  label: EVIDENCE_KINDS['app-bundle'].label,
  anchor: true,
  fallbackAnchor: true,
  live: true,
  showsInstalled: () => true,
  classify(item, { m }) {
    const folder = item.location
      .split('/')
      .pop()
      ?.replace(/\.app$/i, '');
    const p =
      firstMatch(m, (cp) => matchesAny(cp.mac.bundleIds, item.bundleId)) ??
      firstMatch(m, (cp) => matchesAny(cp.mac.appNames, folder));
    return p ?? fallbackOf(m, vendorByPrefix(m, item.bundleId));
  },
  describe: (item) =>
    `Application bundle ${q(item.name)}, bundle id ${q(item.bundleId)}, version ${q(item.version)}`,
  howToClear: (e) =>
    `Run the product's own uninstaller (or Kaspersky's Mac removal tool); delete ${e.location} only afterwards, since its system extension must be removed with it.`,
};
