/**
 * How a running removal tells the truth about time, written once for the CLI and the app: which
 * step of how many runs, how long it has run against its time limit, and how long it has been
 * silent ("no output for 3 min — the uninstaller may be waiting for input"). A hung uninstaller
 * then looks different after 3 s and after 45 s.
 *
 * {@link stepClock} watches the executor's events and ticks once a second while a step runs.
 */
import type { ExecutionEvent } from '../remove/execute';
import type { Plan } from '../model/plan';

/** After this much silence a running step says it may be waiting for input. */
export const SILENCE_NOTE_MS = 60_000;

/** One tick of a running step. */
export interface StepTick {
  stepId: string;
  title: string;
  /** 1-based position in the plan, and the plan's length. */
  position: number;
  of: number;
  elapsedMs: number;
  /** The step's time limit: the uninstaller is killed when it is reached. */
  timeoutMs: number;
  /** Time since the uninstaller last wrote anything (or since it started). */
  silentMs: number;
  /** A sentence for a long silence, else null. */
  note: string | null;
}

/** "45 s", "3 min 05 s", "1 h 02 min". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** The silence sentence, or null while the step is not silent for long. */
export function silenceNote(silentMs: number, afterMs: number = SILENCE_NOTE_MS): string | null {
  if (silentMs < afterMs) return null;
  const span =
    silentMs >= 60_000 ? `${Math.floor(silentMs / 60_000)} min` : `${Math.floor(silentMs / 1000)} s`;
  return `No output for ${span} — the uninstaller may be waiting for input (a window or a prompt on this machine), or hung.`;
}

/** One line for a tick: "Step 1 of 2: Remove … — 0 min 45 s of 10 min 00 s allowed". */
export function describeTick(t: StepTick): string {
  const base = `Step ${t.position} of ${t.of}: ${t.title} — running for ${formatDuration(t.elapsedMs)} of ${formatDuration(t.timeoutMs)} allowed`;
  return t.note ? `${base}. ${t.note}` : base;
}

/** The position of a step in its plan (1-based; 0 when the plan does not have it). */
export function stepPosition(plan: Plan, stepId: string): { position: number; of: number } {
  return { position: plan.steps.findIndex((s) => s.id === stepId) + 1, of: plan.steps.length };
}

/** Watches execution events; calls `onTick` every `intervalMs` while a step runs. */
export function stepClock(
  plan: Plan,
  onTick: (t: StepTick) => void,
  options: { intervalMs?: number; now?: () => number; silenceNoteMs?: number } = {},
): { onEvent(e: ExecutionEvent): void; stop(): void } {
  const now = options.now ?? (() => performance.now());
  let running: { stepId: string; title: string; timeoutMs: number; t0: number; last: number } | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;
  const tick = (): void => {
    if (!running) return;
    const t = now();
    const silentMs = t - running.last;
    onTick({
      stepId: running.stepId,
      title: running.title,
      ...stepPosition(plan, running.stepId),
      elapsedMs: Math.round(t - running.t0),
      timeoutMs: running.timeoutMs,
      silentMs: Math.round(silentMs),
      note: silenceNote(silentMs, options.silenceNoteMs),
    });
  };
  const stop = (): void => {
    if (timer) clearInterval(timer);
    timer = null;
    running = null;
  };
  return {
    onEvent(e) {
      if (e.type === 'step-started') {
        stop();
        const t = now();
        running = { stepId: e.step.id, title: e.step.title, timeoutMs: e.step.timeoutMs, t0: t, last: t };
        timer = setInterval(tick, options.intervalMs ?? 1000);
        timer.unref?.();
      } else if (e.type === 'step-output' && running?.stepId === e.stepId) running.last = now();
      else if (e.type === 'step-finished' || e.type === 'manual-needed') stop();
    },
    stop,
  };
}
