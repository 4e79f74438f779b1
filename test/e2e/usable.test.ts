/**
 * Usable under a deadline and by everyone (issue 12), in real Chromium over the real handlers and
 * engine, on real dpkg beds:
 *
 * - a hung uninstaller: step k of n, time against its limit, "no output for N s", then "Stop this
 *   uninstaller now" kills its process group; a way on per product; then "Stop after the current
 *   step", a reopened app offers to continue, and continuing finishes the removal;
 * - a removal that fails: the product by name, its cause, Try again;
 * - 320 CSS px and 200% zoom: no horizontal scrolling, the navigation collapsed behind "Menu",
 *   axe without serious or critical violations;
 * - what the one live region announced, recorded as it changed, and focus moved to results.
 *
 * Every state is photographed into test-results/screenshots/usable-*.png.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import {
  bedFixtures,
  dpkgQuery,
  makeDpkgBed,
  processesInRoot,
  slowWhenMarkerPrerm,
  tempDir,
  withDebScripts,
  writeIntoRoot,
  type Bed,
} from '../beds/linux';
import { startHarness, type Harness } from './harness';
import { CHROMIUM, CHROMIUM_ARGS, chromiumSkip, ensureBuiltRenderer } from './support';
import { SCREENSHOT_DIR, axeCheck } from './flow';

const skip = chromiumSkip();
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The no-rights walk runs the harness as `nobody`, which only root can arrange. */
const asNobody =
  process.getuid?.() === 0 && existsSync('/usr/bin/setpriv')
    ? false
    : 'not root, or no setpriv: cannot run as nobody';

/** Records every text the app's live region (#announcer) shows, in order. */
const RECORD_ANNOUNCEMENTS = `
  window.__announced = [];
  new MutationObserver(() => {
    const t = document.getElementById('announcer')?.textContent ?? '';
    const a = window.__announced;
    if (t && a[a.length - 1] !== t) a.push(t);
  }).observe(document, { subtree: true, childList: true, characterData: true });
`;

const KESL = 'Kaspersky Endpoint Security for Linux';
const AGENT = 'Kaspersky Security Center Network Agent';

async function announced(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __announced: string[] }).__announced);
}

async function shot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(50);
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `usable-${name}.png`), fullPage: true });
  const v = await axeCheck(page);
  expect(v, `axe on ${name}: ${JSON.stringify(v, null, 1)}`).toEqual([]);
}

function osRelease(root: string): void {
  writeIntoRoot(root, {
    '/etc/hostname': 'ws-usable-007\n',
    '/etc/os-release': 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n',
  });
}

describe.skipIf(skip !== false)('usable under a deadline, in Chromium over the real engine', () => {
  let browser: Browser;
  const beds: Bed[] = [];
  const harnesses: Harness[] = [];

  async function open(
    bedPackages: Parameters<typeof makeDpkgBed>[0],
    options: { silenceNoteMs?: number } = {},
  ): Promise<{ bed: Bed; harness: Harness }> {
    const bed = makeDpkgBed(bedPackages);
    osRelease(bed.root);
    const data = tempDir('usable-data');
    const exports = tempDir('usable-exports');
    beds.push(bed, data, exports);
    const harness = await startHarness({
      dataDir: data.root,
      exportFolder: exports.root,
      hostRoot: bed.root,
      hostOs: 'linux',
      ...options,
    });
    harnesses.push(harness);
    return { bed, harness };
  }

  async function page(harness: Harness, context?: BrowserContext): Promise<Page> {
    const ctx = context ?? (await browser.newContext({ viewport: { width: 1024, height: 768 } }));
    await ctx.addInitScript(RECORD_ANNOUNCEMENTS);
    const p = await ctx.newPage();
    const errors: string[] = [];
    p.on('pageerror', (e) => errors.push(e.message));
    await p.goto(harness.url);
    await p.getByRole('heading', { level: 1, name: 'Scan' }).waitFor();
    return p;
  }

  const main = (p: Page) => p.getByRole('main');
  const nav = (p: Page, label: string) =>
    p.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: label }).first();

  async function scanAndPlan(p: Page): Promise<void> {
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

  beforeAll(async () => {
    ensureBuiltRenderer();
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    for (const f of readdirSync(SCREENSHOT_DIR))
      if (f.startsWith('usable-')) rmSync(path.join(SCREENSHOT_DIR, f));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 120_000);

  afterAll(async () => {
    for (const h of harnesses) await h.close();
    await browser?.close();
    for (const b of beds) b.cleanup();
  });

  it('a hung uninstaller: time and silence, stop it now, a way on; stop after a step, reopen, continue', async () => {
    // Slow while the marker file exists, in prerm and postrm alike: after the first kill, dpkg
    // purges the half-removed package through its postrm, which then is slow too.
    const kesl = withDebScripts(bedFixtures.kesl, {
      prerm: `echo "kesl: stopping the protection services"\n${slowWhenMarkerPrerm('hang')}`,
      postrm: `${slowWhenMarkerPrerm('hang')}\n${bedFixtures.kesl.debScripts.postrm}`,
    });
    const { bed, harness } = await open(
      [kesl, bedFixtures.keslGui, bedFixtures.klnagent64, bedFixtures.hello],
      {
        silenceNoteMs: 3000,
      },
    );
    writeFileSync(path.join(bed.root, 'hang'), '300\n');
    const p = await page(harness);
    await shot(p, '01-first-screen');

    // The scan: focus moves to the result, which is announced once, in words.
    await main(p).getByRole('button', { name: 'Scan', exact: true }).click();
    await main(p)
      .getByText(/banned products? (is|are) installed/)
      .waitFor({ timeout: 60_000 });
    expect(await p.evaluate(() => document.activeElement?.textContent ?? '')).toBe(
      `2 banned products are installed: ${KESL}, ${AGENT}`,
    );
    expect((await announced(p)).filter((t) => t.startsWith('Scan finished.'))).toEqual([
      `Scan finished. 2 banned products are installed: ${KESL}, ${AGENT}.`,
    ]);
    await main(p).getByRole('button', { name: 'Make the removal plan' }).click();
    await main(p).getByRole('button', { name: 'Make the plan' }).click();
    await p.getByRole('heading', { name: 'Before you start' }).waitFor({ timeout: 60_000 });
    // Start is disabled with the reason beside it.
    await main(p).getByText('Confirm the warnings above to start.').waitFor();
    await shot(p, '02-plan-start-disabled');
    await p.locator('label[for=acknowledge]').click();
    await main(p)
      .getByRole('button', { name: /^Start removal/ })
      .click();

    // Hung: step 1 of 2, its time against its limit, then the silence.
    await main(p)
      .getByText(/^Running for \d+ s of 10 min 00 s allowed/)
      .waitFor({ timeout: 30_000 });
    expect(
      await p.getByLabel(/^Step 1 of 2: Remove Kaspersky Endpoint Security for Linux/).getAttribute('max'),
    ).toBe('2');
    await main(p)
      .getByText(/^No output for \d+ s — the uninstaller may be waiting for input/)
      .waitFor({ timeout: 30_000 });
    await main(p)
      .getByText(/^Running for [4-9] s of 10 min 00 s allowed/)
      .waitFor({ timeout: 30_000 });
    // Scan is disabled meanwhile, with the reason.
    await nav(p, 'Scan').click();
    await main(p).getByText('A removal is running: scan again when it has finished.').waitFor();
    await shot(p, '03-scan-during-removal');
    await nav(p, 'Remove').click();
    await shot(p, '04-hung-uninstaller');
    // The raw output is there, and not a live region.
    expect(
      await p.evaluate(() => {
        const pre = document.querySelector('.step-output');
        return {
          text: pre?.textContent ?? '',
          live: pre?.closest('[aria-live],[role=log],[role=status]') !== null,
        };
      }),
    ).toEqual({ text: expect.stringContaining('kesl: stopping the protection services'), live: false });

    // Stop this uninstaller now: the consequence first, then it is killed.
    await main(p).getByRole('button', { name: 'Stop this uninstaller now' }).click();
    await main(p)
      .getByText(/the product may be left half-removed, and the step is recorded as stopped by you/)
      .waitFor();
    await shot(p, '05-stop-now-confirm');
    await main(p).getByRole('button', { name: 'Yes, stop it now' }).click();
    const wayOn = p.getByRole('region', { name: 'What to do now' });
    await wayOn.waitFor({ timeout: 30_000 });
    await wayOn.getByRole('heading', { name: `${KESL}: Failed` }).waitFor();
    await wayOn.getByRole('heading', { name: `${AGENT}: Not run` }).waitFor();
    await wayOn.getByText(/^Stopped by the operator/).waitFor();
    expect(await wayOn.getByText(/kaspersky-network-agent|kaspersky-endpoint-security-linux/).count()).toBe(
      0,
    );
    await shot(p, '06-stopped-way-on');
    expect(processesInRoot(bed.root)).toEqual([]);
    expect(
      dpkgQuery(bed.root)
        .find((r) => r.name === 'klnagent64')
        ?.abbrev.trim(),
    ).toBe('ii');
    const said = await announced(p);
    expect(said.filter((t) => t.startsWith('No output for'))).toHaveLength(1);
    expect(said).toContain(`Step 1 of 2, Remove ${KESL} 12.1.0-1234 (dpkg purge: kesl-gui, kesl): Failed.`);
    expect(said.some((t) => t.startsWith('Removal finished. Removal incomplete'))).toBe(true);

    // Try again, this time "Stop after the current step" while step 1 runs (5 s).
    writeFileSync(path.join(bed.root, 'hang'), '5\n');
    await wayOn.getByRole('button', { name: 'Try again' }).click();
    await p.getByRole('heading', { name: 'Before you start' }).waitFor({ timeout: 60_000 });
    await p.locator('label[for=acknowledge]').click();
    await main(p)
      .getByRole('button', { name: /^Start removal/ })
      .click();
    await main(p)
      .getByText(/^Running for \d+ s of 10 min 00 s allowed/)
      .waitFor({ timeout: 30_000 });
    await main(p).getByRole('button', { name: 'Stop after the current step' }).click();
    await main(p)
      .getByText(/^Stopping after the current step: the running uninstaller is left to finish/)
      .waitFor();
    await shot(p, '07-stop-after-step');
    await main(p)
      .getByRole('heading', { name: `${AGENT}: Not run` })
      .waitFor({ timeout: 60_000 });
    unlinkSync(path.join(bed.root, 'hang'));

    // Reopened: the unfinished removal is offered on the first screen.
    const again = await page(harness);
    await main(again).getByText('A removal did not finish').waitFor();
    await main(again)
      .getByText(new RegExp(`^Removal of ${KESL}, ${AGENT} was stopped before step 2 of 2`))
      .waitFor();
    await shot(again, '08-resume-banner');
    await main(again).getByRole('button', { name: 'Continue the removal' }).click();
    await again
      .getByRole('heading', { name: 'An unfinished removal will be continued' })
      .waitFor({ timeout: 60_000 });
    await again.locator('label[for=acknowledge]').click();
    await main(again)
      .getByRole('button', { name: /^Start removal/ })
      .click();
    await main(again)
      .getByText(/^Removed, but this machine is now UNPROTECTED/)
      .waitFor({ timeout: 120_000 });
    await shot(again, '09-continued-removed');
    for (const name of ['kesl', 'kesl-gui', 'klnagent64'])
      expect(
        dpkgQuery(bed.root).find((r) => r.name === name && r.abbrev.startsWith('i')),
        JSON.stringify(dpkgQuery(bed.root)),
      ).toBeUndefined();

    // History lists the three sessions, from the journal.
    await nav(again, 'History').click();
    await again.getByRole('heading', { level: 1, name: 'History' }).waitFor();
    await main(again)
      .getByRole('heading', { name: `${KESL}, ${AGENT}: Finished` })
      .waitFor();
    await main(again)
      .getByRole('heading', { name: `${KESL}, ${AGENT}: Failed` })
      .waitFor();
    await shot(again, '10-history');
  }, 300_000);

  it('a removal that fails: the product by name, the cause, Try again', async () => {
    const kesl = withDebScripts(bedFixtures.kesl, {
      prerm: 'echo "kesl: removal is locked by a policy" >&2\nexit 1',
    });
    const { bed, harness } = await open([kesl, bedFixtures.keslGui, bedFixtures.hello]);
    const p = await page(harness);
    await scanAndPlan(p);
    const wayOn = p.getByRole('region', { name: 'What to do now' });
    await wayOn.waitFor({ timeout: 60_000 });
    await wayOn.getByRole('heading', { name: `${KESL}: Failed` }).waitFor();
    await wayOn.getByText(/dpkg failed with exit code 1/).waitFor();
    await wayOn.getByRole('button', { name: 'Try again' }).waitFor();
    expect(await p.getByRole('alert').count()).toBeLessThanOrEqual(1);
    await shot(p, '11-failure-way-on');
    expect(dpkgQuery(bed.root).find((r) => r.name === 'kesl')?.status).toMatch(/ok installed$/);

    // Settings: a bad export folder is refused at its field on save (the real check in main).
    await nav(p, 'Settings').click();
    const folder = p.getByLabel(/^Export folder for receipts/);
    await folder.fill(path.join(bed.root, 'etc/hostname'));
    await main(p).getByRole('button', { name: 'Save settings' }).click();
    await main(p).getByText('This is a file, not a folder.').waitFor();
    expect(await folder.getAttribute('aria-invalid')).toBe('true');
    expect(await p.evaluate(() => document.activeElement?.id)).toBe('export-folder');
    await shot(p, '12-settings-field-error');
    // Browse: the chooser's answer (Electron's dialog, here the harness's) fills the field.
    harness.desktop.nextChoice = path.join(bed.root, 'receipts');
    await main(p).getByRole('button', { name: 'Browse for the export folder for receipts' }).click();
    await expect.poll(() => folder.inputValue()).toBe(path.join(bed.root, 'receipts'));
    // Leaving with unsaved changes asks first.
    await nav(p, 'Log').click();
    await p.getByRole('alertdialog', { name: 'Your settings are not saved' }).waitFor();
    await shot(p, '13-unsaved-changes');
    await p.getByRole('button', { name: 'Discard the changes' }).click();
    await p.getByRole('heading', { level: 1, name: 'Log' }).waitFor();
    // Dark theme: a disabled Start looks disabled, with its reason beside it.
    await nav(p, 'Settings').click();
    await p.locator('label[for=theme-dark]').click();
    await main(p).getByRole('button', { name: 'Save settings' }).click();
    await main(p).getByText('Settings saved').waitFor();
    await nav(p, 'Plan').click();
    await main(p).getByRole('button', { name: 'Make the plan again' }).click();
    await p.getByRole('heading', { name: 'Before you start' }).waitFor({ timeout: 60_000 });
    const start = main(p).getByRole('button', { name: /^Start removal/ });
    expect(await start.isDisabled()).toBe(true);
    const colours = await start.evaluate((b) => getComputedStyle(b).backgroundColor);
    const again = main(p).getByRole('button', { name: 'Make the plan again' });
    expect(colours).not.toBe(await again.evaluate((b) => getComputedStyle(b).backgroundColor));
    expect(colours).toBe('rgb(61, 69, 81)');
    await main(p).getByText('Confirm the warnings above to start.').waitFor();
    await shot(p, '14-dark-start-disabled');
  }, 180_000);

  it.skipIf(asNobody !== false)(
    'without administrator rights: scan works, removal is said to be impossible, Start is disabled with the reason beside it',
    async () => {
      const bed = makeDpkgBed([bedFixtures.kesl, bedFixtures.keslGui]);
      osRelease(bed.root);
      const data = tempDir('usable-nobody-data');
      const exports = tempDir('usable-nobody-exports');
      beds.push(bed, data, exports);
      chmodSync(bed.root, 0o755);
      // Its own data and export folders, as a user's would be (Divest refuses a data folder
      // someone else owns).
      chownSync(data.root, 65534, 65534);
      chownSync(exports.root, 65534, 65534);
      const child = spawn(
        '/usr/bin/setpriv',
        [
          '--reuid=65534',
          '--regid=65534',
          '--clear-groups',
          '--',
          process.execPath,
          '--import',
          'tsx',
          'test/e2e/harness-main.ts',
          JSON.stringify({
            dataDir: data.root,
            exportFolder: exports.root,
            hostRoot: bed.root,
            hostOs: 'linux',
          }),
        ],
        { cwd: repo, env: { ...process.env, HOME: data.root }, stdio: ['pipe', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      try {
        const url = await new Promise<string>((resolve, reject) => {
          let out = '';
          child.stdout.on('data', (b: Buffer) => {
            out += b.toString();
            const line = out.split('\n')[0];
            if (out.includes('\n') && line) resolve((JSON.parse(line) as { url: string }).url);
          });
          child.on('exit', (code) => reject(new Error(`the harness as nobody exited ${code}: ${stderr}`)));
        });
        const ctx = await browser.newContext({ viewport: { width: 1024, height: 768 } });
        const p = await ctx.newPage();
        await p.goto(url);
        await main(p)
          .getByText('Removal is not possible with the rights Divest has')
          .waitFor({ timeout: 30_000 });
        await main(p).getByRole('button', { name: 'Scan', exact: true }).click();
        await main(p)
          .getByText(/banned product is installed/)
          .waitFor({ timeout: 60_000 });
        expect(await main(p).getByRole('alert').count()).toBe(0);
        await shot(p, '15-no-rights-scan');
        await main(p).getByRole('button', { name: 'Make the removal plan' }).click();
        await main(p).getByRole('button', { name: 'Make the plan' }).click();
        await p.getByRole('heading', { name: 'Before you start' }).waitFor({ timeout: 60_000 });
        await p.locator('label[for=acknowledge]').click();
        const start = main(p).getByRole('button', { name: /^Start removal/ });
        expect(await start.isDisabled()).toBe(true);
        const reason = main(p).getByText(
          'Removal cannot run here: Divest has no administrator rights and cannot ask for them (see above).',
        );
        await reason.waitFor();
        expect(await start.getAttribute('aria-describedby')).toBe('start-reason');
        await shot(p, '16-no-rights-plan');
        await ctx.close();
        expect(
          dpkgQuery(bed.root)
            .find((r) => r.name === 'kesl')
            ?.abbrev.trim(),
        ).toBe('ii');
      } finally {
        child.stdin.end();
        child.kill();
      }
    },
    180_000,
  );

  it('reflows at 320 CSS px and at 200% zoom: no sideways scrolling, the menu collapses, axe is clean', async () => {
    const { harness } = await open([bedFixtures.kesl, bedFixtures.keslGui, bedFixtures.klnagent64]);
    for (const [label, viewport, scale] of [
      ['320px', { width: 320, height: 640 }, 1],
      ['zoom200', { width: 640, height: 400 }, 2],
    ] as const) {
      const ctx = await browser.newContext({ viewport, deviceScaleFactor: scale });
      const p = await page(harness, ctx);
      const menu = p.getByRole('button', { name: /^Menu: / });
      expect(await menu.isVisible()).toBe(true);
      expect(
        await p
          .getByRole('navigation', { name: 'Steps' })
          .getByRole('button', { name: 'Findings' })
          .isVisible(),
      ).toBe(false);
      const noSideways = async (where: string) => {
        const r = await p.evaluate(() => {
          const w = document.documentElement.clientWidth;
          const wide = [...document.querySelectorAll('body *')]
            .filter((e) => e.getBoundingClientRect().right > w + 1)
            .slice(0, 5)
            .map(
              (e) =>
                `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} ${Math.round(e.getBoundingClientRect().right)}px`,
            );
          return { over: document.documentElement.scrollWidth - w, wide };
        });
        expect(
          r.over,
          `horizontal scrolling on ${where} at ${label}: ${r.wide.join('; ')}`,
        ).toBeLessThanOrEqual(0);
      };
      await noSideways('scan');
      await shot(p, `${label}-01-scan`);
      if ((await main(p).getByRole('button', { name: 'Scan', exact: true }).count()) > 0)
        await main(p).getByRole('button', { name: 'Scan', exact: true }).click();
      await main(p)
        .getByText(/banned products? (is|are) installed/)
        .waitFor({ timeout: 60_000 });
      await noSideways('scan result');
      await shot(p, `${label}-02-scan-done`);
      const go = async (screen: string) => {
        await menu.click();
        expect(await menu.getAttribute('aria-expanded')).toBe('true');
        await nav(p, screen).click();
        await p.getByRole('heading', { level: 1 }).first().waitFor();
      };
      await go('Findings');
      // Summary and next action first; the evidence one click away.
      const next = main(p).getByRole('button', { name: 'Make the removal plan' });
      const box = await next.boundingBox();
      expect(box && box.y + box.height).toBeLessThan(viewport.height * 1.5);
      await main(p)
        .getByText(/^Why it is banned, and the evidence/)
        .first()
        .click();
      await noSideways('findings');
      await shot(p, `${label}-03-findings`);
      await go('Check a receipt');
      await noSideways('check a receipt');
      await shot(p, `${label}-04-audit`);
      await go('Settings');
      await noSideways('settings');
      await shot(p, `${label}-05-settings`);
      await go('Directive library');
      await noSideways('directive library');
      await shot(p, `${label}-06-directives`);
      await ctx.close();
    }
  }, 240_000);
});
