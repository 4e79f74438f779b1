/**
 * What the parts of the macOS probe share: how a part's findings are kept and merged, reading a
 * plist of the inspected machine, listing the folders the probe always looks at, and the shape of
 * an `Info.plist`.
 */
import * as z from 'zod';
import { describeImageError, type Entry, type ImageFs, isBlind, type ImageFsError } from '../../fs/image-fs';
import type { InventoryItem, ProbeNote } from '../inventory';
import { READ_CAPS } from '../limits';
import { parsePlist, PlistError, plistDictSchema, plistText } from '../parsers/plist';

export const PROBE = 'macos';
/** Files read at the same time. */
export const CONCURRENCY = 16;

/** What part of a probe found: merged in a fixed order so that output does not depend on timing. */
export interface Part {
  items: InventoryItem[];
  notes: ProbeNote[];
}

export const emptyPart = (): Part => ({ items: [], notes: [] });
export const note = (level: ProbeNote['level'], message: string): ProbeNote => ({
  probe: PROBE,
  level,
  message,
});

/** The note for a folder that could not be listed; blind when it may hold what was not seen. */
export function folderNote(real: string, err: ImageFsError): ProbeNote {
  return {
    ...note('warning', `${real}: ${err.phrase}; not inventoried`),
    ...(isBlind(err) ? { blind: true } : {}),
  };
}

export function merge(parts: readonly Part[]): Part {
  const out = emptyPart();
  for (const p of parts) {
    out.items.push(...p.items);
    out.notes.push(...p.notes);
  }
  return out;
}

/** Runs `fn` over `inputs` with at most `limit` running at once; results keep the input order. */
export async function mapLimit<T, R>(
  inputs: readonly T[],
  limit: number,
  fn: (input: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(inputs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < inputs.length) {
      const i = next;
      next += 1;
      results[i] = await fn(inputs[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, inputs.length) }, worker));
  return results;
}

/** Copies `item` without the keys whose value is undefined (so JSON and deep equality stay clean). */
export function dropUndefined<T extends object>(item: T): T {
  return Object.fromEntries(Object.entries(item).filter(([, v]) => v !== undefined)) as T;
}

export const stripSuffix = (name: string, suffix: RegExp): string => name.replace(suffix, '');

/** Reads and parses one plist of the inspected machine; failures come back as a reason in words. */
export async function readPlist(
  fs: ImageFs,
  rel: string,
  base: Entry['resolved'],
): Promise<{ value: unknown } | { why: string; code: string }> {
  try {
    const file = await fs.resolve(rel, base);
    return {
      value: parsePlist(await fs.readFile(file, { maxBytes: READ_CAPS.plist, what: 'property list' })),
    };
  } catch (e) {
    if (e instanceof PlistError) return { why: e.message, code: `PLIST_${e.problem}` };
    const err = describeImageError(e);
    return { why: err.phrase, code: err.reason };
  }
}

/** Lists a resolved folder, turning links that cannot be followed into notes. */
export async function listResolved(
  fs: ImageFs,
  dir: Entry['resolved'],
  real: string,
): Promise<{ entries: Entry[]; notes: ProbeNote[] }> {
  const { entries, skipped } = await fs.list(dir, real);
  const notes = skipped.map((s) => {
    const why =
      s.error.reason === 'ENOENT'
        ? 'its target is not present inside the inspected root; skipped'
        : s.error.phrase;
    return note('warning', `${s.real} (symbolic link to ${s.target}): ${why}`);
  });
  return { entries, notes };
}

/**
 * Lists a folder the probe always looks at, turning its absence into a note.
 *
 * `quietIfMissing` is for folders that many machines simply do not have (a user's own
 * `~/Applications`): their absence is normal and not worth a line in the scan output.
 */
export async function listFolder(
  fs: ImageFs,
  real: string,
  opts: { quietIfMissing?: boolean } = {},
): Promise<{ entries: Entry[]; notes: ProbeNote[] }> {
  try {
    return await listResolved(fs, await fs.resolve(real), real);
  } catch (e) {
    const err = describeImageError(e);
    if (err.reason === 'ENOENT') {
      return {
        entries: [],
        notes: opts.quietIfMissing ? [] : [note('info', `${real}: not present; nothing to inventory there`)],
      };
    }
    return { entries: [], notes: [folderNote(real, err)] };
  }
}

/** The user folders under `/Users` (`Shared` included: software installs there too). */
export async function userHomes(fs: ImageFs): Promise<{ homes: Entry[]; notes: ProbeNote[] }> {
  const { entries, notes } = await listFolder(fs, '/Users');
  return { homes: entries.filter((e) => e.kind === 'dir' && !e.name.startsWith('.')), notes };
}

/** An `Info.plist` (apps, legacy receipts, kexts): lenient, one odd field must not cost the rest. */
export const BundleInfo = plistDictSchema.pipe(
  z.looseObject({
    CFBundleIdentifier: plistText,
    CFBundleDisplayName: plistText,
    CFBundleName: plistText,
    CFBundleShortVersionString: plistText,
    CFBundleVersion: plistText,
  }),
);
