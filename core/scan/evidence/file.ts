/**
 * A file or folder at a catalog path. Catalog paths arrive as path hits, not inventory items
 * (classify.ts gives each hit to the most specific product whose pattern it is). The product's own
 * program folder with something in it counts as installed (a manual install without a package);
 * shared vendor folders and empty folders do not: package managers leave empty parents behind,
 * and /opt/kaspersky belongs to no single product. A folder the vendor-wide wildcard finds in a
 * program place (`/opt/kaspersky/<name>`) that holds programs is an installed product, named or
 * not (program-folders.ts looks, classify.ts makes it stand alone).
 */
import { EVIDENCE_KINDS } from '../../model/evidence-labels';
import type { EvidenceKindSpec } from './spec';
import { onThisMachine } from './text';

const PROGRAM_FOLDER = /^\/opt\/|^\/Applications\/|\\Program Files/i;

/** Whether a path is under a place programs are installed (`/opt`, `/Applications`, `Program Files`). */
export function isProgramFolder(location: string): boolean {
  return PROGRAM_FOLDER.test(location);
}

export const file: EvidenceKindSpec<'file'> = {
  kind: 'file',
  label: EVIDENCE_KINDS.file.label,
  anchor: false,
  fallbackAnchor: false,
  live: false,
  showsInstalled: ({ item, shared }) =>
    !shared && !(item.isDirectory && item.empty) && PROGRAM_FOLDER.test(item.location),
  classify: () => undefined, // catalog paths arrive as path hits
  describe: (item) =>
    item.isDirectory ? (item.empty ? 'Folder exists (empty)' : 'Folder exists') : 'File exists',
  howToClear: (e, f, hostRoot) =>
    `Delete ${onThisMachine(e.location, hostRoot)} (nothing of ${f.name} runs from it once the product is removed). Keep a copy first if your records policy asks for the logs or quarantine in it.`,
};
