/**
 * `divest report DIR`: verify every receipt under DIR and report on the fleet (core/fleet/report).
 *
 * Exit codes: 0 every machine compliant, 10 some machine not compliant (or no valid receipt),
 * 1 a receipt failed verification, 2 usage.
 */
import * as z from 'zod';
import { runFleetReport } from '../core/fleet/report/run';
import { parseCommand } from './args';
import { loadCatalog } from './context';
import { receiptPool } from './report-pool';
import { VERSION } from './version';

const HELP = `divest report DIR [--out DIR] [--pins FILE] [--catalog-min VERSION] [--max-age-days N] [--json]

Verifies every receipt (*.json) under DIR, keeps the latest valid one per machine, and writes
report.json (divest.fleet-report/1), report.csv, report.html, bod-17-01.csv and
assessment-results.oscal.json into --out (default: divest-report).
  --pins FILE          machineId,fingerprint per line (from "divest key show --json" on each
                       machine): flags machines not listed or signed by another key
  --catalog-min V      flags machines whose receipt used an older catalog (e.g. 2026.11.22)
  --max-age-days N     flags machines whose latest receipt is older than N days
  --json               print report.json instead of the summary
Every machine is also flagged when its receipts are signed by two keys or its journal was damaged.
Exit codes: 0 all compliant, 10 some not compliant (or none reported), 1 a receipt is invalid, 2 usage.
`;

const Options = z.object({
  json: z.boolean().default(false),
  out: z.string().min(1).default('divest-report'),
  pins: z.string().min(1).optional(),
  'catalog-min': z
    .string()
    .regex(/^\d{4}\.\d{2}\.\d{2}(\.\d+)?$/, '--catalog-min takes a catalog version such as 2026.11.22')
    .optional(),
  'max-age-days': z
    .string()
    .regex(/^\d+(\.\d+)?$/, '--max-age-days takes a number of days')
    .transform(Number)
    .optional(),
  catalog: z.string().min(1).optional(),
  'unsigned-catalog': z.boolean().default(false),
  'data-dir': z.string().min(1).optional(),
});

/** Runs `divest report`. */
export async function runReport(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const { options, positionals, help } = parseCommand(
    'report',
    argv,
    {
      json: { type: 'boolean' },
      out: { type: 'string' },
      pins: { type: 'string' },
      'catalog-min': { type: 'string' },
      'max-age-days': { type: 'string' },
      catalog: { type: 'string' },
      'unsigned-catalog': { type: 'boolean' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    Options,
    { min: 1, max: 1, names: 'the folder of receipts' },
  );
  if (help) {
    out.write(HELP);
    return 0;
  }
  const catalog = loadCatalog(options);
  const pool = await receiptPool(catalog.catalog);
  const run = await runFleetReport({
    ...(pool ? { reader: pool.reader } : {}),
    directory: positionals[0] ?? '.',
    out: options.out,
    catalog,
    appVersion: VERSION,
    ...(options.pins ? { pinsFile: options.pins } : {}),
    ...(options['catalog-min'] ? { catalogMin: options['catalog-min'] } : {}),
    ...(options['max-age-days'] !== undefined ? { maxAgeDays: options['max-age-days'] } : {}),
  }).finally(() => pool?.close());
  const r = run.report;
  if (options.json) out.write(`${JSON.stringify(r, null, 2)}\n`);
  else {
    const lines = [
      `${r.summary.hosts} machines from ${r.inputs.filesRead} receipt files: ${r.summary.compliant} compliant, ${r.summary.nonCompliant} not, ${r.summary.flagged} flagged, ${r.summary.invalidReceipts} invalid receipts.`,
      ...r.hosts
        .filter((h) => !h.compliant)
        .slice(0, 50)
        .map(
          (h) =>
            `  ${h.hostname} (${h.machineId}): ${h.status}${h.flags.length ? `; ${h.flags.join(', ')}` : ''}`,
        ),
      ...r.invalid.slice(0, 50).map((i) => `  INVALID ${i.file}: ${i.problems[0] ?? ''}`),
      `Written: ${Object.values(run.files).join(', ')}`,
    ];
    out.write(`${lines.join('\n')}\n`);
  }
  return run.exitCode;
}
