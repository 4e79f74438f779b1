/**
 * Catalog files as editors really save them: a byte-order mark is accepted, bytes that are not
 * UTF-8 and strings with a lone UTF-16 surrogate are refused with a sentence naming the problem
 * (before: "Unexpected token" and, at scan time, "Lone surrogate is not allowed").
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CatalogError, loadBuiltInCatalog, loadCatalogFile } from '../../core/catalog/load';
import meta from '../../catalog/meta.json';
import references from '../../catalog/references.json';
import vendors from '../../catalog/vendors.json';
import directives from '../../catalog/directives.json';
import products from '../../catalog/products.json';

const dir = mkdtempSync(path.join(os.tmpdir(), 'divest-catalog-enc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const { sequence: _sequence, ...catalogMeta } = meta;
const text = JSON.stringify({ ...catalogMeta, references, vendors, directives, products });

function write(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}
function errorOf(file: string): CatalogError {
  try {
    loadCatalogFile(file);
  } catch (e) {
    expect(e).toBeInstanceOf(CatalogError);
    return e as CatalogError;
  }
  throw new Error(`${file} was accepted`);
}

describe('catalog files: encodings', () => {
  it('accepts a UTF-8 byte-order mark, with the same digest as without', () => {
    const loaded = loadCatalogFile(write('bom.json', `\ufeff${text}`));
    expect(loaded.sha256).toBe(loadBuiltInCatalog().sha256);
  });

  it('refuses bytes that are not UTF-8, saying so', () => {
    const err = errorOf(
      write('latin1.json', Buffer.from(text.replace('Kaspersky Free', 'Kaspersky Fr\u00e9e'), 'latin1')),
    );
    expect(err.message).toMatch(/is not UTF-8 text/);
    expect(err.message).not.toMatch(/Unexpected token/);
  });

  it('names the entry and field of a lone surrogate', () => {
    const lone = text.replace('"Kaspersky Total Security"', '"Kaspersky Total \\ud800Security"');
    expect(lone).not.toBe(text);
    const err = errorOf(write('lone.json', lone));
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatch(
      /product "kaspersky-total-security" \(entry \d+\): field "name": holds a lone UTF-16 surrogate/,
    );
    expect(err.message).not.toMatch(/Lone surrogate is not allowed/);
  });

  it('accepts a proper surrogate pair (an emoji) and reports a lone low surrogate too', () => {
    const pair = text.replace('"Kaspersky Total Security"', '"Kaspersky Total Security \\ud83d\\ude00"');
    expect(() => loadCatalogFile(write('pair.json', pair))).not.toThrow();
    const low = text.replace('"Kaspersky Total Security"', '"Kaspersky \\udc00 Total Security"');
    expect(errorOf(write('low.json', low)).problems[0]).toMatch(/\\uDC00/);
  });
});
