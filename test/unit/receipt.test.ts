import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLog } from '../../core/journal/log';
import {
  SigningKeyError,
  fingerprintOf,
  loadOrCreateSigningKey,
  signingKeyPath,
  type SigningKey,
} from '../../core/receipt/keys.js';
import { renderReceiptHtml } from '../../core/receipt/render-html.js';
import { Receipt, RECEIPT_SCHEMA } from '../../core/model/receipt';
import {
  buildReceipt,
  journalRef,
  serializeReceipt,
  signReceipt,
  signingBytes,
} from '../../core/receipt/sign';
import { SIGNATURE_MISMATCH, verifyReceipt } from '../../core/receipt/verify';
import { cleanScanInput, removalInput } from '../helpers/receipts';

const posix = process.platform !== 'win32';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'divest-receipt-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function key(name = 'a'): SigningKey {
  return loadOrCreateSigningKey(join(dir, name));
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path to a string, number or boolean leaf. */
function leaves(value: Json, path: Array<string | number> = []): Array<Array<string | number>> {
  if (value === null) return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, [...path, i]));
  if (typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]));
  return [path];
}

/** Changes one character within its class, so most edits keep the field well-formed. */
function mutateString(s: string): string {
  const i = s.search(/[A-Za-z0-9]/);
  if (i === -1) return `${s}x`;
  const c = s.charAt(i);
  const next = /[0-9]/.test(c)
    ? String((Number(c) + 1) % 10)
    : /[a-f]/.test(c)
      ? c === 'f'
        ? 'a'
        : String.fromCharCode(c.charCodeAt(0) + 1)
      : /[A-Z]/.test(c)
        ? c === 'Z'
          ? 'A'
          : String.fromCharCode(c.charCodeAt(0) + 1)
        : c === 'z'
          ? 'g'
          : String.fromCharCode(c.charCodeAt(0) + 1);
  return s.slice(0, i) + next + s.slice(i + 1);
}

function edited(doc: Json, path: Array<string | number>): Json {
  const copy = structuredClone(doc);
  let node: Json = copy;
  for (const p of path.slice(0, -1)) node = (node as Record<string | number, Json>)[p] as Json;
  const last = path[path.length - 1] as string | number;
  const holder = node as Record<string | number, Json>;
  const v = holder[last];
  holder[last] = typeof v === 'string' ? mutateString(v) : typeof v === 'number' ? v + 1 : !v;
  return copy;
}

describe('receipt keys', () => {
  it('creates an Ed25519 key on first use, private 0600 in a 0700 directory, and reuses it', () => {
    const k = key();
    const file = signingKeyPath(join(dir, 'a'));
    expect(k.file).toBe(file);
    expect(readFileSync(file, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(existsSync(join(dir, 'a', 'keys', 'receipt-signing.pub'))).toBe(true);
    expect(k.publicKeyRaw).toHaveLength(32);
    expect(k.fingerprint).toMatch(/^SHA256:[0-9a-f]{64}$/);
    expect(k.fingerprint).toBe(fingerprintOf(k.publicKeyRaw));
    if (posix) {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'a', 'keys')).mode & 0o777).toBe(0o700);
    }
    expect(key().fingerprint).toBe(k.fingerprint);
    expect(key('b').fingerprint).not.toBe(k.fingerprint);
  });

  it.runIf(posix)('refuses a private key file that others can read, naming the file and the fix', () => {
    key();
    const file = signingKeyPath(join(dir, 'a'));
    chmodSync(file, 0o644);
    expect(() => key()).toThrow(SigningKeyError);
    expect(() => key()).toThrow(
      new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*mode 0644.*chmod 600`),
    );
    chmodSync(file, 0o640);
    expect(() => key()).toThrow(/mode 0640/);
    chmodSync(file, 0o600);
    expect(() => key()).not.toThrow();
  });

  it('refuses a key file that is not a private key', async () => {
    key();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(signingKeyPath(join(dir, 'a')), 'garbage', { mode: 0o600 });
    expect(() => key()).toThrow(/not a readable private key/);
  });
});

describe('receipt signing and verification', () => {
  it('round-trips: build, sign, serialise, verify', () => {
    const k = key();
    const unsigned = buildReceipt(removalInput());
    expect(unsigned.schema).toBe(RECEIPT_SCHEMA);
    expect(unsigned.kind).toBe('removal');
    expect(unsigned.id).toMatch(/^[0-9a-f-]{36}$/);
    const receipt = signReceipt(unsigned, k);
    expect(receipt.signature.algorithm).toBe('Ed25519');
    expect(Buffer.from(receipt.signature.publicKey, 'base64').equals(k.publicKeyRaw)).toBe(true);
    expect(receipt.signature.keyFingerprint).toBe(k.fingerprint);

    const text = serializeReceipt(receipt);
    const result = verifyReceipt(text);
    expect(result.problems).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.fingerprint).toBe(k.fingerprint);
    expect(result.receipt).toEqual(receipt);
    expect(verifyReceipt(text, { expectedFingerprint: k.fingerprint }).valid).toBe(true);
  });

  it('signs the RFC 8785 canonical JSON, so formatting and key order do not matter', () => {
    const receipt = signReceipt(buildReceipt(removalInput()), key());
    const reordered = Object.fromEntries(Object.entries(receipt).reverse());
    expect(verifyReceipt(JSON.stringify(reordered)).valid).toBe(true);
    expect(verifyReceipt(`\uFEFF${JSON.stringify(receipt, null, 8)}`).valid).toBe(true);
    const bytes = signingBytes(receipt).toString('utf8');
    expect(bytes.startsWith('{"actions":[')).toBe(true);
    expect(bytes).not.toContain('"signature"');
  });

  it('a clean machine gets a scan receipt', () => {
    const unsigned = buildReceipt(cleanScanInput());
    expect(unsigned.kind).toBe('scan');
    expect(verifyReceipt(serializeReceipt(signReceipt(unsigned, key()))).valid).toBe(true);
  });

  it('every leaf field edited in turn makes verification fail', () => {
    const receipt = signReceipt(buildReceipt(removalInput()), key());
    const doc = JSON.parse(serializeReceipt(receipt)) as Json;
    const paths = leaves(doc);
    expect(paths.length).toBeGreaterThan(60);
    let signatureCaught = 0;
    for (const path of paths) {
      const changed = edited(doc, path);
      const result = verifyReceipt(JSON.stringify(changed));
      expect(result.valid, `edit of ${path.join('.')} went unnoticed`).toBe(false);
      if (Receipt.safeParse(changed).success) {
        // Still well-formed: the signature (or the key fingerprint) must catch it.
        const caught = result.problems.some(
          (p) =>
            p === SIGNATURE_MISMATCH || p.startsWith('the key fingerprint does not match the public key'),
        );
        expect(caught, `edit of ${path.join('.')}: ${result.problems.join('; ')}`).toBe(true);
        signatureCaught += 1;
      }
    }
    // Most edits keep the structure valid: the test really exercises the signature.
    expect(signatureCaught).toBeGreaterThan(paths.length / 2);
  });

  it('an added or removed field makes verification fail', () => {
    const receipt = signReceipt(buildReceipt(removalInput()), key());
    const doc = JSON.parse(serializeReceipt(receipt)) as Record<string, Record<string, unknown>>;
    const removed = structuredClone(doc);
    delete removed.operator?.name;
    expect(verifyReceipt(JSON.stringify(removed)).problems).toEqual([SIGNATURE_MISMATCH]);
    const added = structuredClone(doc);
    if (added.host) added.host.note = 'x';
    const r = verifyReceipt(JSON.stringify(added));
    expect(r.valid).toBe(false);
    expect(r.problems).toContain(SIGNATURE_MISMATCH);
    expect(r.problems.join('\n')).toMatch(/field host: .*note/);
  });

  it('a receipt re-signed with another key verifies, but is reported as another key when one is expected', () => {
    const a = key('a');
    const b = key('b');
    const original = signReceipt(buildReceipt(removalInput()), a);
    const forged = signReceipt(original, b);
    const text = serializeReceipt(forged);
    expect(verifyReceipt(text).valid).toBe(true);
    const result = verifyReceipt(text, { expectedFingerprint: a.fingerprint });
    expect(result.valid).toBe(false);
    expect(result.fingerprint).toBe(b.fingerprint);
    expect(result.problems).toEqual([
      `signed by another key (fingerprint ${b.fingerprint}, expected ${a.fingerprint})`,
    ]);
    // The expected fingerprint may be typed with spaces, in upper case, without the prefix.
    const typed = a.fingerprint
      .slice(7)
      .toUpperCase()
      .replace(/(.{4})/g, '$1 ');
    expect(verifyReceipt(serializeReceipt(original), { expectedFingerprint: typed }).valid).toBe(true);
    expect(
      verifyReceipt(serializeReceipt(original), { expectedFingerprint: 'nonsense' }).problems[0],
    ).toMatch(/is not a SHA256 fingerprint/);
  });

  it('a swapped public key with the old fingerprint is a fingerprint mismatch', () => {
    const a = key('a');
    const b = key('b');
    const original = signReceipt(buildReceipt(removalInput()), a);
    // Re-signed with B, claiming A's fingerprint.
    const forged = signReceipt(original, b);
    forged.signature.keyFingerprint = a.fingerprint;
    const result = verifyReceipt(serializeReceipt(forged));
    expect(result.valid).toBe(false);
    expect(result.problems).toEqual([
      `the key fingerprint does not match the public key (the receipt states ${a.fingerprint}, the key's is ${b.fingerprint})`,
    ]);
    // Only the key swapped, signature kept: both are wrong.
    const swapped = structuredClone(original);
    swapped.signature.publicKey = b.publicKeyRaw.toString('base64');
    const r2 = verifyReceipt(serializeReceipt(swapped));
    expect(r2.problems).toHaveLength(1);
    expect(r2.problems[0]).toMatch(/the key fingerprint does not match the public key/);
  });

  it('a truncated file is not valid JSON, with its position', () => {
    const text = serializeReceipt(signReceipt(buildReceipt(removalInput()), key()));
    const cut = text.slice(0, Math.floor(text.length / 2));
    const result = verifyReceipt(cut);
    expect(result.valid).toBe(false);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatch(
      /^not valid JSON at line \d+, column \d+ \(character \d+\): .*cut off/,
    );
    expect(verifyReceipt('').problems).toEqual(['not valid JSON: the file is empty']);
    expect(verifyReceipt('{"schema": "divest.receipt/1",}').problems[0]).toMatch(
      /^not valid JSON at line 1, column 31/,
    );
  });

  it('an unknown schema is named', () => {
    const receipt = signReceipt(buildReceipt(removalInput()), key());
    const other = { ...receipt, schema: 'divest.receipt/3' };
    expect(verifyReceipt(JSON.stringify(other)).problems).toEqual([
      'unknown schema "divest.receipt/3" (expected "divest.receipt/2" or "divest.receipt/1")',
    ]);
    expect(verifyReceipt('{"hello":1}').problems).toEqual([
      'not a Divest receipt: there is no "schema" field',
    ]);
    expect(verifyReceipt('[1,2]').problems[0]).toMatch(/not an object/);
  });

  it('structure errors name the field', () => {
    const receipt = signReceipt(buildReceipt(removalInput()), key());
    const doc = JSON.parse(serializeReceipt(receipt)) as {
      actions: Array<Record<string, unknown>>;
      signature?: unknown;
    };
    const a0 = doc.actions[0];
    if (a0) a0.exitCode = 'zero';
    const r = verifyReceipt(JSON.stringify(doc));
    expect(r.valid).toBe(false);
    expect(r.problems.some((p) => p.startsWith('field actions[0].exitCode:'))).toBe(true);
    delete doc.signature;
    expect(verifyReceipt(JSON.stringify(doc)).problems.some((p) => p.startsWith('field signature:'))).toBe(
      true,
    );
  });

  it('buildReceipt refuses bad input, naming the field, and cleans lone surrogates', () => {
    const bad = removalInput();
    bad.host.os = 'beos' as 'linux';
    expect(() => buildReceipt(bad)).toThrow(/host/);
    const odd = removalInput();
    const f0 = odd.findingsBefore[0];
    if (f0) f0.name = 'Kaspersky \uD800 broken';
    const receipt = signReceipt(buildReceipt(odd), key());
    expect(receipt.findingsBefore[0]?.name).toBe('Kaspersky \uFFFD broken');
    expect(verifyReceipt(serializeReceipt(receipt)).valid).toBe(true);
  });

  it('takes the journal part from a real journal', async () => {
    const j = openLog(join(dir, 'data', 'journal.jsonl'));
    await j.append('scan.started', {});
    await j.append('scan.finished', {});
    const ref = journalRef(await j.verify());
    expect(ref).toEqual({ length: 2, headHash: (await j.head())?.hash, intact: true });
    expect(journalRef({ length: 0, intact: true, head: null }).headHash).toBe('0'.repeat(64));
    const receipt = signReceipt(buildReceipt({ ...cleanScanInput(), journal: ref }), key());
    expect(verifyReceipt(serializeReceipt(receipt)).valid).toBe(true);
  });
});

describe('receipt HTML', () => {
  function assertSelfContained(html: string): void {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/\s(src|href|srcset|action)=/i);
    expect(html).not.toMatch(/url\(|@import|@font-face|<link|<img|<iframe|<object|<embed/i);
  }

  it('shows the facts, the fingerprint and how to verify; escapes markup; loads nothing', () => {
    const k = key();
    const input = removalInput();
    const f0 = input.findingsBefore[0];
    if (f0) f0.name = 'Kaspersky <script>alert("x")</script> & Co';
    input.operator = {
      name: "O'Brien <b>",
      organisation: 'Agency "IT"',
      account: { user: 'ob', admin: true },
    };
    const receipt = signReceipt(buildReceipt(input), k);
    const html = renderReceiptHtml(receipt);

    assertSelfContained(html);
    expect(html).toContain('Kaspersky &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
    expect(html).toContain('O&#39;Brien &lt;b&gt;');
    expect(html).toContain(k.fingerprint);
    expect(html).toContain('divest receipt verify FILE.json');
    expect(html).toContain('WS-0042');
    expect(html).toContain('Agency &quot;IT&quot;');
    expect(html).toContain('BOD 17-01');
    expect(html).toContain('service AVP, running, start type automatic');
    expect(html).toContain('<code>3010</code>');
    expect(html).toContain('TIMED OUT');
    expect(html).toContain('Delete the folder after the restart.');
    expect(html).toContain('b'.repeat(64));
    expect(html).toContain('c'.repeat(64));
    expect(html).toContain('2025.03.1');
    expect(html).toMatch(/Warning: this machine may be unprotected/);
    expect(html).toContain('Removal incomplete');
    expect(html).toContain('@media print');
  });

  it('a clean scan says so plainly', () => {
    const receipt = signReceipt(buildReceipt(cleanScanInput()), key());
    const html = renderReceiptHtml(receipt);
    assertSelfContained(html);
    expect(html).toContain('Scanned, nothing found');
    expect(html).toContain('Protection was not checked');
    expect(html).not.toMatch(/may be unprotected/);
  });

  it('a fully removed machine with active protection is calm', () => {
    const input = removalInput();
    input.actions = input.actions.map((a) => ({ ...a, exitCode: 0, outcome: 'removed' as const }));
    input.after.leftovers = [];
    if (input.replacement) input.replacement.state = 'active';
    input.plan = { id: '0123456789abcdef', status: 'completed', steps: 2 };
    input.verdict = {
      ...input.verdict,
      state: 'removed',
      fleetStatus: 'clean',
      headline:
        'Removed and verified: no banned software is installed, and Microsoft Defender Antivirus protects this machine.',
      stillInstalled: [],
      leftovers: 0,
      protection: { state: 'active', product: 'Microsoft Defender Antivirus' },
    };
    const html = renderReceiptHtml(signReceipt(buildReceipt(input), key()));
    // The page shows the receipt's signed verdict; it composes no headline of its own.
    expect(html).toContain('Removed and verified');
    expect(html.indexOf('Removed and verified')).toBeLessThan(html.indexOf('<h2>Machine</h2>'));
    expect(html).not.toMatch(/class="alert"|role="alert"/);
  });
});
