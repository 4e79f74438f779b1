/**
 * Reflow and rights (issue 12), in real Chromium over the real handlers and engine:
 *
 * - 320 CSS px and 200% zoom (WCAG 1.4.10): no horizontal scrolling on any screen walked, the
 *   navigation collapsed behind "Menu" (USWDS side navigation on mobile), summary and next action
 *   first, axe without serious or critical violations;
 * - no administrator rights, for real: the harness runs as `nobody`, who may read the bed but not
 *   write its package database; the scan works, Start is disabled with the reason beside it.
 *
 * Screenshots: test-results/screenshots/narrow-*.png.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bedFixtures, dpkgQuery, makeDpkgBed, tempDir } from '../beds/linux';
import { chromiumSkip } from './support';
import { Walks, main, nav, osRelease } from './usable-support';

const skip = chromiumSkip();
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The no-rights walk runs the harness as `nobody`, which only root can arrange. */
const asNobody =
  process.getuid?.() === 0 && existsSync('/usr/bin/setpriv')
    ? false
    : 'not root, or no setpriv: cannot run as nobody';

describe.skipIf(skip !== false)('reflow and rights, in Chromium over the real engine', () => {
  const w = new Walks('narrow');
  beforeAll(() => w.setUp(), 120_000);
  afterAll(() => w.tearDown());

  it.skipIf(asNobody !== false)(
    'without administrator rights: scan works, removal is said to be impossible, Start is disabled with the reason beside it',
    async () => {
      const bed = makeDpkgBed([bedFixtures.kesl, bedFixtures.keslGui]);
      osRelease(bed.root);
      const data = tempDir('usable-nobody-data');
      const exports = tempDir('usable-nobody-exports');
      w.beds.push(bed, data, exports);
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
        const ctx = await w.browser.newContext({ viewport: { width: 1024, height: 768 } });
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
        await w.shot(p, '15-no-rights-scan');
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
        await w.shot(p, '16-no-rights-plan');
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
    const { harness } = await w.open([bedFixtures.kesl, bedFixtures.keslGui, bedFixtures.klnagent64]);
    for (const [label, viewport, scale] of [
      ['320px', { width: 320, height: 640 }, 1],
      ['zoom200', { width: 640, height: 400 }, 2],
    ] as const) {
      const ctx = await w.browser.newContext({ viewport, deviceScaleFactor: scale });
      const p = await w.page(harness.url, ctx);
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
      await w.shot(p, `${label}-01-scan`);
      if ((await main(p).getByRole('button', { name: 'Scan', exact: true }).count()) > 0)
        await main(p).getByRole('button', { name: 'Scan', exact: true }).click();
      await main(p)
        .getByText(/banned products? (is|are) installed/)
        .waitFor({ timeout: 60_000 });
      await noSideways('scan result');
      await w.shot(p, `${label}-02-scan-done`);
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
      await w.shot(p, `${label}-03-findings`);
      await go('Check a receipt');
      await noSideways('check a receipt');
      await w.shot(p, `${label}-04-audit`);
      await go('Settings');
      await noSideways('settings');
      await w.shot(p, `${label}-05-settings`);
      await go('Directive library');
      await noSideways('directive library');
      await w.shot(p, `${label}-06-directives`);
      await ctx.close();
    }
  }, 240_000);
});
