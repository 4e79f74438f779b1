/**
 * The machine verdict, computed once: from the journal (what removal ran and how it ended), the
 * scan that follows it, and the replacement check. See `core/model/verdict.ts` for the states.
 *
 * The rule that matters: a verdict never claims more than the machine showed. "Removed" needs a
 * scan made after the last removal step that finds none of the banned products installed; a plan
 * that was interrupted, failed or stopped is "removal incomplete" and says where it stopped; a
 * scan that could not look everywhere cannot make a machine "clean"; "protected" needs an active
 * replacement, checked.
 */
import {
  lastOf,
  lastPlanActivity,
  latestRemoval,
  planProgress,
  unfinishedPlan,
  type Events,
  type UnfinishedPlan,
} from './journal/history';
import type { StepResult } from './model/execution';
import type { Plan, PlanStep } from './model/plan';
import type { ScanResult } from './model/scan';
import type { ReplacementStatus } from './model/verify';
import type { FleetStatus, StillInstalled, StoppedAt, Verdict, VerdictState } from './model/verdict';

export interface VerdictInputs {
  events: Events;
  /** A scan made just now (not necessarily journaled); preferred over the journal's latest. */
  scan?: { result: ScanResult; at: string };
  /** A replacement check made just now; preferred over the journal's latest. */
  replacement?: ReplacementStatus;
  /** Whether the machine restarted since `iso` (the executor's `rebootedSince`). */
  rebootedSince: (iso: string) => boolean;
}

const CREDENTIAL_EXIT_CODES = new Set([1603, 1627]);

function listNames(items: readonly StillInstalled[]): string {
  return items.map((i) => (i.version ? `${i.name} ${i.version}` : i.name)).join(', ');
}

function bannedInstalled(scan: ScanResult): StillInstalled[] {
  return scan.findings
    .filter((f) => f.status === 'banned' && f.presence === 'installed')
    .map((f) => ({ productId: f.productId, name: f.name, ...(f.version ? { version: f.version } : {}) }));
}

/** The step where a plan stopped, if it stopped before its end. */
function stoppedAt(
  plan: Plan,
  progress: Map<string, StepResult>,
  open?: UnfinishedPlan,
): StoppedAt | undefined {
  const describe = (step: PlanStep, how: StoppedAt['how'], at: string, message?: string): StoppedAt => ({
    stepId: step.id,
    title: step.title,
    productName: step.productName,
    position: plan.steps.indexOf(step) + 1,
    of: plan.steps.length,
    at,
    how,
    ...(message ? { message } : {}),
  });
  if (open?.lastStep && !open.lastStep.finished) {
    const step = plan.steps.find((s) => s.id === open.lastStep?.stepId);
    if (step) return describe(step, 'interrupted', open.lastStep.startedAt);
  }
  for (const step of plan.steps) {
    const r = progress.get(step.id);
    if (!r) {
      if (open)
        return describe(step, open.state === 'cancelled' ? 'cancelled' : 'interrupted', open.startedAt);
      continue;
    }
    if (r.outcome === 'failed' || r.outcome === 'timed-out')
      return describe(step, r.outcome === 'failed' ? 'failed' : 'timed-out', r.startedAt, r.message);
    if (r.outcome === 'skipped') return describe(step, 'not-done', r.startedAt, r.message);
  }
  return undefined;
}

function needsCredential(plan: Plan, progress: Map<string, StepResult>): boolean {
  return plan.steps.some((s) => {
    const r = progress.get(s.id);
    return (
      s.credentials !== undefined &&
      r?.outcome === 'failed' &&
      r.exitCode !== null &&
      CREDENTIAL_EXIT_CODES.has(r.exitCode)
    );
  });
}

function stoppedSentence(s: StoppedAt): string {
  const where = `step ${s.position} of ${s.of} (${s.title})`;
  switch (s.how) {
    case 'interrupted':
      return `interrupted at ${where}`;
    case 'failed':
      return `${where} failed`;
    case 'timed-out':
      return `${where} did not finish in time`;
    case 'not-done':
      return `${where} must be done by hand and is not done yet`;
    case 'cancelled':
      return `stopped before ${where}`;
  }
}

function fleetStatusOf(state: VerdictState, credential: boolean): FleetStatus {
  switch (state) {
    case 'not-scanned':
      return 'not-scanned';
    case 'could-not-look':
      return 'unverifiable';
    case 'clean':
    case 'removed':
      return 'clean';
    case 'unprotected':
    case 'removed-unprotected':
      return 'unprotected';
    case 'banned-present':
      return 'banned';
    case 'restart-pending':
      return 'restart-pending';
    case 'removal-incomplete':
      return credential ? 'needs-credential' : 'failed';
  }
}

function protectionWords(r: ReplacementStatus | undefined): string {
  if (!r) return 'protection was not checked';
  return `${r.product} is ${r.state === 'not-installed' ? 'not installed' : r.state}`;
}

/** Computes the verdict (pure: everything it needs is in its inputs). */
export function computeVerdict(inputs: VerdictInputs): Verdict {
  const { events } = inputs;
  const journalScan = lastOf(events, 'scan.finished');
  const scan =
    inputs.scan ??
    (journalScan ? { result: journalScan.event.data.result, at: journalScan.event.at } : undefined);
  const scanIndex = inputs.scan ? events.length : (journalScan?.index ?? -1);
  const journalRepl = lastOf(
    events,
    'replacement.checked',
    (e) => Date.parse(e.at) >= Date.parse(scan?.at ?? ''),
  );
  const replacement = inputs.replacement ?? journalRepl?.event.data.replacement;
  const protection = {
    state: replacement?.state ?? ('not-checked' as const),
    ...(replacement ? { product: replacement.product } : {}),
  };
  const basedOn = { scanAt: scan?.at ?? null, replacementAt: replacement?.checkedAt ?? null };
  const base = { protection, basedOn, leftovers: 0, blind: [] as string[], details: [] as string[] };

  if (!scan)
    return {
      ...base,
      state: 'not-scanned',
      fleetStatus: 'not-scanned',
      headline: 'Not scanned yet: Divest has not looked at this machine.',
      stillInstalled: [],
    };

  const installed = bannedInstalled(scan.result);
  const blind = scan.result.notes.filter((n) => n.blind).map((n) => n.message);
  const leftovers = scan.result.findings
    .filter((f) => f.status === 'banned' && f.presence === 'traces')
    .reduce((n, f) => n + f.evidence.length, 0);
  const protectedNow = replacement?.state === 'active';
  const details: string[] = [];
  const open = unfinishedPlan(events);
  const removal = latestRemoval(events);
  const plan = open?.plan ?? removal?.plan;
  const progress = plan ? planProgress(events, plan.id) : new Map<string, StepResult>();
  const credential = plan ? needsCredential(plan, progress) : false;
  const stale = plan ? lastPlanActivity(events, plan.id) > scanIndex : false;
  const finish = (state: VerdictState, headline: string, extra: Partial<Verdict> = {}): Verdict => ({
    ...base,
    state,
    fleetStatus: fleetStatusOf(state, credential),
    headline,
    details: [...details, ...(blind.length ? [`Not inspected: ${blind.join('; ')}`] : [])],
    stillInstalled: installed,
    leftovers,
    blind,
    ...(plan
      ? {
          plan: {
            id: plan.id,
            needsCredential: credential,
            ...(extra.plan?.stoppedAt ? { stoppedAt: extra.plan.stoppedAt } : {}),
          },
        }
      : {}),
  });
  const still = installed.length ? `; still installed: ${listNames(installed)}` : '';
  if (stale)
    details.push(
      'The latest scan was made before the removal\u2019s last step: scan again to see the machine as it is now.',
    );

  if (open && plan) {
    const at = stoppedAt(plan, progress, open);
    if (
      open.state === 'reboot-pending' &&
      open.rebootPendingSince &&
      !inputs.rebootedSince(open.rebootPendingSince)
    )
      return finish(
        'restart-pending',
        `Restart needed: the removal finishes after this machine restarts${still}.`,
        { plan: { id: plan.id, needsCredential: credential } },
      );
    if (open.state === 'reboot-pending')
      details.push('The machine has restarted: run the removal again to finish and verify it.');
    if (credential)
      details.push(
        'A password-protected product refused to uninstall: give its uninstall password, or use the vendor\u2019s removal tool as the plan describes.',
      );
    const where = at ? stoppedSentence(at) : 'not finished';
    return finish('removal-incomplete', `Removal incomplete: ${where}${still}.`, {
      plan: { id: plan.id, needsCredential: credential, ...(at ? { stoppedAt: at } : {}) },
    });
  }

  if (removal && plan && !stale) {
    const planned = new Set(plan.steps.map((s) => s.productId));
    const at = stoppedAt(plan, progress);
    // Products the operator left out of this plan (--only): still installed, but not its failure.
    const excluded = new Set(plan.skipped.filter((k) => k.code === 'not-selected').map((k) => k.productId));
    const notPlanned = installed.filter((i) => excluded.has(i.productId));
    if (!at && notPlanned.length > 0 && notPlanned.length === installed.length) {
      details.push(
        `Removed what this plan covered (${[...new Set(plan.steps.map((s) => s.productName))].join(', ')}); ${protectedNow ? 'the machine is protected' : `the machine is UNPROTECTED: ${protectionWords(replacement)}`}.`,
      );
      return finish(
        'banned-present',
        `Banned software is still installed (not in this plan): ${listNames(notPlanned)}.`,
        {
          plan: { id: plan.id, needsCredential: credential },
        },
      );
    }
    if (installed.length > 0) {
      // After a removal, anything banned still installed means it is not done: planned products
      // the uninstallers left, or components (a registered driver) that only a restart or the
      // vendor's removal tool clears.
      if (credential)
        details.push(
          'A password-protected product refused to uninstall: give its uninstall password, or use the vendor\u2019s removal tool as the plan describes.',
        );
      const others = installed.filter((i) => !planned.has(i.productId));
      if (others.length)
        details.push(
          `Still registered after the removal: ${listNames(others)}. Restart the machine, scan again, and clear what remains as the leftovers say.`,
        );
      return finish(
        'removal-incomplete',
        `Removal incomplete: ${at ? stoppedSentence(at) : 'the removal ran, but the rescan still finds banned software'}; still installed: ${listNames(installed)}.`,
        { plan: { id: plan.id, needsCredential: credential, ...(at ? { stoppedAt: at } : {}) } },
      );
    }
    if (blind.length === 0) {
      if (at)
        details.push(
          `Note: ${stoppedSentence(at)}, but the rescan finds none of the banned products installed.`,
        );
      if (leftovers > 0)
        details.push(
          `${leftovers} leftover trace${leftovers === 1 ? '' : 's'} remain: see how to clear each.`,
        );
      return protectedNow && replacement
        ? finish(
            'removed',
            `Removed and verified: no banned software is installed, and ${replacement.product} protects this machine.`,
          )
        : finish(
            'removed-unprotected',
            `Removed, but this machine is now UNPROTECTED: ${protectionWords(replacement)}.`,
          );
    }
  }

  if (installed.length > 0)
    return finish('banned-present', `Banned software is installed: ${listNames(installed)}.`);
  if (blind.length > 0)
    return finish(
      'could-not-look',
      `Not verified: ${blind.length} place${blind.length === 1 ? '' : 's'} could not be inspected, so Divest cannot call this machine clean.`,
    );
  if (leftovers > 0)
    details.push(
      `${leftovers} leftover trace${leftovers === 1 ? '' : 's'} of banned software remain: see how to clear each.`,
    );
  return protectedNow && replacement
    ? finish(
        'clean',
        `Clean: no banned software is installed, and ${replacement.product} protects this machine.`,
      )
    : finish(
        'unprotected',
        `No banned software is installed, but this machine is UNPROTECTED: ${protectionWords(replacement)}.`,
      );
}

/** An unfinished removal, as the first screen and the CLI offer it: what, where it stopped, when. */
export interface OpenRemoval {
  planId: string;
  /** The products it removes, by their names as installed. */
  products: string[];
  state: UnfinishedPlan['state'];
  stoppedAt?: StoppedAt;
  /** "Removal of A, B was interrupted at step 1 of 2 (Remove A) on 2026-12-01 14:03 UTC." */
  sentence: string;
}

/** The unfinished removal in the journal, if any, in words. */
export function openRemoval(events: Events): OpenRemoval | undefined {
  const open = unfinishedPlan(events);
  if (!open) return undefined;
  const products = [...new Set(open.plan.steps.map((s) => s.productName))];
  const at = stoppedAt(open.plan, planProgress(events, open.plan.id), open);
  const when = (iso: string): string => `${iso.slice(0, 16).replace('T', ' ')} UTC`;
  const what = `Removal of ${products.join(', ')}`;
  const sentence =
    open.state === 'reboot-pending'
      ? `${what} is waiting for a restart (since ${when(open.rebootPendingSince ?? open.startedAt)}).`
      : at
        ? `${what} ${at.how === 'interrupted' ? 'was interrupted at' : at.how === 'cancelled' ? 'was stopped before' : 'stopped at'} step ${at.position} of ${at.of} (${at.title}) on ${when(at.at)}.`
        : `${what} did not finish (started ${when(open.startedAt)}).`;
  return { planId: open.plan.id, products, state: open.state, ...(at ? { stoppedAt: at } : {}), sentence };
}
