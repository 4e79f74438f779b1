/**
 * What the usability walks share (usable.test.ts, narrow.test.ts): a Chromium, dpkg beds each
 * served by its own harness over the real handlers, a page that records every text the app's live
 * region (#announcer) shows, and a screenshot that is also checked with axe.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { makeDpkgBed, tempDir, writeIntoRoot, type Bed } from '../beds/linux';
import { startHarness, type Harness } from './harness';
import { CHROMIUM, CHROMIUM_ARGS, ensureBuiltRenderer } from './support';
import { SCREENSHOT_DIR, axeCheck } from './flow';

export const KESL = 'Kaspersky Endpoint Security for Linux';
export const AGENT = 'Kaspersky Security Center Network Agent';

/** Records every text the app's live region (#announcer) shows, in order. */
const RECORD_ANNOUNCEMENTS = `
  window.__announced = [];
  new MutationObserver(() => {
    const t = document.getElementById('announcer')?.textContent ?? '';
    const a = window.__announced;
    if (t && a[a.length - 1] !== t) a.push(t);
  }).observe(document, { subtree: true, childList: true, characterData: true });
`;

/** What the live region announced so far. */
export async function announced(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __announced: string[] }).__announced);
}

/** Names the bed's machine. */
export function osRelease(root: string): void {
  writeIntoRoot(root, {
    '/etc/hostname': 'ws-usable-007\n',
    '/etc/os-release': 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n',
  });
}

/** The page's main region, and a navigation button. */
export const main = (p: Page) => p.getByRole('main');
export const nav = (p: Page, label: string) =>
  p.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: label }).first();

/** One walk file's browser, beds and harnesses; screenshots named `<prefix>-<name>.png`. */
export class Walks {
  browser!: Browser;
  readonly beds: Bed[] = [];
  readonly harnesses: Harness[] = [];

  constructor(readonly prefix: string) {}

  async setUp(): Promise<void> {
    ensureBuiltRenderer();
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    for (const f of readdirSync(SCREENSHOT_DIR))
      if (f.startsWith(`${this.prefix}-`)) rmSync(path.join(SCREENSHOT_DIR, f));
    this.browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }

  async tearDown(): Promise<void> {
    for (const h of this.harnesses) await h.close();
    await this.browser?.close();
    for (const b of this.beds) b.cleanup();
  }

  /** A dpkg bed of these packages, served by a harness of its own. */
  async open(
    bedPackages: Parameters<typeof makeDpkgBed>[0],
    options: { silenceNoteMs?: number } = {},
  ): Promise<{ bed: Bed; harness: Harness }> {
    const bed = makeDpkgBed(bedPackages);
    osRelease(bed.root);
    const data = tempDir('usable-data');
    const exports = tempDir('usable-exports');
    this.beds.push(bed, data, exports);
    const harness = await startHarness({
      dataDir: data.root,
      exportFolder: exports.root,
      hostRoot: bed.root,
      hostOs: 'linux',
      ...options,
    });
    this.harnesses.push(harness);
    return { bed, harness };
  }

  /** A page on the app (1024×768 unless a context is given), recording the announcements. */
  async page(url: string, context?: BrowserContext): Promise<Page> {
    const ctx = context ?? (await this.browser.newContext({ viewport: { width: 1024, height: 768 } }));
    await ctx.addInitScript(RECORD_ANNOUNCEMENTS);
    const p = await ctx.newPage();
    await p.goto(url);
    await p.getByRole('heading', { level: 1, name: 'Scan' }).waitFor();
    return p;
  }

  /** A full-page screenshot, and axe: no serious or critical violation. */
  async shot(page: Page, name: string): Promise<void> {
    await page.waitForTimeout(50);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${this.prefix}-${name}.png`), fullPage: true });
    const v = await axeCheck(page);
    expect(v, `axe on ${name}: ${JSON.stringify(v, null, 1)}`).toEqual([]);
  }
}

/** Scan, make the plan, acknowledge and start. */
export async function scanAndPlan(p: Page): Promise<void> {
  await main(p).getByRole('button', { name: 'Scan', exact: true }).click();
  await main(p)
    .getByText(/banned products? (is|are) installed/)
    .waitFor({ timeout: 60_000 });
  await main(p).getByRole('button', { name: 'Make the removal plan' }).click();
  await main(p).getByRole('button', { name: 'Make the plan' }).click();
  await p.getByRole('heading', { name: 'Before you start' }).waitFor({ timeout: 60_000 });
  await p.locator('label[for=acknowledge]').click();
  await main(p)
    .getByRole('button', { name: /^Start removal/ })
    .click();
  await p.getByRole('heading', { level: 1, name: 'Remove' }).waitFor();
}
