/**
 * Agency overlays: entries an agency adds on top of the publisher's catalog (local bans, its own
 * directives and sources) and documented, time-limited exceptions. An overlay can never weaken a
 * publisher entry: its ids all start with `agency-<slug>-`, it cannot name a publisher id, its
 * products are bans (never `review`, never the fallback), and after the merge every publisher entry
 * is byte-identical (RFC 8785 canonical JSON) to what the publisher signed. Overlay entries come
 * after the publisher's, so the matcher (first match wins) still prefers the publisher's products.
 */
import canonicalize from 'canonicalize';
import type { Catalog } from '../../model/catalog';
import { CatalogOverlay, type CatalogException } from '../../model/catalog-release';
import { describeIssue } from '../../validation';
import { CatalogError, validateCatalog } from '../load';
import { refuse } from './refusal';

const SECTIONS = ['references', 'vendors', 'directives', 'products'] as const;
type Section = (typeof SECTIONS)[number];
const NOUN: Record<Section | 'exceptions', string> = {
  references: 'reference',
  vendors: 'vendor',
  directives: 'directive',
  products: 'product',
  exceptions: 'exception',
};

/** The prefix every id of agency `slug`'s overlay starts with. */
export function overlayPrefix(slug: string): string {
  return `agency-${slug}-`;
}

/** Parses an overlay against its schema (what it may do is checked by {@link mergeOverlay}). */
export function parseOverlay(input: unknown, origin: string): CatalogOverlay {
  const parsed = CatalogOverlay.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => describeIssue(i));
    refuse('invalid', `${origin}: the overlay is not valid:\n  ${problems.join('\n  ')}`, problems);
  }
  return parsed.data;
}

/** Ids without the agency's prefix, and products that are not plain bans. */
function shapeProblems(overlay: CatalogOverlay, slug: string): string[] {
  const prefix = overlayPrefix(slug);
  const problems: string[] = [];
  for (const section of [...SECTIONS, 'exceptions'] as const)
    for (const entry of overlay[section])
      if (!entry.id.startsWith(prefix))
        problems.push(`${NOUN[section]} "${entry.id}": an agency "${slug}" id must start with "${prefix}"`);
  for (const p of overlay.products) {
    if (p.status !== 'banned')
      problems.push(
        `product "${p.id}": an overlay adds bans only (status must be "banned", not "${p.status}")`,
      );
    if (p.fallback) problems.push(`product "${p.id}": an overlay product cannot be the fallback`);
  }
  return problems;
}

/** What merging an overlay would do to an existing publisher entry, in words. */
function collision(section: Section, theirs: { id: string }, ours: { id: string } | undefined): string {
  const noun = NOUN[section];
  if (!ours) return '';
  if (canonicalize(theirs) === canonicalize(ours))
    return `${noun} "${theirs.id}" restates the publisher's ${noun} of that id (an overlay cannot name publisher entries)`;
  const a = ours as { status?: string };
  const b = theirs as { status?: string };
  if (section === 'products' && a.status !== b.status)
    return `${noun} "${theirs.id}" would change the publisher's ${noun} status from ${a.status} to ${b.status}`;
  return `${noun} "${theirs.id}" collides with the publisher's ${noun} of that id (it would change it)`;
}

/**
 * The publisher entries that are not byte-identical in `merged`, or missing from it, in words.
 * Empty when the merge kept every publisher entry exactly as signed.
 */
export function publisherEntriesChanged(publisher: Catalog, merged: Catalog): string[] {
  const problems: string[] = [];
  for (const section of SECTIONS) {
    const after = new Map<string, unknown>(merged[section].map((e) => [e.id, e]));
    for (const entry of publisher[section]) {
      const now = after.get(entry.id) as { status?: string } | undefined;
      const noun = NOUN[section];
      if (!now) problems.push(`the publisher's ${noun} "${entry.id}" would be removed`);
      else if (canonicalize(now) !== canonicalize(entry)) {
        const was = (entry as { status?: string }).status;
        problems.push(
          section === 'products' && was !== now.status
            ? `the publisher's ${noun} "${entry.id}" would change status from ${was} to ${now.status}`
            : `the publisher's ${noun} "${entry.id}" would be changed`,
        );
      }
    }
  }
  return problems;
}

/** Exceptions that name directives or products the merged catalog does not have, or bad dates. */
function exceptionProblems(exceptions: readonly CatalogException[], merged: Catalog): string[] {
  const directives = new Set(merged.directives.map((d) => d.id));
  const products = new Map(merged.products.map((p) => [p.id, p]));
  const problems: string[] = [];
  for (const x of exceptions) {
    if (!directives.has(x.directive))
      problems.push(`exception "${x.id}": unknown directive "${x.directive}"`);
    for (const id of x.products) {
      const p = products.get(id);
      if (!p) problems.push(`exception "${x.id}": unknown product "${id}"`);
      else if (!p.directives.includes(x.directive))
        problems.push(`exception "${x.id}": product "${id}" is not covered by directive "${x.directive}"`);
    }
    if (Date.parse(x.expires) <= Date.parse(x.approvedAt))
      problems.push(
        `exception "${x.id}": it expires (${x.expires}) before it was approved (${x.approvedAt})`,
      );
  }
  return problems;
}

/** The publisher's catalog with an overlay merged in; refuses anything that would weaken it. */
export function mergeOverlay(
  publisher: Catalog,
  overlay: CatalogOverlay,
  slug: string,
  origin: string,
): { catalog: Catalog; sha256: string; exceptions: CatalogException[] } {
  const problems: string[] = [];
  for (const section of SECTIONS) {
    const ours = new Map<string, { id: string }>(publisher[section].map((e) => [e.id, e]));
    for (const theirs of overlay[section]) {
      const said = collision(section, theirs, ours.get(theirs.id));
      if (said) problems.push(said);
    }
  }
  if (!problems.length) problems.push(...shapeProblems(overlay, slug));
  if (problems.length)
    refuse('overlay', `${origin}: the overlay is refused:\n  ${problems.join('\n  ')}`, problems);
  const input = {
    ...publisher,
    references: [...publisher.references, ...overlay.references],
    vendors: [...publisher.vendors, ...overlay.vendors],
    directives: [...publisher.directives, ...overlay.directives],
    products: [...publisher.products, ...overlay.products],
  };
  let merged: { catalog: Catalog; sha256: string };
  try {
    merged = validateCatalog(input, `merged with ${origin}`, () => `${origin} (merged catalog)`);
  } catch (e) {
    if (!(e instanceof CatalogError)) throw e;
    refuse(
      'overlay',
      `${origin}: the overlay does not fit the publisher's catalog:\n  ${e.problems.join('\n  ')}`,
      e.problems,
    );
  }
  const changed = [
    ...publisherEntriesChanged(publisher, merged.catalog),
    ...exceptionProblems(overlay.exceptions, merged.catalog),
  ];
  if (changed.length)
    refuse('overlay', `${origin}: the overlay is refused:\n  ${changed.join('\n  ')}`, changed);
  return { ...merged, exceptions: overlay.exceptions };
}
