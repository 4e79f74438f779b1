/**
 * The catalog folder of a data dir (`<dataDir>/catalog/`): the accepted envelopes kept verbatim
 * (`publisher.dsse.json`, `agency-<slug>.dsse.json`), the root rotations accepted
 * (`roots/root-<N>.dsse.json`), `state.json` (per channel: sequence, version, payload digest,
 * dates; the newest issuedAt seen; the root version) and `trust.json` (the agencies an
 * administrator trusts).
 *
 * Every write is atomic: a temporary file in the same folder, fsync, rename over the target, fsync
 * of the folder. A process killed before the rename leaves the previous file intact (and a `.tmp`
 * file that nothing reads). Release files are read with a size cap checked before reading.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type * as z from 'zod';
import {
  AgencyTrust,
  ImportState,
  MAX_RELEASE_BYTES,
  STATE_SCHEMA,
  TRUST_SCHEMA,
  type Channel,
} from '../../model/catalog-release';
import { ensureDir } from '../../fs-dirs';
import { issuesInOneLine } from '../../validation';
import { parseJsonBytes } from './envelope';
import { refuse, ReleaseRefused } from './refusal';
import { FileRefusedError, readRegularFileSync } from '../../fs/read-file';

/** The catalog folder of a data dir. */
export function catalogDir(dataDir: string): string {
  return join(dataDir, 'catalog');
}

/** The file holding the accepted envelope of a channel. */
export function releaseFile(dataDir: string, channel: Channel): string {
  const name = channel === 'publisher' ? 'publisher' : `agency-${channel.slice('agency:'.length)}`;
  return join(catalogDir(dataDir), `${name}.dsse.json`);
}

/** The file holding root version `version` (2 and later; version 1 is built in). */
export function rootFile(dataDir: string, version: number): string {
  return join(catalogDir(dataDir), 'roots', `root-${version}.dsse.json`);
}

export const statePath = (dataDir: string): string => join(catalogDir(dataDir), 'state.json');
export const trustPath = (dataDir: string): string => join(catalogDir(dataDir), 'trust.json');

/**
 * Reads a file of at most `cap` bytes through the one safe reader (no links, regular files only,
 * the size checked on the open file before anything is read): a FIFO or a device given as a
 * release is refused at once, never waited on.
 */
export function readBounded(file: string, cap = MAX_RELEASE_BYTES, what = 'catalog file'): Buffer {
  try {
    return readRegularFileSync(file, { maxBytes: cap, what });
  } catch (e) {
    if (e instanceof FileRefusedError)
      refuse(e.refusal === 'too-large' ? 'too-large' : 'unreadable', e.message);
    const code = (e as NodeJS.ErrnoException).code;
    refuse('unreadable', `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

/** True when the file exists. */
export function exists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}

function fsyncDir(dir: string): void {
  if (process.platform === 'win32') return; // Windows cannot open a folder as a file; NTFS journals the rename.
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes `data` to `file` atomically: temporary file, fsync, rename, fsync of the folder. */
export function writeAtomic(file: string, data: string | Uint8Array, mode = 0o644): void {
  const dir = join(file, '..');
  ensureDir(dir, 0o755);
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', mode);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, file);
  fsyncDir(dir);
}

/** Removes temporary files an interrupted write left in the catalog folder (older than an hour). */
export function removeLeftoverTemps(dataDir: string, nowMs = Date.now()): void {
  for (const dir of [catalogDir(dataDir), join(catalogDir(dataDir), 'roots')]) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names.filter((n) => n.endsWith('.tmp'))) {
      const file = join(dir, name);
      try {
        if (nowMs - statSync(file).mtimeMs > 3_600_000) rmSync(file, { force: true });
      } catch {
        // Gone already.
      }
    }
  }
}

/** Reads a small JSON file of the catalog folder against its schema; undefined when absent. */
function readJson<T>(file: string, schema: z.ZodType<T>): { value?: T; problem?: string } {
  if (!exists(file)) return {};
  try {
    const parsed = schema.safeParse(parseJsonBytes(readBounded(file, 1024 * 1024), file));
    if (parsed.success) return { value: parsed.data };
    return { problem: `${file} is not valid: ${issuesInOneLine(parsed.error.issues)}` };
  } catch (e) {
    if (e instanceof ReleaseRefused) return { problem: e.message };
    throw e;
  }
}

/** state.json, or an empty state; a damaged file is reported in `problem` and counts as empty. */
export function readState(dataDir: string): { state: ImportState; problem?: string } {
  const { value, problem } = readJson(statePath(dataDir), ImportState);
  return {
    state: value ?? { schema: STATE_SCHEMA, channels: {}, maxIssuedAt: null, rootVersion: 1 },
    ...(problem ? { problem } : {}),
  };
}

export function writeState(dataDir: string, state: ImportState): void {
  writeAtomic(statePath(dataDir), `${JSON.stringify(ImportState.parse(state), null, 2)}\n`);
}

/** trust.json, or no agencies; a damaged file is reported in `problem`. */
export function readTrust(dataDir: string): { trust: AgencyTrust; problem?: string } {
  const { value, problem } = readJson(trustPath(dataDir), AgencyTrust);
  return { trust: value ?? { schema: TRUST_SCHEMA, agencies: [] }, ...(problem ? { problem } : {}) };
}

export function writeTrust(dataDir: string, trust: AgencyTrust): void {
  writeAtomic(trustPath(dataDir), `${JSON.stringify(AgencyTrust.parse(trust), null, 2)}\n`);
}
