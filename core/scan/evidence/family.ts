/**
 * Windows services and drivers recognised by family rather than by a fixed list: a name of one of
 * the vendor's families (`^kl`) is the vendor's only when the machine confirms it, by the image
 * under one of the vendor's folders, by a display name that is (or starts with) the vendor's name,
 * or by the vendor's own registry key being present. A `klayout` driver of someone else, with its
 * image elsewhere and no vendor key on the machine, is left alone.
 */
import type { ServiceEntry } from '../../host/inventory';
import {
  type CompiledProduct,
  type CompiledVendor,
  fallbackMatch,
  firstMatch,
  inVendorFolder,
  matchesAny,
  normalizeVendorName,
  pathPatternNames,
} from '../compile';
import type { ClassifyContext } from './spec';

/** Whether a display name names the vendor (its name as a whole word run, after normalization). */
function namesVendor(v: CompiledVendor, displayName: string | undefined): boolean {
  if (!displayName) return false;
  const n = ` ${normalizeVendorName(displayName)} `;
  return [...v.names].some((name) => n.includes(` ${name} `));
}

/** The vendor's fallback for a family name, when the machine confirms the item is the vendor's. */
export function familyMatch(
  item: ServiceEntry,
  ctx: ClassifyContext,
  list: 'driverFamilies' | 'serviceFamilies',
): CompiledProduct | undefined {
  const fb = fallbackMatch(ctx.m, (p) => matchesAny(p.win[list], item.name));
  if (!fb) return undefined;
  const v = ctx.m.vendors.find((x) => x.vendor.id === fb.product.vendor);
  if (!v) return undefined;
  const confirmed =
    inVendorFolder(v, item.imagePath) ||
    namesVendor(v, item.displayName) ||
    ctx.vendorKeysSeen.has(v.vendor.id);
  return confirmed ? fb : undefined;
}

/** The folders an image path lies in, innermost first (`"C:\a b\c.exe" -k x` -> `C:\a b`, `C:`). */
function foldersOf(imagePath: string): string[] {
  const exe = /^"([^"]+)"/.exec(imagePath)?.[1] ?? imagePath.split(/\s+-/)[0] ?? imagePath;
  const parts = exe.split('\\');
  const out: string[] = [];
  for (let i = parts.length - 1; i > 1; i--) out.push(parts.slice(0, i).join('\\'));
  return out;
}

/** The named product whose program folder holds a service's image (`...\Kaspersky Security Center\klserver.exe`). */
export function imageFolderMatch(item: ServiceEntry, ctx: ClassifyContext): CompiledProduct | undefined {
  if (!item.imagePath) return undefined;
  const folders = foldersOf(item.imagePath);
  return firstMatch(ctx.m, (p) => p.win.paths.some((pat) => folders.some((f) => pathPatternNames(pat, f))));
}
