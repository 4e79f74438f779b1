/**
 * `divest report DIR`: collect and verify every receipt under DIR, assess the fleet, and write
 * report.json (validated against `divest.fleet-report/1` before it is written), report.csv,
 * report.html, bod-17-01.csv and assessment-results.oscal.json into the output folder.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LoadedCatalog } from '../../catalog/load';
import { DivestError } from '../../errors';
import { ensureDir } from '../../fs-dirs';
import { FleetReport } from '../../model/fleet-report';
import { assessFleet, reportExitCode } from './assess';
import { collectReceipts, type ReceiptReader } from './collect';
import { renderReportHtml } from './html';
import { oscalAssessmentResults } from './oscal';
import { bod1701Csv, parsePins, reportCsv } from './tables';

export interface ReportOptions {
  directory: string;
  out: string;
  catalog: LoadedCatalog;
  appVersion: string;
  pinsFile?: string;
  catalogMin?: string;
  maxAgeDays?: number;
  now?: Date;
  concurrency?: number;
  /** Verifies receipts elsewhere (the CLI's worker threads); default: in this thread. */
  reader?: ReceiptReader;
}

export const REPORT_FILES = {
  json: 'report.json',
  csv: 'report.csv',
  html: 'report.html',
  bod: 'bod-17-01.csv',
  oscal: 'assessment-results.oscal.json',
} as const;

export interface ReportRun {
  report: FleetReport;
  files: Record<keyof typeof REPORT_FILES, string>;
  exitCode: 0 | 1 | 10;
}

/** Runs the report and writes its files. */
export async function runFleetReport(o: ReportOptions): Promise<ReportRun> {
  const directory = path.resolve(o.directory);
  const out = path.resolve(o.out);
  let pins: { file: string; byMachine: Map<string, string> } | undefined;
  if (o.pinsFile) {
    let text: string;
    try {
      text = readFileSync(o.pinsFile, 'utf8');
    } catch (e) {
      throw new DivestError(
        'invalid-input',
        `cannot read the pins file ${o.pinsFile}: ${(e as Error).message}`,
      );
    }
    pins = { file: o.pinsFile, byMachine: parsePins(text, o.pinsFile) };
  }
  let collector;
  try {
    collector = await collectReceipts(directory, o.catalog.catalog, {
      skip: [out],
      ...(o.concurrency ? { concurrency: o.concurrency } : {}),
      ...(o.reader ? { reader: o.reader } : {}),
    });
  } catch (e) {
    throw new DivestError(
      'invalid-input',
      `cannot read the receipts folder ${directory}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  const report = FleetReport.parse(
    assessFleet(collector, {
      catalog: o.catalog,
      appVersion: o.appVersion,
      directory,
      now: o.now ?? new Date(),
      ...(pins ? { pins } : {}),
      ...(o.catalogMin ? { catalogMin: o.catalogMin } : {}),
      ...(o.maxAgeDays !== undefined ? { maxAgeDays: o.maxAgeDays } : {}),
    }),
  );
  ensureDir(out);
  const files = Object.fromEntries(
    Object.entries(REPORT_FILES).map(([k, f]) => [k, path.join(out, f)]),
  ) as ReportRun['files'];
  writeFileSync(files.json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(files.csv, reportCsv(report));
  writeFileSync(files.html, renderReportHtml(report));
  writeFileSync(files.bod, bod1701Csv(report));
  writeFileSync(
    files.oscal,
    `${JSON.stringify(oscalAssessmentResults(report, o.catalog.catalog), null, 2)}\n`,
  );
  return { report, files, exitCode: reportExitCode(report) };
}
