/**
 * The journal as people read it: one line per event, and the chain's integrity.
 */
import type { EventData, EventType } from '../model/events';
import type { Recorded, SetAside, VerifyReport } from '../journal/journal';
import type { Workspace } from './workspace';

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

type Summaries = { [T in EventType]: (d: EventData<T>) => string };

const SUMMARIES: Summaries = {
  'scan.started': (d) => `Scan started (${d.purpose})`,
  'scan.finished': (d) => {
    const f = d.result.findings;
    const banned = f.filter((x) => x.status === 'banned' && x.presence === 'installed').length;
    return `Scan finished (${d.purpose}): ${count(f.length, 'finding')}, ${banned} banned installed`;
  },
  'scan.failed': (d) => `Scan failed (${d.purpose}): ${d.message}`,
  'plan.made': (d) => `Plan ${d.planId} made: ${count(d.plan.steps.length, 'step')}`,
  'plan.started': (d) => `Plan ${d.planId} started`,
  'plan.resumed': (d) => `Plan ${d.planId} resumed`,
  'plan.finished': (d) => `Plan ${d.planId} finished: ${d.status}`,
  'plan.abandoned': (d) => `Plan ${d.planId} set aside: ${d.reason}`,
  'step.started': (d) => `Step ${d.stepId} started${d.argv.length ? `: ${d.argv.join(' ')}` : ''}`,
  'step.finished': (d) => `Step ${d.stepId}: ${d.result.outcome}. ${d.result.message}`,
  'verify.finished': (d) =>
    `Verification: ${count(d.leftovers.length, 'leftover')}${d.stillInstalled.length ? `; still installed: ${d.stillInstalled.join(', ')}` : ''}`,
  'replacement.checked': (d) => `Replacement ${d.replacement.product}: ${d.replacement.state}`,
  'receipt.exported': (d) => `Receipt ${d.receiptId} exported (${d.kind}) to ${d.file}`,
  'settings.changed': (d) => `Settings changed: ${d.changed.join(', ')}`,
  'remove.refused': (d) => `Removal refused: ${d.reason}`,
  'catalog.installed': (d) => `Catalog ${d.version} #${d.sequence} installed (${d.channel})`,
  'journal-break': (d) => `Damage found and recorded: ${count(d.problems.length, 'problem')}`,
};

/** One line about an event, for the log viewer. */
export function summarizeEvent(e: Recorded): string {
  return (SUMMARIES[e.type] as (d: EventData<EventType>) => string)(e.data);
}

export interface JournalEntryView {
  line: number;
  seq: number;
  at: string;
  type: string;
  hash: string;
  summary: string;
}

export interface JournalView {
  file: string;
  report: VerifyReport;
  total: number;
  /** Newest first. */
  events: JournalEntryView[];
}

function setAsideEntry(s: SetAside): JournalEntryView {
  return { line: s.line, seq: s.seq, at: s.at, type: s.type, hash: s.hash, summary: `Not used: ${s.reason}` };
}

/** The newest `limit` events (and lines set aside), newest first, with the chain's report. */
export async function journalView(ws: Workspace, limit = 500): Promise<JournalView> {
  const { events, setAside, report } = await ws.journal.read();
  const all: JournalEntryView[] = [
    ...events.map((e) => ({
      line: e.line,
      seq: e.seq,
      at: e.at,
      type: e.type,
      hash: e.hash,
      summary: summarizeEvent(e),
    })),
    ...setAside.map(setAsideEntry),
  ].sort((a, b) => a.line - b.line);
  return { file: ws.journal.file, report, total: all.length, events: all.slice(-limit).reverse() };
}
