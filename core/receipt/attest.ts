/**
 * What a receipt attests, in the terms an auditor checks: machine, operator and OS account, when
 * (UTC and local), directives by name, what was found before, each action and its outcome, the
 * state after, protection, the journal's integrity and the catalog. For a `/2` receipt the
 * headline is its signed verdict; a `/1` receipt carries none, so its headline says what its own
 * fields show and that it predates signed verdicts.
 */
import type { Attestation } from '../model/attestation';
import type { StepOutcome } from '../model/execution';
import { RECEIPT_SCHEMA, type AnyReceipt } from '../model/receipt';

/** Words for an action's outcome, for people. */
export const OUTCOME_WORDS: Record<StepOutcome, string> = {
  removed: 'Removed',
  'already-absent': 'Already absent',
  'reboot-required': 'Removed, restart required to finish',
  failed: 'FAILED',
  'timed-out': 'TIMED OUT (stopped)',
  skipped: 'Not done (a step to do by hand)',
  'manual-reported': 'Done by hand (reported by the operator)',
};

function legacyHeadline(r: AnyReceipt): string {
  const installed = r.after.findings.filter((f) => f.status === 'banned' && f.presence === 'installed');
  const failed = r.actions.some((a) => a.outcome === 'failed' || a.outcome === 'timed-out');
  const what =
    r.kind === 'scan'
      ? installed.length
        ? `a scan found ${installed.length} banned product(s) installed`
        : 'a scan found no banned software installed'
      : failed || installed.length
        ? 'a removal that did not complete'
        : 'a removal whose recorded rescan found no banned software installed';
  return `A divest.receipt/1 receipt (issued before signed verdicts): ${what}. Check the state after and the journal below.`;
}

/** What the receipt attests (see the file header). */
export function attestationOf(r: AnyReceipt): Attestation {
  const v2 = r.schema === RECEIPT_SCHEMA ? r : null;
  const warnings: string[] = [];
  if (v2 && v2.verdict.state !== 'clean' && v2.verdict.state !== 'removed')
    warnings.push(v2.verdict.headline);
  if (!r.journal.intact)
    warnings.push('The local journal reported damage when this receipt was issued (journal.intact: false).');
  if (!r.replacement) warnings.push('Protection was not checked.');
  else if (r.replacement.state !== 'active')
    warnings.push(`The machine may be UNPROTECTED: ${r.replacement.product} is ${r.replacement.state}.`);
  if (v2?.catalog.provenance?.stale) warnings.push('The catalog in use had expired (stale).');
  const after = r.after.findings;
  return {
    schema: r.schema,
    receiptId: r.id,
    kind: r.kind,
    headline: v2 ? v2.verdict.headline : legacyHeadline(r),
    verdictState: v2 ? v2.verdict.state : null,
    machine: { ...r.host },
    operator: {
      name: r.operator.name ?? null,
      organisation: r.operator.organisation ?? null,
      account: v2
        ? `${v2.operator.account.user} (${v2.operator.account.admin === true ? 'administrator' : v2.operator.account.admin === false ? 'not an administrator' : 'administrator rights not confirmed'})`
        : null,
    },
    issued: {
      utc: r.issuedAt,
      local: v2?.issuedAtLocal.time ?? null,
      timeZone: v2?.issuedAtLocal.timeZone ?? null,
    },
    directives: r.directives.map((d) =>
      d.title.includes(d.shortName) ? d.title : `${d.shortName}: ${d.title}`,
    ),
    before: r.findingsBefore.map((f) => ({
      name: f.name,
      version: f.version ?? null,
      banned: f.status === 'banned',
      installed: f.presence === 'installed',
    })),
    actions: r.actions.map((a) => ({
      title: a.title,
      outcome: a.outcome,
      words: OUTCOME_WORDS[a.outcome],
      exitCode: a.exitCode,
    })),
    after: {
      scanAt: v2?.after.scanAt ?? null,
      stillInstalled: after
        .filter((f) => f.status === 'banned' && f.presence === 'installed')
        .map((f) => f.name),
      traces: after.filter((f) => f.presence === 'traces').length,
      leftovers: r.after.leftovers.length,
    },
    protection: r.replacement
      ? { product: r.replacement.product, state: r.replacement.state, checkedAt: r.replacement.checkedAt }
      : null,
    journal: { intact: r.journal.intact, length: r.journal.length, headHash: r.journal.headHash },
    catalog: {
      version: r.catalog.version,
      sha256: r.catalog.sha256,
      channel: v2?.catalog.provenance?.channel ?? null,
      sequence: v2?.catalog.provenance?.sequence ?? null,
      stale: v2?.catalog.provenance?.stale ?? null,
    },
    warnings,
  };
}
