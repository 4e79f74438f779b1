/**
 * `divest.plan/1`: the ordered removal plan, as plain data.
 *
 * A plan is stored in the journal, shown in the app and the CLI, and re-derived (never trusted)
 * when it is resumed: see `core/remove/plan.ts` for how one is built and `core/usecases/remove.ts`
 * for how a resumed one is checked.
 */
import * as z from 'zod';
import { CredentialScheme } from './catalog';
import { HostOs } from './host';
import { FindingId, PlanId, ProductId, StepId, Timestamp } from './ids';

export const PLAN_SCHEMA = 'divest.plan/1';

/** Advice shown with a plan or a step: a sentence, its sources, and UNCONFIRMED when so marked. */
export const Advice = z.strictObject({
  text: z.string(),
  refs: z.array(z.string()).default([]),
  unconfirmed: z.string().optional(),
});
export type Advice = z.infer<typeof Advice>;

/** How a step removes its product (the catalog's recipe kinds). */
export const StepMethod = z.enum(['msi', 'exe', 'package', 'script', 'manual']);
export type StepMethod = z.infer<typeof StepMethod>;

/** Which uninstaller tool a step runs (one module each under `core/remove/tools/`). */
export const StepTool = z.enum(['msiexec', 'exe', 'dpkg', 'rpm', 'script', 'manual']);
export type StepTool = z.infer<typeof StepTool>;

export const PlanStep = z.strictObject({
  id: StepId,
  findingId: FindingId,
  productId: ProductId,
  productName: z.string(),
  title: z.string(),
  method: StepMethod,
  tool: StepTool,
  /** The exact command, without credentials (those are added at run time and never stored). */
  argv: z.array(z.string()),
  credentials: CredentialScheme.optional(),
  /** What postflight checks is gone: MSI product codes, package names, or paths. */
  targets: z.array(z.string()),
  /** Package database for package steps (dpkg admindir or rpm dbpath, inside the root). */
  database: z.string().optional(),
  timeoutMs: z.number().int().positive(),
  preflight: z.array(z.string()),
  warnings: z.array(Advice),
  /** What to do by hand when the automated step fails (or when there is no automated step). */
  manualSteps: z.array(Advice),
  /** Things Divest decided while planning (e.g. an UninstallString it refused to run). */
  notes: z.array(z.string()),
});
export type PlanStep = z.infer<typeof PlanStep>;

/** Why a finding is not in the plan, for programs (the verdict tells "not in this plan" apart). */
export const SkipCode = z.enum(['not-in-catalog', 'not-selected', 'not-banned', 'traces-only']);

/** A finding the plan does not act on, and why. */
export const SkippedFinding = z.strictObject({
  findingId: z.string(),
  productId: z.string(),
  name: z.string(),
  reason: z.string(),
  code: SkipCode.optional(),
});
export type SkippedFinding = z.infer<typeof SkippedFinding>;

export const Plan = z.strictObject({
  schema: z.literal(PLAN_SCHEMA),
  id: PlanId,
  createdAt: Timestamp,
  os: HostOs,
  hostRoot: z.string().optional(),
  requiresAdmin: z.boolean(),
  warnings: z.array(Advice),
  steps: z.array(PlanStep),
  /** Findings the plan does not act on, and why (not banned, only traces, filtered out). */
  skipped: z.array(SkippedFinding),
});
export type Plan = z.infer<typeof Plan>;
