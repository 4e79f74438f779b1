/**
 * Electron's main process: one window over the engine, locked down.
 *
 * Order matters: the removal-helper mode is decided before anything else (the helper is a second
 * instance on purpose, with no window); then the sandbox for every renderer, the privileged
 * `app://` scheme, and the single-instance lock; after `ready`, the session's deny-everything
 * rules, the protocol, IPC, the menu and the window.
 *
 * Command-line options (for images, test beds and tests): `--host-root DIR`, `--host-os linux|macos`,
 * `--data-dir DIR`, `--divest-user-data DIR` (where electron-store keeps the settings).
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { BrowserWindow, Menu, app, dialog, ipcMain, protocol, session, type WebContents } from 'electron';
import type { HostOs } from '../core/model/host';
import { defaultDataDir } from '../core/data-dir';
import { NodeCommandRunner } from '../core/host/runner';
import { runningOs } from '../core/host/identity';
import pkg from '../package.json';
import { registerAppProtocol } from './app-protocol';
import { ElevatedRemover } from './elevate';
import { createHandlers } from './handlers';
import { registerIpc, sendEvent } from './ipc';
import { menuTemplate } from './menu';
import { printHtmlToPdf } from './pdf';
import { WORKER_FLAG, runRemoveWorker } from './remove-worker';
import { hardenSession, hardenWebContents } from './security';
import { ElectronSettingsStore } from './settings-store';
import { APP_ENTRY, APP_SCHEME, mainWindowOptions } from './window';
import { ensureDir } from '../core/fs-dirs';

function option(name: string): string | undefined {
  const argv = process.argv;
  const eq = argv.find((a) => a.startsWith(`${name}=`));
  if (eq) return eq.slice(name.length + 1);
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** The data folder: the default one when writable, else one in the user's app data (said in the UI). */
function chooseDataDir(): string {
  const wanted = option('--data-dir') ?? defaultDataDir();
  try {
    ensureDir(wanted);
    accessSync(wanted, constants.W_OK);
    return wanted;
  } catch {
    const fallback = path.join(app.getPath('userData'), 'data');
    ensureDir(fallback);
    return fallback;
  }
}

function startHelper(): void {
  const file = option(WORKER_FLAG);
  app.disableHardwareAcceleration();
  if (!file) {
    app.exit(2);
    return;
  }
  void runRemoveWorker(file).then(
    (code) => app.exit(code),
    () => app.exit(1),
  );
}

function startApp(): void {
  const userData = option('--divest-user-data');
  if (userData) app.setPath('userData', path.resolve(userData));
  app.enableSandbox();
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: false, corsEnabled: false },
    },
  ]);
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  let win: BrowserWindow | null = null;
  const contents = (): WebContents | null => win?.webContents ?? null;

  app.on('second-instance', () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('web-contents-created', (_e, wc) => hardenWebContents(wc));
  app.on('certificate-error', (event, _wc, _url, _error, _cert, callback) => {
    event.preventDefault();
    callback(false);
  });
  app.on('window-all-closed', () => app.quit());

  void app.whenReady().then(() => {
    const devTools = !app.isPackaged;
    hardenSession(session.defaultSession, devTools);
    const rendererDir = path.join(__dirname, '..', 'renderer');
    registerAppProtocol(protocol, rendererDir);

    const hostOsArg = option('--host-os');
    const hostOs: HostOs | undefined =
      hostOsArg === 'linux' || hostOsArg === 'macos' || hostOsArg === 'windows' ? hostOsArg : undefined;
    const dataDir = chooseDataDir();
    const settings = new ElectronSettingsStore();
    const runner = new NodeCommandRunner();
    const osName = hostOs ?? runningOs() ?? 'linux';
    const selfArgv = app.isPackaged ? [process.execPath] : [process.execPath, app.getAppPath()];
    const handlers = createHandlers({
      settings,
      dataDir,
      defaultExportFolder: path.join(app.getPath('documents'), 'Divest receipts'),
      appVersion: pkg.version,
      hostRoot: option('--host-root'),
      hostOs,
      emit: (event, payload) => sendEvent(contents(), event, payload),
      renderPdf: printHtmlToPdf,
      elevatedRemover: new ElevatedRemover({
        os: osName,
        selfArgv,
        runner,
        dataDir,
        catalogPath: () => settings.get().catalogPath || undefined,
        appVersion: pkg.version,
        // Chromium refuses to start as root without it; the helper opens no renderer at all.
        helperSwitches: osName === 'linux' ? ['--no-sandbox', '--ozone-platform=headless'] : [],
      }),
      runner,
    });
    registerIpc(ipcMain, handlers, () => win?.webContents.id ?? null);

    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        menuTemplate({
          isMac: process.platform === 'darwin',
          devTools,
          navigate: (screen) => sendEvent(contents(), 'onNavigate', { screen }),
          about: () =>
            void dialog.showMessageBox({
              type: 'info',
              title: 'About Divest',
              message: `Divest ${pkg.version}`,
              detail: 'Finds, removes and proves the removal of banned security software. Works offline.',
            }),
        }),
      ),
    );

    const theme = settings.get().theme;
    win = new BrowserWindow(
      mainWindowOptions(path.join(__dirname, '..', 'preload', 'index.cjs'), theme === 'dark'),
    );
    win.once('ready-to-show', () => win?.show());
    win.on('closed', () => {
      win = null;
    });
    void win.loadURL(APP_ENTRY);
  });
}

if (process.argv.some((a) => a === WORKER_FLAG || a.startsWith(`${WORKER_FLAG}=`))) startHelper();
else startApp();
