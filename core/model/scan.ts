/**
 * `divest.scan/1`: the scan result that the CLI prints with `--json`, the journal records and the
 * receipt carries. Scripts rely on it; change it only with a schema version bump.
 */
import * as z from 'zod';
import { FindingId, Hex64, Timestamp } from './ids';
import { ProductStatus } from './catalog';
import { HostIdentity } from './host';

export const SCAN_SCHEMA = 'divest.scan/1';

export const EvidenceKind = z.enum([
  'registry-uninstall',
  'vendor-key',
  'package',
  'service',
  'driver',
  'file',
  'app-bundle',
  'pkg-receipt',
  'launchd',
  'system-extension',
  'process',
  'security-center',
]);
export type EvidenceKind = z.infer<typeof EvidenceKind>;

export const Evidence = z.strictObject({
  kind: EvidenceKind,
  /** Where an auditor can look: a registry key, a package database, a path. */
  location: z.string(),
  /** What was seen there, in words. */
  detail: z.string(),
});
export type Evidence = z.infer<typeof Evidence>;

export const Finding = z.strictObject({
  /** Stable for the same product at the same place across scans. */
  id: FindingId,
  productId: z.string(),
  vendor: z.string(),
  /** The name as installed (localized DisplayName, package name...), else the catalog's name. */
  name: z.string(),
  version: z.string().optional(),
  status: ProductStatus,
  directives: z.array(z.string()),
  /**
   * `installed`: the product is registered or running (an uninstall entry, a package, a service...).
   * `traces`: only remnants (folders, vendor keys, config-only packages) — not running, but not gone.
   */
  presence: z.enum(['installed', 'traces']),
  evidence: z.array(Evidence).min(1),
  /** Facts a removal plan needs (MSI product code, package names, uninstall strings). */
  removalHints: z
    .strictObject({
      msiProductCodes: z.array(z.string()).default([]),
      packages: z
        .array(
          z.strictObject({
            manager: z.enum(['dpkg', 'rpm']),
            name: z.string(),
            installed: z.boolean(),
            /** dpkg `Essential: yes`: part of every system; never removed. */
            essential: z.literal(true).optional(),
            /** dpkg `Priority` when it is `required` or `important` (the base system); never removed. */
            priority: z.enum(['required', 'important']).optional(),
            /**
             * For a package the catalog does not name (attributed by its maintainer): up to 20 of the
             * paths it owns in the add-on folders (/opt, /etc/opt, /var/opt), which show whose it is.
             */
            addOnPaths: z.array(z.string()).optional(),
          }),
        )
        .default([]),
      uninstallEntries: z
        .array(
          z.strictObject({
            location: z.string(),
            uninstallString: z.string().optional(),
            quietUninstallString: z.string().optional(),
            /** The entry's InstallLocation: a vendor uninstaller must live under it (or a vendor folder). */
            installLocation: z.string().optional(),
            windowsInstaller: z.boolean().optional(),
          }),
        )
        .default([]),
      paths: z.array(z.string()).default([]),
    })
    .default({ msiProductCodes: [], packages: [], uninstallEntries: [], paths: [] }),
});
export type Finding = z.infer<typeof Finding>;

/** What a probe could not look at, and why: shown with the scan. */
export const ScanNote = z.strictObject({
  probe: z.string(),
  level: z.enum(['info', 'warning']),
  message: z.string(),
  /**
   * This place could not be inspected (a package database, a catalog path or a vendor folder that
   * is unreadable, or not a file Divest can read): Divest cannot call the machine clean.
   */
  blind: z.literal(true).optional(),
});
export type ScanNote = z.infer<typeof ScanNote>;

export const ScanResult = z.strictObject({
  schema: z.literal(SCAN_SCHEMA),
  host: HostIdentity,
  /** The folder scanned as `/` when it is not the live system. */
  hostRoot: z.string().optional(),
  catalog: z.strictObject({
    version: z.string(),
    sha256: Hex64,
    origin: z.string(),
  }),
  app: z.strictObject({ name: z.literal('divest'), version: z.string() }),
  startedAt: Timestamp,
  durationMs: z.number().nonnegative(),
  /** Processes started for this scan. */
  spawns: z.number().int().nonnegative(),
  findings: z.array(Finding),
  /** What the probes could not look at, and why. A scan is only as good as what it could see. */
  notes: z.array(ScanNote),
});
export type ScanResult = z.infer<typeof ScanResult>;
