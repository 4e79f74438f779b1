/**
 * `divest catalog ...` and `--catalog FILE` through the CLI's own entry point, with this build's
 * development root (core/catalog/release/root.json) and its published test keys.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../../cli/main';
import { privateKeyFromPem } from '../../../core/catalog/release/keys';
import { signRelease } from '../../../core/catalog/release/publish';
import { catalogDoc, newKey, spec, world, type World } from './helpers';

const DEV = join(__dirname, '../../fixtures/catalog-release/dev-keys');
const devPublisher = privateKeyFromPem(readFileSync(join(DEV, 'publisher-1.pem'), 'utf8'));

function sink(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const s = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  }) as Writable & { text: () => string };
  s.text = () => chunks.join('');
  return s;
}

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = sink();
  const err = sink();
  const code = await main(argv, out, err);
  return { code, out: out.text(), err: err.text() };
}

let w: World;
let data: string[];
// Real dates: the CLI uses the system clock.
const issuedAt = new Date(Date.now() - 86_400_000).toISOString();
const expires = new Date(Date.now() + 90 * 86_400_000).toISOString();
beforeEach(() => {
  w = world();
  data = ['--data-dir', w.setup.dataDir];
});
afterEach(() => w.cleanup());

const devRelease = (name: string, over = {}): string =>
  w.write(name, signRelease(spec({ issuedAt, expires, ...over }), [devPublisher]));

describe('divest catalog', () => {
  it('show: the built-in catalog, said to be under a DEVELOPMENT root', async () => {
    const r = await run('catalog', 'show', ...data);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Catalog \d{4}\.\d{2}\.\d{2} #1 \(publisher, built into this Divest\)/);
    expect(r.out).toMatch(
      /DEVELOPMENT ROOT: this build trusts a development root whose private keys are public/,
    );
    const j = JSON.parse((await run('catalog', 'show', '--json', ...data)).out);
    expect(j.provenance).toMatchObject({
      source: 'built-in',
      sequence: 1,
      developmentRoot: true,
      stale: false,
    });
  });

  it('verify: exit 0 with what it is; exit 1 with the sentence when refused', async () => {
    const good = devRelease('good.dsse.json');
    const ok = await run('catalog', 'verify', good, ...data);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(
      /^OK: .*good\.dsse\.json\n {2}publisher release #2 \(catalog 2026\.12\.01\), signed by SHA256:d7abe30f/,
    );
    expect(ok.err).toMatch(/DEVELOPMENT root/);
    const stranger = w.write('s.dsse.json', signRelease(spec({ issuedAt, expires }), [newKey()]));
    const bad = await run('catalog', 'verify', stranger, ...data);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(
      /^REFUSED: .* is signed by SHA256:[0-9a-f]{64}, a key that root version 1 does not delegate/,
    );
    const j = JSON.parse((await run('catalog', 'verify', stranger, '--json', ...data)).out);
    expect(j).toMatchObject({ ok: false, reason: 'untrusted-key' });
  });

  it('import: installs, shows it; refuses a weakening without --accept-weakening', async () => {
    const imp = await run('catalog', 'import', devRelease('r2.dsse.json'), ...data);
    expect(imp.code).toBe(0);
    expect(imp.out).toMatch(/^INSTALLED: /);
    expect((await run('catalog', 'show', ...data)).out).toMatch(
      /#2 \(publisher, installed release\), signed by SHA256:d7abe30f/,
    );
    const cat = catalogDoc('2026.12.09');
    cat.products = cat.products.filter((p) => p.id !== 'kaspersky-free');
    const weak = devRelease('r3.dsse.json', { sequence: 3, catalog: cat });
    const refused = await run('catalog', 'import', weak, ...data);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/would weaken the catalog:\n {2}product "kaspersky-free" is removed/);
    const accepted = await run('catalog', 'import', weak, '--accept-weakening', ...data);
    expect(accepted.code).toBe(0);
    expect(accepted.out).toMatch(/- kaspersky-free/);
    expect(accepted.out).toMatch(/WEAKENING \(1\):\n {6}! product "kaspersky-free" is removed/);
    const log = await run('log', 'show', ...data);
    expect(log.out).toMatch(/catalog\.installed +Catalog 2026\.12\.09 #3 installed \(publisher\)/);
  });

  it('diff A B: releases or plain catalogs', async () => {
    const cat = catalogDoc('2026.12.10');
    cat.products = cat.products.filter((p) => p.id !== 'ultravpn');
    const a = w.write('a.json', JSON.stringify(catalogDoc()));
    const b = devRelease('b.dsse.json', { catalog: cat });
    const r = await run('catalog', 'diff', a, b, ...data);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /Changes from a\.json to b\.dsse\.json \(publisher #2\):\n {2}products:\n {4}- ultravpn/,
    );
  });

  it('trust-agency: journaled, prints the fingerprint; refuses the publisher key', async () => {
    const agency = newKey();
    const pub = w.write('agency.pub.pem', agency.pem.public);
    const r = await run(
      'catalog',
      'trust-agency',
      '--pubkey',
      pub,
      '--name',
      'acme',
      '--require-signature',
      ...data,
    );
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      `Trusted agency "acme": key ${agency.keyid}; publisher releases now need its countersignature.`,
    );
    expect((await run('catalog', 'show', ...data)).out).toContain(
      `agency:    acme ${agency.keyid} (countersignature required)`,
    );
    const refused = await run('catalog', 'import', devRelease('r2.dsse.json'), ...data);
    expect(refused.out).toMatch(/not countersigned by agency "acme"/);
    const devPub = w.write('dev.pub.pem', readFileSync(join(DEV, 'publisher-1.pem'), 'utf8'));
    const bad = await run('catalog', 'trust-agency', '--pubkey', devPub, '--name', 'evil', ...data);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/is a key of the root/);
  });
});

describe('--catalog FILE', () => {
  it('accepts a signed release, refuses an unsigned file unless --unsigned-catalog (with a warning every time)', async () => {
    const host = ['--host-root', w.dir, '--host-os', 'linux'];
    const signed = await run('scan', '--json', '--catalog', devRelease('r2.dsse.json'), ...host, ...data);
    expect(signed.code).toBe(0);
    expect(JSON.parse(signed.out).catalog.version).toBe('2026.12.01');
    const plain = w.write('plain.json', JSON.stringify(catalogDoc('2026.12.11')));
    const refused = await run('scan', '--json', '--catalog', plain, ...host, ...data);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/plain\.json is not a DSSE envelope/);
    // The warning goes to the command's own err stream, every time.
    for (let i = 1; i <= 2; i++) {
      const dev = await run('scan', '--json', '--catalog', plain, '--unsigned-catalog', ...host, ...data);
      expect(dev.code).toBe(0);
      expect(JSON.parse(dev.out).catalog.version).toBe('2026.12.11');
      const warnings = dev.err.split('\n').filter((t) => t.includes('--unsigned-catalog'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(
        /WARNING: --unsigned-catalog: using the UNSIGNED catalog file .*plain\.json/,
      );
    }
    const usage = await run('scan', '--unsigned-catalog', ...host, ...data);
    expect(usage.code).toBe(2);
    expect(usage.err).toMatch(/--unsigned-catalog needs --catalog FILE/);
  });
});
