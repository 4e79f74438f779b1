/**
 * The handlers of the app's everyday tools and views of the past: where the machine stands (from
 * the journal), the history, "stop this uninstaller now", the settings check, Browse, Open folder
 * and Copy. Free of Electron: the system's dialog, file manager and clipboard come in through
 * {@link HandlerDeps}, and everything around them (which folder may be opened, what a chosen file
 * must be) is decided here, where the test harness exercises it.
 */
import { existsSync, statSync } from 'node:fs';
import type { MethodResult, ParsedRequest } from '../core/api';
import { DivestError } from '../core/errors';
import { historyView, statusView } from '../core/usecases/history';
import { catalogPathProblem, checkSettingsPatch, exportFolderProblem } from '../core/usecases/settings-check';
import type { AppState } from './app-state';

/** Problems of a settings patch, at their fields. */
export function settingsProblems(
  s: AppState,
  patch: ParsedRequest<'checkSettings'>,
): MethodResult<'checkSettings'> {
  return {
    problems: checkSettingsPatch(patch, {
      catalogPath: (v) => catalogPathProblem(v, (f) => s.catalog(f)),
      exportFolder: exportFolderProblem,
    }),
  };
}

/** The folder receipts are written into now. */
export function exportFolderOf(s: AppState): string {
  return s.deps.settings.get().exportFolder || s.deps.defaultExportFolder;
}

async function stopRemoveNow(
  s: AppState,
  req: ParsedRequest<'stopRemoveNow'>,
): Promise<MethodResult<'stopRemoveNow'>> {
  if (!s.running || s.running.planId !== req.planId)
    return { stopping: false, message: 'No removal of this plan is running.' };
  if (s.running.elevated)
    return {
      stopping: false,
      message:
        'The uninstaller runs with administrator rights in a separate helper, which Divest cannot stop half-way. Use "Stop after the current step", or end the uninstaller in the system’s task manager.',
    };
  s.running.controller.abort();
  s.running.stopNow.abort();
  return {
    stopping: true,
    message:
      'Stopping the running uninstaller now: it and the processes it started are killed, the step is recorded as stopped by you, and no further step runs. The product may be left half-removed.',
  };
}

async function chooseFile(
  s: AppState,
  req: ParsedRequest<'chooseFile'>,
): Promise<MethodResult<'chooseFile'>> {
  if (!s.deps.choosePath) throw new DivestError('unsupported', 'Browsing for files is not available here.');
  const current = req.purpose === 'catalog' ? s.deps.settings.get().catalogPath : exportFolderOf(s);
  const chosen = await s.deps.choosePath(
    req.purpose === 'catalog' ? 'file' : 'folder',
    req.purpose === 'catalog' ? 'Choose a signed catalog release' : 'Choose the folder for receipts',
    current || undefined,
  );
  if (chosen === null) return { path: null };
  // What the dialog answered is a path like any other: the same checks as on save.
  const problem = req.purpose === 'catalog' ? null : exportFolderProblem(chosen);
  if (problem) throw new DivestError('invalid-input', problem);
  return { path: chosen };
}

async function openFolder(
  s: AppState,
  req: ParsedRequest<'openFolder'>,
): Promise<MethodResult<'openFolder'>> {
  // Only the two folders Divest writes: the renderer names which, never a path.
  const folder = req.which === 'export-folder' ? exportFolderOf(s) : s.deps.dataDir;
  if (!existsSync(folder) || !statSync(folder).isDirectory())
    return {
      opened: false,
      path: folder,
      message:
        req.which === 'export-folder'
          ? 'The folder does not exist yet: it is made with the first exported receipt.'
          : 'The data folder does not exist yet.',
    };
  if (!s.deps.openPath)
    return { opened: false, path: folder, message: 'Opening folders is not available here: copy the path.' };
  const error = await s.deps.openPath(folder);
  return error
    ? { opened: false, path: folder, message: `The folder could not be opened: ${error}` }
    : { opened: true, path: folder, message: 'Opened in the file manager.' };
}

async function copyText(s: AppState, req: ParsedRequest<'copyText'>): Promise<MethodResult<'copyText'>> {
  if (!s.deps.writeClipboard) throw new DivestError('unsupported', 'The clipboard is not available here.');
  s.deps.writeClipboard(req.text);
  return { copied: true };
}

/** The handlers of this module, keyed like the contract. */
export function desktopHandlers(s: AppState) {
  return {
    status: () => statusView(s.workspace()),
    history: () => historyView(s.workspace()),
    stopRemoveNow: (req: ParsedRequest<'stopRemoveNow'>) => stopRemoveNow(s, req),
    checkSettings: async (req: ParsedRequest<'checkSettings'>) => settingsProblems(s, req),
    chooseFile: (req: ParsedRequest<'chooseFile'>) => chooseFile(s, req),
    openFolder: (req: ParsedRequest<'openFolder'>) => openFolder(s, req),
    copyText: (req: ParsedRequest<'copyText'>) => copyText(s, req),
  };
}
