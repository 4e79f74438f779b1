/**
 * What is left after a removal, and how to clear each thing by hand.
 *
 * Leftovers come from the rescan: every piece of evidence still found for a catalog product. Each
 * gets one concrete instruction, written with its evidence kind (core/scan/evidence/). Divest
 * deletes none of them itself, and kernel drivers least of all: removing a filter driver that is
 * still registered (Kaspersky's keyboard and mouse filters) can leave a machine without input.
 */
import type { Evidence, Finding, ScanResult } from '../model/scan';
import type { Leftover } from '../model/verify';
import { evidenceSpec } from '../scan/evidence';

/** One instruction for one piece of evidence. */
export function howToClear(e: Evidence, f: Finding, hostRoot?: string): string {
  return evidenceSpec(e.kind).howToClear(e, f, hostRoot);
}

/** Leftovers of a scan taken after removal. */
export function leftoversOf(after: ScanResult): Leftover[] {
  const out: Leftover[] = [];
  for (const f of after.findings) {
    if (f.status !== 'banned') continue;
    for (const e of f.evidence)
      out.push({
        productId: f.productId,
        kind: e.kind,
        location: e.location,
        detail: e.detail,
        howToClear: howToClear(e, f, after.hostRoot),
      });
  }
  return out;
}
