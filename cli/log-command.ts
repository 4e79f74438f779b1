/**
 * `divest log verify` and `divest log show`: the journal's integrity and its events.
 */
import * as z from 'zod';
import { parseCommand, UsageError } from './args';
import { journalView } from '../core/usecases/journal-view';
import { makeWorkspace } from './context';
import { checkJournalAnchor } from '../core/usecases/journal-anchor';
import type { Workspace } from '../core/usecases/workspace';
import { MiB, readRegularFileSync } from '../core/fs/read-file';
import { safe } from './safe-output';

const HELP = `divest log verify [--receipt FILE [--fingerprint SHA256:...]] [--json] [--data-dir DIR]
divest log show [--json] [--data-dir DIR]

verify  Checks the journal's hash chain: exit 0 intact, 1 broken (with the line of each problem).
        With --receipt: checks that the journal still holds the line the receipt anchored (its
        length and head hash when it was signed) and that the chain up to it is intact: exit 0
        when it does, 1 when not (rewritten, cut short, another journal, or the receipt is invalid).
show    Lists the journal's events (time, type) and its integrity.
`;

const Flags = {
  json: { type: 'boolean' },
  receipt: { type: 'string' },
  fingerprint: { type: 'string' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;
const Schema = z.object({
  json: z.boolean().default(false),
  'data-dir': z.string().min(1).optional(),
  receipt: z.string().min(1).optional(),
  fingerprint: z.string().min(1).optional(),
});

async function verifyAgainstReceipt(
  ctx: Workspace,
  options: z.infer<typeof Schema>,
  out: NodeJS.WritableStream,
): Promise<number> {
  const file = options.receipt ?? '';
  const text = readRegularFileSync(file, { maxBytes: 20 * MiB, what: 'receipt file' }).toString('utf8');
  const c = await checkJournalAnchor(
    ctx,
    text,
    options.fingerprint ? { expectedFingerprint: options.fingerprint } : {},
  );
  if (options.json)
    out.write(`${JSON.stringify({ schema: 'divest.journal-anchor/1', receiptFile: file, ...c }, null, 2)}\n`);
  else {
    const a = c.receipt.anchor;
    out.write(safe`${c.result === 'matches' ? 'ANCHORED' : 'NOT ANCHORED'}: ${c.sentence}\n`);
    out.write(
      safe`  Receipt   ${c.receipt.id ?? '-'} (${c.receipt.hostname ?? '-'}, ${c.receipt.issuedAt ?? '-'}), signature ${c.receipt.signature}\n`,
    );
    if (a)
      out.write(
        safe`  Anchor    line ${String(a.length)}, head ${a.headHash}${a.intactAtIssue ? '' : ' (journal damaged at issue)'}\n`,
      );
    out.write(
      safe`  Journal   ${c.journal.file}: ${String(c.journal.length)} lines, ${c.journal.intact ? 'intact' : 'BROKEN'}\n`,
    );
  }
  return c.result === 'matches' ? 0 : 1;
}

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
  if ((options.receipt || options.fingerprint) && sub !== 'verify')
    throw new UsageError('log show: --receipt and --fingerprint belong to "divest log verify"');
  if (options.fingerprint && !options.receipt)
    throw new UsageError('log verify: --fingerprint needs --receipt FILE');
  const ctx = makeWorkspace(options);
  if (sub === 'verify' && options.receipt) return verifyAgainstReceipt(ctx, options, out);
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
