/**
 * What happened when a plan ran: each step's result and the plan's status.
 *
 * One shape for the executor, the journal (`step.finished`), the app's contract and the receipt's
 * actions (a receipt action is a step result without its duration).
 */
import * as z from 'zod';
import { Hex64, StepId, Timestamp } from './ids';
import { StepMethod } from './plan';

/**
 * What one step achieved. `manual-reported`: a step a person did and reported; `already-absent`:
 * the product was gone before the step ran.
 */
export const StepOutcome = z.enum([
  'removed',
  'already-absent',
  'reboot-required',
  'failed',
  'timed-out',
  'skipped',
  'manual-reported',
]);
export type StepOutcome = z.infer<typeof StepOutcome>;

/** Outcomes after which a step is done: a resumed plan does not run it again. */
export const FINAL_OUTCOMES: ReadonlySet<StepOutcome> = new Set([
  'removed',
  'already-absent',
  'reboot-required',
  'manual-reported',
]);

export const StepResult = z.strictObject({
  stepId: StepId,
  productId: z.string(),
  findingId: z.string(),
  title: z.string(),
  method: StepMethod,
  /** The command as run, with credentials replaced by `***`. */
  argv: z.array(z.string()),
  startedAt: Timestamp,
  finishedAt: Timestamp,
  /** Null when the process was killed or never started. */
  exitCode: z.number().int().nullable(),
  outcome: StepOutcome,
  /** One sentence for people: what happened and, on failure, what to try. */
  message: z.string(),
  /** SHA-256 of the captured output (see the runner), to match with the journal. */
  outputSha256: Hex64.optional(),
  durationMs: z.number().nonnegative(),
});
export type StepResult = z.infer<typeof StepResult>;

/**
 * Where a plan stands after a run. `completed` and `failed` close it; `reboot-pending`,
 * `cancelled` and `incomplete` (a manual step not yet done) leave it open for the next run.
 */
export const PlanStatus = z.enum(['completed', 'reboot-pending', 'failed', 'cancelled', 'incomplete']);
export type PlanStatus = z.infer<typeof PlanStatus>;
