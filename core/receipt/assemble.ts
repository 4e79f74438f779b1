/**
 * What a receipt says, read back from the journal: the latest removal session (scan before, every
 * step's result, the rescan and leftovers, the replacement), or, on a machine where nothing was
 * removed, the latest scan ("scanned, nothing found" when it found nothing).
 *
 * The journal is the single source: a receipt never states something the log does not hold.
 */
import { DivestError } from '../errors';
import { lastOf, latestRemoval, planProgress, type Events } from '../journal/history';
import type { VerifyReport } from '../journal/journal';
import type { Catalog } from '../model/catalog';
import type { Finding } from '../model/scan';
import type { Leftover, ReplacementStatus } from '../model/verify';
import { leftoversOf } from '../verify/leftovers';
import { journalRef, type ReceiptInput } from './sign';

export interface AssembleOptions {
  events: Events;
  journal: VerifyReport;
  catalog: { catalog: Catalog; sha256: string };
  appVersion: string;
  operator: { name?: string; organisation?: string };
  /** Used for scan receipts when the journal holds no replacement check. */
  replacement?: ReplacementStatus | null;
}

/** The journal holds nothing a receipt could be about. */
function nothingToReceipt(): DivestError<'nothing-to-receipt'> {
  return new DivestError(
    'nothing-to-receipt',
    'The journal holds no scan yet: scan first (divest scan), then export the receipt.',
  );
}

/** The receipt's form of a leftover: what, where, and how to clear it. */
function receiptLeftovers(
  list: readonly Leftover[],
): { kind: string; location: string; detail: string; howToClear: string }[] {
  return list.map(({ kind, location, detail, howToClear }) => ({ kind, location, detail, howToClear }));
}

function directivesOf(catalog: Catalog, findings: readonly Finding[]): ReceiptInput['directives'] {
  const ids = new Set(findings.flatMap((f) => f.directives));
  const chosen = ids.size ? catalog.directives.filter((d) => ids.has(d.id)) : catalog.directives;
  return chosen.map((d) => ({ id: d.id, shortName: d.shortName, title: d.title }));
}

/** Builds the receipt input from the journal's events. */
export function assembleReceipt(opts: AssembleOptions): ReceiptInput {
  const { events } = opts;
  const common = {
    operator: opts.operator,
    journal: journalRef(opts.journal),
    app: { name: 'divest' as const, version: opts.appVersion },
    catalog: { version: opts.catalog.catalog.version, sha256: opts.catalog.sha256 },
  };

  // A plan with no steps (nothing was installed) is not a removal: that machine gets a scan receipt.
  const removal = latestRemoval(events);
  if (removal) {
    const { plan } = removal;
    const before = lastOf(events, 'scan.finished', () => true, removal.index)?.event.data.result;
    const progress = planProgress(events, plan.id);
    const actions = plan.steps
      .map((s) => progress.get(s.id))
      .filter((r) => r !== undefined)
      .map(({ durationMs: _d, ...r }) => r);
    const verify = lastOf(events, 'verify.finished', (e) => e.data.planId === plan.id)?.event.data;
    const replacement = lastOf(events, 'replacement.checked', (e) => e.data.planId === plan.id)?.event.data
      .replacement;
    if (!before) throw nothingToReceipt();
    return {
      kind: 'removal',
      host: before.host,
      directives: directivesOf(opts.catalog.catalog, before.findings),
      findingsBefore: before.findings,
      actions,
      after: {
        findings: verify?.findings ?? [],
        leftovers: receiptLeftovers(verify?.leftovers ?? []),
      },
      replacement: replacement ?? null,
      ...common,
    };
  }

  const scanAt = lastOf(events, 'scan.finished');
  if (!scanAt) throw nothingToReceipt();
  const scan = scanAt.event.data.result;
  const repl = lastOf(events, 'replacement.checked');
  return {
    kind: 'scan',
    host: scan.host,
    directives: directivesOf(opts.catalog.catalog, scan.findings),
    findingsBefore: scan.findings,
    actions: [],
    after: { findings: scan.findings, leftovers: receiptLeftovers(leftoversOf(scan)) },
    replacement: repl && repl.index > scanAt.index ? repl.event.data.replacement : (opts.replacement ?? null),
    ...common,
  };
}
