import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  isPlistDict,
  parsePlist,
  PlistError,
  plistArray,
  plistBoolean,
  plistDate,
  plistDict,
  plistDictSchema,
  plistNumber,
  plistShape,
  plistString,
  plistStrings,
  plistText,
} from '../../core/host/parsers/plist';
import type { PlistProblem } from '../../core/host/parsers/plist';
import { plistBytes, pythonAvailable } from '../beds/macos';
import type { PlistJson } from '../beds/macos';

const PYTHON = pythonAvailable();
if (!PYTHON) {
  if (process.env.CI) throw new Error('python3 (plistlib) is needed to write binary plists for these tests');
  console.warn('plist tests: python3 not found; tests that need plistlib-written files are skipped');
}

/** A value with every plist type, as plistlib receives it. */
const SAMPLE: { [key: string]: PlistJson } = {
  CFBundleIdentifier: 'com.kaspersky.kav',
  CFBundleName: 'Kaspersky Endpoint Security for Mac',
  Vendor: 'Лаборатория Касперского',
  Count: 42,
  Big: 2 ** 40,
  Negative: -7,
  Ratio: 1.5,
  Enabled: true,
  Disabled: false,
  InstallDate: { $date: '2024-03-05T09:14:02Z' },
  Blob: { $data: Buffer.from([0, 1, 2, 255]).toString('base64') },
  ProgramArguments: ['/Library/Application Support/Kaspersky Lab/KAV/Binaries/kav', '-d'],
  Nested: { Inner: { Deep: ['a', 1, false] } },
  EmptyDict: {},
  EmptyArray: [],
};

function expectSample(v: unknown): void {
  expect(isPlistDict(v)).toBe(true);
  expect(plistString(v, 'CFBundleIdentifier')).toBe('com.kaspersky.kav');
  expect(plistString(v, 'Vendor')).toBe('Лаборатория Касперского');
  expect(plistNumber(v, 'Count')).toBe(42);
  expect(plistNumber(v, 'Big')).toBe(2 ** 40);
  expect(plistNumber(v, 'Negative')).toBe(-7);
  expect(plistNumber(v, 'Ratio')).toBe(1.5);
  expect(plistBoolean(v, 'Enabled')).toBe(true);
  expect(plistBoolean(v, 'Disabled')).toBe(false);
  expect(plistDate(v, 'InstallDate')?.toISOString()).toBe('2024-03-05T09:14:02.000Z');
  const blob = (v as { Blob: Uint8Array }).Blob;
  expect(Buffer.from(blob)).toEqual(Buffer.from([0, 1, 2, 255]));
  expect(plistStrings(v, 'ProgramArguments')).toEqual([
    '/Library/Application Support/Kaspersky Lab/KAV/Binaries/kav',
    '-d',
  ]);
  expect(plistArray(plistDict(plistDict(v, 'Nested'), 'Inner'), 'Deep')).toEqual(['a', 1, false]);
  expect(plistDict(v, 'EmptyDict')).toEqual({});
  expect(plistArray(v, 'EmptyArray')).toEqual([]);
}

function problemOf(buf: Buffer): { problem: PlistProblem; message: string } {
  try {
    parsePlist(buf);
  } catch (e) {
    expect(e).toBeInstanceOf(PlistError);
    return { problem: (e as PlistError).problem, message: (e as PlistError).message };
  }
  throw new Error('expected a PlistError');
}

/** A hand-made bplist00: objects (already encoded), 1-byte offsets and refs, top object 0. */
function handMadeBinary(objects: Buffer[]): Buffer {
  const header = Buffer.from('bplist00', 'latin1');
  const offsets: number[] = [];
  let pos = header.length;
  for (const o of objects) {
    offsets.push(pos);
    pos += o.length;
  }
  const offsetSize = pos > 255 ? 2 : 1;
  const table = Buffer.alloc(offsets.length * offsetSize);
  offsets.forEach((o, i) => (offsetSize === 2 ? table.writeUInt16BE(o, i * 2) : table.writeUInt8(o, i)));
  const trailer = Buffer.alloc(32);
  trailer.writeUInt8(offsetSize, 6);
  trailer.writeUInt8(objects.length > 255 ? 2 : 1, 7);
  trailer.writeBigUInt64BE(BigInt(objects.length), 8);
  trailer.writeBigUInt64BE(0n, 16);
  trailer.writeBigUInt64BE(BigInt(pos), 24);
  return Buffer.concat([header, ...objects, table, trailer]);
}

/** An array object referring to `refs` (1- or 2-byte refs, per `wide`). */
function arrayObject(refs: number[], wide = false): Buffer {
  const head = refs.length < 15 ? Buffer.from([0xa0 | refs.length]) : Buffer.from([0xaf, 0x10, refs.length]);
  const body = Buffer.alloc(refs.length * (wide ? 2 : 1));
  refs.forEach((r, i) => (wide ? body.writeUInt16BE(r, i * 2) : body.writeUInt8(r, i)));
  return Buffer.concat([head, body]);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('parsePlist: formats macOS writes', () => {
  it.skipIf(!PYTHON)('reads an XML plist written by plistlib', () => {
    const xml = plistBytes(SAMPLE, 'xml');
    expect(xml.subarray(0, 5).toString()).toBe('<?xml');
    expectSample(parsePlist(xml));
  });

  it.skipIf(!PYTHON)('reads a binary plist written by plistlib, to the same values', () => {
    const bin = plistBytes(SAMPLE, 'binary');
    expect(bin.subarray(0, 8).toString('latin1')).toBe('bplist00');
    const fromBinary = parsePlist(bin);
    expectSample(fromBinary);
    // Same values whichever the format (bytes aside: a Buffer from binary, a Uint8Array from XML).
    const withoutBytes = (v: unknown): string =>
      JSON.stringify(v, (k, x: unknown) => (k === 'Blob' ? 'bytes' : x));
    expect(withoutBytes(fromBinary)).toBe(withoutBytes(parsePlist(plistBytes(SAMPLE, 'xml'))));
  });

  it.skipIf(!PYTHON)('reads a top-level array and a top-level string', () => {
    expect(parsePlist(plistBytes(['a', 'b'], 'binary'))).toEqual(['a', 'b']);
    expect(parsePlist(plistBytes('just text', 'xml'))).toBe('just text');
  });

  it('reads XML in UTF-16 (both byte orders) and with a UTF-8 byte-order mark', () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-16"?><plist version="1.0"><dict><key>Name</key><string>Касперский</string></dict></plist>';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]);
    const be = Buffer.from(le);
    be.swap16();
    expect(parsePlist(le)).toEqual({ Name: 'Касперский' });
    expect(parsePlist(be)).toEqual({ Name: 'Касперский' });
    expect(parsePlist(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml)]))).toEqual({
      Name: 'Касперский',
    });
  });

  it('reads an old-style OpenStep plist', () => {
    expect(parsePlist(Buffer.from('{ CFBundleIdentifier = "com.example.old"; Args = (a, b); }'))).toEqual({
      CFBundleIdentifier: 'com.example.old',
      Args: ['a', 'b'],
    });
  });
});

describe('parsePlist: what is not a readable plist', () => {
  it('an empty file, and one of only white space', () => {
    expect(problemOf(Buffer.alloc(0))).toEqual({ problem: 'empty', message: 'empty file (0 bytes)' });
    expect(problemOf(Buffer.from('  \n\t\n'))).toMatchObject({ problem: 'empty' });
  });

  it('a JSON file misnamed .plist, object or array', () => {
    expect(problemOf(Buffer.from('{"CFBundleIdentifier": "com.kaspersky.kav"}\n'))).toEqual({
      problem: 'not-plist',
      message: 'not a property list: the file holds JSON',
    });
    expect(problemOf(Buffer.from('["a", 1]'))).toMatchObject({
      problem: 'not-plist',
      message: expect.stringContaining('JSON'),
    });
  });

  it('plain text, HTML, and bytes that are not text', () => {
    expect(problemOf(Buffer.from('hello world'))).toEqual({
      problem: 'not-plist',
      message: 'not a property list: starts with "hello world"',
    });
    expect(problemOf(Buffer.from('<html><body>hi</body></html>'))).toMatchObject({
      problem: 'not-plist',
      message: expect.stringContaining('root is not <plist>'),
    });
    expect(
      problemOf(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe, 0x00])),
    ).toMatchObject({
      problem: 'not-plist',
    });
  });

  it.skipIf(!PYTHON)('truncated XML', () => {
    const xml = plistBytes(SAMPLE, 'xml');
    for (const cut of [60, Math.floor(xml.length / 2), xml.length - 12]) {
      const r = problemOf(xml.subarray(0, cut));
      expect(['truncated', 'malformed']).toContain(r.problem);
      expect(r.message).toMatch(/XML plist/);
    }
    expect(problemOf(xml.subarray(0, xml.length - 12)).problem).toBe('truncated');
  });

  it('XML with mismatched tags or a dict without keys', () => {
    expect(problemOf(Buffer.from('<plist><dict><key>a</key><string>x</dict></plist>'))).toEqual({
      problem: 'malformed',
      message: 'malformed XML plist: Opening and ending tag mismatch: "string" != "dict"',
    });
    expect(problemOf(Buffer.from('<plist><dict><string>x</string></dict></plist>'))).toMatchObject({
      problem: 'malformed',
      message: expect.stringContaining('Missing key'),
    });
  });

  it.skipIf(!PYTHON)('truncated binary plists, at any length', () => {
    const bin = plistBytes(SAMPLE, 'binary');
    for (let cut = 0; cut < bin.length; cut += 7) {
      const r = problemOf(bin.subarray(0, cut));
      expect(['empty', 'truncated', 'malformed', 'not-plist']).toContain(r.problem);
    }
    expect(problemOf(bin.subarray(0, 20))).toEqual({
      problem: 'truncated',
      message: 'truncated binary plist: 20 bytes, too short to hold its trailer',
    });
    expect(problemOf(bin.subarray(0, bin.length - 10))).toEqual({
      problem: 'truncated',
      message: 'truncated or damaged binary plist: its trailer does not describe the file',
    });
    expect(problemOf(Buffer.from('bplist00'))).toMatchObject({ problem: 'truncated' });
  });

  it.skipIf(!PYTHON)('a binary plist with damaged bytes is an error, never a crash', () => {
    const bin = plistBytes(SAMPLE, 'binary');
    for (let i = 8; i < bin.length; i += 3) {
      const damaged = Buffer.from(bin);
      damaged[i] = (damaged[i] as number) ^ 0xff;
      try {
        parsePlist(damaged);
      } catch (e) {
        expect(e).toBeInstanceOf(PlistError);
      }
    }
  });

  it('an unsupported binary version', () => {
    expect(problemOf(Buffer.concat([Buffer.from('bplist15'), Buffer.alloc(40)]))).toEqual({
      problem: 'unsupported',
      message: 'unsupported binary plist version "bplist15" (only bplist00 is read)',
    });
  });

  it('a binary plist whose array contains itself', () => {
    const buf = handMadeBinary([arrayObject([0])]);
    expect(problemOf(buf)).toEqual({
      problem: 'malformed',
      message: 'damaged binary plist: an object contains itself',
    });
  });

  it('a binary plist that refers to a missing object', () => {
    const buf = handMadeBinary([arrayObject([5])]);
    expect(problemOf(buf)).toMatchObject({
      problem: 'malformed',
      message: expect.stringContaining('missing object'),
    });
  });

  it('a small binary plist that would expand to billions of values is refused, quickly', () => {
    // Object i is [i+1, i+1]; the last one is an empty array: 2^40 leaves once expanded.
    const n = 40;
    const objects = Array.from({ length: n }, (_, i) => arrayObject([i + 1, i + 1]));
    objects.push(Buffer.from([0xa0]));
    const started = Date.now();
    expect(problemOf(handMadeBinary(objects))).toMatchObject({
      problem: 'malformed',
      message: expect.stringContaining('expands to more than'),
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('a binary plist nested deeper than any real one', () => {
    const n = 400;
    const objects = Array.from({ length: n }, (_, i) => arrayObject([i + 1], true));
    objects.push(Buffer.from([0xa0]));
    expect(problemOf(handMadeBinary(objects))).toMatchObject({
      problem: 'malformed',
      message: expect.stringContaining('nested deeper'),
    });
  });

  it('keeps the XML parser quiet: nothing is printed, and console.error is given back', () => {
    const original = console.error;
    const spy = vi.spyOn(process.stderr, 'write');
    expect(() => parsePlist(Buffer.from('<?xml version="1.0"?><plist><dict>'))).toThrow(PlistError);
    expect(() => parsePlist(Buffer.from('<plist><dict><key>a</key><string>x</dict></plist>'))).toThrow(
      PlistError,
    );
    expect(spy).not.toHaveBeenCalled();
    expect(console.error).toBe(original);
  });
});

describe('accessors and shapes', () => {
  const dict = {
    s: '  padded  ',
    e: '   ',
    n: 3,
    nan: Number.NaN,
    d: new Date('2020-01-01T00:00:00Z'),
    bad: new Date('x'),
    a: ['x', 1, 'y'],
    o: { k: 'v' },
  };

  it('plistString trims, gives numbers as text, and ignores what is not a string', () => {
    expect(plistString(dict, 's')).toBe('padded');
    expect(plistString(dict, 'e')).toBeUndefined();
    expect(plistString(dict, 'n')).toBe('3');
    expect(plistString(dict, 'nan')).toBeUndefined();
    expect(plistString(dict, 'a')).toBeUndefined();
    expect(plistString(dict, 'missing')).toBeUndefined();
    expect(plistString(['s'], '0')).toBeUndefined();
    expect(plistString(undefined, 's')).toBeUndefined();
    expect(plistString(dict, 'toString')).toBeUndefined();
  });

  it('typed accessors return undefined for the wrong type', () => {
    expect(plistDate(dict, 'd')?.toISOString()).toBe('2020-01-01T00:00:00.000Z');
    expect(plistDate(dict, 'bad')).toBeUndefined();
    expect(plistDate(dict, 's')).toBeUndefined();
    expect(plistNumber(dict, 'nan')).toBeUndefined();
    expect(plistBoolean(dict, 'n')).toBeUndefined();
    expect(plistStrings(dict, 'a')).toEqual(['x', 'y']);
    expect(plistDict(dict, 'o')).toEqual({ k: 'v' });
    expect(plistDict(dict, 'd')).toBeUndefined();
    expect(plistArray(dict, 'o')).toBeUndefined();
  });

  it('isPlistDict is true for dicts only', () => {
    expect(isPlistDict({})).toBe(true);
    expect(isPlistDict(Object.create(null))).toBe(true);
    expect(isPlistDict([])).toBe(false);
    expect(isPlistDict(new Date())).toBe(false);
    expect(isPlistDict(Buffer.from('x'))).toBe(false);
    expect(isPlistDict(null)).toBe(false);
    expect(isPlistDict('x')).toBe(false);
  });

  it('plistShape keeps good fields, drops odd ones, and names what is wrong', () => {
    const Info = plistDictSchema.pipe(
      z.looseObject({ CFBundleIdentifier: plistText, CFBundleVersion: plistText }),
    );
    expect(
      plistShape({ CFBundleIdentifier: ' com.x ', CFBundleVersion: 12 }, Info, 'Info.plist'),
    ).toMatchObject({
      CFBundleIdentifier: 'com.x',
      CFBundleVersion: '12',
    });
    expect(plistShape({ CFBundleIdentifier: ['no'] }, Info, 'Info.plist').CFBundleIdentifier).toBeUndefined();
    expect(() => plistShape(['not', 'a', 'dict'], Info, '/Applications/X.app/Contents/Info.plist')).toThrow(
      /\/Applications\/X\.app\/Contents\/Info\.plist is not the expected structure \(top level: expected a dictionary\)/,
    );
    const Db = plistDictSchema.pipe(z.looseObject({ extensions: z.array(plistDictSchema) }));
    expect(() => plistShape({ extensions: [{}, 'x'] }, Db, 'db.plist')).toThrow(
      /extensions\.1: expected a dictionary/,
    );
    try {
      plistShape(1, Info, 'x');
    } catch (e) {
      expect((e as PlistError).problem).toBe('malformed');
    }
  });
});
