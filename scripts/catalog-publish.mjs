#!/usr/bin/env node
// Builds and signs catalog releases, offline (the publisher's and agencies' tool). It never touches
// the network and never stores a key: keys are PKCS#8 PEM files given on the command line.
//
//   node scripts/catalog-publish.mjs release --key PUBLISHER.pem [--key ...] [--sequence N]
//        [--expires-days 180 | --expires ISO] [--issued-at ISO] [--min-app-version V]
//        [--root ROOT.dsse.json] [--catalog-dir catalog] [--out DIR]
//     The full catalog of catalog/*.json as a publisher release: writes
//     DIR/divest-catalog-<version>.dsse.json. --sequence defaults to catalog/meta.json's "sequence"
//     (which must then be higher than any release published before).
//   node scripts/catalog-publish.mjs overlay OVERLAY.json --name SLUG --key AGENCY.pem --sequence N
//        [--expires-days D] [--out DIR]
//     An agency overlay (divest.catalog-overlay/1: references, vendors, directives, products,
//     exceptions; every id starts with agency-SLUG-).
//   node scripts/catalog-publish.mjs countersign RELEASE.dsse.json --key AGENCY.pem [--out FILE]
//     Adds an agency's signature over a publisher release's payload, unchanged.
//   node scripts/catalog-publish.mjs sign-root ROOT.json --key OLD_ROOT.pem ... --key NEW_ROOT.pem ...
//        [--out FILE]
//     Signs root version N+1 (a threshold of version N's root keys and of its own) for rotation.
//   node scripts/catalog-publish.mjs keygen --out DIR --name NAME
//     A new Ed25519 key pair: DIR/NAME.pem (private, mode 0600) and DIR/NAME.pub.pem; prints the
//     fingerprint.
//
// The signing code is the app's own (core/catalog/release/publish.ts), loaded through tsx.
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { register } from 'tsx/esm/api';

register();
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const publish = await import(path.join(repo, 'core/catalog/release/publish.ts'));
const keys = await import(path.join(repo, 'core/catalog/release/keys.ts'));
const load = await import(path.join(repo, 'core/catalog/load.ts'));
const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8'));

const DAY = 86_400_000;

function fail(message) {
  console.error(`catalog-publish: ${message}`);
  process.exit(1);
}

function privateKeys(files) {
  if (!files?.length) fail('give at least one --key FILE.pem (PKCS#8 PEM)');
  return files.map((f) => {
    try {
      return keys.privateKeyFromPem(readFileSync(f, 'utf8'));
    } catch (e) {
      fail(`${f}: ${e.message}`);
    }
  });
}

function dates(v) {
  const issuedAt = v['issued-at'] ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const days = Number(v['expires-days'] ?? 180);
  if (!Number.isFinite(days) || days <= 0) fail('--expires-days must be a positive number');
  const expires =
    v.expires ?? new Date(Date.parse(issuedAt) + days * DAY).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return { issuedAt, expires };
}

function write(file, envelope, what) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, publish.serializeEnvelope(envelope));
  console.log(`${what}: ${file}`);
  for (const s of envelope.signatures) console.log(`  signed by ${s.keyid}`);
}

function release(v) {
  const dir = path.resolve(v['catalog-dir'] ?? path.join(repo, 'catalog'));
  const read = (f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
  const { sequence: metaSequence, ...meta } = read('meta.json');
  const catalog = {
    ...meta,
    references: read('references.json'),
    vendors: read('vendors.json'),
    directives: read('directives.json'),
    products: read('products.json'),
  };
  // The same validation the app applies: a catalog the app would refuse is never signed.
  load.validateCatalog(catalog, dir, (section) => path.join(dir, `${section || 'meta'}.json`));
  const sequence = Number(v.sequence ?? metaSequence);
  if (!Number.isSafeInteger(sequence) || sequence < 1)
    fail('--sequence (or meta.json "sequence") must be a whole number ≥ 1');
  const root = v.root ? JSON.parse(readFileSync(v.root, 'utf8')) : null;
  const spec = {
    channel: 'publisher',
    sequence,
    ...dates(v),
    minAppVersion: v['min-app-version'] ?? pkg.version,
    catalog,
    root,
  };
  const env = publish.signRelease(spec, privateKeys(v.key));
  write(
    path.join(path.resolve(v.out ?? '.'), publish.releaseFileName('publisher', catalog.version)),
    env,
    `catalog ${catalog.version} #${sequence}`,
  );
}

function overlay(v, file) {
  if (!file) fail('overlay needs the overlay JSON file');
  if (!v.name) fail('overlay needs --name SLUG');
  const body = JSON.parse(readFileSync(file, 'utf8'));
  const { schema: _schema, ...content } = body;
  const sequence = Number(v.sequence);
  if (!Number.isSafeInteger(sequence) || sequence < 1)
    fail('overlay needs --sequence N (higher than the last one)');
  const channel = `agency:${v.name}`;
  const spec = {
    channel,
    sequence,
    ...dates(v),
    minAppVersion: v['min-app-version'] ?? pkg.version,
    overlay: content,
  };
  const env = publish.signRelease(spec, privateKeys(v.key));
  write(
    path.join(path.resolve(v.out ?? '.'), publish.releaseFileName(channel, content.version)),
    env,
    `overlay ${v.name} ${content.version} #${sequence}`,
  );
}

function countersign(v, file) {
  if (!file) fail('countersign needs the release file');
  const env = publish.countersign(JSON.parse(readFileSync(file, 'utf8')), privateKeys(v.key));
  write(path.resolve(v.out ?? file), env, 'countersigned');
}

function signRoot(v, file) {
  if (!file) fail('sign-root needs the root document (JSON)');
  const root = JSON.parse(readFileSync(file, 'utf8'));
  const env = publish.signRoot(root, privateKeys(v.key));
  write(path.resolve(v.out ?? `root-${root.version}.dsse.json`), env, `root version ${root.version}`);
}

function keygen(v) {
  if (!v.out || !v.name) fail('keygen needs --out DIR and --name NAME');
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  mkdirSync(v.out, { recursive: true });
  const priv = path.join(v.out, `${v.name}.pem`);
  writeFileSync(priv, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
  writeFileSync(path.join(v.out, `${v.name}.pub.pem`), publicKey.export({ format: 'pem', type: 'spki' }), {
    flag: 'wx',
  });
  const pub = keys.publicKeyFromPem(publicKey.export({ format: 'pem', type: 'spki' }).toString());
  console.log(`${priv}: ${pub.keyid}\n  raw public key (base64, for a root document): ${pub.raw}`);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    key: { type: 'string', multiple: true },
    sequence: { type: 'string' },
    'expires-days': { type: 'string' },
    expires: { type: 'string' },
    'issued-at': { type: 'string' },
    'min-app-version': { type: 'string' },
    root: { type: 'string' },
    'catalog-dir': { type: 'string' },
    out: { type: 'string' },
    name: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
const [mode, file] = positionals;
if (values.help || !mode) {
  console.log(
    readFileSync(fileURLToPath(import.meta.url), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('//'))
      .slice(0, 26)
      .map((l) => l.slice(3))
      .join('\n'),
  );
  process.exit(mode || values.help ? 0 : 2);
}
const modes = { release, overlay, countersign, 'sign-root': signRoot, keygen };
if (!Object.hasOwn(modes, mode))
  fail(`unknown mode "${mode}" (release, overlay, countersign, sign-root, keygen)`);
try {
  modes[mode](values, file);
} catch (e) {
  fail(e.message);
}
