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

const HELP = `divest status [--json | --line] [--no-scan] [--host-root DIR] [--host-os linux|macos] [--catalog FILE] [--data-dir DIR]

Says where this machine stands: scans now, checks protection and reads the journal (an unfinished
or failed removal, a restart pending). --no-scan only reads what the journal holds.
  --json    the verdict as JSON (divest.status/1)
  --line    one line for fleet engines: DIVEST/1 state=<status> ... (at most 2,048 characters)
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
    { ...COMMON_FLAGS, line: { type: 'boolean' }, 'no-scan': { type: 'boolean' } },
    CommonOptions.extend({ line: z.boolean().default(false), 'no-scan': z.boolean().default(false) }),
    { min: 0, max: 0, names: '' },
  );
  if (help) {
    out.write(HELP);
    return 0;
  }
  const ws = makeWorkspace(options, err);
  if (!options.line && !options.json) await unfinishedNotice(ws, err);
  const { verdict, notRecorded } = await machineStatus(ws, {
    source: options['no-scan'] ? 'journal' : 'fresh',
  });
  if (options.line) out.write(`${statusLine(verdict, ws.catalog.catalog.version)}\n`);
  else if (options.json)
    out.write(
      `${JSON.stringify({ schema: 'divest.status/1', verdict, catalog: { version: ws.catalog.catalog.version, sha256: ws.catalog.sha256 } }, null, 2)}\n`,
    );
  else {
    out.write(formatVerdict(verdict));
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
