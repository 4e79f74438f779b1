/**
 * The catalog prepared for matching: every signature compiled once into regular expressions, per
 * product and per vendor, and the few questions the classifiers ask of it.
 */
import type { Catalog, Product, Vendor } from '../model/catalog';
import type { HostOs } from '../model/host';

export type Compiled = RegExp[];

export interface CompiledProduct {
  product: Product;
  win: {
    displayNames: Compiled;
    vendorKeys: Compiled;
    vendorProductNames: Compiled;
    services: Compiled;
    drivers: Compiled;
    securityCenter: Compiled;
    paths: string[];
  };
  linux: { packages: Set<string>; units: Compiled; processes: Compiled; paths: string[] };
  mac: {
    bundleIds: Compiled;
    appNames: Compiled;
    receipts: Compiled;
    launchd: Compiled;
    systemExtensions: Compiled;
    processes: Compiled;
    paths: string[];
  };
}

export interface CompiledVendor {
  vendor: Vendor;
  publishers: Compiled;
  maintainers: Compiled;
}

/** A catalog prepared for matching (regular expressions compiled once). */
export interface Matcher {
  products: CompiledProduct[];
  vendors: CompiledVendor[];
  byId: Map<string, CompiledProduct>;
  fallbackFor: (vendorId: string) => CompiledProduct | undefined;
}

const re = (list: readonly { re: string }[] | undefined): Compiled =>
  (list ?? []).map((p) => new RegExp(p.re, 'iu'));

/** Whether any of the patterns matches `s` (never when there is no `s`). */
export const matchesAny = (list: Compiled, s: string | undefined): boolean =>
  s !== undefined && list.some((r) => r.test(s));

function compileProduct(p: Product): CompiledProduct {
  const { windows, linux, macos } = p.signatures;
  return {
    product: p,
    win: {
      displayNames: re(windows?.displayNames),
      vendorKeys: re(windows?.vendorKeys),
      vendorProductNames: re(windows?.vendorProductNames),
      services: re(windows?.services),
      drivers: re(windows?.drivers),
      securityCenter: re(windows?.securityCenter),
      paths: (windows?.paths ?? []).map((x) => x.path),
    },
    linux: {
      packages: new Set((linux?.packages ?? []).map((x) => x.name)),
      units: re(linux?.units),
      processes: re(linux?.processes),
      paths: (linux?.paths ?? []).map((x) => x.path),
    },
    mac: {
      bundleIds: re(macos?.bundleIds),
      appNames: re(macos?.appNames),
      receipts: re(macos?.receipts),
      launchd: re(macos?.launchd),
      systemExtensions: re(macos?.systemExtensions),
      processes: re(macos?.processes),
      paths: (macos?.paths ?? []).map((x) => x.path),
    },
  };
}

/** Compiles the catalog's signatures. */
export function compileCatalog(catalog: Catalog): Matcher {
  const products = catalog.products.map(compileProduct);
  const vendors = catalog.vendors.map((v) => ({
    vendor: v,
    publishers: re(v.publishers),
    maintainers: re(v.maintainers),
  }));
  const byId = new Map(products.map((p) => [p.product.id, p]));
  return {
    products,
    vendors,
    byId,
    fallbackFor: (vendorId) => products.find((p) => p.product.fallback && p.product.vendor === vendorId),
  };
}

/** Which of a compiled product's signature sets belongs to an OS. */
export function osKey(os: HostOs): 'win' | 'mac' | 'linux' {
  return os === 'windows' ? 'win' : os === 'macos' ? 'mac' : 'linux';
}

/** Every catalog path pattern for an OS, for the path checker. */
export function catalogPaths(m: Matcher, os: HostOs): string[] {
  const key = osKey(os);
  return [...new Set(m.products.flatMap((p) => p[key].paths))];
}

/** Which packages deserve their file lists read: catalog names and the vendors' maintainers. */
export function packageInterest(m: Matcher): (name: string, maintainer: string | undefined) => boolean {
  const names = new Set(m.products.flatMap((p) => [...p.linux.packages]));
  return (name, maintainer) =>
    names.has(name) || m.vendors.some((v) => matchesAny(v.maintainers, maintainer));
}

/** The vendor's products that are not its fallback. */
function productsOf(m: Matcher, vendorId: string): CompiledProduct[] {
  return m.products.filter((p) => p.product.vendor === vendorId && !p.product.fallback);
}

/** The first named (non-fallback) product passing `test`, of one vendor or of any. */
export function firstMatch(
  m: Matcher,
  test: (p: CompiledProduct) => boolean,
  vendorId?: string,
): CompiledProduct | undefined {
  return (vendorId ? productsOf(m, vendorId) : m.products.filter((p) => !p.product.fallback)).find(test);
}

/** The first fallback product passing `test` (vendor-wide signatures: shared drivers, units). */
export function fallbackMatch(
  m: Matcher,
  test: (p: CompiledProduct) => boolean,
): CompiledProduct | undefined {
  return m.products.find((p) => p.product.fallback && test(p));
}

/** The fallback of a vendor, when there is a vendor. */
export function fallbackOf(m: Matcher, v: CompiledVendor | undefined): CompiledProduct | undefined {
  return v ? m.fallbackFor(v.vendor.id) : undefined;
}

/** The vendor whose bundle id prefix (`com.kaspersky.`) starts `id`. */
export function vendorByPrefix(m: Matcher, id: string | undefined): CompiledVendor | undefined {
  if (!id) return undefined;
  const lower = id.toLowerCase();
  return m.vendors.find((v) => v.vendor.bundleIdPrefixes.some((pre) => lower.startsWith(pre.toLowerCase())));
}
