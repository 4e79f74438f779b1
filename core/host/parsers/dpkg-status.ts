/**
 * Parser for dpkg's database (`/var/lib/dpkg/status`), a deb822 file: paragraphs of `Field: value`
 * lines separated by blank lines, with continuation lines starting with a space or tab.
 *
 * Divest reads the database file directly instead of running `dpkg-query`: it is the same data,
 * it works on an image mounted from another OS, and it costs no process.
 */

export interface DpkgRecord {
  package: string;
  version: string;
  architecture?: string;
  maintainer?: string;
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

/** Parses the status file; paragraphs without a Package field are reported in `problems`. */
export function parseDpkgStatus(text: string): { records: DpkgRecord[]; problems: string[] } {
  const records: DpkgRecord[] = [];
  const problems: string[] = [];
  const lines = text.split('\n');
  let fields = new Map<string, string>();
  let last: string | undefined;
  let start = 1;

  const flush = (): void => {
    if (fields.size === 0) return;
    const pkg = fields.get('package');
    const status = fields.get('status');
    if (!pkg) problems.push(`paragraph at line ${start}: no Package field`);
    else if (!status) problems.push(`package ${pkg} (line ${start}): no Status field`);
    else {
      records.push({
        package: pkg,
        version: fields.get('version') ?? '',
        architecture: fields.get('architecture'),
        maintainer: fields.get('maintainer'),
        status,
        description: fields.get('description')?.split('\n')[0],
        line: start,
      });
    }
    fields = new Map();
    last = undefined;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/\r$/, '');
    if (line.trim() === '') {
      flush();
      start = i + 2;
      continue;
    }
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (last) fields.set(last, `${fields.get(last) ?? ''}\n${line.slice(1)}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      problems.push(`line ${i + 1}: not a "Field: value" line`);
      continue;
    }
    last = line.slice(0, colon).toLowerCase();
    fields.set(last, line.slice(colon + 1).trim());
  }
  flush();
  return { records, problems };
}
