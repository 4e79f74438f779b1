/**
 * The whole flow of the desktop app, walked by Playwright on a page that has `window.divest`:
 * the browser harness (Chromium) and the Electron app run the same walk.
 *
 * Every screen is checked with axe-core (no serious or critical violation) and photographed into
 * test-results/screenshots/<prefix>-NN-<screen>.png. The walk removes Kaspersky packages from a
 * real dpkg bed and the caller checks with dpkg-query that they are gone.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { Page } from 'playwright-core';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Where the screenshots go (the README points here). */
export const SCREENSHOT_DIR = path.join(repo, 'test-results/screenshots');

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** Runs axe on the page; returns the serious and critical violations. */
export async function axeCheck(page: Page): Promise<AxeViolation[]> {
  // evaluate() is not subject to the page's CSP (an injected <script> would be, rightly).
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const w = window as unknown as {
      axe: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> };
    };
    const r = await w.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Options of {@link walkFlow}. */
export interface FlowOptions {
  prefix: string;
  /** Called when the replacement was found unprotected: make it active in the bed. */
  activateReplacement: () => void;
  /** Scratch folder for a tampered receipt copy. */
  scratch: string;
  /** Typed into Settings when given (the harness sets its own). */
  exportFolder?: string;
}

/** What the walk exported (for the caller's own checks). */
export interface FlowResult {
  receiptJson: string;
  screenshots: string[];
  axe: Record<string, AxeViolation[]>;
  timings: Record<string, number>;
}

/** Presses Tab until `test` holds for the focused element (keyboard-only use). */
async function tabTo(
  page: Page,
  describe: string,
  test: (el: { id: string; text: string; tag: string }) => boolean,
): Promise<void> {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    const el = await page.evaluate(() => {
      const a = document.activeElement as HTMLElement | null;
      return { id: a?.id ?? '', text: (a?.textContent ?? '').trim(), tag: a?.tagName ?? '' };
    });
    if (test(el)) return;
  }
  throw new Error(`could not reach ${describe} with the Tab key`);
}

/** Walks the flow; asserts as it goes. */
export async function walkFlow(page: Page, opts: FlowOptions): Promise<FlowResult> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const result: FlowResult = { receiptJson: '', screenshots: [], axe: {}, timings: {} };
  let n = 0;
  const shot = async (name: string): Promise<void> => {
    await page.waitForTimeout(50);
    const file = path.join(SCREENSHOT_DIR, `${opts.prefix}-${String(++n).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    result.screenshots.push(file);
    const v = await axeCheck(page);
    result.axe[name] = v;
    expect(v, `axe on ${name}: ${JSON.stringify(v, null, 1)}`).toEqual([]);
  };
  const nav = (label: string) =>
    page
      .getByRole('navigation', { name: 'Steps' })
      .getByRole('button', { name: label, exact: false })
      .first();
  const h1 = page.getByRole('heading', { level: 1 });
  const main = page.getByRole('main');

  // Scan: empty state, then a scan with progress.
  await expect.poll(() => h1.textContent()).toBe('Scan');
  await shot('scan-ready');
  const t0 = Date.now();
  await main.getByRole('button', { name: 'Scan', exact: true }).click();
  await main.getByText(/banned products? (is|are) installed/).waitFor({ timeout: 60_000 });
  result.timings.scanMs = Date.now() - t0;
  await shot('scan-done');

  // Findings: evidence and the directives that cover each finding.
  await main.getByRole('button', { name: 'Review the findings' }).click();
  await expect.poll(() => h1.textContent()).toBe('Findings');
  await page.getByText('Kaspersky Endpoint Security for Linux').first().waitFor();
  expect(await page.getByText(/^dpkg:/).count()).toBeGreaterThan(0);
  await shot('findings');

  // Settings: the operator, typed; the dark theme, checked on the findings.
  await nav('Settings').click();
  await page.getByLabel('Operator name').fill('Dana Operator');
  await page.getByLabel('Organisation').fill('Department of Examples');
  if (opts.exportFolder) await page.getByLabel(/Export folder/).fill(opts.exportFolder);
  await page.locator('label[for=theme-dark]').click();
  await main.getByRole('button', { name: 'Save settings' }).click();
  await main.getByText('Settings saved').waitFor();
  expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
  await shot('settings-dark');
  await nav('Findings').click();
  await shot('findings-dark');
  await nav('Settings').click();
  await page.locator('label[for=theme-light]').click();
  await main.getByRole('button', { name: 'Save settings' }).click();
  await main.getByText('Settings saved').waitFor();
  expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
  await shot('settings');
  await nav('Findings').click();

  // Directive library, from a finding's link.
  await main
    .getByRole('button', { name: /^BOD 17-01/ })
    .first()
    .click();
  await expect.poll(() => h1.textContent()).toBe('Directive library');
  await page.getByRole('heading', { name: /^BOD 17-01/, level: 2 }).waitFor();
  await page.getByRole('heading', { name: 'Sources' }).waitFor();
  await page.getByRole('heading', { name: 'Deadlines' }).waitFor();
  await shot('directive');
  // An UNCONFIRMED claim is visibly marked somewhere in the library.
  let marked = 0;
  for (const b of await page.getByRole('navigation', { name: 'Directives' }).getByRole('button').all()) {
    await b.click();
    marked += await page.getByText('UNCONFIRMED', { exact: true }).count();
  }
  expect(marked).toBeGreaterThan(0);

  // Plan: warnings must be acknowledged (keyboard only), then start.
  await nav('Plan').click();
  await main.getByRole('button', { name: 'Make the plan' }).click();
  await page.getByRole('heading', { name: 'Before you start' }).waitFor({ timeout: 60_000 });
  const start = main.getByRole('button', { name: /^Start removal/ });
  expect(await start.isDisabled()).toBe(true);
  await shot('plan');
  await page.getByRole('heading', { level: 1 }).focus();
  await tabTo(page, 'the acknowledgement box', (el) => el.id === 'acknowledge');
  await page.keyboard.press('Space');
  expect(await start.isDisabled()).toBe(false);
  await tabTo(
    page,
    'the Start removal button',
    (el) => el.tag === 'BUTTON' && el.text.startsWith('Start removal'),
  );
  await page.keyboard.press('Enter');

  // Remove: live steps and output, then the verdict.
  await expect.poll(() => h1.textContent()).toBe('Remove');
  await main.getByText('Removed, but this machine is now UNPROTECTED').waitFor({ timeout: 120_000 });
  await shot('removed');

  // Verify.
  await main.getByRole('button', { name: 'See leftovers' }).click();
  await expect.poll(() => h1.textContent()).toBe('Verify');
  await main.getByText('No banned software is installed').first().waitFor();
  await shot('verify');

  // Replace: UNPROTECTED first (ClamAV without signatures), then active.
  await nav('Replace').click();
  await page.getByRole('heading', { name: /^UNPROTECTED/ }).waitFor();
  await shot('replace-unprotected');
  opts.activateReplacement();
  await main.getByRole('button', { name: 'Check again' }).click();
  await page.getByRole('heading', { name: /^Protected: ClamAV is active/ }).waitFor({ timeout: 30_000 });
  await shot('replace-active');

  // Receipt: preview, export (JSON, HTML, PDF), then check it and a tampered copy.
  await nav('Receipt').click();
  await page.getByText('Dana Operator').first().waitFor();
  await page.getByText('ClamAV: active').waitFor();
  await shot('receipt-preview');
  await main.getByRole('button', { name: 'Export the receipt' }).click();
  await page.getByRole('heading', { name: 'Receipt exported' }).waitFor({ timeout: 60_000 });
  const files = await page.locator('.usa-alert--success code.location').allTextContents();
  const json = files.find((f) => f.endsWith('.json'));
  const pdf = files.find((f) => f.endsWith('.pdf'));
  const html = files.find((f) => f.endsWith('.html'));
  expect(json && pdf && html).toBeTruthy();
  result.receiptJson = json ?? '';
  expect(
    readFileSync(pdf ?? '')
      .subarray(0, 5)
      .toString('latin1'),
  ).toBe('%PDF-');
  expect(readFileSync(html ?? '', 'utf8')).toContain('Dana Operator');
  await nav('Check a receipt').click();
  await expect.poll(() => h1.textContent()).toBe('Check a receipt');
  await page.locator('#receipt-file').setInputFiles(result.receiptJson);
  await main.getByRole('button', { name: 'Check the receipt' }).click();
  await page.getByRole('heading', { name: /^VALID/ }).waitFor();
  await shot('receipt-valid');
  const tampered = path.join(opts.scratch, 'tampered.json');
  copyFileSync(result.receiptJson, tampered);
  writeFileSync(tampered, readFileSync(tampered, 'utf8').replace('Dana Operator', 'Mallory'));
  await page.locator('#receipt-file').setInputFiles(tampered);
  await main.getByRole('button', { name: 'Check the receipt' }).click();
  await page.getByRole('heading', { name: /^INVALID/ }).waitFor();
  await page.getByText(/signature does not match/).waitFor();
  await shot('receipt-invalid');

  // Log: events and chain integrity.
  await nav('Log').click();
  await page.getByRole('heading', { name: 'Chain intact' }).waitFor();
  expect(await page.getByText('receipt.exported').count()).toBeGreaterThan(0);
  await shot('log');
  await nav('Settings').click();
  await page.locator('label[for=theme-dark]').click();
  await main.getByRole('button', { name: 'Save settings' }).click();
  await main.getByText('Settings saved').waitFor();

  // Dark theme, on the dense screens.
  await nav('Directive library').click();
  await shot('directive-dark');
  await nav('Replace').click();
  await shot('replace-dark');
  await nav('Receipt').click();
  await shot('receipt-dark');
  expect(existsSync(result.receiptJson)).toBe(true);
  return result;
}
