/**
 * The evidence kinds, one table: kind -> everything the engine knows about it. The table is typed
 * by `EvidenceKind`, so a kind added to `core/model/scan.ts` without an entry here (or an entry
 * filed under the wrong kind) does not compile.
 */
import type { InventoryItem } from '../../host/inventory';
import type { Evidence, EvidenceKind } from '../../model/scan';
import { appBundle } from './app-bundle';
import { driver } from './driver';
import { file } from './file';
import { launchd } from './launchd';
import { packageKind } from './package';
import { pkgReceipt } from './pkg-receipt';
import { processKind } from './process';
import { registryUninstall } from './registry-uninstall';
import { securityCenter } from './security-center';
import { service } from './service';
import type { EvidenceKindSpec } from './spec';
import { systemExtension } from './system-extension';
import { vendorKey } from './vendor-key';

export type { ClassifyContext, EvidenceKindSpec, ItemOf, Sighting } from './spec';

export const EVIDENCE: { readonly [K in EvidenceKind]: EvidenceKindSpec<K> } = {
  'registry-uninstall': registryUninstall,
  'vendor-key': vendorKey,
  package: packageKind,
  service,
  driver,
  file,
  'app-bundle': appBundle,
  'pkg-receipt': pkgReceipt,
  launchd,
  'system-extension': systemExtension,
  process: processKind,
  'security-center': securityCenter,
};

/** Every inventory item is evidence of one kind, and every evidence kind has its items. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _itemKindsAreEvidenceKinds: Same<InventoryItem['kind'], EvidenceKind> = true;
void _itemKindsAreEvidenceKinds;

/** The entry for one kind, for code that holds a kind only known at run time. */
export function evidenceSpec(kind: EvidenceKind): EvidenceKindSpec {
  return EVIDENCE[kind];
}

/** An inventory item as evidence: its kind, where it is, and what was seen there in words. */
export function evidenceOf(item: InventoryItem): Evidence {
  return { kind: item.kind, location: item.location, detail: evidenceSpec(item.kind).describe(item) };
}
