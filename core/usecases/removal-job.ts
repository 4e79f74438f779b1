/**
 * One removal job as the app runs it, in this process or in the elevated helper: the engine's
 * removal session (`remove.ts`) with its execution events turned into the contract's progress
 * events, and its outcome into the contract's summary. Both the direct path and the helper use
 * exactly this, so the UI cannot tell which one ran.
 */
import type { RemoveProgress, RemovalSummary } from '../api';
import type { Plan } from '../model/plan';
import type { Credentials, ExecutionEvent } from '../remove/execute';
import { stepClock, stepPosition } from './removal-progress';
import { runRemoval, type RemovalOutcome } from './remove';
import type { Workspace } from './workspace';

/** One removal to carry out. */
export interface RemoveJob {
  plan: Plan;
  credentials?: Credentials;
  /** Manual steps the user reports as done by hand. */
  manualDone: readonly string[];
  /** The machine restarted since the plan paused for it. */
  rebootCompleted: boolean;
  onProgress: (e: RemoveProgress) => void;
  /** Stops before the next step (a running uninstaller is never killed half-way). */
  signal: AbortSignal;
  /** "Stop this uninstaller now": kills the running step's process group (journaled). */
  stopNow?: AbortSignal;
  /** After how long without output a running step says it may be waiting (default one minute). */
  silenceNoteMs?: number;
}

/** The contract's progress event for an engine execution event. */
export function toProgress(e: ExecutionEvent, plan: Plan): RemoveProgress {
  switch (e.type) {
    case 'step-started':
      return {
        type: 'step-started',
        stepId: e.step.id,
        title: e.step.title,
        attempt: e.attempt,
        ...stepPosition(plan, e.step.id),
        timeoutMs: e.step.timeoutMs,
      };
    case 'step-output':
      return { type: 'step-output', stepId: e.stepId, stream: e.stream, text: e.text };
    case 'step-finished':
      return { type: 'step-finished', stepId: e.step.id, result: { ...e.result, argv: [...e.result.argv] } };
    case 'manual-needed':
      return { type: 'manual-needed', stepId: e.step.id, title: e.step.title };
  }
}

/** The contract's summary of a removal outcome. */
export function toSummary(o: RemovalOutcome): RemovalSummary {
  return {
    planId: o.plan.id,
    status: o.execution.status,
    resumed: o.execution.resumed,
    results: o.execution.results,
    remaining: o.execution.remaining,
    after: o.after,
    leftovers: o.leftovers,
    replacement: o.replacement,
    stillInstalled: o.stillInstalled,
    verdict: o.verdict,
    exitCode: o.exitCode,
  };
}

/** Runs the engine's removal session in this process (which has the rights). */
export async function runRemovalJob(job: RemoveJob, ws: Workspace): Promise<RemovalSummary> {
  job.onProgress({ type: 'phase', phase: 'running', message: 'Running the removal plan.' });
  const clock = stepClock(
    job.plan,
    (t) =>
      job.onProgress({
        type: 'step-tick',
        stepId: t.stepId,
        position: t.position,
        of: t.of,
        elapsedMs: t.elapsedMs,
        timeoutMs: t.timeoutMs,
        silentMs: t.silentMs,
        note: t.note,
      }),
    job.silenceNoteMs !== undefined ? { silenceNoteMs: job.silenceNoteMs } : {},
  );
  const outcome = await runRemoval(ws, job.plan, {
    credentials: async () => job.credentials,
    manual: async (step) => (job.manualDone.includes(step.id) ? 'done' : 'not-now'),
    onEvent: (e) => {
      clock.onEvent(e);
      job.onProgress(toProgress(e, job.plan));
      if (e.type === 'step-finished' && e.step.id === job.plan.steps[job.plan.steps.length - 1]?.id)
        job.onProgress({
          type: 'phase',
          phase: 'verifying',
          message: 'Rescanning and checking the replacement.',
        });
    },
    signal: job.signal,
    ...(job.stopNow ? { stopNow: job.stopNow } : {}),
    ...(job.rebootCompleted ? { rebootCompleted: true } : {}),
  }).finally(() => clock.stop());
  job.onProgress({ type: 'phase', phase: 'done', message: 'Removal finished.' });
  return toSummary(outcome);
}
