/**
 * The journal's events: one map from event type to the schema of its payload.
 *
 * Writers append through the typed journal (`core/journal/journal.ts`), which validates the payload
 * against this map before writing; readers get events parsed against it, and a line whose payload
 * does not fit (a forged or foreign line that is still correctly chained) is set aside and reported,
 * never cast. To add an event: add its schema here; `docs/extending.md` says the rest.
 *
 * Payloads are `z.object` (not strict) so that a newer Divest's extra fields do not make an older
 * one reject the event; every field a reader uses is still checked.
 */
import * as z from 'zod';
import { CatalogInstalled } from './catalog-release';
import { PlanStatus, StepResult } from './execution';
import { PlanId, StepId } from './ids';
import { Plan } from './plan';
import { Finding, ScanResult } from './scan';
import { Leftover, ReplacementStatus } from './verify';

/** Why a scan ran. */
export const ScanPurpose = z.enum(['scan', 'plan', 'verify', 'receipt', 'status']);
export type ScanPurpose = z.infer<typeof ScanPurpose>;

const NullablePlanId = PlanId.nullable();

/**
 * The kinds of damage journal verification names. `out-of-order` covers moved and repeated lines;
 * `schema` a line that is JSON but not an event.
 */
export const PROBLEM_KINDS = [
  'truncated',
  'malformed',
  'hash-mismatch',
  'seq-gap',
  'out-of-order',
  'schema',
] as const;
export type ProblemKind = (typeof PROBLEM_KINDS)[number];

/** One problem as recorded inside a `journal-break` event. */
export const RecordedProblem = z.object({
  line: z.number().int().positive(),
  kind: z.enum(PROBLEM_KINDS),
  message: z.string(),
});

/**
 * The payload of a `journal-break` event: the damage found before it. Verification reads it to
 * mark that damage as acknowledged (never as healed).
 */
export const BreakData = z.object({
  problems: z.array(RecordedProblem).min(1),
  linesChecked: z.number().int().nonnegative().optional(),
  note: z.string().optional(),
});
export type BreakData = z.infer<typeof BreakData>;

export const EVENT_PAYLOADS = {
  'scan.started': z.object({ purpose: ScanPurpose, hostRoot: z.string().nullable() }),
  'scan.finished': z.object({ purpose: ScanPurpose, result: ScanResult }),
  'scan.failed': z.object({ purpose: ScanPurpose, message: z.string() }),
  'plan.made': z.object({ planId: PlanId, plan: Plan }),
  'plan.started': z.object({ planId: PlanId, plan: Plan }),
  'plan.resumed': z.object({ planId: PlanId, done: z.array(z.string()) }),
  'plan.finished': z.object({ planId: PlanId, status: PlanStatus, remaining: z.array(z.string()) }),
  'plan.abandoned': z.object({ planId: PlanId, reason: z.string() }),
  'step.started': z.object({
    planId: PlanId,
    stepId: StepId,
    argv: z.array(z.string()),
    attempt: z.number().int().nonnegative(),
  }),
  'step.finished': z.object({ planId: PlanId, stepId: StepId, result: StepResult }),
  'verify.finished': z.object({
    planId: NullablePlanId,
    findings: z.array(Finding),
    leftovers: z.array(Leftover),
    stillInstalled: z.array(z.string()),
  }),
  'replacement.checked': z.object({ planId: NullablePlanId, replacement: ReplacementStatus }),
  'receipt.exported': z.object({
    receiptId: z.string(),
    kind: z.enum(['removal', 'scan']),
    file: z.string(),
    sha256: z.string(),
    keyFingerprint: z.string(),
  }),
  'settings.changed': z.object({
    changed: z.array(z.string()),
    values: z.record(z.string(), z.unknown()).optional(),
  }),
  'remove.refused': z.object({ reason: z.string(), how: z.string().optional() }),
  'catalog.installed': CatalogInstalled,
  'journal-break': BreakData,
} as const satisfies Record<string, z.ZodType<Record<string, unknown>>>;

/** Every event type Divest writes. */
export type EventType = keyof typeof EVENT_PAYLOADS;
export const EVENT_TYPES = Object.keys(EVENT_PAYLOADS) as EventType[];

/** The payload of an event type, as written (defaults may be left out). */
export type EventInput<T extends EventType> = z.input<(typeof EVENT_PAYLOADS)[T]>;
/** The payload of an event type, as read back. */
export type EventData<T extends EventType> = z.output<(typeof EVENT_PAYLOADS)[T]>;

/** True for a type Divest writes. */
export function isEventType(type: string): type is EventType {
  return Object.prototype.hasOwnProperty.call(EVENT_PAYLOADS, type);
}
