/**
 * What a receipt says, read back from the journal: the latest removal session (scan before, every
 * step's result, the rescan and leftovers, the replacement), or, on a machine where nothing was
 * removed, the latest scan ("scanned, nothing found" when it found nothing).
 *
 * The journal is the single source: a receipt never states something the log does not hold.
 */
import type { Catalog } from '../catalog/schema';
import type { ReadEvent, VerifyReport } from '../journal/journal';
import { ScanResult, type Finding } from '../scan/result';
import { Plan } from '../remove/plan';
import { planProgress } from '../remove/execute';
import { Leftover, leftoversOf } from '../verify/leftovers';
import { ReplacementStatus } from '../verify/replacement';
import { journalRef, type ReceiptInput } from './sign';

export interface AssembleOptions {
  events: readonly ReadEvent[];
  journal: VerifyReport;
  catalog: { catalog: Catalog; sha256: string };
  appVersion: string;
  operator: { name?: string; organisation?: string };
  /** Used for scan receipts when the journal holds no replacement check. */
  replacement?: ReplacementStatus | null;
}

export class NothingToReceiptError extends Error {
  constructor() {
    super('The journal holds no scan yet: scan first (divest scan), then export the receipt.');
    this.name = 'NothingToReceiptError';
  }
}

function lastIndex(
  events: readonly ReadEvent[],
  test: (e: ReadEvent) => boolean,
  before = events.length,
): number {
  for (let i = Math.min(before, events.length) - 1; i >= 0; i--) if (test(events[i] as ReadEvent)) return i;
  return -1;
}

const data = (e: ReadEvent | undefined): Record<string, unknown> =>
  (e?.event.data ?? {}) as Record<string, unknown>;

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
  const planAt = lastIndex(events, (e) => {
    if (e.event.type !== 'plan.started') return false;
    const steps = (data(e).plan as { steps?: unknown } | undefined)?.steps;
    return Array.isArray(steps) && steps.length > 0;
  });
  if (planAt >= 0) {
    const plan = Plan.parse(data(events[planAt]).plan);
    const scanAt = lastIndex(events, (e) => e.event.type === 'scan.finished', planAt);
    const before = scanAt >= 0 ? ScanResult.parse(data(events[scanAt]).result) : undefined;
    const progress = planProgress(events, plan.id);
    const actions = plan.steps
      .map((s) => progress.get(s.id))
      .filter((r) => r !== undefined)
      .map((r) => ({
        stepId: r.stepId,
        productId: r.productId,
        findingId: r.findingId,
        title: r.title,
        method: r.method,
        argv: r.argv,
        startedAt: r.startedAt,
        finishedAt: r.finishedAt,
        exitCode: r.exitCode,
        outcome: r.outcome,
        ...(r.outputSha256 ? { outputSha256: r.outputSha256 } : {}),
        message: r.message,
      }));
    const verifyAt = lastIndex(
      events,
      (e) => e.event.type === 'verify.finished' && data(e).planId === plan.id,
    );
    const replAt = lastIndex(
      events,
      (e) => e.event.type === 'replacement.checked' && data(e).planId === plan.id,
    );
    const afterFindings =
      verifyAt >= 0 ? ScanResult.shape.findings.parse(data(events[verifyAt]).findings) : [];
    const leftovers = verifyAt >= 0 ? Leftover.array().parse(data(events[verifyAt]).leftovers) : [];
    const host = before?.host;
    if (!host) throw new NothingToReceiptError();
    return {
      kind: 'removal',
      host,
      directives: directivesOf(opts.catalog.catalog, before?.findings ?? []),
      findingsBefore: before?.findings ?? [],
      actions,
      after: { findings: afterFindings, leftovers: receiptLeftovers(leftovers) },
      replacement: replAt >= 0 ? ReplacementStatus.parse(data(events[replAt]).replacement) : null,
      ...common,
    };
  }

  const scanAt = lastIndex(events, (e) => e.event.type === 'scan.finished');
  if (scanAt < 0) throw new NothingToReceiptError();
  const scan = ScanResult.parse(data(events[scanAt]).result);
  const replAt = lastIndex(events, (e) => e.event.type === 'replacement.checked');
  return {
    kind: 'scan',
    host: scan.host,
    directives: directivesOf(opts.catalog.catalog, scan.findings),
    findingsBefore: scan.findings,
    actions: [],
    after: { findings: scan.findings, leftovers: receiptLeftovers(leftoversOf(scan)) },
    replacement:
      replAt > scanAt
        ? ReplacementStatus.parse(data(events[replAt]).replacement)
        : (opts.replacement ?? null),
    ...common,
  };
}
