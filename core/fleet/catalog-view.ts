/**
 * The parts of the catalog the fleet generators read, in the scanner's order, and the matcher's
 * rules that decide "installed" restated for SQL (core/scan/match.ts is the source: a change
 * there must be mirrored here; test/fleet/osquery-policy.test.ts fails when they drift, because
 * it compares the generated policies with `divest scan` on every test bed).
 */
import type { Catalog, Pattern, Product, ProductStatus, Vendor } from '../model/catalog';
import { matchesAny, type Outcome, type StatusRule } from './sql';

/** Platforms as osquery and Fleet spell them. */
export const FLEET_PLATFORMS = ['windows', 'linux', 'darwin'] as const;
export type FleetPlatform = (typeof FLEET_PLATFORMS)[number];

/**
 * dpkg states in which a package's files are on disk: the scanner counts such a package as
 * installed (core/host/parsers/dpkg-status.ts, `dpkgFilesPresent`).
 */
export const DPKG_FILES_PRESENT = [
  'installed',
  'half-installed',
  'unpacked',
  'half-configured',
  'triggers-awaited',
  'triggers-pending',
] as const;

/**
 * A product folder with something in it counts as installed when it is the product's own (not a
 * shared vendor folder) and lies here (core/scan/match.ts, `hasProgramFolder`).
 */
export const PROGRAM_FOLDER = /^\/opt\/|^\/Applications\/|\\Program Files/i;

/** Where Windows placeholders point on a default installation (osquery has no environment). */
export const WINDOWS_DEFAULT_DIRS: Record<string, string> = {
  '%ProgramFiles(x86)%': 'C:\\Program Files (x86)',
  '%ProgramFiles%': 'C:\\Program Files',
  '%ProgramData%': 'C:\\ProgramData',
  '%SystemRoot%': 'C:\\Windows',
  '%SystemDrive%': 'C:',
};

/** A Windows catalog path with its placeholder expanded as on a default installation. */
export function expandDefaultWindowsPath(p: string): string | undefined {
  const m = /^%[^%]+%/.exec(p);
  if (!m) return p;
  const key = Object.keys(WINDOWS_DEFAULT_DIRS).find((k) => k.toLowerCase() === m[0].toLowerCase());
  return key ? `${WINDOWS_DEFAULT_DIRS[key]}${p.slice(m[0].length)}` : undefined;
}

/** The catalog, indexed the way the matcher walks it. */
export class CatalogView {
  readonly products: readonly Product[];
  readonly nonFallback: readonly Product[];
  readonly vendors: readonly Vendor[];

  constructor(readonly catalog: Catalog) {
    this.products = catalog.products;
    this.nonFallback = catalog.products.filter((p) => !p.fallback);
    this.vendors = catalog.vendors;
  }

  /** The vendor's fallback product's status, or null when it has none (nothing is claimed). */
  fallbackStatus(vendorId: string): ProductStatus | null {
    return this.products.find((p) => p.fallback && p.vendor === vendorId)?.status ?? null;
  }

  /** The fallback products (the catalog has one), in order. */
  fallbacks(): Product[] {
    return this.products.filter((p) => p.fallback);
  }

  /**
   * "The first non-fallback product for which `when` gives a condition decides; else `otherwise`"
   * (the matcher's `firstMatch`). Products for which `when` gives undefined are skipped.
   */
  firstProduct(
    when: (p: Product) => string | undefined,
    otherwise: Outcome,
    among: readonly Product[] = this.nonFallback,
  ): StatusRule {
    const branches = among.flatMap((p) => {
      const w = when(p);
      return w === undefined || w === 'FALSE' ? [] : [{ when: w, then: p.status }];
    });
    return { branches, otherwise };
  }

  /**
   * {@link firstProduct} for the common case "`col` matches one of the product's patterns", with
   * consecutive products of the same status joined into one test (same outcome, shorter SQL).
   */
  firstMatching(
    col: string,
    pick: (p: Product) => readonly Pattern[] | undefined,
    otherwise: Outcome,
    among: readonly Product[] = this.nonFallback,
  ): StatusRule {
    const groups: { status: ProductStatus; patterns: Pattern[] }[] = [];
    for (const p of among) {
      const patterns = pick(p) ?? [];
      if (patterns.length === 0) continue;
      const last = groups.at(-1);
      if (last && last.status === p.status) last.patterns.push(...patterns);
      else groups.push({ status: p.status, patterns: [...patterns] });
    }
    return {
      branches: groups.map((g) => ({ when: matchesAny(col, g.patterns), then: g.status })),
      otherwise,
    };
  }

  /** "The first vendor for which `when` holds decides, through its fallback product." */
  firstVendorFallback(when: (v: Vendor) => string | undefined, otherwise: Outcome = null): StatusRule {
    const branches = this.vendors.flatMap((v) => {
      const w = when(v);
      return w === undefined || w === 'FALSE' ? [] : [{ when: w, then: this.fallbackStatus(v.id) }];
    });
    return { branches, otherwise };
  }

  /** Products of one vendor, without its fallback. */
  productsOf(vendorId: string): Product[] {
    return this.nonFallback.filter((p) => p.vendor === vendorId);
  }

  /** Catalog paths of an OS with the product that owns each (the first non-fallback product listing it). */
  pathOwners(os: 'windows' | 'linux' | 'macos'): { path: string; owner: Product }[] {
    const seen = new Map<string, Product>();
    const listed = (p: Product): string[] => (p.signatures[os]?.paths ?? []).map((x) => x.path);
    for (const p of this.products)
      for (const path of listed(p)) {
        const current = seen.get(path);
        if (!current || (current.fallback && !p.fallback)) seen.set(path, p);
      }
    return [...seen].map(([path, owner]) => ({ path, owner }));
  }
}
