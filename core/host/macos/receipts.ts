/**
 * Installer package receipts: `/var/db/receipts/*.plist` (macOS 10.6 and later) and the legacy
 * receipt bundles of `/Library/Receipts/*.pkg`.
 */
import * as z from 'zod';
import type { Entry, ImageFs } from '../../fs/image-fs';
import type { PkgReceiptEntry } from '../inventory';
import { plistDictSchema, plistShape, plistText } from '../parsers/plist';
import {
  BundleInfo,
  CONCURRENCY,
  dropUndefined,
  listFolder,
  mapLimit,
  merge,
  note,
  readPlist,
  stripSuffix,
  type Part,
} from './common';

const Receipt = plistDictSchema.pipe(
  z.looseObject({
    PackageIdentifier: plistText,
    PackageVersion: plistText,
    InstallDate: z.unknown(),
  }),
);

async function readReceipt(fs: ImageFs, entry: Entry): Promise<Part> {
  const item: PkgReceiptEntry = {
    kind: 'pkg-receipt',
    location: entry.real,
    packageId: stripSuffix(entry.name, /\.plist$/i),
  };
  const read = await readPlist(fs, '', entry.resolved);
  if ('why' in read) {
    return {
      items: [item],
      notes: [note('warning', `${entry.real}: ${read.why}; package id taken from the file name`)],
    };
  }
  try {
    const r = plistShape(read.value, Receipt, entry.real);
    item.packageId = r.PackageIdentifier ?? item.packageId;
    item.version = r.PackageVersion;
    const date =
      r.InstallDate instanceof Date
        ? r.InstallDate
        : typeof r.InstallDate === 'string'
          ? new Date(r.InstallDate)
          : undefined;
    if (date && !Number.isNaN(date.getTime())) item.installDate = date.toISOString();
    return { items: [dropUndefined(item)], notes: [] };
  } catch (e) {
    return {
      items: [item],
      notes: [note('warning', `${entry.real}: ${(e as Error).message}; package id taken from the file name`)],
    };
  }
}

async function readLegacyReceipt(fs: ImageFs, entry: Entry): Promise<Part> {
  const item: PkgReceiptEntry = {
    kind: 'pkg-receipt',
    location: entry.real,
    packageId: stripSuffix(entry.name, /\.pkg$/i),
  };
  const read = await readPlist(fs, 'Contents/Info.plist', entry.resolved);
  if ('why' in read) {
    return {
      items: [item],
      notes: [
        note(
          'warning',
          `${entry.real}: Contents/Info.plist ${read.why}; package id taken from the folder name`,
        ),
      ],
    };
  }
  try {
    const info = plistShape(read.value, BundleInfo, `${entry.real}/Contents/Info.plist`);
    item.packageId = info.CFBundleIdentifier ?? item.packageId;
    item.version = info.CFBundleShortVersionString ?? info.CFBundleVersion;
    return { items: [dropUndefined(item)], notes: [] };
  } catch (e) {
    return {
      items: [item],
      notes: [
        note('warning', `${entry.real}: ${(e as Error).message}; package id taken from the folder name`),
      ],
    };
  }
}

export async function probeReceipts(fs: ImageFs): Promise<Part> {
  const modern = await listFolder(fs, '/var/db/receipts');
  const receipts = modern.entries.filter((e) => e.kind === 'file' && /\.plist$/i.test(e.name));
  const modernParts = await mapLimit(receipts, CONCURRENCY, (e) => readReceipt(fs, e));
  // Before 10.6, receipts were bundles in /Library/Receipts; most Macs no longer have the folder.
  const legacy = await listFolder(fs, '/Library/Receipts', { quietIfMissing: true });
  const bundles = legacy.entries.filter((e) => e.kind === 'dir' && /\.pkg$/i.test(e.name));
  const legacyParts = await mapLimit(bundles, CONCURRENCY, (e) => readLegacyReceipt(fs, e));
  return merge([{ items: [], notes: [...modern.notes, ...legacy.notes] }, ...modernParts, ...legacyParts]);
}
