/**
 * App bundles: `/Applications` (and one sub-folder deep, `/Applications/Utilities/*.app`) and each
 * user's `~/Applications`, named and versioned from their `Info.plist`.
 */
import { describeImageError, type Entry, type ImageFs } from '../../fs/image-fs';
import { byName } from '../../fs/image-fs';
import type { AppBundleEntry } from '../inventory';
import { plistShape } from '../parsers/plist';
import {
  BundleInfo,
  CONCURRENCY,
  dropUndefined,
  folderNote,
  listFolder,
  listResolved,
  mapLimit,
  merge,
  note,
  readPlist,
  stripSuffix,
  type Part,
} from './common';

const APP = /\.app$/i;

async function readAppBundle(fs: ImageFs, entry: Entry): Promise<Part> {
  const item: AppBundleEntry = {
    kind: 'app-bundle',
    location: entry.real,
    name: stripSuffix(entry.name, APP),
  };
  let read = await readPlist(fs, 'Contents/Info.plist', entry.resolved);
  let infoPath = `${entry.real}/Contents/Info.plist`;
  if ('code' in read && read.code === 'ENOENT') {
    // iOS apps installed on Apple silicon Macs are wrappers: Foo.app/WrappedBundle -> Wrapper/Foo.app.
    const wrapped = await readPlist(fs, 'WrappedBundle/Info.plist', entry.resolved);
    if ('value' in wrapped) {
      read = wrapped;
      infoPath = `${entry.real}/WrappedBundle/Info.plist`;
    }
  }
  if ('why' in read) {
    const what = read.code === 'ENOENT' ? 'has no Contents/Info.plist' : `Contents/Info.plist ${read.why}`;
    return {
      items: [item],
      notes: [note('warning', `${entry.real}: ${what}; reported by its folder name only`)],
    };
  }
  try {
    const info = plistShape(read.value, BundleInfo, infoPath);
    item.bundleId = info.CFBundleIdentifier;
    item.name = info.CFBundleDisplayName ?? info.CFBundleName ?? item.name;
    item.version = info.CFBundleShortVersionString ?? info.CFBundleVersion;
    return { items: [dropUndefined(item)], notes: [] };
  } catch (e) {
    return {
      items: [item],
      notes: [note('warning', `${entry.real}: ${(e as Error).message}; reported by its folder name only`)],
    };
  }
}

/** `.app` bundles in a folder and in its sub-folders one level down (`/Applications/Utilities/*.app`). */
async function appsIn(fs: ImageFs, real: string, quietIfMissing: boolean): Promise<Part> {
  const top = await listFolder(fs, real, { quietIfMissing });
  const bundles: Entry[] = [];
  const notes = [...top.notes];
  const subfolders = top.entries.filter((e) => e.kind === 'dir' && !APP.test(e.name));
  bundles.push(...top.entries.filter((e) => e.kind === 'dir' && APP.test(e.name)));
  const nested = await mapLimit(subfolders, CONCURRENCY, async (sub) => {
    try {
      return await listResolved(fs, sub.resolved, sub.real);
    } catch (e) {
      return { entries: [], notes: [folderNote(sub.real, describeImageError(e))] };
    }
  });
  for (const n of nested) {
    notes.push(...n.notes);
    bundles.push(...n.entries.filter((e) => e.kind === 'dir' && APP.test(e.name)));
  }
  bundles.sort((a, b) => byName(a.real, b.real));
  const parts = await mapLimit(bundles, CONCURRENCY, (b) => readAppBundle(fs, b));
  return merge([{ items: [], notes }, ...parts]);
}

export async function probeApps(fs: ImageFs, homes: readonly Entry[]): Promise<Part> {
  const parts = [await appsIn(fs, '/Applications', false)];
  for (const home of homes) parts.push(await appsIn(fs, `${home.real}/Applications`, true));
  return merge(parts);
}
