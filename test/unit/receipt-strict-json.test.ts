/**
 * A receipt whose JSON repeats a key is refused: JSON.parse keeps the last copy, other parsers the
 * first, so the same file would say two different things to two programs.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { findDuplicateKey } from '../../core/receipt/strict-json';
import { fingerprintOf, rawPublicKey, type SigningKey } from '../../core/receipt/keys';
import { buildReceipt, serializeReceipt, signReceipt } from '../../core/receipt/sign';
import { verifyReceipt } from '../../core/receipt/verify';
import { cleanScanInput } from '../helpers/receipts';

function key(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = rawPublicKey(publicKey);
  return { privateKey, publicKey, publicKeyRaw: raw, fingerprint: fingerprintOf(raw), file: '(memory)' };
}

const receiptText = serializeReceipt(signReceipt(buildReceipt(cleanScanInput()), key()));

describe('duplicate keys', () => {
  it('the signed receipt as written has none and verifies', () => {
    expect(findDuplicateKey(receiptText)).toBeUndefined();
    expect(verifyReceipt(receiptText).valid).toBe(true);
  });

  it('a repeated top-level key is refused, naming it, even though JSON.parse would accept the file', () => {
    const twice = receiptText.replace('"kind": "scan"', '"kind": "removal",\n  "kind": "scan"');
    expect(() => JSON.parse(twice) as unknown).not.toThrow();
    const v = verifyReceipt(twice);
    expect(v.valid).toBe(false);
    expect(v.problems[0]).toMatch(/the key "kind" appears twice in \(top level\)/);
  });

  it('a repeated key hidden by an escape, inside a nested object, is found with its path', () => {
    const hidden = receiptText.replace(
      '"algorithm": "Ed25519"',
      '"algorithm": "Ed25519", "\\u0061lgorithm": "Ed25519"',
    );
    expect(verifyReceipt(hidden).problems[0]).toMatch(/the key "algorithm" appears twice in signature/);
    expect(findDuplicateKey('{"a":[{"x":1},{"x":2,"y":{"z":1,"z":2}}]}')).toMatchObject({
      key: 'z',
      path: 'a[1].y',
    });
  });

  it('the same key in different objects, and look-alike text inside strings, are not duplicates', () => {
    expect(findDuplicateKey('{"a":{"k":1},"b":{"k":2},"c":"\\"k\\": 3, \\"k\\": 4"}')).toBeUndefined();
  });
});
