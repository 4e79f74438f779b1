/**
 * Questions asked of the journal's events: the latest scan, a plan's progress, the unfinished
 * plan, the removal session a receipt is about. Pure functions over validated events (see
 * `journal.ts`), in one place, so that the CLI, the app, the receipt and the verdict all read the
 * journal the same way.
 */
import type { EventType } from '../model/events';
import type { StepResult } from '../model/execution';
import type { Plan } from '../model/plan';
import type { Recorded } from './journal';

export type Events = readonly Recorded[];

/** The recorded event of one type. */
export type Of<T extends EventType> = Extract<Recorded, { type: T }>;

/** Is this event of type `T`? (A type guard that narrows `data`.) */
export function isType<T extends EventType>(e: Recorded, type: T): e is Of<T> {
  return e.type === type;
}

/** The last event of `type` (before index `before`) matching `test`, with its index. */
export function lastOf<T extends EventType>(
  events: Events,
  type: T,
  test: (e: Of<T>) => boolean = () => true,
  before = events.length,
): { event: Of<T>; index: number } | undefined {
  for (let i = Math.min(before, events.length) - 1; i >= 0; i--) {
    const e = events[i] as Recorded;
    if (isType(e, type) && test(e)) return { event: e, index: i };
  }
  return undefined;
}

/** Every event of `type`, in order. */
export function allOf<T extends EventType>(events: Events, type: T): Of<T>[] {
  return events.filter((e): e is Of<T> => isType(e, type));
}

/** The last result of each step of a plan. */
export function planProgress(events: Events, planId: string): Map<string, StepResult> {
  const done = new Map<string, StepResult>();
  for (const e of allOf(events, 'step.finished'))
    if (e.data.planId === planId) done.set(e.data.result.stepId, e.data.result);
  return done;
}

/** The plan with this id as it was shown (`plan.made`) or started (`plan.started`), newest first. */
export function planById(events: Events, planId: string): Plan | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i] as Recorded;
    if ((isType(e, 'plan.made') || isType(e, 'plan.started')) && e.data.plan.id === planId)
      return e.data.plan;
  }
  return undefined;
}

/** True when the plan was ever started (a later run is a resume). */
export function planWasStarted(events: Events, planId: string): boolean {
  return events.some((e) => isType(e, 'plan.started') && e.data.planId === planId);
}

/** Why a plan is still open. */
export type OpenPlanState =
  /** Started or resumed, and never finished: the process was killed, crashed or lost power. */
  | 'interrupted'
  /** The operator stopped it before the next step. */
  | 'cancelled'
  /** A manual step is waiting to be done by hand. */
  | 'incomplete'
  /** An uninstaller asked for a restart to finish. */
  | 'reboot-pending';

export interface UnfinishedPlan {
  plan: Plan;
  state: OpenPlanState;
  /** When the plan was first started. */
  startedAt: string;
  /** When it paused for a restart (only for `reboot-pending`). */
  rebootPendingSince?: string;
  /** The step that ran last (started, finished or not). */
  lastStep?: { stepId: string; startedAt: string; finished: boolean };
  /** Steps with a result. */
  doneSteps: number;
}

/**
 * The newest plan that was started and not brought to an end (completed, failed or abandoned),
 * if any. A plan paused for a restart, stopped by the operator or waiting for a manual step stays
 * open, and so does one whose process died: the next run continues it (once re-derived).
 */
export function unfinishedPlan(events: Events): UnfinishedPlan | undefined {
  const started = lastOf(events, 'plan.started');
  if (!started) return undefined;
  const { plan } = started.event.data;
  let state: OpenPlanState = 'interrupted';
  let since: string | undefined;
  let lastStep: UnfinishedPlan['lastStep'];
  for (let i = started.index + 1; i < events.length; i++) {
    const e = events[i] as Recorded;
    if (isType(e, 'plan.resumed') && e.data.planId === plan.id) state = 'interrupted';
    else if (isType(e, 'plan.finished') && e.data.planId === plan.id) {
      if (e.data.status === 'completed' || e.data.status === 'failed') return undefined;
      state = e.data.status;
      since = e.data.status === 'reboot-pending' ? e.at : undefined;
    } else if (isType(e, 'plan.abandoned') && e.data.planId === plan.id) return undefined;
    else if (isType(e, 'step.started') && e.data.planId === plan.id)
      lastStep = { stepId: e.data.stepId, startedAt: e.at, finished: false };
    else if (isType(e, 'step.finished') && e.data.planId === plan.id && lastStep?.stepId === e.data.stepId)
      lastStep = { ...lastStep, finished: true };
  }
  return {
    plan,
    state,
    startedAt: started.event.at,
    ...(since ? { rebootPendingSince: since } : {}),
    ...(lastStep ? { lastStep } : {}),
    doneSteps: planProgress(events, plan.id).size,
  };
}

/** The newest plan that was started with at least one step (a removal session), if any. */
export function latestRemoval(events: Events): { plan: Plan; index: number; at: string } | undefined {
  const found = lastOf(events, 'plan.started', (e) => e.data.plan.steps.length > 0);
  return found ? { plan: found.event.data.plan, index: found.index, at: found.event.at } : undefined;
}

/** The index of the last event that belongs to a plan's run (its start, steps, resumes, finish). */
export function lastPlanActivity(events: Events, planId: string): number {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i] as Recorded;
    if (
      (isType(e, 'plan.started') ||
        isType(e, 'plan.resumed') ||
        isType(e, 'plan.finished') ||
        isType(e, 'step.started') ||
        isType(e, 'step.finished')) &&
      e.data.planId === planId
    )
      return i;
  }
  return -1;
}

/** The newest plan id that was started, for events that belong to "the current session". */
export function currentPlanId(events: Events): string | null {
  return lastOf(events, 'plan.started')?.event.data.planId ?? null;
}
