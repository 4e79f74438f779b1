/**
 * The worker side of `divest report`'s verification pool: the same bundle, started as a worker
 * thread with the hidden command `__report-worker`, verifies the receipts the main thread sends
 * (core/fleet/report/collect.ts `readReceiptText`) and answers with their small records.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readReceiptText, type ReadResult } from '../core/fleet/report/collect';
import type { Catalog } from '../core/model/catalog';
import { validateCatalog } from '../core/catalog/load';

export interface WorkerRequest {
  id: number;
  file: string;
  bytes: Uint8Array;
}
export interface WorkerReply {
  id: number;
  result: ReadResult;
}

/** Serves verification requests until the main thread closes the port. */
export async function runReportWorker(): Promise<number> {
  const port = parentPort;
  if (!port) return 2;
  // The main thread loaded and checked the catalog (signature included); it is checked again here
  // as data crossing a thread boundary.
  const catalog: Catalog = validateCatalog(
    (workerData as { catalog?: unknown } | null)?.catalog,
    'report worker',
    () => 'report worker',
  ).catalog;
  port.on('message', (m: WorkerRequest) => {
    const reply: WorkerReply = { id: m.id, result: readReceiptText(m.file, Buffer.from(m.bytes), catalog) };
    port.postMessage(reply);
  });
  await new Promise<void>((resolve) => port.once('close', resolve));
  return 0;
}
