/**
 * Each screen's states (empty, working, error, done, and the rights and protection variants),
 * rendered in jsdom with the real store and `window.divest` from the real `createDivestApi` over a
 * scripted transport (render.tsx).
 */
import { describe, it, expect } from 'vitest';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { buildReceipt } from '../../core/receipt/sign';
import { cleanScanInput } from '../helpers/receipts';
import { heading, renderApp } from './render';
import {
  appInfo,
  keslFinding,
  planResult,
  removalSummary,
  replacement,
  scanResult,
  settings,
} from './fixtures';

const step = <T,>(value: T) => ({ running: false, value, error: null });

describe('Scan', () => {
  it('starts empty, shows live progress, then the summary with the way on', async () => {
    let resolve: (v: unknown) => void = () => undefined;
    const r = renderApp({ scan: () => new Promise((res) => (resolve = res)) as never });
    await heading('Scan');
    await userEvent.click(within(screen.getByRole('main')).getByRole('button', { name: 'Scan' }));
    // Busy, not removed from the tab order: the focus stays on it (WCAG 2.4.3).
    const busy = screen.getByRole('button', { name: 'Scanning…' });
    expect(busy.getAttribute('aria-disabled')).toBe('true');
    expect(document.activeElement).toBe(busy);
    act(() =>
      r.emit('scan:progress', {
        phase: 'running',
        message: 'Reading the dpkg package database…',
        elapsedMs: 420,
        spawns: 1,
        done: 1,
        total: 4,
      }),
    );
    expect(screen.getByText('Reading the dpkg package database… (0 s)')).toBeTruthy();
    const bar = screen.getByLabelText('Scanning: 1 of 4 parts done');
    expect(bar.getAttribute('value')).toBe('1');
    expect(bar.getAttribute('max')).toBe('4');
    await act(async () => resolve({ ok: true, value: scanResult() }));
    const result = await screen.findByText(/^1 banned product is installed: Kaspersky Endpoint Security/);
    expect(document.activeElement).toBe(result);
    expect(screen.getByRole('status', { name: '' }).textContent).toMatch(
      /^Scan finished\. 1 banned product is installed: Kaspersky Endpoint Security/,
    );
    expect(screen.getByRole('button', { name: 'Review the findings' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Make the removal plan' })).toBeTruthy();
  });

  it('says so when nothing is found', async () => {
    renderApp({ scan: { ok: true, value: scanResult([]) } });
    await userEvent.click(within(await screen.findByRole('main')).getByRole('button', { name: 'Scan' }));
    expect(await screen.findByText('Nothing from the catalog was found')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Export a receipt' })).toBeTruthy();
  });

  it('shows an error with a retry', async () => {
    renderApp({ scan: { ok: false, error: { code: 'usage', message: '--host-root /x: no such folder.' } } });
    await userEvent.click(within(await screen.findByRole('main')).getByRole('button', { name: 'Scan' }));
    expect(await screen.findByRole('alert')).toHaveProperty(
      'textContent',
      expect.stringContaining('no such folder'),
    );
    // One alert, one way on, and no command-line flag in what the app says.
    expect(screen.getAllByRole('alert')).toHaveLength(1);
    expect(screen.getByRole('alert').textContent).not.toContain('--host-root');
    expect(screen.getByRole('button', { name: 'Try the scan again' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Scan again' })).toBeNull();
  });

  it('tells a user without rights that removal will ask, or cannot happen', async () => {
    const r = renderApp({
      appInfo: {
        ok: true,
        value: appInfo({
          rights: { admin: false, how: 'running as uid 1000, not root' },
          removal: {
            mode: 'elevated',
            method: 'pkexec',
            explanation: 'Linux will ask for an administrator password (polkit) when you start the removal.',
          },
        }),
      },
    });
    expect(await screen.findByText('You are not running Divest as an administrator')).toBeTruthy();
    expect(screen.getByText(/not administrator/)).toBeTruthy();
    r.unmount();
    renderApp({
      appInfo: {
        ok: true,
        value: appInfo({
          rights: { admin: false, how: 'running as uid 1000, not root' },
          removal: {
            mode: 'unavailable',
            method: 'none',
            explanation: 'Removal needs administrator (root) rights and there is no pkexec.',
          },
        }),
      },
    });
    expect(await screen.findByText('Removal is not possible with the rights Divest has')).toBeTruthy();
  });
});

describe('Findings', () => {
  it('asks for a scan first', async () => {
    renderApp({}, { screen: 'findings' });
    await heading('Findings');
    expect(screen.getByText('No scan yet')).toBeTruthy();
  });

  it('shows each finding with its evidence and the directives, linked to the library', async () => {
    renderApp({}, { screen: 'findings', scan: step(scanResult()) });
    await heading('Findings');
    // What to do first; the evidence one click away.
    expect(screen.getByText('What to do: remove it with the removal plan.')).toBeTruthy();
    await userEvent.click(screen.getByText(/^Why it is banned, and the evidence/));
    expect(screen.getByText('dpkg:/var/lib/dpkg/status#kesl:amd64')).toBeTruthy();
    expect(screen.getByText('Installed package')).toBeTruthy();
    const link = await screen.findByRole('button', { name: /^BOD 17-01/ });
    await userEvent.click(link);
    await heading('Directive library');
    expect(screen.getByRole('heading', { level: 2, name: /^BOD 17-01/ })).toBeTruthy();
  });

  it('says when the scan found nothing', async () => {
    renderApp({}, { screen: 'findings', scan: step(scanResult([])) });
    expect(await screen.findByText('Nothing found')).toBeTruthy();
  });

  it('separates products to review from banned ones', async () => {
    renderApp(
      {},
      { screen: 'findings', scan: step(scanResult([keslFinding({ status: 'review', directives: [] })])) },
    );
    expect(await screen.findByRole('heading', { name: 'To review (not banned)' })).toBeTruthy();
    expect(screen.getByText(/No directive bans this product/)).toBeTruthy();
  });
});

describe('Directive library', () => {
  it('reads without any finding: plain language, timeline, sources as text, UNCONFIRMED marked', async () => {
    renderApp({}, { screen: 'directives' });
    await heading('Directive library');
    expect(await screen.findByRole('heading', { name: 'In plain language' })).toBeTruthy();
    expect(screen.getByRole('list', { name: 'Timeline of BOD 17-01' })).toBeTruthy();
    expect(screen.getByText('12 December 2017', { exact: false })).toBeTruthy();
    const sources = screen.getByRole('list', { name: 'Sources' });
    expect(within(sources).getAllByRole('listitem').length).toBeGreaterThan(3);
    expect(sources.textContent).toMatch(/https:\/\//);
    expect(screen.getAllByText('UNCONFIRMED').length).toBeGreaterThan(0);
    // No link leaves the app: sources are text.
    expect(within(sources).queryAllByRole('link')).toEqual([]);
  });

  it('shows a catalog error', async () => {
    renderApp(
      { catalog: { ok: false, error: { code: 'catalog', message: 'The catalog x.json is not valid' } } },
      { screen: 'directives' },
    );
    expect(await screen.findByText('The catalog could not be used')).toBeTruthy();
  });
});

describe('Plan', () => {
  it('offers to make the plan', async () => {
    renderApp({}, { screen: 'plan' });
    await heading('Removal plan');
    expect(screen.getByRole('button', { name: 'Make the plan' })).toBeTruthy();
  });

  it('keeps Start disabled until the warnings are acknowledged, then sends the plan id only', async () => {
    const r = renderApp(
      { remove: { ok: true, value: removalSummary(0) } },
      { screen: 'plan', plan: step(planResult()) },
    );
    await heading('Removal plan');
    expect(screen.getByText('Before you start')).toBeTruthy();
    expect(screen.getByText('/usr/bin/dpkg --purge kesl')).toBeTruthy();
    expect(screen.getByText('UNCONFIRMED')).toBeTruthy();
    const start = screen.getByRole('button', { name: 'Start removal' });
    expect(start).toHaveProperty('disabled', true);
    await userEvent.click(screen.getByLabelText(/I have read the warnings/));
    expect(start).toHaveProperty('disabled', false);
    await userEvent.click(start);
    await heading('Remove');
    const call = r.calls.find((c) => c.method === 'remove');
    expect(call?.request).toEqual({ planId: '0123456789abcdef', acknowledged: true, manualDone: [] });
  });

  it('asks for the uninstall password of protected products and reports manual steps done', async () => {
    const r = renderApp(
      { remove: { ok: true, value: removalSummary(0) } },
      { screen: 'plan', plan: step(planResult({ credentials: true, manual: true })) },
    );
    await heading('Removal plan');
    await userEvent.type(screen.getByLabelText('Password'), 's3cret');
    await userEvent.click(screen.getByLabelText(/^I have done this by hand/));
    await userEvent.click(screen.getByLabelText(/I have read the warnings/));
    await userEvent.click(screen.getByRole('button', { name: 'Start removal' }));
    await waitFor(() => expect(r.calls.some((c) => c.method === 'remove')).toBe(true));
    expect(r.calls.find((c) => c.method === 'remove')?.request).toEqual({
      planId: '0123456789abcdef',
      acknowledged: true,
      manualDone: ['s2'],
      credentials: { password: 's3cret', login: 'KLAdmin' },
    });
  });

  it('cannot start where removal is impossible, and says nothing to remove when empty', async () => {
    const r = renderApp(
      {
        appInfo: {
          ok: true,
          value: appInfo({
            rights: { admin: false, how: 'uid 1000' },
            removal: { mode: 'unavailable', method: 'none', explanation: 'No way to get rights.' },
          }),
        },
      },
      { screen: 'plan', plan: step(planResult()) },
    );
    await screen.findByText('Removal is not possible with the rights Divest has');
    await userEvent.click(screen.getByLabelText(/I have read the warnings/));
    expect(screen.getByRole('button', { name: 'Start removal' })).toHaveProperty('disabled', true);
    r.unmount();
    renderApp({}, { screen: 'plan', plan: step(planResult({ empty: true })) });
    expect(await screen.findByText('Nothing to remove')).toBeTruthy();
  });
});

describe('Remove', () => {
  it('is empty before a removal', async () => {
    renderApp({}, { screen: 'remove' });
    expect(await screen.findByText('No removal has run')).toBeTruthy();
  });

  it('shows live steps and output, offers to stop, then the verdict', async () => {
    let resolve: (v: unknown) => void = () => undefined;
    const r = renderApp(
      {
        remove: () => new Promise((res) => (resolve = res)) as never,
        cancelRemove: { ok: true, value: { cancelling: true, message: 'Stopping' } },
      },
      { screen: 'plan', plan: step(planResult()) },
    );
    await userEvent.click(await screen.findByLabelText(/I have read the warnings/));
    await userEvent.click(screen.getByRole('button', { name: 'Start removal' }));
    await heading('Remove');
    act(() => {
      r.emit('remove:progress', { type: 'phase', phase: 'running', message: 'Running the removal plan.' });
      r.emit('remove:progress', {
        type: 'step-started',
        stepId: 's1',
        title: 'Remove KESL',
        attempt: 1,
        position: 1,
        of: 1,
        timeoutMs: 600_000,
      });
      r.emit('remove:progress', {
        type: 'step-output',
        stepId: 's1',
        stream: 'stdout',
        text: 'Removing kesl (12.1.0-1234) ...\n',
      });
    });
    expect(screen.getByText('Running…')).toBeTruthy();
    // The raw output is shown, never a live region.
    const output = screen.getByLabelText('Uninstaller output');
    expect(output.textContent).toContain('Removing kesl');
    expect(output.closest('[aria-live],[role=log],[role=status]')).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Stop after the current step' }));
    expect(r.calls.some((c) => c.method === 'cancelRemove')).toBe(true);
    const stopAfter = screen.getByRole('button', { name: 'Stop after the current step' });
    expect(stopAfter.getAttribute('aria-disabled')).toBe('true');
    expect(
      screen.getByText(/^Stopping after the current step: the running uninstaller is left to finish/),
    ).toBeTruthy();
    await act(async () => resolve({ ok: true, value: removalSummary(0) }));
    expect(
      await within(screen.getByRole('main')).findByText(/^Removed, but this machine is now UNPROTECTED/),
    ).toBeTruthy();
  });

  it('says when removal failed, or needs a restart', async () => {
    const r = renderApp(
      {},
      { screen: 'remove', plan: step(planResult()), removal: step(removalSummary(30)) },
    );
    const main = within(await screen.findByRole('main'));
    expect(await main.findByText(/^Removal incomplete: step 1 of 1 \(Remove KESL\) failed/)).toBeTruthy();
    r.unmount();
    renderApp({}, { screen: 'remove', plan: step(planResult()), removal: step(removalSummary(20)) });
    expect(
      await within(await screen.findByRole('main')).findByText(
        /^Restart needed: the removal finishes after this machine restarts/,
      ),
    ).toBeTruthy();
  });

  it('explains an elevation refusal', async () => {
    renderApp(
      {},
      {
        screen: 'remove',
        removal: {
          running: false,
          value: null,
          error: { code: 'elevation-failed', message: 'Nothing was removed.' },
        },
      },
    );
    expect(await screen.findByText('Administrator rights were not granted')).toBeTruthy();
  });
});

describe('Verify', () => {
  it('offers a rescan, then lists leftovers with how to clear them', async () => {
    const s = removalSummary(0);
    renderApp(
      { verify: { ok: true, value: { scan: s.after, leftovers: s.leftovers, stillInstalled: [] } } },
      { screen: 'verify' },
    );
    await userEvent.click(await screen.findByRole('button', { name: 'Rescan now' }));
    expect(await screen.findByText('No banned software is installed')).toBeTruthy();
    expect(screen.getByText('Delete /var/log/kaspersky.')).toBeTruthy();
  });

  it('says loudly what is still installed', async () => {
    renderApp(
      {},
      {
        screen: 'verify',
        verify: step({ scan: scanResult(), leftovers: [], stillInstalled: [keslFinding()] }),
      },
    );
    expect(await screen.findByText('Banned software is still installed')).toBeTruthy();
  });
});

describe('Replace', () => {
  it('checks protection on request', async () => {
    renderApp({ checkReplacement: { ok: true, value: replacement('active') } }, { screen: 'replace' });
    await userEvent.click(await screen.findByRole('button', { name: 'Check protection' }));
    expect(await screen.findByRole('heading', { name: 'Protected: ClamAV is active' })).toBeTruthy();
  });

  it('shows UNPROTECTED loudly, also in the navigation', async () => {
    renderApp({}, { screen: 'replace', replacement: step(replacement('not-installed')) });
    expect(await screen.findByRole('heading', { name: 'UNPROTECTED: ClamAV is not installed' })).toBeTruthy();
    expect(within(screen.getByRole('navigation', { name: 'Steps' })).getByText('UNPROTECTED')).toBeTruthy();
  });
});

describe('Receipt', () => {
  it('asks for a scan when there is nothing to put in a receipt', async () => {
    renderApp(
      { previewReceipt: { ok: false, error: { code: 'nothing-to-receipt', message: 'no scan' } } },
      { screen: 'receipt' },
    );
    expect(await screen.findByText('Scan first')).toBeTruthy();
  });

  it('exports and checks receipts', async () => {
    const preview = {
      receipt: buildReceipt({
        ...cleanScanInput(),
        id: '3b241101-e2bb-4255-8caf-4136c566a962',
        kind: 'removal',
        operator: { account: { user: 'dana', admin: true } },
        findingsBefore: [keslFinding()],
      }),
      keyFingerprint: `SHA256:${'c'.repeat(64)}`,
    };
    const r = renderApp(
      {
        previewReceipt: { ok: true, value: preview },
        exportReceipt: {
          ok: true,
          value: {
            receiptId: preview.receipt.id,
            kind: 'removal',
            keyFingerprint: preview.keyFingerprint,
            folder: '/tmp/r',
            files: { json: '/tmp/r/x.json', html: '/tmp/r/x.html', pdf: '/tmp/r/x.pdf' },
            journalIntact: true,
          },
        },
        verifyReceipt: (req) =>
          (req as { text: string }).text.includes('tampered')
            ? {
                ok: true,
                value: {
                  valid: false,
                  signature: { valid: false, trust: null, fingerprint: null },
                  problems: ['the signature does not match the content'],
                  fingerprint: null,
                  attests: null,
                },
              }
            : {
                ok: true,
                value: {
                  valid: true,
                  signature: {
                    valid: true,
                    trust: 'self-asserted' as const,
                    fingerprint: preview.keyFingerprint,
                  },
                  problems: [],
                  fingerprint: preview.keyFingerprint,
                  attests: null,
                },
              },
      },
      { screen: 'receipt' },
    );
    expect(await screen.findByText('No operator name')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Export the receipt' }));
    expect(await screen.findByText('/tmp/r/x.pdf')).toBeTruthy();
    expect(r.calls.find((c) => c.method === 'exportReceipt')?.request).toEqual({
      formats: ['json', 'html', 'pdf'],
    });
    // Checking a receipt is its own place (the auditor's view).
    await userEvent.click(screen.getByRole('button', { name: 'Check it on its own screen' }));
    await heading('Check a receipt');
    const input = screen.getByLabelText('Receipt file (JSON)');
    await userEvent.upload(input, new File(['{"ok":1}'], 'r.json', { type: 'application/json' }));
    await userEvent.click(screen.getByRole('button', { name: 'Check the receipt' }));
    expect(await screen.findByText('Signature: valid, but the key is only self-asserted')).toBeTruthy();
    await userEvent.upload(input, new File(['tampered'], 'r.json', { type: 'application/json' }));
    await userEvent.click(screen.getByRole('button', { name: 'Check the receipt' }));
    expect(await screen.findByText('Signature: INVALID — do not trust this receipt')).toBeTruthy();
    expect(screen.getByText('the signature does not match the content')).toBeTruthy();
  });
});

describe('Log', () => {
  const entry = {
    line: 1,
    seq: 1,
    at: '2026-11-22T10:00:00.000Z',
    type: 'scan.started',
    hash: 'd'.repeat(64),
    summary: 'Scan started (scan)',
  };
  it('lists events and says the chain is intact', async () => {
    renderApp(
      {
        readJournal: {
          ok: true,
          value: {
            file: '/j',
            report: {
              intact: true,
              length: 1,
              head: { seq: 1, hash: 'd'.repeat(64), line: 1 },
              problems: [],
            },
            total: 1,
            events: [entry],
          },
        },
      },
      { screen: 'log' },
    );
    expect(await screen.findByText('Chain intact')).toBeTruthy();
    expect(screen.getByText('Scan started (scan)')).toBeTruthy();
  });

  it('names each problem of a broken chain', async () => {
    renderApp(
      {
        readJournal: {
          ok: true,
          value: {
            file: '/j',
            report: {
              intact: false,
              length: 2,
              head: null,
              problems: [{ line: 2, kind: 'hash-mismatch', message: 'line 1 was changed' }],
            },
            total: 1,
            events: [entry],
          },
        },
      },
      { screen: 'log' },
    );
    expect(await screen.findByText('Chain BROKEN')).toBeTruthy();
    expect(screen.getByText(/Line 2: line 1 was changed/)).toBeTruthy();
  });

  it('is empty before the first scan', async () => {
    renderApp(
      {
        readJournal: {
          ok: true,
          value: {
            file: '/j',
            report: { intact: true, length: 0, head: null, problems: [] },
            total: 0,
            events: [],
          },
        },
      },
      { screen: 'log' },
    );
    expect(await screen.findByText('Nothing recorded yet')).toBeTruthy();
  });
});

describe('Settings', () => {
  it('saves the operator and applies the theme', async () => {
    const r = renderApp(
      { setSettings: (req) => ({ ok: true, value: settings(req as object) }) },
      { screen: 'settings' },
    );
    await userEvent.type(await screen.findByLabelText('Operator name'), 'Dana');
    await userEvent.click(screen.getByLabelText('Dark'));
    await userEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(await screen.findByText('Settings saved')).toBeTruthy();
    expect(r.calls.find((c) => c.method === 'setSettings')?.request).toMatchObject({
      operatorName: 'Dana',
      theme: 'dark',
    });
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe('dark'));
  });

  it('shows a refused catalog', async () => {
    renderApp(
      { setSettings: { ok: false, error: { code: 'catalog', message: 'not a Divest catalog' } } },
      { screen: 'settings' },
    );
    await userEvent.click(await screen.findByRole('button', { name: 'Save settings' }));
    expect(await screen.findByText('not a Divest catalog')).toBeTruthy();
  });
});

describe('Navigation', () => {
  it('follows the menu (app:navigate) and focuses the new screen’s heading', async () => {
    const r = renderApp();
    await heading('Scan');
    act(() => r.emit('app:navigate', { screen: 'log' }));
    const h = await heading('Log');
    expect(document.activeElement).toBe(h);
  });
});
