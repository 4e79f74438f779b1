/**
 * End to end in Electron itself, with Playwright's `_electron`: the e2e build of the app
 * (`build-app.mjs --e2e --out DIR`: main, preload, renderer) against a real dpkg bed, the same walk
 * as in Chromium (test/e2e/flow.ts), plus what only the real app can show: the window's effective
 * webPreferences, and that the page has no Node (`require`, `process`) and exactly the
 * `window.divest` of the contract.
 *
 * The removal goes through the elevated path for real: the e2e build's stand-in prompt
 * (DIVEST_E2E_ELEVATE, read only by that build) is a script that records the argv it is given and
 * runs it unchanged, with no UI, in place of pkexec; the argv is the real helper's
 * (test/electron/helper-main.ts, which is `divest remove --helper` on the bed) speaking the real
 * protocol over stdin and stdout.
 *
 * Electron's binary is not downloadable on every machine (this project's CI has none): without it
 * the test is skipped with the reason printed, in CI too (see README: install Electron from a
 * pre-downloaded zip). Under Linux without a display it starts Xvfb itself.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { _electron as electron, type ElectronApplication } from 'playwright-core';
import { METHODS, EVENTS } from '../../core/api';
import { journalPath, openJournal } from '../../core/journal/journal';
import type { Bed } from '../beds/linux';
import { bedFixtures, dpkgQuery, makeDpkgBed, skipReason, tempDir, writeIntoRoot } from '../beds/linux';
import { activateClamav } from '../e2e/support';
import { walkFlow } from '../e2e/flow';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);

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
    let appDir: Bed;
    let rootData: Bed;
    let promptLog: string;
    let app: ElectronApplication;
    let xvfb: ChildProcess | undefined;

    beforeAll(async () => {
      appDir = tempDir('el-app');
      rootData = tempDir('el-root-data');
      const build = spawnSync(process.execPath, ['scripts/build-app.mjs', '--e2e', '--out', appDir.root], {
        cwd: repo,
        encoding: 'utf8',
      });
      if (build.status !== 0) throw new Error(`build-app --e2e failed: ${build.stderr}`);
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
      // The stand-in prompt: records the argv, runs it as it is (no UI, no password).
      promptLog = path.join(scratch.root, 'prompt.log');
      const prompt = path.join(scratch.root, 'stand-in-pkexec');
      writeFileSync(prompt, `#!/bin/sh\nprintf '%s\\n' "$@" >> '${promptLog}'\nexec "$@"\n`);
      chmodSync(prompt, 0o755);
      const env: Record<string, string> = {
        ...(process.env as Record<string, string>),
        DIVEST_E2E_ELEVATE: prompt,
        DIVEST_E2E_HELPER: JSON.stringify([
          process.execPath,
          '--import',
          pathToFileURL(require.resolve('tsx')).href,
          path.join(repo, 'test/electron/helper-main.ts'),
          '--test-host-root',
          bed.root,
          '--test-data-dir',
          path.join(rootData.root, 'divest'),
          '--',
        ]),
      };
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
          appDir.root,
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
      for (const b of [bed, data, user, exports, scratch, appDir, rootData]) b?.cleanup();
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
      // It went through the prompt and the helper: the stand-in ran the helper's command line...
      const argv = readFileSync(promptLog, 'utf8').split('\n');
      expect(argv).toEqual(expect.arrayContaining(['remove', '--helper', '--plan-id', '--channel', 'stdio']));
      expect(argv).not.toContain('--host-root');
      // ...the machine's journal (the helper's) has the session, and so does the app's own.
      for (const dir of [path.join(rootData.root, 'divest'), data.root]) {
        const { events, report } = await openJournal(journalPath(dir)).read();
        expect(report.intact).toBe(true);
        expect(events.some((e) => e.type === 'plan.finished' && e.data.status === 'completed')).toBe(true);
      }
    }, 300_000);
  },
);
