/**
 * One receipt, reduced to what the fleet report needs: who, when, which key, and where the
 * machine stood. A `divest.receipt/2` carries the machine verdict (`verdict`) and that is used as
 * is; a `divest.receipt/1` has none, so the status is derived from its state after the work
 * (`after.findings`), its actions and its replacement check, by the verdict's rules
 * (core/verdict.ts): banned software still installed after a removal that needs a restart is
 * `restart-pending`; after one that failed on a password-protected product (msiexec 1603/1627 on a
 * recipe with a credential scheme) `needs-credential`; after any other removal `failed`; without a
 * removal `banned`; nothing banned installed is `clean` when the replacement is active, else
 * `unprotected`. Pure.
 */
import type { Catalog } from '../../model/catalog';
import type { AnyReceipt } from '../../model/receipt';
import type { Finding } from '../../model/scan';
import type { FleetStatus, VerdictState } from '../../model/verdict';
import type { ReplacementState } from '../../model/verify';

const CREDENTIAL_EXIT_CODES = new Set([1603, 1627]);

export interface ReceiptFacts {
  status: FleetStatus;
  verdictState: VerdictState | null;
  statusSource: 'receipt-verdict' | 'derived';
  protection: { state: ReplacementState | 'not-checked'; product?: string };
  stillInstalled: { productId: string; name: string; version?: string }[];
  found: { productId: string; name: string; version?: string }[];
  removed: string[];
}

const named = (f: Finding): { productId: string; name: string; version?: string } => ({
  productId: f.productId,
  name: f.name,
  ...(f.version ? { version: f.version } : {}),
});

const bannedInstalled = (list: readonly Finding[]): Finding[] =>
  list.filter((f) => f.status === 'banned' && f.presence === 'installed');

function derivedStatus(r: AnyReceipt, catalog: Catalog, installed: readonly Finding[]): FleetStatus {
  if (installed.length === 0) return r.replacement?.state === 'active' ? 'clean' : 'unprotected';
  if (r.kind !== 'removal') return 'banned';
  if (r.actions.some((a) => a.outcome === 'reboot-required')) return 'restart-pending';
  const protectedProduct = (productId: string): boolean =>
    catalog.products.find((p) => p.id === productId)?.removal?.windows?.credentials !== undefined;
  if (
    r.actions.some(
      (a) =>
        a.outcome === 'failed' &&
        a.exitCode !== null &&
        CREDENTIAL_EXIT_CODES.has(a.exitCode) &&
        protectedProduct(a.productId),
    )
  )
    return 'needs-credential';
  return 'failed';
}

/** The facts of a verified receipt. */
export function receiptFacts(r: AnyReceipt, catalog: Catalog): ReceiptFacts {
  const found = bannedInstalled(r.findingsBefore).map(named);
  const removed = [
    ...new Set(
      r.actions
        .filter((a) => a.outcome === 'removed' || a.outcome === 'already-absent')
        .map((a) => a.productId),
    ),
  ];
  if (r.schema === 'divest.receipt/2') {
    const v = r.verdict;
    return {
      status: v.fleetStatus,
      verdictState: v.state,
      statusSource: 'receipt-verdict',
      protection: v.protection,
      stillInstalled: v.stillInstalled,
      found,
      removed,
    };
  }
  const installed = bannedInstalled(r.after.findings);
  return {
    status: derivedStatus(r, catalog, installed),
    verdictState: null,
    statusSource: 'derived',
    protection: r.replacement
      ? { state: r.replacement.state, product: r.replacement.product }
      : { state: 'not-checked' },
    stillInstalled: installed.map(named),
    found,
    removed,
  };
}
