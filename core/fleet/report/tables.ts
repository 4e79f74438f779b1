/**
 * The report's tables: `report.csv` (one row per machine), `bod-17-01.csv` (the directive's
 * 30-day report fields (a), (b) and (c), quoted from the directive), and the pins file format.
 * CSV follows RFC 4180 (CRLF, fields quoted when needed); a cell that a spreadsheet would run as a
 * formula (`=`, `+`, `-`, `@` first) is prefixed with `'`. Pure.
 */
import { DivestError } from '../../errors';
import type { FleetReport } from '../../model/fleet-report';

/** One CSV field. */
export function csvField(value: unknown): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csv(rows: readonly (readonly unknown[])[]): string {
  return `${rows.map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;
}

/** `report.csv`. */
export function reportCsv(r: FleetReport): string {
  const head = [
    'machine_id',
    'hostname',
    'os',
    'os_version',
    'status',
    'compliant',
    'protection',
    'protection_product',
    'still_installed',
    'found',
    'removed',
    'flags',
    'receipt_issued_at',
    'receipt_id',
    'receipt_file',
    'receipt_sha256',
    'key_fingerprint',
    'catalog_version',
    'journal_intact',
  ];
  const rows = r.hosts.map((h) => [
    h.machineId,
    h.hostname,
    h.os,
    h.osVersion,
    h.status,
    h.compliant ? 'yes' : 'no',
    h.protection.state,
    h.protection.product ?? '',
    h.stillInstalled.map((p) => p.name).join('; '),
    h.found.map((p) => p.name).join('; '),
    h.removed.join('; '),
    h.flags.join('; '),
    h.receipt.issuedAt,
    h.receipt.id,
    h.receipt.file,
    h.receipt.sha256,
    h.fingerprint,
    h.catalog.version,
    h.journal.intact ? 'yes' : 'no',
  ]);
  return csv([head, ...rows]);
}

/**
 * BOD 17-01's 30-day report items, verbatim (typos included) from cisagov/cyber.dhs.gov
 * pages/17-01.md @6757942f1bc6a6b4528ea7c8bfeb094aba0676d7 (public domain).
 */
export const BOD_17_01_REPORT_30_DAY = {
  preamble:
    'Within 30 calendar days after issuance of this directive, identify the use or presence of Kaspersky-branded products on all Federal information systems and provide to DHS a report that includes:',
  a: 'A list of Kaspersky-branded products found on agency information systems. If agencies do not find the use or presence of Kaspersky-branded products on their Federal information systems, inform DHS that no Kaspersky- branded products were found.',
  b: 'The number of endpoints impacts by each product, and',
  c: 'The methodologies employed to identify the use or presence of the products.',
} as const;

/** `bod-17-01.csv`: one row per answer to (a) and (b), and the method as (c). */
export function bod1701Csv(r: FleetReport): string {
  const d = BOD_17_01_REPORT_30_DAY;
  const products = r.products.filter((p) => p.directives.includes('bod-17-01'));
  const rows: unknown[][] = [
    ['item', 'directive_text', 'product', 'endpoints', 'still_installed_on', 'answer'],
  ];
  if (products.length === 0)
    rows.push([
      'a',
      d.a,
      '',
      '',
      '',
      `No Kaspersky-branded products were found on the ${r.summary.hosts} endpoints reporting.`,
    ]);
  for (const p of products) rows.push(['a', d.a, p.name, '', '', 'found']);
  for (const p of products)
    rows.push([
      'b',
      d.b,
      p.name,
      p.endpoints,
      p.stillInstalledOn,
      `${p.endpoints} endpoint${p.endpoints === 1 ? '' : 's'}`,
    ]);
  rows.push(['c', d.c, '', '', '', r.method]);
  return csv(rows);
}

const FINGERPRINT = /^(?:sha256:)?([0-9a-f]{64})$/i;

/**
 * Parses a pins file: `machineId,fingerprint` per line (a header line, blank lines and `#`
 * comments allowed), as gathered with `divest key show --json`.
 */
export function parsePins(text: string, file: string): Map<string, string> {
  const pins = new Map<string, string>();
  text.split(/\r?\n/).forEach((line, i) => {
    const t = line.trim();
    if (t === '' || t.startsWith('#') || (i === 0 && /^machine_?id\s*,/i.test(t))) return;
    const [machineId = '', fp = '', ...rest] = t.split(',').map((s) => s.trim().replace(/^"(.*)"$/, '$1'));
    const m = FINGERPRINT.exec(fp.replace(/\s+/g, ''));
    if (!machineId || !m || rest.length)
      throw new DivestError(
        'invalid-input',
        `${file}, line ${i + 1}: expected "machineId,SHA256:<64 hex digits>" (got "${t}")`,
      );
    const normal = `SHA256:${(m[1] ?? '').toLowerCase()}`;
    const before = pins.get(machineId);
    if (before && before !== normal)
      throw new DivestError(
        'invalid-input',
        `${file}, line ${i + 1}: machine ${machineId} is pinned twice, to two keys`,
      );
    pins.set(machineId, normal);
  });
  return pins;
}
