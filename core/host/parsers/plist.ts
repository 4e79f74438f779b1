/**
 * Reading Apple property lists (XML, binary `bplist00` and old-style OpenStep text) into plain values.
 *
 * Probes read plists off machines they do not trust: a per-user LaunchAgent is writable by anyone
 * with an account. So every failure is a `PlistError` that says what is wrong in words (empty,
 * truncated, JSON instead of a plist...), never a crash or a hang: a binary plist's object graph is
 * checked for cycles, depth and size before it is expanded, and the XML parser's console chatter is
 * kept out of the CLI's output.
 */
import { parseBuffer as parseBinaryPlist } from 'bplist-parser';
import { parse as parseXmlPlist } from 'plist';
import * as z from 'zod';
import { DivestError } from '../../errors';

/** Why a plist could not be read. */
export type PlistProblem = 'empty' | 'truncated' | 'malformed' | 'not-plist' | 'unsupported';

/**
 * A buffer that is not a readable property list.
 *
 * The message names the problem for people (it ends up in scan notes); `problem` is for code.
 */
export class PlistError extends DivestError<'invalid-input'> {
  constructor(
    message: string,
    readonly problem: PlistProblem,
  ) {
    super('invalid-input', message);
  }
}

/** A plist `<dict>` as parsed: string keys, values of any plist type. */
export type PlistDict = { [key: string]: unknown };

const BINARY_MAGIC = 'bplist';
const TRAILER_LENGTH = 32;
/** Nesting deeper than this is not something Apple's tools write; it would only serve to crash us. */
const MAX_DEPTH = 256;
/** Values a binary plist may expand to once shared references are copied out. */
const MAX_EXPANDED_VALUES = 1_000_000;

/**
 * Parses a property list in any of the formats macOS writes.
 *
 * Binary plists are recognised by their `bplist` magic, everything else is read as text (UTF-8, or
 * UTF-16 with a byte-order mark): XML, or an OpenStep `{ key = value; }` plist. Dates come back as
 * `Date`, `<data>` as a `Uint8Array` (a `Buffer` from binary plists), dicts as plain objects.
 *
 * @throws PlistError when the buffer is empty, truncated, damaged or not a plist at all.
 */
export function parsePlist(buf: Buffer): unknown {
  if (buf.length === 0) throw new PlistError('empty file (0 bytes)', 'empty');
  if (buf.subarray(0, BINARY_MAGIC.length).toString('latin1') === BINARY_MAGIC) return parseBinary(buf);
  return parseText(decodeText(buf));
}

function decodeText(buf: Buffer): string {
  if (buf[0] === 0xff && buf[1] === 0xfe) return buf.subarray(2).toString('utf16le');
  if (buf[0] === 0xfe && buf[1] === 0xff) {
    const swapped = Buffer.from(buf.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
    return text.startsWith('\uFEFF') ? text.slice(1) : text;
  } catch {
    throw new PlistError(
      'not a property list: neither binary (no "bplist" header) nor UTF-8 text',
      'not-plist',
    );
  }
}

function parseText(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') throw new PlistError('empty file (only white space)', 'empty');
  const first = trimmed[0];
  if ((first === '{' || first === '[') && looksLikeJson(trimmed)) {
    throw new PlistError('not a property list: the file holds JSON', 'not-plist');
  }
  if (first !== '<' && first !== '{' && first !== '(') {
    throw new PlistError(
      `not a property list: starts with ${JSON.stringify(trimmed.slice(0, 16))}`,
      'not-plist',
    );
  }
  const { value, error, reports } = quietly(() => parseXmlPlist(trimmed));
  if (error) {
    const why = error instanceof Error ? error.message : String(error);
    if (/First element should be <plist>/.test(why)) {
      throw new PlistError('not a property list: an XML document whose root is not <plist>', 'not-plist');
    }
    // A cut-off file is the common case (a copy interrupted, a disk full): say so plainly.
    if (first === '<' && !/<\/plist\s*>$|<plist[^>]*\/>$/.test(trimmed)) {
      throw new PlistError(`truncated XML plist (it does not end with </plist>): ${why}`, 'truncated');
    }
    throw new PlistError(`malformed ${first === '<' ? 'XML' : 'OpenStep'} plist: ${why}`, 'malformed');
  }
  // xmldom reports recoverable mistakes (a mismatched end tag...) and carries on with a guess;
  // a guess is not what an auditor wants, so anything above a warning rejects the file.
  const serious = reports.find((r) => !r.startsWith('[xmldom warning]'));
  if (serious) throw new PlistError(`malformed XML plist: ${cleanReport(serious)}`, 'malformed');
  return value;
}

function looksLikeJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function cleanReport(report: string): string {
  return report.replace(/^\[xmldom [a-zA-Z]+\]\s*/, '').split('\n')[0] ?? report;
}

/**
 * Runs a synchronous parse with `console.error`/`console.warn` captured.
 *
 * Both parsers print their complaints to the console (xmldom every XML error, bplist-parser odd
 * length markers); those would land in the middle of `divest scan --json` output. The parse is
 * synchronous, so nothing else can print while the console is borrowed.
 */
function quietly<T>(fn: () => T): { value?: T; error?: unknown; reports: string[] } {
  const reports: string[] = [];
  const { error: savedError, warn: savedWarn } = console;
  const capture = (...args: unknown[]): void => {
    reports.push(args.map((a) => (typeof a === 'string' ? a : String(a))).join(' '));
  };
  console.error = capture;
  console.warn = capture;
  try {
    return { value: fn(), reports };
  } catch (error) {
    return { error, reports };
  } finally {
    console.error = savedError;
    console.warn = savedWarn;
  }
}

function parseBinary(buf: Buffer): unknown {
  if (buf.length < 8) throw new PlistError(`truncated binary plist: ${buf.length} bytes`, 'truncated');
  const version = buf.subarray(BINARY_MAGIC.length, BINARY_MAGIC.length + 2).toString('latin1');
  if (version !== '00') {
    throw new PlistError(
      `unsupported binary plist version "bplist${version}" (only bplist00 is read)`,
      'unsupported',
    );
  }
  checkBinaryStructure(buf);
  const { value, error } = quietly(() => parseBinaryPlist<unknown>(buf));
  if (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new PlistError(`damaged binary plist: ${why}`, 'malformed');
  }
  if (!Array.isArray(value) || value.length !== 1) {
    throw new PlistError('damaged binary plist: no top object', 'malformed');
  }
  return value[0];
}

/**
 * Checks a binary plist's trailer, offset table and object references before handing it over.
 *
 * bplist-parser trusts the file: a truncated file makes it report "maxObjectCount exceeded", a
 * reference cycle recurses until the stack runs out, and an array that lists the same big array
 * twice, nested a few dozen times, expands to more values than memory holds. Walking the graph once
 * here (iteratively, counting each value once per reference) turns all of that into a clear error.
 */
function checkBinaryStructure(buf: Buffer): void {
  if (buf.length < 8 + TRAILER_LENGTH) {
    throw new PlistError(
      `truncated binary plist: ${buf.length} bytes, too short to hold its trailer`,
      'truncated',
    );
  }
  const t = buf.length - TRAILER_LENGTH;
  const offsetSize = buf.readUInt8(t + 6);
  const refSize = buf.readUInt8(t + 7);
  const numObjects = buf.readBigUInt64BE(t + 8);
  const topObject = buf.readBigUInt64BE(t + 16);
  const tableOffset = buf.readBigUInt64BE(t + 24);
  const trailerOk =
    offsetSize >= 1 &&
    offsetSize <= 8 &&
    refSize >= 1 &&
    refSize <= 8 &&
    numObjects >= 1n &&
    topObject < numObjects &&
    tableOffset >= 8n &&
    tableOffset + numObjects * BigInt(offsetSize) <= BigInt(t);
  if (!trailerOk) {
    throw new PlistError(
      'truncated or damaged binary plist: its trailer does not describe the file',
      'truncated',
    );
  }
  const count = Number(numObjects);
  const table = Number(tableOffset);
  const offsets: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const off = readUInt(buf, table + i * offsetSize, offsetSize);
    if (off < 8 || off >= table) {
      throw new PlistError(`damaged binary plist: object ${i} lies outside the object area`, 'malformed');
    }
    offsets.push(off);
  }

  const children = (index: number): number[] => {
    const off = offsets[index] as number;
    const marker = buf.readUInt8(off);
    const type = marker >> 4;
    // 0xA array, 0xC set, 0xD dict: everything else holds no references.
    if (type !== 0xa && type !== 0xc && type !== 0xd) return [];
    let n = marker & 0x0f;
    let pos = off + 1;
    if (n === 0x0f) {
      const intMarker = buf.readUInt8(pos);
      const len = 1 << (intMarker & 0x0f);
      if (intMarker >> 4 !== 0x1 || len > 8 || pos + 1 + len > table) {
        throw new PlistError(`damaged binary plist: object ${index} has a bad length`, 'malformed');
      }
      n = readUInt(buf, pos + 1, len);
      pos += 1 + len;
    }
    const refs = type === 0xd ? n * 2 : n;
    if (pos + refs * refSize > table) {
      throw new PlistError(`damaged binary plist: object ${index} runs past the object area`, 'malformed');
    }
    const out: number[] = [];
    for (let i = 0; i < refs; i += 1) {
      const ref = readUInt(buf, pos + i * refSize, refSize);
      if (ref >= count)
        throw new PlistError(`damaged binary plist: object ${index} refers to a missing object`, 'malformed');
      out.push(ref);
    }
    return out;
  };

  // Iterative post-order walk: sizes[i] is how many values object i expands to.
  const sizes = new Map<number, number>();
  const onPath = new Set<number>();
  const stack: { index: number; kids: number[] | undefined }[] = [
    { index: Number(topObject), kids: undefined },
  ];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as { index: number; kids: number[] | undefined };
    if (frame.kids === undefined) {
      if (sizes.has(frame.index)) {
        stack.pop();
        continue;
      }
      frame.kids = children(frame.index);
      onPath.add(frame.index);
      if (stack.length > MAX_DEPTH)
        throw new PlistError(`binary plist nested deeper than ${MAX_DEPTH} levels`, 'malformed');
      for (const kid of frame.kids) {
        if (onPath.has(kid))
          throw new PlistError('damaged binary plist: an object contains itself', 'malformed');
        if (!sizes.has(kid)) stack.push({ index: kid, kids: undefined });
      }
      continue;
    }
    let total = 1;
    for (const kid of frame.kids) total += sizes.get(kid) ?? 1;
    if (total > MAX_EXPANDED_VALUES) {
      throw new PlistError(`binary plist expands to more than ${MAX_EXPANDED_VALUES} values`, 'malformed');
    }
    sizes.set(frame.index, total);
    onPath.delete(frame.index);
    stack.pop();
  }
}

function readUInt(buf: Buffer, offset: number, size: number): number {
  let v = 0;
  for (let i = 0; i < size; i += 1) v = v * 256 + buf.readUInt8(offset + i);
  return v;
}

/** True for a plist `<dict>` (a plain object; not an array, a date or bytes). */
export function isPlistDict(value: unknown): value is PlistDict {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Own property `key` of a plist dict, or undefined (also when `obj` is not a dict). */
function field(obj: unknown, key: string): unknown {
  if (!isPlistDict(obj) || !Object.prototype.hasOwnProperty.call(obj, key)) return undefined;
  return obj[key];
}

/**
 * A string value of a plist dict, trimmed; undefined when absent, empty or not a string.
 *
 * Info.plists in the wild hold numbers where strings belong (`CFBundleVersion` = 3), so a finite
 * number is given back as its decimal text rather than dropped.
 */
export function plistString(obj: unknown, key: string): string | undefined {
  const v = field(obj, key);
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  return s === '' ? undefined : s;
}

/** A finite number value of a plist dict (`<integer>`, `<real>`), else undefined. */
export function plistNumber(obj: unknown, key: string): number | undefined {
  const v = field(obj, key);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** A boolean value of a plist dict, else undefined. */
export function plistBoolean(obj: unknown, key: string): boolean | undefined {
  const v = field(obj, key);
  return typeof v === 'boolean' ? v : undefined;
}

/** A valid `<date>` value of a plist dict, else undefined. */
export function plistDate(obj: unknown, key: string): Date | undefined {
  const v = field(obj, key);
  return v instanceof Date && !Number.isNaN(v.getTime()) ? v : undefined;
}

/** A nested dict of a plist dict, else undefined. */
export function plistDict(obj: unknown, key: string): PlistDict | undefined {
  const v = field(obj, key);
  return isPlistDict(v) ? v : undefined;
}

/** An array value of a plist dict, else undefined. */
export function plistArray(obj: unknown, key: string): unknown[] | undefined {
  const v = field(obj, key);
  return Array.isArray(v) ? (v as unknown[]) : undefined;
}

/** The string elements of an array value of a plist dict (others skipped); undefined when absent. */
export function plistStrings(obj: unknown, key: string): string[] | undefined {
  return plistArray(obj, key)?.filter((s): s is string => typeof s === 'string');
}

/**
 * A lenient string field for zod plist shapes: trimmed text, numbers as text, anything else absent.
 *
 * Used in shapes of files written by third parties, where one odd field must not cost us the rest.
 */
export const plistText = z.preprocess(
  (v) =>
    typeof v === 'number' && Number.isFinite(v) ? String(v) : typeof v === 'string' ? v.trim() : undefined,
  z.string().min(1).optional().catch(undefined),
);

/**
 * Validates a parsed plist against a zod shape; throws a `PlistError` naming `what` and the fields.
 *
 * A plist that parsed but is not the structure expected (an Info.plist whose top is an array) is a
 * `malformed` plist as far as its reader is concerned.
 */
export function plistShape<S extends z.ZodType>(value: unknown, schema: S, what: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const where = r.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length > 0 ? i.path.map(String).join('.') : 'top level'}: ${i.message}`)
    .join('; ');
  throw new PlistError(`${what} is not the expected structure (${where})`, 'malformed');
}

/** A zod check that a value is a plist dict, for building shapes of whole files. */
export const plistDictSchema = z.custom<PlistDict>(isPlistDict, { message: 'expected a dictionary' });
