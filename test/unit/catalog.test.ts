/**
 * The built-in catalog: it loads, it is complete, every claim is sourced, UNCONFIRMED claims stay
 * marked, its name patterns do not catch look-alikes, and a broken catalog file is rejected with a
 * message that names the file, the entry and the field.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CatalogError, loadBuiltInCatalog, loadCatalogFile } from '../../core/catalog/load';
import type { Catalog, Product } from '../../core/model/catalog';
import meta from '../../catalog/meta.json';
import references from '../../catalog/references.json';
import vendors from '../../catalog/vendors.json';
import directives from '../../catalog/directives.json';
import products from '../../catalog/products.json';

const DIRECTIVE_IDS = [
  'bod-17-01',
  'ndaa-fy2018-1634',
  'fcc-covered-list-2022',
  'bis-final-determination-2024',
  'au-pspf-direction-002-2025',
  'it-dl-21-2022-art-29',
  'de-bsi-warning-2022',
  'nl-kaspersky-phase-out-2018',
  'gb-ncsc-russia-av-2017',
  'lt-government-kaspersky-2017',
  'ca-tbs-mobile-2023',
  'us-nh-rsa-21-r-15',
  'us-vt-ads-2019',
];

const PRODUCT_IDS = [
  // consumer
  'kaspersky-anti-virus',
  'kaspersky-internet-security',
  'kaspersky-total-security',
  'kaspersky-free',
  'kaspersky-security-cloud',
  'kaspersky-standard-plus-premium',
  'kaspersky-small-office-security',
  'kaspersky-vpn-secure-connection',
  'kaspersky-password-manager',
  'kaspersky-safe-kids',
  // business
  'kaspersky-endpoint-security-windows',
  'kaspersky-endpoint-security-mac',
  'kaspersky-endpoint-security-linux',
  'kaspersky-network-agent',
  'kaspersky-administration-server',
  'kaspersky-security-windows-server',
  'kaspersky-embedded-systems-security',
  'kaspersky-anti-virus-linux-file-server',
  'kaspersky-endpoint-agent',
  // tools, successors, fallback
  'kaspersky-virus-removal-tool',
  'ultraav',
  'ultravpn',
  'kaspersky-unidentified',
];

const { catalog } = loadBuiltInCatalog();

function product(id: string): Product {
  const p = catalog.products.find((x) => x.id === id);
  if (!p) throw new Error(`no product ${id}`);
  return p;
}

function compile(list: readonly { re: string }[] | undefined): RegExp[] {
  return (list ?? []).map((p) => new RegExp(p.re, 'iu'));
}

/** The product an Uninstall DisplayName is classified to: the first in catalog order whose names match. */
function classify(displayName: string): string | undefined {
  return catalog.products.find((p) =>
    compile(p.signatures.windows?.displayNames).some((r) => r.test(displayName)),
  )?.id;
}

/** Every `refs` array anywhere in a value. */
function collectRefs(node: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => collectRefs(n, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'refs' && Array.isArray(v)) v.forEach((id) => out.add(String(id)));
      else collectRefs(v, out);
    }
  }
  return out;
}

/** Every object with a `re` (a Pattern) anywhere in a value. */
function collectPatterns(
  node: unknown,
  out: { re: string; unconfirmed?: string }[] = [],
): { re: string; unconfirmed?: string }[] {
  if (Array.isArray(node)) node.forEach((n) => collectPatterns(n, out));
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (typeof o.re === 'string') out.push(o as { re: string; unconfirmed?: string });
    else Object.values(o).forEach((v) => collectPatterns(v, out));
  }
  return out;
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

describe('built-in catalog: contents', () => {
  it('loads, with the schema and version from meta.json', () => {
    expect(catalog.schema).toBe('divest.catalog/1');
    expect(catalog.version).toBe(meta.version);
  });

  it('has every directive and every product, and exactly one fallback', () => {
    expect(catalog.directives.map((d) => d.id).sort()).toEqual([...DIRECTIVE_IDS].sort());
    expect(catalog.products.map((p) => p.id).sort()).toEqual([...PRODUCT_IDS].sort());
    const fallbacks = catalog.products.filter((p) => p.fallback);
    expect(fallbacks.map((p) => p.id)).toEqual(['kaspersky-unidentified']);
    expect(fallbacks[0]!.status).toBe('banned');
    expect(fallbacks[0]!.family).toBe('components');
    // The fallback is last, so that it never shadows a specific product.
    expect(catalog.products.at(-1)!.id).toBe('kaspersky-unidentified');
  });

  it('has the BOD 17-01 deadlines at 30, 60 and 90 days, with dates that match the issue date', () => {
    const bod = catalog.directives.find((d) => d.id === 'bod-17-01')!;
    expect(bod.issued.date).toBe('2017-09-13');
    expect(bod.deadlines.map((d) => [d.dayOffset, d.date])).toEqual([
      [30, '2017-10-13'],
      [60, '2017-11-12'],
      [90, '2017-12-12'],
    ]);
  });

  it('gives every deadline a date or a day offset (or says in words why neither), and offsets agree with dates', () => {
    for (const d of catalog.directives) {
      for (const dl of d.deadlines) {
        if (dl.dayOffset !== undefined && dl.date !== undefined && d.issued.date.length === 10)
          expect(dl.date, `${d.id}/${dl.id}`).toBe(addDays(d.issued.date, dl.dayOffset));
        if (dl.dayOffset === undefined && dl.date === undefined)
          expect(dl.text, `${d.id}/${dl.id}`).toMatch(/business days/);
      }
    }
    const bis = catalog.directives.find((d) => d.id === 'bis-final-determination-2024')!;
    expect(bis.deadlines.map((d) => d.date)).toEqual(['2024-07-20', '2024-09-29']);
    const ndaa = catalog.directives.find((d) => d.id === 'ndaa-fy2018-1634')!;
    expect(ndaa.effective?.date).toBe('2018-10-01');
  });

  it('sources every directive, vendor and product, and every product of a banned status names its directives', () => {
    for (const d of catalog.directives) expect(d.refs.length, d.id).toBeGreaterThan(0);
    for (const v of catalog.vendors) expect(v.refs.length, v.id).toBeGreaterThan(0);
    for (const p of catalog.products) {
      expect(p.refs.length, p.id).toBeGreaterThan(0);
      expect(p.statusReason.refs.length, p.id).toBeGreaterThan(0);
      expect(p.description.refs.length, p.id).toBeGreaterThan(0);
      if (p.status === 'banned') expect(p.directives.length, p.id).toBeGreaterThan(0);
      expect(p.removal, `${p.id} has a removal recipe`).toBeDefined();
    }
  });

  it('uses every reference at least once, and every reference url is http(s)', () => {
    const used = collectRefs(
      { vendors: catalog.vendors, directives: catalog.directives, products: catalog.products },
      new Set(),
    );
    const unused = catalog.references.filter((r) => !used.has(r.id)).map((r) => r.id);
    expect(unused).toEqual([]);
    for (const r of catalog.references) {
      if (r.url !== undefined) expect(r.url, r.id).toMatch(/^https?:\/\/[^\s]+$/);
      expect(r.note, `${r.id} says what kind of source it is`).toBeTruthy();
    }
  });

  it('keeps the successors out of the ban: UltraAV and UltraVPN are "review" with no directives', () => {
    for (const id of ['ultraav', 'ultravpn']) {
      const p = product(id);
      expect(p.status).toBe('review');
      expect(p.directives).toEqual([]);
      expect(p.vendor).toBe('pango');
      expect(p.removal?.windows, `${id}: no automated removal`).toBeUndefined();
    }
  });

  it('removes protection products before Endpoint Agent, Network Agent and Administration Server', () => {
    const order = (id: string): number => product(id).removal!.order;
    for (const id of [
      'kaspersky-endpoint-security-windows',
      'kaspersky-security-windows-server',
      'kaspersky-total-security',
    ]) {
      expect(order(id)).toBeGreaterThanOrEqual(10);
      expect(order(id)).toBeLessThanOrEqual(50);
      expect(order(id)).toBeLessThan(order('kaspersky-endpoint-agent'));
    }
    expect(order('kaspersky-endpoint-agent')).toBe(60);
    expect(order('kaspersky-network-agent')).toBe(90);
    expect(order('kaspersky-administration-server')).toBe(95);
    expect(product('kaspersky-endpoint-security-windows').removal?.windows?.credentials).toBe(
      'kes-kllogin-klpasswd',
    );
    expect(product('kaspersky-network-agent').removal?.windows?.credentials).toBe(
      'klnagent-uninstpasswd-hex',
    );
    // KVRT is portable: there is nothing to run.
    const kvrt = product('kaspersky-virus-removal-tool').removal!;
    expect(kvrt.windows).toBeUndefined();
    expect(kvrt.manualSteps.length).toBeGreaterThan(0);
  });

  it('lists KESL packages with kesl-gui first (it is removed before kesl)', () => {
    expect(
      product('kaspersky-endpoint-security-linux').signatures.linux?.packages.map((p) => p.name),
    ).toEqual(['kesl-gui', 'kesl', 'kesl-astra']);
    expect(
      product('kaspersky-network-agent')
        .signatures.linux?.packages.map((p) => p.name)
        .sort(),
    ).toEqual(['klnagent', 'klnagent64']);
  });

  it('keeps Windows paths to the allowed placeholders', () => {
    for (const p of catalog.products) {
      for (const x of p.signatures.windows?.paths ?? []) {
        expect(x.path, p.id).toMatch(
          /^%(ProgramFiles\(x86\)|ProgramFiles|ProgramData|SystemRoot|SystemDrive)%\\/,
        );
      }
      for (const x of [...(p.signatures.linux?.paths ?? []), ...(p.signatures.macos?.paths ?? [])])
        expect(x.path, p.id).toMatch(/^\//);
    }
  });
});

describe('built-in catalog: UNCONFIRMED claims stay marked', () => {
  it('marks every UltraAV/UltraVPN signature and every Pango publisher as unconfirmed', () => {
    for (const id of ['ultraav', 'ultravpn']) {
      const patterns = collectPatterns(product(id).signatures);
      expect(patterns.length, id).toBeGreaterThan(0);
      for (const p of patterns) expect(p.unconfirmed, `${id}: ${p.re}`).toBeTruthy();
    }
    const pango = catalog.vendors.find((v) => v.id === 'pango')!;
    for (const p of pango.publishers) expect(p.unconfirmed, p.re).toBeTruthy();
  });

  it('marks the day of the BOD 17-01 Final Decision as unconfirmed', () => {
    const bod = catalog.directives.find((d) => d.id === 'bod-17-01')!;
    const decision = bod.history.find((h) => /Final Decision/.test(h.text))!;
    expect(decision.date).toBe('2017-12');
    expect(decision.unconfirmed).toBeTruthy();
    // Every month-only date is there because the day is not known.
    for (const d of catalog.directives)
      for (const h of d.history)
        if (h.date.length === 7) expect(h.unconfirmed ?? h.text, `${d.id} ${h.date}`).toBeTruthy();
  });

  it('marks the Network Agent password encoding as unconfirmed', () => {
    const na = product('kaspersky-network-agent').removal!;
    expect(na.windows?.unconfirmed).toMatch(/hex|encoding/i);
    expect(na.warnings.find((w) => /KLUNINSTPASSWD/.test(w.text))?.unconfirmed).toBeTruthy();
  });

  it('marks the other open items of the research as unconfirmed', () => {
    const kaspersky = catalog.vendors.find((v) => v.id === 'kaspersky')!;
    const pub = (re: string) => kaspersky.publishers.find((p) => p.re === re);
    expect(pub('^AO Kaspersky Lab$')?.unconfirmed).toBeUndefined();
    expect(pub('^Kaspersky$')?.unconfirmed).toBeUndefined();
    expect(pub('^Kaspersky Lab$')?.unconfirmed).toBeTruthy();
    expect(pub('^Kaspersky Lab ZAO$')?.unconfirmed).toBeTruthy();
    for (const m of kaspersky.maintainers) expect(m.unconfirmed, m.re).toBeTruthy();

    const ndaa = catalog.directives.find((d) => d.id === 'ndaa-fy2018-1634')!;
    expect(ndaa.requires.find((r) => /data elements/.test(r.text))?.unconfirmed).toBeTruthy();
    const fcc = catalog.directives.find((d) => d.id === 'fcc-covered-list-2022')!;
    expect(fcc.summary.unconfirmed).toBeTruthy();
    expect(fcc.reasons.some((r) => r.unconfirmed && /DHS determination/.test(r.unconfirmed))).toBe(true);
    const bis = catalog.directives.find((d) => d.id === 'bis-final-determination-2024')!;
    expect(bis.scope.find((s) => /appendix/.test(s.text))?.unconfirmed).toBeTruthy();

    const kesl = product('kaspersky-endpoint-security-linux').signatures.linux!;
    expect(kesl.units.find((u) => u.re === '^kesl-supervisor$')?.unconfirmed).toBeTruthy();
    expect(
      product('kaspersky-administration-server').signatures.linux?.packages.find((p) => p.name === 'ksc64')
        ?.unconfirmed,
    ).toBeTruthy();
    const kavremover = product('kaspersky-total-security').removal!.manualSteps.find((s) =>
      /kavremover/.test(s.text),
    );
    expect(kavremover?.unconfirmed).toMatch(/2024/);
  });
});

describe('built-in catalog: name patterns', () => {
  const publishers = catalog.vendors.flatMap((v) => compile(v.publishers));
  const displayNames = catalog.products.flatMap((p) => compile(p.signatures.windows?.displayNames));
  const lookAlikes = [
    'K-Lite Codec Pack',
    'K-Lite Codec Pack 18.1.5 Full',
    'Kasa',
    'Kasa Smart',
    'Klavaro',
    'Kaspa Wallet',
    'Kaspersky Fan Club Toolkit',
    'Notkaspersky',
    'Kaspersky Lab Fans',
    'KasperskyLab',
    'Pangolin Software',
  ];

  it('compiles every pattern in the catalog', () => {
    const all = collectPatterns({ vendors: catalog.vendors, products: catalog.products });
    expect(all.length).toBeGreaterThan(50);
    for (const p of all) expect(() => new RegExp(p.re, 'iu'), p.re).not.toThrow();
  });

  it('anchors every publisher and display name pattern', () => {
    for (const p of [
      ...catalog.vendors.flatMap((v) => v.publishers),
      ...catalog.products.flatMap((x) => x.signatures.windows?.displayNames ?? []),
    ]) {
      expect(p.re, p.re).toMatch(/^\^/);
      expect(p.re, p.re).toMatch(/\$$/);
    }
  });

  it('matches no look-alike, neither as a publisher nor as a display name', () => {
    for (const s of lookAlikes) {
      expect(publishers.filter((r) => r.test(s)).map(String), `publisher "${s}"`).toEqual([]);
      expect(displayNames.filter((r) => r.test(s)).map(String), `display name "${s}"`).toEqual([]);
    }
  });

  it('recognises the real publishers', () => {
    for (const s of ['AO Kaspersky Lab', 'Kaspersky', 'kaspersky'])
      expect(
        publishers.some((r) => r.test(s)),
        s,
      ).toBe(true);
  });

  it('classifies real display names to the right product, first match in catalog order', () => {
    const cases: [string, string][] = [
      ['Kaspersky Endpoint Security for Windows', 'kaspersky-endpoint-security-windows'],
      ['Kaspersky Endpoint Security 10 for Windows', 'kaspersky-endpoint-security-windows'],
      ['Kaspersky Endpoint Security 8 for Windows', 'kaspersky-endpoint-security-windows'],
      ['Kaspersky Endpoint Security 10 for Windows SP2', 'kaspersky-endpoint-security-windows'],
      ["Agent d'administration de Kaspersky Security Center", 'kaspersky-network-agent'],
      ['Kaspersky Security Center Network Agent', 'kaspersky-network-agent'],
      ['Kaspersky Endpoint Agent', 'kaspersky-endpoint-agent'],
      ['Kaspersky Security Center 13.2 Administration Console', 'kaspersky-administration-server'],
      ['Kaspersky Security for Windows Server', 'kaspersky-security-windows-server'],
      ['Kaspersky Anti-Virus for Windows Servers Enterprise Edition', 'kaspersky-security-windows-server'],
      ['Kaspersky Embedded Systems Security', 'kaspersky-embedded-systems-security'],
      ['Kaspersky Total Security', 'kaspersky-total-security'],
      ['Kaspersky Internet Security', 'kaspersky-internet-security'],
      ['Kaspersky Anti-Virus', 'kaspersky-anti-virus'],
      ['Kaspersky Free', 'kaspersky-free'],
      ['Kaspersky Security Cloud', 'kaspersky-security-cloud'],
      ['Kaspersky Small Office Security', 'kaspersky-small-office-security'],
      ['Kaspersky VPN', 'kaspersky-vpn-secure-connection'],
      ['Kaspersky VPN Secure Connection', 'kaspersky-vpn-secure-connection'],
      ['Kaspersky Password Manager', 'kaspersky-password-manager'],
      ['Kaspersky Safe Kids', 'kaspersky-safe-kids'],
      ['Kaspersky', 'kaspersky-standard-plus-premium'],
      ['Kaspersky Plus', 'kaspersky-standard-plus-premium'],
      ['UltraAV', 'ultraav'],
      ['UltraVPN', 'ultravpn'],
    ];
    for (const [name, id] of cases) expect(classify(name), name).toBe(id);
    // A Kaspersky entry no product recognises goes to the fallback (the scanner does this, not a pattern).
    expect(classify('Kaspersky Anti-Virus SOS')).toBeUndefined();
  });

  it('classifies vendor keys and Security Center names', () => {
    const byVendorKey = (key: string) =>
      catalog.products.find(
        (p) => !p.fallback && compile(p.signatures.windows?.vendorKeys).some((r) => r.test(key)),
      )?.id;
    expect(byVendorKey('KES.0')).toBe('kaspersky-endpoint-security-windows');
    expect(byVendorKey('KES.12.10.0')).toBe('kaspersky-endpoint-security-windows');
    expect(byVendorKey('KSDE5.2')).toBe('kaspersky-vpn-secure-connection');
    expect(byVendorKey('AVP21.2')).toBeUndefined(); // shared by the consumer suites: ProductName decides
    const byProductName = (name: string) =>
      catalog.products.find((p) =>
        compile(p.signatures.windows?.vendorProductNames).some((r) => r.test(name)),
      )?.id;
    expect(byProductName('Kaspersky Total Security')).toBe('kaspersky-total-security');
    expect(byProductName('Kaspersky VPN')).toBe('kaspersky-vpn-secure-connection');
    const bySecurityCenter = (name: string) =>
      catalog.products.find((p) => compile(p.signatures.windows?.securityCenter).some((r) => r.test(name)))
        ?.id;
    expect(bySecurityCenter('Kaspersky Endpoint Security 10 for Windows')).toBe(
      'kaspersky-endpoint-security-windows',
    );
  });

  it('matches Kaspersky drivers exactly and never anything that merely starts with kl', () => {
    const drivers = compile(product('kaspersky-unidentified').signatures.windows?.drivers);
    for (const name of [
      'klif',
      'KLIF',
      'klflt',
      'klhk',
      'klim6',
      'kltap',
      'klmouflt',
      'klkbdflt2',
      'klbackupdisk',
      'klupd_klif_arkmon',
      'Klsysrec',
      'klwfp',
    ]) {
      expect(
        drivers.some((r) => r.test(name)),
        name,
      ).toBe(true);
    }
    for (const name of [
      'kl',
      'klite',
      'klitecodec',
      'klavaro',
      'klif2',
      'xklif',
      'kldriver',
      'kasa',
      'kaspa',
    ]) {
      expect(
        drivers.some((r) => r.test(name)),
        name,
      ).toBe(false);
    }
    for (const p of catalog.products)
      for (const r of p.signatures.windows?.drivers ?? [])
        expect(r.re).not.toMatch(/^\^kl$|^\^kl[^(a-z0-9]/i);
  });

  it('matches services exactly: plain AVP is KES, AVP<version> is a consumer suite', () => {
    const bySvc = (name: string) =>
      catalog.products.find((p) => compile(p.signatures.windows?.services).some((r) => r.test(name)))?.id;
    expect(bySvc('AVP')).toBe('kaspersky-endpoint-security-windows');
    expect(bySvc('AVP.KES.12.6')).toBe('kaspersky-endpoint-security-windows');
    expect(bySvc('avpsus.KES.12.6')).toBe('kaspersky-endpoint-security-windows');
    expect(bySvc('AVP21.2')).toBe('kaspersky-unidentified');
    expect(bySvc('klnagent')).toBe('kaspersky-network-agent');
    expect(bySvc('KAVFS')).toBe('kaspersky-security-windows-server');
    for (const s of ['AVPx', 'avpnc', 'klnagent2', 'Kasa Service']) expect(bySvc(s), s).toBeUndefined();
  });

  it('matches Debian/RPM maintainers at kaspersky.com only', () => {
    const maintainers = compile(catalog.vendors.find((v) => v.id === 'kaspersky')!.maintainers);
    expect(maintainers.some((r) => r.test('Kaspersky Lab <support@kaspersky.com>'))).toBe(true);
    expect(maintainers.some((r) => r.test('Someone <dev@notkaspersky.com>'))).toBe(false);
    expect(maintainers.some((r) => r.test('Kasa Team <team@kasa.com>'))).toBe(false);
  });
});

describe('loadCatalogFile: a malformed catalog is rejected with a precise message', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'divest-catalog-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const { sequence: _sequence, ...catalogMeta } = meta;
  const base = (): Catalog =>
    structuredClone({ ...catalogMeta, references, vendors, directives, products }) as unknown as Catalog;

  function write(name: string, content: string): string {
    const file = path.join(dir, name);
    writeFileSync(file, content, 'utf8');
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

  it('accepts the built-in catalog written to one file', () => {
    const file = write('good.json', JSON.stringify(base()));
    const loaded = loadCatalogFile(file);
    expect(loaded.origin).toBe(file);
    expect(loaded.catalog.products.length).toBe(PRODUCT_IDS.length);
    expect(loaded.sha256).toBe(loadBuiltInCatalog().sha256);
  });

  it('names the file, the product and the field of a pattern that does not compile', () => {
    const cat = base();
    const kts = cat.products.find((p) => p.id === 'kaspersky-total-security')!;
    kts.signatures.windows!.displayNames[0]!.re = '(';
    const file = write('bad-regex.json', JSON.stringify(cat));
    const err = errorOf(file);
    expect(err.message).toContain(file);
    expect(err.message).toContain('product "kaspersky-total-security"');
    expect(err.message).toContain('signatures.windows.displayNames[0].re');
    expect(err.problems).toHaveLength(1);
  });

  it('names the file of invalid JSON', () => {
    const file = write('not-json.json', '{ "schema": "divest.catalog/1", ');
    const err = errorOf(file);
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/not valid JSON/);
  });

  it('names the "schema" field when the file is not a Divest catalog', () => {
    const file = write('wrong-schema.json', JSON.stringify({ ...base(), schema: 'divest.catalog/0' }));
    const err = errorOf(file);
    expect(err.message).toContain(file);
    expect(err.message).toContain('field "schema"');
  });

  it('reports a product that names an unknown directive', () => {
    const cat = base();
    cat.products.find((p) => p.id === 'kaspersky-free')!.directives.push('bod-99-99');
    const file = write('unknown-directive.json', JSON.stringify(cat));
    const err = errorOf(file);
    expect(err.message).toContain('product "kaspersky-free"');
    expect(err.message).toContain('unknown directive "bod-99-99"');
  });

  it('reports a claim whose source is not in the references', () => {
    const cat = base();
    cat.directives[0]!.summary.refs = ['no-such-source'];
    const file = write('unknown-ref.json', JSON.stringify(cat));
    const err = errorOf(file);
    expect(err.message).toContain('directive "bod-17-01"');
    expect(err.message).toContain('unknown reference "no-such-source"');
  });
});
