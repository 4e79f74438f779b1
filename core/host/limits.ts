/**
 * How much Divest reads from a machine it inspects: the cap of every file it reads, and the bound
 * of every field it keeps.
 *
 * A machine (or an image handed to Divest) may be hostile or broken: a 17 MB `PRETTY_NAME`, a
 * package whose Maintainer is a megabyte long, a `status` file that is `/dev/zero`. Files are
 * refused over their cap (see core/fs/read-file.ts); fields longer than their bound are cut with a
 * visible marker, so the scan still prints, the journal line stays small enough to write, and
 * nobody mistakes a cut value for the whole.
 */
import { KiB, MiB } from '../fs/read-file';
import type { InventoryItem, ProbeNote } from './inventory';

/** The cap of each kind of file read from an inspected machine. */
export const READ_CAPS = {
  /** dpkg's `/var/lib/dpkg/status` (a large server: ~10 MB). */
  dpkgStatus: 256 * MiB,
  /** One pending record under `/var/lib/dpkg/updates/`. */
  dpkgUpdate: 16 * MiB,
  /** A package's file list, `/var/lib/dpkg/info/NAME.list`. */
  dpkgList: 16 * MiB,
  /** os-release, hostname, machine-id, SystemVersion.plist. */
  identity: 64 * KiB,
  /** A configuration plist (Info.plist, receipts, launchd jobs, db.plist). */
  plist: 16 * MiB,
  /** `/proc/PID/comm`. */
  procComm: 64 * KiB,
  /** `/proc/PID/cmdline` (ARG_MAX is 2 MiB by default; longer ones are not reported). */
  procCmdline: 1 * MiB,
  /** A `reg export` file Divest wrote itself (Windows). */
  regExport: 256 * MiB,
} as const;

/** The longest name, version, maintainer, path or other field kept from a machine. */
export const FIELD_MAX = 4 * KiB;
/** The longest value kept from os-release (`PRETTY_NAME`...) and other identity fields. */
export const IDENTITY_FIELD_MAX = 1 * KiB;
/** The longest note message. */
export const NOTE_MAX = 8 * KiB;
/** What ends a value that was cut. */
export const TRUNCATED = '…(truncated)';

/** `s` cut to `max` characters (never inside a surrogate pair) with {@link TRUNCATED}, or as is. */
export function boundText(s: string, max = FIELD_MAX): string {
  if (s.length <= max) return s;
  let end = max;
  const last = s.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${s.slice(0, end)}${TRUNCATED}`;
}

function boundValue(v: unknown): unknown {
  if (typeof v === 'string') return boundText(v);
  if (Array.isArray(v)) return v.map((x: unknown) => (typeof x === 'string' ? boundText(x) : x));
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>).map(([k, x]) => [
        boundText(k),
        typeof x === 'string' ? boundText(x) : x,
      ]),
    );
  }
  return v;
}

/** A copy of `item` with every string field (and strings in its lists and maps) bounded. */
export function boundItem<T extends InventoryItem>(item: T): T {
  return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, boundValue(v)])) as unknown as T;
}

/** A copy of `note` with its message bounded. */
export function boundNote(note: ProbeNote): ProbeNote {
  return note.message.length <= NOTE_MAX ? note : { ...note, message: boundText(note.message, NOTE_MAX) };
}

/** A probe's output with every item and note bounded. */
export function boundOutput<T extends { items: InventoryItem[]; notes: ProbeNote[] }>(out: T): T {
  return { ...out, items: out.items.map(boundItem), notes: out.notes.map(boundNote) };
}
