/**
 * `divest scan`: scan, print a table or `divest.scan/1` JSON, exit 0 / 10.
 */
import * as z from 'zod';
import type { LoadedCatalog } from '../core/catalog/load';
import type { ScanResult } from '../core/model/scan';
import { scanExitCode } from '../core/scan/scan';
import { scanAndRecord } from '../core/usecases/scan';
import { COMMON_FLAGS, CommonOptions, parseCommand } from './args';
import { makeWorkspace } from './context';
import { unfinishedNotice } from './status-command';
import { progressLine } from './progress-line';
import { table, wrap } from './table';
import {
  JURISDICTION_FLAG,
  JURISDICTION_HELP,
  JurisdictionOption,
  coverageCell,
  coverageLines,
  jurisdictionChoice,
  type JurisdictionChoice,
} from './jurisdiction-option';

const SCAN_HELP = `divest scan [--json] [--evidence] [--jurisdiction CODES] [--host-root DIR] [--host-os linux|macos] [--catalog FILE] [--data-dir DIR]

Scans this machine (or a mounted Linux/macOS image with --host-root) for banned software.
${JURISDICTION_HELP}
Exit codes: 0 nothing banned installed, 10 banned software found, 1 scan failed, 2 usage.
`;

const ALL_JURISDICTIONS: JurisdictionChoice = { setting: [], source: 'default' };

/** The human-readable report of a scan. */
export function formatScan(
  result: ScanResult,
  catalog: LoadedCatalog,
  withEvidence: boolean,
  jurisdictions: JurisdictionChoice = ALL_JURISDICTIONS,
): string {
  const lines: string[] = [];
  const target = result.hostRoot
    ? `the ${result.host.os} image at ${result.hostRoot}`
    : `${result.host.hostname} (${result.host.osVersion})`;
  lines.push(`Divest ${result.app.version}: scan of ${target}`);
  lines.push(
    `Catalog ${result.catalog.version} (${result.catalog.origin}), ${result.durationMs} ms, ${result.spawns} processes started.`,
  );
  lines.push('');
  if (result.findings.length === 0) {
    lines.push('Nothing from the catalog was found on this machine.');
  } else {
    // Fits 100 columns: the five columns and four gaps of two. The details (every directive,
    // the evidence) are one flag away: --evidence, --json.
    const rows = result.findings.map((f) => [
      f.name,
      f.version ?? '-',
      f.status === 'banned' ? 'BANNED' : 'REVIEW',
      f.presence,
      coverageCell(f.directives, catalog, jurisdictions.setting),
    ]);
    // Product names are never cut below 48 characters; the directives get what is left, wrapped
    // onto continuation lines under their column.
    const nameWidth = Math.min(48, Math.max(...rows.map((r) => r[0]?.length ?? 0)));
    lines.push(
      table(
        ['PRODUCT', 'VERSION', 'STATUS', 'PRESENCE', 'DIRECTIVES'],
        rows,
        [nameWidth, 12, 6, 9, 100 - nameWidth - 12 - 6 - 9 - 8],
        { wrapLast: true },
      ),
    );
    if (withEvidence) {
      for (const f of result.findings) {
        lines.push('', `${f.name} (${f.productId}, finding ${f.id})`);
        const named = f.directives.map(
          (d) => catalog.catalog.directives.find((x) => x.id === d)?.shortName ?? d,
        );
        lines.push(wrap(`Directives: ${named.join('; ')}`, 100, '  '));
        for (const e of f.evidence) lines.push(`  - [${e.kind}] ${e.location}: ${e.detail}`);
      }
    }
    const coverage = coverageLines(result.findings, catalog, jurisdictions);
    // Within 100 columns: a long line continues under itself, indented.
    const fit = (l: string): string => {
      const ind = /^ */.exec(l)?.[0] ?? '';
      return wrap(l.trim(), 100, ind, `${ind}  `);
    };
    if (coverage.length) lines.push('', ...coverage.map(fit));
    lines.push('');
    const installed = result.findings.filter(
      (f) => f.status === 'banned' && f.presence === 'installed',
    ).length;
    const traces = result.findings.filter((f) => f.status === 'banned' && f.presence === 'traces').length;
    const review = result.findings.filter((f) => f.status === 'review').length;
    if (installed) lines.push(`${installed} banned product${installed === 1 ? ' is' : 's are'} installed.`);
    if (traces)
      lines.push(
        `${traces} banned product${traces === 1 ? ' has' : 's have'} left traces (folders, keys or configuration) but no installed program.`,
      );
    if (review)
      lines.push(
        `${review} product${review === 1 ? ' needs' : 's need'} an administrator's review (not banned).`,
      );
    if (!withEvidence)
      lines.push(
        'Run "divest scan --evidence" to see why each was found and every directive,',
        'or "divest scan --json" for the full record.',
      );
  }
  if (result.notes.length) {
    lines.push('', 'What this scan could not see:');
    for (const n of result.notes)
      lines.push(wrap(`- ${n.level === 'warning' ? 'WARNING: ' : ''}${n.message}`, 100, '  ', '    '));
  }
  return `${lines.join('\n')}\n`;
}

/** Runs `divest scan`. */
export async function runScan(
  argv: string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const { options, help } = parseCommand(
    'scan',
    argv,
    { ...COMMON_FLAGS, ...JURISDICTION_FLAG, evidence: { type: 'boolean' } },
    CommonOptions.extend({ ...JurisdictionOption, evidence: z.boolean().default(false) }),
    { min: 0, max: 0, names: '' },
  );
  if (help) {
    out.write(SCAN_HELP);
    return 0;
  }
  const ws = makeWorkspace(options, err);
  const catalog = ws.catalog;
  const jurisdictions = jurisdictionChoice(options.jurisdiction, ws.dataDir, catalog);
  if (!options.json) await unfinishedNotice(ws, err);
  // The scan is journaled when the data folder is writable; without rights it still runs.
  const line = progressLine(err, { json: options.json });
  line.update('Scanning…');
  const { result, notRecorded } = await scanAndRecord(ws, 'scan', {
    tolerateJournalFailure: true,
    onProgress: (p) => line.update(`Scanning: ${p.done} of ${p.total} parts done (${p.probe})…`),
  }).finally(() => line.clear());
  if (notRecorded !== undefined)
    err.write(
      `divest: the scan is not recorded in the journal (${notRecorded}); use --data-dir to choose a writable folder.\n`,
    );
  out.write(
    options.json
      ? `${JSON.stringify(result, null, 2)}\n`
      : formatScan(result, catalog, options.evidence, jurisdictions),
  );
  return scanExitCode(result);
}
