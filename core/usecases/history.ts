/**
 * What the journal says about the past, for the app's first screen, its History screen and its
 * step indicator: removal sessions and how each ended, receipts exported, which steps of the flow
 * are done, and the unfinished removal to offer (resume is offered, never hidden). The verdict is
 * the one of `status.ts` (`core/verdict.ts`); nothing here composes its own.
 */
import { allOf, isType, lastOf, type Events } from '../journal/history';
import type { FlowProgress, HistoryView, SessionView, StatusView } from '../model/app-views';
import { OUTCOME_WORDS } from '../receipt/attest';
import { openRemoval } from '../verdict';
import { machineStatus } from './status';
import type { Workspace } from './workspace';

/** Removal sessions (plans that were started), newest first. */
export function sessionsOf(events: Events): SessionView[] {
  const sessions: SessionView[] = [];
  for (const started of allOf(events, 'plan.started')) {
    const { plan } = started.data;
    if (plan.steps.length === 0) continue;
    let status: SessionView['status'] = 'open';
    let endedAt: string | null = null;
    const results = new Map<string, { title: string; outcome: string }>();
    for (const e of events) {
      if (e.seq <= started.seq) continue;
      if (isType(e, 'plan.started') && e.data.planId === plan.id) break;
      if (isType(e, 'step.finished') && e.data.planId === plan.id)
        results.set(e.data.stepId, {
          title: e.data.result.title,
          outcome: OUTCOME_WORDS[e.data.result.outcome],
        });
      else if (isType(e, 'plan.finished') && e.data.planId === plan.id) {
        status = e.data.status;
        endedAt = e.at;
      } else if (isType(e, 'plan.resumed') && e.data.planId === plan.id) {
        status = 'open';
        endedAt = null;
      } else if (isType(e, 'plan.abandoned') && e.data.planId === plan.id) {
        status = 'abandoned';
        endedAt = e.at;
      }
    }
    sessions.push({
      planId: plan.id,
      products: [...new Set(plan.steps.map((s) => s.productName))],
      steps: plan.steps.length,
      startedAt: started.at,
      status,
      endedAt,
      results: [...results.values()],
    });
  }
  return sessions.reverse();
}

/** Which steps of the flow the journal shows done. */
export function flowOf(events: Events): FlowProgress {
  const has = (test: (e: Events[number]) => boolean): boolean => events.some(test);
  return {
    scanned: has((e) => isType(e, 'scan.finished')),
    planned: has((e) => isType(e, 'plan.made') || isType(e, 'plan.started')),
    removed: has((e) => isType(e, 'plan.finished') && e.data.status === 'completed'),
    verified: has((e) => isType(e, 'verify.finished')),
    protectedNow: lastOf(events, 'replacement.checked')?.event.data.replacement.state === 'active',
    receiptExported: has((e) => isType(e, 'receipt.exported')),
  };
}

/** The History screen's data. */
export async function historyView(ws: Workspace): Promise<HistoryView> {
  const { events } = await ws.journal.read();
  const scans = allOf(events, 'scan.finished');
  return {
    sessions: sessionsOf(events),
    receipts: allOf(events, 'receipt.exported')
      .map((e) => ({
        receiptId: e.data.receiptId,
        kind: e.data.kind,
        file: e.data.file,
        at: e.at,
        keyFingerprint: e.data.keyFingerprint,
      }))
      .reverse(),
    scans: scans.length,
    lastScanAt: scans[scans.length - 1]?.at ?? null,
    flow: flowOf(events),
  };
}

/** Where the machine stands by the journal (no scan is made), and the removal to continue. */
export async function statusView(ws: Workspace): Promise<StatusView> {
  const [{ verdict }, { events }] = await Promise.all([
    machineStatus(ws, { source: 'journal' }),
    ws.journal.read(),
  ]);
  const open = openRemoval(events);
  return {
    verdict,
    open: open
      ? {
          planId: open.planId,
          products: open.products,
          state: open.state,
          ...(open.stoppedAt ? { stoppedAt: open.stoppedAt } : {}),
          sentence: open.sentence,
        }
      : null,
  };
}
