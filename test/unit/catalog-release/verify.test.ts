/**
 * Attack tests on a single release (research fleet-and-updates §8.6, items 1–5, 8–12, 15, 16): each
 * is refused, with its reason and a sentence that names it. Pure Node, injected clock.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { examine, examineRelease } from '../../../core/catalog/release/import';
import { pae, verifyPae, decodeBase64 } from '../../../core/catalog/release/dsse';
import {
  countersign,
  releasePayloadBytes,
  signPayloadBytes,
  signRelease,
} from '../../../core/catalog/release/publish';
import { readBounded } from '../../../core/catalog/release/store';
import { compareVersions } from '../../../core/catalog/release/verify';
import { RELEASE_PAYLOAD_TYPE, type DsseEnvelope } from '../../../core/model/catalog-release';
import { catalogDoc, newKey, refusal, spec, world, type World } from './helpers';

let w: World;
beforeEach(() => {
  w = world();
});
afterEach(() => w.cleanup());

const check = (file: string): ReturnType<typeof examine> => examine(file, w.setup, null);

describe('a good release', () => {
  it('verifies: signer, sequence, payload digest, diff from the built-in catalog', async () => {
    const file = w.release('good.dsse.json', { catalog: catalogDoc('2026.12.01') });
    const x = await examineRelease(file, w.setup, w.journal);
    expect(x.release.payload.sequence).toBe(2);
    expect(x.release.signers).toEqual([{ keyid: w.publisher.keyid, role: 'publisher' }]);
    expect(x.release.payloadSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(x.diff.weakening).toEqual([]);
    expect(x.release.stale).toBe(false);
  });

  it('accepts URL-safe base64 as DSSE requires', () => {
    const env = signRelease(spec(), [w.publisher]);
    const urlSafe: DsseEnvelope = {
      ...env,
      payload: Buffer.from(env.payload, 'base64').toString('base64url'),
      signatures: env.signatures.map((s) => ({
        ...s,
        sig: Buffer.from(s.sig, 'base64').toString('base64url'),
      })),
    };
    expect(check(w.write('url.dsse.json', urlSafe)).release.payload.sequence).toBe(2);
  });
});

describe('signatures', () => {
  it('1. refuses an envelope with no signature, and one whose signatures were stripped', () => {
    const env = signRelease(spec(), [w.publisher]);
    const e = refusal(() => check(w.write('bare.dsse.json', { ...env, signatures: [] })), 'untrusted-key');
    expect(e.message).toMatch(/carries no signature/);
  });

  it('2. refuses a valid signature by a key the root does not delegate, naming its fingerprint', () => {
    const stranger = newKey();
    const file = w.release('stranger.dsse.json', {}, [stranger]);
    const e = refusal(() => check(file), 'untrusted-key');
    expect(e.message).toContain(stranger.keyid);
    expect(e.message).toMatch(/root version 1 does not delegate for the publisher channel/);
  });

  it('3. refuses a payload with one byte flipped', () => {
    const env = signRelease(spec(), [w.publisher]);
    const bytes = Buffer.from(env.payload, 'base64');
    const at = bytes.indexOf('"sequence":2') + '"sequence":'.length;
    bytes[at] = '3'.charCodeAt(0);
    const e = refusal(
      () => check(w.write('flip.dsse.json', { ...env, payload: bytes.toString('base64') })),
      'bad-signature',
    );
    expect(e.message).toContain(w.publisher.keyid);
    expect(e.message).toMatch(/does not verify over this payload/);
  });

  it('4. refuses a changed payloadType, and PAE binds the type into the signature', () => {
    const env = signRelease(spec(), [w.publisher]);
    const e = refusal(
      () => check(w.write('type.dsse.json', { ...env, payloadType: 'application/json' })),
      'payload-type',
    );
    expect(e.message).toContain('"application/json"');
    const body = Buffer.from(env.payload, 'base64');
    const sig = Buffer.from(env.signatures[0]!.sig, 'base64');
    expect(verifyPae(RELEASE_PAYLOAD_TYPE, body, sig, w.publisher.privateKey)).toBe(true);
    expect(verifyPae('application/vnd.divest.catalog-root+json', body, sig, w.publisher.privateKey)).toBe(
      false,
    );
  });

  it('5. refuses a signature moved from another release (mix-and-match)', () => {
    const a = signRelease(spec({ sequence: 2 }), [w.publisher]);
    const b = signRelease(spec({ sequence: 3 }), [w.publisher]);
    const e = refusal(
      () => check(w.write('mixed.dsse.json', { ...b, signatures: a.signatures })),
      'bad-signature',
    );
    expect(e.message).toMatch(/belongs to another release/);
  });

  it('12. counts two signatures by one key once: a 2-of-2 publisher threshold is not met', () => {
    const second = newKey();
    w.setup.builtInRoot = w.root = {
      ...w.root,
      keys: [...w.root.keys, { keyid: second.keyid, publicKey: second.raw, name: 'publisher 2' }],
      roles: {
        ...w.root.roles,
        publisher: { keyids: [w.publisher.keyid, second.keyid], threshold: 2, minSequence: 0 },
      },
    };
    const twice = w.release('twice.dsse.json', {}, [w.publisher, w.publisher]);
    const e = refusal(() => check(twice), 'threshold');
    expect(e.message).toMatch(/1 valid signature by distinct publisher keys; 2 are needed/);
    expect(check(w.release('both.dsse.json', {}, [w.publisher, second])).release.signers).toHaveLength(2);
  });

  it('refuses a root key signing a catalog (root keys sign roots only)', () => {
    const e = refusal(() => check(w.release('root-signed.dsse.json', {}, [w.rootKeys[0]!])), 'cross-role');
    expect(e.message).toMatch(/root keys sign roots, not catalogs/);
  });

  it('refuses a signature that is not strict base64 (a parser differential)', () => {
    const env = signRelease(spec(), [w.publisher]);
    const sig = `${env.signatures[0]!.sig.slice(0, 10)}!${env.signatures[0]!.sig.slice(10)}`;
    const bad = { ...env, signatures: [{ ...env.signatures[0]!, sig }] };
    refusal(() => check(w.write('b64.dsse.json', bad)), 'bad-signature');
    expect(decodeBase64('aGk=')?.toString()).toBe('hi');
    expect(decodeBase64('aGl=')).toBeUndefined(); // non-zero padding bits
    expect(decodeBase64('aG k=')).toBeUndefined();
  });
});

describe('time', () => {
  it('8. refuses a release that has already expired', () => {
    const file = w.release('old.dsse.json', {
      issuedAt: '2026-06-01T00:00:00Z',
      expires: '2027-01-01T00:00:00Z',
    });
    const e = refusal(() => check(file), 'expired');
    expect(e.message).toMatch(/expired on 2027-01-01T00:00:00Z/);
  });

  it('9. refuses issuedAt more than 24 hours in the future, accepts within the margin', () => {
    const far = w.release('future.dsse.json', {
      issuedAt: '2027-01-11T13:00:00Z',
      expires: '2027-08-01T00:00:00Z',
    });
    const e = refusal(() => check(far), 'future');
    expect(e.message).toMatch(/more than 24 hours after now/);
    const near = w.release('near.dsse.json', {
      issuedAt: '2027-01-11T11:00:00Z',
      expires: '2027-08-01T00:00:00Z',
    });
    expect(check(near).release.payload.issuedAt).toBe('2027-01-11T11:00:00Z');
  });

  it('refuses a release that expires before it was issued', () => {
    const file = w.release('inv.dsse.json', {
      issuedAt: '2027-01-02T00:00:00Z',
      expires: '2027-01-01T00:00:00Z',
    });
    refusal(() => check(file), 'invalid');
  });

  it('refuses when the trusted root itself has expired', () => {
    w.setup.builtInRoot = { ...w.root, expires: '2027-01-01T00:00:00Z' };
    const e = refusal(() => check(w.release('r.dsse.json')), 'root-expired');
    expect(e.message).toMatch(/root version 1 expired/);
  });
});

describe('content', () => {
  it('10. refuses duplicate JSON keys in the envelope and in the payload', () => {
    const env = signRelease(spec(), [w.publisher]);
    const text = JSON.stringify(env).replace('{"payloadType"', '{"payloadType":"x","payloadType"');
    const e = refusal(() => check(w.write('dup-env.dsse.json', text)), 'duplicate-key');
    expect(e.message).toMatch(/repeats the key "payloadType"/);
    const body = releasePayloadBytes(spec()).toString().replace('"sequence":2', '"sequence":2,"sequence":9');
    const dupPayload = signPayloadBytes(Buffer.from(body), [w.publisher]);
    const e2 = refusal(() => check(w.write('dup-payload.dsse.json', dupPayload)), 'duplicate-key');
    expect(e2.message).toMatch(/signed payload\) repeats the key "sequence"/);
  });

  it('11. refuses a 1 GiB file before reading it (a sparse file)', () => {
    const file = join(w.dir, 'huge.dsse.json');
    writeFileSync(file, '');
    truncateSync(file, 1024 ** 3);
    const t = performance.now();
    const e = refusal(() => readBounded(file), 'too-large');
    expect(performance.now() - t).toBeLessThan(200);
    expect(e.message).toMatch(/is 1 GiB \(1073741824 bytes\), over the 8 MiB limit/);
    refusal(() => check(file), 'too-large');
  });

  it('15. refuses minAppVersion above this app: "needs Divest ≥ X"', () => {
    const e = refusal(() => check(w.release('new-app.dsse.json', { minAppVersion: '0.3.0' })), 'app-too-old');
    expect(e.message).toMatch(/needs Divest ≥ 0\.3\.0; this is Divest 0\.1\.0/);
    expect(compareVersions('0.1.0', '0.1.0-beta')).toBeGreaterThan(0);
    expect(compareVersions('0.10.0', '0.9.9')).toBeGreaterThan(0);
  });

  it('16. refuses a validly signed but invalid catalog, naming the problems as the catalog loader does', () => {
    const cat = catalogDoc();
    const kts = cat.products.find((p) => p.id === 'kaspersky-total-security')!;
    kts.signatures.windows!.displayNames[0]!.re = '(';
    cat.products.find((p) => p.id === 'kaspersky-free')!.directives.push('bod-99-99');
    const e = refusal(() => check(w.release('bad-cat.dsse.json', { catalog: cat })), 'invalid');
    expect(e.message).toMatch(/is validly signed, but its catalog is not valid \(2 problems\)/);
    expect(e.problems.join('\n')).toContain('product "kaspersky-total-security"');
    expect(e.problems.join('\n')).toContain('signatures.windows.displayNames[0].re');
    expect(e.problems.join('\n')).toContain('unknown directive "bod-99-99"');
  });

  it('refuses a catalogVersion that is not the catalog version', () => {
    const body = JSON.parse(releasePayloadBytes(spec()).toString()) as Record<string, unknown>;
    body.catalogVersion = '2099.01.01';
    const env = signPayloadBytes(Buffer.from(JSON.stringify(body)), [w.publisher]);
    const e = refusal(() => check(w.write('ver.dsse.json', env)), 'invalid');
    expect(e.message).toMatch(/catalogVersion "2099\.01\.01" is not the catalog's version "2026\.12\.01"/);
  });

  it('refuses text that is not UTF-8, not JSON, or not an envelope', () => {
    const bin = refusal(
      () => check(w.write('bin.dsse.json', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))),
      'malformed',
    );
    expect(bin.message).toMatch(/is not UTF-8 text/);
    refusal(() => check(w.write('nojson.dsse.json', '{"payload":')), 'malformed');
    const e = refusal(() => check(w.write('obj.dsse.json', '{"hello":1}')), 'malformed');
    expect(e.message).toMatch(/is not a DSSE envelope/);
  });

  it('PAE is the DSSE encoding', () => {
    expect(pae('http://example.com/HelloWorld', Buffer.from('hello world')).toString()).toBe(
      'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
    );
  });

  it('an agency countersignature on a publisher release is credited, not required', () => {
    const env = countersign(signRelease(spec(), [w.publisher]), [newKey()]);
    expect(check(w.write('cs.dsse.json', env)).release.signers).toEqual([
      { keyid: w.publisher.keyid, role: 'publisher' },
    ]);
  });
});
