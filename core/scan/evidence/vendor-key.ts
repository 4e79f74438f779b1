/**
 * A subkey of the vendor's own registry key (`KasperskyLab\AVP21.2`). Classified by its
 * ProductName, then by its name; an unrecognised subkey belongs to the fallback of the vendor
 * whose key it is under. A trace: vendor keys outlive their products.
 */
import type { VendorKey } from '../../host/inventory';
import { EVIDENCE_KINDS } from '../../model/evidence-labels';
import { type CompiledProduct, type Matcher, fallbackOf, firstMatch, matchesAny } from '../compile';
import type { EvidenceKindSpec } from './spec';

/** The product a named vendor subkey is, by its ProductName, then by its name. */
export function vendorKeyProduct(m: Matcher, item: VendorKey): CompiledProduct | undefined {
  if (!item.keyName) return undefined;
  return (
    firstMatch(m, (p) => matchesAny(p.win.vendorProductNames, item.values.ProductName)) ??
    firstMatch(m, (p) => matchesAny(p.win.vendorKeys, item.keyName))
  );
}

export const vendorKey: EvidenceKindSpec<'vendor-key'> = {
  kind: 'vendor-key',
  label: EVIDENCE_KINDS['vendor-key'].label,
  anchor: false,
  fallbackAnchor: false,
  live: false,
  showsInstalled: () => false,
  classify(item, { m }) {
    const vendor = m.vendors.find((v) =>
      v.vendor.registryKeys.some((k) => item.location.toLowerCase().includes(`\\${k.toLowerCase()}`)),
    );
    return vendorKeyProduct(m, item) ?? fallbackOf(m, vendor);
  },
  describe(item) {
    const pn = item.values.ProductName;
    const pv = item.values.ProductVersion;
    return item.keyName
      ? `Vendor registry key ${item.keyName}${pn ? `: ProductName "${pn}"` : ''}${pv ? `, ProductVersion "${pv}"` : ''}`
      : 'Vendor registry key present';
  },
  howToClear: (e) =>
    `Delete the registry key ${e.location} from an elevated prompt (reg delete "${e.location}" /f) after a restart; Kaspersky's self-defence keeps it locked while its drivers are loaded.`,
};
