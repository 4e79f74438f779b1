/**
 * Cross-implementation checks (research §8.6 item 20): a signature made by OpenSSL over Divest's
 * PAE bytes verifies, and the DSSE specification's own test vector (ECDSA P-256) verifies with
 * Divest's PAE and node:crypto.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkSignatures, decodeBase64, pae, verifyPae } from '../../../core/catalog/release/dsse';
import { examine } from '../../../core/catalog/release/import';
import { publicKeyFromPem } from '../../../core/catalog/release/keys';
import { releasePayloadBytes } from '../../../core/catalog/release/publish';
import { RELEASE_PAYLOAD_TYPE } from '../../../core/model/catalog-release';
import { makeRoot, newKey, spec, world, type World } from './helpers';

const FIX = join(__dirname, '../../fixtures/catalog-release');
const read = (f: string): Buffer => readFileSync(join(FIX, f));

describe('OpenSSL signatures (fixture)', () => {
  it('verifies the Ed25519 signature openssl pkeyutl -sign -rawin made over the PAE bytes', () => {
    const payload = read('openssl/payload.bin');
    expect(pae(RELEASE_PAYLOAD_TYPE, payload)).toEqual(read('openssl/pae.bin'));
    const key = publicKeyFromPem(read('openssl/test-key.pub.pem').toString());
    const sig = read('openssl/pae.sig');
    expect(verifyPae(RELEASE_PAYLOAD_TYPE, payload, sig, key.publicKey)).toBe(true);
    const [check] = checkSignatures(
      RELEASE_PAYLOAD_TYPE,
      payload,
      [{ keyid: key.keyid, sig: sig.toString('base64') }],
      [key],
    );
    expect(check).toEqual({ index: 0, kind: 'verified', keyid: key.keyid });
    const flipped = Buffer.from(payload);
    flipped[5] = flipped[5]! ^ 1;
    expect(verifyPae(RELEASE_PAYLOAD_TYPE, flipped, sig, key.publicKey)).toBe(false);
  });
});

describe('OpenSSL signatures (live, a whole release)', () => {
  let w: World;
  beforeEach(() => {
    w = world();
  });
  afterEach(() => w.cleanup());

  const openssl = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  const missing = openssl.status !== 0 ? 'openssl is not installed' : undefined;
  if (missing && process.env.CI === 'true') throw new Error(`CI needs ${missing}`);
  if (missing) console.warn(`skipping the live OpenSSL interop test: ${missing}`);

  it.skipIf(missing !== undefined)('a release signed by OpenSSL with a delegated key is accepted', () => {
    const keyFile = join(FIX, 'openssl/test-key.pem');
    const key = publicKeyFromPem(read('openssl/test-key.pub.pem').toString());
    const rootKeys = [newKey(), newKey(), newKey()];
    w.setup.builtInRoot = makeRoot({
      rootKeys,
      publisherKeys: [{ ...newKey(), keyid: key.keyid, raw: key.raw }],
    });
    const body = releasePayloadBytes(spec());
    const paeFile = join(w.dir, 'pae.bin');
    writeFileSync(paeFile, pae(RELEASE_PAYLOAD_TYPE, body));
    const sig = execFileSync('openssl', ['pkeyutl', '-sign', '-rawin', '-inkey', keyFile, '-in', paeFile]);
    const env = {
      payloadType: RELEASE_PAYLOAD_TYPE,
      payload: body.toString('base64'),
      signatures: [{ keyid: key.keyid, sig: sig.toString('base64') }],
    };
    const x = examine(w.write('openssl.dsse.json', JSON.stringify(env)), w.setup, null);
    expect(x.release.signers).toEqual([{ keyid: key.keyid, role: 'publisher' }]);
  });
});

describe('the DSSE specification test vector', () => {
  const v = JSON.parse(read('dsse-protocol-test-vector.json').toString()) as {
    serializedBody: string;
    payloadType: string;
    pae: string;
    publicKey: { x: string; y: string };
    envelope: { payload: string; payloadType: string; signatures: { sig: string }[] };
  };
  const coord = (d: string): string =>
    Buffer.from(BigInt(d).toString(16).padStart(64, '0'), 'hex').toString('base64url');
  const key = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: coord(v.publicKey.x), y: coord(v.publicKey.y) },
    format: 'jwk',
  });

  it('PAE matches the specification', () => {
    expect(pae(v.payloadType, Buffer.from(v.serializedBody)).toString()).toBe(v.pae);
    expect(decodeBase64(v.envelope.payload)?.toString()).toBe(v.serializedBody);
  });

  it('its signature verifies with node:crypto over our PAE (and fails for another type)', () => {
    const body = decodeBase64(v.envelope.payload)!;
    const sig = decodeBase64(v.envelope.signatures[0]!.sig)!;
    expect(verifyPae(v.envelope.payloadType, body, sig, key)).toBe(true);
    expect(verifyPae('http://example.com/Other', body, sig, key)).toBe(false);
    const checks = checkSignatures(v.envelope.payloadType, body, v.envelope.signatures, [
      { keyid: 'spec', publicKey: key },
    ]);
    expect(checks).toEqual([{ index: 0, kind: 'verified', keyid: 'spec' }]);
  });
});
