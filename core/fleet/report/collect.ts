/**
 * Reading a folder of receipts with bounded memory: the folder is walked as a stream (never listed
 * whole), a few files are read at a time, each is verified (`verifyReceipt`: structure, key,
 * signature) and reduced to a small record, and only the latest record per machine is kept, with
 * the keys that signed that machine's receipts. Nothing of a receipt outlives its record.
 */
import { createHash } from 'node:crypto';
import { opendir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Catalog } from '../../model/catalog';
import type { HostOs } from '../../model/host';
import type { InvalidReceipt } from '../../model/fleet-report';
import { verifyReceipt } from '../../receipt/verify';
import { receiptFacts, type ReceiptFacts } from './derive';

/** A receipt larger than this is refused unread (receipts are kilobytes). */
export const MAX_RECEIPT_BYTES = 16 * 1024 * 1024;

/** What the report keeps of one valid receipt. */
export interface ReceiptRecord extends ReceiptFacts {
  file: string;
  sha256: string;
  id: string;
  schema: string;
  issuedAt: string;
  kind: 'removal' | 'scan';
  machineId: string;
  hostname: string;
  os: HostOs;
  osVersion: string;
  fingerprint: string;
  directives: string[];
  catalog: { version: string; sha256: string };
  journal: { intact: boolean; length: number };
}

export type ReadResult = { ok: ReceiptRecord } | { invalid: InvalidReceipt };

function claimedMachine(text: string): string | null {
  try {
    const raw = JSON.parse(text) as { host?: { machineId?: unknown } };
    return typeof raw.host?.machineId === 'string' ? raw.host.machineId : null;
  } catch {
    return null;
  }
}

/** Verifies one receipt's text and reduces it to a record. `file` is as shown in the report. */
export function readReceiptText(file: string, bytes: Buffer, catalog: Catalog): ReadResult {
  const text = bytes.toString('utf8');
  const v = verifyReceipt(text);
  if (!v.valid || !v.receipt || !v.fingerprint)
    return {
      invalid: {
        file,
        machineId: claimedMachine(text),
        problems: v.problems.length ? v.problems : ['not a valid receipt'],
      },
    };
  const r = v.receipt;
  return {
    ok: {
      ...receiptFacts(r, catalog),
      file,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      id: r.id,
      schema: r.schema,
      issuedAt: r.issuedAt,
      kind: r.kind,
      machineId: r.host.machineId,
      hostname: r.host.hostname,
      os: r.host.os,
      osVersion: r.host.osVersion,
      fingerprint: v.fingerprint,
      directives: r.directives.map((d) => d.id),
      catalog: { version: r.catalog.version, sha256: r.catalog.sha256 },
      journal: { intact: r.journal.intact, length: r.journal.length },
    },
  };
}

/** One machine as the collector sees it. */
export interface MachineRecords {
  latest: ReceiptRecord;
  keys: Set<string>;
  count: number;
}

/** Keeps the latest valid receipt per machine and every invalid one. */
export class FleetCollector {
  readonly machines = new Map<string, MachineRecords>();
  readonly invalid: InvalidReceipt[] = [];
  filesRead = 0;

  add(result: ReadResult): void {
    this.filesRead++;
    if ('invalid' in result) {
      this.invalid.push(result.invalid);
      return;
    }
    const r = result.ok;
    // A machine that could not say who it is (an image without /etc/machine-id) is told apart by
    // host name and key rather than merged with every other "unknown".
    const id = r.machineId === 'unknown' ? `unknown|${r.hostname}|${r.fingerprint}` : r.machineId;
    const m = this.machines.get(id);
    if (!m) {
      this.machines.set(id, { latest: r, keys: new Set([r.fingerprint]), count: 1 });
      return;
    }
    m.keys.add(r.fingerprint);
    m.count++;
    const newer = Date.parse(r.issuedAt) - Date.parse(m.latest.issuedAt);
    if (newer > 0 || (newer === 0 && r.file > m.latest.file)) m.latest = r;
  }
}

/** Every `*.json` file under `dir` (depth first, as found), except under `skip`. */
export async function* receiptFiles(dir: string, skip: readonly string[] = []): AsyncGenerator<string> {
  const handle = await opendir(dir);
  for await (const entry of handle) {
    const full = path.join(dir, entry.name);
    if (skip.some((s) => full === s)) continue;
    if (entry.isDirectory()) yield* receiptFiles(full, skip);
    else if (entry.isFile() && /\.json$/i.test(entry.name)) yield full;
  }
}

/** Verifies one file's bytes: in this thread by default, or in a pool of workers (the CLI's). */
export type ReceiptReader = (file: string, bytes: Buffer) => Promise<ReadResult>;

/** Reads and verifies every receipt under `dir`, `concurrency` files at a time. */
export async function collectReceipts(
  dir: string,
  catalog: Catalog,
  options: { skip?: readonly string[]; concurrency?: number; reader?: ReceiptReader } = {},
): Promise<FleetCollector> {
  const read: ReceiptReader =
    options.reader ?? (async (file, bytes) => readReceiptText(file, bytes, catalog));
  const collector = new FleetCollector();
  const limit = Math.max(1, options.concurrency ?? 8);
  const running = new Set<Promise<void>>();
  const one = async (file: string): Promise<void> => {
    const shown = path.relative(dir, file) || path.basename(file);
    try {
      const st = await stat(file);
      if (st.size > MAX_RECEIPT_BYTES) {
        collector.add({
          invalid: {
            file: shown,
            machineId: null,
            problems: [`the file is ${st.size} bytes: larger than any receipt`],
          },
        });
        return;
      }
      collector.add(await read(shown, await readFile(file)));
    } catch (e) {
      collector.add({
        invalid: { file: shown, machineId: null, problems: [`cannot read it: ${(e as Error).message}`] },
      });
    }
  };
  for await (const file of receiptFiles(dir, options.skip)) {
    const p = one(file).finally(() => running.delete(p));
    running.add(p);
    if (running.size >= limit) await Promise.race(running);
  }
  await Promise.all(running);
  return collector;
}
