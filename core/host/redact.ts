/**
 * Secrets (an uninstall password) kept out of everything a command prints, before it is shown,
 * journaled or hashed.
 *
 * Redaction works on bytes, not on decoded text, so that it also finds the secret in UTF-16LE
 * (what Windows tools such as `cmd /u`, `reg export` or msiexec's logs write) and not only in
 * UTF-8; and the live stream keeps back the few bytes that could be the start of a secret until
 * the next chunk shows whether it is one, so a password split across two writes is still hidden.
 */
import { StringDecoder } from 'node:string_decoder';

const MASK_UTF8 = Buffer.from('***', 'utf8');
const MASK_UTF16 = Buffer.from('***', 'utf16le');

interface Needle {
  bytes: Buffer;
  mask: Buffer;
}

function needles(secrets: readonly string[] | undefined): Needle[] {
  const list: Needle[] = [];
  for (const s of secrets ?? []) {
    if (!s) continue;
    list.push({ bytes: Buffer.from(s, 'utf8'), mask: MASK_UTF8 });
    list.push({ bytes: Buffer.from(s, 'utf16le'), mask: MASK_UTF16 });
  }
  // Longest first, so that a secret containing another is masked whole.
  return list.sort((a, b) => b.bytes.length - a.bytes.length);
}

function replaceAll(buf: Buffer, list: readonly Needle[]): Buffer {
  let out = buf;
  for (const { bytes, mask } of list) {
    let at = out.indexOf(bytes);
    if (at < 0) continue;
    const parts: Buffer[] = [];
    let from = 0;
    while (at >= 0) {
      parts.push(out.subarray(from, at), mask);
      from = at + bytes.length;
      at = out.indexOf(bytes, from);
    }
    parts.push(out.subarray(from));
    out = Buffer.concat(parts);
  }
  return out;
}

/** `buf` with every secret, in UTF-8 or UTF-16LE, replaced by `***` in the same encoding. */
export function redactBytes(buf: Buffer, secrets: readonly string[] | undefined): Buffer {
  const list = needles(secrets);
  return list.length ? replaceAll(buf, list) : buf;
}

/** Replaces every secret in `text` with `***`. */
export function redact(text: string, secrets: readonly string[] | undefined): string {
  if (!secrets) return text;
  let out = text;
  for (const s of secrets) if (s.length > 0) out = out.split(s).join('***');
  return out;
}

/**
 * One output stream, redacted chunk by chunk as it arrives: `push` returns the text that is safe
 * to show now, `end` the rest. Nothing that could be the beginning of a secret is released early.
 */
export class StreamRedactor {
  readonly #list: Needle[];
  readonly #keep: number;
  readonly #decoder = new StringDecoder('utf8');
  #tail: Buffer = Buffer.alloc(0);

  constructor(secrets: readonly string[] | undefined) {
    this.#list = needles(secrets);
    this.#keep = Math.max(0, ...this.#list.map((n) => n.bytes.length - 1));
  }

  push(chunk: Buffer): string {
    if (!this.#list.length) return this.#decoder.write(chunk);
    const all = replaceAll(Buffer.concat([this.#tail, chunk]), this.#list);
    const cut = Math.max(0, all.length - this.#keep);
    this.#tail = Buffer.from(all.subarray(cut));
    return this.#decoder.write(all.subarray(0, cut));
  }

  end(): string {
    const rest = this.#list.length ? replaceAll(this.#tail, this.#list) : this.#tail;
    this.#tail = Buffer.alloc(0);
    return this.#decoder.write(rest) + this.#decoder.end();
  }
}
