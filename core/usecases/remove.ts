/**
 * Run a removal plan, then verify: rescan, leftovers, the replacement; and the rights gate that
 * refuses (and journals the refusal) when this process cannot remove.
 */
import { DivestError } from '../errors';
import { removalRights, type Rights } from '../host/privileges';
import type { Plan } from '../model/plan';
import type { ScanResult } from '../model/scan';
import type { Leftover, ReplacementStatus } from '../model/verify';
import type { Verdict } from '../model/verdict';
import { executePlan, rebootedSince, type ExecuteOptions, type ExecutionReport } from '../remove/execute';
import { computeVerdict } from '../verdict';
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
  /** Where the machine stands now: the one verdict (`core/verdict.ts`). */
  verdict: Verdict;
  /** Exit code per the CLI contract, from the verdict: see {@link removeExitCode}. */
  exitCode: RemoveExitCode;
}

/** `remove`'s exit codes: 0 removed (or nothing to remove) and protected, 20 restart needed, 30 not done, 40 done but unprotected. */
export type RemoveExitCode = 0 | 20 | 30 | 40;

/** The exit code of `remove` for a verdict. */
export function removeExitCode(v: Verdict): RemoveExitCode {
  // A plan that did all it was asked (--only) while other banned products stay: 0, or 40.
  if (v.state === 'banned-present' && v.plan && !v.plan.stoppedAt)
    return v.protection.state === 'active' ? 0 : 40;
  switch (v.state) {
    case 'removed':
    case 'clean':
      return 0;
    case 'restart-pending':
      return 20;
    case 'removed-unprotected':
    case 'unprotected':
      return 40;
    default:
      return 30;
  }
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
  'credentials' | 'manual' | 'onEvent' | 'signal' | 'stopNow' | 'retryDelaysMs' | 'rebootCompleted'
>;

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
  const verdict = computeVerdict({
    events: (await ws.journal.read()).events,
    scan: { result: after, at: after.startedAt },
    replacement,
    rebootedSince: (iso) => rebootedSince(iso),
  });
  return {
    plan,
    execution,
    after,
    leftovers,
    replacement,
    stillInstalled,
    verdict,
    exitCode: removeExitCode(verdict),
  };
}
