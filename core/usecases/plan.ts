/**
 * Make a removal plan, or find the unfinished one to continue, re-derived.
 *
 * The journal is not trusted as a plan: anyone who can write the data folder can append a
 * correctly chained `plan.started` with any argv. So an unfinished plan is continued only when the
 * catalog and a fresh scan, planned by the same rules, call for exactly the steps it has left;
 * otherwise it is set aside (`plan.abandoned`, with the reason) and the fresh plan runs instead.
 * Nothing ever executes an argv read from a file. An unfinished plan also belongs to its target
 * and scope: a request for another image, or for other products, says so and stops.
 */
import { DivestError } from '../errors';
import { gatherFacts } from '../host/facts';
import { planProgress, unfinishedPlan, type UnfinishedPlan } from '../journal/history';
import { FINAL_OUTCOMES } from '../model/execution';
import type { Plan, PlanStep } from '../model/plan';
import type { ScanResult } from '../model/scan';
import { buildPlan } from '../remove/plan';
import { rebootedSince } from '../remove/execute';
import { recordedScan } from './scan';
import type { Workspace } from './workspace';

export interface PlanOptions {
  /** Only these catalog product ids (CLI `--only`). */
  only?: readonly string[];
  /** Stop an uninstaller that runs longer than this. */
  timeoutMs?: number;
  /** Set an unfinished plan aside and plan anew (the operator chose "Make a new plan"). */
  newPlan?: boolean;
  /** Say what would happen without setting any plan aside (a dry run). */
  dryRun?: boolean;
  /**
   * Run an image's package scripts on THIS machine, as root, when the image has no shell (dpkg
   * --force-script-chrootless); the CLI's --run-image-scripts-on-this-machine.
   */
  allowImageScriptsOnHost?: boolean;
}

/** Scans and builds a plan; the scan is recorded. */
async function scanAndBuild(ws: Workspace, options: PlanOptions): Promise<{ scan: ScanResult; plan: Plan }> {
  const scan = await recordedScan(ws, 'plan');
  const plan = buildPlan({
    scan,
    catalog: ws.catalog.catalog,
    facts: await gatherFacts(ws.target(), ws.catalog.catalog),
    allowImageScriptsOnHost: options.allowImageScriptsOnHost === true,
    only: options.only,
    logDir: ws.logDir,
    env: ws.env,
    timeoutMs: options.timeoutMs,
    now: ws.now,
  });
  return { scan, plan };
}

/** Scans, plans and records both (`scan.finished`, `plan.made`). */
export async function planAndRecord(
  ws: Workspace,
  options: PlanOptions = {},
): Promise<{ scan: ScanResult; plan: Plan }> {
  const made = await scanAndBuild(ws, options);
  await ws.journal.append('plan.made', { planId: made.plan.id, plan: made.plan });
  return made;
}

/** What `remove` will do: continue an unfinished plan, wait for a restart, or run a new plan. */
export type Preparation =
  | { kind: 'resume'; plan: Plan; doneSteps: number; rebooted: boolean; unfinished: UnfinishedPlan }
  | { kind: 'reboot-pending'; plan: Plan; since: string; unfinished: UnfinishedPlan }
  | { kind: 'new'; plan: Plan; scan: ScanResult; replaced?: { planId: string; reason: string } };

/** What makes two steps the same work: the command, what it removes, and how it is checked. */
function essence(s: PlanStep): string {
  return JSON.stringify([
    s.productId,
    s.tool,
    s.method,
    s.argv,
    s.targets,
    s.database ?? null,
    s.credentials ?? null,
  ]);
}

/** The names of the products an unfinished plan removes, for people. */
function productNames(plan: Plan): string {
  return [...new Set(plan.steps.map((s) => s.productName))].join(', ') || 'nothing';
}

/** Refuses a request whose target or scope is not the unfinished plan's. */
function checkScope(ws: Workspace, open: UnfinishedPlan, options: PlanOptions): void {
  const t = ws.target();
  const requested = t.live ? undefined : t.root;
  const where = (root: string | undefined): string => (root ? `the image at ${root}` : 'this machine');
  if ((open.plan.hostRoot ?? undefined) !== requested || open.plan.os !== t.os)
    throw new DivestError(
      'plan-changed',
      `An unfinished removal of ${productNames(open.plan)} on ${where(open.plan.hostRoot)} is waiting; this request is for ${where(requested)}. Continue it with the same target, or set it aside with "divest remove --new-plan" (the app: "Make a new plan").`,
    );
  const only = options.only ?? [];
  const outside = open.plan.steps.filter((s) => !only.includes(s.productId));
  if (only.length > 0 && outside.length > 0)
    throw new DivestError(
      'plan-changed',
      `An unfinished removal of ${productNames(open.plan)} is waiting; it also removes ${[...new Set(outside.map((s) => s.productName))].join(', ')}, which this request (--only ${only.join(', ')}) leaves out. Continue it without --only, or set it aside with "divest remove --new-plan".`,
    );
}

/**
 * The steps an unfinished plan still has to run must be exactly the ones a fresh plan calls for;
 * returns why not, or null when they are.
 */
function mismatch(
  open: UnfinishedPlan,
  events: Parameters<typeof planProgress>[0],
  fresh: Plan,
): string | null {
  const done = planProgress(events, open.plan.id);
  const remaining = open.plan.steps.filter((s) => {
    const r = done.get(s.id);
    return !r || !FINAL_OUTCOMES.has(r.outcome);
  });
  const wanted = new Set(fresh.steps.map(essence));
  const odd = remaining.find((s) => !wanted.has(essence(s)));
  if (odd) return `its step ${odd.id} (${odd.title}) is not what the catalog and this machine call for now`;
  const have = new Set(remaining.map(essence));
  const extra = fresh.steps.find((s) => !have.has(essence(s)));
  if (extra) return `the machine now also needs ${extra.title}`;
  return null;
}

/** Decides what `remove` does: continue an unfinished plan (re-derived), wait for a restart, or plan anew. */
export async function prepareRemoval(ws: Workspace, options: PlanOptions = {}): Promise<Preparation> {
  const { events } = await ws.journal.read();
  const open = unfinishedPlan(events);
  if (open && options.newPlan) {
    if (!options.dryRun)
      await ws.journal.append('plan.abandoned', {
        planId: open.plan.id,
        reason: 'the operator asked for a new plan',
      });
    const made = await planAndRecord(ws, options);
    return {
      kind: 'new',
      ...made,
      replaced: { planId: open.plan.id, reason: 'the operator asked for a new plan' },
    };
  }
  if (!open) return { kind: 'new', ...(await planAndRecord(ws, options)) };

  checkScope(ws, open, options);
  const since = open.rebootPendingSince;
  if (since && !rebootedSince(since))
    return { kind: 'reboot-pending', plan: open.plan, since, unfinished: open };
  const fresh = await scanAndBuild(ws, options);
  const why = mismatch(open, events, fresh.plan);
  if (why === null)
    return {
      kind: 'resume',
      plan: open.plan,
      doneSteps: open.doneSteps,
      rebooted: since !== undefined,
      unfinished: open,
    };
  const reason = `re-derived from the catalog and a fresh scan, ${why}: it was set aside, not run`;
  if (!options.dryRun) await ws.journal.append('plan.abandoned', { planId: open.plan.id, reason });
  await ws.journal.append('plan.made', { planId: fresh.plan.id, plan: fresh.plan });
  return { kind: 'new', ...fresh, replaced: { planId: open.plan.id, reason } };
}
