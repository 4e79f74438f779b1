/**
 * The browser harness: the app's real handlers (main/handlers.ts, the real engine) served to the
 * BUILT renderer (out/renderer) over HTTP on 127.0.0.1, so that real Chromium can walk the whole
 * flow without Electron.
 *
 * - A random port and a random token. The page is only served with `?token=`; every API call must
 *   carry it in `X-Divest-Token`, the event stream in its query; the Host header must name this
 *   server (no DNS rebinding).
 * - `window.divest` in the page is made by a small bridge (bridge.ts, bundled here with esbuild)
 *   from the same contract tables as the preload (`createDivestApi`), over fetch (methods) and
 *   server-sent events (events).
 * - Requests are validated by the same `dispatch` as in Electron, and here results and events are
 *   also checked against the contract's schemas, so a handler that drifts fails the test.
 * - The renderer's meta CSP (`connect-src 'none'`) would forbid the bridge's fetch; the harness
 *   replaces it with the same policy plus `connect-src 'self'`, sent as a header.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import {
  DEFAULT_SETTINGS,
  EVENTS,
  EVENT_SCHEMAS,
  methodOfChannel,
  type EventName,
  type Settings,
} from '../../core/api';
import type { HostOs } from '../../core/model/host';
import { createHandlers, dispatch, type Emit, type HandlerDeps, type Handlers } from '../../main/handlers';
import { MemorySettingsStore } from '../helpers/memory-settings';
import { contentSecurityPolicy } from '../../main/csp';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Options of {@link startHarness}. */
export interface HarnessOptions {
  dataDir: string;
  exportFolder: string;
  hostRoot?: string;
  hostOs?: HostOs;
  rendererDir?: string;
  renderPdf?: HandlerDeps['renderPdf'];
  settings?: Partial<Settings>;
  appVersion?: string;
  /** A shorter silence before "no output for…" (the hung-uninstaller walk). */
  silenceNoteMs?: number;
}

/** A running harness. */
export interface Harness {
  /** The page to open (carries the token). */
  url: string;
  origin: string;
  token: string;
  handlers: Handlers;
  /** Events the server sent, in order (for assertions). */
  sentEvents: { channel: string; payload: unknown }[];
  /**
   * Stand-ins for what only Electron can answer (the system's chooser, file manager, clipboard):
   * what the next Browse answers, and what was opened and copied. Everything around them (which
   * folder may be opened, the checks on a chosen path) is the real handler code.
   */
  desktop: { nextChoice: string | null; opened: string[]; copied: string[] };
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.json': 'application/json',
};

let bridgeCache: string | undefined;

/** The bridge bundle (an IIFE), built once per process. */
async function bridgeBundle(): Promise<string> {
  if (bridgeCache) return bridgeCache;
  const r = await build({
    entryPoints: [path.join(repo, 'test/e2e/bridge.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    logLevel: 'silent',
  });
  bridgeCache = r.outputFiles[0]?.text ?? '';
  return bridgeCache;
}

function readBody(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        reject(new Error('request too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Starts the harness on 127.0.0.1 with a random port and token. */
export async function startHarness(opts: HarnessOptions): Promise<Harness> {
  const rendererDir = opts.rendererDir ?? path.join(repo, 'out/renderer');
  if (!existsSync(path.join(rendererDir, 'index.html')))
    throw new Error(`${rendererDir}/index.html is missing: build the renderer first (npm run build:app)`);
  const bridge = await bridgeBundle();
  const token = randomBytes(24).toString('hex');
  const streams = new Set<ServerResponse>();
  const sentEvents: Harness['sentEvents'] = [];
  const emit: Emit = (event, payload) => {
    const schema = EVENT_SCHEMAS[event as EventName];
    const checked = schema.safeParse(payload);
    if (!checked.success)
      throw new Error(`event ${event} does not match the contract: ${checked.error.message}`);
    const channel = EVENTS[event as EventName];
    sentEvents.push({ channel, payload });
    const line = `data: ${JSON.stringify({ channel, payload })}\n\n`;
    for (const s of streams) s.write(line);
  };
  const desktop: Harness['desktop'] = { nextChoice: null, opened: [], copied: [] };
  const handlers = createHandlers({
    choosePath: async () => desktop.nextChoice,
    openPath: async (folder) => {
      desktop.opened.push(folder);
      return '';
    },
    writeClipboard: (text) => {
      desktop.copied.push(text);
    },
    settings: new MemorySettingsStore({ ...DEFAULT_SETTINGS, ...opts.settings }),
    dataDir: opts.dataDir,
    defaultExportFolder: opts.exportFolder,
    appVersion: opts.appVersion ?? '0.0.0-harness',
    hostRoot: opts.hostRoot,
    hostOs: opts.hostOs,
    emit,
    renderPdf: opts.renderPdf,
    elevatedRemover: null,
    ...(opts.silenceNoteMs !== undefined ? { silenceNoteMs: opts.silenceNoteMs } : {}),
    // The test beds are dpkg roots without a shell, built chrootless: remove them the same way.
    allowImageScriptsOnHost: true,
  });

  let origin = '';
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', origin);
      if (req.headers.host !== new URL(origin).host) {
        res.writeHead(421).end();
        return;
      }
      if (url.pathname.startsWith('/api/') && req.method === 'POST') {
        if (req.headers['x-divest-token'] !== token) {
          res.writeHead(403).end();
          return;
        }
        const method = methodOfChannel(decodeURIComponent(url.pathname.slice(5)));
        if (!method) {
          res.writeHead(404).end();
          return;
        }
        let payload: unknown;
        try {
          payload = JSON.parse((await readBody(req, 25 * 1024 * 1024)) || '{}');
        } catch {
          res.writeHead(400).end();
          return;
        }
        const result = await dispatch(handlers, method, payload, { checkResults: true });
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify(result));
        return;
      }
      if (url.pathname === '/events') {
        if (url.searchParams.get('token') !== token) {
          res.writeHead(403).end();
          return;
        }
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-store',
          connection: 'keep-alive',
        });
        res.write(': connected\n\n');
        streams.add(res);
        req.on('close', () => streams.delete(res));
        return;
      }
      if (url.pathname === '/__bridge.js') {
        if (url.searchParams.get('token') !== token) {
          res.writeHead(403).end();
          return;
        }
        res.writeHead(200, { 'content-type': TYPES['.js'], 'cache-control': 'no-store' });
        res.end(`window.__DIVEST_TOKEN__=${JSON.stringify(token)};\n${bridge}`);
        return;
      }
      if (req.method !== 'GET') {
        res.writeHead(405).end();
        return;
      }
      const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
      const file = path.resolve(rendererDir, rel);
      if (!file.startsWith(rendererDir + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
        res.writeHead(404).end();
        return;
      }
      if (rel === 'index.html') {
        if (url.searchParams.get('token') !== token) {
          res.writeHead(403).end();
          return;
        }
        const html = readFileSync(file, 'utf8')
          .replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '')
          .replace('<head>', `<head><script src="/__bridge.js?token=${token}"></script>`);
        res.writeHead(200, {
          'content-type': TYPES['.html'],
          'content-security-policy': contentSecurityPolicy({ connectSelf: true }),
          'cache-control': 'no-store',
        });
        res.end(html);
        return;
      }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
      res.end(readFileSync(file));
    })().catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(e));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  origin = `http://127.0.0.1:${address.port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    token,
    handlers,
    sentEvents,
    desktop,
    close: async () => {
      for (const s of streams) s.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
