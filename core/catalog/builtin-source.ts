/**
 * The built-in catalog's source files, assembled as one catalog document for validation.
 *
 * Kept apart from load.ts so that the CLI bundle, which embeds the catalog already validated by
 * its build, does not carry these files a second time.
 */
import meta from '../../catalog/meta.json';
import references from '../../catalog/references.json';
import vendors from '../../catalog/vendors.json';
import directives from '../../catalog/directives.json';
import products from '../../catalog/products.json';

/** The catalog document made of catalog/*.json (meta.json's release sequence left out). */
export function builtInCatalogInput(): unknown {
  const { sequence: _sequence, ...catalogMeta } = meta;
  return { ...catalogMeta, references, vendors, directives, products };
}

/**
 * The built-in catalog's place on the publisher channel: meta.json's `sequence`, set by whoever
 * publishes the catalog (scripts/catalog-publish.mjs signs releases with the same number).
 */
export function builtInSequence(): number {
  const n = (meta as { sequence?: unknown }).sequence;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1)
    throw new Error('catalog/meta.json: field "sequence" must be a whole number of at least 1');
  return n;
}
