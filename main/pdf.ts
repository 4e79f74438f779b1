/**
 * Receipts to PDF with Chromium's own printing (`webContents.printToPDF`).
 *
 * The receipt's HTML is self-contained (inline CSS, no scripts, a CSP that loads nothing). It is
 * written to a private temporary file (a 0700 folder, removed afterwards) and loaded with
 * `loadFile`: a `data:` URL of a large receipt exceeds Chromium's URL length limit (2 MB) and fails
 * to load. It is printed in a hidden, sandboxed window with JavaScript off, in its own session
 * where every request but that one file is cancelled.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserWindow, BrowserWindowConstructorOptions, Session } from 'electron';

const PARTITION = 'divest-pdf';

/** The parts of Electron the printer uses (the real ones in the app, fakes in tests). */
export interface PdfElectron {
  session: { fromPartition(partition: string, options: { cache: boolean }): Session };
  createWindow(options: BrowserWindowConstructorOptions): Pick<BrowserWindow, 'loadFile' | 'destroy'> & {
    webContents: Pick<BrowserWindow['webContents'], 'printToPDF'>;
  };
}

/** Makes the printer; the session's rules are set once, on first use. */
export function makePdfPrinter(
  electron: PdfElectron,
  tmpDir: () => string = os.tmpdir,
): (html: string) => Promise<Uint8Array> {
  const allowed = new Set<string>();
  let prepared = false;
  return async (html) => {
    const ses = electron.session.fromPartition(PARTITION, { cache: false });
    if (!prepared) {
      ses.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !allowed.has(details.url) }));
      ses.setPermissionRequestHandler((_wc, _p, cb) => cb(false));
      prepared = true;
    }
    const dir = mkdtempSync(path.join(tmpDir(), 'divest-pdf-'));
    const file = path.join(dir, 'receipt.html');
    writeFileSync(file, html, { mode: 0o600 });
    const url = pathToFileURL(file).href;
    allowed.add(url);
    const win = electron.createWindow({
      show: false,
      webPreferences: {
        session: ses,
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
        javascript: false,
        disableBlinkFeatures: 'Auxclick',
        spellcheck: false,
        webSecurity: true,
      },
    });
    try {
      await win.loadFile(file);
      const pdf = await win.webContents.printToPDF({ pageSize: 'A4', printBackground: true });
      return new Uint8Array(pdf);
    } finally {
      allowed.delete(url);
      win.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
