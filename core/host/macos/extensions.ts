/**
 * System extensions (`/Library/SystemExtensions/db.plist`, macOS 10.15 and later) and legacy
 * third-party kernel extensions (`/Library/Extensions/*.kext`).
 */
import * as z from 'zod';
import type { Entry, ImageFs } from '../../fs/image-fs';
import type { SystemExtensionEntry } from '../inventory';
import { isPlistDict, plistDict, plistDictSchema, plistShape, plistString } from '../parsers/plist';
import {
  BundleInfo,
  CONCURRENCY,
  dropUndefined,
  emptyPart,
  listFolder,
  mapLimit,
  merge,
  note,
  readPlist,
  type Part,
} from './common';

const SYSEXT_DB = '/Library/SystemExtensions/db.plist';

const SysextDb = plistDictSchema.pipe(z.looseObject({ extensions: z.unknown() }));

/** `file:///Library/SystemExtensions/UUID/x.systemextension/` -> the path, or undefined. */
function fileUrlPath(url: string | undefined): string | undefined {
  if (!url?.startsWith('file://')) return undefined;
  try {
    const p = decodeURIComponent(url.slice('file://'.length).replace(/^localhost(?=\/)/, ''));
    const trimmed = p.length > 1 ? p.replace(/\/+$/, '') : p;
    return trimmed.startsWith('/') ? trimmed : undefined;
  } catch {
    return undefined;
  }
}

/** One entry of db.plist's `extensions` array as an inventory item, or a note when it is not a dict. */
function sysextItem(ext: unknown, i: number, part: Part): void {
  if (!isPlistDict(ext)) {
    part.notes.push(note('warning', `${SYSEXT_DB}: extensions[${i}] is not a dictionary; skipped`));
    return;
  }
  const identifier = plistString(ext, 'identifier');
  const bundleVersion = plistDict(ext, 'bundleVersion');
  const staged = plistDict(ext, 'stagedBundleURL');
  const stagedPath = fileUrlPath(
    staged ? plistString(staged, 'relative') : plistString(ext, 'stagedBundleURL'),
  );
  const item: SystemExtensionEntry = {
    kind: 'system-extension',
    location: stagedPath ?? `${SYSEXT_DB}#${identifier ?? `extensions[${i}]`}`,
    bundleId: identifier,
    teamId: plistString(ext, 'teamID'),
    state: plistString(ext, 'state'),
    version:
      plistString(bundleVersion, 'CFBundleShortVersionString') ??
      plistString(bundleVersion, 'CFBundleVersion'),
  };
  part.items.push(dropUndefined(item));
  if (!identifier) part.notes.push(note('warning', `${SYSEXT_DB}: extensions[${i}] has no identifier`));
}

/**
 * Reads `/Library/SystemExtensions/db.plist`, the database `sysextd` keeps of every system
 * extension it knows (active, waiting for approval, or waiting to be removed at reboot).
 *
 * Format (not documented by Apple; as read by osquery and other public inventory tools): a dict
 * whose `extensions` array holds one dict per extension with `identifier`, `teamID`, `state`
 * (`activated_enabled`, `activated_waiting_for_user`, `terminated_waiting_to_uninstall_on_reboot`...),
 * `bundleVersion` {`CFBundleShortVersionString`, `CFBundleVersion`}, `originPath` (inside the app
 * that installed it) and `stagedBundleURL` {`relative`: a `file://` URL of the copy under
 * /Library/SystemExtensions}. Each may be missing.
 */
export async function probeSystemExtensions(fs: ImageFs): Promise<Part> {
  const part = emptyPart();
  const read = await readPlist(fs, SYSEXT_DB, fs.top);
  if ('why' in read) {
    if (read.code === 'ENOENT') {
      part.notes.push(
        note(
          'info',
          `${SYSEXT_DB}: not present; no system extensions registered (or not a macOS 10.15+ root)`,
        ),
      );
    } else {
      // Unreadable (not merely malformed): what it lists is unknown, not absent.
      const blind = !read.code.startsWith('PLIST_') && read.code !== 'ENOTDIR';
      part.notes.push({
        ...note('warning', `${SYSEXT_DB}: ${read.why}; system extensions not inventoried`),
        ...(blind ? { blind: true as const } : {}),
      });
    }
    return part;
  }
  let db;
  try {
    db = plistShape(read.value, SysextDb, SYSEXT_DB);
  } catch (e) {
    part.notes.push(note('warning', `${(e as Error).message}; system extensions not inventoried`));
    return part;
  }
  if (db.extensions === undefined) {
    part.notes.push(note('info', `${SYSEXT_DB}: lists no extensions`));
    return part;
  }
  if (!Array.isArray(db.extensions)) {
    part.notes.push(
      note('warning', `${SYSEXT_DB}: "extensions" is not an array; system extensions not inventoried`),
    );
    return part;
  }
  (db.extensions as unknown[]).forEach((ext, i) => sysextItem(ext, i, part));
  return part;
}

async function readKext(fs: ImageFs, entry: Entry): Promise<Part> {
  const item: SystemExtensionEntry = { kind: 'system-extension', location: entry.real, state: 'kext' };
  const read = await readPlist(fs, 'Contents/Info.plist', entry.resolved);
  if ('why' in read) {
    const what = read.code === 'ENOENT' ? 'has no Contents/Info.plist' : `Contents/Info.plist ${read.why}`;
    return { items: [item], notes: [note('warning', `${entry.real}: ${what}; its bundle id is unknown`)] };
  }
  try {
    const info = plistShape(read.value, BundleInfo, `${entry.real}/Contents/Info.plist`);
    item.bundleId = info.CFBundleIdentifier;
    item.version = info.CFBundleShortVersionString ?? info.CFBundleVersion;
    return { items: [dropUndefined(item)], notes: [] };
  } catch (e) {
    return {
      items: [item],
      notes: [note('warning', `${entry.real}: ${(e as Error).message}; its bundle id is unknown`)],
    };
  }
}

/** Third-party kernel extensions (the pre-2020 way; Kaspersky's klif.kext, klnke.kext...). */
export async function probeKexts(fs: ImageFs): Promise<Part> {
  const folder = await listFolder(fs, '/Library/Extensions');
  const kexts = folder.entries.filter((e) => e.kind === 'dir' && /\.kext$/i.test(e.name));
  const parts = await mapLimit(kexts, CONCURRENCY, (e) => readKext(fs, e));
  return merge([{ items: [], notes: folder.notes }, ...parts]);
}
