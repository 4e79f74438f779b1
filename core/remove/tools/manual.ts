/**
 * A step done by hand: what the user gets when nothing can be automated safely.
 *
 * It runs no program. The executor shows it and asks the operator what happened; the rescan checks
 * it. Its text is the reason nothing runs, Divest's own concrete instructions for the case, then the
 * catalog's advice for the product (kavremover, Safe Mode...).
 */
import type { MachineFacts } from '../../host/facts';
import type { Product } from '../../model/catalog';
import type { HostOs } from '../../model/host';
import type { Finding } from '../../model/scan';
import { stepBase } from './common';
import type { DraftStep, Refusal, UninstallerTool } from './tool';

/** The guided manual step for a finding that has no safe automated removal. */
export function guidedStep(finding: Finding, product: Product, os: HostOs, why: Refusal): DraftStep {
  const base = stepBase(finding, product, os);
  return {
    ...base,
    title: `Remove ${finding.name} by hand (guided)`,
    method: 'manual',
    tool: 'manual',
    argv: [],
    targets: [],
    timeoutMs: manual.defaultTimeoutMs,
    preflight: [],
    manualSteps: [...(why.byHand ?? []).map((text) => ({ text, refs: [] })), ...base.manualSteps],
    notes: [`No automated removal: ${why.skip}.`],
  };
}

export const manual: UninstallerTool = {
  name: 'manual',
  defaultTimeoutMs: 1,
  plan(finding: Finding, product: Product, facts: MachineFacts) {
    return [
      guidedStep(finding, product, facts.os, {
        skip: 'the catalog has no automated removal for this product on this system',
      }),
    ];
  },
  classify() {
    return { outcome: 'failed', message: 'A step done by hand runs no program.' };
  },
  presence() {
    return Promise.resolve({ present: [], unknown: [] });
  },
  prepareAttempt() {
    return { argv: [], secrets: [], outputSecrets: [] };
  },
  cleanUpText() {
    return undefined;
  },
};
