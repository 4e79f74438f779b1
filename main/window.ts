/**
 * The main window's options and the app's own origin, as plain data so that tests can hold them
 * to the security checklist without starting Electron.
 *
 * Every secure default is stated explicitly (even where it is Electron's default), so a change of
 * default in a future Electron, or a careless edit here, shows up in the test and in review.
 */
import type { BrowserWindowConstructorOptions } from 'electron';

/** The scheme the UI is served from (`app://divest/index.html`), registered as standard and secure. */
export const APP_SCHEME = 'app';
/** The host part of the app's own URLs. */
export const APP_HOST = 'divest';
/** The app's origin: the only one its CSP's `'self'` and the request filter allow. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The page the window loads. */
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/**
 * True for URLs of the app's own files, parsed (never compared as strings).
 *
 * Everything else the page might request is cancelled: Divest works offline by construction.
 */
export function isAppUrl(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
}

/** The BrowserWindow options of the main window; `devTools` only for an unpackaged app. */
export function mainWindowOptions(
  preloadPath: string,
  dark = false,
  devTools = false,
): BrowserWindowConstructorOptions {
  return {
    width: 1200,
    height: 840,
    minWidth: 800,
    minHeight: 600,
    title: 'Divest',
    // Shown on ready-to-show, so nobody sees an empty white frame.
    show: false,
    backgroundColor: dark ? '#1b1b1b' : '#ffffff',
    autoHideMenuBar: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      // Middle-click would try to open links in new windows (denied anyway; Electronegativity AUXCLICK).
      disableBlinkFeatures: 'Auxclick',
      // The spellchecker downloads dictionaries from the network.
      spellcheck: false,
      safeDialogs: true,
      // Off in packaged builds (the menu hides the toggle too); on only in development.
      devTools,
    },
  };
}
