/**
 * Installing releases: state in the data folder, the journal anchor, anti-rollback, forks, freeze
 * and staleness, interrupted writes, old and new apps (research §8.6 items 6–8, 17–19).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadActiveCatalog, readActive } from '../../../core/catalog/release/active';
import { examineRelease, importRelease, loadSignedCatalogFile } from '../../../core/catalog/release/import';
import { catalogProvenance } from '../../../core/catalog/release/provenance';
import { signRelease, serializeEnvelope } from '../../../core/catalog/release/publish';
import { releaseFile, statePath } from '../../../core/catalog/release/store';
import { allOf } from '../../../core/journal/history';
import { CatalogProvenance } from '../../../core/model/catalog-release';
import { catalogDoc, refusal, refusalOf, spec, world, type World } from './helpers';

let w: World;
beforeEach(() => {
  w = world();
});
afterEach(() => w.cleanup());

const importIt = (file: string, acceptWeakening = false): ReturnType<typeof importRelease> =>
  importRelease(file, { ...w.setup, journal: w.journal, acceptWeakening });

async function installed(): Promise<unknown[]> {
  return allOf((await w.journal.read()).events, 'catalog.installed').map((e) => e.data);
}

describe('import', () => {
  it('installs: the envelope verbatim, state.json, a catalog.installed event, and it becomes active', async () => {
    const file = w.release('r2.dsse.json', { sequence: 2 });
    await importIt(file);
    expect(readFileSync(releaseFile(w.setup.dataDir, 'publisher'))).toEqual(readFileSync(file));
    const state = JSON.parse(readFileSync(statePath(w.setup.dataDir), 'utf8'));
    expect(state.channels.publisher).toMatchObject({
      sequence: 2,
      catalogVersion: '2026.12.01',
      rootVersion: 1,
    });
    expect(state.maxIssuedAt).toBe('2027-01-01T00:00:00Z');
    const events = await installed();
    expect(events).toEqual([
      expect.objectContaining({
        channel: 'publisher',
        sequence: 2,
        version: '2026.12.01',
        keyids: [w.publisher.keyid],
      }),
    ]);
    const loaded = loadActiveCatalog(w.setup);
    expect(loaded.catalog.version).toBe('2026.12.01');
    expect(CatalogProvenance.parse(loaded.provenance)).toMatchObject({
      source: 'installed',
      channel: 'publisher',
      sequence: 2,
      signers: [{ keyid: w.publisher.keyid, role: 'publisher' }],
      stale: false,
      developmentRoot: false,
    });
  });

  it('without an installed release, the built-in catalog is active with its build-time sequence', () => {
    const loaded = loadActiveCatalog(w.setup);
    expect(loaded.provenance).toMatchObject({
      source: 'built-in',
      sequence: 1,
      signers: [],
      expires: null,
      stale: false,
    });
  });

  it('refuses the built-in sequence itself (#1): it is already installed', () => {
    const e = refusal(
      () => readActive(w.setup) && loadSignedCatalogFile(w.release('r1.dsse.json', { sequence: 1 }), w.setup),
      'rollback',
    );
    expect(e.message).toMatch(/already installed \(the catalog built into this Divest\)/);
  });

  it('6. rollback: an older validly signed release is refused, naming the installed number', async () => {
    await importIt(w.release('r3.dsse.json', { sequence: 3 }));
    const e = await refusalOf(importIt(w.release('r2.dsse.json', { sequence: 2 })), 'rollback');
    expect(e.message).toMatch(/is release #2 of the publisher channel, older than the installed #3/);
    const again = await refusalOf(importIt(w.release('r3b.dsse.json', { sequence: 3 })), 'rollback');
    expect(again.message).toMatch(/#3 of the publisher channel, which is already installed/);
  });

  it('7. fork: the same sequence with a different payload is refused as a possible key compromise', async () => {
    await importIt(w.release('r3.dsse.json', { sequence: 3 }));
    const other = w.release('r3-fork.dsse.json', { sequence: 3, catalog: catalogDoc('2026.12.02') });
    const e = await refusalOf(importIt(other), 'fork');
    expect(e.message).toMatch(/possible key compromise/);
    expect(e.message).toMatch(/a different release #3 is installed/);
  });

  it('17. state.json and the envelope deleted: the floor is recovered from the journal', async () => {
    await importIt(w.release('r3.dsse.json', { sequence: 3 }));
    rmSync(statePath(w.setup.dataDir));
    rmSync(releaseFile(w.setup.dataDir, 'publisher'));
    const e = await refusalOf(importIt(w.release('r2.dsse.json', { sequence: 2 })), 'rollback');
    expect(e.message).toMatch(/older than the installed #3 \(recorded in the journal\)/);
    const fork = await refusalOf(
      importIt(w.release('r3f.dsse.json', { sequence: 3, catalog: catalogDoc('2026.12.09') })),
      'fork',
    );
    expect(fork.message).toMatch(/recorded in the journal/);
    await importIt(w.release('r4.dsse.json', { sequence: 4 }));
    expect(loadActiveCatalog(w.setup).provenance.sequence).toBe(4);
  });

  it('18. killed between write and rename: the previous catalog stays intact and in use', async () => {
    await importIt(w.release('r2.dsse.json', { sequence: 2 }));
    const before = readFileSync(releaseFile(w.setup.dataDir, 'publisher'));
    const stateBefore = readFileSync(statePath(w.setup.dataDir));
    // What a process killed during the import of #3 leaves: the journal event (written first) and
    // a temporary file that was never renamed over publisher.dsse.json.
    const r3 = w.release('r3.dsse.json', { sequence: 3, catalog: catalogDoc('2026.12.03') });
    const x = await examineRelease(r3, w.setup, w.journal);
    await w.journal.append('catalog.installed', {
      channel: 'publisher',
      sequence: 3,
      version: '2026.12.03',
      sha256: x.release.payloadSha256,
      keyids: [w.publisher.keyid],
    });
    writeFileSync(`${releaseFile(w.setup.dataDir, 'publisher')}.4242.abcdef.tmp`, readFileSync(r3));
    const active = loadActiveCatalog(w.setup);
    expect(active.provenance.sequence).toBe(2);
    expect(active.catalog.version).toBe('2026.12.01');
    expect(readFileSync(releaseFile(w.setup.dataDir, 'publisher'))).toEqual(before);
    expect(readFileSync(statePath(w.setup.dataDir))).toEqual(stateBefore);
    // The same release can be installed again (only the journal has it); no second event.
    const count = (await installed()).length;
    await importIt(r3);
    expect((await installed()).length).toBe(count);
    expect(loadActiveCatalog(w.setup).provenance.sequence).toBe(3);
    // Anything else at #3 is a fork, whatever the files say.
    await refusalOf(importIt(w.release('r3f.dsse.json', { sequence: 3 })), 'fork');
  });

  it('a temp file left by an interrupted write is never read, and old ones are cleaned by the next import', async () => {
    const dir = join(w.setup.dataDir, 'catalog');
    await importIt(w.release('r2.dsse.json', { sequence: 2 }));
    const tmp = join(dir, 'publisher.dsse.json.1.ffffff.tmp');
    writeFileSync(tmp, 'garbage');
    expect(loadActiveCatalog(w.setup).provenance.sequence).toBe(2);
    w.now.value = new Date(w.now.value.getTime() + 2 * 3_600_000);
    await importIt(w.release('r3.dsse.json', { sequence: 3 }));
    expect(existsSync(tmp)).toBe(false);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('a stored envelope swapped for an older signed one is refused at load; an import repairs it', async () => {
    const r2 = w.release('r2.dsse.json', { sequence: 2 });
    await importIt(r2);
    await importIt(w.release('r3.dsse.json', { sequence: 3 }));
    writeFileSync(releaseFile(w.setup.dataDir, 'publisher'), readFileSync(r2));
    const e = refusal(() => loadActiveCatalog(w.setup), 'state');
    expect(e.message).toMatch(/is release #2, but state.json records #3 as installed/);
    await importIt(w.release('r4.dsse.json', { sequence: 4 }));
    expect(loadActiveCatalog(w.setup).provenance.sequence).toBe(4);
  });
});

describe('freeze and staleness', () => {
  it('8. expired after install: STALE, and the catalog stays usable', async () => {
    await importIt(w.release('r2.dsse.json', { expires: '2027-02-01T00:00:00Z' }));
    w.now.value = new Date('2027-03-01T00:00:00Z');
    const loaded = loadActiveCatalog(w.setup);
    expect(loaded.provenance.stale).toBe(true);
    expect(loaded.catalog.products.length).toBeGreaterThan(0);
    expect(catalogProvenance(loaded, new Date('2027-03-02T00:00:00Z')).stale).toBe(true);
    // A clock set back afterwards does not make it fresh again.
    expect(catalogProvenance(loaded, new Date('2027-01-15T00:00:00Z')).stale).toBe(true);
  });

  it('8. clock set back before the newest issuedAt: detected, and expiry uses the effective clock', async () => {
    await importIt(w.release('r2.dsse.json', { issuedAt: '2027-01-01T00:00:00Z' }));
    w.now.value = new Date('2026-07-01T00:00:00Z');
    expect(loadActiveCatalog(w.setup).provenance.clockBehind).toBe(true);
    // An expired release made to look current by a clock set back is still refused.
    const old = w.release('r3.dsse.json', {
      sequence: 3,
      issuedAt: '2026-06-01T00:00:00Z',
      expires: '2026-12-31T00:00:00Z',
    });
    const e = await refusalOf(importIt(old), 'expired');
    expect(e.message).toMatch(/now is 2027-01-01T00:00:00.000Z/);
  });

  it('the journal keeps the clock floor when state.json is deleted', async () => {
    await importIt(w.release('r2.dsse.json', { issuedAt: '2027-01-01T00:00:00Z' }));
    rmSync(statePath(w.setup.dataDir));
    w.now.value = new Date('2026-07-01T00:00:00Z');
    const old = w.release('r3.dsse.json', {
      sequence: 3,
      issuedAt: '2026-06-01T00:00:00Z',
      expires: '2026-12-31T00:00:00Z',
    });
    await refusalOf(importIt(old), 'expired');
  });
});

describe('apps old and new', () => {
  it('19. an older app with a newer stored catalog: the stored one wins (no downgrade)', async () => {
    await importIt(w.release('r5.dsse.json', { sequence: 5 }));
    expect(loadActiveCatalog({ ...w.setup, appVersion: '0.1.0' }).provenance).toMatchObject({
      source: 'installed',
      sequence: 5,
    });
  });

  it('19. an app too old for the stored catalog refuses to run on its own older catalog', async () => {
    await importRelease(w.release('r5.dsse.json', { sequence: 5, minAppVersion: '0.2.0' }), {
      ...w.setup,
      appVersion: '0.2.0',
      journal: w.journal,
    });
    const e = refusal(() => loadActiveCatalog({ ...w.setup, appVersion: '0.1.0' }), 'app-too-old');
    expect(e.message).toMatch(/needs Divest ≥ 0\.2\.0.*no downgrade/s);
  });

  it('a newer app whose built-in catalog has a higher sequence uses it', async () => {
    await importIt(w.release('r2.dsse.json', { sequence: 2 }));
    const builtIn = { ...w.setup.builtIn!, provenance: { ...w.setup.builtIn!.provenance, sequence: 9 } };
    expect(loadActiveCatalog({ ...w.setup, builtIn }).provenance).toMatchObject({
      source: 'built-in',
      sequence: 9,
    });
  });
});

describe('weakening', () => {
  it('refuses a release that removes a product, a signature, or un-bans, unless accepted; accepted ones are journaled', async () => {
    const cat = catalogDoc('2026.12.05');
    cat.products = cat.products.filter((p) => p.id !== 'kaspersky-free');
    const kts = cat.products.find((p) => p.id === 'kaspersky-total-security')!;
    kts.signatures.windows!.displayNames.pop();
    const review = cat.products.find((p) => p.id === 'kaspersky-internet-security')!;
    review.status = 'review';
    const file = w.release('weak.dsse.json', { catalog: cat });
    const e = await refusalOf(importIt(file), 'weakening');
    expect(e.problems).toEqual(
      expect.arrayContaining([
        'product "kaspersky-free" is removed',
        'product "kaspersky-internet-security" changes from banned to review',
        expect.stringMatching(
          /^product "kaspersky-total-security" loses the signature windows\.displayNames: /,
        ),
      ]),
    );
    expect(existsSync(releaseFile(w.setup.dataDir, 'publisher'))).toBe(false);
    expect(await installed()).toEqual([]);
    const x = await importIt(file, true);
    expect(x.diff.products.removed).toEqual(['kaspersky-free']);
    expect((await installed())[0]).toMatchObject({ acceptedWeakening: e.problems });
  });

  it('an addition is not a weakening, and the diff says what was added', async () => {
    const cat = catalogDoc('2026.12.06');
    const kts = cat.products.find((p) => p.id === 'kaspersky-total-security')!;
    kts.signatures.windows!.displayNames.push({ re: '^Kaspersky Total Security 2099', refs: kts.refs });
    const x = await importIt(w.release('add.dsse.json', { catalog: cat }));
    expect(x.diff.weakening).toEqual([]);
    expect(x.diff.signatures.added).toEqual([
      {
        product: 'kaspersky-total-security',
        signature: 'windows.displayNames: ^Kaspersky Total Security 2099',
      },
    ]);
    expect(x.diff.products.changed).toEqual(['kaspersky-total-security']);
  });
});

describe('--catalog FILE (signed, one run)', () => {
  it('uses a signed release with provenance "file", and refuses what verify refuses', async () => {
    const loaded = loadSignedCatalogFile(w.release('r2.dsse.json'), w.setup);
    expect(loaded.provenance).toMatchObject({ source: 'file', sequence: 2 });
    const r3 = w.release('r3.dsse.json', { sequence: 3 });
    await importIt(r3);
    expect(loadSignedCatalogFile(r3, w.setup).provenance.sequence).toBe(3); // the installed one: fine
    refusal(() => loadSignedCatalogFile(w.release('r2b.dsse.json', { sequence: 2 }), w.setup), 'rollback');
    refusal(
      () =>
        loadSignedCatalogFile(
          w.release('r3f.dsse.json', { sequence: 3, catalog: catalogDoc('2026.12.08') }),
          w.setup,
        ),
      'fork',
    );
    const unsigned = w.write('plain.json', JSON.stringify(catalogDoc()));
    refusal(() => loadSignedCatalogFile(unsigned, w.setup), 'malformed');
    expect(serializeEnvelope(signRelease(spec(), [w.publisher]))).toMatch(/^\{\n {2}"payloadType"/);
  });
});
