/**
 * One compliance question per platform, asked in osquery SQL: "is a banned product installed?",
 * the same question `divest scan` answers with exit 10. The policy query returns one row (Fleet:
 * the policy PASSES) when none of the platform's detection queries returns a row.
 */
import type { Catalog } from '../model/catalog';
import { CatalogView, type FleetPlatform } from './catalog-view';
import { linuxBannedQueries, macosBannedQueries } from './osquery-posix';
import { windowsBannedQueries } from './osquery-windows';
import { noneOf } from './sql';

export interface PlatformPolicy {
  platform: FleetPlatform;
  /** Queries that return rows when a banned product is installed (each on one table). */
  detections: string[];
  /** `SELECT 1 WHERE NOT EXISTS (...) AND ...`: a row when the machine is compliant. */
  policy: string;
}

/** The tables each platform's detections read (the pack's discovery and the docs name them). */
export const POLICY_TABLES: Record<FleetPlatform, readonly string[]> = {
  windows: ['programs', 'services', 'windows_security_products', 'registry', 'file'],
  linux: ['deb_packages', 'rpm_packages', 'processes', 'file'],
  darwin: ['apps', 'system_extensions', 'plist', 'processes', 'file'],
};

/** The policies of every platform, from the catalog (throws when a pattern cannot be expressed). */
export function platformPolicies(catalog: Catalog): PlatformPolicy[] {
  const view = new CatalogView(catalog);
  const make = (platform: FleetPlatform, detections: string[]): PlatformPolicy => ({
    platform,
    detections,
    policy: noneOf(detections),
  });
  return [
    make('windows', windowsBannedQueries(view)),
    make('linux', linuxBannedQueries(view)),
    make('darwin', macosBannedQueries(view)),
  ];
}
