/**
 * The Directive library and the jurisdiction setting in real Chromium: the built renderer over the
 * real handlers and engine (harness.ts), on a Linux image with Kaspersky Endpoint Security's files.
 * The library shows the directives grouped by jurisdiction with their force, vendors and sources;
 * the setting is saved through the real handlers and the findings then split the directives. Each
 * screen is checked with axe and photographed into test-results/screenshots/directives-*.png.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Bed } from '../beds/linux';
import { tempDir, writeIntoRoot } from '../beds/linux';
import { startHarness, type Harness } from './harness';
import { CHROMIUM, CHROMIUM_ARGS, chromiumSkip, ensureBuiltRenderer } from './support';
import { SCREENSHOT_DIR, axeCheck } from './flow';

const skip = chromiumSkip();

describe.skipIf(skip !== false)('the Directive library and jurisdictions in Chromium', () => {
  let root: Bed;
  let data: Bed;
  let exports: Bed;
  let browser: Browser;
  let harness: Harness;

  beforeAll(async () => {
    ensureBuiltRenderer();
    root = tempDir('e2e-jurisdiction-root');
    writeIntoRoot(root.root, {
      '/opt/kaspersky/kesl/bin/kesl-control': '#!/bin/sh\n',
      '/var/lib/dpkg/status': '',
      '/etc/hostname': 'ws-e2e-au-7\n',
    });
    data = tempDir('e2e-jurisdiction-data');
    exports = tempDir('e2e-jurisdiction-exports');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    harness = await startHarness({
      dataDir: data.root,
      exportFolder: exports.root,
      hostRoot: root.root,
      hostOs: 'linux',
    });
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await harness?.close();
    await browser?.close();
    for (const b of [root, data, exports]) b?.cleanup();
  });

  async function shot(page: Page, name: string): Promise<void> {
    await page.waitForTimeout(50);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `directives-${name}.png`), fullPage: true });
    expect(await axeCheck(page), name).toEqual([]);
  }

  it('shows the library by jurisdiction, saves a setting, and splits the findings by it', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(harness.url);
    const nav = (label: string) =>
      page
        .getByRole('navigation', { name: 'Steps' })
        .getByRole('button', { name: label, exact: false })
        .first();
    const main = page.getByRole('main');

    await nav('Directive library').click();
    const byJurisdiction = page.getByRole('navigation', { name: 'Directives by jurisdiction' });
    await byJurisdiction.waitFor();
    await byJurisdiction.getByRole('button', { name: /^PSPF Direction 002-2025/ }).click();
    await main.getByRole('heading', { level: 2, name: /^PSPF Direction 002-2025/ }).waitFor();
    expect(await main.getByText('1 April 2025', { exact: false }).count()).toBeGreaterThan(0);
    await shot(page, '01-library-au');
    await byJurisdiction.getByRole('button', { name: /^IT DL 21\/2022/ }).click();
    await main.getByRole('heading', { name: 'Vendors it names' }).waitFor();
    expect(await main.getByText('Group-IB', { exact: true }).count()).toBe(1);
    await shot(page, '02-library-it');

    await nav('Settings').click();
    const section = main.getByRole('region', { name: 'Jurisdictions' });
    await section.waitFor();
    await section.locator('label[for=jurisdictions-only]').click();
    await section.locator('label[for=jurisdiction-AU]').click();
    await section.getByRole('button', { name: 'Save jurisdictions' }).click();
    await section.getByText('Jurisdictions saved').waitFor();
    expect((await harness.handlers.getSettings({})).jurisdictions).toBe('AU');
    await shot(page, '03-settings-au');

    await nav('Scan').click();
    await main.getByRole('button', { name: 'Scan', exact: true }).click();
    await main.getByRole('button', { name: 'Review the findings' }).click();
    await main.getByRole('heading', { name: 'Directives that cover it here (AU)' }).waitFor();
    expect(
      await main.getByRole('heading', { name: 'In jurisdictions not applied to this machine' }).count(),
    ).toBe(1);
    await shot(page, '04-findings-au');

    await nav('Directive library').click();
    await byJurisdiction.getByRole('button', { name: /^BSI warning/ }).click();
    await main.getByText(/Germany is not among the jurisdictions set for this machine/).waitFor();
    await shot(page, '05-library-de-not-applied');
    expect(errors).toEqual([]);
  }, 120_000);
});
