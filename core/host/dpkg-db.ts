/**
 * dpkg's database as dpkg itself sees it: `status`, with the pending records of `updates/NNNN`
 * applied on top in numeric order.
 *
 * dpkg writes each change to `updates/` first and folds them into `status` later. After a crash or
 * a kill in the middle of a removal, `status` alone can say a package is installed when dpkg's own
 * view (dpkg-query) says it is already purged, so both the scan and the removal's pre- and
 * postflight checks read the database this way.
 *
 * The database is read through the image (a linked `/var/lib/dpkg` is followed inside it), with a
 * cap per file; a database that exists but cannot be read is said so, never taken for "no dpkg".
 */
import { describeImageError, ImageFs, isAbsent, type ImageFsError } from '../fs/image-fs';
import { READ_CAPS } from './limits';
import { parseDpkgStatus, type DpkgRecord } from './parsers/dpkg-status';

export interface DpkgDatabase {
  records: DpkgRecord[];
  problems: string[];
  /** How many pending update records were applied. */
  pendingApplied: number;
}

/** What reading the database found: it, its absence, or why it could not be read. */
export type DpkgLoad =
  | { state: 'read'; db: DpkgDatabase }
  | { state: 'absent' }
  | { state: 'unreadable'; place: string; error: ImageFsError };

type Key = (r: DpkgRecord) => string;
const key: Key = (r) => `${r.package}:${r.architecture ?? ''}`;

/** Applies the pending records of `updates/` on top of `byName`; returns how many were applied. */
async function applyUpdates(
  fs: ImageFs,
  admindir: string,
  byName: Map<string, DpkgRecord>,
  problems: string[],
): Promise<number> {
  let names: string[];
  try {
    const dir = await fs.resolve(`${admindir}/updates`);
    names = (await fs.names(dir)).map((e) => e.name);
  } catch (e) {
    const err = describeImageError(e);
    if (!isAbsent(err))
      problems.push(`updates/: ${err.phrase}; pending records (an interrupted dpkg run) were not applied`);
    return 0;
  }
  let applied = 0;
  const pending = names.filter((n) => /^\d+$/.test(n)).sort((a, b) => Number(a) - Number(b));
  for (const name of pending) {
    let buf: Buffer;
    try {
      buf = await fs.read(`${admindir}/updates/${name}`, {
        maxBytes: READ_CAPS.dpkgUpdate,
        what: 'dpkg update record',
      });
    } catch (e) {
      problems.push(`updates/${name}: ${describeImageError(e).phrase}; not applied`);
      continue;
    }
    const parsed = parseDpkgStatus(buf.toString('utf8'));
    for (const p of parsed.problems) problems.push(`updates/${name}: ${p}`);
    for (const r of parsed.records) {
      // A record without its architecture updates the one of the same name.
      const existing = r.architecture
        ? key(r)
        : [...byName.keys()].find((k) => k.startsWith(`${r.package}:`));
      byName.set(existing ?? key(r), r);
      applied++;
    }
  }
  return applied;
}

/** Reads the database under `admindir` (default /var/lib/dpkg) of the machine seen through `fs`. */
export async function loadDpkgDatabase(fs: ImageFs, admindir = '/var/lib/dpkg'): Promise<DpkgLoad> {
  const statusPath = `${admindir}/status`;
  let status: Buffer;
  try {
    status = await fs.read(statusPath, { maxBytes: READ_CAPS.dpkgStatus, what: 'dpkg status file' });
  } catch (e) {
    const error = describeImageError(e);
    return isAbsent(error) ? { state: 'absent' } : { state: 'unreadable', place: statusPath, error };
  }
  const base = parseDpkgStatus(status.toString('utf8'));
  const byName = new Map<string, DpkgRecord>();
  for (const r of base.records) byName.set(key(r), r);
  const problems = [...base.problems];
  const pendingApplied = await applyUpdates(fs, admindir, byName, problems);
  return { state: 'read', db: { records: [...byName.values()], problems, pendingApplied } };
}

/**
 * Reads the database under `admindir` of the image at `root`; undefined when it is absent or
 * cannot be read (callers that must tell the two apart use {@link loadDpkgDatabase}).
 */
export async function readDpkgDatabase(
  root: string,
  admindir = '/var/lib/dpkg',
): Promise<DpkgDatabase | undefined> {
  const load = await loadDpkgDatabase(new ImageFs(root), admindir);
  return load.state === 'read' ? load.db : undefined;
}
