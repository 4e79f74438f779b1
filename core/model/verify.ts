/**
 * What verification reports: leftovers after a removal, and whether a replacement protects the
 * machine.
 */
import * as z from 'zod';
import { HostOs } from './host';
import { Timestamp } from './ids';

/** Something left behind after removal, and one concrete way to clear it by hand. */
export const Leftover = z.strictObject({
  productId: z.string(),
  kind: z.string(),
  location: z.string(),
  detail: z.string(),
  howToClear: z.string(),
});
export type Leftover = z.infer<typeof Leftover>;

/** `active` protects the machine; anything else leaves it unprotected, said plainly. */
export const ReplacementState = z.enum(['active', 'inactive', 'not-installed', 'unknown']);
export type ReplacementState = z.infer<typeof ReplacementState>;

/** The replacement antivirus for this OS, as checked. */
export const ReplacementStatus = z.strictObject({
  os: HostOs,
  product: z.string(),
  state: ReplacementState,
  /** One paragraph for people: what was found and what to do. */
  detail: z.string(),
  evidence: z.array(z.string()),
  checkedAt: Timestamp,
});
export type ReplacementStatus = z.infer<typeof ReplacementStatus>;
