/**
 * Make a removal plan, or find the unfinished one to continue.
 */
import { unfinishedPlan, type UnfinishedPlan } from '../journal/history';
import type { Plan } from '../model/plan';
import type { ScanResult } from '../model/scan';
import { buildPlan } from '../remove/plan';
import { rebootedSince } from '../remove/execute';
import { recordedScan } from './scan';
import type { Workspace } from './workspace';

export interface PlanOptions {
  /** Only these catalog product ids (CLI `--only`). */
  only?: readonly string[];
  /** Stop an uninstaller that runs longer than this. */
  timeoutMs?: number;
}

/** Scans, plans and records both (`scan.finished`, `plan.made`). */
export async function planAndRecord(
  ws: Workspace,
  options: PlanOptions = {},
): Promise<{ scan: ScanResult; plan: Plan }> {
  const scan = await recordedScan(ws, 'plan');
  const plan = buildPlan({
    scan,
    catalog: ws.catalog.catalog,
    only: options.only,
    logDir: ws.logDir,
    env: ws.env,
    timeoutMs: options.timeoutMs,
    now: ws.now,
  });
  await ws.journal.append('plan.made', { planId: plan.id, plan });
  return { scan, plan };
}

/** What `remove` will do: continue an unfinished plan, wait for a restart, or run a new plan. */
export type Preparation =
  | { kind: 'resume'; plan: Plan; doneSteps: number; rebooted: boolean; unfinished: UnfinishedPlan }
  | { kind: 'reboot-pending'; plan: Plan; since: string; unfinished: UnfinishedPlan }
  | { kind: 'new'; plan: Plan; scan: ScanResult };

/** Decides what `remove` does: continue an unfinished plan, wait for a restart, or plan anew. */
export async function prepareRemoval(ws: Workspace, options: PlanOptions = {}): Promise<Preparation> {
  const { events } = await ws.journal.read();
  const unfinished = unfinishedPlan(events);
  if (unfinished) {
    const since = unfinished.rebootPendingSince;
    if (since && !rebootedSince(since))
      return { kind: 'reboot-pending', plan: unfinished.plan, since, unfinished };
    return {
      kind: 'resume',
      plan: unfinished.plan,
      doneSteps: unfinished.doneSteps,
      rebooted: since !== undefined,
      unfinished,
    };
  }
  const { scan, plan } = await planAndRecord(ws, options);
  return { kind: 'new', plan, scan };
}
