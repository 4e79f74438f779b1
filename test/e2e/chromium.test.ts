/**
 * End to end in real Chromium: the built renderer (out/renderer) over the real handlers and the
 * real engine (test/e2e/harness.ts), against a real dpkg bed (test/beds/linux.ts) with Kaspersky
 * packages installed by dpkg. Playwright walks the whole flow (flow.ts); afterwards dpkg-query must
 * show the packages gone from the bed, the page must not have tried to reach anything but the
 * harness, and it must have logged no error (a CSP violation would be one).
 *
 * Needs /usr/bin/chromium and dpkg: fails loudly without them when CI=true, skips locally with the
 * reason printed.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import type { Bed } from '../beds/linux';
import { bedFixtures, dpkgQuery, makeDpkgBed, tempDir, writeIntoRoot } from '../beds/linux';
import { startHarness, type Harness } from './harness';
import { CHROMIUM, CHROMIUM_ARGS, activateClamav, chromiumSkip, ensureBuiltRenderer } from './support';
import { SCREENSHOT_DIR, walkFlow } from './flow';

const skip = chromiumSkip();

describe.skipIf(skip !== false)('the desktop UI in Chromium, over the real engine', () => {
  let bed: Bed;
  let data: Bed;
  let exports: Bed;
  let scratch: Bed;
  let browser: Browser;
  let harness: Harness;

  beforeAll(async () => {
    ensureBuiltRenderer();
    bed = makeDpkgBed([
      bedFixtures.kesl,
      bedFixtures.keslGui,
      bedFixtures.klnagent64,
      bedFixtures.hello,
      bedFixtures.clamav,
    ]);
    writeIntoRoot(bed.root, {
      '/etc/hostname': 'ws-e2e-042\n',
      '/etc/machine-id': '5f3c0a8e9d2b4c1e8f7a6b5c4d3e2f10\n',
      '/etc/os-release':
        'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n',
    });
    data = tempDir('e2e-data');
    exports = tempDir('e2e-exports');
    scratch = tempDir('e2e-scratch');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    harness = await startHarness({
      dataDir: data.root,
      exportFolder: exports.root,
      hostRoot: bed.root,
      hostOs: 'linux',
      renderPdf: async (html, page) => {
        const p = await browser.newPage();
        try {
          await p.setContent(html);
          // As Electron's printToPDF does in main/pdf.ts: the page size, and a header and footer
          // with the receipt id, the host and "page x of y" on every page.
          return await p.pdf({
            format: page.paper === 'a4' ? 'A4' : 'Letter',
            printBackground: true,
            displayHeaderFooter: true,
            headerTemplate: page.headerTemplate,
            footerTemplate: page.footerTemplate,
            margin: { top: '18mm', bottom: '18mm', left: '12mm', right: '12mm' },
            tagged: true,
          });
        } finally {
          await p.close();
        }
      },
    });
  }, 180_000);

  afterAll(async () => {
    await harness?.close();
    await browser?.close();
    for (const b of [bed, data, exports, scratch]) b?.cleanup();
  });

  it('walks scan → findings → directive → plan → remove → verify → replace → receipt → log, and the packages are gone', async () => {
    expect(
      dpkgQuery(bed.root)
        .find((r) => r.name === 'kesl')
        ?.abbrev.trim(),
    ).toBe('ii');
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const outside: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(harness.origin)) return route.continue();
      outside.push(url);
      return route.abort();
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(harness.url);
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    for (const f of readdirSync(SCREENSHOT_DIR))
      if (f.startsWith('chromium-')) rmSync(path.join(SCREENSHOT_DIR, f));
    const result = await walkFlow(page, {
      prefix: 'chromium',
      activateReplacement: () => activateClamav(bed.root),
      scratch: scratch.root,
    });
    await context.close();

    // The packages are really gone from the bed, and the look-alike ordinary ones are not.
    const rows = dpkgQuery(bed.root);
    for (const name of ['kesl', 'kesl-gui', 'klnagent64'])
      expect(rows.find((r) => r.name === name && r.abbrev.startsWith('i'))).toBeUndefined();
    expect(rows.find((r) => r.name === 'hello')?.abbrev.trim()).toBe('ii');
    expect(rows.find((r) => r.name === 'clamav')?.abbrev.trim()).toBe('ii');
    expect(existsSync(path.join(bed.root, 'opt/kaspersky/kesl'))).toBe(false);
    // Offline: nothing but the harness was asked for; no page error (a CSP violation logs one).
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
    expect(result.screenshots.length).toBeGreaterThanOrEqual(14);
    // Events went through the contract (validated in the harness).
    expect(harness.sentEvents.some((e) => e.channel === 'remove:progress')).toBe(true);
    writeFileSync(path.join(SCREENSHOT_DIR, 'chromium-timings.json'), `${JSON.stringify(result.timings)}\n`);
  }, 300_000);
});
