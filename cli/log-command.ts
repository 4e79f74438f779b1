/**
 * `divest log verify` and `divest log show`: the journal's integrity and its events.
 */
import * as z from 'zod';
import { parseCommand, UsageError } from './args';
import { journalView } from '../core/usecases/journal-view';
import { makeWorkspace } from './context';

const HELP = `divest log verify [--json] [--data-dir DIR]
divest log show [--json] [--data-dir DIR]

verify  Checks the journal's hash chain: exit 0 intact, 1 broken (with the line of each problem).
show    Lists the journal's events (time, type) and its integrity.
`;

const Flags = {
  json: { type: 'boolean' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;
const Schema = z.object({ json: z.boolean().default(false), 'data-dir': z.string().min(1).optional() });

/** Runs `divest log ...`. */
export async function runLog(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    out.write(HELP);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'verify' && sub !== 'show')
    throw new UsageError(`log: unknown subcommand "${sub}" (verify or show)`);
  const { options, help } = parseCommand(`log ${sub}`, rest, Flags, Schema, { min: 0, max: 0, names: '' });
  if (help) {
    out.write(HELP);
    return 0;
  }
  const ctx = makeWorkspace(options);
  if (sub === 'verify') {
    const report = await ctx.journal.verify();
    if (options.json) out.write(`${JSON.stringify({ file: ctx.journal.file, ...report }, null, 2)}\n`);
    else if (report.length === 0)
      out.write(`The journal ${ctx.journal.file} is empty or absent: nothing recorded yet.\n`);
    else if (report.intact)
      out.write(`INTACT: ${ctx.journal.file}: ${report.length} events, head ${report.head?.hash ?? '-'}\n`);
    else {
      out.write(`BROKEN: ${ctx.journal.file} (${report.length} lines):\n`);
      for (const p of report.problems)
        out.write(
          `  - line ${p.line}: ${p.message}${p.acknowledgedAt ? ` (recorded as a journal-break event at line ${p.acknowledgedAt})` : ''}\n`,
        );
    }
    return report.intact ? 0 : 1;
  }
  const { events, setAside, report } = await ctx.journal.read();
  if (options.json)
    out.write(
      `${JSON.stringify({ file: ctx.journal.file, integrity: report, events, setAside }, null, 2)}\n`,
    );
  else {
    const view = await journalView(ctx, Number.MAX_SAFE_INTEGER);
    for (const e of [...view.events].reverse())
      out.write(`${String(e.line).padStart(5)}  ${e.at}  ${e.type.padEnd(19)} ${e.summary}\n`);
    out.write(
      `${report.intact ? 'Chain intact' : `Chain BROKEN (${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}; run "divest log verify")`}.\n`,
    );
  }
  return 0;
}
