/**
 * Inventory item -> claim: which catalog product each thing the probes saw belongs to. Each kind's
 * own rule is in its evidence table entry (core/scan/evidence/); this module prepares what those
 * rules consult (the vendor subkeys recognised as products), gives catalog path hits to their
 * product, and marks the vendor-wide traces that may join the main finding.
 */
import type { InventoryItem } from '../host/inventory';
import type { PathHit } from '../host/paths';
import type { HostOs } from '../model/host';
import { type CompiledProduct, type Matcher, osKey, pathPatternNames } from './compile';
import { type ClassifyContext, type Sighting, evidenceOf, evidenceSpec } from './evidence';
import { vendorKeyProduct } from './evidence/vendor-key';

/** A piece of evidence claimed by a product. */
export interface Claim extends Sighting {
  product: CompiledProduct;
}

/** What the classifiers consult: on Windows, the vendor subkeys that name a product. */
export function classifyContext(m: Matcher, os: HostOs, items: readonly InventoryItem[]): ClassifyContext {
  const vendorKeyByCode = new Map<string, CompiledProduct>(); // ProductCode (upper) -> product
  // A consumer service is named after its vendor key (service AVP21.2 <-> KasperskyLab\AVP21.2).
  const vendorKeyByName = new Map<string, CompiledProduct>();
  const vendorKeysSeen = new Set<string>();
  if (os === 'windows') {
    for (const item of items) {
      if (item.kind !== 'vendor-key') continue;
      const owner = m.vendors.find((v) =>
        v.vendor.registryKeys.some((k) => item.location.toLowerCase().includes(`\\${k.toLowerCase()}`)),
      );
      if (owner) vendorKeysSeen.add(owner.vendor.id);
      const p = vendorKeyProduct(m, item);
      const code = item.values.ProductCode;
      if (p && code) vendorKeyByCode.set(code.toUpperCase(), p);
      if (p && item.keyName) vendorKeyByName.set(item.keyName.toLowerCase(), p);
    }
  }
  return { m, os, vendorKeyByCode, vendorKeyByName, vendorKeysSeen };
}

/** The claim of `product` (if any) on an item; fallback evidence that cannot stand alone is shared. */
function claimOf(product: CompiledProduct | undefined, item: InventoryItem): Claim | undefined {
  if (!product) return undefined;
  const evidence = evidenceOf(item);
  return {
    product,
    evidence,
    item,
    shared: product.product.fallback && !evidenceSpec(evidence.kind).fallbackAnchor,
  };
}

/** The product an inventory item belongs to, by its kind's rule. */
export function classifyItem(item: InventoryItem, ctx: ClassifyContext): CompiledProduct | undefined {
  return evidenceSpec(item.kind).classify(item, ctx);
}

/**
 * The product a catalog path hit belongs to: the most specific one; a vendor-wide pattern's hit
 * that is a named product's own folder (`/opt/kaspersky/*` finding `/opt/kaspersky/kesl`) is that
 * product's; the rest of the shared patterns are the fallback's.
 */
export function pathHitOwner(m: Matcher, os: HostOs, hit: PathHit): CompiledProduct | undefined {
  const key = osKey(os);
  const owners = m.products.filter((p) => p[key].paths.includes(hit.pattern));
  const named = owners.find((p) => !p.product.fallback);
  if (named || owners.length === 0) return named ?? owners[0];
  const location = hit.entry.location;
  return (
    m.products.find(
      (p) => !p.product.fallback && p[key].paths.some((pat) => pathPatternNames(pat, location)),
    ) ?? owners[0]
  );
}

const folderKey = (p: string): string => p.replace(/[\\/]+$/, '').toLowerCase();

/**
 * The folders the named products found say they live in: an Uninstall entry's InstallLocation,
 * and the `/opt/<vendor>/<name>` folders of a package's files.
 */
function installFolders(claims: readonly Claim[]): Map<string, CompiledProduct> {
  const out = new Map<string, CompiledProduct>();
  for (const c of claims) {
    if (c.product.product.fallback) continue;
    const item = c.item;
    if (item.kind === 'registry-uninstall' && item.installLocation)
      out.set(folderKey(item.installLocation), c.product);
    if (item.kind === 'package')
      for (const f of item.files ?? []) {
        const dir = /^(\/opt\/[^/]+\/[^/]+)\//.exec(f)?.[1];
        if (dir) out.set(folderKey(dir), c.product);
      }
  }
  return out;
}

/** Every claim on the inventory and the path hits, in the order they were seen. */
export function claimsOf(
  m: Matcher,
  os: HostOs,
  items: readonly InventoryItem[],
  pathHits: readonly PathHit[],
  /**
   * Folders found by a vendor-wide wildcard that hold programs (program-folders.ts): installed
   * products of the vendor in their own right, which stand alone instead of joining another finding.
   */
  programFolders: ReadonlySet<string> = new Set(),
): Claim[] {
  const ctx = classifyContext(m, os, items);
  const claims: Claim[] = [];
  const add = (c: Claim | undefined): void => {
    if (c) claims.push(c);
  };
  for (const item of items) add(claimOf(classifyItem(item, ctx), item));
  const installedIn = installFolders(claims);
  for (const hit of pathHits) {
    let owner = pathHitOwner(m, os, hit);
    // A vendor-wide folder that a found product says it is installed in is that product's.
    if (owner?.product.fallback) owner = installedIn.get(folderKey(hit.entry.location)) ?? owner;
    const c = claimOf(owner, { ...hit.entry });
    if (c && owner?.product.fallback && programFolders.has(hit.entry.location)) c.shared = false;
    add(c);
  }
  return claims;
}
