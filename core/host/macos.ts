/**
 * The macOS host probe: app bundles, package receipts, launchd jobs, system extensions and kexts,
 * and (on the running system only) processes.
 *
 * It reads files, not tools: `system_profiler`, `pkgutil` and `systemextensionsctl` are slow, need
 * the live system and print formats that change between releases, while the plists they read are
 * on disk in every image. The only process it starts is one `ps`, and only on the live system.
 *
 * The machine is seen through `ctx.hostRoot` (a mounted image, a test bed, or `/`). Symlinks are
 * resolved the way the inspected machine would resolve them: an absolute target means *its* `/`,
 * and a relative target that climbs above its `/` is refused with a note, so that nothing outside
 * the root is ever read or reported as the image's. Every place that cannot be read becomes a
 * `ProbeNote` naming the path and the reason; the probe itself never throws.
 */
import { constants } from 'node:fs';
import type { Dirent } from 'node:fs';
import { lstat, open, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod';
import type {
  AppBundleEntry,
  InventoryItem,
  LaunchdEntry,
  PkgReceiptEntry,
  ProbeContext,
  ProbeNote,
  ProcessEntry,
  SystemExtensionEntry,
} from './inventory.js';
import {
  isPlistDict,
  parsePlist,
  PlistError,
  plistArray,
  plistDict,
  plistDictSchema,
  plistShape,
  plistString,
  plistText,
} from './parsers/plist.js';
import { isMissingTool } from './runner.js';
import type { CommandRunner } from './runner.js';

const PROBE = 'macos';
/** Symlink hops allowed while resolving one path (the kernel's own limit is 32 on macOS). */
const MAX_SYMLINK_HOPS = 32;
/** Plists bigger than this are not configuration files; reading them would only cost memory. */
const MAX_PLIST_BYTES = 16 * 1024 * 1024;
/** Files read at the same time. */
const CONCURRENCY = 16;
const PS_TIMEOUT_MS = 20_000;

/** What part of a probe found: merged in a fixed order so that output does not depend on timing. */
interface Part {
  items: InventoryItem[];
  notes: ProbeNote[];
}

const emptyPart = (): Part => ({ items: [], notes: [] });
const note = (level: ProbeNote['level'], message: string): ProbeNote => ({ probe: PROBE, level, message });

function merge(parts: readonly Part[]): Part {
  const out = emptyPart();
  for (const p of parts) {
    out.items.push(...p.items);
    out.notes.push(...p.notes);
  }
  return out;
}

/** Runs `fn` over `inputs` with at most `limit` running at once; results keep the input order. */
async function mapLimit<T, R>(
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

/** Code-unit order: the same on every machine, whatever its locale. */
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

// ---------------------------------------------------------------------------------------------
// Files of the inspected machine, seen through its root folder
// ---------------------------------------------------------------------------------------------

/** A failure to reach a path of the inspected machine, with the reason in words. */
class RootFsError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RootFsError';
  }
}

/** A path of the inspected machine resolved to components under its root (symlinks followed). */
interface Resolved {
  /** Components from the inspected machine's `/`, after symlinks. */
  parts: readonly string[];
  /** Where that is on this machine's disk. */
  disk: string;
}

/** An entry of a listed folder. */
interface Entry {
  name: string;
  /** The entry's path on the inspected machine, as listed (before symlinks). */
  real: string;
  kind: 'dir' | 'file' | 'other';
  resolved: Resolved;
}

function describeFsError(e: unknown): RootFsError {
  if (e instanceof RootFsError) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code ?? 'EIO';
  const why: Record<string, string> = {
    ENOENT: 'not present',
    EACCES: 'not readable (permission denied)',
    EPERM: 'not readable (operation not permitted; on macOS, Full Disk Access may be needed)',
    ENOTDIR: 'a path component is not a folder',
    ELOOP: 'too many levels of symbolic links',
    EISDIR: 'is a folder, not a file',
  };
  return new RootFsError(code, why[code] ?? `cannot be read (${code}: ${(e as Error).message})`);
}

/**
 * Reads the inspected machine's files through its root folder, resolving symlinks inside it.
 *
 * Node's own resolution would send an image's `/var -> /private/var`-style absolute links to this
 * machine's files; here every component is `lstat`ed and links are followed by hand, with the root
 * standing for `/`. Files are opened with `O_NOFOLLOW` so a link swapped in after resolution is
 * refused rather than followed.
 */
class RootFs {
  readonly root: string;
  readonly #rootIsSystemRoot: boolean;

  constructor(hostRoot: string) {
    this.root = path.resolve(hostRoot);
    this.#rootIsSystemRoot = this.root === path.parse(this.root).root;
  }

  #disk(parts: readonly string[]): string {
    return parts.length === 0 ? this.root : path.join(this.root, ...parts);
  }

  /** Resolves `rel` (a path relative to `base`, or absolute from the machine's `/`). */
  async resolve(rel: string, base: Resolved = { parts: [], disk: this.root }): Promise<Resolved> {
    const parts = rel.startsWith('/') ? [] : [...base.parts];
    const pending = split(rel);
    let hops = 0;
    while (pending.length > 0) {
      const c = pending.shift() as string;
      if (c === '..') {
        if (parts.length === 0) {
          // On the running system `/..` is `/`; in an image it would be the folder above the image.
          if (this.#rootIsSystemRoot) continue;
          throw new RootFsError(
            'ESCAPE',
            `a symbolic link on the way leads outside the inspected root (${this.root}); not followed`,
          );
        }
        parts.pop();
        continue;
      }
      parts.push(c);
      const disk = this.#disk(parts);
      let st;
      try {
        st = await lstat(disk);
      } catch (e) {
        throw describeFsError(e);
      }
      if (st.isSymbolicLink()) {
        hops += 1;
        if (hops > MAX_SYMLINK_HOPS) throw new RootFsError('ELOOP', 'too many levels of symbolic links');
        let target: string;
        try {
          target = await readlink(disk);
        } catch (e) {
          throw describeFsError(e);
        }
        parts.pop();
        // An absolute target is absolute on the inspected machine: start again from its root.
        if (target.startsWith('/')) parts.length = 0;
        pending.unshift(...split(target));
      } else if (pending.length > 0 && !st.isDirectory()) {
        throw new RootFsError('ENOTDIR', 'a path component is not a folder');
      }
    }
    return { parts, disk: this.#disk(parts) };
  }

  /** Lists a resolved folder: entries sorted by name, each resolved and typed (symlinks followed). */
  async list(dir: Resolved, real: string): Promise<{ entries: Entry[]; notes: ProbeNote[] }> {
    let dirents: Dirent[];
    try {
      dirents = await readdir(dir.disk, { withFileTypes: true });
    } catch (e) {
      throw describeFsError(e);
    }
    dirents.sort((a, b) => byName(a.name, b.name));
    const entries: Entry[] = [];
    const notes: ProbeNote[] = [];
    for (const d of dirents) {
      const entryReal = path.posix.join(real, d.name);
      const plain: Resolved = { parts: [...dir.parts, d.name], disk: path.join(dir.disk, d.name) };
      if (!d.isSymbolicLink()) {
        entries.push({
          name: d.name,
          real: entryReal,
          kind: d.isDirectory() ? 'dir' : d.isFile() ? 'file' : 'other',
          resolved: plain,
        });
        continue;
      }
      try {
        const resolved = await this.resolve(d.name, dir);
        const st = await lstat(resolved.disk);
        entries.push({
          name: d.name,
          real: entryReal,
          kind: st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other',
          resolved,
        });
      } catch (e) {
        const err = describeFsError(e);
        const target = await readlink(plain.disk).catch(() => '?');
        const why =
          err.code === 'ENOENT'
            ? 'its target is not present inside the inspected root; skipped'
            : err.message;
        notes.push(note('warning', `${entryReal} (symbolic link to ${target}): ${why}`));
      }
    }
    return { entries, notes };
  }

  /** Reads a resolved regular file, refusing symlinks, devices and anything over `maxBytes`. */
  async readFile(file: Resolved, maxBytes = MAX_PLIST_BYTES): Promise<Buffer> {
    let fh;
    try {
      fh = await open(
        file.disk,
        constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0),
      );
    } catch (e) {
      throw describeFsError(e);
    }
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw new RootFsError('ENOTFILE', 'is not a regular file');
      if (st.size > maxBytes) throw new RootFsError('EFBIG', `is too large to be a plist (${st.size} bytes)`);
      return await fh.readFile();
    } catch (e) {
      throw describeFsError(e);
    } finally {
      await fh.close();
    }
  }
}

function split(p: string): string[] {
  return p.split('/').filter((c) => c !== '' && c !== '.');
}

/**
 * Reads and parses one plist of the inspected machine; failures come back as a reason in words.
 */
async function readPlist(
  fs: RootFs,
  rel: string,
  base: Resolved,
): Promise<{ value: unknown } | { why: string; code: string }> {
  try {
    const file = await fs.resolve(rel, base);
    return { value: parsePlist(await fs.readFile(file)) };
  } catch (e) {
    if (e instanceof PlistError) return { why: e.message, code: `PLIST_${e.problem}` };
    const err = describeFsError(e);
    return { why: err.message, code: err.code };
  }
}

/**
 * Lists a folder the probe always looks at, turning its absence into a note.
 *
 * `quietIfMissing` is for folders that many machines simply do not have (a user's own
 * `~/Applications`): their absence is normal and not worth a line in the scan output.
 */
async function listFolder(
  fs: RootFs,
  real: string,
  opts: { quietIfMissing?: boolean; missingLevel?: ProbeNote['level'] } = {},
): Promise<{ entries: Entry[]; notes: ProbeNote[] }> {
  try {
    const dir = await fs.resolve(real);
    return await fs.list(dir, real);
  } catch (e) {
    const err = describeFsError(e);
    if (err.code === 'ENOENT') {
      return {
        entries: [],
        notes: opts.quietIfMissing
          ? []
          : [note(opts.missingLevel ?? 'info', `${real}: not present; nothing to inventory there`)],
      };
    }
    return { entries: [], notes: [note('warning', `${real}: ${err.message}; not inventoried`)] };
  }
}

/** The user folders under `/Users` (`Shared` included: software installs there too). */
async function userHomes(fs: RootFs): Promise<{ homes: Entry[]; notes: ProbeNote[] }> {
  const { entries, notes } = await listFolder(fs, '/Users');
  return { homes: entries.filter((e) => e.kind === 'dir' && !e.name.startsWith('.')), notes };
}

// ---------------------------------------------------------------------------------------------
// Shapes of the plists read (lenient: one odd field must not cost the rest)
// ---------------------------------------------------------------------------------------------

const BundleInfo = plistDictSchema.pipe(
  z.looseObject({
    CFBundleIdentifier: plistText,
    CFBundleDisplayName: plistText,
    CFBundleName: plistText,
    CFBundleShortVersionString: plistText,
    CFBundleVersion: plistText,
  }),
);

const Receipt = plistDictSchema.pipe(
  z.looseObject({
    PackageIdentifier: plistText,
    PackageVersion: plistText,
    InstallDate: z.unknown(),
  }),
);

const LaunchdJob = plistDictSchema.pipe(
  z.looseObject({
    Label: plistText,
    Program: plistText,
  }),
);

const SysextDb = plistDictSchema.pipe(z.looseObject({ extensions: z.unknown() }));

const stripSuffix = (name: string, suffix: RegExp): string => name.replace(suffix, '');

// ---------------------------------------------------------------------------------------------
// App bundles
// ---------------------------------------------------------------------------------------------

const APP = /\.app$/i;

async function readAppBundle(fs: RootFs, entry: Entry): Promise<Part> {
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
async function appsIn(fs: RootFs, real: string, quietIfMissing: boolean): Promise<Part> {
  const top = await listFolder(fs, real, { quietIfMissing });
  const bundles: Entry[] = [];
  const notes = [...top.notes];
  const subfolders = top.entries.filter((e) => e.kind === 'dir' && !APP.test(e.name));
  bundles.push(...top.entries.filter((e) => e.kind === 'dir' && APP.test(e.name)));
  const nested = await mapLimit(subfolders, CONCURRENCY, async (sub) => {
    try {
      return await fs.list(sub.resolved, sub.real);
    } catch (e) {
      return {
        entries: [],
        notes: [note('warning', `${sub.real}: ${describeFsError(e).message}; not inventoried`)],
      };
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

async function probeApps(fs: RootFs, homes: readonly Entry[]): Promise<Part> {
  const parts = [await appsIn(fs, '/Applications', false)];
  for (const home of homes) parts.push(await appsIn(fs, `${home.real}/Applications`, true));
  return merge(parts);
}

// ---------------------------------------------------------------------------------------------
// Package receipts
// ---------------------------------------------------------------------------------------------

async function readReceipt(fs: RootFs, entry: Entry): Promise<Part> {
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

async function readLegacyReceipt(fs: RootFs, entry: Entry): Promise<Part> {
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

async function probeReceipts(fs: RootFs): Promise<Part> {
  const modern = await listFolder(fs, '/var/db/receipts');
  const receipts = modern.entries.filter((e) => e.kind === 'file' && /\.plist$/i.test(e.name));
  const modernParts = await mapLimit(receipts, CONCURRENCY, (e) => readReceipt(fs, e));
  // Before 10.6, receipts were bundles in /Library/Receipts; most Macs no longer have the folder.
  const legacy = await listFolder(fs, '/Library/Receipts', { quietIfMissing: true });
  const bundles = legacy.entries.filter((e) => e.kind === 'dir' && /\.pkg$/i.test(e.name));
  const legacyParts = await mapLimit(bundles, CONCURRENCY, (e) => readLegacyReceipt(fs, e));
  return merge([{ items: [], notes: [...modern.notes, ...legacy.notes] }, ...modernParts, ...legacyParts]);
}

// ---------------------------------------------------------------------------------------------
// launchd jobs
// ---------------------------------------------------------------------------------------------

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

async function readLaunchdJob(fs: RootFs, entry: Entry): Promise<Part> {
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

async function launchdIn(fs: RootFs, real: string, quietIfMissing: boolean): Promise<Part> {
  const folder = await listFolder(fs, real, { quietIfMissing });
  const jobs = folder.entries.filter((e) => e.kind === 'file' && /\.plist$/i.test(e.name));
  const parts = await mapLimit(jobs, CONCURRENCY, (e) => readLaunchdJob(fs, e));
  return merge([{ items: [], notes: folder.notes }, ...parts]);
}

async function probeLaunchd(fs: RootFs, homes: readonly Entry[]): Promise<Part> {
  const parts: Part[] = [];
  for (const folder of LAUNCHD_FOLDERS) parts.push(await launchdIn(fs, folder, false));
  for (const home of homes) parts.push(await launchdIn(fs, `${home.real}/Library/LaunchAgents`, true));
  return merge(parts);
}

// ---------------------------------------------------------------------------------------------
// System extensions and kexts
// ---------------------------------------------------------------------------------------------

const SYSEXT_DB = '/Library/SystemExtensions/db.plist';

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
async function probeSystemExtensions(fs: RootFs): Promise<Part> {
  const part = emptyPart();
  const read = await readPlist(fs, SYSEXT_DB, { parts: [], disk: fs.root });
  if ('why' in read) {
    if (read.code === 'ENOENT') {
      part.notes.push(
        note(
          'info',
          `${SYSEXT_DB}: not present; no system extensions registered (or not a macOS 10.15+ root)`,
        ),
      );
    } else {
      part.notes.push(note('warning', `${SYSEXT_DB}: ${read.why}; system extensions not inventoried`));
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
  (db.extensions as unknown[]).forEach((ext, i) => {
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
  });
  return part;
}

async function readKext(fs: RootFs, entry: Entry): Promise<Part> {
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
async function probeKexts(fs: RootFs): Promise<Part> {
  const folder = await listFolder(fs, '/Library/Extensions');
  const kexts = folder.entries.filter((e) => e.kind === 'dir' && /\.kext$/i.test(e.name));
  const parts = await mapLimit(kexts, CONCURRENCY, (e) => readKext(fs, e));
  return merge([{ items: [], notes: folder.notes }, ...parts]);
}

// ---------------------------------------------------------------------------------------------
// Processes (live system only)
// ---------------------------------------------------------------------------------------------

/**
 * Parses `ps -axo pid=,comm=` output. On macOS `comm` is the executable's full path (it may hold
 * spaces: `/Library/Application Support/Kaspersky Lab/KAV/Binaries/kav`), so everything after the
 * pid is the path.
 */
export function parsePsOutput(stdout: string): ProcessEntry[] {
  const out: ProcessEntry[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^\s*(\d+)\s+(.+?)\s*$/.exec(line);
    if (!m) continue;
    const pid = Number(m[1]);
    const comm = m[2] as string;
    out.push({ kind: 'process', location: comm, name: path.posix.basename(comm) || comm, pid });
  }
  return out;
}

async function probeProcesses(runner: CommandRunner): Promise<Part> {
  const part = emptyPart();
  // /bin/ps by full path: the scan runs as root, and a PATH entry writable by someone else must not
  // be able to stand in for ps.
  const r = await runner.run(['/bin/ps', '-axo', 'pid=,comm='], { timeoutMs: PS_TIMEOUT_MS });
  if (isMissingTool(r)) {
    part.notes.push(note('warning', '/bin/ps is missing; running processes not inventoried'));
    return part;
  }
  if (r.spawnError) {
    part.notes.push(
      note(
        'warning',
        `/bin/ps could not be started (${r.spawnError.code}); running processes not inventoried`,
      ),
    );
    return part;
  }
  if (r.timedOut || r.exitCode !== 0) {
    const why = r.timedOut
      ? `timed out after ${PS_TIMEOUT_MS / 1000} s`
      : `exited with ${r.exitCode ?? r.signal ?? '?'}`;
    const stderr = r.stderr.trim().split('\n')[0];
    part.notes.push(
      note('warning', `/bin/ps ${why}${stderr ? `: ${stderr}` : ''}; the process list may be incomplete`),
    );
  }
  part.items.push(...parsePsOutput(r.stdout));
  return part;
}

// ---------------------------------------------------------------------------------------------

/** Copies `item` without the keys whose value is undefined (so JSON and deep equality stay clean). */
function dropUndefined<T extends object>(item: T): T {
  return Object.fromEntries(Object.entries(item).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Inventories a macOS machine (or image) from its files, plus its processes when live.
 *
 * Reports `.app` bundles (`/Applications`, one sub-folder deep, and each user's `~/Applications`),
 * package receipts (`/var/db/receipts`, legacy `/Library/Receipts/*.pkg`), launchd jobs (system and
 * per-user), system extensions (`/Library/SystemExtensions/db.plist`) and kexts
 * (`/Library/Extensions`). Locations are paths on the inspected machine, without `ctx.hostRoot`.
 * Never throws: what cannot be read is a note.
 */
export async function probeMacos(
  ctx: ProbeContext,
  runner: CommandRunner,
): Promise<{ items: InventoryItem[]; notes: ProbeNote[] }> {
  const fs = new RootFs(ctx.hostRoot);
  try {
    const st = await lstat(fs.root).catch((e: unknown) => describeFsError(e));
    if (st instanceof RootFsError || !st.isDirectory()) {
      const why = st instanceof RootFsError ? st.message : 'not a folder';
      return { items: [], notes: [note('warning', `host root ${fs.root}: ${why}; nothing inventoried`)] };
    }
    const { homes, notes: homeNotes } = await userHomes(fs);
    const parts = await Promise.all([
      probeApps(fs, homes),
      probeReceipts(fs),
      probeLaunchd(fs, homes),
      probeSystemExtensions(fs),
      probeKexts(fs),
      ctx.live && ctx.os === 'macos' ? probeProcesses(runner) : Promise.resolve(emptyPart()),
    ]);
    return merge([{ items: [], notes: homeNotes }, ...parts]);
  } catch (e) {
    // Nothing above should throw; if something does, the scan still gets what a note can say.
    return { items: [], notes: [note('warning', `macOS probe failed: ${(e as Error).message}`)] };
  }
}
