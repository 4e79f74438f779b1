/**
 * A macOS installer receipt (`/var/db/receipts`). It makes a product instance when it names a
 * catalog product, but an unrecognised one does not stand alone: it records that some package was
 * installed, and joins the main product found. Receipts outlive their files: a trace.
 */
import { EVIDENCE_KINDS } from '../../model/evidence-labels';
import { fallbackOf, firstMatch, matchesAny, vendorByPrefix } from '../compile';
import type { EvidenceKindSpec } from './spec';
import { nameFromLocation } from './text';

export const pkgReceipt: EvidenceKindSpec<'pkg-receipt'> = {
  kind: 'pkg-receipt',
  label: EVIDENCE_KINDS['pkg-receipt'].label,
  anchor: true,
  fallbackAnchor: false,
  live: false,
  showsInstalled: () => false,
  classify: (item, { m }) =>
    firstMatch(m, (cp) => matchesAny(cp.mac.receipts, item.packageId)) ??
    fallbackOf(m, vendorByPrefix(m, item.packageId)),
  describe: (item) => `Installer receipt ${item.packageId}${item.version ? ` ${item.version}` : ''}`,
  howToClear: (e) =>
    `Forget the installer receipt once the files are gone: "sudo pkgutil --forget ${nameFromLocation(e.location).replace(/\.(plist|bom)$/, '')}".`,
};
