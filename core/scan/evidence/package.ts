/**
 * A dpkg or rpm package. It matches by exact catalog name, or by a maintainer/vendor that is the
 * vendor's: a package merely starting with `kl` or `kas` is not evidence of anything. It shows the
 * product installed only while it is installed (not when only its configuration is left).
 */
import { EVIDENCE_KINDS } from '../../model/evidence-labels';
import { fallbackOf, firstMatch, matchesAny } from '../compile';
import type { EvidenceKindSpec } from './spec';
import { nameFromLocation, q } from './text';

export const packageKind: EvidenceKindSpec<'package'> = {
  kind: 'package',
  label: EVIDENCE_KINDS.package.label,
  anchor: true,
  fallbackAnchor: true,
  live: false,
  showsInstalled: (s, seen) =>
    seen.some((x) => x.kind === 'package' && x.installed && x.location === s.evidence.location),
  classify(item, { m }) {
    const byName = firstMatch(m, (p) => p.linux.packages.has(item.name));
    const v = m.vendors.find((cv) => matchesAny(cv.maintainers, item.maintainer));
    return byName ?? fallbackOf(m, v);
  },
  describe: (item) =>
    `${item.manager} package ${item.name} ${item.version} (${item.status})${item.maintainer ? `, maintainer ${q(item.maintainer)}` : ''}`,
  howToClear(e, _f, hostRoot) {
    const root = hostRoot ? ` --root=${hostRoot}` : '';
    const pkg = e.location.split('#')[1]?.split(':')[0] ?? nameFromLocation(e.location);
    if (e.location.startsWith('dpkg:') && /config-files|not-installed/.test(e.detail))
      return `Only its configuration is left: purge it with "dpkg${root} --purge ${pkg}" as root.`;
    const db = /^rpm:([^#]+)#/.exec(e.location)?.[1];
    return e.location.startsWith('rpm:')
      ? `Still installed: run "divest remove", or "rpm${hostRoot ? ` --root ${hostRoot}${db ? ` --dbpath ${db}` : ''}` : ''} -e ${pkg}" as root.`
      : `Still installed: run "divest remove", or "dpkg${root} --purge ${pkg}" as root.`;
  },
};
