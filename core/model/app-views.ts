/**
 * The app's views of running work and of the past, as the contract (`core/api.ts`) sends them:
 * scan and removal progress, where the machine stands with the unfinished removal to offer, the
 * history of sessions and receipts, and the settings check. Plain data, zod only.
 */
import * as z from 'zod';
import { PlanStatus, StepResult } from './execution';
import { StoppedAt, Verdict } from './verdict';

/** A scan's progress: `done` of `total` parts finished (determinate), and what runs now. */
export const ScanProgress = z.strictObject({
  phase: z.enum(['started', 'running', 'matching', 'finished', 'failed']),
  message: z.string(),
  elapsedMs: z.number().nonnegative(),
  spawns: z.number().int().nonnegative(),
  done: z.number().int().nonnegative(),
  total: z.number().int().positive(),
});
export type ScanProgress = z.infer<typeof ScanProgress>;

/** Live progress of a removal: phases, step starts, ticks and ends, and the uninstallers' output. */
export const RemoveProgress = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('phase'),
    phase: z.enum(['elevating', 'running', 'verifying', 'done', 'failed']),
    message: z.string(),
  }),
  z.strictObject({
    type: z.literal('step-started'),
    stepId: z.string(),
    title: z.string(),
    attempt: z.number(),
    /** Step `position` of `of` in the plan, and its time limit. */
    position: z.number().int().nonnegative(),
    of: z.number().int().nonnegative(),
    timeoutMs: z.number().int().positive(),
  }),
  /** Once a second while a step runs (core/usecases/removal-progress.ts). */
  z.strictObject({
    type: z.literal('step-tick'),
    stepId: z.string(),
    position: z.number().int().nonnegative(),
    of: z.number().int().nonnegative(),
    elapsedMs: z.number().int().nonnegative(),
    timeoutMs: z.number().int().positive(),
    silentMs: z.number().int().nonnegative(),
    /** "No output for 3 min — the uninstaller may be waiting for input…", or null. */
    note: z.string().nullable(),
  }),
  z.strictObject({
    type: z.literal('step-output'),
    stepId: z.string(),
    stream: z.enum(['stdout', 'stderr']),
    text: z.string(),
  }),
  z.strictObject({ type: z.literal('step-finished'), stepId: z.string(), result: StepResult }),
  z.strictObject({ type: z.literal('manual-needed'), stepId: z.string(), title: z.string() }),
]);
export type RemoveProgress = z.infer<typeof RemoveProgress>;

/** An unfinished removal in the journal, offered on the first screen. */
export const OpenRemovalView = z.strictObject({
  planId: z.string(),
  /** Product names as installed (never internal ids). */
  products: z.array(z.string()),
  state: z.enum(['interrupted', 'cancelled', 'incomplete', 'reboot-pending']),
  stoppedAt: StoppedAt.optional(),
  /** "Removal of … was interrupted at step 1 of 2 (…) on 2026-12-01 14:03 UTC." */
  sentence: z.string(),
});
export type OpenRemovalView = z.infer<typeof OpenRemovalView>;

/** `status:get`: where the machine stands from the journal, and the removal to continue, if any. */
export const StatusView = z.strictObject({
  verdict: Verdict,
  open: OpenRemovalView.nullable(),
});
export type StatusView = z.infer<typeof StatusView>;

/** One removal session of the journal. */
export const SessionView = z.strictObject({
  planId: z.string(),
  products: z.array(z.string()),
  steps: z.number().int().nonnegative(),
  startedAt: z.string(),
  /** How it ended; `open` while it has not. */
  status: z.union([PlanStatus, z.literal('open'), z.literal('abandoned')]),
  endedAt: z.string().nullable(),
  /** One line per step result: product name, outcome in words. */
  results: z.array(z.strictObject({ title: z.string(), outcome: z.string() })),
});
export type SessionView = z.infer<typeof SessionView>;

/** One exported receipt. */
export const ReceiptRecord = z.strictObject({
  receiptId: z.string(),
  kind: z.enum(['removal', 'scan']),
  file: z.string(),
  at: z.string(),
  keyFingerprint: z.string(),
});
export type ReceiptRecord = z.infer<typeof ReceiptRecord>;

/** Which steps of the flow the journal shows done (the step indicator, rebuilt on launch). */
export const FlowProgress = z.strictObject({
  scanned: z.boolean(),
  planned: z.boolean(),
  removed: z.boolean(),
  verified: z.boolean(),
  /** The latest replacement check found an active antivirus. */
  protectedNow: z.boolean(),
  receiptExported: z.boolean(),
});
export type FlowProgress = z.infer<typeof FlowProgress>;

/** `history:get`: sessions and receipts, newest first, and the flow's progress. */
export const HistoryView = z.strictObject({
  sessions: z.array(SessionView),
  receipts: z.array(ReceiptRecord),
  scans: z.number().int().nonnegative(),
  lastScanAt: z.string().nullable(),
  flow: FlowProgress,
});
export type HistoryView = z.infer<typeof HistoryView>;

/** A problem with one settings field, said at the field. */
export const FieldProblem = z.strictObject({ field: z.string(), message: z.string() });
export type FieldProblem = z.infer<typeof FieldProblem>;
