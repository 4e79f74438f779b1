/** Small wording helpers the evidence kinds share. */
import path from 'node:path';

/** A value quoted, or `(none)`. */
export function q(s: string | undefined): string {
  return s === undefined ? '(none)' : `"${s}"`;
}

/** The last segment of a registry key, path or package location. */
export function nameFromLocation(location: string): string {
  return location.split(/[\\/#]/).pop() ?? location;
}

/** A path named where it is on this machine: inside the image when the scan was of one. */
export function onThisMachine(p: string, hostRoot: string | undefined): string {
  return hostRoot ? path.posix.join(hostRoot, p) : p;
}
