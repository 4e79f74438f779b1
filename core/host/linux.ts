/**
 * The Linux probe: dpkg and rpm databases, systemd units and init scripts, running processes.
 *
 * The dpkg database is read as a file (no process); rpm's database (SQLite, Berkeley DB or NDB)
 * is only readable through `rpm`, which runs once for the list and once for the files of the
 * packages that matter. Anything that cannot be inspected becomes a note in the scan output: a
 * scan is only as good as what it could see, and the user must know what it could not.
 */
import path from 'node:path';
import type { CommandRunner } from './runner';
import { isMissingTool } from './runner';
import type { InventoryItem, PackageEntry, ProbeContext, ProbeNote, ProbeOutput } from './inventory';
import { dpkgFilesPresent } from './parsers/dpkg-status';
import { readDpkgDatabase } from './dpkg-db';
import { listInRoot, readInRoot, statInRoot } from './fs-root';

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

async function probeDpkg(
  ctx: ProbeContext,
  notes: ProbeNote[],
  found: Set<string>,
): Promise<InventoryItem[]> {
  const statusPath = '/var/lib/dpkg/status';
  const db = await readDpkgDatabase(ctx.hostRoot);
  if (!db) return [];
  found.add('dpkg');
  const { records, problems } = db;
  if (db.pendingApplied > 0)
    notes.push({
      probe: 'linux.dpkg',
      level: 'info',
      message: `dpkg has ${db.pendingApplied} pending update record${db.pendingApplied === 1 ? '' : 's'} (an interrupted dpkg run); they were applied as dpkg would.`,
    });
  for (const p of problems.slice(0, 5))
    notes.push({ probe: 'linux.dpkg', level: 'warning', message: `${statusPath}: ${p}` });
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
      const list =
        (await readInRoot(ctx.hostRoot, `/var/lib/dpkg/info/${r.package}.list`)) ??
        (r.architecture
          ? await readInRoot(ctx.hostRoot, `/var/lib/dpkg/info/${r.package}:${r.architecture}.list`)
          : undefined);
      if (list) {
        entry.files = list
          .toString('utf8')
          .split('\n')
          .filter((l) => l !== '' && l !== '/.')
          .slice(0, MAX_FILES_PER_PACKAGE);
      }
    }
    items.push(entry);
  }
  return items;
}

async function findRpmDb(ctx: ProbeContext): Promise<string | undefined> {
  for (const dir of RPM_DB_DIRS)
    for (const f of RPM_DB_FILES) if (await statInRoot(ctx.hostRoot, `${dir}/${f}`)) return dir;
  return undefined;
}

async function probeRpm(
  ctx: ProbeContext,
  runner: CommandRunner,
  notes: ProbeNote[],
  found: Set<string>,
): Promise<InventoryItem[]> {
  const dbDir = await findRpmDb(ctx);
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

async function probeUnits(ctx: ProbeContext): Promise<InventoryItem[]> {
  const items: InventoryItem[] = [];
  for (const dir of UNIT_DIRS) {
    const entries = await listInRoot(ctx.hostRoot, dir);
    for (const e of entries ?? []) {
      if (!/\.(service|socket|timer|path)$/.test(e.name)) continue;
      items.push({
        kind: 'service',
        location: `${dir}/${e.name}`,
        name: e.name.replace(/\.(service|socket|timer|path)$/, ''),
      });
    }
  }
  for (const e of (await listInRoot(ctx.hostRoot, INIT_DIR)) ?? []) {
    if (e.name.startsWith('.') || e.name === 'README' || e.name === 'skeleton') continue;
    items.push({ kind: 'service', location: `${INIT_DIR}/${e.name}`, name: e.name });
  }
  return items;
}

/** Running processes from /proc (live system only): no `ps` process needed. */
async function probeProcesses(ctx: ProbeContext, notes: ProbeNote[]): Promise<InventoryItem[]> {
  if (!ctx.live) return [];
  const entries = await listInRoot('/', '/proc');
  if (!entries) {
    notes.push({
      probe: 'linux.processes',
      level: 'warning',
      message: '/proc is not readable: running processes were not inspected.',
    });
    return [];
  }
  const items: InventoryItem[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e.name)) continue;
    const comm = (await readInRoot('/', `/proc/${e.name}/comm`))?.toString('utf8').trim();
    if (!comm) continue;
    const cmd = (await readInRoot('/', `/proc/${e.name}/cmdline`))
      ?.toString('utf8')
      .split('\0')
      .filter(Boolean)
      .join(' ');
    items.push({
      kind: 'process',
      location: `/proc/${e.name}`,
      name: comm,
      pid: Number(e.name),
      commandLine: cmd,
    });
  }
  return items;
}

/** Inventories a Linux machine (or a Linux image under `ctx.hostRoot`). */
export async function probeLinux(ctx: ProbeContext, runner: CommandRunner): Promise<ProbeOutput> {
  const notes: ProbeNote[] = [];
  const found = new Set<string>();
  const [dpkg, rpm, units, processes] = await Promise.all([
    probeDpkg(ctx, notes, found),
    probeRpm(ctx, runner, notes, found),
    probeUnits(ctx),
    probeProcesses(ctx, notes),
  ]);
  if (found.size === 0) {
    notes.push({
      probe: 'linux',
      level: 'warning',
      message: `No dpkg or rpm package database was found under ${ctx.hostRoot === '/' ? '/' : path.resolve(ctx.hostRoot)}: only files, services and processes were inspected.`,
    });
  }
  return { items: [...dpkg, ...rpm, ...units, ...processes], notes };
}
