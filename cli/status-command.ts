/**
 * `divest status`: where this machine stands, as one verdict (the same the app and the receipt show).
 *
 * Exit codes: 0 clean or removed and protected, 10 banned software installed, 20 restart needed,
 * 30 removal incomplete, 40 unprotected, 50 not verified (could not look, or never scanned), 2 usage.
 */
import * as z from 'zod';
import type { Verdict } from '../core/model/verdict';
import { VERDICT_EXIT_CODES } from '../core/model/verdict';
import { machineStatus } from '../core/usecases/status';
import type { Workspace } from '../core/usecases/workspace';
import { openRemoval } from '../core/verdict';
import { field, safe } from './safe-output';
import { COMMON_FLAGS, CommonOptions, parseCommand } from './args';
import { makeWorkspace } from './context';
import { coverageHere } from '../core/catalog/jurisdiction';
import {
  JURISDICTION_FLAG,
  JURISDICTION_HELP,
  JurisdictionOption,
  coverageLines,
  jurisdictionChoice,
} from './jurisdiction-option';

const HELP = `divest status [--json | --line] [--no-scan] [--jurisdiction CODES] [--host-root DIR] [--host-os linux|macos] [--catalog FILE] [--data-dir DIR]

Says where this machine stands: scans now, checks protection and reads the journal (an unfinished
or failed removal, a restart pending). --no-scan only reads what the journal holds.
  --json    the verdict as JSON (divest.status/1)
  --line    one line for fleet engines: DIVEST/1 state=<status> ... (at most 2,048 characters)
${JURISDICTION_HELP}
Exit codes: 0 clean (or removed) and protected, 10 banned software installed, 20 restart needed,
30 removal incomplete, 40 unprotected, 50 not verified (could not look everywhere, or never scanned), 2 usage.
`;

/** The fleet status line: `DIVEST/1 state=banned products=a,b catalog=V` (cut to 2,048 characters). */
export function statusLine(v: Verdict, catalogVersion: string): string {
  const fields = [`DIVEST/1 state=${v.fleetStatus}`, `verdict=${v.state}`];
  if (v.stillInstalled.length) fields.push(`products=${v.stillInstalled.map((s) => s.productId).join(',')}`);
  fields.push(`protection=${v.protection.state}`, `catalog=${catalogVersion}`);
  const line = field(fields.join(' '));
  return line.length <= 2048 ? line : `${line.slice(0, 2040)} +more`;
}

/** The verdict for people. */
export function formatVerdict(v: Verdict): string {
  const lines = [safe`${v.headline}`, ...v.details.map((d) => safe`  ${d}`)];
  if (v.protection.state !== 'not-checked')
    lines.push(safe`  Protection: ${v.protection.product ?? 'none'}: ${v.protection.state}`);
  return `${lines.join('\n')}\n`;
}

/** Runs `divest status`. */
export async function runStatus(
  argv: string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const { options, help } = parseCommand(
    'status',
    argv,
    { ...COMMON_FLAGS, ...JURISDICTION_FLAG, line: { type: 'boolean' }, 'no-scan': { type: 'boolean' } },
    CommonOptions.extend({
      ...JurisdictionOption,
      line: z.boolean().default(false),
      'no-scan': z.boolean().default(false),
    }),
    { min: 0, max: 0, names: '' },
  );
  if (help) {
    out.write(HELP);
    return 0;
  }
  const ws = makeWorkspace(options, err);
  const jurisdictions = jurisdictionChoice(options.jurisdiction, ws.dataDir, ws.catalog);
  if (!options.line && !options.json) await unfinishedNotice(ws, err);
  const { verdict, notRecorded } = await machineStatus(ws, {
    source: options['no-scan'] ? 'journal' : 'fresh',
  });
  // The banned products still installed, with the directives that cover them (all of them).
  const installed = verdict.stillInstalled.map((s) => {
    const p = ws.catalog.catalog.products.find((x) => x.id === s.productId);
    return { productId: s.productId, name: s.name, status: 'banned', directives: p?.directives ?? [] };
  });
  if (options.line) out.write(`${statusLine(verdict, ws.catalog.catalog.version)}\n`);
  else if (options.json) {
    const coverage = {
      setting: jurisdictions.setting,
      source: jurisdictions.source,
      products: installed.map((p) => ({
        productId: p.productId,
        ...coverageHere(p.directives, ws.catalog.catalog, jurisdictions.setting),
      })),
    };
    out.write(
      `${JSON.stringify({ schema: 'divest.status/1', verdict, catalog: { version: ws.catalog.catalog.version, sha256: ws.catalog.sha256 }, jurisdictions: coverage }, null, 2)}\n`,
    );
  } else {
    out.write(formatVerdict(verdict));
    const coverage = coverageLines(installed, ws.catalog, jurisdictions);
    if (coverage.length) out.write(`${coverage.map((l) => `  ${l}`).join('\n')}\n`);
    if (notRecorded !== undefined)
      err.write(`divest: this status is not recorded in the journal (${notRecorded}).\n`);
  }
  return VERDICT_EXIT_CODES[verdict.state];
}

/** The notice `scan`, `plan` and `status` print when a removal is unfinished (on stderr). */
export async function unfinishedNotice(ws: Workspace, err: NodeJS.WritableStream): Promise<void> {
  let events;
  try {
    events = (await ws.journal.read()).events;
  } catch {
    return;
  }
  const open = openRemoval(events);
  if (!open) return;
  err.write(
    safe`${open.sentence}\n  Continue it: divest remove${ws.hostRoot ? ` --host-root ${ws.hostRoot}` : ''}   Make a new plan instead: divest remove --new-plan\n`,
  );
}
