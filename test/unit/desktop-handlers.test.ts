/**
 * The app's handlers for where the machine stands, history, the settings check, Browse, Open
 * folder and Copy, over a real journal in a temporary data folder and the real dispatch (requests
 * and results checked against the contract). Only what Electron alone can answer (the system's
 * chooser, file manager and clipboard) is a recorder; the decisions around it are the handlers'.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type MethodName } from '../../core/api';
import { journalPath, openJournal } from '../../core/journal/journal';
import { SCAN_PROBES, scanHost } from '../../core/scan/scan';
import { loadBuiltInCatalog } from '../../core/catalog/load';
import { NodeCommandRunner } from '../../core/host/runner';
import { describeTick, formatDuration, silenceNote, stepClock } from '../../core/usecases/removal-progress';
import { exportFolderProblem } from '../../core/usecases/settings-check';
import { createHandlers, dispatch, type Handlers } from '../../main/handlers';
import { MemorySettingsStore } from '../helpers/memory-settings';
import { planResult } from '../renderer/fixtures';

let dir: string;
let handlers: Handlers;
let desktop: { next: string | null; opened: string[]; copied: string[] };

const call = async (method: MethodName, request: unknown = {}) => {
  const r = await dispatch(handlers, method, request, { checkResults: true });
  if (!r.ok) throw new Error(`${method}: ${r.error.code}: ${r.error.message}`);
  return r.value as never;
};

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'divest-desktop-'));
  desktop = { next: null, opened: [], copied: [] };
  handlers = createHandlers({
    settings: new MemorySettingsStore({ ...DEFAULT_SETTINGS }),
    dataDir: path.join(dir, 'data'),
    defaultExportFolder: path.join(dir, 'receipts'),
    appVersion: '0.0.0-test',
    emit: () => undefined,
    choosePath: async () => desktop.next,
    openPath: async (f) => {
      desktop.opened.push(f);
      return '';
    },
    writeClipboard: (t) => {
      desktop.copied.push(t);
    },
  });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('status and history from the journal', () => {
  it('offer the interrupted removal in words, and list it as a session with the flow done so far', async () => {
    const plan = planResult({ manual: true }).plan;
    const journal = openJournal(journalPath(path.join(dir, 'data')));
    await journal.append('plan.started', { planId: plan.id, plan });
    await journal.append('step.started', {
      planId: plan.id,
      stepId: 's1',
      argv: ['/usr/bin/dpkg'],
      attempt: 1,
    });
    // ...and the process died here.
    const status = (await call('status')) as { open: { sentence: string; products: string[] } | null };
    expect(status.open?.products).toEqual(['Kaspersky Endpoint Security for Linux']);
    expect(status.open?.sentence).toMatch(
      /^Removal of Kaspersky Endpoint Security for Linux was interrupted at step 1 of 2 \(Remove Kaspersky Endpoint Security for Linux/,
    );
    const h = (await call('history')) as {
      sessions: { status: string; products: string[]; steps: number }[];
      flow: Record<string, boolean>;
    };
    expect(h.sessions).toEqual([
      expect.objectContaining({
        status: 'open',
        steps: 2,
        products: ['Kaspersky Endpoint Security for Linux'],
      }),
    ]);
    expect(h.flow).toMatchObject({ planned: true, removed: false, receiptExported: false });
  });

  it('an empty journal: nothing to resume, no sessions', async () => {
    expect(((await call('status')) as { open: unknown }).open).toBeNull();
    expect(((await call('history')) as { sessions: unknown[] }).sessions).toEqual([]);
  });
});

describe('the settings check', () => {
  it('names each bad field in words; setSettings refuses the same and saves nothing', async () => {
    const file = path.join(dir, 'a-file');
    writeFileSync(file, 'x');
    const r = (await call('checkSettings', {
      exportFolder: path.join(file, 'receipts'),
      catalogPath: path.join(dir, 'missing.json'),
    })) as { problems: { field: string; message: string }[] };
    expect(r.problems).toEqual([
      { field: 'catalogPath', message: 'There is no file at this path.' },
      { field: 'exportFolder', message: `${file} is a file, so the folder cannot be made.` },
    ]);
    const bad = (await call('checkSettings', { catalogPath: file })) as { problems: { message: string }[] };
    expect(bad.problems[0]?.message).toMatch(/^This file is not a catalog Divest can use: /);
    const saved = await dispatch(handlers, 'setSettings', { exportFolder: file });
    expect(saved).toMatchObject({
      ok: false,
      error: { code: 'invalid-input', message: 'exportFolder: This is a file, not a folder.' },
    });
    expect(((await call('getSettings')) as { exportFolder: string }).exportFolder).toBe('');
    expect(
      (
        (await call('checkSettings', { exportFolder: path.join(dir, 'new', 'deeper') })) as {
          problems: unknown[];
        }
      ).problems,
    ).toEqual([]);
    expect(exportFolderProblem('relative/folder')).toMatch(/full path/);
  });

  it('a folder Divest may not write into (as a user without rights to it)', () => {
    if (process.getuid?.() === 0) return; // root may write anywhere: nothing to refuse
    const locked = path.join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    expect(exportFolderProblem(locked)).toBe('Divest may not write into this folder.');
  });
});

describe('Browse, Open folder, Copy', () => {
  it('Browse returns the chosen folder after the save checks; a cancel is null', async () => {
    desktop.next = path.join(dir, 'chosen');
    expect(await call('chooseFile', { purpose: 'export-folder' })).toEqual({
      path: path.join(dir, 'chosen'),
    });
    const file = path.join(dir, 'f');
    writeFileSync(file, '');
    desktop.next = file;
    expect(await dispatch(handlers, 'chooseFile', { purpose: 'export-folder' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-input', message: 'This is a file, not a folder.' },
    });
    desktop.next = null;
    expect(await call('chooseFile', { purpose: 'catalog' })).toEqual({ path: null });
  });

  it('Open folder opens only the folders Divest writes, and says when one does not exist yet', async () => {
    expect(await call('openFolder', { which: 'export-folder' })).toMatchObject({
      opened: false,
      message: 'The folder does not exist yet: it is made with the first exported receipt.',
    });
    mkdirSync(path.join(dir, 'receipts'));
    expect(await call('openFolder', { which: 'export-folder' })).toMatchObject({ opened: true });
    expect(desktop.opened).toEqual([path.join(dir, 'receipts')]);
    expect(await dispatch(handlers, 'openFolder', { which: '/etc' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
  });

  it('Copy puts the text on the clipboard; stop-now without a running removal says so', async () => {
    expect(await call('copyText', { text: 'SHA256:abc' })).toEqual({ copied: true });
    expect(desktop.copied).toEqual(['SHA256:abc']);
    expect(await call('stopRemoveNow', { planId: '0123456789abcdef' })).toEqual({
      stopping: false,
      message: 'No removal of this plan is running.',
    });
  });
});

describe('progress words and the scan hook', () => {
  it('formats time against the limit and says a long silence', () => {
    expect(formatDuration(45_000)).toBe('45 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(silenceNote(59_000)).toBeNull();
    expect(silenceNote(180_000)).toMatch(/^No output for 3 min — the uninstaller may be waiting for input/);
    expect(
      describeTick({
        stepId: 's1',
        title: 'Remove KESL',
        position: 1,
        of: 2,
        elapsedMs: 45_000,
        timeoutMs: 600_000,
        silentMs: 1000,
        note: null,
      }),
    ).toBe('Step 1 of 2: Remove KESL — running for 45 s of 10 min 00 s allowed');
  });

  it('the clock ticks only while a step runs, and output resets the silence', async () => {
    const plan = planResult().plan;
    let t = 0;
    const ticks: number[] = [];
    const clock = stepClock(plan, (x) => ticks.push(x.silentMs), { intervalMs: 10, now: () => t });
    const step = plan.steps[0]!;
    clock.onEvent({ type: 'step-started', step, attempt: 1 });
    t = 5000;
    await new Promise((r) => setTimeout(r, 30));
    clock.onEvent({ type: 'step-output', stepId: step.id, stream: 'stdout', text: 'x' });
    t = 6000;
    await new Promise((r) => setTimeout(r, 30));
    clock.onEvent({
      type: 'step-finished',
      step,
      result: { stepId: step.id } as never,
    });
    const n = ticks.length;
    await new Promise((r) => setTimeout(r, 30));
    expect(ticks.length).toBe(n);
    expect(ticks).toContain(5000);
    expect(ticks.at(-1)).toBe(1000);
  });

  it('a scan reports its parts done of total', async () => {
    const root = path.join(dir, 'image');
    mkdirSync(path.join(root, 'etc'), { recursive: true });
    const seen: string[] = [];
    await scanHost({
      catalog: loadBuiltInCatalog(),
      runner: new NodeCommandRunner(),
      hostRoot: root,
      hostOs: 'linux',
      appVersion: '0',
      onProgress: (p) => seen.push(`${p.done}/${p.total} ${p.probe}`),
    });
    expect(seen).toHaveLength(4);
    expect(seen.at(-1)).toBe(`4/4 ${SCAN_PROBES.match}`);
    expect(new Set(seen.map((s) => s.slice(4)))).toEqual(new Set(Object.values(SCAN_PROBES)));
  });
});
