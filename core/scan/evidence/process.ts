/**
 * A running process (Linux `/proc`, macOS `ps`). Its name is chosen by whoever started it (any
 * user can run a program called `klserver`), so a process shows the product installed only when
 * the program it runs lies in a program folder (`/opt`, `/Applications`), which only root can
 * write; otherwise it is a trace to look at, never "installed".
 */
import { EVIDENCE_KINDS } from '../../model/evidence-labels';
import { fallbackMatch, firstMatch, matchesAny } from '../compile';
import type { EvidenceKindSpec } from './spec';

/** Places only root (or an installer) can write programs into. */
const PROGRAM_PLACE = /^\/opt\/|^\/Applications\/|^\/Library\/Application Support\//;

/**
 * True when the program runs from a program place AND is the file the process is named after: a
 * process may rename itself (Linux `prctl(PR_SET_NAME)` sets `comm`, truncated to 15 characters),
 * so `/usr/bin/python3` calling itself `klserver` is not the Administration Server.
 */
export function runsFromProgramPlace(name: string, executable: string | undefined): boolean {
  if (!executable || !PROGRAM_PLACE.test(executable)) return false;
  const base = executable.slice(executable.lastIndexOf('/') + 1);
  return base === name || (name.length >= 15 && base.startsWith(name));
}

export const processKind: EvidenceKindSpec<'process'> = {
  kind: 'process',
  label: EVIDENCE_KINDS.process.label,
  anchor: false,
  fallbackAnchor: false,
  live: true,
  showsInstalled: ({ item }) => runsFromProgramPlace(item.name, item.executable),
  classify(item, { m, os }) {
    const list = os === 'macos' ? 'mac' : 'linux';
    return (
      firstMatch(m, (p) => matchesAny(p[list].processes, item.name)) ??
      fallbackMatch(m, (p) => matchesAny(p[list].processes, item.name))
    );
  },
  describe: (item) =>
    `Running process ${item.name} (pid ${item.pid})${item.executable ? `, program ${item.executable}` : ', program not readable'}`,
  howToClear: () => `The process is still running: restart the machine, then scan again.`,
};
