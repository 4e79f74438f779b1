/**
 * launchd jobs: the system's daemons and agents, Apple's own under `/Library/Apple`, and each
 * user's `~/Library/LaunchAgents`, with their label and program.
 */
import * as z from 'zod';
import type { Entry, ImageFs } from '../../fs/image-fs';
import type { LaunchdEntry } from '../inventory';
import { plistArray, plistDictSchema, plistShape, plistText } from '../parsers/plist';
import {
  CONCURRENCY,
  dropUndefined,
  listFolder,
  mapLimit,
  merge,
  note,
  readPlist,
  type Part,
} from './common';

/**
 * launchd folders read on every machine. `/Library/Apple/System/Library/LaunchDaemons` holds
 * Apple's XProtect jobs (the built-in replacement the verifier looks for); `/System/Library` is
 * Apple's own sealed volume and is left out.
 */
const LAUNCHD_FOLDERS = [
  '/Library/LaunchDaemons',
  '/Library/LaunchAgents',
  '/Library/Apple/System/Library/LaunchDaemons',
];

const LaunchdJob = plistDictSchema.pipe(
  z.looseObject({
    Label: plistText,
    Program: plistText,
  }),
);

async function readLaunchdJob(fs: ImageFs, entry: Entry): Promise<Part> {
  const item: LaunchdEntry = { kind: 'launchd', location: entry.real };
  const read = await readPlist(fs, '', entry.resolved);
  if ('why' in read)
    return { items: [item], notes: [note('warning', `${entry.real}: ${read.why}; its label is unknown`)] };
  try {
    const job = plistShape(read.value, LaunchdJob, entry.real);
    item.label = job.Label;
    const args = plistArray(read.value, 'ProgramArguments') ?? [];
    const first = typeof args[0] === 'string' && args[0].trim() !== '' ? args[0].trim() : undefined;
    item.program = job.Program ?? first;
    return { items: [dropUndefined(item)], notes: [] };
  } catch (e) {
    return {
      items: [item],
      notes: [note('warning', `${entry.real}: ${(e as Error).message}; its label is unknown`)],
    };
  }
}

async function launchdIn(fs: ImageFs, real: string, quietIfMissing: boolean): Promise<Part> {
  const folder = await listFolder(fs, real, { quietIfMissing });
  const jobs = folder.entries.filter((e) => e.kind === 'file' && /\.plist$/i.test(e.name));
  const parts = await mapLimit(jobs, CONCURRENCY, (e) => readLaunchdJob(fs, e));
  return merge([{ items: [], notes: folder.notes }, ...parts]);
}

export async function probeLaunchd(fs: ImageFs, homes: readonly Entry[]): Promise<Part> {
  const parts: Part[] = [];
  for (const folder of LAUNCHD_FOLDERS) parts.push(await launchdIn(fs, folder, false));
  for (const home of homes) parts.push(await launchdIn(fs, `${home.real}/Library/LaunchAgents`, true));
  return merge(parts);
}
