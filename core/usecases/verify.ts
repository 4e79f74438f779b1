/**
 * Verify on request: rescan and list leftovers; check that a replacement protects the machine.
 * Both belong to the current removal session when there is one (its plan id is journaled with
 * them), so the receipt carries the latest state, not the one seen right after the uninstallers.
 */
import { currentPlanId } from '../journal/history';
import type { Finding, ScanResult } from '../model/scan';
import type { Leftover, ReplacementStatus } from '../model/verify';
import { leftoversOf } from '../verify/leftovers';
import { bannedNamePatterns, checkReplacement } from '../verify/replacement';
import { recordedScan } from './scan';
import type { Workspace } from './workspace';

/** The plan id of the current session (the newest started plan), or null. */
async function sessionPlanId(ws: Workspace): Promise<string | null> {
  return currentPlanId((await ws.journal.read()).events);
}

/** Rescans, lists leftovers and what is still installed, and journals `verify.finished`. */
export async function verifyAndRecord(
  ws: Workspace,
): Promise<{ scan: ScanResult; leftovers: Leftover[]; stillInstalled: Finding[] }> {
  const scan = await recordedScan(ws, 'verify');
  const leftovers = leftoversOf(scan);
  const stillInstalled = scan.findings.filter((f) => f.status === 'banned' && f.presence === 'installed');
  await ws.journal.append('verify.finished', {
    planId: await sessionPlanId(ws),
    findings: scan.findings,
    leftovers,
    stillInstalled: stillInstalled.map((f) => f.productId),
  });
  return { scan, leftovers, stillInstalled };
}

/**
 * Checks the replacement antivirus and journals `replacement.checked`. A banned product still
 * registered with Security Center (until the restart) is never taken for the replacement: the
 * catalog's names are passed, always.
 */
export async function checkReplacementAndRecord(
  ws: Workspace,
  planId?: string | null,
): Promise<ReplacementStatus> {
  const t = ws.target();
  const replacement = await checkReplacement({
    os: t.os,
    hostRoot: t.root,
    live: t.live,
    runner: ws.runner,
    env: ws.env,
    now: ws.now,
    bannedNames: bannedNamePatterns(ws.catalog.catalog),
  });
  await ws.journal.append('replacement.checked', {
    planId: planId === undefined ? await sessionPlanId(ws) : planId,
    replacement,
  });
  return replacement;
}
