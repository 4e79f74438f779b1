/**
 * What a receipt says, read back from the journal: the latest removal session (the scan before,
 * every step's result, how the plan's run ended, a scan made AFTER its last step, the replacement
 * check after that scan, and the verdict they give), or, on a machine where nothing was removed,
 * the latest scan.
 *
 * The journal is the single source, and a receipt never states an "after" it did not observe:
 * without a scan after the removal's last step there is no receipt (the export use case scans
 * first). The verdict is `core/verdict.ts`'s, computed from the same scan and check.
 */
import { DivestError } from '../errors';
import {
  lastOf,
  lastPlanActivity,
  latestRemoval,
  planProgress,
  unfinishedPlan,
  type Events,
} from '../journal/history';
import type { VerifyReport } from '../journal/journal';
import type { Catalog } from '../model/catalog';
import type { CatalogProvenance } from '../model/catalog-release';
import type { ReceiptPlan } from '../model/receipt';
import type { Finding, ScanResult } from '../model/scan';
import type { Leftover, ReplacementStatus } from '../model/verify';
import { computeVerdict } from '../verdict';
import { leftoversOf } from '../verify/leftovers';
import { journalRef, type ReceiptInput } from './sign';

export interface AssembleOptions {
  events: Events;
  journal: VerifyReport;
  catalog: { catalog: Catalog; sha256: string; provenance?: CatalogProvenance };
  appVersion: string;
  operator: { name?: string; organisation?: string };
  /** The OS account Divest runs as, and whether it has administrator rights. */
  account: { user: string; admin: boolean | 'unknown' };
  /** Whether the machine restarted since a time (for a plan paused for a restart). */
  rebootedSince: (iso: string) => boolean;
  now?: () => Date;
  /** IANA time zone of the operator's clock (default: this process's). */
  timeZone?: string;
}

function nothingToReceipt(message: string): DivestError<'nothing-to-receipt'> {
  return new DivestError('nothing-to-receipt', message);
}

/** The receipt's form of a leftover: what, where, and how to clear it. */
function receiptLeftovers(list: readonly Leftover[]): ReceiptInput['after']['leftovers'] {
  return list.map(({ kind, location, detail, howToClear }) => ({ kind, location, detail, howToClear }));
}

function directivesOf(catalog: Catalog, findings: readonly Finding[]): ReceiptInput['directives'] {
  const ids = new Set(findings.flatMap((f) => f.directives));
  const chosen = ids.size ? catalog.directives.filter((d) => ids.has(d.id)) : catalog.directives;
  return chosen.map((d) => ({ id: d.id, shortName: d.shortName, title: d.title }));
}

/** `2026-12-01T16:30:00-05:00`: the instant in the local offset of this process's clock. */
export function localIso(d: Date): string {
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  const local = new Date(d.getTime() + offset * 60_000).toISOString().slice(0, 19);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** How the plan's (last) run ended, from the journal. */
function planOutcome(events: Events, planId: string, steps: number): ReceiptPlan {
  const open = unfinishedPlan(events);
  if (open?.plan.id === planId)
    return { id: planId, status: open.state === 'interrupted' ? 'interrupted' : open.state, steps };
  const finished = lastOf(events, 'plan.finished', (e) => e.data.planId === planId);
  return { id: planId, status: finished?.event.data.status ?? 'interrupted', steps };
}

/** The latest replacement check journaled after the event at index `after`, if any. */
export function replacementAfter(events: Events, after: number): ReplacementStatus | null {
  const found = lastOf(events, 'replacement.checked');
  return found && found.index > after ? found.event.data.replacement : null;
}

/** Builds the receipt input from the journal's events. */
export function assembleReceipt(opts: AssembleOptions): ReceiptInput {
  const { events } = opts;
  const issued = (opts.now ?? (() => new Date()))();
  const removal = latestRemoval(events);
  const afterAt = removal ? lastPlanActivity(events, removal.plan.id) : -1;
  const after = lastOf(events, 'scan.finished', (_e) => true);
  if (!after)
    throw nothingToReceipt(
      'The journal holds no scan yet: scan first (divest scan), then export the receipt.',
    );
  if (removal && after.index < afterAt)
    throw nothingToReceipt(
      'The journal holds no scan made after the removal\u2019s last step: scan again, then export the receipt (it never states an "after" it did not see).',
    );
  const scan: ScanResult = after.event.data.result;
  // Protection as checked after the removal's last step (or, without a removal, after the scan).
  const replacement = replacementAfter(events, removal ? afterAt : after.index);
  const verdict = computeVerdict({
    events,
    scan: { result: scan, at: after.event.at },
    ...(replacement ? { replacement } : {}),
    rebootedSince: opts.rebootedSince,
  });
  const before = removal
    ? lastOf(events, 'scan.finished', () => true, removal.index)?.event.data.result
    : scan;
  if (!before)
    throw nothingToReceipt(
      'The journal holds no scan from before the removal: the receipt would have no "before".',
    );
  const progress = removal ? planProgress(events, removal.plan.id) : new Map();
  const actions = removal
    ? removal.plan.steps.flatMap((s) => {
        const r = progress.get(s.id);
        if (!r) return [];
        const { durationMs: _d, ...action } = r;
        return [action];
      })
    : [];
  return {
    kind: removal ? 'removal' : 'scan',
    issuedAt: issued.toISOString(),
    issuedAtLocal: {
      time: localIso(issued),
      timeZone: opts.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'unknown',
    },
    verdict,
    host: scan.host,
    operator: { ...opts.operator, account: opts.account },
    directives: directivesOf(opts.catalog.catalog, before.findings),
    findingsBefore: before.findings,
    plan: removal ? planOutcome(events, removal.plan.id, removal.plan.steps.length) : null,
    actions,
    after: {
      scanAt: scan.startedAt,
      findings: scan.findings,
      leftovers: receiptLeftovers(leftoversOf(scan)),
    },
    replacement,
    journal: journalRef(opts.journal),
    app: { name: 'divest', version: opts.appVersion },
    catalog: {
      version: opts.catalog.catalog.version,
      sha256: opts.catalog.sha256,
      ...(opts.catalog.provenance ? { provenance: opts.catalog.provenance } : {}),
    },
  };
}
