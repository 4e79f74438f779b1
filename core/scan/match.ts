/**
 * Turns what the probes saw into findings: one per installed product, with every piece of evidence.
 *
 * Rules (each one guards against a way a scanner fails its users):
 * - A Windows Uninstall entry is the vendor's only when its Publisher is one of the vendor's
 *   publisher names (whole-string match), or when it has no Publisher and its DisplayName is a
 *   catalog product name. "Kaspersky Fan Club Toolkit" by someone else is left alone.
 * - Localized or unknown names of the vendor's products are still caught: by publisher, then
 *   classified through the vendor key whose ProductCode matches, or the install folder; what stays
 *   unrecognised goes to the catalog's fallback product (banned), never dropped.
 * - Packages match by exact name, or by a maintainer/vendor that is the vendor's: a package merely
 *   starting with `kl` or `kas` is not evidence of anything.
 * - Supporting traces (services, drivers, folders, vendor keys) attach to the product whose
 *   signatures they match; vendor-wide traces (shared drivers and folders) attach to the main
 *   product found, or form a fallback finding when no product is found.
 */
import { createHash } from 'node:crypto';
import type { Catalog, Product, Vendor } from '../model/catalog';
import type { InventoryItem, PackageEntry, ServiceEntry, UninstallEntry } from '../host/inventory';
import type { HostOs } from '../model/host';
import type { PathHit } from '../host/paths';
import type { Evidence, EvidenceKind, Finding } from '../model/scan';

type Compiled = RegExp[];

interface CompiledProduct {
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

interface CompiledVendor {
  vendor: Vendor;
  publishers: Compiled;
  maintainers: Compiled;
}

const re = (list: readonly { re: string }[] | undefined): Compiled =>
  (list ?? []).map((p) => new RegExp(p.re, 'iu'));
const any = (list: Compiled, s: string | undefined): boolean =>
  s !== undefined && list.some((r) => r.test(s));

/** A catalog prepared for matching (regular expressions compiled once). */
export interface Matcher {
  products: CompiledProduct[];
  vendors: CompiledVendor[];
  byId: Map<string, CompiledProduct>;
  fallbackFor: (vendorId: string) => CompiledProduct | undefined;
}

/** Compiles the catalog's signatures. */
export function compileCatalog(catalog: Catalog): Matcher {
  const products: CompiledProduct[] = catalog.products.map((p) => ({
    product: p,
    win: {
      displayNames: re(p.signatures.windows?.displayNames),
      vendorKeys: re(p.signatures.windows?.vendorKeys),
      vendorProductNames: re(p.signatures.windows?.vendorProductNames),
      services: re(p.signatures.windows?.services),
      drivers: re(p.signatures.windows?.drivers),
      securityCenter: re(p.signatures.windows?.securityCenter),
      paths: (p.signatures.windows?.paths ?? []).map((x) => x.path),
    },
    linux: {
      packages: new Set((p.signatures.linux?.packages ?? []).map((x) => x.name)),
      units: re(p.signatures.linux?.units),
      processes: re(p.signatures.linux?.processes),
      paths: (p.signatures.linux?.paths ?? []).map((x) => x.path),
    },
    mac: {
      bundleIds: re(p.signatures.macos?.bundleIds),
      appNames: re(p.signatures.macos?.appNames),
      receipts: re(p.signatures.macos?.receipts),
      launchd: re(p.signatures.macos?.launchd),
      systemExtensions: re(p.signatures.macos?.systemExtensions),
      processes: re(p.signatures.macos?.processes),
      paths: (p.signatures.macos?.paths ?? []).map((x) => x.path),
    },
  }));
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

/** Every catalog path pattern for an OS, for the path checker. */
export function catalogPaths(m: Matcher, os: HostOs): string[] {
  const key = os === 'windows' ? 'win' : os === 'macos' ? 'mac' : 'linux';
  return [...new Set(m.products.flatMap((p) => p[key].paths))];
}

/** Which packages deserve their file lists read: catalog names and the vendors' maintainers. */
export function packageInterest(m: Matcher): (name: string, maintainer: string | undefined) => boolean {
  const names = new Set(m.products.flatMap((p) => [...p.linux.packages]));
  return (name, maintainer) => names.has(name) || m.vendors.some((v) => any(v.maintainers, maintainer));
}

const GUID = /^\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}$/;

/** Kinds of evidence that mean the product is installed or running, not merely left behind. */
const LIVE_KINDS = new Set<EvidenceKind>([
  'registry-uninstall',
  'service',
  'driver',
  'app-bundle',
  'system-extension',
  'process',
  'security-center',
  'launchd',
]);

/**
 * Whether this evidence shows an installed product. A registered Windows service does; a systemd
 * unit file or a launchd plist left behind after the program is gone is a trace (the program
 * itself, its package or its process, is what shows it installed).
 */
function showsInstalled(e: Evidence): boolean {
  if (e.kind === 'launchd') return false;
  if (e.kind === 'service') return e.location.startsWith('HKLM\\');
  return LIVE_KINDS.has(e.kind);
}

/** Kinds that make a product instance in their own right (something to uninstall). */
const ANCHOR_KINDS = new Set<EvidenceKind>(['registry-uninstall', 'package', 'app-bundle', 'pkg-receipt']);

/**
 * Unrecognised vendor evidence that stands on its own as an unidentified product. A receipt does
 * not: it records that some package was installed, and joins the main product found.
 */
const FALLBACK_ANCHOR_KINDS = new Set<EvidenceKind>(['registry-uninstall', 'package', 'app-bundle']);

interface Claim {
  product: CompiledProduct;
  evidence: Evidence;
  item?: InventoryItem;
  /** Vendor-wide trace (fallback product) that may join the main finding. */
  shared: boolean;
}

function q(s: string | undefined): string {
  return s === undefined ? '(none)' : `"${s}"`;
}

function describe(item: InventoryItem): { kind: EvidenceKind; detail: string } {
  switch (item.kind) {
    case 'registry-uninstall':
      return {
        kind: 'registry-uninstall',
        detail: `Uninstall entry: DisplayName ${q(item.displayName)}, Publisher ${q(item.publisher)}, DisplayVersion ${q(item.displayVersion)}${item.windowsInstaller ? ', Windows Installer package' : ''}${item.systemComponent ? ', hidden system component' : ''}`,
      };
    case 'vendor-key': {
      const pn = item.values.ProductName;
      const pv = item.values.ProductVersion;
      return {
        kind: 'vendor-key',
        detail: item.keyName
          ? `Vendor registry key ${item.keyName}${pn ? `: ProductName "${pn}"` : ''}${pv ? `, ProductVersion "${pv}"` : ''}`
          : 'Vendor registry key present',
      };
    }
    case 'service': {
      if (!('displayName' in item) && !('imagePath' in item))
        return { kind: 'service', detail: `Service unit ${item.name}` };
      const svc = item as ServiceEntry;
      return {
        kind: 'service',
        detail: `Service ${svc.name}${svc.displayName ? ` ("${svc.displayName}")` : ''}${svc.imagePath ? `, runs ${svc.imagePath}` : ''}`,
      };
    }
    case 'driver':
      return {
        kind: 'driver',
        detail: `Kernel driver ${item.name}${item.imagePath ? ` (${item.imagePath})` : ''}${item.start !== undefined ? `, start type ${item.start}` : ''}`,
      };
    case 'package':
      return {
        kind: 'package',
        detail: `${item.manager} package ${item.name} ${item.version} (${item.status})${item.maintainer ? `, maintainer ${q(item.maintainer)}` : ''}`,
      };
    case 'file':
      return {
        kind: 'file',
        detail: item.isDirectory ? (item.empty ? 'Folder exists (empty)' : 'Folder exists') : 'File exists',
      };
    case 'process':
      return { kind: 'process', detail: `Running process ${item.name} (pid ${item.pid})` };
    case 'app-bundle':
      return {
        kind: 'app-bundle',
        detail: `Application bundle ${q(item.name)}, bundle id ${q(item.bundleId)}, version ${q(item.version)}`,
      };
    case 'pkg-receipt':
      return {
        kind: 'pkg-receipt',
        detail: `Installer receipt ${item.packageId}${item.version ? ` ${item.version}` : ''}`,
      };
    case 'launchd':
      return {
        kind: 'launchd',
        detail: `launchd job ${q(item.label)}${item.program ? `, runs ${item.program}` : ''}`,
      };
    case 'system-extension':
      return {
        kind: 'system-extension',
        detail: `System extension ${q(item.bundleId)}, team ${q(item.teamId)}${item.state ? `, state ${item.state}` : ''}`,
      };
    case 'security-center':
      return {
        kind: 'security-center',
        detail: `Registered with Windows Security Center as "${item.displayName}"`,
      };
  }
}

function evidenceOf(item: InventoryItem): Evidence {
  const d = describe(item);
  return { kind: d.kind, location: item.location, detail: d.detail };
}

/** The vendor an Uninstall entry belongs to, if any. */
function uninstallVendor(m: Matcher, e: UninstallEntry): CompiledVendor | undefined {
  if (e.publisher) return m.vendors.find((v) => any(v.publishers, e.publisher));
  if (!e.displayName) return undefined;
  const p = m.products.find((cp) => any(cp.win.displayNames, e.displayName));
  return p ? m.vendors.find((v) => v.vendor.id === p.product.vendor) : undefined;
}

function productsOf(m: Matcher, vendorId: string): CompiledProduct[] {
  return m.products.filter((p) => p.product.vendor === vendorId && !p.product.fallback);
}

function firstMatch(
  m: Matcher,
  test: (p: CompiledProduct) => boolean,
  vendorId?: string,
): CompiledProduct | undefined {
  return (vendorId ? productsOf(m, vendorId) : m.products.filter((p) => !p.product.fallback)).find(test);
}

function hasPrefix(m: Matcher, id: string | undefined): CompiledVendor | undefined {
  if (!id) return undefined;
  const lower = id.toLowerCase();
  return m.vendors.find((v) => v.vendor.bundleIdPrefixes.some((pre) => lower.startsWith(pre.toLowerCase())));
}

/**
 * What a removal plan needs of a package: its name and state, whether the base system needs it, and,
 * for one the catalog does not name, the add-on folders' paths it owns (what shows whose it is).
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

/** Short stable id: product and the place it was first seen. */
function findingId(productId: string, location: string): string {
  return `${productId}:${createHash('sha256').update(`${productId}|${location}`).digest('hex').slice(0, 12)}`;
}

/** Matches an inventory (and the catalog paths found) against the catalog. */
export function matchInventory(
  m: Matcher,
  os: HostOs,
  items: readonly InventoryItem[],
  pathHits: readonly PathHit[],
): Finding[] {
  const claims: Claim[] = [];
  const claim = (
    product: CompiledProduct | undefined,
    item: InventoryItem | undefined,
    evidence: Evidence,
  ): void => {
    if (!product) return;
    claims.push({
      product,
      evidence,
      item,
      shared: product.product.fallback && !FALLBACK_ANCHOR_KINDS.has(evidence.kind),
    });
  };

  const vendorKeyProduct = new Map<string, CompiledProduct>(); // ProductCode (upper) -> product
  const classifyVendorKey = (
    item: Extract<InventoryItem, { kind: 'vendor-key' }>,
  ): CompiledProduct | undefined => {
    if (!item.keyName) return undefined;
    return (
      firstMatch(m, (p) => any(p.win.vendorProductNames, item.values.ProductName)) ??
      firstMatch(m, (p) => any(p.win.vendorKeys, item.keyName))
    );
  };
  // A consumer service is named after its vendor key (service AVP21.2 <-> KasperskyLab\AVP21.2).
  const vendorKeyByName = new Map<string, CompiledProduct>();
  if (os === 'windows') {
    for (const item of items) {
      if (item.kind !== 'vendor-key') continue;
      const p = classifyVendorKey(item);
      const code = item.values.ProductCode;
      if (p && code) vendorKeyProduct.set(code.toUpperCase(), p);
      if (p && item.keyName) vendorKeyByName.set(item.keyName.toLowerCase(), p);
    }
  }

  for (const item of items) {
    switch (item.kind) {
      case 'registry-uninstall': {
        const v = uninstallVendor(m, item);
        if (!v) break;
        const byName = firstMatch(m, (p) => any(p.win.displayNames, item.displayName), v.vendor.id);
        const byCode = vendorKeyProduct.get(item.keyName.toUpperCase());
        const installLocation = item.installLocation?.toLowerCase();
        const byFolder = installLocation
          ? firstMatch(
              m,
              (p) =>
                p.win.paths.some((pat) => {
                  const tail = pat
                    .replace(/^%[^%]+%/, '')
                    .replace(/\*.*$/, '')
                    .toLowerCase();
                  return tail.length > 14 && installLocation.includes(tail);
                }),
              v.vendor.id,
            )
          : undefined;
        claim(byName ?? byCode ?? byFolder ?? m.fallbackFor(v.vendor.id), item, evidenceOf(item));
        break;
      }
      case 'vendor-key': {
        // Unrecognised subkeys belong to the fallback of the vendor whose registry key this is.
        const vendor = m.vendors.find((v) =>
          v.vendor.registryKeys.some((k) => item.location.toLowerCase().includes(`\\${k.toLowerCase()}`)),
        );
        claim(
          classifyVendorKey(item) ?? (vendor ? m.fallbackFor(vendor.vendor.id) : undefined),
          item,
          evidenceOf(item),
        );
        break;
      }
      case 'driver':
        claim(
          firstMatch(m, (p) => any(p.win.drivers, item.name)) ??
            m.products.find((p) => p.product.fallback && any(p.win.drivers, item.name)),
          item,
          evidenceOf(item),
        );
        break;
      case 'service':
        if (os === 'windows') {
          claim(
            firstMatch(m, (p) => any(p.win.services, item.name)) ??
              vendorKeyByName.get(item.name.toLowerCase()) ??
              m.products.find((p) => p.product.fallback && any(p.win.services, item.name)),
            item,
            evidenceOf(item),
          );
        } else {
          claim(
            firstMatch(m, (p) => any(p.linux.units, item.name)) ??
              m.products.find((p) => p.product.fallback && any(p.linux.units, item.name)),
            item,
            evidenceOf(item),
          );
        }
        break;
      case 'security-center':
        claim(
          firstMatch(m, (p) => any(p.win.securityCenter, item.displayName)) ??
            firstMatch(m, (p) => any(p.win.displayNames, item.displayName)),
          item,
          evidenceOf(item),
        );
        break;
      case 'package': {
        const byName = firstMatch(m, (p) => p.linux.packages.has(item.name));
        const v = m.vendors.find((cv) => any(cv.maintainers, item.maintainer));
        const product = byName ?? (v ? m.fallbackFor(v.vendor.id) : undefined);
        claim(product, item, evidenceOf(item));
        break;
      }
      case 'process': {
        const list = os === 'macos' ? 'mac' : 'linux';
        claim(
          firstMatch(m, (p) => any(p[list].processes, item.name)) ??
            m.products.find((p) => p.product.fallback && any(p[list].processes, item.name)),
          item,
          evidenceOf(item),
        );
        break;
      }
      case 'app-bundle': {
        const folder = item.location
          .split('/')
          .pop()
          ?.replace(/\.app$/i, '');
        const p =
          firstMatch(m, (cp) => any(cp.mac.bundleIds, item.bundleId)) ??
          firstMatch(m, (cp) => any(cp.mac.appNames, folder));
        const v = hasPrefix(m, item.bundleId);
        claim(p ?? (v ? m.fallbackFor(v.vendor.id) : undefined), item, evidenceOf(item));
        break;
      }
      case 'pkg-receipt': {
        const p = firstMatch(m, (cp) => any(cp.mac.receipts, item.packageId));
        const v = hasPrefix(m, item.packageId);
        claim(p ?? (v ? m.fallbackFor(v.vendor.id) : undefined), item, evidenceOf(item));
        break;
      }
      case 'launchd': {
        const p = firstMatch(m, (cp) => any(cp.mac.launchd, item.label));
        const v = hasPrefix(m, item.label);
        claim(p ?? (v ? m.fallbackFor(v.vendor.id) : undefined), item, evidenceOf(item));
        break;
      }
      case 'system-extension': {
        const p = firstMatch(m, (cp) => any(cp.mac.systemExtensions, item.bundleId));
        const v =
          hasPrefix(m, item.bundleId) ??
          m.vendors.find((cv) => item.teamId && cv.vendor.teamIds.includes(item.teamId));
        claim(p ?? (v ? m.fallbackFor(v.vendor.id) : undefined), item, evidenceOf(item));
        break;
      }
      case 'file':
        break; // catalog paths arrive as pathHits
    }
  }

  const key = os === 'windows' ? 'win' : os === 'macos' ? 'mac' : 'linux';
  for (const hit of pathHits) {
    // The most specific product whose pattern this is; shared patterns belong to the fallback.
    const owners = m.products.filter((p) => p[key].paths.includes(hit.pattern));
    const owner = owners.find((p) => !p.product.fallback) ?? owners[0];
    claim(owner, { ...hit.entry }, evidenceOf(hit.entry));
  }

  return group(claims, new Map(m.vendors.map((v) => [v.vendor.id, v.vendor.name])));
}

function group(claims: Claim[], vendorNames: ReadonlyMap<string, string>): Finding[] {
  interface Group {
    product: Product;
    claims: Claim[];
  }
  const byProduct = new Map<string, Group>();
  for (const c of claims) {
    const g = byProduct.get(c.product.product.id) ?? { product: c.product.product, claims: [] };
    g.claims.push(c);
    byProduct.set(g.product.id, g);
  }

  // Main product per vendor: the banned one removed first (lowest removal order).
  const mainFor = new Map<string, Group>();
  for (const g of byProduct.values()) {
    if (g.product.fallback || g.product.status !== 'banned') continue;
    const current = mainFor.get(g.product.vendor);
    const order = (x: Group): number => x.product.removal?.order ?? 500;
    if (!current || order(g) < order(current)) mainFor.set(g.product.vendor, g);
  }

  // Vendor-wide traces join the main product when there is one.
  for (const g of [...byProduct.values()]) {
    if (!g.product.fallback) continue;
    const main = mainFor.get(g.product.vendor);
    if (!main) continue;
    // A main product that is itself there (uninstall entry, package, bundle) takes all vendor-wide
    // traces. One that only left traces takes the inert ones (folders, keys), but a driver still
    // registered after its product was removed is a finding of its own, not that product revived.
    const mainInstalled = main.claims.some((c) => FALLBACK_ANCHOR_KINDS.has(c.evidence.kind));
    const joins = (c: Claim): boolean => c.shared && (mainInstalled || !showsInstalled(c.evidence));
    main.claims.push(...g.claims.filter(joins));
    g.claims = g.claims.filter((c) => !joins(c));
    if (g.claims.length === 0) byProduct.delete(g.product.id);
  }

  const findings: Finding[] = [];
  for (const { product: p, claims: list } of byProduct.values()) {
    const seen = new Set<string>();
    const evidence: Evidence[] = [];
    // Anchors first, then live signals, then traces; stable within each rank.
    const rank = (k: EvidenceKind): number => (ANCHOR_KINDS.has(k) ? 0 : LIVE_KINDS.has(k) ? 1 : 2);
    const sorted = [...list].sort((a, b) => rank(a.evidence.kind) - rank(b.evidence.kind));
    for (const c of sorted) {
      const k = `${c.evidence.kind}\0${c.evidence.location}`;
      if (seen.has(k)) continue;
      seen.add(k);
      evidence.push(c.evidence);
    }

    const items = sorted.map((c) => c.item).filter((i): i is InventoryItem => i !== undefined);
    const uninstall = items.filter((i): i is UninstallEntry => i.kind === 'registry-uninstall');
    const visibleUninstall = uninstall.find((u) => !u.systemComponent) ?? uninstall[0];
    const packages = items.filter((i): i is PackageEntry => i.kind === 'package');
    const catalogOrder = [...(p.signatures.linux?.packages ?? []).map((x) => x.name)];
    packages.sort((a, b) => {
      const ia = catalogOrder.indexOf(a.name);
      const ib = catalogOrder.indexOf(b.name);
      return (ia < 0 ? 999 : ia) - (ib < 0 ? 999 : ib);
    });
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

    const live = evidence.some(
      (e) =>
        showsInstalled(e) ||
        (e.kind === 'package' && packages.some((x) => x.installed && x.location === e.location)),
    );
    // The product's own program folder with something in it also counts as installed (a manual
    // install without a package). Shared vendor folders and empty folders do not: package managers
    // leave empty parents behind, and /opt/kaspersky belongs to no single product.
    const hasProgramFolder = list.some(
      (c) =>
        !c.shared &&
        c.item?.kind === 'file' &&
        !(c.item.isDirectory && c.item.empty) &&
        /^\/opt\/|^\/Applications\/|\\Program Files/i.test(c.item.location),
    );

    const primary =
      (visibleUninstall ?? installedPkg ?? bundle ?? items[0])?.location ?? evidence[0]?.location ?? p.id;
    findings.push({
      id: findingId(p.id, primary),
      productId: p.id,
      vendor: vendorNames.get(p.vendor) ?? p.vendor,
      name,
      ...(version ? { version } : {}),
      status: p.status,
      directives: [...p.directives],
      presence: live || hasProgramFolder ? 'installed' : 'traces',
      evidence,
      removalHints: {
        msiProductCodes: [
          ...new Set(
            uninstall
              .filter(
                (u) =>
                  GUID.test(u.keyName) && (u.windowsInstaller || /msiexec/i.test(u.uninstallString ?? '')),
              )
              .map((u) => u.keyName.toUpperCase()),
          ),
        ],
        packages: packages.map((x) => packageHint(x, catalogOrder.includes(x.name))),
        uninstallEntries: uninstall.map((u) => ({
          location: u.location,
          ...(u.uninstallString ? { uninstallString: u.uninstallString } : {}),
          ...(u.quietUninstallString ? { quietUninstallString: u.quietUninstallString } : {}),
          ...(u.installLocation ? { installLocation: u.installLocation } : {}),
          windowsInstaller: u.windowsInstaller ?? false,
        })),
        paths: evidence.filter((e) => e.kind === 'file').map((e) => e.location),
      },
    });
  }
  // Banned first, then by name, for stable output.
  return findings.sort((a, b) =>
    a.status === b.status ? a.name.localeCompare(b.name) : a.status === 'banned' ? -1 : 1,
  );
}
