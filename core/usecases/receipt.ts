/**
 * Receipts: what one would say now, exporting a signed one (assemble from the journal, sign,
 * write, journal the export), and checking one someone hands you.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DivestError } from '../errors';
import { ensureDir } from '../fs-dirs';
import os from 'node:os';
import { removalRights } from '../host/privileges';
import { lastOf, lastPlanActivity, latestRemoval, type Events } from '../journal/history';
import { rebootedSince } from '../remove/execute';
import type { Receipt, UnsignedReceipt } from '../model/receipt';
import { assembleReceipt, replacementAfter } from '../receipt/assemble';
import { loadOrCreateSigningKey } from '../receipt/keys';
import { pdfPageTemplates, renderReceiptHtml, type PaperSize } from '../receipt/render-html';
import { buildReceipt, serializeReceipt, signReceipt } from '../receipt/sign';
import { recordedScan } from './scan';
import { checkReplacementAndRecord } from './verify';
import type { Workspace } from './workspace';

export interface Operator {
  name?: string;
  organisation?: string;
}

function cleanOperator(o: Operator): Operator {
  return {
    ...(o.name ? { name: o.name } : {}),
    ...(o.organisation ? { organisation: o.organisation } : {}),
  };
}

/** The OS account Divest runs as, and whether it has administrator rights here. */
async function accountOf(ws: Workspace): Promise<{ user: string; admin: boolean | 'unknown' }> {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    /* no passwd entry (a container): the uid is all there is */
    user = typeof process.getuid === 'function' ? `uid ${process.getuid()}` : 'unknown';
  }
  const rights = await removalRights(ws.target(), ws.runner, ws.env);
  return { user, admin: rights.admin };
}

function assemble(
  ws: Workspace,
  read: { events: Events; report: Parameters<typeof assembleReceipt>[0]['journal'] },
  operator: Operator,
  account: { user: string; admin: boolean | 'unknown' },
) {
  return assembleReceipt({
    events: read.events,
    journal: read.report,
    catalog: ws.catalog,
    appVersion: ws.appVersion,
    operator: cleanOperator(operator),
    account,
    rebootedSince: (iso) => rebootedSince(iso),
    now: ws.now,
  });
}

/** What the receipt would say now, from the journal (not signed; no scan is made). */
export async function previewReceipt(ws: Workspace, operator: Operator): Promise<UnsignedReceipt> {
  return buildReceipt(assemble(ws, await ws.journal.read(), operator, await accountOf(ws)));
}

/**
 * Whether the journal holds what a receipt's "after" needs: a scan after the removal's last step,
 * and protection checked after that step (or, without a removal, after the scan).
 */
function hasAfter(events: Events): boolean {
  const scan = lastOf(events, 'scan.finished');
  if (!scan) return false;
  const removal = latestRemoval(events);
  const last = removal ? lastPlanActivity(events, removal.plan.id) : -1;
  if (removal && scan.index < last) return false;
  return replacementAfter(events, removal ? last : scan.index) !== null;
}

/** Refuses to scan another machine than the one the journal's latest scan looked at. */
function checkSameTarget(ws: Workspace, events: Events): void {
  const last = lastOf(events, 'scan.finished')?.event.data.result;
  if (!last) return;
  const t = ws.target();
  const here = t.live ? undefined : t.root;
  if ((last.hostRoot ?? undefined) !== here)
    throw new DivestError(
      'usage',
      `The journal is about ${last.hostRoot ? `the image at ${last.hostRoot}` : 'this machine'}, and the receipt needs a scan of it now: export with ${last.hostRoot ? `--host-root ${last.hostRoot}` : 'no --host-root'}.`,
    );
}

/** Where the files go: named files (CLI), or a folder with a name made from host and time (app). */
export type ReceiptDestination =
  | { kind: 'files'; json: string; html?: string; pdf?: string }
  | { kind: 'folder'; folder: string; html: boolean; pdf: boolean };

/** How the PDF's pages look: size, and the header and footer on every page. */
export interface PdfPage {
  paper: PaperSize;
  headerTemplate: string;
  footerTemplate: string;
}

export interface ExportOptions {
  operator: Operator;
  destination: ReceiptDestination;
  /** Prints the HTML to PDF (the app's browser); required when a PDF is asked for. */
  renderPdf?: (html: string, page: PdfPage) => Promise<Uint8Array>;
  /** US Letter (default) or A4. */
  paper?: PaperSize;
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
  // The receipt's "after" must be observed: a scan after the removal's last step, and the
  // protection checked after that scan. Made now when the journal does not hold them.
  if (!hasAfter(read.events)) {
    checkSameTarget(ws, read.events);
    await recordedScan(ws, 'receipt');
    await checkReplacementAndRecord(ws);
    read = await ws.journal.read();
    scannedFirst = true;
  }
  const input = assemble(ws, read, options.operator, await accountOf(ws));
  const key = loadOrCreateSigningKey(ws.dataDir);
  const receipt = signReceipt(buildReceipt(input), key);
  const json = serializeReceipt(receipt);
  const paper = options.paper ?? 'letter';
  const html = renderReceiptHtml(receipt, paper);
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
  if (files.pdf && options.renderPdf)
    write(files.pdf, await options.renderPdf(html, { paper, ...pdfPageTemplates(receipt) }));
  await ws.journal.append('receipt.exported', {
    receiptId: receipt.id,
    kind: receipt.kind,
    file: path.resolve(files.json),
    sha256: createHash('sha256').update(json).digest('hex'),
    keyFingerprint: receipt.signature.keyFingerprint,
  });
  return { receipt, files, journalIntact: read.report.intact, scannedFirst };
}
