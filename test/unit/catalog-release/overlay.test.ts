/**
 * Agency keys and overlays (research §8.6 item 14): an overlay adds local bans, directives and
 * documented exceptions and can never weaken a publisher entry; role separation between publisher
 * and agency keys; countersignatures required by an agency; the trust is journaled.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import canonicalize from 'canonicalize';
import { loadActiveCatalog } from '../../../core/catalog/release/active';
import { examine, importRelease } from '../../../core/catalog/release/import';
import { publisherEntriesChanged } from '../../../core/catalog/release/overlay';
import { countersign, signRelease } from '../../../core/catalog/release/publish';
import { trustPath } from '../../../core/catalog/release/store';
import { trustAgency } from '../../../core/catalog/release/trust';
import { compileCatalog } from '../../../core/scan/match';
import { isDivestError } from '../../../core/errors';
import { allOf } from '../../../core/journal/history';
import type { Catalog, Product } from '../../../core/model/catalog';
import { catalogDoc, newKey, refusal, refusalOf, spec, world, type TestKey, type World } from './helpers';

let w: World;
let agency: TestKey;
beforeEach(async () => {
  w = world();
  agency = newKey();
});
afterEach(() => w.cleanup());

const trust = (key: TestKey, requireAgencySignature = false, slug = 'acme'): ReturnType<typeof trustAgency> =>
  trustAgency({
    dataDir: w.setup.dataDir,
    journal: w.journal,
    root: w.root,
    pem: key.pem.public,
    slug,
    requireAgencySignature,
    now: w.now.value,
  });

const importIt = (file: string, acceptWeakening = false): ReturnType<typeof importRelease> =>
  importRelease(file, { ...w.setup, journal: w.journal, acceptWeakening });

const base = catalogDoc();
const kasperskyFree = base.products.find((p) => p.id === 'kaspersky-free')!;

/** An agency product: a local ban of a (made-up) tool under the agency's own directive. */
function localBan(id = 'agency-acme-remote-tool'): Product {
  return {
    ...structuredClone(kasperskyFree),
    id,
    name: 'Remote Tool (local ban)',
    directives: ['agency-acme-policy-7'],
    fallback: false,
    signatures: { windows: { displayNames: [{ re: '^Remote Tool$', refs: ['agency-acme-memo'] }] } as never },
    removal: undefined,
    refs: ['agency-acme-memo'],
  } as Product;
}

function overlay(over: Record<string, unknown> = {}): Record<string, unknown> & { version: string } {
  const directive = {
    ...structuredClone(base.directives[0]!),
    id: 'agency-acme-policy-7',
    shortName: 'ACME Policy 7',
  };
  return {
    version: '2027.01.05',
    references: [{ id: 'agency-acme-memo', title: 'ACME security memo 7' }],
    directives: [directive],
    products: [localBan()],
    exceptions: [
      {
        id: 'agency-acme-lab-3',
        target: { machineId: '4c4c4544-0042-3510-8052-b4c04f4d3232' },
        directive: 'bod-17-01',
        products: ['kaspersky-free'],
        justification: 'Malware analysis lab machine, isolated network; removal would destroy evidence.',
        approver: 'CISO, ACME Agency',
        approvedAt: '2027-01-04T00:00:00Z',
        expires: '2027-04-01T00:00:00Z',
      },
    ],
    ...over,
  };
}

const overlayRelease = (
  name: string,
  over: Record<string, unknown> = {},
  keys: TestKey[] = [agency],
  sequence = 1,
): string =>
  w.release(name, { channel: 'agency:acme', sequence, catalog: undefined, overlay: overlay(over) }, keys);

describe('trust-agency', () => {
  it('installs the key, journals it, and refuses a root key (role separation)', async () => {
    const a = await trust(agency, true);
    expect(a).toMatchObject({ slug: 'acme', keyid: agency.keyid, requireAgencySignature: true });
    const changed = allOf((await w.journal.read()).events, 'settings.changed');
    expect(changed[0]!.data.changed).toEqual(['catalog.trust-agency']);
    const err = await trust(w.publisher).catch((e: unknown) => e);
    expect(isDivestError(err, 'invalid-input') && err.message).toMatch(
      /is a key of the root.*role separation/,
    );
  });
});

describe('overlays', () => {
  it('merges: publisher entries byte-identical, agency entries after them, exceptions exposed', async () => {
    await trust(agency);
    const x = await importIt(overlayRelease('ov.dsse.json'), true);
    expect(x.diff.weakening).toEqual([
      'exception "agency-acme-lab-3" is added (it lets a machine keep banned software)',
    ]);
    const loaded = loadActiveCatalog(w.setup);
    const pub = loadActiveCatalog({ ...w.setup, dataDir: `${w.setup.dataDir}-none` }).catalog;
    expect(publisherEntriesChanged(pub, loaded.catalog)).toEqual([]);
    expect(loaded.catalog.products.slice(0, pub.products.length).map((p) => canonicalize(p))).toEqual(
      pub.products.map((p) => canonicalize(p)),
    );
    expect(loaded.catalog.products.at(-1)!.id).toBe('agency-acme-remote-tool');
    expect(loaded.exceptions.map((e) => e.id)).toEqual(['agency-acme-lab-3']);
    expect(loaded.provenance.overlays).toEqual([
      expect.objectContaining({
        channel: 'agency:acme',
        sequence: 1,
        version: '2027.01.05',
        exceptions: 1,
        signers: [{ keyid: agency.keyid, role: 'agency', agency: 'acme' }],
      }),
    ]);
    // The matcher still finds publisher products first.
    expect(compileCatalog(loaded.catalog).products[0]!.product.id).toBe(pub.products[0]!.id);
  });

  it('refuses an overlay entry that changes a publisher entry (collision)', async () => {
    await trust(agency);
    const changed = { ...structuredClone(kasperskyFree), name: 'Kaspersky Free (renamed)' };
    const e = refusal(
      () => examine(overlayRelease('c.dsse.json', { products: [changed] }), w.setup, null),
      'overlay',
    );
    expect(e.problems).toEqual([
      'product "kaspersky-free" collides with the publisher\'s product of that id (it would change it)',
    ]);
  });

  it('refuses an overlay entry that re-statuses a publisher product (banned -> review)', async () => {
    await trust(agency);
    const review = { ...structuredClone(kasperskyFree), status: 'review' };
    const e = refusal(
      () => examine(overlayRelease('s.dsse.json', { products: [review] }), w.setup, null),
      'overlay',
    );
    expect(e.problems).toEqual([
      'product "kaspersky-free" would change the publisher\'s product status from banned to review',
    ]);
  });

  it('refuses an overlay that restates publisher ids, or uses ids without its prefix', async () => {
    await trust(agency);
    const same = refusal(
      () => examine(overlayRelease('r.dsse.json', { directives: [base.directives[1]] }), w.setup, null),
      'overlay',
    );
    expect(same.problems[0]).toMatch(/directive "ndaa-fy2018-1634" restates the publisher's directive/);
    const e = refusal(
      () => examine(overlayRelease('p.dsse.json', { products: [localBan('remote-tool')] }), w.setup, null),
      'overlay',
    );
    expect(e.problems).toContain('product "remote-tool": an agency "acme" id must start with "agency-acme-"');
  });

  it('refuses an overlay review product or fallback (it could re-classify publisher findings)', async () => {
    await trust(agency);
    const p = { ...localBan(), status: 'review', fallback: true };
    const e = refusal(
      () => examine(overlayRelease('f.dsse.json', { products: [p] }), w.setup, null),
      'overlay',
    );
    expect(e.problems).toEqual([
      'product "agency-acme-remote-tool": an overlay adds bans only (status must be "banned", not "review")',
      'product "agency-acme-remote-tool": an overlay product cannot be the fallback',
    ]);
  });

  it('the merged-catalog check names a removed, changed or re-statused publisher entry', () => {
    const pub = structuredClone(base) as Catalog;
    const merged = structuredClone(base) as Catalog;
    merged.products = merged.products.filter((p) => p.id !== 'kaspersky-vpn-secure-connection');
    merged.products.find((p) => p.id === 'kaspersky-free')!.status = 'review';
    merged.directives[0]!.title = 'changed';
    expect(publisherEntriesChanged(pub, merged)).toEqual([
      'the publisher\'s directive "bod-17-01" would be changed',
      'the publisher\'s product "kaspersky-free" would change status from banned to review',
      'the publisher\'s product "kaspersky-vpn-secure-connection" would be removed',
    ]);
  });

  it('refuses an exception for a product its directive does not cover, or that expires before approval', async () => {
    await trust(agency);
    const [x] = overlay().exceptions as Record<string, unknown>[];
    const bad = [
      { ...x, products: ['ultraav'], directive: 'bod-17-01' },
      { ...x, id: 'agency-acme-b', expires: '2027-01-01T00:00:00Z' },
    ];
    const e = refusal(
      () => examine(overlayRelease('x.dsse.json', { exceptions: bad }), w.setup, null),
      'overlay',
    );
    expect(e.problems).toEqual([
      'exception "agency-acme-lab-3": product "ultraav" is not covered by directive "bod-17-01"',
      'exception "agency-acme-b": it expires (2027-01-01T00:00:00Z) before it was approved (2027-01-04T00:00:00Z)',
    ]);
  });

  it('refuses an overlay of an agency this machine does not trust', () => {
    const e = refusal(() => examine(overlayRelease('u.dsse.json'), w.setup, null), 'unknown-agency');
    expect(e.message).toMatch(/divest catalog trust-agency --pubkey FILE --name acme/);
  });

  it('a publisher release that would break an installed overlay is a weakening', async () => {
    await trust(agency);
    await importIt(overlayRelease('ov.dsse.json'), true);
    const cat = catalogDoc('2026.12.07');
    cat.directives = cat.directives.filter((d) => d.id !== 'bod-17-01');
    for (const p of cat.products) p.directives = p.directives.filter((d) => d !== 'bod-17-01');
    const e = await refusalOf(importIt(w.release('r.dsse.json', { catalog: cat })), 'weakening');
    expect(e.problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/the overlay agency:acme would no longer apply/)]),
    );
  });
});

describe('role separation and countersignatures', () => {
  it('refuses a publisher key signing an agency channel', async () => {
    await trust(agency);
    const e = refusal(
      () => examine(overlayRelease('x.dsse.json', {}, [w.publisher]), w.setup, null),
      'cross-role',
    );
    expect(e.message).toMatch(/cannot sign an agency channel/);
  });

  it('refuses an agency key signing the publisher channel', async () => {
    await trust(agency);
    const e = refusal(() => examine(w.release('x.dsse.json', {}, [agency]), w.setup, null), 'cross-role');
    expect(e.message).toMatch(/an agency key cannot sign the publisher channel/);
  });

  it('refuses one agency signing for another', async () => {
    const other = newKey();
    await trust(agency);
    await trust(other, false, 'globex');
    const e = refusal(() => examine(overlayRelease('x.dsse.json', {}, [other]), w.setup, null), 'cross-role');
    expect(e.message).toMatch(/for agency "acme" but signed by the key of agency "globex"/);
  });

  it('requireAgencySignature: a publisher release needs the countersignature; deleting trust.json does not drop it', async () => {
    await trust(agency, true);
    const plain = w.release('plain.dsse.json');
    const e = await refusalOf(importIt(plain), 'countersignature');
    expect(e.message).toMatch(/not countersigned by agency "acme"/);
    rmSync(trustPath(w.setup.dataDir));
    await refusalOf(importIt(plain), 'countersignature');
    const signed = w.write('cs.dsse.json', countersign(signRelease(spec(), [w.publisher]), [agency]));
    const x = await importIt(signed);
    expect(x.release.signers).toEqual([
      { keyid: w.publisher.keyid, role: 'publisher' },
      { keyid: agency.keyid, role: 'agency', agency: 'acme' },
    ]);
  });
});
