/**
 * The states issue 12 and issue 9 added to the screens: resume offered on the first screen, a
 * hung uninstaller's time and silence, stopping it now, a way on after a failure, the auditor's
 * view on a machine that never scanned, history, errors at the field, unsaved changes, the step
 * indicator from the journal, and the one live region's words. Real store, real contract API
 * over a scripted transport (render.tsx).
 */
import { describe, it, expect } from 'vitest';
import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { HistoryView, RemovalSummary, StatusView } from '../../core/api';
import { heading, renderApp } from './render';
import { appInfo, planResult, removalSummary, verdictFor } from './fixtures';

const step = <T,>(value: T) => ({ running: false, value, error: null });
const announced = () => document.getElementById('announcer')?.textContent ?? '';

const KESL = 'Kaspersky Endpoint Security for Linux';
const AGENT = 'Kaspersky Security Center Network Agent';

function openStatus(): StatusView {
  return {
    verdict: verdictFor(30),
    open: {
      planId: '0123456789abcdef',
      products: [KESL],
      state: 'interrupted',
      sentence: `Removal of ${KESL} was interrupted at step 1 of 2 (Remove ${KESL}) on 2026-12-01 14:03 UTC.`,
    },
  };
}

function history(over: Partial<HistoryView> = {}): HistoryView {
  return {
    sessions: [],
    receipts: [],
    scans: 0,
    lastScanAt: null,
    flow: {
      scanned: false,
      planned: false,
      removed: false,
      verified: false,
      protectedNow: false,
      receiptExported: false,
    },
    ...over,
  };
}

describe('Resume is offered, not hidden', () => {
  it('shows the unfinished removal on the first screen, with Continue and Make a new plan', async () => {
    const r = renderApp({
      status: { ok: true, value: openStatus() },
      plan: { ok: true, value: planResult() },
    });
    expect(await screen.findByText('A removal did not finish')).toBeTruthy();
    expect(
      screen.getByText(/^Removal of Kaspersky Endpoint Security for Linux was interrupted at step 1 of 2/),
    ).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Continue the removal' }));
    await heading('Removal plan');
    expect(r.calls.filter((c) => c.method === 'plan').at(-1)?.request).toEqual({});
    await userEvent.click(screen.getByRole('button', { name: /Scan/ }));
    await userEvent.click(await screen.findByRole('button', { name: 'Make a new plan' }));
    expect(r.calls.filter((c) => c.method === 'plan').at(-1)?.request).toEqual({ newPlan: true });
  });

  it('says nothing when the journal has no unfinished removal', async () => {
    renderApp({ status: { ok: true, value: { verdict: verdictFor(0), open: null } } });
    await heading('Scan');
    expect(screen.queryByText('A removal did not finish')).toBeNull();
  });
});

describe('A hung uninstaller', () => {
  it('shows step k of n, time against the limit, the silence once, and stops it now on purpose', async () => {
    const r = renderApp(
      {
        remove: () => new Promise(() => undefined) as never,
        stopRemoveNow: {
          ok: true,
          value: { stopping: true, message: 'Stopping the running uninstaller now: it is killed.' },
        },
      },
      { screen: 'plan', plan: step(planResult({ manual: true })) },
    );
    await userEvent.click(await screen.findByLabelText(/I have read the warnings/));
    await userEvent.click(screen.getByRole('button', { name: 'Start removal' }));
    await heading('Remove');
    const tick = (elapsedMs: number, silentMs: number, note: string | null) =>
      r.emit('remove:progress', {
        type: 'step-tick',
        stepId: 's1',
        position: 1,
        of: 2,
        elapsedMs,
        timeoutMs: 600_000,
        silentMs,
        note,
      });
    act(() => {
      r.emit('remove:progress', {
        type: 'step-started',
        stepId: 's1',
        title: `Remove ${KESL}`,
        attempt: 1,
        position: 1,
        of: 2,
        timeoutMs: 600_000,
      });
      tick(3_000, 3_000, null);
    });
    expect(screen.getByLabelText(`Step 1 of 2: Remove ${KESL}`).getAttribute('max')).toBe('2');
    expect(screen.getByText(/^Running for 3 s of 10 min 00 s allowed/)).toBeTruthy();
    const note =
      'No output for 3 min — the uninstaller may be waiting for input (a window or a prompt on this machine), or hung.';
    act(() => tick(185_000, 180_000, note));
    expect(screen.getByText(/^Running for 3 min 05 s of 10 min 00 s allowed/)).toBeTruthy();
    expect(within(screen.getByRole('main')).getByText(note)).toBeTruthy();
    expect(announced()).toBe(note);
    act(() => tick(186_000, 181_000, note));
    expect(announced()).toBe(note); // not announced again
    const n = document.getElementById('announcer');
    expect(n?.getAttribute('aria-live')).toBe('polite');

    // Stop now: the consequence is said before it happens, then main's answer beside the control.
    await userEvent.click(screen.getByRole('button', { name: 'Stop this uninstaller now' }));
    expect(
      screen.getByText(/the product may be left half-removed, and the step is recorded as stopped by you/),
    ).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Yes, stop it now' }));
    expect(r.calls.find((c) => c.method === 'stopRemoveNow')?.request).toEqual({
      planId: '0123456789abcdef',
    });
    expect(
      await screen.findAllByText('Stopping the running uninstaller now: it is killed.'),
    ).not.toHaveLength(0);
    expect(
      screen.getByRole('button', { name: 'Stop this uninstaller now' }).getAttribute('aria-disabled'),
    ).toBe('true');
  });

  it('announces each step result once, in words', async () => {
    const r = renderApp(
      { remove: () => new Promise(() => undefined) as never },
      { screen: 'plan', plan: step(planResult()) },
    );
    await userEvent.click(await screen.findByLabelText(/I have read the warnings/));
    await userEvent.click(screen.getByRole('button', { name: 'Start removal' }));
    await heading('Remove');
    const result = removalSummary(0).results[0];
    act(() => {
      r.emit('remove:progress', {
        type: 'step-started',
        stepId: 's1',
        title: 'Remove KESL',
        attempt: 1,
        position: 1,
        of: 1,
        timeoutMs: 600_000,
      });
      r.emit('remove:progress', { type: 'step-finished', stepId: 's1', result });
    });
    expect(announced()).toBe('Step 1 of 1, Remove KESL: Removed.');
  });
});

describe('After a failure, a way on', () => {
  function failedTwoProducts(): RemovalSummary {
    const base = removalSummary(30);
    return { ...base, remaining: ['s2'] };
  }
  it('names each product, its state and cause, and offers Try again and Continue with the remaining steps', async () => {
    const plan = planResult({ manual: true });
    const steps = plan.plan.steps.map((s) =>
      s.id === 's2' ? { ...s, productId: 'kaspersky-network-agent', productName: AGENT } : s,
    );
    const r = renderApp(
      { plan: { ok: true, value: { ...plan, plan: { ...plan.plan, steps } } } },
      {
        screen: 'remove',
        plan: step({ ...plan, plan: { ...plan.plan, steps } }),
        removal: step(failedTwoProducts()),
      },
    );
    const way = within(await screen.findByRole('region', { name: 'What to do now' }));
    expect(way.getByRole('heading', { name: `${KESL}: Failed` })).toBeTruthy();
    expect(way.getByText(/^dpkg failed \(1\)\./)).toBeTruthy();
    expect(way.getByRole('heading', { name: `${AGENT}: Not run` })).toBeTruthy();
    expect(way.getByText(/stops at the first step that fails/)).toBeTruthy();
    expect(way.queryByText(/kaspersky-network-agent|\bs2\b/)).toBeNull();
    await userEvent.click(way.getByRole('button', { name: 'Continue with the remaining steps' }));
    await heading('Removal plan');
    expect(r.calls.filter((c) => c.method === 'plan').at(-1)?.request).toEqual({
      only: ['kaspersky-network-agent'],
    });
  });
});

describe("The auditor's view", () => {
  it('is reachable first on a machine that never scanned, and gives two verdicts', async () => {
    renderApp({
      verifyReceipt: {
        ok: true,
        value: {
          valid: true,
          signature: { valid: true, trust: 'pinned', fingerprint: `SHA256:${'a'.repeat(64)}` },
          problems: [],
          fingerprint: `SHA256:${'a'.repeat(64)}`,
          attests: {
            schema: 'divest.receipt/2',
            receiptId: 'r-1',
            kind: 'removal',
            headline:
              'Removal incomplete: interrupted at step 1 of 2; still installed: Kaspersky Endpoint Security for Linux.',
            verdictState: 'removal-incomplete',
            machine: {
              hostname: 'ws-042',
              os: 'linux',
              osVersion: 'Debian 12',
              arch: 'x64',
              machineId: 'm-1',
            },
            operator: { name: 'Dana Operator', organisation: 'Examples', account: 'root (administrator)' },
            issued: {
              utc: '2026-12-01T14:03:00.000Z',
              local: '2026-12-01 09:03',
              timeZone: 'America/New_York',
            },
            directives: ['BOD 17-01: Removal of Kaspersky-branded Products'],
            before: [{ name: KESL, version: '12.1', banned: true, installed: true }],
            actions: [{ title: `Remove ${KESL}`, outcome: 'failed', words: 'FAILED', exitCode: 1 }],
            after: { scanAt: '2026-12-01T14:04:00.000Z', stillInstalled: [KESL], traces: 0, leftovers: 0 },
            protection: { product: 'ClamAV', state: 'inactive', checkedAt: '2026-12-01T14:04:10.000Z' },
            journal: { intact: true, length: 40, headHash: 'f'.repeat(64) },
            catalog: {
              version: '2026.11.1',
              sha256: 'e'.repeat(64),
              channel: null,
              sequence: null,
              stale: null,
            },
            warnings: ['UNPROTECTED: no active antivirus after the removal.'],
          },
        },
      },
    });
    await heading('Scan');
    await userEvent.click(
      within(screen.getByRole('navigation', { name: 'Steps' })).getByRole('button', {
        name: 'Check a receipt',
      }),
    );
    await heading('Check a receipt');
    expect(screen.getByText('Choose the receipt file first.')).toBeTruthy();
    await userEvent.upload(screen.getByLabelText('Receipt file (JSON)'), new File(['{}'], 'r.json'));
    await userEvent.type(screen.getByLabelText(/Expected key fingerprint/), `SHA256:${'a'.repeat(64)}`);
    await userEvent.click(screen.getByRole('button', { name: 'Check the receipt' }));
    expect(await screen.findByText('Signature: valid, made with the key you expected')).toBeTruthy();
    const attests = within(screen.getByRole('region', { name: /^What it attests/ }));
    expect(attests.getByText(/^Removal incomplete: interrupted at step 1 of 2/)).toBeTruthy();
    expect(attests.getByText(/Dana Operator, Examples; ran as root/)).toBeTruthy();
    expect(attests.getByText(/2026-12-01 09:03 \(America\/New_York\); 2026-12-01 14:03:00 UTC/)).toBeTruthy();
    expect(attests.getByText('BOD 17-01: Removal of Kaspersky-branded Products')).toBeTruthy();
    expect(attests.getByText(`Remove ${KESL}: FAILED`)).toBeTruthy();
    expect(attests.getByText(/^Still installed: Kaspersky Endpoint Security for Linux/)).toBeTruthy();
    expect(announced()).toMatch(/^Receipt checked\. Signature valid\. Removal incomplete/);
  });
});

describe('History and the step indicator', () => {
  it('marks the steps the journal shows done, and lists sessions and receipts with Copy', async () => {
    const r = renderApp({
      history: {
        ok: true,
        value: history({
          scans: 2,
          lastScanAt: '2026-12-01T14:00:00.000Z',
          flow: {
            scanned: true,
            planned: true,
            removed: false,
            verified: false,
            protectedNow: false,
            receiptExported: true,
          },
          sessions: [
            {
              planId: '0123456789abcdef',
              products: [KESL],
              steps: 2,
              startedAt: '2026-12-01T14:01:00.000Z',
              status: 'open',
              endedAt: null,
              results: [{ title: `Remove ${KESL}`, outcome: 'FAILED' }],
            },
          ],
          receipts: [
            {
              receiptId: 'r-1',
              kind: 'removal',
              file: '/home/dana/Divest receipts/receipt-r-1.json',
              at: '2026-12-01T14:05:00.000Z',
              keyFingerprint: `SHA256:${'a'.repeat(64)}`,
            },
          ],
        }),
      },
      copyText: { ok: true, value: { copied: true } },
    });
    const nav = within(await screen.findByRole('navigation', { name: 'Steps' }));
    expect(await nav.findByRole('button', { name: /^Scan\s*\(done\)$/ })).toBeTruthy();
    expect(nav.getByRole('button', { name: /^Receipt\s*\(done\)$/ })).toBeTruthy();
    expect(nav.getByRole('button', { name: 'Remove' })).toBeTruthy();
    await userEvent.click(nav.getByRole('button', { name: 'History' }));
    await heading('History');
    expect(screen.getByRole('heading', { name: `${KESL}: Did not finish (interrupted)` })).toBeTruthy();
    expect(screen.getByText('/home/dana/Divest receipts/receipt-r-1.json')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Copy path' }));
    expect(r.calls.find((c) => c.method === 'copyText')?.request).toEqual({
      text: '/home/dana/Divest receipts/receipt-r-1.json',
    });
    expect(await screen.findByText('Copied.')).toBeTruthy();
  });
});

describe('Settings', () => {
  it('shows a problem at its field on save, and saves nothing', async () => {
    const r = renderApp(
      {
        checkSettings: {
          ok: true,
          value: { problems: [{ field: 'exportFolder', message: 'This is a file, not a folder.' }] },
        },
      },
      { screen: 'settings' },
    );
    await userEvent.type(await screen.findByLabelText(/Export folder/), '/etc/hostname');
    await userEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    const field = screen.getByLabelText(/Export folder/);
    expect(await screen.findByText('This is a file, not a folder.')).toBeTruthy();
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(field.getAttribute('aria-describedby')).toBe('export-folder-error');
    expect(document.activeElement).toBe(field);
    expect(r.calls.some((c) => c.method === 'setSettings')).toBe(false);
  });

  it('fills a path from Browse, and asks before unsaved changes are lost', async () => {
    renderApp({ chooseFile: { ok: true, value: { path: '/srv/receipts' } } }, { screen: 'settings' });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Browse for the export folder for receipts' }),
    );
    expect((screen.getByLabelText(/Export folder/) as HTMLInputElement).value).toBe('/srv/receipts');
    expect(screen.getByText('Unsaved changes.')).toBeTruthy();
    await userEvent.click(
      within(screen.getByRole('navigation', { name: 'Steps' })).getByRole('button', { name: 'Log' }),
    );
    expect(await screen.findByRole('alertdialog', { name: 'Your settings are not saved' })).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Stay and save' }));
    await heading('Settings');
    expect((screen.getByLabelText(/Export folder/) as HTMLInputElement).value).toBe('/srv/receipts');
    await userEvent.click(
      within(screen.getByRole('navigation', { name: 'Steps' })).getByRole('button', { name: 'Log' }),
    );
    await userEvent.click(await screen.findByRole('button', { name: 'Discard the changes' }));
    await heading('Log');
  });

  it('says the signing key exists once a receipt was signed', async () => {
    renderApp(
      { appInfo: { ok: true, value: appInfo({ keyFingerprint: `SHA256:${'b'.repeat(64)}` }) } },
      { screen: 'settings' },
    );
    expect(await screen.findByText(`SHA256:${'b'.repeat(64)}`)).toBeTruthy();
    expect(screen.queryByText(/made when the first receipt/)).toBeNull();
  });
});

describe('Scan during a removal', () => {
  it('is disabled with the reason beside it', async () => {
    renderApp({}, { removal: { running: true, value: null, error: null } });
    await heading('Scan');
    const scan = within(screen.getByRole('main')).getByRole('button', { name: 'Scan' });
    expect(scan.getAttribute('aria-disabled')).toBe('true');
    expect(scan.getAttribute('aria-describedby')).toBe('scan-blocked');
    expect(screen.getByText('A removal is running: scan again when it has finished.')).toBeTruthy();
  });
});
