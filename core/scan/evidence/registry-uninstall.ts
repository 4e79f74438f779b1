/**
 * A Windows Uninstall entry: the program as Windows lists it. It is the vendor's only when its
 * Publisher is one of the vendor's publisher names (whole-string match, or one of its names in
 * any language once case, quotes and legal forms are set aside), or when it has no
 * Publisher and its DisplayName is a catalog product name: "Kaspersky Fan Club Toolkit" by
 * someone else is left alone. Localized or unknown names of the vendor's products are still
 * caught: by publisher, then classified through the vendor key whose ProductCode matches, or the
 * install folder; what stays unrecognised goes to the vendor's fallback product, never dropped.
 */
import type { UninstallEntry } from '../../host/inventory';
import { EVIDENCE_KINDS } from '../../model/evidence-labels';
import {
  type CompiledVendor,
  type Matcher,
  fallbackOf,
  firstMatch,
  matchesAny,
  vendorOfPublisher,
} from '../compile';
import type { EvidenceKindSpec } from './spec';
import { q } from './text';

/**
 * The vendor an Uninstall entry belongs to, if any: by its Publisher (a publisher pattern, or one
 * of the vendor's names in any language and legal form), or without one by a catalog DisplayName.
 */
function uninstallVendor(m: Matcher, e: UninstallEntry): CompiledVendor | undefined {
  if (e.publisher) return vendorOfPublisher(m, e.publisher);
  if (!e.displayName) return undefined;
  const p = m.products.find((cp) => matchesAny(cp.win.displayNames, e.displayName));
  return p ? m.vendors.find((v) => v.vendor.id === p.product.vendor) : undefined;
}

/** Whether a catalog path pattern's distinctive tail (past the placeholder) is in `folder`. */
function folderMatches(pattern: string, folder: string): boolean {
  const tail = pattern
    .replace(/^%[^%]+%/, '')
    .replace(/\*.*$/, '')
    .toLowerCase();
  return tail.length > 14 && folder.includes(tail);
}

export const registryUninstall: EvidenceKindSpec<'registry-uninstall'> = {
  kind: 'registry-uninstall',
  label: EVIDENCE_KINDS['registry-uninstall'].label,
  anchor: true,
  fallbackAnchor: true,
  live: true,
  showsInstalled: () => true,
  classify(item, { m, vendorKeyByCode }) {
    const v = uninstallVendor(m, item);
    if (!v) return undefined;
    const byName = firstMatch(m, (p) => matchesAny(p.win.displayNames, item.displayName), v.vendor.id);
    const byCode = vendorKeyByCode.get(item.keyName.toUpperCase());
    const installLocation = item.installLocation?.toLowerCase();
    const byFolder = installLocation
      ? firstMatch(m, (p) => p.win.paths.some((pat) => folderMatches(pat, installLocation)), v.vendor.id)
      : undefined;
    return byName ?? byCode ?? byFolder ?? fallbackOf(m, v);
  },
  describe: (item) =>
    `Uninstall entry: DisplayName ${q(item.displayName)}, Publisher ${q(item.publisher)}, DisplayVersion ${q(item.displayVersion)}${item.windowsInstaller ? ', Windows Installer package' : ''}${item.systemComponent ? ', hidden system component' : ''}`,
  howToClear: (e) =>
    `The product is still registered. Run "divest remove" again; if the vendor's uninstaller keeps failing, use Kaspersky's removal tool (kavremover) as the plan describes. Delete the key ${e.location} by hand only once the program folder is gone.`,
};
