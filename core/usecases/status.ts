/**
 * Where this machine stands: the verdict, from a scan made now (or the journal's latest), the
 * replacement check and the journal. `divest status`, the app's header and the receipt use it.
 */
import { messageOf } from '../errors';
import type { Recorded } from '../journal/journal';
import { rebootedSince } from '../remove/execute';
import { bannedNamePatterns, checkReplacement } from '../verify/replacement';
import { computeVerdict } from '../verdict';
import type { ScanResult } from '../model/scan';
import type { Verdict } from '../model/verdict';
import { scanAndRecord } from './scan';
import type { Workspace } from './workspace';

export interface StatusOptions {
  /** `fresh` (default): scan and check protection now; `journal`: only read what is recorded. */
  source?: 'fresh' | 'journal';
}

export interface MachineStatus {
  verdict: Verdict;
  scan?: ScanResult;
  /** Set when the journal could not be written: the status is still true, but not recorded. */
  notRecorded?: string;
}

/** The machine's verdict. A fresh status scans and checks protection (journaled when possible). */
export async function machineStatus(ws: Workspace, options: StatusOptions = {}): Promise<MachineStatus> {
  if (options.source === 'journal') {
    const { events } = await ws.journal.read();
    return { verdict: computeVerdict({ events, rebootedSince: (iso) => rebootedSince(iso) }) };
  }
  const { result, notRecorded: scanNotRecorded } = await scanAndRecord(ws, 'status', {
    tolerateJournalFailure: true,
  });
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
  let notRecorded = scanNotRecorded;
  let events: Recorded[];
  try {
    if (notRecorded === undefined)
      await ws.journal.append('replacement.checked', { planId: null, replacement });
    events = (await ws.journal.read()).events;
  } catch (e) {
    notRecorded ??= messageOf(e);
    events = [];
  }
  const verdict = computeVerdict({
    events,
    scan: { result, at: result.startedAt },
    replacement,
    rebootedSince: (iso) => rebootedSince(iso),
  });
  return { verdict, scan: result, ...(notRecorded !== undefined ? { notRecorded } : {}) };
}
