/**
 * Turns what the probes saw into findings: one per installed product, with every piece of evidence.
 *
 * Three steps, one module each:
 * - `compile.ts`: the catalog's signatures compiled once (a `Matcher`);
 * - `classify.ts`: each inventory item and catalog path hit claimed by the product it belongs to,
 *   by its evidence kind's rule (`evidence/`: one file per kind, with its words and flags);
 * - `group.ts`: claims grouped into findings; vendor-wide traces join the main product found.
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
import type { InventoryItem } from '../host/inventory';
import type { PathHit } from '../host/paths';
import type { HostOs } from '../model/host';
import type { Finding } from '../model/scan';
import { claimsOf } from './classify';
import type { Matcher } from './compile';
import { groupClaims } from './group';

export { catalogPaths, compileCatalog, packageInterest, type Matcher } from './compile';

/** Matches an inventory (and the catalog paths found) against the catalog. */
export function matchInventory(
  m: Matcher,
  os: HostOs,
  items: readonly InventoryItem[],
  pathHits: readonly PathHit[],
  programFolders: ReadonlySet<string> = new Set(),
): Finding[] {
  const vendorNames = new Map(m.vendors.map((v) => [v.vendor.id, v.vendor.name]));
  return groupClaims(claimsOf(m, os, items, pathHits, programFolders), vendorNames);
}
