/**
 * Checks settings before they are saved, field by field, so that a problem is said at the field
 * it belongs to ("There is no file at this path.") instead of failing later ("ENOENT … mkdir" at
 * export). One checker per field, in a table: a new setting adds its own entry.
 */
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { messageOf } from '../errors';
import type { FieldProblem } from '../model/app-views';

/** How to load a catalog file (the app's own loader, which validates and checks signatures). */
export type CatalogLoader = (file: string) => unknown;

/** Words for the file system's answers. */
function fsWords(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'There is nothing at this path.';
    case 'EACCES':
    case 'EPERM':
      return 'Divest may not read or write here (permission denied).';
    case 'ENOTDIR':
      return 'A part of this path is a file, not a folder.';
    default:
      return messageOf(e);
  }
}

/** The problem with a folder receipts are to be written into, or null. */
export function exportFolderProblem(folder: string): string | null {
  if (!folder) return null;
  if (!path.isAbsolute(folder)) return 'Give the full path of the folder (it starts at the root of a drive).';
  let at = folder;
  // The folder may not exist yet (it is made at export): its nearest existing parent must be writable.
  for (;;) {
    let st;
    try {
      st = statSync(at);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return fsWords(e);
      const parent = path.dirname(at);
      if (parent === at) return 'No part of this path exists.';
      at = parent;
      continue;
    }
    if (!st.isDirectory())
      return at === folder
        ? 'This is a file, not a folder.'
        : `${at} is a file, so the folder cannot be made.`;
    try {
      accessSync(at, constants.W_OK);
    } catch {
      return at === folder
        ? 'Divest may not write into this folder.'
        : `The folder does not exist and cannot be made: Divest may not write into ${at}.`;
    }
    return null;
  }
}

/** The problem with a catalog file, or null. */
export function catalogPathProblem(file: string, load: CatalogLoader): string | null {
  if (!file) return null;
  try {
    const st = statSync(file);
    if (!st.isFile()) return 'This is a folder, not a catalog file.';
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'There is no file at this path.' : fsWords(e);
  }
  try {
    load(file);
    return null;
  } catch (e) {
    return `This file is not a catalog Divest can use: ${messageOf(e)}`;
  }
}

/** The settings fields that are checked, and how. */
export interface SettingsCheckers {
  catalogPath: (v: string) => string | null;
  exportFolder: (v: string) => string | null;
}

/** Checks the fields of a settings patch that have a checker; the rest pass. */
export function checkSettingsPatch(
  patch: Record<string, unknown>,
  checkers: SettingsCheckers,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const [field, check] of Object.entries(checkers) as [
    keyof SettingsCheckers,
    (v: string) => string | null,
  ][]) {
    const v = patch[field];
    if (typeof v !== 'string') continue;
    const message = check(v);
    if (message) problems.push({ field, message });
  }
  return problems;
}
