/**
 * Electron's main process: one window over the engine, locked down.
 *
 * Order matters: the app's name and user-data folder first (a development run is "Divest Dev",
 * with its own settings and single-instance lock, never the installed app's), then the sandbox for
 * every renderer, the privileged `app://` scheme, and the single-instance lock; after `ready`, the
 * session's deny-everything rules, the protocol, IPC, the menu and the window.
 *
 * Removal without rights runs the self-contained CLI as the elevated helper (`elevate.ts`); the
 * Electron binary is never started as root or Administrator.
 *
 * Command-line options (for images, test beds and tests): `--host-root DIR`, `--host-os linux|macos`,
 * `--data-dir DIR`, `--divest-user-data DIR` (where the settings live). Removal from an image never
 * goes through the administrator prompt.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  BrowserWindow,
  Menu,
  app,
  clipboard,
  dialog,
  ipcMain,
  protocol,
  session,
  shell,
  type WebContents,
} from 'electron';
import type { AppInfo } from '../core/api';
import { defaultDataDir } from '../core/data-dir';
import { NodeCommandRunner } from '../core/host/runner';
import type { HostOs } from '../core/model/host';
import pkg from '../package.json';
import { registerAppProtocol } from './app-protocol';
import { chooseDataFolder } from './data-folder';
import { ElevatedRemover, imageRemovalMode, removalMode, type ElevationContext } from './elevate';
import { createHandlers, type Handlers } from './handlers';
import { helperProgram } from './helper-program';
import { registerIpc, sendEvent } from './ipc';
import { CLOSE_DIALOG, RemovalGuard, watchLoadFailures } from './lifecycle';
import { menuTemplate } from './menu';
import { makePdfPrinter } from './pdf';
import { hardenSession, hardenWebContents } from './security';
import { FileSettingsStore } from './settings-store';
import { APP_ENTRY, APP_SCHEME, mainWindowOptions } from './window';

/** True only in the end-to-end test build (`build-app.mjs --e2e`); esbuild replaces it. */
declare const __DIVEST_E2E__: boolean;

/** The name of an unpackaged (development) run: its own settings, data and lock. */
export const DEV_NAME = 'Divest Dev';

function option(name: string): string | undefined {
  const argv = process.argv;
  const eq = argv.find((a) => a.startsWith(`${name}=`));
  if (eq) return eq.slice(name.length + 1);
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** The e2e build's stand-in prompt and helper (never read by a release build). */
function e2eElevation(): { elevate?: (c: readonly string[]) => string[]; helper?: string[] } {
  // esbuild replaces the constant; a release bundle keeps none of this block.
  if (__DIVEST_E2E__) {
    const standIn = process.env.DIVEST_E2E_ELEVATE;
    const helper = process.env.DIVEST_E2E_HELPER;
    return {
      ...(standIn ? { elevate: (c: readonly string[]) => [standIn, ...c] } : {}),
      ...(helper ? { helper: JSON.parse(helper) as string[] } : {}),
    };
  }
  return {};
}

/** The removal wording the UI shows, for the running OS, the AppImage and images. */
function withRemovalWording(handlers: Handlers, ctx: ElevationContext, dataNote: string | null): void {
  const appInfo = handlers.appInfo;
  handlers.appInfo = async (req) => {
    const info: AppInfo = await appInfo(req);
    let removal = info.removal;
    if (info.rights.admin === false)
      removal = info.hostRoot ? imageRemovalMode(ctx.platform) : removalMode(info.os, false, ctx);
    return {
      ...info,
      removal: {
        ...removal,
        explanation: dataNote ? `${removal.explanation} ${dataNote}` : removal.explanation,
      },
    };
  };
}

function startApp(): void {
  if (!app.isPackaged) {
    app.setName(DEV_NAME);
    app.setPath('userData', path.join(app.getPath('appData'), DEV_NAME));
  }
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
  const guard = new RemovalGuard();

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
    const data = chooseDataFolder(
      option('--data-dir') ?? defaultDataDir(),
      path.join(app.getPath('userData'), 'data'),
    );
    const settings = new FileSettingsStore(app.getPath('userData'));
    const runner = new NodeCommandRunner();
    const e2e = e2eElevation();
    const helper =
      e2e.helper ??
      helperProgram({
        packaged: app.isPackaged,
        resourcesPath: process.resourcesPath,
        appPath: app.getAppPath(),
        platform: process.platform,
        arch: process.arch,
        pathEnv: process.env.PATH,
      });
    const handlers = createHandlers({
      settings,
      dataDir: data.dir,
      defaultExportFolder: path.join(app.getPath('documents'), 'Divest receipts'),
      appVersion: pkg.version,
      hostRoot: option('--host-root'),
      hostOs,
      emit: (event, payload) => sendEvent(contents(), event, payload),
      renderPdf: makePdfPrinter({ session, createWindow: (o) => new BrowserWindow(o) }),
      choosePath: async (kind, title, defaultPath) => {
        const options = {
          title,
          ...(defaultPath ? { defaultPath } : {}),
          properties:
            kind === 'file' ? (['openFile'] as const) : (['openDirectory', 'createDirectory'] as const),
          ...(kind === 'file' ? { filters: [{ name: 'Catalog release', extensions: ['json'] }] } : {}),
        };
        const owner = win;
        const r = owner
          ? await dialog.showOpenDialog(owner, { ...options, properties: [...options.properties] })
          : await dialog.showOpenDialog({ ...options, properties: [...options.properties] });
        return r.canceled ? null : (r.filePaths[0] ?? null);
      },
      openPath: (folder) => shell.openPath(folder),
      writeClipboard: (text) => clipboard.writeText(text),
      // The prompt follows the running OS (process.platform), never --host-os.
      elevatedRemover: helper
        ? new ElevatedRemover({
            platform: process.platform,
            helper,
            runner,
            ...(e2e.elevate ? { elevate: e2e.elevate, allowImages: true } : {}),
          })
        : null,
      ...(e2e.elevate ? { preferElevated: true } : {}),
      runner,
    });
    withRemovalWording(
      handlers,
      {
        platform: process.platform,
        appImage: Boolean(process.env.APPIMAGE),
        helperPresent: helper !== null,
        exists: existsSync,
      },
      data.note,
    );
    const remove = handlers.remove;
    handlers.remove = (req) => guard.track(req.planId, remove(req));
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
      mainWindowOptions(path.join(__dirname, '..', 'preload', 'index.cjs'), theme === 'dark', devTools),
    );
    watchLoadFailures(win.webContents, (title, detail) => {
      dialog.showErrorBox(title, detail);
      app.exit(1);
    });
    win.once('ready-to-show', () => win?.show());
    win.on('close', (event) => {
      const mayClose = guard.onClose(
        () => (win && dialog.showMessageBoxSync(win, CLOSE_DIALOG) === 1 ? 'stop-then-close' : 'keep-open'),
        (planId) => void handlers.cancelRemove({ planId }),
        () => win?.destroy(),
      );
      if (!mayClose) event.preventDefault();
    });
    win.on('closed', () => {
      win = null;
    });
    void win.loadURL(APP_ENTRY);
  });
}

startApp();
