/**
 * The Electron security model, checked without Electron: the window's webPreferences, the CSP (as
 * defined, as served by the app protocol, and as written into the built page), the URL and sender
 * checks, the session and web-contents lockdown (driven through small fakes of the Electron
 * objects), the protocol's path resolution, and the menu.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Session, WebContents } from 'electron';
import { contentSecurityPolicy, cspMetaTag } from '../../main/csp';
import { mainWindowOptions, isAppUrl, APP_ENTRY } from '../../main/window';
import { allowRequest, hardenSession, hardenWebContents, isTrustedSender } from '../../main/security';
import { resolveAppFile, serveAppFile } from '../../main/app-protocol';
import { menuTemplate } from '../../main/menu';
import { ensureBuiltRenderer } from '../e2e/support';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const rendererDir = path.join(repo, 'out/renderer');

describe('the main window', () => {
  const o = mainWindowOptions('/app/out/preload/index.cjs');
  it('states every secure default explicitly', () => {
    expect(o.show).toBe(false);
    expect(o.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: false,
      navigateOnDragDrop: false,
      disableBlinkFeatures: 'Auxclick',
    });
    expect(o.webPreferences).not.toHaveProperty('enableBlinkFeatures');
  });
  it('has DevTools off unless asked for (development only: main/index.ts passes !app.isPackaged)', () => {
    expect(o.webPreferences?.devTools).toBe(false);
    expect(mainWindowOptions('/p', false, true).webPreferences?.devTools).toBe(true);
  });
  it('loads the app from its own origin', () => {
    expect(APP_ENTRY).toBe('app://divest/index.html');
    expect(isAppUrl(APP_ENTRY)).toBe(true);
  });
});

describe('the Content-Security-Policy', () => {
  const csp = contentSecurityPolicy();
  const directives = new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/) as [string, ...string[]])
      .map(([k, ...v]) => [k, v.join(' ')]),
  );
  it('allows only the app’s own files, no inline code, no network', () => {
    expect(directives.get('default-src')).toBe("'none'");
    expect(directives.get('script-src')).toBe("'self'");
    expect(directives.get('connect-src')).toBe("'none'");
    expect(directives.get('object-src')).toBe("'none'");
    expect(directives.get('frame-src')).toBe("'none'");
    expect(directives.get('base-uri')).toBe("'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|data:|https?:|\*/);
  });
  it('opens the bridge’s connect-src only for the test harness', () => {
    expect(contentSecurityPolicy({ connectSelf: true })).toContain("connect-src 'self'");
  });
  describe('in the built page and from the app protocol', () => {
    beforeAll(() => ensureBuiltRenderer(), 120_000);
    it('is the meta tag of out/renderer/index.html', () => {
      const html = readFileSync(path.join(rendererDir, 'index.html'), 'utf8');
      expect(html).toContain(cspMetaTag());
      expect(html).not.toMatch(/<script(?![^>]*src=)/); // no inline script
      expect(html).not.toMatch(/https?:\/\//);
    });
    it('is sent as a header with every file, with frame-ancestors', async () => {
      const r = await serveAppFile(rendererDir, 'app://divest/index.html');
      expect(r.status).toBe(200);
      expect(r.headers.get('content-security-policy')).toBe(`${csp}; frame-ancestors 'none'`);
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    });
  });
});

describe('URLs and requests', () => {
  it('recognises the app’s own URLs by parsing, not by prefix', () => {
    expect(isAppUrl('app://divest/assets/index.js')).toBe(true);
    for (const u of [
      'app://divest.evil/x',
      'app://evil/divest',
      'app://user@divest/x',
      'https://divest/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'not a url',
    ])
      expect(isAppUrl(u), u).toBe(false);
  });
  it('cancels every request that is not the app’s own file', () => {
    expect(allowRequest('app://divest/assets/x.woff2')).toBe(true);
    for (const u of [
      'https://example.com/',
      'http://127.0.0.1:8080/',
      'ws://localhost/',
      'file:///etc/hosts',
      'devtools://devtools/x',
      'data:text/html,hi',
    ])
      expect(allowRequest(u), u).toBe(false);
    expect(allowRequest('devtools://devtools/x', true)).toBe(true);
  });
  it('serves only files below the renderer folder', () => {
    expect(resolveAppFile('/r', 'app://divest/')).toBe(path.resolve('/r/index.html'));
    // The URL parser folds dot segments into the root; encoded slashes are decoded after it.
    expect(resolveAppFile('/r', 'app://divest/%2e%2e/%2e%2e/etc/passwd')).toBe(path.resolve('/r/etc/passwd'));
    expect(resolveAppFile('/r', 'app://divest/..%2f..%2fetc%2fpasswd')).toBeNull();
    expect(resolveAppFile('/r', 'app://other/index.html')).toBeNull();
    expect(resolveAppFile('/r', 'file:///r/index.html')).toBeNull();
  });
  it('answers a malformed % escape with 400 instead of throwing', async () => {
    expect(resolveAppFile('/r', 'app://divest/%E0%A4%A')).toBeNull();
    for (const bad of ['app://divest/%', 'app://divest/a%zz', 'app://divest/%E0%A4%A'])
      expect((await serveAppFile(rendererDir, bad)).status, bad).toBe(400);
    expect((await serveAppFile(rendererDir, 'app://divest/no-such-file.js')).status).toBe(404);
  });
});

describe('the session and web contents lockdown', () => {
  it('cancels foreign requests and denies every permission', () => {
    let before: ((d: { url: string }, cb: (r: { cancel: boolean }) => void) => void) | undefined;
    let perm: ((wc: unknown, p: string, cb: (ok: boolean) => void) => void) | undefined;
    let check: (() => boolean) | undefined;
    let device: (() => boolean) | undefined;
    const events = new EventEmitter();
    const fake = {
      webRequest: { onBeforeRequest: (fn: typeof before) => (before = fn) },
      setPermissionRequestHandler: (fn: typeof perm) => (perm = fn),
      setPermissionCheckHandler: (fn: typeof check) => (check = fn),
      setDevicePermissionHandler: (fn: typeof device) => (device = fn),
      on: (e: string, fn: (...a: unknown[]) => void) => events.on(e, fn),
    };
    hardenSession(fake as unknown as Session);
    const answers: boolean[] = [];
    before?.({ url: 'https://telemetry.example/' }, (r) => answers.push(r.cancel));
    before?.({ url: 'app://divest/index.html' }, (r) => answers.push(r.cancel));
    expect(answers).toEqual([true, false]);
    const granted: boolean[] = [];
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal'])
      perm?.(null, p, (ok) => granted.push(ok));
    expect(granted).toEqual([false, false, false, false, false]);
    expect(check?.()).toBe(false);
    expect(device?.()).toBe(false);
    let prevented = false;
    events.emit('will-download', { preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
  });

  it('refuses navigation, redirects, webviews and new windows', () => {
    const events = new EventEmitter();
    let openHandler: (() => { action: string }) | undefined;
    const fake = {
      on: (e: string, fn: (...a: unknown[]) => void) => events.on(e, fn),
      setWindowOpenHandler: (fn: typeof openHandler) => (openHandler = fn),
    };
    hardenWebContents(fake as unknown as WebContents);
    for (const e of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      let prevented = false;
      events.emit(e, { preventDefault: () => (prevented = true) }, 'https://example.com/');
      expect(prevented, e).toBe(true);
    }
    expect(openHandler?.()).toEqual({ action: 'deny' });
  });

  it('accepts IPC only from the main window’s top frame on the app origin', () => {
    const mainFrame = { url: 'app://divest/index.html' };
    const sender = { id: 7, mainFrame };
    expect(isTrustedSender(sender, mainFrame, 7)).toBe(true);
    expect(isTrustedSender(sender, mainFrame, 8)).toBe(false);
    expect(isTrustedSender(sender, mainFrame, null)).toBe(false);
    expect(isTrustedSender(sender, { url: 'app://divest/index.html' }, 7)).toBe(false); // a subframe
    const evil = { url: 'https://evil.example/' };
    expect(isTrustedSender({ id: 7, mainFrame: evil }, evil, 7)).toBe(false);
    expect(isTrustedSender(sender, null, 7)).toBe(false);
  });
});

describe('the application menu', () => {
  it('reaches every screen by keyboard, and hides DevTools in a packaged app', () => {
    const visited: string[] = [];
    const t = menuTemplate({
      isMac: false,
      devTools: false,
      navigate: (s) => visited.push(s),
      about: () => undefined,
    });
    const go = t.find((m) => m.label === '&Go');
    const items = (go?.submenu ?? []) as { accelerator?: string; click?: () => void }[];
    expect(items.map((i) => i.accelerator)).toEqual([
      'CmdOrCtrl+1',
      'CmdOrCtrl+2',
      'CmdOrCtrl+3',
      'CmdOrCtrl+4',
      'CmdOrCtrl+5',
      'CmdOrCtrl+6',
      'CmdOrCtrl+7',
      'CmdOrCtrl+8',
      'CmdOrCtrl+9',
      undefined,
    ]);
    // No accelerator twice in the whole menu: Settings is CmdOrCtrl+, (File), never Reset Zoom's CmdOrCtrl+0.
    const all: string[] = [];
    const walk = (items: unknown[]): void => {
      for (const i of items as { accelerator?: string; submenu?: unknown[]; role?: string }[]) {
        if (i.accelerator) all.push(i.accelerator);
        if (i.role === 'resetZoom') all.push('CmdOrCtrl+0');
        if (Array.isArray(i.submenu)) walk(i.submenu);
      }
    };
    walk(t);
    expect(all.filter((a, i) => all.indexOf(a) !== i)).toEqual([]);
    expect(all).toContain('CmdOrCtrl+,');
    for (const i of items) i.click?.();
    expect(visited).toEqual([
      'scan',
      'findings',
      'directives',
      'plan',
      'remove',
      'verify',
      'replace',
      'receipt',
      'log',
      'settings',
    ]);
    expect(JSON.stringify(t)).not.toContain('toggleDevTools');
    expect(
      JSON.stringify(
        menuTemplate({ isMac: true, devTools: true, navigate: () => undefined, about: () => undefined }),
      ),
    ).toContain('toggleDevTools');
  });
});

describe('the built preload', () => {
  beforeAll(() => ensureBuiltRenderer(), 120_000);
  it('is one CommonJS file that requires nothing but electron', () => {
    const file = path.join(repo, 'out/preload/index.cjs');
    expect(existsSync(file)).toBe(true);
    const requires = [...readFileSync(file, 'utf8').matchAll(/require\(["']([^"']+)["']\)/g)].map(
      (m) => m[1],
    );
    expect([...new Set(requires)]).toEqual(['electron']);
  });
});
