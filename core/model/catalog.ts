/**
 * The catalog: what is banned, by whom, why, and how to recognise and remove it.
 *
 * Every claim carries `refs` to entries of `references` (each with its public source), and a claim
 * the research could not confirm carries `unconfirmed` with the reason, which the app shows as is.
 * The catalog is a trust boundary (it can be replaced with `--catalog FILE`), so everything is
 * validated here, including that every regular expression compiles and every reference resolves.
 */
import * as z from 'zod';
import { HostOs } from './host';
import { Slug } from './ids';

export const CATALOG_SCHEMA = 'divest.catalog/1';

const RefId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a reference id');
/** A calendar date, or a month when the day is not known (then the claim says UNCONFIRMED). */
const CatalogDate = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$/, 'must be YYYY-MM-DD or YYYY-MM');

/** Something the app says to a user, with where it comes from. */
const sourced = {
  refs: z.array(RefId).min(1, 'every claim needs at least one source'),
  /** Present when the research marked the claim UNCONFIRMED: why, in a sentence. */
  unconfirmed: z.string().min(1).optional(),
};

export const Fact = z.strictObject({ text: z.string().min(1), ...sourced });
export type Fact = z.infer<typeof Fact>;

export const Reference = z.strictObject({
  id: RefId,
  title: z.string().min(1),
  url: z.url().optional(),
  /** Who published it and how reliable it is (e.g. "vendor documentation", "law-firm summary"). */
  note: z.string().optional(),
});
export type Reference = z.infer<typeof Reference>;

function compiles(re: string): boolean {
  try {
    new RegExp(re, 'iu');
    return true;
  } catch {
    return false;
  }
}

/** A case-insensitive regular expression (JavaScript syntax, `u` flag) with its sources. */
export const Pattern = z.strictObject({
  re: z.string().min(1).refine(compiles, 'must be a valid regular expression'),
  ...sourced,
});
export type Pattern = z.infer<typeof Pattern>;

/**
 * A path on the inspected machine. Windows paths may start with %ProgramFiles%, %ProgramFiles(x86)%,
 * %ProgramData%, %SystemRoot%, %SystemDrive%, %LocalAppData%; Linux and macOS paths are absolute.
 * Only the last segment may contain `*` (any run of characters, case-insensitive on Windows).
 */
export const PathPattern = z.strictObject({
  path: z
    .string()
    .min(2)
    .refine(
      (p) => !/[*]/.test(p.split(/[\\/]/).slice(0, -1).join('/')),
      'only the last path segment may hold *',
    ),
  ...sourced,
});
export type PathPattern = z.infer<typeof PathPattern>;

export const PackageName = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9+._-]*$/, 'must be a valid package name'),
  ...sourced,
});

export const WindowsSignature = z.strictObject({
  /** DisplayName of an Uninstall entry whose Publisher is the vendor's (or empty). */
  displayNames: z.array(Pattern).default([]),
  /** Subkey names directly under the vendor key (`KasperskyLab`), e.g. `^KES\.`. */
  vendorKeys: z.array(Pattern).default([]),
  /** ProductName values found in `<vendor key>\<sub>\environment`. */
  vendorProductNames: z.array(Pattern).default([]),
  /** Service names (HKLM\SYSTEM\CurrentControlSet\Services, Type >= 16). */
  services: z.array(Pattern).default([]),
  /** Kernel/file-system driver service names (Type 1 or 2). */
  drivers: z.array(Pattern).default([]),
  paths: z.array(PathPattern).default([]),
  /** displayName in root\SecurityCenter2 AntiVirusProduct. */
  securityCenter: z.array(Pattern).default([]),
});

export const LinuxSignature = z.strictObject({
  packages: z.array(PackageName).default([]),
  paths: z.array(PathPattern).default([]),
  /** systemd unit or init script names, without `.service`. */
  units: z.array(Pattern).default([]),
  processes: z.array(Pattern).default([]),
});

export const MacSignature = z.strictObject({
  bundleIds: z.array(Pattern).default([]),
  /** `.app` folder names under /Applications (without `.app`). */
  appNames: z.array(Pattern).default([]),
  receipts: z.array(Pattern).default([]),
  launchd: z.array(Pattern).default([]),
  systemExtensions: z.array(Pattern).default([]),
  paths: z.array(PathPattern).default([]),
  processes: z.array(Pattern).default([]),
});

export const Signatures = z.strictObject({
  windows: WindowsSignature.optional(),
  linux: LinuxSignature.optional(),
  macos: MacSignature.optional(),
});

/** How the vendor itself is recognised, whatever the product (publisher, maintainer, team id). */
export const Vendor = z.strictObject({
  id: Slug,
  name: z.string().min(1),
  /** Windows Uninstall `Publisher` values that are this vendor (whole-string match). */
  publishers: z.array(Pattern).min(1),
  /** dpkg Maintainer / rpm Vendor values that are this vendor. */
  maintainers: z.array(Pattern).default([]),
  /** Apple Developer Team IDs. */
  teamIds: z.array(z.string().regex(/^[A-Z0-9]{10}$/)).default([]),
  /** Bundle id / receipt id / launchd label prefixes, e.g. `com.kaspersky.`. */
  bundleIdPrefixes: z.array(z.string().min(3)).default([]),
  /** Names of the vendor's own registry key under HKLM\SOFTWARE, e.g. `KasperskyLab`. */
  registryKeys: z.array(z.string().min(1)).default([]),
  refs: z.array(RefId).min(1),
});
export type Vendor = z.infer<typeof Vendor>;

/** Property schemes for password-protected uninstalls (the value comes from the user at run time). */
export const CredentialScheme = z.enum([
  /** KES: KLLOGIN=<user> KLPASSWD=<password>. */
  'kes-kllogin-klpasswd',
  /** Network Agent: KLUNINSTPASSWD=<hex of the password's UTF-16LE bytes>. */
  'klnagent-uninstpasswd-hex',
]);
export type CredentialScheme = z.infer<typeof CredentialScheme>;

export const WindowsRemoval = z.strictObject({
  /** `msi`: msiexec /x {ProductCode}; `exe`: the entry's own (Quiet)UninstallString, checked. */
  method: z.enum(['msi', 'exe']),
  /** Extra MSI properties that are always passed (e.g. REBOOT=ReallySuppress). */
  msiProperties: z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/), z.string()).default({}),
  credentials: CredentialScheme.optional(),
  /** For `exe`: the file names an UninstallString may run, and the switches that make it quiet. */
  exeImages: z.array(Pattern).default([]),
  exeQuietArgs: z.array(z.string()).default([]),
  ...sourced,
});

export const PackageRemoval = z.strictObject({
  /** Remove configuration too (dpkg --purge); otherwise `rc` remnants are reported as leftovers. */
  purge: z.boolean().default(true),
  ...sourced,
});

export const MacRemoval = z.strictObject({
  /** Vendor uninstall scripts/apps, tried in order; each must exist on the machine to be used. */
  uninstallers: z.array(PathPattern).min(1),
  ...sourced,
});

/** Advice about removal; `platforms` limits it to the OSes it concerns (all when absent). */
export const RemovalAdvice = z.strictObject({
  text: z.string().min(1),
  platforms: z.array(HostOs).min(1).optional(),
  ...sourced,
});
export type RemovalAdvice = z.infer<typeof RemovalAdvice>;

export const Removal = z.strictObject({
  /** Lower runs first: the protection product before its management agent. */
  order: z.number().int().min(0).max(1000),
  windows: WindowsRemoval.optional(),
  linux: PackageRemoval.optional(),
  macos: MacRemoval.optional(),
  /** Things the user must know before starting (password protection, self-defence, reboot). */
  warnings: z.array(RemovalAdvice).default([]),
  /** What to do by hand when automated removal fails (e.g. kavremover, Safe Mode). */
  manualSteps: z.array(RemovalAdvice).default([]),
});
export type Removal = z.infer<typeof Removal>;

/** `banned`: covered by a directive; `review`: not banned, but an administrator must look at it. */
export const ProductStatus = z.enum(['banned', 'review']);
export type ProductStatus = z.infer<typeof ProductStatus>;

export const Product = z.strictObject({
  id: Slug,
  name: z.string().min(1),
  vendor: Slug,
  family: z.enum(['consumer', 'business', 'tool', 'successor', 'components']),
  /** `banned`: covered by a directive; `review`: not banned, but an administrator must look at it. */
  status: ProductStatus,
  statusReason: Fact,
  directives: z.array(Slug),
  platforms: z.array(HostOs).min(1),
  aliases: z.array(z.string()).default([]),
  description: Fact,
  notes: z.array(Fact).default([]),
  /**
   * The fallback product takes vendor evidence that no other product claims (an unrecognised
   * Kaspersky uninstall entry, a lone `kl*` driver): a banned product is never reported absent.
   */
  fallback: z.boolean().default(false),
  signatures: Signatures,
  removal: Removal.optional(),
  refs: z.array(RefId).min(1),
});
export type Product = z.infer<typeof Product>;

export const Deadline = z.strictObject({
  id: Slug,
  label: z.string().min(1),
  /** The calendar date, when one is known. */
  date: CatalogDate.optional(),
  /** Days after the directive was issued, when the directive counts that way (30/60/90). */
  dayOffset: z.number().int().min(0).optional(),
  text: z.string().min(1),
  ...sourced,
});
export type Deadline = z.infer<typeof Deadline>;

export const DatedFact = z.strictObject({ date: CatalogDate, text: z.string().min(1), ...sourced });

/**
 * Where a directive has force: an ISO 3166-1 alpha-2 country code (`AU`, `GB`) or an ISO 3166-2
 * subdivision code (`US-NH`). The per-machine jurisdiction setting is a list of these codes.
 */
export const JurisdictionCode = z
  .string()
  .regex(
    /^[A-Z]{2}(-[A-Z0-9]{1,3})?$/,
    'must be an ISO 3166-1 alpha-2 code such as "AU", or an ISO 3166-2 subdivision code such as "US-NH"',
  );
export type JurisdictionCode = z.infer<typeof JurisdictionCode>;

export const Region = z.strictObject({
  code: JurisdictionCode,
  /** The name people use: "Australia", "United States: New Hampshire". */
  name: z.string().min(1),
});
export type Region = z.infer<typeof Region>;

/** `binding`: those it binds must comply; `guidance`: advice or a warning, not an obligation. */
export const DirectiveForce = z.enum(['binding', 'guidance']);
export type DirectiveForce = z.infer<typeof DirectiveForce>;

/**
 * A vendor a directive names. With `vendor` (a catalog vendor id) the directive covers that
 * vendor's catalog products, all of them or only `products`; `products: []` means none of the
 * catalog's (e.g. the directive is about mobile apps). Without `vendor` the vendor is named but
 * Divest has no fingerprints for its products, and `text` says so.
 */
export const CoveredVendor = z.strictObject({
  name: z.string().min(1),
  vendor: Slug.optional(),
  products: z.array(Slug).optional(),
  text: z.string().min(1),
  ...sourced,
});
export type CoveredVendor = z.infer<typeof CoveredVendor>;

export const Directive = z.strictObject({
  id: Slug,
  shortName: z.string().min(1),
  title: z.string().min(1),
  issuer: Fact,
  identifier: z.string().min(1),
  /** Who and where, in words ("United States: federal executive-branch agencies"). */
  jurisdiction: z.string().min(1),
  /** The jurisdiction as a code, for the per-machine setting (catalogs before 2026.12 lack it). */
  region: Region.optional(),
  kind: z.enum(['directive', 'statute', 'regulation', 'listing', 'determination', 'guidance']),
  /** Binding or guidance; when absent, `guidance` for kind `guidance` and `binding` otherwise. */
  force: DirectiveForce.optional(),
  /**
   * The vendors it names and, through them, the catalog products it covers. A product is covered
   * by the directives it lists itself and by every directive whose `covers` reaches it.
   */
  covers: z.array(CoveredVendor).default([]),
  issued: DatedFact,
  effective: DatedFact.optional(),
  /** Plain language first: what it means for the person at this machine. */
  summary: Fact,
  binds: z.array(Fact).min(1),
  requires: z.array(Fact).min(1),
  deadlines: z.array(Deadline).default([]),
  scope: z.array(Fact).min(1),
  exclusions: z.array(Fact).default([]),
  reasons: z.array(Fact).min(1),
  /** Other dated events: notices, litigation, amendments. */
  history: z.array(DatedFact).default([]),
  refs: z.array(RefId).min(1),
});
export type Directive = z.infer<typeof Directive>;

export const Catalog = z
  .strictObject({
    schema: z.literal(CATALOG_SCHEMA),
    version: z.string().regex(/^\d{4}\.\d{2}\.\d{2}(\.\d+)?$/, 'must look like 2026.11.22 or 2026.11.22.1'),
    references: z.array(Reference).min(1),
    vendors: z.array(Vendor).min(1),
    directives: z.array(Directive).min(1),
    products: z.array(Product).min(1),
  })
  .superRefine((cat, ctx) => {
    const refIds = new Set<string>();
    cat.references.forEach((r, i) => {
      if (refIds.has(r.id))
        ctx.addIssue({
          code: 'custom',
          path: ['references', i, 'id'],
          message: `duplicate reference id "${r.id}"`,
        });
      refIds.add(r.id);
    });
    const unique = (list: { id: string }[], name: string): Set<string> => {
      const seen = new Set<string>();
      list.forEach((e, i) => {
        if (seen.has(e.id))
          ctx.addIssue({ code: 'custom', path: [name, i, 'id'], message: `duplicate id "${e.id}"` });
        seen.add(e.id);
      });
      return seen;
    };
    const directiveIds = unique(cat.directives, 'directives');
    const vendorIds = unique(cat.vendors, 'vendors');
    unique(cat.products, 'products');

    // Every `refs` anywhere must resolve to a reference.
    const walk = (node: unknown, path: (string | number)[]): void => {
      if (Array.isArray(node)) node.forEach((n, i) => walk(n, [...path, i]));
      else if (node && typeof node === 'object') {
        for (const [k, v] of Object.entries(node)) {
          if (k === 'refs' && Array.isArray(v))
            v.forEach((id, i) => {
              if (typeof id === 'string' && !refIds.has(id))
                ctx.addIssue({ code: 'custom', path: [...path, k, i], message: `unknown reference "${id}"` });
            });
          else walk(v, [...path, k]);
        }
      }
    };
    walk({ vendors: cat.vendors, directives: cat.directives, products: cat.products }, []);

    // A `covers` entry that names a vendor or product this catalog lacks only reaches nothing: a
    // release that drops a product is then judged as the weakening it is (release/diff.ts), not as
    // an invalid catalog. The built-in catalog's test requires every name to resolve.
    const productsById = new Map(cat.products.map((p) => [p.id, p]));
    cat.directives.forEach((d, i) => {
      d.covers.forEach((c, j) => {
        if (c.products !== undefined && c.vendor === undefined && c.products.length > 0)
          ctx.addIssue({
            code: 'custom',
            path: ['directives', i, 'covers', j, 'products'],
            message: 'products can be listed only for a catalog vendor (give "vendor")',
          });
        (c.products ?? []).forEach((id, k) => {
          const p = productsById.get(id);
          if (p && c.vendor !== undefined && p.vendor !== c.vendor)
            ctx.addIssue({
              code: 'custom',
              path: ['directives', i, 'covers', j, 'products', k],
              message: `product "${id}" is not a product of vendor "${c.vendor}"`,
            });
        });
      });
    });
    const coverage = coveringDirectives(cat);

    cat.products.forEach((p, i) => {
      p.directives.forEach((d, j) => {
        if (!directiveIds.has(d))
          ctx.addIssue({
            code: 'custom',
            path: ['products', i, 'directives', j],
            message: `unknown directive "${d}"`,
          });
      });
      if (!vendorIds.has(p.vendor))
        ctx.addIssue({
          code: 'custom',
          path: ['products', i, 'vendor'],
          message: `unknown vendor "${p.vendor}"`,
        });
      if (p.status === 'banned' && (coverage.get(p.id) ?? []).length === 0)
        ctx.addIssue({
          code: 'custom',
          path: ['products', i, 'directives'],
          message: 'a banned product must name the directives that ban it',
        });
    });
    const fallbacks = cat.products.filter((p) => p.fallback);
    if (fallbacks.length !== 1)
      ctx.addIssue({
        code: 'custom',
        path: ['products'],
        message: `exactly one product must be the fallback (found ${fallbacks.length})`,
      });
  })
  // Each product's `directives` becomes its full coverage: its own list, then every directive
  // whose `covers` reaches it, so scans, plans, receipts and the diff all see the same coverage.
  .transform((cat) => {
    const coverage = coveringDirectives(cat);
    return {
      ...cat,
      products: cat.products.map((p) => ({ ...p, directives: coverage.get(p.id) ?? [...p.directives] })),
    };
  });
export type Catalog = z.infer<typeof Catalog>;
export type CatalogInput = z.input<typeof Catalog>;

/**
 * The directives that cover each product (by id): the product's own `directives` first, in order,
 * then every directive whose `covers` reaches it, in catalog order, each once.
 */
export function coveringDirectives(cat: {
  directives: readonly Pick<Directive, 'id' | 'covers'>[];
  products: readonly Pick<Product, 'id' | 'vendor' | 'directives'>[];
}): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of cat.products) {
    const ids = [...p.directives];
    for (const d of cat.directives) {
      if (ids.includes(d.id)) continue;
      const reaches = d.covers.some(
        (c) => c.vendor !== undefined && c.vendor === p.vendor && (c.products?.includes(p.id) ?? true),
      );
      if (reaches) ids.push(d.id);
    }
    out.set(p.id, ids);
  }
  return out;
}

/** A directive's force, with the default for catalogs that do not say. */
export function directiveForce(d: Pick<Directive, 'force' | 'kind'>): DirectiveForce {
  return d.force ?? (d.kind === 'guidance' ? 'guidance' : 'binding');
}

/**
 * The vendor and product names in directives' `covers` that this catalog does not have, in
 * sentences (they reach nothing; see the schema). Empty for a consistent catalog.
 */
export function unresolvedCoverage(cat: {
  directives: readonly Pick<Directive, 'id' | 'covers'>[];
  vendors: readonly Pick<Vendor, 'id'>[];
  products: readonly Pick<Product, 'id'>[];
}): string[] {
  const vendors = new Set(cat.vendors.map((v) => v.id));
  const products = new Set(cat.products.map((p) => p.id));
  const out: string[] = [];
  for (const d of cat.directives)
    for (const c of d.covers) {
      if (c.vendor !== undefined && !vendors.has(c.vendor))
        out.push(`directive "${d.id}" covers unknown vendor "${c.vendor}"`);
      for (const id of c.products ?? [])
        if (!products.has(id)) out.push(`directive "${d.id}" covers unknown product "${id}"`);
    }
  return out;
}
