/**
 * A pool of worker threads that verify receipts for `divest report`, so that a fleet's receipts are
 * checked on every core (Ed25519 and canonical JSON are CPU work). The workers run this same
 * executable: the bundle file (`node divest.cjs`), or inside a single-executable build the copy of
 * the bundle it carries as the asset `divest.cjs` (scripts/build-sea.mjs). Without either, or
 * with one core, verification stays in the main thread.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ReadResult, ReceiptReader } from '../core/fleet/report/collect';
import type { Catalog } from '../core/model/catalog';
import type { WorkerReply, WorkerRequest } from './report-worker';
import { seaApi } from './sea';

export interface ReceiptPool {
  reader: ReceiptReader;
  close: () => Promise<void>;
}

function workerScript(): { script: string; eval: boolean } | undefined {
  const sea = seaApi();
  if (sea) {
    try {
      return { script: sea.getAsset('divest.cjs', 'utf8'), eval: true };
    } catch {
      return undefined;
    }
  }
  return typeof __filename === 'string' && __filename.endsWith('.cjs')
    ? { script: __filename, eval: false }
    : undefined;
}

/** A pool of `size` workers (default: one per core), or undefined when workers cannot run here. */
export async function receiptPool(
  catalog: Catalog,
  size = availableParallelism(),
): Promise<ReceiptPool | undefined> {
  if (size < 2) return undefined;
  const source = workerScript();
  if (!source) return undefined;
  const workers = Array.from(
    { length: size },
    () =>
      new Worker(source.script, {
        eval: source.eval,
        argv: ['__report-worker'],
        workerData: { catalog },
        stdout: false,
        stderr: false,
        // A worker holds one receipt at a time: small heaps keep the whole report within 300 MB.
        resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 },
      }),
  );
  const waiting = new Map<number, (r: ReadResult) => void>();
  let next = 0;
  for (const w of workers)
    w.on('message', (m: WorkerReply) => {
      waiting.get(m.id)?.(m.result);
      waiting.delete(m.id);
    });
  const failure = new Promise<never>((_, reject) => {
    for (const w of workers) w.once('error', reject);
  });
  failure.catch(() => undefined);
  return {
    reader: (file, bytes) => {
      const id = next++;
      const worker = workers[id % workers.length];
      if (!worker) throw new Error('no worker');
      const reply = new Promise<ReadResult>((resolve) => waiting.set(id, resolve));
      const copy = new Uint8Array(bytes);
      const req: WorkerRequest = { id, file, bytes: copy };
      worker.postMessage(req, [copy.buffer]);
      return Promise.race([reply, failure]);
    },
    close: async () => {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
