/** The catalog compiled for matching (core/scan/compile.ts), on a small made-up catalog. */
import { describe, expect, it } from 'vitest';
import {
  catalogPaths,
  compileCatalog,
  fallbackMatch,
  fallbackOf,
  firstMatch,
  matchesAny,
  osKey,
  packageInterest,
  vendorByPrefix,
} from '../../../core/scan/compile';
import { ACME, acmeCatalog } from './acme-catalog';

const m = compileCatalog(acmeCatalog);
const suite = m.byId.get(ACME.suite)!;

describe('compileCatalog', () => {
  it('compiles every product and vendor, indexed by id', () => {
    expect(m.products.map((p) => p.product.id)).toEqual([ACME.suite, ACME.agent, ACME.viewer, ACME.fallback]);
    expect(m.vendors.map((v) => v.vendor.id)).toEqual(['acme']);
    expect(m.byId.get(ACME.agent)?.product.name).toBe('Acme Agent');
  });

  it('compiles patterns case-insensitively, per OS', () => {
    expect(matchesAny(suite.win.services, 'ACMESVC')).toBe(true);
    expect(matchesAny(suite.win.services, 'acmesvc2')).toBe(false);
    expect(matchesAny(suite.linux.units, 'Acme-Suite')).toBe(true);
    expect(matchesAny(suite.mac.bundleIds, 'COM.ACME.SUITE')).toBe(true);
    expect([...suite.linux.packages]).toEqual(['acme-suite-gui', 'acme-suite']);
    expect(suite.win.paths).toEqual(['%ProgramFiles%\\Acme Security\\Acme Suite']);
  });

  it('a product without signatures for an OS has empty lists there, not undefined', () => {
    const viewer = m.byId.get(ACME.viewer)!;
    expect(viewer.linux).toEqual({ packages: new Set(), units: [], processes: [], paths: [] });
    expect(viewer.mac.bundleIds).toEqual([]);
  });

  it('compiles the vendor publishers and maintainers', () => {
    expect(matchesAny(m.vendors[0]!.publishers, 'Acme Security')).toBe(true);
    // Whole-string: a look-alike publisher is not the vendor.
    expect(matchesAny(m.vendors[0]!.publishers, 'Acme Security Fans')).toBe(false);
    expect(matchesAny(m.vendors[0]!.maintainers, 'Build <ci@acme.example>')).toBe(true);
  });

  it('finds the vendor fallback', () => {
    expect(m.fallbackFor('acme')?.product.id).toBe(ACME.fallback);
    expect(m.fallbackFor('nobody')).toBeUndefined();
  });
});

describe('what the scanner asks before probing', () => {
  it('catalogPaths lists every pattern of one OS once', () => {
    expect(catalogPaths(m, 'linux')).toEqual([
      '/opt/acme/suite',
      '/var/opt/acme/suite',
      '/opt/acme/agent',
      '/var/log/acme', // in the agent's and the fallback's lists, listed once
      '/opt/acme',
      '/opt/acme/*',
    ]);
    expect(catalogPaths(m, 'windows')).toEqual([
      '%ProgramFiles%\\Acme Security\\Acme Suite',
      '%ProgramData%\\Acme Security',
    ]);
    expect(catalogPaths(m, 'macos')).toEqual([
      '/Applications/Acme Suite.app',
      '/Library/Application Support/Acme',
    ]);
  });

  it('packageInterest: catalog names and vendor maintainers, nothing merely alike', () => {
    const wanted = packageInterest(m);
    expect(wanted('acme-suite', undefined)).toBe(true);
    expect(wanted('acme-suite-tools', 'Someone <a@b.example>')).toBe(false);
    expect(wanted('renamed-thing', 'Acme CI <ci@acme.example>')).toBe(true);
    expect(wanted('acme', undefined)).toBe(false);
  });
});

describe('matcher queries', () => {
  it('matchesAny never matches a missing value', () => {
    expect(matchesAny(suite.win.displayNames, undefined)).toBe(false);
  });

  it('firstMatch skips the fallback and can keep to one vendor', () => {
    const drivers = (name: string) => (p: (typeof m.products)[number]) => matchesAny(p.win.drivers, name);
    expect(firstMatch(m, drivers('acmeflt'))?.product.id).toBe(ACME.suite);
    expect(firstMatch(m, drivers('acmeshared'))).toBeUndefined();
    expect(fallbackMatch(m, drivers('acmeshared'))?.product.id).toBe(ACME.fallback);
    expect(fallbackMatch(m, drivers('acmeflt'))).toBeUndefined();
    expect(firstMatch(m, drivers('acmeflt'), 'acme')?.product.id).toBe(ACME.suite);
    expect(firstMatch(m, drivers('acmeflt'), 'other')).toBeUndefined();
  });

  it('vendorByPrefix compares bundle id prefixes case-insensitively', () => {
    expect(vendorByPrefix(m, 'COM.Acme.Something')?.vendor.id).toBe('acme');
    expect(vendorByPrefix(m, 'com.acmex.thing')).toBeUndefined();
    expect(vendorByPrefix(m, undefined)).toBeUndefined();
    expect(fallbackOf(m, vendorByPrefix(m, 'com.acme.x'))?.product.id).toBe(ACME.fallback);
    expect(fallbackOf(m, undefined)).toBeUndefined();
  });

  it('osKey names the signature set of each OS', () => {
    expect([osKey('windows'), osKey('macos'), osKey('linux')]).toEqual(['win', 'mac', 'linux']);
  });
});
