/**
 * dpkg's database as dpkg itself sees it: `status`, with the pending records of `updates/NNNN`
 * applied on top in numeric order.
 *
 * dpkg writes each change to `updates/` first and folds them into `status` later. After a crash or
 * a kill in the middle of a removal, `status` alone can say a package is installed when dpkg's own
 * view (dpkg-query) says it is already purged, so both the scan and the removal's pre- and
 * postflight checks read the database this way.
 */
import { listInRoot, readInRoot } from './fs-root';
import { parseDpkgStatus, type DpkgRecord } from './parsers/dpkg-status';

export interface DpkgDatabase {
  records: DpkgRecord[];
  problems: string[];
  /** How many pending update records were applied. */
  pendingApplied: number;
}

/** Reads the database under `admindir` (default /var/lib/dpkg) of the image at `root`; undefined if absent. */
export async function readDpkgDatabase(
  root: string,
  admindir = '/var/lib/dpkg',
): Promise<DpkgDatabase | undefined> {
  const status = await readInRoot(root, `${admindir}/status`);
  if (!status) return undefined;
  const base = parseDpkgStatus(status.toString('utf8'));
  const byName = new Map<string, DpkgRecord>();
  const key = (r: DpkgRecord): string => `${r.package}:${r.architecture ?? ''}`;
  for (const r of base.records) byName.set(key(r), r);
  const problems = [...base.problems];
  let pendingApplied = 0;
  const updates = ((await listInRoot(root, `${admindir}/updates`)) ?? [])
    .map((e) => e.name)
    .filter((n) => /^\d+$/.test(n))
    .sort((a, b) => Number(a) - Number(b));
  for (const name of updates) {
    const buf = await readInRoot(root, `${admindir}/updates/${name}`);
    if (!buf) continue;
    const parsed = parseDpkgStatus(buf.toString('utf8'));
    for (const p of parsed.problems) problems.push(`updates/${name}: ${p}`);
    for (const r of parsed.records) {
      // A record without its architecture updates the one of the same name.
      const existing = r.architecture
        ? key(r)
        : [...byName.keys()].find((k) => k.startsWith(`${r.package}:`));
      byName.set(existing ?? key(r), r);
      pendingApplied++;
    }
  }
  return { records: [...byName.values()], problems, pendingApplied };
}
