/**
 * Directives beyond the United States: every directive has a jurisdiction and a force, coverage is
 * computed from the vendors a directive names (several vendors under one directive), a catalog of
 * the older shape (no region, force or covers) still validates, and the jurisdiction setting splits
 * a finding's directives into those that apply here and those of other jurisdictions.
 */
import { describe, it, expect } from 'vitest';
import { loadBuiltInCatalog, validateCatalog, CatalogError } from '../../core/catalog/load';
import { builtInCatalogInput } from '../../core/catalog/builtin-source';
import {
  appliesHere,
  catalogJurisdictions,
  coverageHere,
  parseJurisdictions,
} from '../../core/catalog/jurisdiction';
import {
  coveringDirectives,
  directiveForce,
  unresolvedCoverage,
  type CatalogInput,
} from '../../core/model/catalog';
import products from '../../catalog/products.json';
import directives from '../../catalog/directives.json';

const catalog = loadBuiltInCatalog().catalog;
const directive = (id: string) => {
  const d = catalog.directives.find((x) => x.id === id);
  if (!d) throw new Error(`no directive ${id}`);
  return d;
};
const product = (id: string) => {
  const p = catalog.products.find((x) => x.id === id);
  if (!p) throw new Error(`no product ${id}`);
  return p;
};
const input = (): CatalogInput => structuredClone(builtInCatalogInput()) as CatalogInput;
function problemsOf(doc: unknown): string[] {
  try {
    validateCatalog(doc, 'test', () => 'test.json');
  } catch (e) {
    if (e instanceof CatalogError) return e.problems;
    throw e;
  }
  return [];
}

const KASPERSKY = catalog.products.filter((p) => p.vendor === 'kaspersky').map((p) => p.id);

describe('the directives beyond the United States', () => {
  it('gives every directive a jurisdiction code and name, and says whether it binds', () => {
    for (const d of catalog.directives) {
      expect(d.region, d.id).toBeDefined();
      expect(d.force, d.id).toBeDefined();
    }
    expect(catalogJurisdictions(catalog).map((r) => r.code)).toEqual([
      'AU',
      'CA',
      'DE',
      'GB',
      'IT',
      'LT',
      'NL',
      'US',
      'US-NH',
      'US-VT',
    ]);
    expect(directive('au-pspf-direction-002-2025').deadlines.map((d) => d.date)).toContain('2025-04-01');
    expect(directiveForce(directive('de-bsi-warning-2022'))).toBe('guidance');
    expect(directiveForce(directive('gb-ncsc-russia-av-2017'))).toBe('guidance');
    for (const id of ['au-pspf-direction-002-2025', 'it-dl-21-2022-art-29', 'lt-government-kaspersky-2017'])
      expect(directiveForce(directive(id)), id).toBe('binding');
  });

  it('puts several vendors under one directive: Italy names Kaspersky, Group-IB and Positive Technologies', () => {
    const it29 = directive('it-dl-21-2022-art-29');
    expect(it29.covers.map((c) => c.name)).toEqual([
      'Kaspersky Lab',
      'Group-IB',
      'Positive Technologies (Security Gen)',
    ]);
    // Group-IB and Positive Technologies have no fingerprints: named, not detected, and said so.
    for (const c of it29.covers.slice(1)) {
      expect(c.vendor, c.name).toBeUndefined();
      expect(c.text).toMatch(/cannot detect/);
    }
    expect(catalog.vendors.map((v) => v.id)).not.toContain('group-ib');
  });

  it('computes coverage from the directive side, without touching the products file', () => {
    // Australia covers every Kaspersky product, the fallback included.
    for (const id of KASPERSKY) expect(product(id).directives, id).toContain('au-pspf-direction-002-2025');
    // The Netherlands: anti-virus only, not the VPN, the password manager or an unidentified component.
    expect(product('kaspersky-anti-virus').directives).toContain('nl-kaspersky-phase-out-2018');
    expect(product('kaspersky-endpoint-security-linux').directives).toContain('nl-kaspersky-phase-out-2018');
    for (const id of [
      'kaspersky-vpn-secure-connection',
      'kaspersky-password-manager',
      'kaspersky-unidentified',
    ])
      expect(product(id).directives, id).not.toContain('nl-kaspersky-phase-out-2018');
    // Canada: mobile apps, so no catalog product.
    for (const p of catalog.products) expect(p.directives, p.id).not.toContain('ca-tbs-mobile-2023');
    // The successors stay out of every ban.
    expect(product('ultraav').directives).toEqual([]);
    expect(product('ultravpn').directives).toEqual([]);
    // The product's own list comes first, unchanged, and the file still says only that.
    const raw = products.find((p) => p.id === 'kaspersky-safe-kids');
    expect(raw?.directives).toEqual(['ndaa-fy2018-1634']);
    expect(product('kaspersky-safe-kids').directives[0]).toBe('ndaa-fy2018-1634');
    expect(product('kaspersky-safe-kids').directives).not.toContain('bod-17-01');
  });

  it('is the same coverage whichever way it is asked (the schema, or coveringDirectives on the input)', () => {
    const raw = products.map((p) => ({ id: p.id, vendor: p.vendor, directives: p.directives }));
    const map = coveringDirectives({ directives: catalog.directives, products: raw });
    for (const p of catalog.products) expect(map.get(p.id), p.id).toEqual(p.directives);
    // Parsing the output again changes nothing (merged overlays are validated a second time).
    const again = validateCatalog(catalog, 'again', () => 'x').catalog;
    expect(again.products.map((p) => p.directives)).toEqual(catalog.products.map((p) => p.directives));
  });
});

describe('catalog validation of the new fields', () => {
  it('still accepts a catalog of the older shape: no region, no force, no covers', () => {
    const doc = input() as { directives: Record<string, unknown>[] };
    doc.directives = doc.directives
      .filter((d) =>
        ['bod-17-01', 'ndaa-fy2018-1634', 'fcc-covered-list-2022', 'bis-final-determination-2024'].includes(
          String(d.id),
        ),
      )
      .map(({ region: _r, force: _f, covers: _c, ...rest }) => rest);
    const refsUsed = JSON.stringify(doc.directives);
    expect(refsUsed).not.toContain('"region"');
    const { catalog: old } = validateCatalog(doc, 'old', () => 'old.json');
    expect(old.directives.every((d) => d.region === undefined && d.covers.length === 0)).toBe(true);
    expect(directiveForce(old.directives[0]!)).toBe('binding');
    // A directive with no jurisdiction is never filtered out.
    expect(appliesHere(old.directives[0]!, ['AU'])).toBe(true);
  });

  it('resolves every vendor and product the built-in directives cover', () => {
    expect(unresolvedCoverage(catalog)).toEqual([]);
  });

  it('lets a release drop a covered product (a weakening the diff reports), and says what no longer resolves', () => {
    const doc = input() as { products: { id: string }[] };
    doc.products = doc.products.filter((p) => p.id !== 'kaspersky-free');
    const { catalog: dropped } = validateCatalog(doc, 'dropped', () => 'x');
    expect(unresolvedCoverage(dropped)).toEqual([
      'directive "it-dl-21-2022-art-29" covers unknown product "kaspersky-free"',
      'directive "de-bsi-warning-2022" covers unknown product "kaspersky-free"',
      'directive "nl-kaspersky-phase-out-2018" covers unknown product "kaspersky-free"',
    ]);
  });

  it('refuses a product of another vendor and products without a vendor; unknown names reach nothing', () => {
    const doc = input() as { directives: { id: string; covers?: unknown[] }[] };
    const nl = doc.directives.find((d) => d.id === 'nl-kaspersky-phase-out-2018')!;
    nl.covers = [
      { name: 'Nobody', vendor: 'nobody', text: 'x', refs: ['nl-techzine-2018'] },
      {
        name: 'Kaspersky',
        vendor: 'kaspersky',
        products: ['ultraav', 'no-such-product'],
        text: 'x',
        refs: ['nl-techzine-2018'],
      },
      { name: 'Loose', products: ['kaspersky-free'], text: 'x', refs: ['nl-techzine-2018'] },
    ];
    expect(problemsOf(doc)).toEqual([
      expect.stringMatching(
        /directive "nl-kaspersky-phase-out-2018".*covers\[1\]\.products\[0\].*"ultraav" is not a product of vendor "kaspersky"/,
      ),
      expect.stringMatching(/covers\[2\]\.products.*give "vendor"/),
    ]);
    const lenient = input() as { directives: { id: string; covers?: unknown[] }[] };
    lenient.directives[0]!.covers = [
      nl.covers[0],
      { ...(nl.covers[1] as object), products: ['no-such-product'] },
    ];
    const { catalog: parsed } = validateCatalog(lenient, 'lenient', () => 'x');
    expect(unresolvedCoverage(parsed)).toEqual([
      'directive "bod-17-01" covers unknown vendor "nobody"',
      'directive "bod-17-01" covers unknown product "no-such-product"',
    ]);
    // Reaching nothing: no product gains the directive through them.
    const safeKids = parsed.products.find((p) => p.id === 'kaspersky-safe-kids')!;
    expect(safeKids.directives[0]).toBe('ndaa-fy2018-1634');
    expect(safeKids.directives).not.toContain('bod-17-01');
  });

  it('refuses a jurisdiction code that is not ISO 3166, and a covered vendor without a source', () => {
    const doc = input() as { directives: { id: string; region?: unknown; covers?: { refs?: unknown }[] }[] };
    doc.directives.find((d) => d.id === 'de-bsi-warning-2022')!.region = { code: 'Germany', name: 'Germany' };
    doc.directives.find((d) => d.id === 'lt-government-kaspersky-2017')!.covers![0]!.refs = [];
    const problems = problemsOf(doc);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/de-bsi-warning-2022.*region\.code.*ISO 3166/);
    expect(problems[1]).toMatch(/lt-government-kaspersky-2017.*covers\[0\]\.refs.*at least one source/);
  });

  it('lets a banned product rest on directive-side coverage alone, and still refuses one with none', () => {
    const doc = input() as { products: { id: string; directives: string[] }[]; directives: { id: string }[] };
    const free = doc.products.find((p) => p.id === 'kaspersky-free')!;
    free.directives = [];
    expect(problemsOf(doc)).toEqual([]);
    // With no directive reaching it at all, a banned product is an error.
    const safeKids = doc.products.find((p) => p.id === 'kaspersky-safe-kids')!;
    safeKids.directives = [];
    const onlyUs = structuredClone(doc);
    onlyUs.directives = onlyUs.directives.filter(
      (d) => !(directives as { id: string; covers?: unknown[] }[]).find((x) => x.id === d.id)?.covers,
    );
    expect(problemsOf(onlyUs)).toEqual([
      expect.stringMatching(/product "kaspersky-free".*a banned product must name the directives/),
      expect.stringMatching(/product "kaspersky-safe-kids".*a banned product must name the directives/),
    ]);
  });
});

describe('the jurisdiction setting', () => {
  const kesl = product('kaspersky-endpoint-security-linux').directives;

  it('applies everything by default, and splits exactly by code otherwise', () => {
    expect(coverageHere(kesl, catalog, []).elsewhere).toEqual([]);
    const au = coverageHere(kesl, catalog, ['AU']);
    expect(au.applies).toEqual(['au-pspf-direction-002-2025']);
    expect(au.elsewhere).toContain('bod-17-01');
    expect(au.applies.length + au.elsewhere.length).toBe(kesl.length);
    // US is the federal directives only; New Hampshire is its own code.
    const us = coverageHere(kesl, catalog, ['US']);
    expect(us.applies).toEqual([
      'bod-17-01',
      'ndaa-fy2018-1634',
      'fcc-covered-list-2022',
      'bis-final-determination-2024',
    ]);
    expect(us.elsewhere).toContain('us-nh-rsa-21-r-15');
    expect(coverageHere(kesl, catalog, ['US', 'US-NH']).applies).toContain('us-nh-rsa-21-r-15');
  });

  it('shows a product banned only elsewhere as such: nothing applies, nothing is dropped', () => {
    const ca = coverageHere(product('kaspersky-vpn-secure-connection').directives, catalog, ['CA', 'NL']);
    expect(ca.applies).toEqual([]);
    expect(ca.elsewhere.length).toBeGreaterThan(0);
  });

  it('parses the flag: case, spaces, duplicates, "all"; refuses typos with the known codes', () => {
    expect(parseJurisdictions(' us, au ,US', catalog)).toEqual(['US', 'AU']);
    expect(parseJurisdictions('all', catalog)).toEqual([]);
    expect(parseJurisdictions('US-nh', catalog)).toEqual(['US-NH']);
    expect(() => parseJurisdictions('UK', catalog)).toThrow(
      /no directive in the catalog is from "UK"; known: AU, CA/,
    );
    expect(() => parseJurisdictions('Germany', catalog)).toThrow(/"GERMANY" is not a jurisdiction code/);
    expect(() => parseJurisdictions(' , ', catalog)).toThrow(/needs a value/);
    expect(() => parseJurisdictions('all,US', catalog)).toThrow(/not a jurisdiction code/);
  });
});
