/**
 * Parser for dpkg's database (`/var/lib/dpkg/status`), a deb822 file: paragraphs of `Field: value`
 * lines separated by blank lines, with continuation lines starting with a space or tab.
 *
 * Divest reads the database file directly instead of running `dpkg-query`: it is the same data,
 * it works on an image mounted from another OS, and it costs no process.
 *
 * Every value kept is bounded ({@link FIELD_MAX}, with a visible marker): a package with a
 * megabyte-long Maintainer or Version must not make the scan too large to journal or print.
 */
import { FIELD_MAX, TRUNCATED, boundText } from '../limits';

export interface DpkgRecord {
  package: string;
  version: string;
  architecture?: string;
  maintainer?: string;
  /** `required`, `important`, `standard`, `optional`, `extra`: how much of a base system it is. */
  priority?: string;
  /** `yes` for the packages dpkg itself treats as part of every system (it refuses to remove them). */
  essential?: string;
  /** The three status words, e.g. `install ok installed`, `deinstall ok config-files`. */
  status: string;
  description?: string;
  /** Line (1-based) where the paragraph starts, for error messages. */
  line: number;
}

/** States in which the package's files are on disk (dpkg(1) "Package states"). */
const FILES_PRESENT = new Set([
  'installed',
  'half-installed',
  'unpacked',
  'half-configured',
  'triggers-awaited',
  'triggers-pending',
]);

/** True when dpkg considers the package's files present (not just its configuration). */
export function dpkgFilesPresent(status: string): boolean {
  const state = status.trim().split(/\s+/)[2];
  return state !== undefined && FILES_PRESENT.has(state);
}

/** True when only configuration files remain (`rc` in `dpkg -l`). */
export function dpkgConfigOnly(status: string): boolean {
  return status.trim().split(/\s+/)[2] === 'config-files';
}

/** Fields Divest reads; the rest of each paragraph is skipped without being copied. */
const WANTED: Record<string, keyof Omit<DpkgRecord, 'line'>> = {
  package: 'package',
  version: 'version',
  architecture: 'architecture',
  maintainer: 'maintainer',
  priority: 'priority',
  essential: 'essential',
  status: 'status',
  description: 'description',
};

/** The value of a field from `from` to `to`, trimmed and bounded without copying a huge line. */
function fieldValue(text: string, from: number, to: number): string {
  // Leading blanks are trimmed away; allow for some before cutting.
  const limit = from + FIELD_MAX + 256;
  if (to <= limit) return boundText(text.slice(from, to).trim());
  return `${text.slice(from, limit).trim().slice(0, FIELD_MAX)}${TRUNCATED}`;
}

/** Problems kept per file: a file of garbage must not produce millions of them. */
const MAX_PROBLEMS = 100;
/** dpkg field names are short; a colon further into the line than this is not a field's. */
const MAX_FIELD_NAME = 256;
const NON_BLANK = /[^ \t\r]/g;

/** True when the line from `pos` to `stop` holds only blanks (without copying it). */
function blankLine(text: string, pos: number, stop: number): boolean {
  NON_BLANK.lastIndex = pos;
  const m = NON_BLANK.exec(text);
  return m === null || m.index >= stop;
}

/**
 * Parses the status file; paragraphs without a Package field are reported in `problems` (the
 * first {@link MAX_PROBLEMS}, then how many more).
 *
 * A machine can hold thousands of packages, so this scans line by line and keeps only the
 * fields above (continuation lines, such as long descriptions, are skipped). It stays linear on
 * hostile input: no line is searched past its end, and no long line is copied.
 */
export function parseDpkgStatus(text: string): { records: DpkgRecord[]; problems: string[] } {
  const records: DpkgRecord[] = [];
  const problems: string[] = [];
  let more = 0;
  const problem = (p: string): void => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
    else more++;
  };
  let cur: Partial<DpkgRecord> = {};
  let fields = 0;
  let start = 1;
  let lineNo = 0;

  const flush = (): void => {
    if (fields === 0) return;
    if (!cur.package) problem(`paragraph at line ${start}: no Package field`);
    else if (!cur.status) problem(`package ${cur.package} (line ${start}): no Status field`);
    else
      records.push({
        package: cur.package,
        version: cur.version ?? '',
        architecture: cur.architecture,
        maintainer: cur.maintainer,
        ...(cur.priority ? { priority: cur.priority } : {}),
        ...(cur.essential ? { essential: cur.essential } : {}),
        status: cur.status,
        description: cur.description,
        line: start,
      });
    cur = {};
    fields = 0;
  };

  let pos = 0;
  const n = text.length;
  while (pos <= n) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = n;
    lineNo++;
    let stop = end;
    if (stop > pos && text.charCodeAt(stop - 1) === 13) stop--; // CRLF
    const first = text.charCodeAt(pos);
    const indented = first === 32 || first === 9;
    if (stop === pos || (indented && blankLine(text, pos, stop))) {
      flush(); // a blank line ends the paragraph
      start = lineNo + 1;
    } else if (!indented) {
      const colon = text.slice(pos, Math.min(stop, pos + MAX_FIELD_NAME)).indexOf(':') + pos;
      if (colon <= pos) problem(`line ${lineNo}: not a "Field: value" line`);
      else {
        fields++;
        const key = WANTED[text.slice(pos, colon).toLowerCase()];
        if (key) (cur as Record<string, string>)[key] = fieldValue(text, colon + 1, stop);
      }
    } // indented: a continuation line (long descriptions, conffiles): not needed
    pos = end + 1;
  }
  flush();
  if (more > 0) problems.push(`${more} more problem${more === 1 ? '' : 's'} not listed`);
  return { records, problems };
}
