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
    driverFamilies: Compiled;
    serviceFamilies: Compiled;
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
  /** The vendor's names, normalized ({@link normalizeVendorName}). */
  names: Set<string>;
  /** The vendor's folder names, lower case. */
  folders: string[];
}

/**
 * Legal forms that say nothing about who a company is, in the languages the vendors' names come
 * in: Russian (АО, ЗАО, ООО...), English, German, French, Spanish, Portuguese, Dutch, Italian.
 */
// prettier-ignore
const LEGAL_FORMS = new Set([
  'ao', 'zao', 'oao', 'pao', 'nao', 'jsc', 'cjsc', 'ojsc', 'pjsc', 'llc', 'ltd', 'limited', 'inc',
  'incorporated', 'corp', 'corporation', 'co', 'plc', 'gmbh', 'ag', 'kg', 'sa', 'sas', 'sarl', 'srl',
  'spa', 'bv', 'nv', 'ab', 'as', 'oy', 'lda', 'ltda', 'sro',
  'ао', 'зао', 'оао', 'пао', 'нао', 'ооо', 'ип',
]);

/**
 * A company name reduced to what identifies it: Unicode-normalized, lower case, quotes and
 * punctuation dropped, legal forms dropped wherever they stand. `АО "Лаборатория Касперского"`,
 * `"Лаборатория Касперского"` and `ЗАО «Лаборатория Касперского»` all become
 * `лаборатория касперского`; `AO Kaspersky Lab` and `Kaspersky Lab ZAO` become `kaspersky lab`.
 */
export function normalizeVendorName(s: string): string {
  return s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\./g, '')
    .replace(/[\p{P}\p{S}]+/gu, ' ')
    .split(/\s+/u)
    .filter((w) => w !== '' && !LEGAL_FORMS.has(w))
    .join(' ');
}

/** The vendor whose name (a Publisher, a dpkg Maintainer's name, a service display name) this is. */
export function vendorByName(m: Matcher, s: string | undefined): CompiledVendor | undefined {
  if (!s) return undefined;
  const n = normalizeVendorName(s);
  return n === '' ? undefined : m.vendors.find((v) => v.names.has(n));
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
      driverFamilies: re(windows?.driverFamilies),
      serviceFamilies: re(windows?.serviceFamilies),
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
    names: new Set(v.names.map((x) => normalizeVendorName(x.name)).filter((x) => x !== '')),
    folders: v.folders.map((f) => f.toLowerCase()),
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

/** The vendor an Uninstall entry's Publisher is: one of its publisher patterns, or one of its names. */
export function vendorOfPublisher(m: Matcher, publisher: string | undefined): CompiledVendor | undefined {
  if (!publisher) return undefined;
  return m.vendors.find((v) => matchesAny(v.publishers, publisher)) ?? vendorByName(m, publisher);
}

/**
 * Whether a Windows path (an ImagePath, an install folder) lies in one of the vendor's folders:
 * a path segment that is the folder's name (`...\Kaspersky Lab\...`, `...\KasperskyLab\...`).
 */
export function inVendorFolder(v: CompiledVendor, p: string | undefined): boolean {
  if (!p) return false;
  const segments = p.toLowerCase().split(/[\\/]+/);
  return v.folders.some((f) => segments.includes(f));
}

/**
 * Whether a catalog path pattern names `location` (a path as found on the machine): its part past
 * the placeholder (`%ProgramFiles(x86)%`) ends the location, `*` standing for any run of
 * characters within the last segment. Case-insensitive.
 */
export function pathPatternNames(pattern: string, location: string): boolean {
  const tail = pattern
    .replace(/^%[^%]+%/, '')
    .replace(/\\/g, '/')
    .toLowerCase();
  if (tail.length < 4) return false;
  const body = tail.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
  const anchor = pattern.startsWith('%') ? '' : '^';
  return new RegExp(`${anchor}${body}$`, 'u').test(location.replace(/\\/g, '/').toLowerCase());
}
