/**
 * What the engine knows about one kind of evidence, in one place: its words for people, how it
 * ranks and whether it shows a product installed, which product an item of that kind belongs to,
 * the sentence that describes it, and how a person clears it by hand after a removal.
 */
import type { InventoryItem } from '../../host/inventory';
import type { HostOs } from '../../model/host';
import type { Evidence, EvidenceKind, Finding } from '../../model/scan';
import type { CompiledProduct, Matcher } from '../compile';

/** The inventory items of one evidence kind (a Windows `ServiceEntry` is a service or a driver). */
export type ItemOf<K extends EvidenceKind> = InventoryItem & { kind: K };

/** What a classifier may consult besides the item itself. */
export interface ClassifyContext {
  m: Matcher;
  os: HostOs;
  /** Vendor subkeys recognised as a product, by their ProductCode (upper case). */
  vendorKeyByCode: ReadonlyMap<string, CompiledProduct>;
  /** Vendor subkeys recognised as a product, by their name (lower case): `avp21.2`. */
  vendorKeyByName: ReadonlyMap<string, CompiledProduct>;
  /** The vendors whose own registry key is on this machine (by vendor id). */
  vendorKeysSeen: ReadonlySet<string>;
}

/** One piece of evidence as it was seen, with the item it came from. */
export interface Sighting<K extends EvidenceKind = EvidenceKind> {
  evidence: Evidence;
  item: ItemOf<K>;
  /** A vendor-wide trace (of the fallback product) that may join the main finding. */
  shared: boolean;
}

export interface EvidenceKindSpec<K extends EvidenceKind = EvidenceKind> {
  readonly kind: K;
  /** Words for people (from `core/model/evidence-labels.ts`). */
  readonly label: string;
  /** Makes a product instance in its own right (something to uninstall); listed first. */
  readonly anchor: boolean;
  /**
   * Unrecognised vendor evidence of this kind stands alone as an unidentified product (the
   * fallback), and a main product with it is itself there, so it takes every vendor-wide trace.
   */
  readonly fallbackAnchor: boolean;
  /** A live signal (installed or running, not merely left behind); listed after the anchors. */
  readonly live: boolean;
  /**
   * Whether this sighting shows the product installed. `seen` is every item of the finding it
   * belongs to.
   */
  showsInstalled(s: Sighting<K>, seen: readonly InventoryItem[]): boolean;
  /** The product an item of this kind belongs to, if any. */
  classify(item: ItemOf<K>, ctx: ClassifyContext): CompiledProduct | undefined;
  /** The evidence sentence: what was seen there, in words. */
  describe(item: ItemOf<K>): string;
  /** One instruction to clear this leftover by hand; `hostRoot` when the scan was of an image. */
  howToClear(e: Evidence, f: Finding, hostRoot?: string): string;
}
