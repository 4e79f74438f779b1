/**
 * The Windows policy: osquery queries that return a row exactly when `divest scan` would find a
 * banned product INSTALLED (exit 10), following core/scan/match.ts rule by rule:
 * - `programs` (the Uninstall keys, both views and every user): an entry is the vendor's by its
 *   Publisher, or by a catalog DisplayName when it has no Publisher; it then belongs to the first
 *   product whose DisplayName matches, else the product whose vendor key carries its product code,
 *   else the product whose folder holds its InstallLocation, else the vendor's fallback product;
 * - `services` (services and drivers; drivers need osquery 5.10 or later): services by name, or
 *   through the vendor key of the same name (`AVP21.2`); drivers by name;
 * - `windows_security_products` (Antivirus entries): by Security Center or DisplayName patterns;
 * - `file`: a product's own folder under Program Files with something in it.
 * Vendor keys themselves, and folders elsewhere, are traces: they never make a machine fail.
 */
import type { Product } from '../model/catalog';
import { type CatalogView, PROGRAM_FOLDER, expandDefaultWindowsPath } from './catalog-view';
import { and, isBanned, matchesAny, or, sqlString, type StatusRule } from './sql';

const DRIVER_TYPES = "('KERNEL_DRIVER', 'FILE_SYSTEM_DRIVER')";

/** The vendors' own registry keys in both views, as osquery names them. */
function vendorRoots(view: CatalogView): string[] {
  return view.vendors.flatMap((v) =>
    v.registryKeys.flatMap((k) => [
      `HKEY_LOCAL_MACHINE\\SOFTWARE\\${k}`,
      `HKEY_LOCAL_MACHINE\\SOFTWARE\\WOW6432Node\\${k}`,
    ]),
  );
}

/** A value of a vendor subkey's `environment` key (`vk` is a `registry` row of type subkey). */
function envValue(name: string): string {
  return `(SELECT e.data FROM registry e WHERE e.key = vk.path || '\\environment' AND e.name = ${sqlString(name)})`;
}

/** Which product a vendor subkey is: by its ProductName, else by the subkey's name. */
function vendorKeyRule(view: CatalogView): StatusRule {
  const byName = view.firstMatching(
    envValue('ProductName'),
    (p) => p.signatures.windows?.vendorProductNames,
    null,
  );
  const byKey = view.firstMatching('vk.name', (p) => p.signatures.windows?.vendorKeys, null);
  return { branches: [...byName.branches, ...byKey.branches], otherwise: null };
}

/** `EXISTS` a vendor subkey satisfying `extra`, classified with the given status. */
function vendorKeyExists(view: CatalogView, extra: string, status: 'banned' | 'review'): string {
  const roots = vendorRoots(view);
  if (roots.length === 0) return 'FALSE';
  const rule = vendorKeyRule(view);
  const classified = status === 'banned' ? isBanned(rule) : isBanned(asReview(rule));
  if (classified === 'FALSE') return 'FALSE';
  return `EXISTS (SELECT 1 FROM registry vk WHERE vk.key IN (${roots.map(sqlString).join(', ')}) AND vk.type = 'subkey' AND ${and([extra, classified])})`;
}

/** The same rule with "review" and "banned" swapped, to ask "is it review?" with {@link isBanned}. */
function asReview(rule: StatusRule): StatusRule {
  const swap = (s: StatusRule['otherwise']): StatusRule['otherwise'] =>
    s === 'banned' ? 'review' : s === 'review' ? 'banned' : s === null ? null : asReview(s);
  return {
    branches: rule.branches.map((b) => ({ when: b.when, then: swap(b.then) })),
    otherwise: swap(rule.otherwise),
  };
}

/** Branches "the vendor subkey matching `extra` decides" (one per status it can give). */
function byVendorKey(view: CatalogView, extra: string): StatusRule['branches'] {
  return [
    { when: vendorKeyExists(view, extra, 'banned'), then: 'banned' as const },
    { when: vendorKeyExists(view, extra, 'review'), then: 'review' as const },
  ];
}

const NO_PUBLISHER = "(publisher IS NULL OR publisher = '')";

/** The install-folder tail the matcher compares an InstallLocation with (longer than 14 characters). */
function folderTails(p: Product): string[] {
  return (p.signatures.windows?.paths ?? [])
    .map((x) =>
      x.path
        .replace(/^%[^%]+%/, '')
        .replace(/\*.*$/, '')
        .toLowerCase(),
    )
    .filter((t) => t.length > 14);
}

/**
 * What the matcher decides for an entry of vendor `v`: the first of the vendor's products whose
 * DisplayName matches, else the product whose vendor key holds its product code, else the one whose
 * folder holds its InstallLocation, else the vendor's fallback product.
 */
function vendorEntryRule(view: CatalogView, vendorId: string): StatusRule {
  const products = view.productsOf(vendorId);
  return {
    branches: [
      ...view.firstMatching('name', (p) => p.signatures.windows?.displayNames, null, products).branches,
      ...byVendorKey(
        view,
        `EXISTS (SELECT 1 FROM registry c WHERE c.key = vk.path || '\\environment' AND c.name = 'ProductCode' AND upper(c.data) = upper(programs.identifying_number))`,
      ),
      ...view.firstProduct(
        (p) => or(folderTails(p).map((t) => `instr(lower(install_location), ${sqlString(t)}) > 0`)),
        null,
        products,
      ).branches,
    ],
    otherwise: view.fallbackStatus(vendorId),
  };
}

/**
 * The `programs` condition: the entry belongs to a banned product. With a Publisher, the first
 * vendor whose publisher names match owns it. Without one, the first product (any vendor) whose
 * DisplayName matches decides: it is also the first of its vendor's products to match.
 */
export function programsCondition(view: CatalogView): string {
  const byPublisher: StatusRule = {
    branches: view.vendors.map((v) => ({
      when: matchesAny('publisher', v.publishers),
      then: vendorEntryRule(view, v.id),
    })),
    otherwise: null,
  };
  const fallbackNames = view.products.some((p) => p.fallback && p.signatures.windows?.displayNames.length);
  const byDisplayName: StatusRule = fallbackNames
    ? {
        branches: view.products.map((p) => ({
          when: matchesAny('name', p.signatures.windows?.displayNames ?? []),
          then: p.fallback ? vendorEntryRule(view, p.vendor) : p.status,
        })),
        otherwise: null,
      }
    : view.firstMatching('name', (p) => p.signatures.windows?.displayNames, null);
  return or([
    and([`NOT ${NO_PUBLISHER}`, isBanned(byPublisher)]),
    and([NO_PUBLISHER, isBanned(byDisplayName)]),
  ]);
}

/** The `services` condition for services (not drivers). */
export function servicesCondition(view: CatalogView): string {
  const rule: StatusRule = {
    branches: [
      ...view.firstMatching('name', (p) => p.signatures.windows?.services, null).branches,
      ...byVendorKey(view, 'lower(vk.name) = lower(services.name)'),
      ...view.firstMatching('name', (p) => p.signatures.windows?.services, null, view.fallbacks()).branches,
    ],
    otherwise: null,
  };
  return and([`service_type NOT IN ${DRIVER_TYPES}`, isBanned(rule)]);
}

/** The `services` condition for kernel and file-system drivers. */
export function driversCondition(view: CatalogView): string {
  const rule: StatusRule = {
    branches: [
      ...view.firstMatching('name', (p) => p.signatures.windows?.drivers, null).branches,
      ...view.firstMatching('name', (p) => p.signatures.windows?.drivers, null, view.fallbacks()).branches,
    ],
    otherwise: null,
  };
  return and([`service_type IN ${DRIVER_TYPES}`, isBanned(rule)]);
}

/** The `windows_security_products` condition. */
export function securityCenterCondition(view: CatalogView): string {
  const rule: StatusRule = {
    branches: [
      ...view.firstMatching('name', (p) => p.signatures.windows?.securityCenter, null).branches,
      ...view.firstMatching('name', (p) => p.signatures.windows?.displayNames, null).branches,
    ],
    otherwise: null,
  };
  return and(["type = 'Antivirus'", isBanned(rule)]);
}

/** Queries on `file`: a banned product's own folder under Program Files, not empty (or a file there). */
export function programFolderQueries(view: CatalogView): string[] {
  return view.pathOwners('windows').flatMap(({ path, owner }) => {
    const expanded = expandDefaultWindowsPath(path);
    if (owner.fallback || owner.status !== 'banned' || !expanded || !PROGRAM_FOLDER.test(expanded)) return [];
    // LIKE: Windows paths are case-insensitive. `_` stays a wildcard (an ESCAPE character would
    // clash with the backslashes osquery expands), which can only widen the match.
    const like = sqlString(expanded.replace(/\*/g, '%'));
    return [
      `SELECT 1 FROM file WHERE directory LIKE ${like}`,
      `SELECT 1 FROM file WHERE path LIKE ${like} AND type != 'directory'`,
    ];
  });
}

/** Every Windows query whose rows mean "a banned product is installed". */
export function windowsBannedQueries(view: CatalogView): string[] {
  const q = (table: string, cond: string): string[] =>
    cond === 'FALSE' ? [] : [`SELECT 1 FROM ${table} WHERE ${cond}`];
  return [
    ...q('programs', programsCondition(view)),
    ...q('services', servicesCondition(view)),
    ...q('services', driversCondition(view)),
    ...q('windows_security_products', securityCenterCondition(view)),
    ...programFolderQueries(view),
  ];
}
