/**
 * Claims -> findings: one per product found, with every piece of evidence.
 *
 * Vendor-wide traces (shared drivers and folders, of the vendor's fallback product) join the main
 * product found, or form a fallback finding when there is none. A finding is `installed` when a
 * piece of its evidence shows the program there (by its kind's rule, core/scan/evidence/), else
 * `traces`. Its name and version are the ones installed, and it carries what a removal plan needs.
 */
import { createHash } from 'node:crypto';
import type { InventoryItem, PackageEntry, UninstallEntry } from '../host/inventory';
import type { Product } from '../model/catalog';
import type { Evidence, EvidenceKind, Finding } from '../model/scan';
import type { Claim } from './classify';
import { evidenceSpec } from './evidence';

interface Group {
  product: Product;
  claims: Claim[];
}

const GUID = /^\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}$/;

/** Short stable id: product and the place it was first seen. */
function findingId(productId: string, location: string): string {
  return `${productId}:${createHash('sha256').update(`${productId}|${location}`).digest('hex').slice(0, 12)}`;
}

function showsInstalled(c: Claim, seen: readonly InventoryItem[]): boolean {
  return evidenceSpec(c.evidence.kind).showsInstalled(c, seen);
}

/** The claims per product, in the order products were first claimed. */
function byProductOf(claims: readonly Claim[]): Map<string, Group> {
  const byProduct = new Map<string, Group>();
  for (const c of claims) {
    const g = byProduct.get(c.product.product.id) ?? { product: c.product.product, claims: [] };
    g.claims.push(c);
    byProduct.set(g.product.id, g);
  }
  return byProduct;
}

/** Main product per vendor: the banned one removed first (lowest removal order). */
function mainProducts(byProduct: ReadonlyMap<string, Group>): Map<string, Group> {
  const mainFor = new Map<string, Group>();
  const order = (x: Group): number => x.product.removal?.order ?? 500;
  for (const g of byProduct.values()) {
    if (g.product.fallback || g.product.status !== 'banned') continue;
    const current = mainFor.get(g.product.vendor);
    if (!current || order(g) < order(current)) mainFor.set(g.product.vendor, g);
  }
  return mainFor;
}

/**
 * Vendor-wide traces join the main product when there is one. A main product that is itself there
 * (uninstall entry, package, bundle) takes all of them. One that only left traces takes the inert
 * ones (folders, keys), but a driver still registered after its product was removed is a finding
 * of its own, not that product revived.
 */
function joinVendorWideTraces(byProduct: Map<string, Group>): void {
  const mainFor = mainProducts(byProduct);
  for (const g of [...byProduct.values()]) {
    if (!g.product.fallback) continue;
    const main = mainFor.get(g.product.vendor);
    if (!main) continue;
    const mainInstalled = main.claims.some((c) => evidenceSpec(c.evidence.kind).fallbackAnchor);
    const seen = g.claims.map((c) => c.item);
    const joins = (c: Claim): boolean => c.shared && (mainInstalled || !showsInstalled(c, seen));
    main.claims.push(...g.claims.filter(joins));
    g.claims = g.claims.filter((c) => !joins(c));
    if (g.claims.length === 0) byProduct.delete(g.product.id);
  }
}

/** Anchors first, then live signals, then traces; stable within each rank. */
function rank(k: EvidenceKind): number {
  const spec = evidenceSpec(k);
  return spec.anchor ? 0 : spec.live ? 1 : 2;
}

/** Each piece of evidence once (by kind and place), in rank order. */
function distinctEvidence(sorted: readonly Claim[]): Evidence[] {
  const seen = new Set<string>();
  const evidence: Evidence[] = [];
  for (const c of sorted) {
    const k = `${c.evidence.kind}\0${c.evidence.location}`;
    if (seen.has(k)) continue;
    seen.add(k);
    evidence.push(c.evidence);
  }
  return evidence;
}

/** The product's packages, in the catalog's order (unknown ones last). */
function packagesOf(p: Product, items: readonly InventoryItem[]): PackageEntry[] {
  const packages = items.filter((i): i is PackageEntry => i.kind === 'package');
  const catalogOrder = [...(p.signatures.linux?.packages ?? []).map((x) => x.name)];
  return packages.sort((a, b) => {
    const ia = catalogOrder.indexOf(a.name);
    const ib = catalogOrder.indexOf(b.name);
    return (ia < 0 ? 999 : ia) - (ib < 0 ? 999 : ib);
  });
}

/** What the items say of the product: its installed name and version, and where it mainly is. */
function identify(p: Product, items: readonly InventoryItem[], evidence: readonly Evidence[]) {
  const uninstall = items.filter((i): i is UninstallEntry => i.kind === 'registry-uninstall');
  const visibleUninstall = uninstall.find((u) => !u.systemComponent) ?? uninstall[0];
  const packages = packagesOf(p, items);
  const bundle = items.find((i) => i.kind === 'app-bundle');
  const receipt = items.find((i) => i.kind === 'pkg-receipt');
  const vendorKey = items.find((i) => i.kind === 'vendor-key' && i.values.ProductVersion);
  const installedPkg = packages.find((x) => x.installed) ?? packages[0];

  const name =
    visibleUninstall?.displayName ??
    (bundle?.kind === 'app-bundle' ? bundle.name : undefined) ??
    (vendorKey?.kind === 'vendor-key' ? vendorKey.values.ProductName : undefined) ??
    p.name;
  const version =
    visibleUninstall?.displayVersion ??
    installedPkg?.version ??
    (bundle?.kind === 'app-bundle' ? bundle.version : undefined) ??
    (receipt?.kind === 'pkg-receipt' ? receipt.version : undefined) ??
    (vendorKey?.kind === 'vendor-key' ? vendorKey.values.ProductVersion : undefined);
  const primary =
    (visibleUninstall ?? installedPkg ?? bundle ?? items[0])?.location ?? evidence[0]?.location ?? p.id;
  return { name, version, primary, uninstall, packages };
}

/**
 * What a removal plan needs of a package: its name and state, whether the base system needs it,
 * and, for one the catalog does not name, the add-on folders' paths it owns (what shows whose it is).
 */
function packageHint(x: PackageEntry, namedByCatalog: boolean): Finding['removalHints']['packages'][number] {
  const priority = x.priority?.toLowerCase();
  const addOn = namedByCatalog ? [] : (x.files ?? []).filter((f) => /^\/(etc\/|var\/)?opt\/[^/]/.test(f));
  return {
    manager: x.manager,
    name: x.name,
    installed: x.installed,
    ...(x.essential ? { essential: true as const } : {}),
    ...(priority === 'required' || priority === 'important' ? { priority } : {}),
    ...(addOn.length ? { addOnPaths: addOn.slice(0, 20) } : {}),
  };
}

/** Facts a removal plan needs: MSI product codes, packages, uninstall strings, paths. */
function removalHintsOf(
  uninstall: readonly UninstallEntry[],
  packages: readonly PackageEntry[],
  evidence: readonly Evidence[],
  catalogNames: ReadonlySet<string>,
): Finding['removalHints'] {
  const isMsi = (u: UninstallEntry): boolean =>
    GUID.test(u.keyName) && (u.windowsInstaller || /msiexec/i.test(u.uninstallString ?? ''));
  return {
    msiProductCodes: [...new Set(uninstall.filter(isMsi).map((u) => u.keyName.toUpperCase()))],
    packages: packages.map((x) => packageHint(x, catalogNames.has(x.name))),
    uninstallEntries: uninstall.map((u) => ({
      location: u.location,
      ...(u.uninstallString ? { uninstallString: u.uninstallString } : {}),
      ...(u.quietUninstallString ? { quietUninstallString: u.quietUninstallString } : {}),
      ...(u.installLocation ? { installLocation: u.installLocation } : {}),
      windowsInstaller: u.windowsInstaller ?? false,
    })),
    paths: evidence.filter((e) => e.kind === 'file').map((e) => e.location),
  };
}

function findingOf({ product: p, claims: list }: Group, vendorNames: ReadonlyMap<string, string>): Finding {
  const sorted = [...list].sort((a, b) => rank(a.evidence.kind) - rank(b.evidence.kind));
  const evidence = distinctEvidence(sorted);
  const items = sorted.map((c) => c.item);
  const { name, version, primary, uninstall, packages } = identify(p, items, evidence);
  const installed = list.some((c) => showsInstalled(c, items));
  return {
    id: findingId(p.id, primary),
    productId: p.id,
    vendor: vendorNames.get(p.vendor) ?? p.vendor,
    name,
    ...(version ? { version } : {}),
    status: p.status,
    directives: [...p.directives],
    presence: installed ? 'installed' : 'traces',
    evidence,
    removalHints: removalHintsOf(
      uninstall,
      packages,
      evidence,
      new Set((p.signatures.linux?.packages ?? []).map((x) => x.name)),
    ),
  };
}

/** Groups claims into findings: banned first, then by name, for stable output. */
export function groupClaims(claims: readonly Claim[], vendorNames: ReadonlyMap<string, string>): Finding[] {
  const byProduct = byProductOf(claims);
  joinVendorWideTraces(byProduct);
  const findings = [...byProduct.values()].map((g) => findingOf(g, vendorNames));
  return findings.sort((a, b) =>
    a.status === b.status ? a.name.localeCompare(b.name) : a.status === 'banned' ? -1 : 1,
  );
}
