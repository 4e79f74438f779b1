/**
 * Receipts: what one would say now, exporting a signed one (assemble from the journal, sign,
 * write, journal the export), and checking one someone hands you.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DivestError } from '../errors';
import { ensureDir } from '../fs-dirs';
import { lastOf } from '../journal/history';
import type { Receipt, UnsignedReceipt } from '../model/receipt';
import { assembleReceipt } from '../receipt/assemble';
import { loadOrCreateSigningKey } from '../receipt/keys';
import { renderReceiptHtml } from '../receipt/render-html';
import { buildReceipt, serializeReceipt, signReceipt } from '../receipt/sign';
import { recordedScan } from './scan';
import { checkReplacementAndRecord } from './verify';
import type { Workspace } from './workspace';

export interface Operator {
  name?: string;
  organisation?: string;
}

/** What the receipt would say now, from the journal (not signed). */
export async function previewReceipt(ws: Workspace, operator: Operator): Promise<UnsignedReceipt> {
  const { events, report } = await ws.journal.read();
  return buildReceipt(
    assembleReceipt({
      events,
      journal: report,
      catalog: ws.catalog,
      appVersion: ws.appVersion,
      operator: cleanOperator(operator),
    }),
  );
}

function cleanOperator(o: Operator): Operator {
  return {
    ...(o.name ? { name: o.name } : {}),
    ...(o.organisation ? { organisation: o.organisation } : {}),
  };
}

/** Where the files go: named files (CLI), or a folder with a name made from host and time (app). */
export type ReceiptDestination =
  | { kind: 'files'; json: string; html?: string; pdf?: string }
  | { kind: 'folder'; folder: string; html: boolean; pdf: boolean };

export interface ExportOptions {
  operator: Operator;
  destination: ReceiptDestination;
  /** Prints the HTML to PDF (the app's browser); required when a PDF is asked for. */
  renderPdf?: (html: string) => Promise<Uint8Array>;
}

export interface ExportedReceipt {
  receipt: Receipt;
  files: { json: string; html: string | null; pdf: string | null };
  /** The journal was not intact when the receipt was issued (the receipt says so). */
  journalIntact: boolean;
  /** A scan was made first because the journal held none. */
  scannedFirst: boolean;
}

/** A file-name-safe stamp: host and UTC time. */
export function receiptBaseName(hostname: string, at: Date, id: string): string {
  const host = hostname.replace(/[^A-Za-z0-9.-]+/g, '-').slice(0, 60) || 'host';
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `divest-receipt-${host}-${stamp}-${id.slice(0, 8)}`;
}

function write(file: string, data: string | Uint8Array): void {
  ensureDir(path.dirname(path.resolve(file)));
  writeFileSync(file, data, { mode: 0o644 });
}

/**
 * Exports the signed receipt of the latest removal session (or of the latest scan). On a machine
 * whose journal holds no scan, a scan and a replacement check are made first.
 */
export async function exportReceipt(ws: Workspace, options: ExportOptions): Promise<ExportedReceipt> {
  const d = options.destination;
  const wantsPdf = d.kind === 'files' ? d.pdf !== undefined : d.pdf;
  if (wantsPdf && !options.renderPdf)
    throw new DivestError('unsupported', 'PDF printing is not available here; export JSON and HTML.');
  let read = await ws.journal.read();
  let scannedFirst = false;
  if (!lastOf(read.events, 'scan.finished')) {
    await recordedScan(ws, 'receipt');
    await checkReplacementAndRecord(ws, null);
    read = await ws.journal.read();
    scannedFirst = true;
  }
  const input = assembleReceipt({
    events: read.events,
    journal: read.report,
    catalog: ws.catalog,
    appVersion: ws.appVersion,
    operator: cleanOperator(options.operator),
  });
  const key = loadOrCreateSigningKey(ws.dataDir);
  const receipt = signReceipt(buildReceipt(input), key);
  const json = serializeReceipt(receipt);
  const html = renderReceiptHtml(receipt);
  const base =
    d.kind === 'folder'
      ? path.join(
          path.resolve(d.folder),
          receiptBaseName(receipt.host.hostname, new Date(receipt.issuedAt), receipt.id),
        )
      : undefined;
  const files = {
    json: d.kind === 'files' ? d.json : `${base}.json`,
    html: d.kind === 'files' ? (d.html ?? null) : d.html ? `${base}.html` : null,
    pdf: d.kind === 'files' ? (d.pdf ?? null) : d.pdf ? `${base}.pdf` : null,
  };
  write(files.json, json);
  if (files.html) write(files.html, html);
  if (files.pdf && options.renderPdf) write(files.pdf, await options.renderPdf(html));
  await ws.journal.append('receipt.exported', {
    receiptId: receipt.id,
    kind: receipt.kind,
    file: path.resolve(files.json),
    sha256: createHash('sha256').update(json).digest('hex'),
    keyFingerprint: receipt.signature.keyFingerprint,
  });
  return { receipt, files, journalIntact: read.report.intact, scannedFirst };
}
