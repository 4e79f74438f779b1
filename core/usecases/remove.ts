/**
 * Run a removal plan, then verify: rescan, leftovers, the replacement; and the rights gate that
 * refuses (and journals the refusal) when this process cannot remove.
 */
import { DivestError } from '../errors';
import { removalRights, type Rights } from '../host/privileges';
import type { PlanStatus } from '../model/execution';
import type { Plan } from '../model/plan';
import type { ScanResult } from '../model/scan';
import type { Leftover, ReplacementStatus } from '../model/verify';
import { executePlan, type ExecuteOptions, type ExecutionReport } from '../remove/execute';
import { leftoversOf } from '../verify/leftovers';
import { recordedScan } from './scan';
import { checkReplacementAndRecord } from './verify';
import type { Workspace } from './workspace';

export interface RemovalOutcome {
  plan: Plan;
  execution: ExecutionReport;
  /** The rescan after removal. */
  after: ScanResult;
  leftovers: Leftover[];
  replacement: ReplacementStatus;
  /** Products of the plan still installed according to the rescan. */
  stillInstalled: string[];
  /** Exit code per the CLI contract: 0 removed and verified, 20 restart needed, 30 something failed. */
  exitCode: 0 | 20 | 30;
}

/**
 * The rights to remove, or a refusal. Without rights and without a way to ask for them
 * (`canElevate`), the refusal is journaled (`remove.refused`) and thrown as `no-admin`.
 */
export async function removalGate(ws: Workspace, canElevate = false): Promise<Rights> {
  const rights = await removalRights(ws.target(), ws.runner, ws.env);
  if (rights.admin === false && !canElevate) {
    await ws.journal.append('remove.refused', { reason: 'no administrator rights', how: rights.how });
    throw new DivestError(
      'no-admin',
      `Removal needs administrator rights (${rights.how}). Scanning, planning and receipts still work.`,
    );
  }
  return rights;
}

/** What the executor needs from the face (prompts, progress, cancel). */
export type ExecutionHooks = Pick<
  ExecuteOptions,
  'credentials' | 'manual' | 'onEvent' | 'signal' | 'retryDelaysMs' | 'rebootCompleted'
>;

function exitCodeOf(status: PlanStatus, stillInstalled: readonly string[]): 0 | 20 | 30 {
  if (status === 'reboot-pending') return 20;
  if (status !== 'completed' || stillInstalled.length > 0) return 30;
  return 0;
}

/** Executes a prepared plan, then verifies and checks the replacement, journaling each stage. */
export async function runRemoval(ws: Workspace, plan: Plan, hooks: ExecutionHooks): Promise<RemovalOutcome> {
  const target = ws.target();
  const execution = await executePlan({
    plan,
    runner: ws.runner,
    journal: ws.journal,
    presence: { runner: ws.runner, hostRoot: target.root, env: ws.env },
    ...hooks,
    now: ws.now,
  });
  const after = await recordedScan(ws, 'verify');
  const leftovers = leftoversOf(after);
  const planned = new Set(plan.steps.map((s) => s.productId));
  const stillInstalled = after.findings
    .filter((f) => f.status === 'banned' && f.presence === 'installed' && planned.has(f.productId))
    .map((f) => f.productId);
  await ws.journal.append('verify.finished', {
    planId: plan.id,
    findings: after.findings,
    leftovers,
    stillInstalled,
  });
  const replacement = await checkReplacementAndRecord(ws, plan.id);
  return {
    plan,
    execution,
    after,
    leftovers,
    replacement,
    stillInstalled,
    exitCode: exitCodeOf(execution.status, stillInstalled),
  };
}
