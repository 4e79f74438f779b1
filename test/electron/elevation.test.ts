/**
 * Removal without administrator rights in the UI: the elevation commands for each OS, and the
 * real helper process (main/remove-worker.ts, run as test/electron/worker-main.ts) removing real
 * dpkg packages through the real file protocol of ElevatedRemover. Only the OS prompt itself is
 * left out (the tests run the helper's command directly); this machine runs them as root.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SETTINGS, type RemoveProgress } from '../../core/api';
import { loadBuiltInCatalog } from '../../core/catalog/load';
import { NodeCommandRunner } from '../../core/host/runner';
import { journalPath, openJournal } from '../../core/journal/journal';
import { ElevatedRemover, appleScriptQuote, elevatedArgv, psQuote, removalMode } from '../../main/elevate';
import { DivestError } from '../../core/errors';
import { openWorkspace } from '../../core/usecases/workspace';
import { createHandlers } from '../../main/handlers';
import { MemorySettingsStore } from '../helpers/memory-settings';
import { WORKER_FLAG } from '../../main/remove-worker';
import type { Bed } from '../beds/linux';
import { activateClamav, bedFixtures, dpkgQuery, makeDpkgBed, skipReason, tempDir } from '../beds/linux';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('elevation commands', () => {
  const cmd = ['/opt/Divest/divest', '--no-sandbox', WORKER_FLAG, "/tmp/it's here/request.json"];
  it('Linux: pkexec with the argv as is, or nothing without pkexec', () => {
    expect(elevatedArgv('linux', cmd, {}, (p) => p === '/usr/bin/pkexec')).toEqual([
      '/usr/bin/pkexec',
      ...cmd,
    ]);
    expect(elevatedArgv('linux', cmd, {}, () => false)).toBeNull();
  });
  it('Windows: UAC through Start-Process -Verb RunAs, every argument a quoted literal', () => {
    const argv = elevatedArgv(
      'windows',
      ['C:\\Program Files\\Divest\\Divest.exe', WORKER_FLAG, "C:\\Temp\\o'brien\\r.json"],
      { SystemRoot: 'C:\\Windows' },
    );
    expect(argv?.[0]).toBe('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe');
    expect(argv?.slice(1, 6)).toEqual([
      '-NoProfile',
      '-NonInteractive',
      '-ExecutionPolicy',
      'Bypass',
      '-EncodedCommand',
    ]);
    const script = Buffer.from(argv?.[6] ?? '', 'base64').toString('utf16le');
    expect(script).toContain(
      "Start-Process -FilePath 'C:\\Program Files\\Divest\\Divest.exe' -ArgumentList @('--divest-remove-worker','C:\\Temp\\o''brien\\r.json') -Verb RunAs -Wait -PassThru",
    );
    expect(script).toContain('exit $p.ExitCode');
    expect(psQuote("a'b")).toBe("'a''b'");
  });
  it('macOS: osascript with administrator privileges, arguments passed as argv and quoted by AppleScript', () => {
    const argv = elevatedArgv('macos', cmd);
    expect(argv?.slice(0, 7)).toEqual([
      '/usr/bin/osascript',
      '-e',
      'on run argv',
      '-e',
      'do shell script (quoted form of item 1 of argv & " " & quoted form of item 2 of argv & " " & quoted form of item 3 of argv & " " & quoted form of item 4 of argv) with administrator privileges',
      '-e',
      'end run',
    ]);
    expect(argv?.slice(7)).toEqual(cmd);
    expect(appleScriptQuote('a"b\\c')).toBe('"a\\"b\\\\c"');
  });
  it('tells the UI how removal will get its rights', () => {
    expect(removalMode('linux', true).mode).toBe('direct');
    expect(removalMode('windows', false)).toMatchObject({ mode: 'elevated', method: 'uac' });
    expect(removalMode('macos', false)).toMatchObject({ mode: 'elevated', method: 'osascript' });
    expect(removalMode('linux', false, () => true)).toMatchObject({ mode: 'elevated', method: 'pkexec' });
    expect(removalMode('linux', false, () => false).mode).toBe('unavailable');
  });
});

const skip = skipReason(['dpkg', 'dpkg-deb', 'dpkg-query']);

describe.skipIf(skip !== false)('the elevated helper, for real on a dpkg bed', () => {
  let bed: Bed;
  let data: Bed;
  beforeAll(() => {
    bed = makeDpkgBed([bedFixtures.kesl, bedFixtures.keslGui, bedFixtures.hello, bedFixtures.clamav]);
    activateClamav(bed.root);
    data = tempDir('elevate-data');
  }, 120_000);
  afterAll(() => {
    bed?.cleanup();
    data?.cleanup();
  });

  const remover = () =>
    new ElevatedRemover({
      os: 'linux',
      selfArgv: [process.execPath, '--import', 'tsx', path.join(repo, 'test/electron/worker-main.ts')],
      runner: new NodeCommandRunner(),
      dataDir: data.root,
      appVersion: '0.0.0-test',
      pollMs: 50,
      elevate: (command) => [...command],
    });
  const session = () =>
    openWorkspace({
      catalog: loadBuiltInCatalog(),
      dataDir: data.root,
      appVersion: '0.0.0-test',
      hostRoot: bed.root,
      hostOs: 'linux',
    });

  it('refuses a plan id that the helper, re-planning with the rights, does not arrive at', async () => {
    const handlers = createHandlers({
      settings: new MemorySettingsStore(DEFAULT_SETTINGS),
      dataDir: data.root,
      defaultExportFolder: data.root,
      appVersion: '0.0.0-test',
      hostRoot: bed.root,
      hostOs: 'linux',
      emit: () => undefined,
    });
    const planned = await handlers.plan({});
    const forged = { ...planned.plan, id: 'ffffffffffffffff' };
    const err = await remover()
      .run(
        {
          plan: forged,
          manualDone: [],
          rebootCompleted: false,
          onProgress: () => undefined,
          signal: new AbortController().signal,
        },
        session(),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DivestError);
    expect((err as DivestError).code).toBe('plan-changed');
    expect(
      dpkgQuery(bed.root)
        .find((r) => r.name === 'kesl')
        ?.abbrev.trim(),
    ).toBe('ii');
  }, 120_000);

  it('removes the packages and relays live progress and the summary', async () => {
    const handlers = createHandlers({
      settings: new MemorySettingsStore(DEFAULT_SETTINGS),
      dataDir: data.root,
      defaultExportFolder: data.root,
      appVersion: '0.0.0-test',
      hostRoot: bed.root,
      hostOs: 'linux',
      emit: () => undefined,
    });
    const planned = await handlers.plan({});
    expect(planned.plan.steps.length).toBe(1);
    const events: RemoveProgress[] = [];
    const summary = await remover().run(
      {
        plan: planned.plan,
        manualDone: [],
        rebootCompleted: false,
        onProgress: (e) => events.push(e),
        signal: new AbortController().signal,
      },
      session(),
    );
    expect(summary.exitCode).toBe(0);
    expect(summary.results.map((r) => r.outcome)).toEqual(['removed']);
    expect(events[0]).toMatchObject({ type: 'phase', phase: 'elevating' });
    expect(events.some((e) => e.type === 'step-output' && e.text.includes('Removing kesl'))).toBe(true);
    expect(events.some((e) => e.type === 'step-finished')).toBe(true);
    const rows = dpkgQuery(bed.root);
    expect(rows.find((r) => r.name === 'kesl' && r.abbrev.startsWith('i'))).toBeUndefined();
    expect(rows.find((r) => r.name === 'hello')?.abbrev.trim()).toBe('ii');
    // The helper wrote to the same journal: the session is in it.
    const { events: journal, report } = await openJournal(journalPath(data.root)).read();
    expect(report.intact).toBe(true);
    expect(journal.some((e) => e.type === 'plan.finished' && e.data.status === 'completed')).toBe(true);
  }, 180_000);
});
