/**
 * The application menu: the flow's screens with keyboard shortcuts, the usual Edit commands (so
 * copy and paste work in the fields), zoom, and About. Built as plain data for testing.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { Screen } from '../core/api';

const SCREENS: [Screen, string][] = [
  ['scan', 'Scan'],
  ['findings', 'Findings'],
  ['directives', 'Directive Library'],
  ['plan', 'Plan'],
  ['remove', 'Remove'],
  ['verify', 'Verify'],
  ['replace', 'Replace'],
  ['receipt', 'Receipt'],
  ['log', 'Log'],
  ['settings', 'Settings'],
];

/** The menu template. */
export function menuTemplate(opts: {
  isMac: boolean;
  devTools: boolean;
  navigate: (screen: Screen) => void;
  about: () => void;
}): MenuItemConstructorOptions[] {
  // CmdOrCtrl+1..9 for the flow's screens. Settings has none here: CmdOrCtrl+0 is Reset Zoom, and
  // File > Settings already has CmdOrCtrl+, (the platforms' usual shortcut).
  const go: MenuItemConstructorOptions[] = SCREENS.map(([screen, label], i) => ({
    label,
    ...(i < 9 ? { accelerator: `CmdOrCtrl+${i + 1}` } : {}),
    click: () => opts.navigate(screen),
  }));
  return [
    ...(opts.isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: '&File',
      submenu: [
        { label: 'Export Receipt…', accelerator: 'CmdOrCtrl+E', click: () => opts.navigate('receipt') },
        { label: 'Settings…', accelerator: 'CmdOrCtrl+,', click: () => opts.navigate('settings') },
        { type: 'separator' },
        opts.isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { label: '&Go', submenu: go },
    {
      label: '&View',
      submenu: [
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...(opts.devTools ? [{ type: 'separator' as const }, { role: 'toggleDevTools' as const }] : []),
      ],
    },
    { role: 'windowMenu' },
    { label: '&Help', submenu: [{ label: 'About Divest', click: opts.about }] },
  ];
}
