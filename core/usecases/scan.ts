/**
 * Scan the machine and record the scan in the journal.
 */
import { messageOf } from '../errors';
import type { ScanPurpose } from '../model/events';
import type { ScanResult } from '../model/scan';
import { scanHost, type ScanProbeProgress } from '../scan/scan';
import type { Workspace } from './workspace';

export type { ScanProbeProgress } from '../scan/scan';

export interface RecordedScan {
  result: ScanResult;
  /** Set when the journal could not be written: the scan is still good, but not recorded. */
  notRecorded?: string;
}

/**
 * Scans and journals `scan.started` / `scan.finished` (or `scan.failed`).
 *
 * With `tolerateJournalFailure`, a journal that cannot be written (no rights to the data folder, a
 * full disk) does not cost the user the findings: they come back with `notRecorded` saying why.
 * Use cases that act on the scan (plan, remove) need it recorded and do not tolerate it.
 */
export async function scanAndRecord(
  ws: Workspace,
  purpose: ScanPurpose,
  options: { tolerateJournalFailure?: boolean; onProgress?: (p: ScanProbeProgress) => void } = {},
): Promise<RecordedScan> {
  let notRecorded: string | undefined;
  const onProgress = options.onProgress ?? ws.onScanProgress;
  const record = async (fn: () => Promise<unknown>): Promise<void> => {
    if (notRecorded !== undefined) return;
    try {
      await fn();
    } catch (e) {
      if (!options.tolerateJournalFailure) throw e;
      notRecorded = messageOf(e);
    }
  };
  await record(() => ws.journal.append('scan.started', { purpose, hostRoot: ws.hostRoot ?? null }));
  let result: ScanResult;
  try {
    result = await scanHost({
      catalog: ws.catalog,
      runner: ws.runner,
      hostRoot: ws.hostRoot,
      hostOs: ws.hostOs,
      appVersion: ws.appVersion,
      env: ws.env,
      now: ws.now,
      ...(onProgress ? { onProgress } : {}),
    });
  } catch (e) {
    await record(() => ws.journal.append('scan.failed', { purpose, message: messageOf(e) })).catch(
      () => undefined,
    );
    throw e;
  }
  await record(() => ws.journal.append('scan.finished', { purpose, result }));
  return { result, ...(notRecorded !== undefined ? { notRecorded } : {}) };
}

/** Scans and journals; the journal must be writable. */
export async function recordedScan(ws: Workspace, purpose: ScanPurpose): Promise<ScanResult> {
  return (await scanAndRecord(ws, purpose)).result;
}
