/**
 * scripts/catalog-publish.mjs, as a publisher and an agency use it: key files on the command line,
 * releases out, and the app's own checks accept them (this build's development root and its
 * published test keys).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { examine } from '../../../core/catalog/release/import';
import { trustAgency } from '../../../core/catalog/release/trust';
import { builtInRoot } from '../../../core/catalog/release/root';
import { world, type World } from './helpers';

const REPO = join(__dirname, '../../..');
const SCRIPT = join(REPO, 'scripts/catalog-publish.mjs');
const DEV = join(REPO, 'test/fixtures/catalog-release/dev-keys');
const publish = (...args: string[]): string =>
  execFileSync(process.execPath, [SCRIPT, ...args], { cwd: REPO, encoding: 'utf8' });

let w: World;
beforeEach(() => {
  w = world();
  w.setup.builtInRoot = builtInRoot();
});
afterEach(() => w.cleanup());

const issued = new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('catalog-publish.mjs', () => {
  it('release: signs catalog/*.json with the key given; Divest verifies it', () => {
    const out = publish(
      'release',
      '--key',
      join(DEV, 'publisher-1.pem'),
      '--sequence',
      '7',
      '--issued-at',
      issued,
      '--expires-days',
      '30',
      '--out',
      w.dir,
    );
    const name = readdirSync(w.dir).find((n) =>
      /^divest-catalog-\d{4}\.\d{2}\.\d{2}(\.\d+)?\.dsse\.json$/.test(n),
    )!;
    expect(out).toContain(`#7: ${join(w.dir, name)}`);
    w.now.value = new Date();
    const x = examine(join(w.dir, name), w.setup, null);
    expect(x.release.payload).toMatchObject({ channel: 'publisher', sequence: 7, minAppVersion: '0.1.0' });
    expect(x.diff.weakening).toEqual([]);
  });

  it('refuses to run without a key, and with a key that is not Ed25519 PKCS#8', () => {
    const none = spawnSync(process.execPath, [SCRIPT, 'release', '--out', w.dir], {
      cwd: REPO,
      encoding: 'utf8',
    });
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/give at least one --key FILE\.pem/);
    const bad = spawnSync(
      process.execPath,
      [SCRIPT, 'release', '--key', join(REPO, 'package.json'), '--out', w.dir],
      { cwd: REPO, encoding: 'utf8' },
    );
    expect(bad.status).toBe(1);
  });

  it('keygen, overlay and countersign: an agency signs its overlay and countersigns a release', async () => {
    publish('keygen', '--out', w.dir, '--name', 'acme');
    expect(statSync(join(w.dir, 'acme.pem')).mode & 0o777).toBe(0o600);
    await trustAgency({
      dataDir: w.setup.dataDir,
      journal: w.journal,
      root: w.setup.builtInRoot!,
      pem: readFileSync(join(w.dir, 'acme.pub.pem'), 'utf8'),
      slug: 'acme',
      requireAgencySignature: true,
      now: new Date(),
    });
    const overlayFile = w.write('overlay.json', JSON.stringify({ version: '2027.01.01', exceptions: [] }));
    publish(
      'overlay',
      overlayFile,
      '--name',
      'acme',
      '--key',
      join(w.dir, 'acme.pem'),
      '--sequence',
      '1',
      '--issued-at',
      issued,
      '--out',
      w.dir,
    );
    w.now.value = new Date();
    const ov = examine(join(w.dir, 'divest-overlay-acme-2027.01.01.dsse.json'), w.setup, null);
    expect(ov.release.signers[0]).toMatchObject({ role: 'agency', agency: 'acme' });
    publish(
      'release',
      '--key',
      join(DEV, 'publisher-1.pem'),
      '--sequence',
      '8',
      '--issued-at',
      issued,
      '--out',
      join(w.dir, 'pub'),
    );
    const rel = join(w.dir, 'pub', readdirSync(join(w.dir, 'pub'))[0]!);
    expect(() => examine(rel, w.setup, null)).toThrow(/not countersigned by agency "acme"/);
    publish('countersign', rel, '--key', join(w.dir, 'acme.pem'));
    expect(examine(rel, w.setup, null).release.signers.map((s) => s.role)).toEqual(['publisher', 'agency']);
  });
});
