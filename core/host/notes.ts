/**
 * Notes about places of the inspected machine that could not be looked at.
 *
 * A place that is absent is simply absent. A place that matters (a package database, a catalog
 * path, a vendor folder, a folder where apps or jobs are registered) and could not be inspected is
 * a *blind* note: the scan cannot tell whether banned software is there, so it must not call the
 * machine clean.
 */
import { isAbsent, type ImageFsError } from '../fs/image-fs';
import type { ProbeNote } from './inventory';

/**
 * The note for a place that could not be used, or undefined when it is simply absent.
 *
 * `what` says what was not inspected there (`the dpkg database`, `this catalog path`).
 */
export function placeNote(
  probe: string,
  place: string,
  error: ImageFsError,
  what: string,
): ProbeNote | undefined {
  if (isAbsent(error)) return undefined;
  const rights = error.reason === 'EACCES' || error.reason === 'EPERM';
  return {
    probe,
    level: 'warning',
    blind: true,
    message: `${place}: ${error.phrase}; ${what} could not be inspected, so Divest cannot call this machine clean${rights ? ' (run the scan as an administrator)' : ''}.`,
  };
}
