/**
 * `divest key show`: this machine's id and the fingerprint of the key that signs its receipts, to
 * pin before trusting its receipts (`divest report --pins`). The key is made if there is none
 * yet, so that the receipts that follow are signed by the key that was pinned. The machine id is
 * the latest scan's (a scan is made when the journal holds none).
 */
import { lastOf } from '../journal/history';
import { MACHINE_KEY_SCHEMA, MachineKey } from '../model/fleet-report';
import { loadOrCreateSigningKey } from '../receipt/keys';
import { scanAndRecord } from '../usecases/scan';
import type { Workspace } from '../usecases/workspace';

/** The machine's id and key fingerprint. */
export async function machineKey(ws: Workspace): Promise<MachineKey> {
  const key = loadOrCreateSigningKey(ws.dataDir);
  const { events } = await ws.journal.read();
  const host =
    lastOf(events, 'scan.finished')?.event.data.result.host ??
    (await scanAndRecord(ws, 'status', { tolerateJournalFailure: true })).result.host;
  return MachineKey.parse({
    schema: MACHINE_KEY_SCHEMA,
    machineId: host.machineId,
    hostname: host.hostname,
    os: host.os,
    fingerprint: key.fingerprint,
    publicKey: key.publicKeyRaw.toString('base64'),
  });
}
