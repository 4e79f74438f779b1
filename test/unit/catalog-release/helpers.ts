/**
 * Test roots, keys and releases for the catalog-release tests: every key is made here, at run
 * time (never a production key), and roots are injected through CatalogSetup.builtInRoot.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtInCatalogInput } from '../../../core/catalog/builtin-source';
import { loadBuiltInCatalog } from '../../../core/catalog/load';
import type { CatalogSetup } from '../../../core/catalog/release/active';
import { keyFromRaw, type CatalogPrivateKey } from '../../../core/catalog/release/keys';
import { ReleaseRefused, type RefusalReason } from '../../../core/catalog/release/refusal';
import { serializeEnvelope, signRelease, type ReleaseSpec } from '../../../core/catalog/release/publish';
import { parseRoot } from '../../../core/catalog/release/root';
import { journalPath, openJournal, type Journal } from '../../../core/journal/journal';
import type { Catalog } from '../../../core/model/catalog';
import type { DsseEnvelope, RootDocument } from '../../../core/model/catalog-release';
import { rawPublicKey } from '../../../core/receipt/keys';

export interface TestKey extends CatalogPrivateKey {
  raw: string;
  pem: { private: string; public: string };
}

/** A fresh Ed25519 key. */
export function newKey(): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = rawPublicKey(publicKey).toString('base64');
  return {
    keyid: keyFromRaw(raw).keyid,
    privateKey,
    raw,
    pem: {
      private: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      public: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    },
  };
}

/** A root document over these keys. */
export function makeRoot(o: {
  version?: number;
  rootKeys: TestKey[];
  rootThreshold?: number;
  publisherKeys: TestKey[];
  publisherThreshold?: number;
  minSequence?: number;
  expires?: string;
}): RootDocument {
  const all = [...o.rootKeys, ...o.publisherKeys];
  return parseRoot(
    {
      schema: 'divest.catalog-root/1',
      version: o.version ?? 1,
      issuedAt: '2026-01-01T00:00:00Z',
      expires: o.expires ?? '2031-01-01T00:00:00Z',
      keys: all.map((k, i) => ({ keyid: k.keyid, publicKey: k.raw, name: `test key ${i + 1}` })),
      roles: {
        root: { keyids: o.rootKeys.map((k) => k.keyid), threshold: o.rootThreshold ?? 2 },
        publisher: {
          keyids: o.publisherKeys.map((k) => k.keyid),
          threshold: o.publisherThreshold ?? 1,
          minSequence: o.minSequence ?? 0,
        },
      },
    },
    'test root',
  );
}

/** The built-in catalog as a document (what a release carries). */
export function catalogDoc(version = '2026.12.01'): Catalog & Record<string, unknown> {
  return { ...(structuredClone(builtInCatalogInput()) as Catalog), version } as Catalog &
    Record<string, unknown>;
}

/** The moment the tests' machine thinks it is. */
export const NOW = new Date('2027-01-10T12:00:00Z');

/** A publisher release spec with sensible dates around NOW. */
export function spec(over: Partial<ReleaseSpec> = {}): ReleaseSpec {
  return {
    channel: 'publisher',
    sequence: 2,
    issuedAt: '2027-01-01T00:00:00Z',
    expires: '2027-07-01T00:00:00Z',
    minAppVersion: '0.1.0',
    catalog: catalogDoc(),
    ...over,
  };
}

export interface World {
  dir: string;
  rootKeys: TestKey[];
  publisher: TestKey;
  root: RootDocument;
  journal: Journal;
  now: { value: Date };
  setup: CatalogSetup;
  /** Writes an envelope to a file in the test folder; returns its path. */
  write(name: string, envelope: DsseEnvelope | string | Buffer): string;
  /** Signs a release with the publisher key (or the keys given) and writes it. */
  release(name: string, over?: Partial<ReleaseSpec>, keys?: CatalogPrivateKey[]): string;
  cleanup(): void;
}

const builtIn = loadBuiltInCatalog();

/** A data folder, a test root (2 of 3 root keys, 1 publisher key), a journal and a clock. */
export function world(): World {
  const dir = mkdtempSync(join(tmpdir(), 'divest-release-'));
  const rootKeys = [newKey(), newKey(), newKey()];
  const publisher = newKey();
  const root = makeRoot({ rootKeys, publisherKeys: [publisher] });
  const now = { value: NOW };
  const dataDir = join(dir, 'data');
  const w: World = {
    dir,
    rootKeys,
    publisher,
    root,
    journal: openJournal(journalPath(dataDir)),
    now,
    setup: { dataDir, appVersion: '0.1.0', now: () => now.value, builtInRoot: root, builtIn },
    write(name, envelope) {
      const file = join(dir, name);
      writeFileSync(
        file,
        typeof envelope === 'string' || Buffer.isBuffer(envelope) ? envelope : serializeEnvelope(envelope),
      );
      return file;
    },
    release(name, over = {}, keys = [publisher]) {
      return w.write(name, signRelease(spec(over), keys));
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
  return w;
}

/** Runs `fn`, expecting a refusal with this reason; returns it. */
export function refusal(fn: () => unknown, reason: RefusalReason): ReleaseRefused {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ReleaseRefused)) throw e;
    if (e.reason !== reason) throw new Error(`expected refusal "${reason}", got "${e.reason}": ${e.message}`);
    return e;
  }
  throw new Error(`expected refusal "${reason}", but it was accepted`);
}

/** The async form of {@link refusal}. */
export async function refusalOf(p: Promise<unknown>, reason: RefusalReason): Promise<ReleaseRefused> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof ReleaseRefused)) throw e;
    if (e.reason !== reason) throw new Error(`expected refusal "${reason}", got "${e.reason}": ${e.message}`);
    return e;
  }
  throw new Error(`expected refusal "${reason}", but it was accepted`);
}
