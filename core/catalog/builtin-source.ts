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

/** The catalog document made of catalog/*.json. */
export function builtInCatalogInput(): unknown {
  return { ...meta, references, vendors, directives, products };
}
