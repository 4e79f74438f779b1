/**
 * Removal without administrator rights in the UI: the elevation commands for each OS, the
 * helper's command line, and the real helper process (main/helper/, run through
 * test/electron/helper-main.ts, which is the CLI's `divest remove --helper` on a bed) removing
 * real dpkg packages over both channels of the protocol: stdin/stdout (Linux, pkexec) and the
 * token-gated socket (the Windows named pipe's and the macOS socket's code, on a Unix socket here).
 * Only the OS prompt itself is left out (the tests run the helper's command directly, as root).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SETTINGS, type RemoveProgress } from '../../core/api';
import { loadBuiltInCatalog } from '../../core/catalog/load';
import { DivestError } from '../../core/errors';
import { NodeCommandRunner } from '../../core/host/runner';
import { journalPath, openJournal } from '../../core/journal/journal';
import { openWorkspace } from '../../core/usecases/workspace';
import {
  ElevatedRemover,
  appleScriptQuote,
  elevatedArgv,
  imageRemovalMode,
  psQuote,
  removalMode,
  windowsCommandLine,
  windowsQuoteArg,
  type ElevationContext,
} from '../../main/elevate';
import { createHandlers } from '../../main/handlers';
import { parseHelperArgs } from '../../cli/helper-command';
import { helperArgv } from '../../core/helper/protocol';
import { helperProgram, seaFileName } from '../../main/helper-program';
import { splitWindowsCommandLine } from '../../core/remove/windows-cmdline';
import { MemorySettingsStore } from '../helpers/memory-settings';
import type { Bed } from '../beds/linux';
import {
  activateClamav,
  bedFixtures,
  dpkgQuery,
  ensureBuiltCli,
  makeDpkgBed,
  runCli,
  skipReason,
  tempDir,
} from '../beds/linux';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ID = '0123456789abcdef';

describe('elevation commands', () => {
  const cmd = ['/opt/Divest/resources/bin/divest', 'remove', '--helper', '--plan-id', ID];
  it('Linux: pkexec with the argv as is, or nothing without pkexec', () => {
    expect(elevatedArgv('linux', cmd, {}, (p) => p === '/usr/bin/pkexec')).toEqual([
      '/usr/bin/pkexec',
      ...cmd,
    ]);
    expect(elevatedArgv('linux', cmd, {}, () => false)).toBeNull();
  });
  it('Windows: UAC through Start-Process -Verb RunAs with ONE pre-quoted argument string', () => {
    const argv = elevatedArgv(
      'win32',
      ['C:\\Program Files\\Divest\\resources\\bin\\divest.exe', 'remove', '--socket', "C:\\o'brien dir\\x"],
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
      `Start-Process -FilePath 'C:\\Program Files\\Divest\\resources\\bin\\divest.exe' -ArgumentList 'remove --socket "C:\\o''brien dir\\x"' -Verb RunAs -Wait -PassThru`,
    );
    expect(script).toContain('exit $p.ExitCode');
    expect(psQuote("a'b")).toBe("'a''b'");
  });
  it('macOS: osascript with administrator privileges, arguments passed as argv and quoted by AppleScript', () => {
    const argv = elevatedArgv('darwin', cmd);
    expect(argv?.slice(0, 7)).toEqual([
      '/usr/bin/osascript',
      '-e',
      'on run argv',
      '-e',
      `do shell script (${cmd.map((_, i) => `quoted form of item ${i + 1} of argv`).join(' & " " & ')}) with administrator privileges`,
      '-e',
      'end run',
    ]);
    expect(argv?.slice(7)).toEqual(cmd);
    expect(appleScriptQuote('a"b\\c')).toBe('"a\\"b\\\\c"');
  });
});

describe('Windows command-line quoting', () => {
  const cases: string[][] = [
    ['plain', 'with space', ''],
    ['say "hi"', 'C:\\dir with space\\', 'C:\\trailing\\\\'],
    ['back\\\\"quote', '\\"', 'tab\there', 'Ünïcødé ✓ 日本'],
    ['a\\b\\c', '"', '\\', 'x"y z\\"'],
  ];
  it('quotes only what needs it', () => {
    expect(windowsQuoteArg('plain')).toBe('plain');
    expect(windowsQuoteArg('')).toBe('""');
    expect(windowsQuoteArg('a b')).toBe('"a b"');
    expect(windowsQuoteArg('C:\\x y\\')).toBe('"C:\\x y\\\\"');
    expect(windowsQuoteArg('a"b')).toBe('"a\\"b"');
    expect(windowsQuoteArg('a\\"b')).toBe('"a\\\\\\"b"');
  });
  it("round-trips through the engine's own splitter (the MSVC rules); Wine's node.exe checks it for real in windows-quoting.test.ts", () => {
    for (const args of cases)
      expect(splitWindowsCommandLine(`prog.exe ${windowsCommandLine(args)}`).slice(1)).toEqual(args);
  });
});

describe('what the UI says about removal', () => {
  const ctx = (o: Partial<ElevationContext>): ElevationContext => ({
    platform: 'linux',
    appImage: false,
    helperPresent: true,
    exists: () => true,
    ...o,
  });
  it('follows the running OS and points at the CLI where the app cannot remove', () => {
    expect(removalMode('linux', true).mode).toBe('direct');
    expect(removalMode('linux', false, ctx({ platform: 'win32' }))).toMatchObject({
      mode: 'elevated',
      method: 'uac',
    });
    expect(removalMode('linux', false, ctx({ platform: 'darwin' }))).toMatchObject({
      mode: 'elevated',
      method: 'osascript',
    });
    expect(removalMode('linux', false, ctx({}))).toMatchObject({ mode: 'elevated', method: 'pkexec' });
    const none = removalMode('linux', false, ctx({ exists: () => false }));
    expect(none.mode).toBe('unavailable');
    expect(none.explanation).toContain('sudo divest remove --yes');
    expect(
      removalMode('windows', false, ctx({ platform: 'win32', helperPresent: false })).explanation,
    ).toContain('Run as administrator');
  });
  it('says clearly that the AppImage cannot remove and the .deb or .rpm can', () => {
    const m = removalMode('linux', false, ctx({ appImage: true }));
    expect(m.mode).toBe('unavailable');
    expect(m.explanation).toMatch(/AppImage is not supported/);
    expect(m.explanation).toMatch(/\.deb or \.rpm/);
    expect(m.explanation).toContain('sudo divest remove --yes');
  });
  it('never offers the prompt for an image', () => {
    expect(imageRemovalMode('linux')).toMatchObject({ mode: 'unavailable' });
    expect(imageRemovalMode('linux').explanation).toContain('--host-root');
  });
});

describe("the helper's command line", () => {
  it('takes the plan id and its channel, nothing else', () => {
    const cancelFile = '/tmp/divest-helper-Ab12Cd/cancel';
    const argv = helperArgv({ channel: 'stdio', planId: ID, cancelFile });
    expect(argv).toEqual([
      'remove',
      '--helper',
      '--plan-id',
      ID,
      '--channel',
      'stdio',
      '--cancel-file',
      cancelFile,
    ]);
    expect(parseHelperArgs(argv.slice(2))).toEqual({ channel: 'stdio', planId: ID, cancelFile });
    const pipe = `\\\\.\\pipe\\divest-${'a'.repeat(32)}`;
    const token = 'b'.repeat(64);
    expect(
      parseHelperArgs(helperArgv({ channel: 'socket', planId: ID, socket: pipe, token }).slice(2)),
    ).toEqual({
      channel: 'socket',
      planId: ID,
      socket: pipe,
      token,
    });
  });
  it.each([
    ['--host-root', '/mnt/image'],
    ['--host-os', 'linux'],
    ['--data-dir', '/home/u/data'],
    ['--catalog', '/home/u/catalog.json'],
  ])('refuses %s (as administrator the helper works on this machine only)', (flag, v) => {
    expect(() =>
      parseHelperArgs([
        '--plan-id',
        ID,
        '--channel',
        'stdio',
        '--cancel-file',
        '/tmp/divest-helper-Ab12Cd/cancel',
        flag,
        v,
      ]),
    ).toThrow(/does not take --/);
  });
  it.each([
    [['--plan-id', 'nope', '--channel', 'stdio', '--cancel-file', '/tmp/divest-helper-Ab12Cd/cancel']],
    [['--plan-id', ID, '--channel', 'stdio', '--cancel-file', '/etc/shadow']],
    [['--plan-id', ID, '--channel', 'socket', '--socket', '/run/docker.sock', '--token', 'b'.repeat(64)]],
    [
      [
        '--plan-id',
        ID,
        '--channel',
        'socket',
        '--socket',
        `\\\\.\\pipe\\divest-${'a'.repeat(32)}`,
        '--token',
        'short',
      ],
    ],
  ])('refuses malformed values: %j', (argv) => {
    expect(() => parseHelperArgs(argv)).toThrow();
  });
  it('finds the packaged CLI, the SEA, or Node and the bundle in development', () => {
    const has =
      (...ps: string[]) =>
      (p: string) =>
        ps.includes(p);
    const base = {
      resourcesPath: '/opt/Divest/resources',
      appPath: '/src',
      arch: 'x64',
      pathEnv: '/usr/bin:/bin',
    };
    expect(
      helperProgram({
        ...base,
        packaged: true,
        platform: 'linux',
        exists: has('/opt/Divest/resources/bin/divest'),
      }),
    ).toEqual(['/opt/Divest/resources/bin/divest']);
    expect(helperProgram({ ...base, packaged: true, platform: 'linux', exists: () => false })).toBeNull();
    expect(seaFileName('win32', 'x64')).toBe('divest-win-x64.exe');
    expect(seaFileName('darwin', 'arm64')).toBe('divest-macos-arm64');
    expect(
      helperProgram({
        ...base,
        packaged: false,
        platform: 'linux',
        exists: has('/src/out/sea/divest-linux-x64'),
      }),
    ).toEqual(['/src/out/sea/divest-linux-x64']);
    expect(
      helperProgram({
        ...base,
        packaged: false,
        platform: 'linux',
        exists: has('/usr/bin/node', '/src/out/cli/divest.cjs'),
      }),
    ).toEqual(['/usr/bin/node', '/src/out/cli/divest.cjs']);
  });
});

describe('the built CLI (out/cli/divest.cjs, what the SEA is made of) as the helper', () => {
  beforeAll(() => void ensureBuiltCli(), 180_000);
  const args = [
    'remove',
    '--helper',
    '--plan-id',
    ID,
    '--channel',
    'stdio',
    '--cancel-file',
    '/tmp/divest-helper-Ab12Cd/cancel',
  ];
  it('refuses --host-root and the other paths a user could choose (exit 2)', () => {
    for (const flag of ['--host-root', '--data-dir', '--catalog']) {
      const r = runCli([...args, flag, '/tmp/x']);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain(`does not take ${flag}`);
    }
  });
  it.skipIf(typeof process.getuid !== 'function' || process.getuid() !== 0)(
    'runs only as root: as another user it says so on its protocol and does nothing',
    () => {
      const r = runCli(args, {
        input: '{"kind":"request","manualDone":[]}\n',
        asUser: { uid: 65534, gid: 65534 },
      });
      expect(r.status).toBe(1);
      const lines = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { kind: string; code?: string; message?: string });
      expect(lines).toEqual([
        { kind: 'error', code: 'untrusted-data-dir', message: expect.stringContaining('runs only as root') },
      ]);
    },
  );
});

const skip = skipReason(['dpkg', 'dpkg-deb', 'dpkg-query']);

describe.skipIf(skip !== false)('the elevated helper, for real on a dpkg bed', () => {
  let bed: Bed;
  let appData: Bed;
  let rootData: Bed;
  beforeAll(() => {
    bed = makeDpkgBed([bedFixtures.kesl, bedFixtures.keslGui, bedFixtures.hello, bedFixtures.clamav]);
    activateClamav(bed.root);
    appData = tempDir('elevate-app-data');
    rootData = tempDir('elevate-root-data');
  }, 120_000);
  afterAll(() => {
    for (const b of [bed, appData, rootData]) b?.cleanup();
  });

  const helper = () => [
    process.execPath,
    '--import',
    'tsx',
    path.join(repo, 'test/electron/helper-main.ts'),
    '--test-host-root',
    bed.root,
    '--test-data-dir',
    path.join(rootData.root, 'divest'),
    '--',
  ];
  const remover = (channel: 'stdio' | 'socket') =>
    new ElevatedRemover({
      platform: 'linux',
      helper: helper(),
      runner: new NodeCommandRunner(),
      elevate: (command) => [...command],
      allowImages: true,
      channel,
    });
  const session = () =>
    openWorkspace({
      catalog: loadBuiltInCatalog(),
      dataDir: appData.root,
      appVersion: '0.0.0-test',
      hostRoot: bed.root,
      hostOs: 'linux',
    });
  const plan = async () =>
    (
      await createHandlers({
        allowImageScriptsOnHost: true,
        settings: new MemorySettingsStore(DEFAULT_SETTINGS),
        dataDir: appData.root,
        defaultExportFolder: appData.root,
        appVersion: '0.0.0-test',
        hostRoot: bed.root,
        hostOs: 'linux',
        emit: () => undefined,
      }).plan({})
    ).plan;

  it('refuses an image without the test-bed switch (a release build never sets it)', async () => {
    const r = new ElevatedRemover({
      platform: 'linux',
      helper: ['/nonexistent'],
      runner: new NodeCommandRunner(),
    });
    const err = await r
      .run(
        {
          plan: await plan(),
          manualDone: [],
          rebootCompleted: false,
          onProgress: () => undefined,
          signal: new AbortController().signal,
        },
        session(),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DivestError);
    expect((err as DivestError).code).toBe('no-admin');
  }, 120_000);

  it.each(['stdio', 'socket'] as const)(
    'over %s: refuses a plan id that the helper, re-planning with the rights, does not arrive at',
    async (channel) => {
      const forged = { ...(await plan()), id: 'ffffffffffffffff' };
      const err = await remover(channel)
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
    },
    120_000,
  );

  it('refuses "manual step done" for a step that is not a manual step of its plan', async () => {
    const err = await remover('stdio')
      .run(
        {
          plan: await plan(),
          manualDone: ['s1'],
          rebootCompleted: false,
          onProgress: () => undefined,
          signal: new AbortController().signal,
        },
        session(),
      )
      .catch((e: unknown) => e);
    expect((err as DivestError).code).toBe('invalid-request');
    expect((err as DivestError).message).toContain('not manual steps');
  }, 120_000);

  it('over stdio: removes the packages, relays live progress and the summary, and records the removal in both journals', async () => {
    const planned = await plan();
    expect(planned.steps.length).toBe(1);
    const events: RemoveProgress[] = [];
    const summary = await remover('stdio').run(
      {
        plan: planned,
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
    // The machine's journal (root's) has the whole session...
    const machine = await openJournal(journalPath(path.join(rootData.root, 'divest'))).read();
    expect(machine.report.intact).toBe(true);
    expect(machine.events.some((e) => e.type === 'plan.finished' && e.data.status === 'completed')).toBe(
      true,
    );
    // ...and the app's own journal got the same events, from which its receipts are made.
    const own = await openJournal(journalPath(appData.root)).read();
    expect(own.report.intact).toBe(true);
    expect(own.setAside).toEqual([]);
    expect(own.events.some((e) => e.type === 'plan.finished' && e.data.status === 'completed')).toBe(true);
    expect(own.events.some((e) => e.type === 'verify.finished')).toBe(true);
    expect(existsSync(path.join(rootData.root, 'divest'))).toBe(true);
  }, 180_000);
});
