/**
 * Receipts to PDF with Chromium's own printing (`webContents.printToPDF`).
 *
 * The receipt's HTML is self-contained (inline CSS, no scripts, a CSP that loads nothing); it is
 * printed in a hidden, sandboxed window with JavaScript off, in its own session where every
 * request but the page itself is cancelled.
 */
import { BrowserWindow, session } from 'electron';

const PARTITION = 'divest-pdf';
let prepared = false;

/** Prints one HTML page to PDF (A4, backgrounds kept). */
export async function printHtmlToPdf(html: string): Promise<Uint8Array> {
  const ses = session.fromPartition(PARTITION, { cache: false });
  if (!prepared) {
    ses.webRequest.onBeforeRequest((details, callback) =>
      callback({ cancel: !details.url.startsWith('data:text/html') }),
    );
    ses.setPermissionRequestHandler((_wc, _p, cb) => cb(false));
    prepared = true;
  }
  const win = new BrowserWindow({
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
    await win.loadURL(`data:text/html;charset=utf-8;base64,${Buffer.from(html, 'utf8').toString('base64')}`);
    const pdf = await win.webContents.printToPDF({ pageSize: 'A4', printBackground: true });
    return new Uint8Array(pdf);
  } finally {
    win.destroy();
  }
}
