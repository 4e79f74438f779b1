/**
 * An antivirus product registered with Windows Security Center (`root\SecurityCenter2`),
 * classified by the name it registered under, then by the catalog's display names.
 */
import { EVIDENCE_KINDS } from '../../model/evidence-labels';
import { firstMatch, matchesAny } from '../compile';
import type { EvidenceKindSpec } from './spec';

export const securityCenter: EvidenceKindSpec<'security-center'> = {
  kind: 'security-center',
  label: EVIDENCE_KINDS['security-center'].label,
  anchor: false,
  fallbackAnchor: false,
  live: true,
  showsInstalled: () => true,
  classify: (item, { m }) =>
    firstMatch(m, (p) => matchesAny(p.win.securityCenter, item.displayName)) ??
    firstMatch(m, (p) => matchesAny(p.win.displayNames, item.displayName)),
  describe: (item) => `Registered with Windows Security Center as "${item.displayName}"`,
  howToClear: () =>
    `Still registered with Windows Security Center: restart; Windows drops the registration once the product's service is gone.`,
};
