/** A running process (Linux `/proc`, macOS `ps`): the product is running. */
import { EVIDENCE_KINDS } from '../../model/evidence-labels';
import { fallbackMatch, firstMatch, matchesAny } from '../compile';
import type { EvidenceKindSpec } from './spec';

export const processKind: EvidenceKindSpec<'process'> = {
  kind: 'process',
  label: EVIDENCE_KINDS.process.label,
  anchor: false,
  fallbackAnchor: false,
  live: true,
  showsInstalled: () => true,
  classify(item, { m, os }) {
    const list = os === 'macos' ? 'mac' : 'linux';
    return (
      firstMatch(m, (p) => matchesAny(p[list].processes, item.name)) ??
      fallbackMatch(m, (p) => matchesAny(p[list].processes, item.name))
    );
  },
  describe: (item) => `Running process ${item.name} (pid ${item.pid})`,
  howToClear: () => `The process is still running: restart the machine, then scan again.`,
};
