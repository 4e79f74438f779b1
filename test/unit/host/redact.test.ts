/**
 * Secrets out of live output: split across writes, in UTF-16LE, and through the real runner with a
 * process that writes the password in two pieces 50 ms apart (before: each chunk was redacted on
 * its own, so both halves reached the app's live log; a UTF-16LE copy was never redacted).
 */
import { describe, expect, it } from 'vitest';
import { NodeCommandRunner } from '../../../core/host/runner';
import { redactBytes, StreamRedactor } from '../../../core/host/redact';

const SECRET = 'Kaspersky-Pa55!';
const utf16 = (s: string) => Buffer.from(s, 'utf16le');

describe('redactBytes', () => {
  it('masks UTF-8 and UTF-16LE copies, leaving the rest', () => {
    const buf = Buffer.concat([Buffer.from(`pw=${SECRET};`), utf16(`pw=${SECRET};`)]);
    const out = redactBytes(buf, [SECRET]);
    expect(out.toString('utf8')).not.toContain(SECRET);
    expect(out.toString('utf16le')).not.toContain(SECRET);
    expect(out.subarray(0, 7).toString()).toBe('pw=***;');
    expect(out.subarray(7).toString('utf16le')).toBe('pw=***;');
  });
  it('handles a non-ASCII secret and several secrets, longest first', () => {
    const out = redactBytes(Buffer.from('пароль1 and пароль12'), ['пароль1', 'пароль12']);
    expect(out.toString()).toBe('*** and ***');
  });
});

describe('StreamRedactor', () => {
  it('never releases a secret split at any byte, in either encoding', () => {
    for (const enc of ['utf8', 'utf16le'] as const) {
      const whole = Buffer.from(`before ${SECRET} after ${SECRET}`, enc);
      for (let cut = 1; cut < whole.length; cut++) {
        const r = new StreamRedactor([SECRET]);
        const shown: Buffer[] = [];
        // Re-encode what is shown to compare in the stream's own encoding.
        for (const part of [whole.subarray(0, cut), whole.subarray(cut)])
          shown.push(Buffer.from(r.push(part), 'utf8'));
        shown.push(Buffer.from(r.end(), 'utf8'));
        const bytes = Buffer.concat(shown);
        expect(bytes.includes(Buffer.from(SECRET, enc)), `${enc} cut at ${cut}`).toBe(false);
        expect(bytes.toString(enc)).toBe('before *** after ***');
      }
    }
  });
  it('keeps multi-byte characters whole across chunks and passes through without secrets', () => {
    const r = new StreamRedactor(undefined);
    const b = Buffer.from('Лаборатория');
    expect(r.push(b.subarray(0, 3)) + r.push(b.subarray(3)) + r.end()).toBe('Лаборатория');
  });
});

describe('NodeCommandRunner: live output', () => {
  it('a password written in two pieces, and in UTF-16LE, reaches neither the live log nor the result', async () => {
    const half = Math.floor(SECRET.length / 2);
    const script = `
      process.stdout.write('start ' + 'x'.repeat(100) + ${JSON.stringify(SECRET.slice(0, half))});
      setTimeout(() => {
        process.stdout.write(${JSON.stringify(SECRET.slice(half))} + ' end\\n');
        process.stderr.write(Buffer.from('u16 ' + ${JSON.stringify(SECRET)}, 'utf16le'));
      }, 50);`;
    const live: Record<string, string[]> = { stdout: [], stderr: [] };
    const r = await new NodeCommandRunner().run([process.execPath, '-e', script], {
      secrets: [SECRET],
      onOutput: (stream, text) => live[stream]!.push(text),
    });
    expect(r.exitCode).toBe(0);
    expect(live.stdout!.length).toBeGreaterThan(1); // it really came in pieces
    expect(live.stdout!.join('')).toBe(`start ${'x'.repeat(100)}*** end\n`);
    expect(r.stdout).toBe(`start ${'x'.repeat(100)}*** end\n`);
    expect(Buffer.from(live.stderr!.join(''), 'utf8').toString('utf8')).not.toContain(SECRET);
    expect(Buffer.from(r.stderr, 'utf8').includes(utf16(SECRET))).toBe(false);
    expect(Buffer.from(r.stderr, 'utf8').includes(utf16('***'))).toBe(true);
  });
});
