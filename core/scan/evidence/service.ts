/**
 * A service: on Windows a registered service under `HKLM\SYSTEM\CurrentControlSet\Services`, on
 * Linux a systemd unit file or SysV init script. A consumer service is named after its vendor key
 * (service AVP21.2 <-> KasperskyLab\AVP21.2) and follows that key's product; a service whose image
 * lies in a product's program folder is that product's; a `kl*` service is the vendor's when the
 * machine confirms it (evidence/family.ts). A registered Windows
 * service shows the product installed; a unit file left behind after the program is gone is a
 * trace (the program itself, its package or its process, is what shows it installed).
 */
import type { ServiceEntry } from '../../host/inventory';
import { EVIDENCE_KINDS } from '../../model/evidence-labels';
import { fallbackMatch, firstMatch, matchesAny } from '../compile';
import { familyMatch, imageFolderMatch } from './family';
import type { EvidenceKindSpec } from './spec';
import { nameFromLocation, onThisMachine } from './text';

export const service: EvidenceKindSpec<'service'> = {
  kind: 'service',
  label: EVIDENCE_KINDS.service.label,
  anchor: false,
  fallbackAnchor: false,
  live: true,
  showsInstalled: (s) => s.evidence.location.startsWith('HKLM\\'),
  classify(item, ctx) {
    const { m, os, vendorKeyByName } = ctx;
    if (os === 'windows') {
      const svc = item as ServiceEntry;
      return (
        firstMatch(m, (p) => matchesAny(p.win.services, item.name)) ??
        vendorKeyByName.get(item.name.toLowerCase()) ??
        imageFolderMatch(svc, ctx) ??
        fallbackMatch(m, (p) => matchesAny(p.win.services, item.name)) ??
        familyMatch(svc, ctx, 'serviceFamilies')
      );
    }
    return (
      firstMatch(m, (p) => matchesAny(p.linux.units, item.name)) ??
      fallbackMatch(m, (p) => matchesAny(p.linux.units, item.name))
    );
  },
  describe(item) {
    if (!('displayName' in item) && !('imagePath' in item)) return `Service unit ${item.name}`;
    const svc = item as ServiceEntry;
    return `Service ${svc.name}${svc.displayName ? ` ("${svc.displayName}")` : ''}${svc.imagePath ? `, runs ${svc.imagePath}` : ''}`;
  },
  howToClear(e, _f, hostRoot) {
    const name = nameFromLocation(e.location);
    if (e.location.startsWith('HKLM'))
      return `Restart first. If the service ${name} is still listed and its program is gone, remove it from an elevated prompt with "sc delete ${name}".`;
    return hostRoot
      ? `Disable it in the image ("systemctl --root=${hostRoot} disable ${name}"), then delete ${onThisMachine(e.location, hostRoot)}.`
      : `Stop and disable it ("systemctl disable --now ${name}"), delete ${e.location}, then run "systemctl daemon-reload".`;
  },
};
