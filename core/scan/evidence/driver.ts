/**
 * A Windows kernel driver, by name, or by family (`kl*`) when the machine confirms it is the
 * vendor's (evidence/family.ts). Shared `kl*` drivers belong to the vendor's fallback and join the main
 * product when that product is installed; a driver still registered after its product was
 * removed is a finding of its own. Divest never deletes one: removing a filter driver that is
 * still registered (Kaspersky's keyboard and mouse filters) can leave a machine without input.
 */
import { EVIDENCE_KINDS } from '../../model/evidence-labels';
import { fallbackMatch, firstMatch, matchesAny } from '../compile';
import { familyMatch } from './family';
import type { EvidenceKindSpec } from './spec';
import { nameFromLocation } from './text';

export const driver: EvidenceKindSpec<'driver'> = {
  kind: 'driver',
  label: EVIDENCE_KINDS.driver.label,
  anchor: false,
  fallbackAnchor: false,
  live: true,
  showsInstalled: () => true,
  classify: (item, ctx) =>
    firstMatch(ctx.m, (p) => matchesAny(p.win.drivers, item.name)) ??
    fallbackMatch(ctx.m, (p) => matchesAny(p.win.drivers, item.name)) ??
    familyMatch(item, ctx, 'driverFamilies'),
  describe: (item) =>
    `Kernel driver ${item.name}${item.imagePath ? ` (${item.imagePath})` : ''}${item.start !== undefined ? `, start type ${item.start}` : ''}`,
  howToClear: (e) =>
    `Kernel driver ${nameFromLocation(e.location)} is still registered. Divest never deletes drivers: removing a filter driver by hand can leave the keyboard or mouse dead. Restart; if it is still there, run Kaspersky's removal tool (kavremover), which unregisters its drivers safely.`,
};
