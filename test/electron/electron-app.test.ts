/**
 * End to end in Electron itself, with Playwright's `_electron`: the built app (out/main, out/preload,
 * out/renderer) against a real dpkg bed, the same walk as in Chromium (test/e2e/flow.ts), plus what
 * only the real app can show: the window's effective webPreferences, and that the page has no Node
 * (`require`, `process`) and exactly the `window.divest` of the contract.
 *
 * Electron's binary is not downloadable on every machine (this project's CI has none): without it
 * the test is skipped with the reason printed, in CI too (see README: install Electron from a
 * pre-downloaded zip). Under Linux without a display it starts Xvfb itself.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, type ElectronApplication } from 'playwright-core';
import { METHODS, EVENTS } from '../../core/api';
import type { Bed } from '../beds/linux';
import { bedFixtures, dpkgQuery, makeDpkgBed, skipReason, tempDir, writeIntoRoot } from '../beds/linux';
import { activateClamav } from '../e2e/support';
import { walkFlow } from '../e2e/flow';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The Electron executable, found without triggering Electron's own download (require('electron') would). */
export function electronBinary(): { path: string } | { missing: string } {
  const dir = path.join(repo, 'node_modules/electron');
  const pathTxt = path.join(dir, 'path.txt');
  const rel = existsSync(pathTxt)
    ? readFileSync(pathTxt, 'utf8').trim()
    : process.platform === 'win32'
      ? 'electron.exe'
      : 'electron';
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const exe = override ? path.join(override, rel) : path.join(dir, 'dist', rel);
  if (existsSync(exe)) return { path: exe };
  return {
    missing: `Electron's binary is not installed (${exe} is missing): npm installs the electron package without it here. Install it from a pre-downloaded zip (see scripts/start.mjs: electron_config_cache, or ELECTRON_OVERRIDE_DIST_PATH).`,
  };
}

const binary = electronBinary();
const dpkgSkip = skipReason(['dpkg', 'dpkg-deb', 'dpkg-query']);
if ('missing' in binary) console.warn(`[e2e electron] skipping: ${binary.missing}`);

describe.skipIf('missing' in binary || dpkgSkip !== false)(
  'the desktop app in Electron, over the real engine',
  () => {
    let bed: Bed;
    let data: Bed;
    let user: Bed;
    let exports: Bed;
    let scratch: Bed;
    let app: ElectronApplication;
    let xvfb: ChildProcess | undefined;

    beforeAll(async () => {
      const build = spawnSync(process.execPath, ['scripts/build-app.mjs'], { cwd: repo, encoding: 'utf8' });
      if (build.status !== 0) throw new Error(`build-app failed: ${build.stderr}`);
      bed = makeDpkgBed([
        bedFixtures.kesl,
        bedFixtures.keslGui,
        bedFixtures.klnagent64,
        bedFixtures.hello,
        bedFixtures.clamav,
      ]);
      writeIntoRoot(bed.root, { '/etc/hostname': 'ws-e2e-electron\n' });
      [data, user, exports, scratch] = ['el-data', 'el-user', 'el-exports', 'el-scratch'].map((p) =>
        tempDir(p),
      ) as [Bed, Bed, Bed, Bed];
      const env: Record<string, string> = { ...(process.env as Record<string, string>) };
      if (process.platform === 'linux' && !env.DISPLAY) {
        xvfb = spawn('Xvfb', [':97', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
          stdio: 'ignore',
        });
        await new Promise((r) => setTimeout(r, 800));
        env.DISPLAY = ':97';
      }
      const runningAsRoot = typeof process.getuid === 'function' && process.getuid() === 0;
      app = await electron.launch({
        executablePath: (binary as { path: string }).path,
        args: [
          ...(runningAsRoot ? ['--no-sandbox'] : []),
          repo,
          '--host-root',
          bed.root,
          '--host-os',
          'linux',
          '--data-dir',
          data.root,
          '--divest-user-data',
          user.root,
        ],
        env,
        timeout: 60_000,
      });
    }, 240_000);

    afterAll(async () => {
      await app?.close();
      xvfb?.kill();
      for (const b of [bed, data, user, exports, scratch]) b?.cleanup();
    });

    it('runs locked down, exposes only window.divest, and walks the whole flow', async () => {
      const page = await app.firstWindow();
      await page.waitForLoadState('domcontentloaded');
      expect(page.url()).toBe('app://divest/index.html');
      const prefs = await app.evaluate(({ BrowserWindow }) => {
        const w = BrowserWindow.getAllWindows()[0];
        // Not in Electron's typings, but present: the preferences the page actually got.
        const wc = w?.webContents as unknown as {
          getLastWebPreferences: () => Record<string, unknown> | null;
        };
        const p = wc.getLastWebPreferences();
        return {
          contextIsolation: p?.contextIsolation,
          sandbox: p?.sandbox,
          nodeIntegration: p?.nodeIntegration,
          spellcheck: p?.spellcheck,
          webSecurity: p?.webSecurity,
        };
      });
      expect(prefs).toEqual({
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        spellcheck: false,
        webSecurity: true,
      });
      const surface = await page.evaluate(() => {
        const w = window as unknown as Record<string, unknown>;
        return {
          require: typeof w.require,
          process: typeof w.process,
          divest: Object.keys(w.divest as object).sort(),
        };
      });
      expect(surface).toEqual({
        require: 'undefined',
        process: 'undefined',
        divest: [...Object.keys(METHODS), ...Object.keys(EVENTS)].sort(),
      });
      // Offline by construction: a fetch to anywhere else is cancelled by the session.
      const fetched = await page.evaluate(async () => {
        try {
          await fetch('https://example.com/');
          return 'reached';
        } catch {
          return 'blocked';
        }
      });
      expect(fetched).toBe('blocked');

      mkdirSync(path.join(repo, 'test-results/screenshots'), { recursive: true });
      await walkFlow(page, {
        prefix: 'electron',
        activateReplacement: () => activateClamav(bed.root),
        scratch: scratch.root,
        exportFolder: exports.root,
      });
      const rows = dpkgQuery(bed.root);
      for (const name of ['kesl', 'kesl-gui', 'klnagent64'])
        expect(rows.find((r) => r.name === name && r.abbrev.startsWith('i'))).toBeUndefined();
      expect(rows.find((r) => r.name === 'hello')?.abbrev.trim()).toBe('ii');
    }, 300_000);
  },
);
