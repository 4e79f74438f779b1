/**
 * A removal session, as both the CLI and the app run it: resume an unfinished plan or make a new
 * one, execute it, rescan, list the leftovers, check the replacement, and journal every stage.
 */
import type { LoadedCatalog } from '../catalog/load';
import type { CommandRunner } from '../host/runner';
import type { HostOs } from '../host/inventory';
import type { Journal } from '../journal/journal';
import type { ScanResult } from '../scan/result';
import { resolveTarget, scanHost } from '../scan/scan';
import { leftoversOf, type Leftover } from '../verify/leftovers';
import { bannedNamePatterns, checkReplacement, type ReplacementStatus } from '../verify/replacement';
import {
  executePlan,
  findUnfinishedPlan,
  rebootedSince,
  type ExecuteOptions,
  type ExecutionReport,
} from './execute';
import { buildPlan, type Plan } from './plan';

export interface SessionOptions {
  catalog: LoadedCatalog;
  runner: CommandRunner;
  journal: Journal;
  appVersion: string;
  hostRoot?: string;
  hostOs?: HostOs;
  only?: readonly string[];
  logDir: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  now?: () => Date;
}

/** Scans and records the scan in the journal. */
export async function recordedScan(
  opts: SessionOptions,
  purpose: 'scan' | 'plan' | 'verify' | 'receipt',
): Promise<ScanResult> {
  await opts.journal.append('scan.started', { purpose, hostRoot: opts.hostRoot ?? null });
  const result = await scanHost({
    catalog: opts.catalog,
    runner: opts.runner,
    hostRoot: opts.hostRoot,
    hostOs: opts.hostOs,
    appVersion: opts.appVersion,
    env: opts.env,
    now: opts.now,
  });
  await opts.journal.append('scan.finished', { purpose, result });
  return result;
}

/** Scans and plans (recording both). */
export async function recordedPlan(opts: SessionOptions): Promise<{ scan: ScanResult; plan: Plan }> {
  const scan = await recordedScan(opts, 'plan');
  const plan = buildPlan({
    scan,
    catalog: opts.catalog.catalog,
    only: opts.only,
    logDir: opts.logDir,
    env: opts.env,
    timeoutMs: opts.timeoutMs,
    now: opts.now,
  });
  await opts.journal.append('plan.made', { planId: plan.id, plan });
  return { scan, plan };
}

export interface RemovalOutcome {
  plan: Plan;
  execution: ExecutionReport;
  /** The rescan after removal. */
  after: ScanResult;
  leftovers: Leftover[];
  replacement: ReplacementStatus;
  /** Steps of the plan whose product is still installed according to the rescan. */
  stillInstalled: string[];
  /** Exit code per the CLI contract: 0 removed and verified, 20 restart needed, 30 something failed. */
  exitCode: 0 | 20 | 30;
}

export type Preparation =
  | { kind: 'resume'; plan: Plan; doneSteps: number; rebooted: boolean }
  | { kind: 'reboot-pending'; plan: Plan; since: string }
  | { kind: 'new'; plan: Plan; scan: ScanResult };

/** Decides what `remove` does: continue an unfinished plan, wait for a restart, or plan anew. */
export async function prepareRemoval(opts: SessionOptions): Promise<Preparation> {
  const { events } = await opts.journal.readEvents();
  const unfinished = findUnfinishedPlan(events);
  if (unfinished) {
    if (unfinished.rebootPendingSince && !rebootedSince(unfinished.rebootPendingSince))
      return { kind: 'reboot-pending', plan: unfinished.plan, since: unfinished.rebootPendingSince };
    const done = events.filter(
      (e) =>
        e.event.type === 'step.finished' &&
        (e.event.data as { planId?: unknown }).planId === unfinished.plan.id,
    ).length;
    return {
      kind: 'resume',
      plan: unfinished.plan,
      doneSteps: done,
      rebooted: unfinished.rebootPendingSince !== undefined,
    };
  }
  const { scan, plan } = await recordedPlan(opts);
  return { kind: 'new', plan, scan };
}

/** Executes a prepared plan, then verifies and checks the replacement. */
export async function runRemoval(
  opts: SessionOptions,
  plan: Plan,
  exec: Pick<
    ExecuteOptions,
    'credentials' | 'manual' | 'onEvent' | 'signal' | 'retryDelaysMs' | 'rebootCompleted'
  >,
): Promise<RemovalOutcome> {
  const target = resolveTarget(opts.hostRoot, opts.hostOs);
  const execution = await executePlan({
    plan,
    runner: opts.runner,
    journal: opts.journal,
    presence: { runner: opts.runner, hostRoot: target.root, env: opts.env },
    ...exec,
    now: opts.now,
  });
  const after = await recordedScan(opts, 'verify');
  const leftovers = leftoversOf(after);
  const planned = new Set(plan.steps.map((s) => s.productId));
  const stillInstalled = after.findings
    .filter((f) => f.status === 'banned' && f.presence === 'installed' && planned.has(f.productId))
    .map((f) => f.productId);
  await opts.journal.append('verify.finished', {
    planId: plan.id,
    findings: after.findings,
    leftovers,
    stillInstalled,
  });
  const replacement = await checkReplacement({
    os: target.os,
    hostRoot: target.root,
    live: target.live,
    runner: opts.runner,
    env: opts.env,
    now: opts.now,
    bannedNames: bannedNamePatterns(opts.catalog.catalog),
  });
  await opts.journal.append('replacement.checked', { planId: plan.id, replacement });

  let exitCode: 0 | 20 | 30;
  if (execution.status === 'reboot-pending') exitCode = 20;
  else if (execution.status !== 'completed' || stillInstalled.length > 0) exitCode = 30;
  else exitCode = 0;
  return { plan, execution, after, leftovers, replacement, stillInstalled, exitCode };
}
