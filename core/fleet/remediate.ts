/**
 * The unattended removal the fleet engines run (`divest intune remediate`; Fleet and Ansible call
 * `divest remove --yes` instead): remove with no one to ask (a password-protected product fails
 * and the verdict says `needs-credential`; manual steps stay open), export the signed receipt to
 * `<data dir>/receipts/`, and return the verdict the journal now holds.
 */
import path from 'node:path';
import { isDivestError } from '../errors';
import type { Verdict } from '../model/verdict';
import { prepareRemoval } from '../usecases/plan';
import { exportReceipt } from '../usecases/receipt';
import { removalGate, runRemoval, type RemoveExitCode } from '../usecases/remove';
import { machineStatus } from '../usecases/status';
import type { Workspace } from '../usecases/workspace';
import { FLEET_RECEIPT_NAME } from './install-layout';

export interface Remediation {
  verdict: Verdict;
  /** `divest remove`'s exit code for what happened (0, 20, 30, 40). */
  removeExit: RemoveExitCode;
  receiptFile: string | null;
}

/** Removes what is banned without asking anyone, exports the receipt, and says where the machine stands. */
export async function remediateUnattended(ws: Workspace): Promise<Remediation> {
  let removeExit: RemoveExitCode;
  try {
    await removalGate(ws);
    const prep = await prepareRemoval(ws, {});
    if (prep.kind === 'reboot-pending') removeExit = 20;
    else {
      const outcome = await runRemoval(ws, prep.plan, {
        credentials: async () => undefined,
        manual: async () => 'not-now',
        ...(prep.kind === 'resume' && prep.rebooted ? { rebootCompleted: true } : {}),
      });
      removeExit = outcome.exitCode;
    }
  } catch (e) {
    if (!isDivestError(e, 'no-admin')) throw e;
    removeExit = 30;
  }
  const receiptFile = path.join(ws.dataDir, 'receipts', FLEET_RECEIPT_NAME);
  let exported: string | null = null;
  try {
    await exportReceipt(ws, { operator: {}, destination: { kind: 'files', json: receiptFile } });
    exported = receiptFile;
  } catch {
    exported = null;
  }
  const { verdict } = await machineStatus(ws, { source: 'journal' });
  return { verdict, removeExit, receiptFile: exported };
}
