/**
 * Carries out a removal plan, step by step, and keeps its state in the journal.
 *
 * For each step: preflight (is the target still there?), run with a time-out, classify the exit
 * code for that tool, postflight (is it really gone?), and journal the result (argv without
 * secrets, exit code, duration, output digest). A failure stops the plan: nothing after it is
 * touched. Because every step's start and end are journaled, a crash, a kill or a reboot in the
 * middle resumes at the right step; the state is read back from the journal, never kept elsewhere.
 *
 * What differs between uninstallers (the exact argv of an attempt, what an exit means, how to tell
 * whether a target is still there, what to say on failure) is each tool's (`./tools/*.ts`); this
 * module never switches on a tool.
 */
import os from 'node:os';
import type { Journal } from '../journal/journal';
import { planProgress, planWasStarted } from '../journal/history';
import type { CommandRunner } from '../host/runner';
import type { CredentialScheme } from '../model/catalog';
import { FINAL_OUTCOMES, type PlanStatus, type StepResult } from '../model/execution';
import type { Plan, PlanStep } from '../model/plan';
import { toolFor } from './tools';
import type { Classification, Credentials, PresenceContext, UninstallerTool } from './tools/tool';

export type { Credentials } from './tools/tool';
export { credentialArgs, credentialSecrets } from './tools/msiexec';

export type ExecutionEvent =
  | { type: 'step-started'; step: PlanStep; attempt: number }
  | { type: 'step-output'; stepId: string; stream: 'stdout' | 'stderr'; text: string }
  | { type: 'step-finished'; step: PlanStep; result: StepResult }
  | { type: 'manual-needed'; step: PlanStep };

export interface ExecuteOptions {
  plan: Plan;
  runner: CommandRunner;
  journal: Journal;
  presence: PresenceContext;
  /** Asked when a password-protected product refuses to uninstall without its password. */
  credentials?: (step: PlanStep, scheme: CredentialScheme) => Promise<Credentials | undefined>;
  /** Asked for steps that must be done by hand: what the user reports. */
  manual?: (step: PlanStep) => Promise<'done' | 'failed' | 'not-now'>;
  onEvent?: (e: ExecutionEvent) => void;
  /** Stop before the next step (a running uninstaller is never killed half-way by a cancel). */
  signal?: AbortSignal;
  /**
   * The operator's deliberate "stop this uninstaller now": the running step's process group is
   * killed, the step is journaled as failed (stopped by the operator) and the plan stops there.
   */
  stopNow?: AbortSignal;
  /** Print what would run and change nothing. */
  dryRun?: boolean;
  /** The machine restarted since the plan paused for it: earlier "reboot required" steps are done. */
  rebootCompleted?: boolean;
  /** Waits between retries of msiexec 1618 ("another installation is in progress"). */
  retryDelaysMs?: readonly number[];
  now?: () => Date;
}

export interface ExecutionReport {
  planId: string;
  status: PlanStatus;
  results: StepResult[];
  /** Steps not run (after a failure or a cancel, or by hand and not reported). */
  remaining: string[];
  resumed: boolean;
}

/** What a step stopped by the operator says (journaled as its message). */
export const STOPPED_BY_OPERATOR = 'Stopped by the operator';

/** `NAME=value` with the value hidden. */
function maskArg(a: string): string {
  return a.replace(/=[\s\S]*$/, '=***');
}

/** True when the machine has restarted since `iso` (boot time after it). */
export function rebootedSince(
  iso: string,
  uptimeSeconds: number = os.uptime(),
  now: Date = new Date(),
): boolean {
  const bootedAt = now.getTime() - uptimeSeconds * 1000;
  return bootedAt > Date.parse(iso);
}

/** Runs the plan (or what remains of it). */
export async function executePlan(opts: ExecuteOptions): Promise<ExecutionReport> {
  const now = opts.now ?? (() => new Date());
  const { plan, journal } = opts;
  const { events } = await journal.read();
  const previous = planProgress(events, plan.id);
  const resumed = planWasStarted(events, plan.id);
  const results: StepResult[] = [];
  const remaining: string[] = [];

  if (opts.dryRun) {
    for (const step of plan.steps) remaining.push(step.id);
    return { planId: plan.id, status: 'incomplete', results, remaining, resumed };
  }

  if (!resumed) await journal.append('plan.started', { planId: plan.id, plan });
  else await journal.append('plan.resumed', { planId: plan.id, done: [...previous.keys()] });

  let status: PlanStatus = 'completed';
  for (const step of plan.steps) {
    const before = previous.get(step.id);
    if (before && FINAL_OUTCOMES.has(before.outcome)) {
      results.push(before);
      continue;
    }
    if (status === 'failed' || status === 'cancelled') {
      remaining.push(step.id);
      continue;
    }
    if (opts.signal?.aborted) {
      status = 'cancelled';
      remaining.push(step.id);
      continue;
    }
    const result = await runStep(step, opts, now);
    results.push(result);
    if (result.outcome === 'failed' || result.outcome === 'timed-out') status = 'failed';
    else if (result.outcome === 'skipped') {
      status = 'incomplete';
      remaining.push(step.id);
    }
  }
  const waitingForRestart = results.some(
    (r) => r.outcome === 'reboot-required' && !(opts.rebootCompleted && previous.get(r.stepId) === r),
  );
  if (status === 'completed' && waitingForRestart) status = 'reboot-pending';
  if (status === 'incomplete' && results.some((r) => r.outcome === 'failed')) status = 'failed';
  await journal.append('plan.finished', { planId: plan.id, status, remaining });
  return { planId: plan.id, status, results, remaining, resumed };
}

/** What a step's result is made of besides its base fields; `argv` overrides the plan's. */
type Ending = Omit<
  StepResult,
  'stepId' | 'productId' | 'findingId' | 'title' | 'method' | 'argv' | 'startedAt' | 'finishedAt'
> & {
  argv?: string[];
};
type Finish = (r: Ending, secrets?: string[]) => Promise<StepResult>;

async function runStep(step: PlanStep, opts: ExecuteOptions, now: () => Date): Promise<StepResult> {
  const base = {
    stepId: step.id,
    productId: step.productId,
    findingId: step.findingId,
    title: step.title,
    method: step.method,
    argv: [...step.argv],
    startedAt: now().toISOString(),
  };
  const finish: Finish = async (r, secrets = []) => {
    const result: StepResult = { ...base, ...r, finishedAt: now().toISOString() };
    await opts.journal.append(
      'step.finished',
      { planId: opts.plan.id, stepId: step.id, result },
      { secrets },
    );
    opts.onEvent?.({ type: 'step-finished', step, result });
    return result;
  };
  if (step.method === 'manual') return runManual(step, opts, finish);

  const tool = toolFor(step.tool);
  const pre = await tool.presence(step, opts.presence);
  if (pre.present.length === 0 && pre.unknown.length === 0) {
    await opts.journal.append('step.started', {
      planId: opts.plan.id,
      stepId: step.id,
      argv: step.argv,
      attempt: 0,
    });
    return finish({
      exitCode: null,
      outcome: 'already-absent',
      message: 'Already gone before the step ran: nothing to do.',
      durationMs: 0,
    });
  }
  return runAttempts(step, tool, opts, finish);
}

/** A step done by hand: the operator says what happened. */
async function runManual(step: PlanStep, opts: ExecuteOptions, finish: Finish): Promise<StepResult> {
  opts.onEvent?.({ type: 'manual-needed', step });
  await opts.journal.append('step.started', {
    planId: opts.plan.id,
    stepId: step.id,
    argv: [],
    attempt: 1,
  });
  const answer = opts.manual ? await opts.manual(step) : 'not-now';
  if (answer === 'done')
    return finish({
      exitCode: null,
      outcome: 'manual-reported',
      message: 'Done by hand, as reported by the operator; the rescan checks it.',
      durationMs: 0,
    });
  if (answer === 'failed')
    return finish({
      exitCode: null,
      outcome: 'failed',
      message: 'The operator reported that the manual removal did not succeed.',
      durationMs: 0,
    });
  return finish({
    exitCode: null,
    outcome: 'skipped',
    message: 'This step must be done by hand; it has not been done yet.',
    durationMs: 0,
  });
}

/** Runs the step's program until it is done: busy answers waited out, a password asked for once. */
async function runAttempts(
  step: PlanStep,
  tool: UninstallerTool,
  opts: ExecuteOptions,
  finish: Finish,
): Promise<StepResult> {
  let creds: Credentials | undefined;
  const delays = opts.retryDelaysMs ?? [30_000, 60_000, 120_000];
  let attempt = 0;
  let busyRetries = 0;
  let askedForCredentials = false;
  for (;;) {
    attempt++;
    // The exact credential arguments are the secrets the journal refuses; they are shown masked.
    const a = tool.prepareAttempt(step, creds);
    const shownArgv = a.argv.map((x) => (a.secrets.includes(x) ? maskArg(x) : x));
    a.prepare?.();
    await opts.journal.append(
      'step.started',
      { planId: opts.plan.id, stepId: step.id, argv: shownArgv, attempt },
      { secrets: a.secrets },
    );
    opts.onEvent?.({ type: 'step-started', step, attempt });
    const r = await opts.runner.run(a.argv, {
      timeoutMs: step.timeoutMs,
      secrets: a.outputSecrets,
      onOutput: (stream, text) => opts.onEvent?.({ type: 'step-output', stepId: step.id, stream, text }),
      ...(opts.stopNow ? { stop: opts.stopNow } : {}),
    });
    if (r.stopped)
      return finish(
        {
          argv: shownArgv,
          exitCode: r.exitCode,
          outcome: 'failed',
          message: `${STOPPED_BY_OPERATOR} after ${Math.round(r.durationMs / 1000)} s: the uninstaller and the processes it started were killed while it ran. The product may be half-removed; the plan stopped here. Try the step again, or clear it with the vendor's removal tool.`,
          outputSha256: r.outputSha256,
          durationMs: Math.round(r.durationMs),
        },
        a.secrets,
      );
    const c = tool.classify(r);
    if (c.retry && busyRetries < delays.length) {
      opts.onEvent?.({ type: 'step-output', stepId: step.id, stream: 'stderr', text: `${c.message}\n` });
      await new Promise((res) => setTimeout(res, delays[busyRetries++]));
      continue;
    }
    if (c.maybeNeedsCredentials && step.credentials && opts.credentials && !askedForCredentials) {
      askedForCredentials = true;
      creds = await opts.credentials(step, step.credentials);
      if (creds) continue;
    }
    const { outcome, message } = await verdict(step, tool, c, opts.presence, creds !== undefined);
    return finish(
      {
        argv: shownArgv,
        exitCode: r.exitCode,
        outcome,
        message,
        outputSha256: r.outputSha256,
        durationMs: Math.round(r.durationMs),
      },
      a.secrets,
    );
  }
}

/**
 * The step's outcome once postflight has had its say: a "success" that leaves the target
 * registered is a failure, and a failed step says what it left behind and how to finish by hand.
 */
async function verdict(
  step: PlanStep,
  tool: UninstallerTool,
  c: Classification,
  presence: PresenceContext,
  credentialsGiven: boolean,
): Promise<Pick<StepResult, 'outcome' | 'message'>> {
  let outcome = c.outcome;
  let message = c.message;
  let explained = false;
  const failure = { maybeNeedsCredentials: c.maybeNeedsCredentials === true, credentialsGiven };
  if (outcome === 'removed' || outcome === 'reboot-required' || outcome === 'already-absent') {
    const post = await tool.presence(step, presence);
    if (post.present.length > 0 && outcome === 'already-absent') {
      outcome = 'failed';
      explained = true;
      const orphaned = tool.cleanUpText(step, { kind: 'orphaned', present: post.present, ...failure });
      message = `${c.message} ${orphaned ?? `But ${post.present.join(', ')} is still present.`}`;
    } else if (post.present.length > 0 && outcome !== 'reboot-required') {
      outcome = 'failed';
      message = `${c.message} But ${post.present.join(', ')} is still registered afterwards: the removal did not happen.`;
    } else if (post.present.length > 0) {
      message = `${c.message} It is still registered until the restart.`;
    }
  }
  if (outcome !== 'failed' && outcome !== 'timed-out') return { outcome, message };
  let present: string[] = [];
  if (step.targets.length > 1) {
    // Say exactly what the failed step left behind: some targets may already be gone.
    const after = await tool.presence(step, presence);
    present = after.present;
    const gone = step.targets.filter((t) => !after.present.includes(t) && !after.unknown.includes(t));
    if (gone.length)
      message += ` Removed before the failure: ${gone.join(', ')}. Still present: ${after.present.join(', ') || 'none'}.`;
  }
  const cleanUp = explained ? undefined : tool.cleanUpText(step, { kind: 'failed', present, ...failure });
  return { outcome, message: cleanUp ? `${message} ${cleanUp}` : message };
}
