/**
 * Deny by default: the session and every web contents the app creates.
 *
 * - Every request that is not one of the app's own files is cancelled (offline by construction;
 *   the page cannot reach the network, another file, or a local server).
 * - Every permission request and check is denied (the UI needs none).
 * - Navigation, redirects, new windows and `<webview>` are refused.
 * The functions take the Electron objects as parameters (types only), so tests can drive them
 * with small fakes.
 */
import type { Session, WebContents } from 'electron';
import { isAppUrl } from './window';

/** Requests the page may make besides its own files: none, except DevTools' own in development. */
export function allowRequest(url: string, allowDevtools = false): boolean {
  if (isAppUrl(url)) return true;
  return allowDevtools && url.startsWith('devtools://');
}

/** Locks down a session: requests, permissions, downloads. */
export function hardenSession(session: Session, allowDevtools = false): void {
  session.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !allowRequest(details.url, allowDevtools) });
  });
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.on('will-download', (event) => event.preventDefault());
}

/** Locks down one web contents: no navigation, no new windows, no webviews. */
export function hardenWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/**
 * True when an IPC message comes from the app's own page in the main window's top frame.
 *
 * Checked on every call, before the payload is even parsed.
 */
export function isTrustedSender(
  sender: { id: number; mainFrame?: unknown },
  senderFrame: { url: string } | null | undefined,
  expectedId: number | null,
): boolean {
  if (expectedId === null || sender.id !== expectedId) return false;
  if (!senderFrame || senderFrame !== sender.mainFrame) return false;
  return isAppUrl(senderFrame.url);
}
