/**
 * Usable under a deadline and by everyone (issue 12), in real Chromium over the real handlers and
 * engine, on real dpkg beds:
 *
 * - a hung uninstaller: step k of n, time against its limit, "no output for N s", then "Stop this
 *   uninstaller now" kills its process group; a way on per product; then "Stop after the current
 *   step", a reopened app offers to continue, and continuing finishes the removal;
 * - a removal that fails: the product by name, its cause, Try again; errors at the field in
 *   Settings, Browse, the unsaved-changes question, a disabled Start in the dark theme;
 * - what the one live region announced, recorded as it changed, and focus moved to results.
 *
 * Every state is photographed into test-results/screenshots/usable-*.png and checked with axe.
 * Narrow widths, zoom and no rights: narrow.test.ts.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bedFixtures, dpkgQuery, processesInRoot, slowWhenMarkerPrerm, withDebScripts } from '../beds/linux';
import { chromiumSkip } from './support';
import { AGENT, KESL, Walks, announced, main, nav, scanAndPlan } from './usable-support';

const skip = chromiumSkip();

describe.skipIf(skip !== false)('usable under a deadline, in Chromium over the real engine', () => {
  const w = new Walks('usable');
  beforeAll(() => w.setUp(), 120_000);
  afterAll(() => w.tearDown());

  // Twice in full runs on this 2-core machine (never alone) the retried step was not seen running
  // within 30 s; the wait is longer now, and one retry (a fresh bed and harness) covers the load.
  it(
    'a hung uninstaller: time and silence, stop it now, a way on; stop after a step, reopen, continue',
    { retry: 1, timeout: 300_000 },
    async () => {
      // Slow while the marker file exists, in prerm and postrm alike: after the first kill, dpkg
      // purges the half-removed package through its postrm, which then is slow too.
      const kesl = withDebScripts(bedFixtures.kesl, {
        prerm: `echo "kesl: stopping the protection services"\n${slowWhenMarkerPrerm('hang')}`,
        postrm: `${slowWhenMarkerPrerm('hang')}\n${bedFixtures.kesl.debScripts.postrm}`,
      });
      const { bed, harness } = await w.open(
        [kesl, bedFixtures.keslGui, bedFixtures.klnagent64, bedFixtures.hello],
        {
          silenceNoteMs: 3000,
        },
      );
      writeFileSync(path.join(bed.root, 'hang'), '300\n');
      const p = await w.page(harness.url);
      await w.shot(p, '01-first-screen');

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
      await w.shot(p, '02-plan-start-disabled');
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
      await w.shot(p, '03-scan-during-removal');
      await nav(p, 'Remove').click();
      await w.shot(p, '04-hung-uninstaller');
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
      await w.shot(p, '05-stop-now-confirm');
      await main(p).getByRole('button', { name: 'Yes, stop it now' }).click();
      const wayOn = p.getByRole('region', { name: 'What to do now' });
      await wayOn.waitFor({ timeout: 30_000 });
      await wayOn.getByRole('heading', { name: `${KESL}: Failed` }).waitFor();
      await wayOn.getByRole('heading', { name: `${AGENT}: Not run` }).waitFor();
      await wayOn.getByText(/^Stopped by the operator/).waitFor();
      expect(await wayOn.getByText(/kaspersky-network-agent|kaspersky-endpoint-security-linux/).count()).toBe(
        0,
      );
      await w.shot(p, '06-stopped-way-on');
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

      // Try again, this time "Stop after the current step" while step 1 runs (15 s).
      writeFileSync(path.join(bed.root, 'hang'), '15\n'); // long enough to be seen running on a loaded machine
      await wayOn.getByRole('button', { name: 'Try again' }).click();
      await p.getByRole('heading', { name: 'Before you start' }).waitFor({ timeout: 60_000 });
      await p.locator('label[for=acknowledge]').click();
      await main(p)
        .getByRole('button', { name: /^Start removal/ })
        .click();
      // Under the full suite's load the re-check before the retried step can take long.
      await main(p)
        .getByText(/^Running for \d+ s of 10 min 00 s allowed/)
        .waitFor({ timeout: 90_000 });
      await main(p).getByRole('button', { name: 'Stop after the current step' }).click();
      await main(p)
        .getByText(/^Stopping after the current step: the running uninstaller is left to finish/)
        .waitFor();
      await w.shot(p, '07-stop-after-step');
      await main(p)
        .getByRole('heading', { name: `${AGENT}: Not run` })
        .waitFor({ timeout: 60_000 });
      unlinkSync(path.join(bed.root, 'hang'));

      // Reopened: the unfinished removal is offered on the first screen.
      const again = await w.page(harness.url);
      await main(again).getByText('A removal did not finish').waitFor();
      await main(again)
        .getByText(new RegExp(`^Removal of ${KESL}, ${AGENT} was stopped before step 2 of 2`))
        .waitFor();
      await w.shot(again, '08-resume-banner');
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
      await w.shot(again, '09-continued-removed');
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
      await w.shot(again, '10-history');
    },
  );

  it('a removal that fails: the product by name, the cause, Try again', async () => {
    const kesl = withDebScripts(bedFixtures.kesl, {
      prerm: 'echo "kesl: removal is locked by a policy" >&2\nexit 1',
    });
    const { bed, harness } = await w.open([kesl, bedFixtures.keslGui, bedFixtures.hello]);
    const p = await w.page(harness.url);
    await scanAndPlan(p);
    const wayOn = p.getByRole('region', { name: 'What to do now' });
    await wayOn.waitFor({ timeout: 60_000 });
    await wayOn.getByRole('heading', { name: `${KESL}: Failed` }).waitFor();
    await wayOn.getByText(/dpkg failed with exit code 1/).waitFor();
    await wayOn.getByRole('button', { name: 'Try again' }).waitFor();
    expect(await p.getByRole('alert').count()).toBeLessThanOrEqual(1);
    await w.shot(p, '11-failure-way-on');
    expect(dpkgQuery(bed.root).find((r) => r.name === 'kesl')?.status).toMatch(/ok installed$/);

    // Settings: a bad export folder is refused at its field on save (the real check in main).
    await nav(p, 'Settings').click();
    const folder = p.getByLabel(/^Export folder for receipts/);
    await folder.fill(path.join(bed.root, 'etc/hostname'));
    await main(p).getByRole('button', { name: 'Save settings' }).click();
    await main(p).getByText('This is a file, not a folder.').waitFor();
    expect(await folder.getAttribute('aria-invalid')).toBe('true');
    expect(await p.evaluate(() => document.activeElement?.id)).toBe('export-folder');
    await w.shot(p, '12-settings-field-error');
    // Browse: the chooser's answer (Electron's dialog, here the harness's) fills the field.
    harness.desktop.nextChoice = path.join(bed.root, 'receipts');
    await main(p).getByRole('button', { name: 'Browse for the export folder for receipts' }).click();
    await expect.poll(() => folder.inputValue()).toBe(path.join(bed.root, 'receipts'));
    // Leaving with unsaved changes asks first.
    await nav(p, 'Log').click();
    await p.getByRole('alertdialog', { name: 'Your settings are not saved' }).waitFor();
    await w.shot(p, '13-unsaved-changes');
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
    // Compared with an ENABLED button: while the plan is still being made, "again" is disabled too.
    for (let i = 0; i < 300 && !(await again.isEnabled()); i++) await p.waitForTimeout(100);
    expect(await again.isEnabled()).toBe(true);
    expect(colours).not.toBe(await again.evaluate((b) => getComputedStyle(b).backgroundColor));
    expect(colours).toBe('rgb(61, 69, 81)');
    await main(p).getByText('Confirm the warnings above to start.').waitFor();
    await w.shot(p, '14-dark-start-disabled');
  }, 180_000);
});
