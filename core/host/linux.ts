/**
 * The Linux probe: dpkg and rpm databases, systemd units and init scripts, running processes.
 *
 * The dpkg database is read as a file (no process); rpm's database (SQLite, Berkeley DB or NDB)
 * is only readable through `rpm`, which runs once for the list and once for the files of the
 * packages that matter. Anything that cannot be inspected becomes a note in the scan output: a
 * scan is only as good as what it could see, and the user must know what it could not.
 */
import { readlink } from 'node:fs/promises';
import path from 'node:path';
import type { CommandRunner } from './runner';
import { isMissingTool } from './runner';
import type { InventoryItem, PackageEntry, ProbeContext, ProbeNote, ProbeOutput } from './inventory';
import { dpkgFilesPresent, type DpkgRecord } from './parsers/dpkg-status';
import { loadDpkgDatabase } from './dpkg-db';
import { describeImageError, ImageFs, isAbsent, type Resolved } from '../fs/image-fs';
import { readRegularFile } from '../fs/read-file';
import { boundOutput, boundText, READ_CAPS } from './limits';
import { placeNote } from './notes';

const MAX_FILES_PER_PACKAGE = 500;

/** Locations of rpm databases, newest layout first. */
const RPM_DB_DIRS = ['/usr/lib/sysimage/rpm', '/var/lib/rpm'];
const RPM_DB_FILES = ['rpmdb.sqlite', 'Packages.db', 'Packages'];

const UNIT_DIRS = [
  '/etc/systemd/system',
  '/run/systemd/system',
  '/lib/systemd/system',
  '/usr/lib/systemd/system',
];
const INIT_DIR = '/etc/init.d';
const DPKG_ADMIN = '/var/lib/dpkg';

/** The paths a package owns, from its `.list` file (`NAME.list` or `NAME:ARCH.list`). */
async function dpkgFileList(
  fs: ImageFs,
  info: Resolved | undefined,
  r: DpkgRecord,
  notes: ProbeNote[],
): Promise<string[] | undefined> {
  if (!info) return undefined;
  const names = [`${r.package}.list`, ...(r.architecture ? [`${r.package}:${r.architecture}.list`] : [])];
  for (const name of names) {
    try {
      const list = await fs.read(name, { maxBytes: READ_CAPS.dpkgList, what: 'dpkg file list' }, info);
      return list
        .toString('utf8')
        .split('\n')
        .filter((l) => l !== '' && l !== '/.')
        .slice(0, MAX_FILES_PER_PACKAGE);
    } catch (e) {
      const err = describeImageError(e);
      if (isAbsent(err)) continue;
      notes.push({
        probe: 'linux.dpkg',
        level: 'warning',
        message: `${DPKG_ADMIN}/info/${name}: ${err.phrase}; the files of ${r.package} are not listed`,
      });
      return undefined;
    }
  }
  return undefined;
}

async function probeDpkg(
  ctx: ProbeContext,
  fs: ImageFs,
  notes: ProbeNote[],
  found: Set<string>,
): Promise<InventoryItem[]> {
  const statusPath = `${DPKG_ADMIN}/status`;
  const load = await loadDpkgDatabase(fs, DPKG_ADMIN);
  if (load.state === 'absent') return [];
  found.add('dpkg');
  if (load.state === 'unreadable') {
    const n = placeNote('linux.dpkg', load.place, load.error, "dpkg's package database");
    if (n) notes.push(n);
    return [];
  }
  const { records, problems, pendingApplied } = load.db;
  if (pendingApplied > 0)
    notes.push({
      probe: 'linux.dpkg',
      level: 'info',
      message: `dpkg has ${pendingApplied} pending update record${pendingApplied === 1 ? '' : 's'} (an interrupted dpkg run); they were applied as dpkg would.`,
    });
  for (const p of problems.slice(0, 5))
    notes.push({ probe: 'linux.dpkg', level: 'warning', message: `${statusPath}: ${p}` });
  const info = ctx.packageInterest
    ? await fs.resolve(`${DPKG_ADMIN}/info`).catch(() => undefined)
    : undefined;
  const items: PackageEntry[] = [];
  for (const r of records) {
    if (ctx.packageInterest && !ctx.packageInterest(r.package, r.maintainer)) continue;
    const entry: PackageEntry = {
      kind: 'package',
      manager: 'dpkg',
      location: `dpkg:${statusPath}#${r.package}${r.architecture ? `:${r.architecture}` : ''}`,
      name: r.package,
      version: r.version,
      architecture: r.architecture,
      maintainer: r.maintainer,
      ...(r.priority ? { priority: r.priority } : {}),
      ...(r.essential?.toLowerCase() === 'yes' ? { essential: true } : {}),
      status: r.status,
      installed: dpkgFilesPresent(r.status),
    };
    if (ctx.packageInterest) {
      const files = await dpkgFileList(fs, info, r, notes);
      if (files) entry.files = files;
    }
    items.push(entry);
  }
  return items;
}

/**
 * The rpm database folder of the image, resolved inside it (so `rpm --dbpath` never follows an
 * absolute link out of the image); `blind` when a place it could be could not be inspected.
 */
async function findRpmDb(fs: ImageFs, notes: ProbeNote[]): Promise<{ dbDir?: string; blind: boolean }> {
  let blind = false;
  for (const dir of RPM_DB_DIRS) {
    for (const f of RPM_DB_FILES) {
      try {
        const st = await fs.stat(`${dir}/${f}`);
        return { dbDir: path.posix.dirname(fs.shown(st.resolved)), blind };
      } catch (e) {
        const n = placeNote('linux.rpm', `${dir}/${f}`, describeImageError(e), "rpm's package database");
        if (n) {
          notes.push(n);
          blind = true;
          break;
        }
      }
    }
  }
  return { blind };
}

async function probeRpm(
  ctx: ProbeContext,
  fs: ImageFs,
  runner: CommandRunner,
  notes: ProbeNote[],
  found: Set<string>,
): Promise<InventoryItem[]> {
  const { dbDir, blind } = await findRpmDb(fs, notes);
  if (blind) found.add('rpm');
  if (!dbDir) return [];
  found.add('rpm');
  const base = ['rpm', '--root', ctx.hostRoot, '--dbpath', dbDir];
  const qf = '%{NAME}\\t%{EPOCHNUM}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{VENDOR}\\t%{PACKAGER}\\n';
  const res = await runner.run([...base, '-qa', '--qf', qf], { timeoutMs: 60_000 });
  if (isMissingTool(res)) {
    notes.push({
      probe: 'linux.rpm',
      level: 'warning',
      message: `An rpm database exists at ${dbDir} but the rpm tool is not installed here: rpm packages were not inspected (install rpm, or scan from a machine that has it).`,
    });
    return [];
  }
  if (res.exitCode !== 0 || res.timedOut) {
    notes.push({
      probe: 'linux.rpm',
      level: 'warning',
      message: `rpm could not read the database at ${dbDir} (${res.timedOut ? 'timed out' : `exit ${res.exitCode}`}): ${res.stderr.trim().split('\n')[0] ?? ''}`,
    });
    return [];
  }
  const entries: PackageEntry[] = [];
  for (const line of res.stdout.split('\n')) {
    if (line.trim() === '') continue;
    const [name, epoch, version, release, arch, vendor, packager] = line.split('\t');
    if (!name || version === undefined) continue;
    const none = (s: string | undefined): string | undefined => (s && s !== '(none)' ? s : undefined);
    const ev = `${epoch && epoch !== '0' ? `${epoch}:` : ''}${version}${release ? `-${release}` : ''}`;
    entries.push({
      kind: 'package',
      manager: 'rpm',
      location: `rpm:${dbDir}#${name}`,
      name,
      version: ev,
      architecture: none(arch),
      maintainer: none(vendor) ?? none(packager),
      status: 'installed',
      installed: true,
    });
  }
  const wanted = ctx.packageInterest
    ? entries.filter((e) => ctx.packageInterest?.(e.name, e.maintainer))
    : [];
  if (wanted.length > 0) {
    const files = await runner.run(
      [...base, '-q', '--qf', '[%{=NAME}\\t%{FILENAMES}\\n]', ...wanted.map((w) => w.name)],
      {
        timeoutMs: 60_000,
      },
    );
    if (files.exitCode === 0) {
      const byName = new Map<string, string[]>();
      for (const line of files.stdout.split('\n')) {
        const tab = line.indexOf('\t');
        if (tab <= 0) continue;
        const list = byName.get(line.slice(0, tab)) ?? [];
        if (list.length < MAX_FILES_PER_PACKAGE) list.push(line.slice(tab + 1));
        byName.set(line.slice(0, tab), list);
      }
      for (const w of wanted) w.files = byName.get(w.name);
    }
  }
  return ctx.packageInterest ? wanted : entries;
}

/** Unit files and init scripts, by name (links are not followed: a masked unit is a link to /dev/null). */
async function probeUnits(fs: ImageFs, notes: ProbeNote[]): Promise<InventoryItem[]> {
  const items: InventoryItem[] = [];
  const names = async (dir: string): Promise<string[]> => {
    try {
      return (await fs.names(await fs.resolve(dir))).map((e) => e.name);
    } catch (e) {
      const n = placeNote('linux.units', dir, describeImageError(e), 'this folder of services');
      if (n) notes.push(n);
      return [];
    }
  };
  for (const dir of UNIT_DIRS) {
    for (const name of await names(dir)) {
      if (!/\.(service|socket|timer|path)$/.test(name)) continue;
      items.push({
        kind: 'service',
        location: `${dir}/${name}`,
        name: name.replace(/\.(service|socket|timer|path)$/, ''),
      });
    }
  }
  for (const name of await names(INIT_DIR)) {
    if (name.startsWith('.') || name === 'README' || name === 'skeleton') continue;
    items.push({ kind: 'service', location: `${INIT_DIR}/${name}`, name });
  }
  return items;
}

/** One process of /proc: its name and command line, or undefined when it is gone or unreadable. */
async function readProcess(proc: string, pid: string): Promise<InventoryItem | undefined> {
  // The live system's /proc, not an image: read straight (still a regular file, capped, no links).
  const read = async (file: string, maxBytes: number): Promise<string | undefined> => {
    try {
      return (await readRegularFile(path.join(proc, pid, file), { maxBytes, what: 'process file' })).toString(
        'utf8',
      );
    } catch {
      return undefined; // gone meanwhile, or not ours to read
    }
  };
  const comm = (await read('comm', READ_CAPS.procComm))?.trim();
  if (!comm) return undefined;
  const cmd = (await read('cmdline', READ_CAPS.procCmdline))?.split('\0').filter(Boolean).join(' ');
  let exe: string | undefined;
  try {
    exe = (await readlink(path.join(proc, pid, 'exe'))).replace(/ \(deleted\)$/, '');
  } catch {
    exe = undefined; // another user's process without root, a kernel thread, or gone
  }
  return {
    kind: 'process',
    location: `/proc/${pid}`,
    name: boundText(comm),
    pid: Number(pid),
    ...(cmd !== undefined ? { commandLine: boundText(cmd) } : {}),
    ...(exe !== undefined ? { executable: boundText(exe) } : {}),
  };
}

/** Running processes from /proc (live system only): no `ps` process needed. */
async function probeProcesses(ctx: ProbeContext, notes: ProbeNote[]): Promise<InventoryItem[]> {
  if (!ctx.live) return [];
  const fs = new ImageFs('/');
  let proc: Resolved;
  let pids: string[];
  try {
    proc = await fs.resolve('/proc');
    pids = (await fs.names(proc)).map((e) => e.name).filter((n) => /^\d+$/.test(n));
  } catch {
    notes.push({
      probe: 'linux.processes',
      level: 'warning',
      message: '/proc is not readable: running processes were not inspected.',
    });
    return [];
  }
  const items: InventoryItem[] = [];
  for (const pid of pids) {
    const item = await readProcess(proc.disk, pid);
    if (item) items.push(item);
  }
  return items;
}

/**
 * Inventories a Linux machine (or a Linux image under `ctx.hostRoot`). Every field kept is bounded
 * (core/host/limits.ts); places that matter and could not be inspected are blind notes.
 */
export async function probeLinux(ctx: ProbeContext, runner: CommandRunner): Promise<ProbeOutput> {
  const fs = new ImageFs(ctx.hostRoot);
  const notes: ProbeNote[] = [];
  const found = new Set<string>();
  const [dpkg, rpm, units, processes] = await Promise.all([
    probeDpkg(ctx, fs, notes, found),
    probeRpm(ctx, fs, runner, notes, found),
    probeUnits(fs, notes),
    probeProcesses(ctx, notes),
  ]);
  if (found.size === 0) {
    notes.push({
      probe: 'linux',
      level: 'warning',
      message: `No dpkg or rpm package database was found under ${fs.root}: only files, services and processes were inspected.`,
    });
  }
  return boundOutput({ items: [...dpkg, ...rpm, ...units, ...processes], notes });
}
