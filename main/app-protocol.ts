/**
 * Serves the UI's files from the app (inside its ASAR) on `app://divest/`, with the CSP header.
 *
 * A custom protocol instead of `file://` (Electron's security checklist, item 18): a page on
 * `file://` could read any local file after an XSS; this handler serves only files below the
 * renderer folder, resolved and checked, and nothing else.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Protocol } from 'electron';
import { contentSecurityPolicy } from './csp';
import { APP_HOST, APP_SCHEME } from './window';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.woff2': 'font/woff2',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
};

/** The path of a URL with its `%` escapes decoded, or null when an escape is malformed (`%zz`, `%`). */
export function decodedPath(url: URL): string | null {
  try {
    return decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
}

/**
 * The file a request maps to, or null when it is outside the renderer folder, not ours, or has a
 * malformed `%` escape (see {@link serveAppFile}, which answers that one with 400).
 */
export function resolveAppFile(rendererDir: string, url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null;
  const decoded = decodedPath(u);
  if (decoded === null) return null;
  const rel = decoded.replace(/^\/+/, '') || 'index.html';
  const root = path.resolve(rendererDir);
  const file = path.resolve(root, rel);
  if (!file.startsWith(root + path.sep)) return null;
  return file;
}

/** The response for one request. */
export async function serveAppFile(rendererDir: string, url: string): Promise<Response> {
  if (URL.canParse(url) && decodedPath(new URL(url)) === null)
    return new Response('Bad request', { status: 400 });
  const file = resolveAppFile(rendererDir, url);
  if (!file) return new Response('Not found', { status: 404 });
  try {
    const body = await readFile(file);
    return new Response(new Uint8Array(body), {
      status: 200,
      headers: {
        'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
        'content-security-policy': `${contentSecurityPolicy()}; frame-ancestors 'none'`,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      },
    });
  } catch {
    return new Response('Not found', { status: 404 });
  }
}

/** Registers the handler (after `app` is ready). */
export function registerAppProtocol(protocol: Protocol, rendererDir: string): void {
  protocol.handle(APP_SCHEME, (request) => serveAppFile(rendererDir, request.url));
}
