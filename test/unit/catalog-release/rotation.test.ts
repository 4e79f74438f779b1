/**
 * Root rotation (research §8.6 item 13): root N+1 needs a threshold of root N's keys AND of its
 * own, each key counted once, and version exactly N+1; a valid rotation is persisted and re-verified
 * from the built-in root at every load. Also the fast-forward recovery through minSequence.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadActiveCatalog } from '../../../core/catalog/release/active';
import { examine, importRelease } from '../../../core/catalog/release/import';
import { signRoot } from '../../../core/catalog/release/publish';
import { rootFile } from '../../../core/catalog/release/store';
import type { DsseEnvelope, RootDocument } from '../../../core/model/catalog-release';
import { makeRoot, newKey, refusal, refusalOf, world, type TestKey, type World } from './helpers';

let w: World;
beforeEach(() => {
  w = world();
});
afterEach(() => w.cleanup());

/** Root v2 with new root keys and a new publisher key. */
function nextRoot(
  version = 2,
  minSequence = 0,
): { doc: RootDocument; rootKeys: TestKey[]; publisher: TestKey } {
  const rootKeys = [newKey(), newKey(), newKey()];
  const publisher = newKey();
  return {
    doc: makeRoot({ version, rootKeys, publisherKeys: [publisher], minSequence }),
    rootKeys,
    publisher,
  };
}

const importIt = (file: string): ReturnType<typeof importRelease> =>
  importRelease(file, { ...w.setup, journal: w.journal });

describe('root rotation', () => {
  it('a valid rotation (2 old + 2 new root keys) is accepted, persisted, and used from then on', async () => {
    const next = nextRoot();
    const env = signRoot(next.doc, [w.rootKeys[0]!, w.rootKeys[2]!, next.rootKeys[0]!, next.rootKeys[1]!]);
    const x = await importIt(w.release('rot.dsse.json', { sequence: 2, root: env }, [next.publisher]));
    expect(x.release.root.version).toBe(2);
    expect(JSON.parse(readFileSync(rootFile(w.setup.dataDir, 2), 'utf8'))).toEqual(env);
    const loaded = loadActiveCatalog(w.setup);
    expect(loaded.provenance).toMatchObject({
      rootVersion: 2,
      sequence: 2,
      signers: [{ keyid: next.publisher.keyid }],
    });
    // The old publisher key is no longer delegated.
    const e = refusal(
      () => examine(w.release('old-key.dsse.json', { sequence: 3 }), w.setup, null),
      'untrusted-key',
    );
    expect(e.message).toMatch(/root version 2 does not delegate/);
    expect(
      examine(w.release('new-key.dsse.json', { sequence: 3 }, [next.publisher]), w.setup, null).release.root
        .version,
    ).toBe(2);
  });

  it('refuses a new root signed only by its own keys', () => {
    const next = nextRoot();
    const env = signRoot(next.doc, next.rootKeys);
    const e = refusal(
      () => examine(w.release('own.dsse.json', { root: env }, [next.publisher]), w.setup, null),
      'rotation',
    );
    expect(e.message).toMatch(/signed by 0 of the trusted root version 1's keys; 2 are needed/);
  });

  it('refuses a new root signed by only the old keys', () => {
    const next = nextRoot();
    const env = signRoot(next.doc, w.rootKeys);
    const e = refusal(
      () => examine(w.release('old.dsse.json', { root: env }, [next.publisher]), w.setup, null),
      'rotation',
    );
    expect(e.message).toMatch(/signed by 0 of its own root keys; 2 are needed/);
  });

  it('counts each key once: one old key signing twice is not two', () => {
    const next = nextRoot();
    const env = signRoot(next.doc, [w.rootKeys[0]!, w.rootKeys[0]!, ...next.rootKeys]);
    const e = refusal(
      () => examine(w.release('twice.dsse.json', { root: env }, [next.publisher]), w.setup, null),
      'rotation',
    );
    expect(e.message).toMatch(/signed by 1 of the trusted root version 1's keys/);
  });

  it('refuses skipping a version (v3 over v1)', () => {
    const next = nextRoot(3);
    const env = signRoot(next.doc, [...w.rootKeys, ...next.rootKeys]);
    const e = refusal(
      () => examine(w.release('skip.dsse.json', { root: env }, [next.publisher]), w.setup, null),
      'rotation',
    );
    expect(e.message).toMatch(/version 3, but only version 2 can follow the trusted root version 1/);
  });

  it('accepts the current root carried again, and refuses a different root under the current version', () => {
    const same = signRoot(w.root, w.rootKeys);
    expect(examine(w.release('same.dsse.json', { root: same }), w.setup, null).release.rotation).toBeNull();
    const other = nextRoot(1);
    const env = signRoot(other.doc, [...w.rootKeys, ...other.rootKeys]);
    refusal(() => examine(w.release('other.dsse.json', { root: env }), w.setup, null), 'rotation');
  });

  it('a persisted rotation that no longer verifies stops the load (fail closed)', async () => {
    const next = nextRoot();
    const env = signRoot(next.doc, [w.rootKeys[0]!, w.rootKeys[1]!, next.rootKeys[0]!, next.rootKeys[1]!]);
    await importIt(w.release('rot.dsse.json', { sequence: 2, root: env }, [next.publisher]));
    const forged = signRoot({ ...next.doc, expires: '2040-01-01T00:00:00Z' }, next.rootKeys);
    writeFileSync(rootFile(w.setup.dataDir, 2), JSON.stringify(forged satisfies DsseEnvelope));
    const e = refusal(() => loadActiveCatalog(w.setup), 'state');
    expect(e.message).toMatch(/root rotation kept in the data folder cannot be verified/);
  });

  it('fast-forward recovery: a rotation resets the publisher floor to its minSequence', async () => {
    // A stolen publisher key signed #1000000 and it was installed.
    await importIt(w.release('ff.dsse.json', { sequence: 1_000_000 }));
    const next = nextRoot(2, 20);
    const env = signRoot(next.doc, [w.rootKeys[0]!, w.rootKeys[1]!, next.rootKeys[0]!, next.rootKeys[1]!]);
    // Below minSequence is refused; at minSequence it is accepted, below the stolen number.
    const low = await refusalOf(
      importIt(w.release('low.dsse.json', { sequence: 19, root: env }, [next.publisher])),
      'rollback',
    );
    expect(low.message).toMatch(
      /is release #19 of the publisher channel; root version 2 accepts only #20 or later/,
    );
    await importIt(w.release('recover.dsse.json', { sequence: 20, root: env }, [next.publisher]));
    expect(loadActiveCatalog(w.setup).provenance).toMatchObject({ sequence: 20, rootVersion: 2 });
    expect(existsSync(rootFile(w.setup.dataDir, 2))).toBe(true);
  });
});
