/**
 * Parser for `.reg` files as written by `reg export` (and regedit): "Windows Registry Editor
 * Version 5.00", UTF-16LE with a BOM, or the older ANSI "REGEDIT4".
 *
 * Divest reads the registry through `reg export` rather than `reg query`: `reg query` prints in
 * the console's OEM code page, which garbles localized product names (Cyrillic, accented Latin),
 * whereas the exported file is Unicode. Values are decoded to strings: REG_SZ as is, REG_EXPAND_SZ
 * (`hex(2):`) and REG_MULTI_SZ (`hex(7):`, joined with `\n`) from their UTF-16LE bytes, DWORD and
 * QWORD as decimal, binary as lower-case hex.
 */
import { DivestError } from '../../errors';

export interface RegValue {
  type:
    | 'REG_SZ'
    | 'REG_EXPAND_SZ'
    | 'REG_MULTI_SZ'
    | 'REG_DWORD'
    | 'REG_QWORD'
    | 'REG_BINARY'
    | 'REG_NONE'
    | 'REG_OTHER';
  /** Decoded value (see the module comment). */
  data: string;
}

export interface RegKey {
  /** Full path as written in the file, e.g. `HKEY_LOCAL_MACHINE\SOFTWARE\...`. */
  path: string;
  /** Values by name; the default value is under the empty name. */
  values: Map<string, RegValue>;
}

/** A `.reg` export that cannot be read. */
export class RegFileError extends DivestError<'invalid-input'> {
  constructor(message: string) {
    super('invalid-input', message);
  }
}

/** Decodes the bytes of a `.reg` file (UTF-16LE with BOM, UTF-8 with or without BOM). */
export function decodeRegFileBytes(buf: Buffer): string {
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return buf.subarray(2).toString('utf16le');
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf)
    return buf.subarray(3).toString('utf8');
  // UTF-16LE without BOM: every other byte of the ASCII header is zero.
  if (buf.length >= 4 && buf[1] === 0 && buf[3] === 0) return buf.toString('utf16le');
  return buf.toString('utf8');
}

function hexBytes(text: string): Buffer {
  const clean = text.replace(/[\s\\]/g, '');
  if (clean === '') return Buffer.alloc(0);
  const parts = clean.split(',').filter((p) => p !== '');
  for (const p of parts) if (!/^[0-9a-fA-F]{1,2}$/.test(p)) throw new RegFileError(`bad hex byte "${p}"`);
  return Buffer.from(parts.map((p) => parseInt(p, 16)));
}

function utf16z(bytes: Buffer): string {
  const even = bytes.length % 2 === 0 ? bytes : bytes.subarray(0, bytes.length - 1);
  return even.toString('utf16le');
}

/** Reads the quoted string at the start of `s` (after the opening quote); returns it and the rest. */
function readQuoted(s: string): { value: string; rest: string } {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) {
      const n = s[i + 1];
      out += n === 'n' ? '\n' : n === '0' ? '\0' : n;
      i++;
    } else if (c === '"') {
      return { value: out, rest: s.slice(i + 1) };
    } else out += c;
  }
  throw new RegFileError('unterminated string');
}

function parseData(raw: string): RegValue {
  if (raw.startsWith('"')) return { type: 'REG_SZ', data: readQuoted(raw.slice(1)).value };
  const dword = /^dword:([0-9a-fA-F]{1,8})$/.exec(raw);
  if (dword?.[1]) return { type: 'REG_DWORD', data: String(parseInt(dword[1], 16)) };
  const hex = /^hex(?:\(([0-9a-fA-F]+)\))?:(.*)$/s.exec(raw);
  if (hex) {
    const kind = hex[1] === undefined ? 3 : parseInt(hex[1], 16);
    const bytes = hexBytes(hex[2] ?? '');
    switch (kind) {
      case 0:
        return { type: 'REG_NONE', data: bytes.toString('hex') };
      case 1:
        return { type: 'REG_SZ', data: utf16z(bytes).replace(/\0+$/, '') };
      case 2:
        return { type: 'REG_EXPAND_SZ', data: utf16z(bytes).replace(/\0+$/, '') };
      case 3:
        return { type: 'REG_BINARY', data: bytes.toString('hex') };
      case 4:
        return {
          type: 'REG_DWORD',
          data: bytes.length >= 4 ? String(bytes.readUInt32LE(0)) : bytes.toString('hex'),
        };
      case 7:
        return {
          type: 'REG_MULTI_SZ',
          data: utf16z(bytes)
            .split('\0')
            .filter((s) => s !== '')
            .join('\n'),
        };
      case 0xb:
        return {
          type: 'REG_QWORD',
          data: bytes.length >= 8 ? bytes.readBigUInt64LE(0).toString() : bytes.toString('hex'),
        };
      default:
        return { type: 'REG_OTHER', data: bytes.toString('hex') };
    }
  }
  throw new RegFileError(`unrecognised value data "${raw.slice(0, 40)}"`);
}

/**
 * Parses the text of a `.reg` file into keys in file order.
 *
 * Malformed value lines are skipped and reported in `problems` rather than failing the whole
 * file: one odd value must not hide every other key on the machine.
 */
export function parseRegFile(text: string): { keys: RegKey[]; problems: string[] } {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const first = lines.find((l) => l.trim() !== '')?.trim() ?? '';
  if (first !== 'Windows Registry Editor Version 5.00' && first !== 'REGEDIT4') {
    throw new RegFileError(`not a .reg export (first line is "${first.slice(0, 60)}")`);
  }
  const keys: RegKey[] = [];
  const problems: string[] = [];
  let current: RegKey | undefined;

  for (let i = 0; i < lines.length; i++) {
    let line = lines[i] ?? '';
    if (line.startsWith('[')) {
      const end = line.lastIndexOf(']');
      if (end < 0) {
        problems.push(`line ${i + 1}: key header without "]"`);
        current = undefined;
        continue;
      }
      current = { path: line.slice(1, end), values: new Map() };
      keys.push(current);
      continue;
    }
    if (!current || (!line.startsWith('"') && !line.startsWith('@'))) continue;
    // Continuation lines: hex data wraps with a trailing backslash.
    while (/\\\s*$/.test(line) && /=hex/.test(line) && i + 1 < lines.length) {
      line = line.replace(/\\\s*$/, '') + (lines[++i] ?? '').trim();
    }
    try {
      let name: string;
      let rest: string;
      if (line.startsWith('@')) {
        name = '';
        rest = line.slice(1);
      } else {
        const q = readQuoted(line.slice(1));
        name = q.value;
        rest = q.rest;
      }
      if (!rest.startsWith('=')) throw new RegFileError('missing "="');
      const raw = rest.slice(1);
      if (raw === '-') continue; // deletion marker: not a value
      current.values.set(name, parseData(raw));
    } catch (e) {
      problems.push(`line ${i + 1} in [${current.path}]: ${(e as Error).message}`);
    }
  }
  return { keys, problems };
}

const HIVE_ABBREVIATIONS: [RegExp, string][] = [
  [/^HKEY_LOCAL_MACHINE(?=\\|$)/i, 'HKLM'],
  [/^HKEY_CURRENT_USER(?=\\|$)/i, 'HKCU'],
  [/^HKEY_USERS(?=\\|$)/i, 'HKU'],
  [/^HKEY_CLASSES_ROOT(?=\\|$)/i, 'HKCR'],
];

/** `HKEY_LOCAL_MACHINE\X` → `HKLM\X`, as administrators write it. */
export function shortHivePath(path: string): string {
  for (const [re, short] of HIVE_ABBREVIATIONS) if (re.test(path)) return path.replace(re, short);
  return path;
}

/** The value as a string, or undefined when absent or empty. */
export function regString(key: RegKey, name: string): string | undefined {
  const v = key.values.get(name);
  if (!v) return undefined;
  const s = v.data.trim();
  return s === '' ? undefined : s;
}

/** A DWORD value as a number, or undefined. */
export function regNumber(key: RegKey, name: string): number | undefined {
  const v = key.values.get(name);
  if (!v || (v.type !== 'REG_DWORD' && v.type !== 'REG_QWORD')) return undefined;
  const n = Number(v.data);
  return Number.isFinite(n) ? n : undefined;
}
