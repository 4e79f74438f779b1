/**
 * The main process's small duties, without Electron: what a load failure does, closing the window
 * during a removal, the data folder check (a real append, not fs.access), the settings file kept
 * by conf (and no electron-store IPC listener in the built main bundle), and PDF printing through
 * a private temporary file instead of a data: URL.
 */
import { describe, it, expect } from 'vitest';
import { EventEmitter } from 'node:events';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SETTINGS } from '../../core/api';
import { chooseDataFolder, probeAppend } from '../../main/data-folder';
import { CLOSE_DIALOG, RemovalGuard, watchLoadFailures, type WatchedContents } from '../../main/lifecycle';
import { makePdfPrinter, type PdfElectron } from '../../main/pdf';
import { FileSettingsStore } from '../../main/settings-store';
import { tempDir } from '../beds/linux';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('load failures', () => {
  const setup = () => {
    const ee = new EventEmitter();
    const failures: [string, string][] = [];
    watchLoadFailures(ee as unknown as WatchedContents, (t, d) => failures.push([t, d]));
    return { ee, failures };
  };
  it('a main-frame load failure shows what failed (once) and quits', () => {
    const { ee, failures } = setup();
    ee.emit('did-fail-load', {}, -3, 'ERR_ABORTED', 'app://divest/index.html', true);
    ee.emit('did-fail-load', {}, -6, 'ERR_FILE_NOT_FOUND', 'app://divest/x.png', false);
    expect(failures).toEqual([]);
    ee.emit('did-fail-load', {}, -6, 'ERR_FILE_NOT_FOUND', 'app://divest/index.html', true);
    ee.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 11 });
    expect(failures).toEqual([
      [
        'Divest could not start',
        'Its window could not load app://divest/index.html: ERR_FILE_NOT_FOUND (error -6).',
      ],
    ]);
  });
  it('a dead renderer or a failing preload too; a clean exit is not a failure', () => {
    let s = setup();
    s.ee.emit('render-process-gone', {}, { reason: 'clean-exit', exitCode: 0 });
    expect(s.failures).toEqual([]);
    s.ee.emit('render-process-gone', {}, { reason: 'oom', exitCode: -1 });
    expect(s.failures[0]?.[1]).toContain('oom, exit code -1');
    s = setup();
    s.ee.emit('preload-error', {}, '/app/out/preload/index.cjs', new Error('boom'));
    expect(s.failures[0]?.[1]).toContain('boom');
  });
});

describe('closing the window during a removal', () => {
  it('closes at once when nothing runs', () => {
    const g = new RemovalGuard();
    expect(
      g.onClose(
        () => 'keep-open',
        () => undefined,
        () => undefined,
      ),
    ).toBe(true);
  });
  it('asks; "keep open" keeps it, "stop then close" cancels and closes only when the helper has ended', async () => {
    const g = new RemovalGuard();
    let finish: (v: string) => void = () => undefined;
    const removal = g.track('0123456789abcdef', new Promise<string>((r) => (finish = r)));
    expect(g.running).toBe(true);
    const cancelled: string[] = [];
    let closed = 0;
    expect(
      g.onClose(
        () => 'keep-open',
        (id) => cancelled.push(id),
        () => closed++,
      ),
    ).toBe(false);
    expect(cancelled).toEqual([]);
    expect(
      g.onClose(
        () => 'stop-then-close',
        (id) => cancelled.push(id),
        () => closed++,
      ),
    ).toBe(false);
    expect(cancelled).toEqual(['0123456789abcdef']);
    await new Promise((r) => setTimeout(r, 10));
    expect(closed).toBe(0); // the helper still runs: the window stays
    finish('done');
    await removal;
    await new Promise((r) => setTimeout(r, 0));
    expect(closed).toBe(1);
    expect(g.running).toBe(false);
    expect(CLOSE_DIALOG.buttons[CLOSE_DIALOG.defaultId]).toBe('Keep Divest open');
  });
});

describe('the data folder', () => {
  it('really appends a file (and removes it)', () => {
    const d = tempDir('probe');
    try {
      expect(probeAppend(d.root)).toEqual({ ok: true });
      expect(readdirSync(d.root)).toEqual([]);
    } finally {
      d.cleanup();
    }
  });
  it('falls back, and says where and why, where writing is refused (a read-only folder, as another user)', () => {
    const d = tempDir('probe-ro');
    try {
      const machine = path.join(d.root, 'machine');
      mkdirSync(machine, { mode: 0o555 });
      chmodSync(machine, 0o555);
      // As root every permission passes; check as nobody, through a child process.
      const script = `import('${path.join(repo, 'main/data-folder.ts')}').then((m) => console.log(JSON.stringify(m.chooseDataFolder(${JSON.stringify(machine)}, ${JSON.stringify(path.join(d.root, 'user'))}))))`;
      chmodSync(d.root, 0o777);
      const r =
        process.getuid?.() === 0
          ? spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, '--import', 'tsx', '-e', script], {
              cwd: repo,
              encoding: 'utf8',
            })
          : spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: repo, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const choice = JSON.parse(r.stdout) as { dir: string; note: string };
      expect(choice.dir).toBe(path.join(d.root, 'user'));
      expect(choice.note).toContain(machine);
      expect(choice.note).toMatch(
        /only administrators may write there \(opening a file there for writing was refused: EACCES\)/,
      );
    } finally {
      d.cleanup();
    }
  });
  it('keeps the wanted folder when it can write there', () => {
    expect(chooseDataFolder('/w', '/f', () => ({ ok: true }))).toEqual({ dir: '/w', note: null });
  });
});

describe('settings (conf, not electron-store)', () => {
  it('keeps settings.json in the folder given, validated, with defaults', () => {
    const d = tempDir('settings');
    try {
      const s = new FileSettingsStore(d.root);
      expect(s.get()).toEqual(DEFAULT_SETTINGS);
      s.set({ operatorName: 'Ada' });
      expect(JSON.parse(readFileSync(path.join(d.root, 'settings.json'), 'utf8')).operatorName).toBe('Ada');
      expect(new FileSettingsStore(d.root).get().operatorName).toBe('Ada');
      expect(() => s.set({ theme: 'neon' as never })).toThrow();
    } finally {
      d.cleanup();
    }
  });
  it('the built main bundle registers no electron-store IPC listener', () => {
    const r = spawnSync(process.execPath, ['scripts/build-app.mjs', '--main-only'], {
      cwd: repo,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const main = readFileSync(path.join(repo, 'out/main/index.cjs'), 'utf8');
    expect(main).not.toContain('electron-store-get-data');
    expect(main).not.toContain('__DIVEST_E2E__');
    expect(main).not.toContain('DIVEST_E2E_ELEVATE');
  });
  it('the e2e build, and only it, reads the stand-in prompt, and never goes to out/', () => {
    const refused = spawnSync(process.execPath, ['scripts/build-app.mjs', '--e2e'], {
      cwd: repo,
      encoding: 'utf8',
    });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('never to out/');
    const d = tempDir('e2e-build');
    try {
      const r = spawnSync(
        process.execPath,
        ['scripts/build-app.mjs', '--e2e', '--out', d.root, '--main-only'],
        {
          cwd: repo,
          encoding: 'utf8',
        },
      );
      expect(r.status, r.stderr).toBe(0);
      expect(readFileSync(path.join(d.root, 'out/main/index.cjs'), 'utf8')).toContain('DIVEST_E2E_ELEVATE');
    } finally {
      d.cleanup();
    }
  });
});

describe('PDF export', () => {
  it('loads the receipt from a private temporary file (not a data: URL), allows only it, and deletes it', async () => {
    const d = tempDir('pdf');
    let filter: ((details: { url: string }, cb: (r: { cancel: boolean }) => void) => void) | undefined;
    const seen: { file: string; mode: number; dirMode: number; allowed: boolean; other: boolean }[] = [];
    const fake: PdfElectron = {
      session: {
        fromPartition: () =>
          ({
            webRequest: { onBeforeRequest: (fn: typeof filter) => (filter = fn) },
            setPermissionRequestHandler: () => undefined,
          }) as never,
      },
      createWindow: (o) => {
        expect(o.webPreferences).toMatchObject({ javascript: false, sandbox: true, contextIsolation: true });
        return {
          loadFile: async (file: string) => {
            const ask = (url: string) => {
              let cancel = true;
              filter?.({ url }, (r) => (cancel = r.cancel));
              return !cancel;
            };
            seen.push({
              file,
              mode: statSync(file).mode & 0o777,
              dirMode: statSync(path.dirname(file)).mode & 0o777,
              allowed: ask(`file://${file}`),
              other: ask('file:///etc/passwd') || ask('https://example.com/'),
            });
          },
          destroy: () => undefined,
          webContents: { printToPDF: async () => Buffer.from('%PDF-1.7 fake') },
        } as never;
      },
    };
    const big = `<!doctype html><p>${'x'.repeat(3 * 1024 * 1024)}</p>`; // beyond Chromium's 2 MB URL limit
    const pdf = await makePdfPrinter(fake, () => d.root)(big);
    expect(Buffer.from(pdf).toString()).toBe('%PDF-1.7 fake');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ mode: 0o600, dirMode: 0o700, allowed: true, other: false });
    expect(existsSync(seen[0]!.file)).toBe(false);
    expect(readdirSync(d.root)).toEqual([]);
    d.cleanup();
  });
});
