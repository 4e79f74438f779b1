/**
 * The machine Divest inspects: which OS layout it has, and who it is.
 */
import * as z from 'zod';

/** The OSes Divest knows how to scan and clean. */
export const HOST_OSES = ['windows', 'macos', 'linux'] as const;
export const HostOs = z.enum(HOST_OSES);
export type HostOs = z.infer<typeof HostOs>;

/**
 * Who the inspected machine is, as an auditor tells machines apart in receipts. For an image
 * scanned with `--host-root` everything comes from the image's own files; what cannot be known
 * is `unknown`.
 */
export const HostIdentity = z.strictObject({
  hostname: z.string(),
  os: HostOs,
  osVersion: z.string(),
  arch: z.string(),
  machineId: z.string(),
});
export type HostIdentity = z.infer<typeof HostIdentity>;
