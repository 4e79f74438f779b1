/**
 * Inventory item -> claim (core/scan/classify.ts and each kind's rule in core/scan/evidence/): which
 * product a thing the probes saw belongs to, and which claims are vendor-wide traces.
 */
import { describe, expect, it } from 'vitest';
import type { InventoryItem } from '../../../core/host/inventory';
import type { HostOs } from '../../../core/model/host';
import { classifyContext, classifyItem, claimsOf, pathHitOwner } from '../../../core/scan/classify';
import { compileCatalog } from '../../../core/scan/compile';
import { ACME, acmeCatalog } from './acme-catalog';
import { bundle, dpkg, driver, hit, uninstall, vendorKey, winService } from './items';

const m = compileCatalog(acmeCatalog);

/** The product each item is claimed by (undefined: left alone), classified together as one scan. */
function owners(os: HostOs, items: InventoryItem[]): (string | undefined)[] {
  const ctx = classifyContext(m, os, items);
  return items.map((i) => classifyItem(i, ctx)?.product.id);
}
const ownerOf = (os: HostOs, item: InventoryItem, others: InventoryItem[] = []): string | undefined =>
  owners(os, [...others, item]).at(-1);

describe('Windows Uninstall entries', () => {
  it('belong to the vendor only by a whole publisher name, or by a catalog name with no publisher', () => {
    expect(
      ownerOf('windows', uninstall('{A}', { displayName: 'Acme Suite 12', publisher: 'Acme Security' })),
    ).toBe(ACME.suite);
    expect(ownerOf('windows', uninstall('{A}', { displayName: 'Acme Suite' }))).toBe(ACME.suite);
    expect(
      ownerOf('windows', uninstall('{A}', { displayName: 'Acme Suite', publisher: 'Acme Security Fans' })),
    ).toBeUndefined();
    expect(ownerOf('windows', uninstall('{A}', { displayName: 'Acme Suite Companion' }))).toBeUndefined();
    expect(ownerOf('windows', uninstall('{A}'))).toBeUndefined();
  });

  it('an unknown name by the vendor is classified by the vendor key with its ProductCode', () => {
    const code = '{11111111-2222-3333-4444-555555555555}';
    const entry = uninstall(code, { displayName: 'Acme Suite (Japanese name)', publisher: 'Acme Security' });
    const key = vendorKey('AS12', { ProductCode: code.toLowerCase() });
    expect(ownerOf('windows', { ...entry, displayName: 'アクメ スイート' }, [key])).toBe(ACME.suite);
    // The vendor-key pre-pass is Windows only.
    expect(ownerOf('linux', { ...entry, displayName: 'アクメ スイート' }, [key])).toBe(ACME.fallback);
  });

  it('then by its install folder, then goes to the fallback, never dropped', () => {
    const entry = uninstall('{B}', {
      displayName: 'Acme ??',
      publisher: 'Acme Security',
      installLocation: 'C:\\Program Files\\Acme Security\\Acme Suite\\',
    });
    expect(ownerOf('windows', entry)).toBe(ACME.suite);
    expect(ownerOf('windows', { ...entry, installLocation: 'D:\\Apps\\Acme' })).toBe(ACME.fallback);
  });
});

describe('vendor keys and the services named after them', () => {
  it('a vendor subkey is classified by ProductName, then name; an unknown one is the fallback', () => {
    expect(ownerOf('windows', vendorKey('X1', { ProductName: 'Acme Suite 12' }))).toBe(ACME.suite);
    expect(ownerOf('windows', vendorKey('AS12'))).toBe(ACME.suite);
    expect(ownerOf('windows', vendorKey('Unknown'))).toBe(ACME.fallback);
    // The vendor key itself (no subkey name) is the vendor's too.
    expect(ownerOf('windows', { ...vendorKey(''), location: 'HKLM\\SOFTWARE\\AcmeLab' })).toBe(ACME.fallback);
    expect(ownerOf('windows', { ...vendorKey('AS12'), location: 'HKLM\\SOFTWARE\\OtherLab\\AS12' })).toBe(
      ACME.suite,
    );
    expect(
      ownerOf('windows', { ...vendorKey('Zed'), location: 'HKLM\\SOFTWARE\\OtherLab\\Zed' }),
    ).toBeUndefined();
  });

  it('a service named after a recognised vendor subkey follows that key, not the fallback pattern', () => {
    expect(ownerOf('windows', winService('AS12'))).toBe(ACME.fallback);
    expect(ownerOf('windows', winService('as12'), [vendorKey('AS12')])).toBe(ACME.suite);
    expect(ownerOf('windows', winService('acmesvc'))).toBe(ACME.suite);
    expect(ownerOf('windows', winService('acmecommon'))).toBe(ACME.fallback);
    expect(ownerOf('windows', winService('acmecommonx'))).toBeUndefined();
  });

  it('on Linux services are unit files, matched by the unit signatures', () => {
    const unit = (name: string): InventoryItem => ({
      kind: 'service',
      location: `/lib/systemd/system/${name}.service`,
      name,
    });
    expect(ownerOf('linux', unit('acme-suite'))).toBe(ACME.suite);
    expect(ownerOf('linux', unit('acme-common'))).toBe(ACME.fallback);
    expect(ownerOf('linux', unit('acmesvc'))).toBeUndefined();
  });
});

describe('drivers, packages, processes, Security Center', () => {
  it('drivers: the product whose driver it is, else a shared vendor driver of the fallback', () => {
    expect(owners('windows', [driver('acmeflt'), driver('acmeshared'), driver('acmex')])).toEqual([
      ACME.suite,
      ACME.fallback,
      undefined,
    ]);
  });

  it('packages: exact name or a vendor maintainer; a look-alike name is nothing', () => {
    const stranger = { maintainer: 'Someone <me@example.org>' };
    expect(ownerOf('linux', dpkg('acme-suite', stranger))).toBe(ACME.suite);
    expect(ownerOf('linux', dpkg('acme-suite-tools', stranger))).toBeUndefined();
    expect(ownerOf('linux', dpkg('acme-renamed'))).toBe(ACME.fallback);
  });

  it('processes use the Linux or the macOS list by the OS scanned', () => {
    const proc = (name: string): InventoryItem => ({ kind: 'process', location: '/proc/42', name, pid: 42 });
    expect(ownerOf('linux', proc('acmed'))).toBe(ACME.suite);
    expect(ownerOf('macos', proc('acmed'))).toBeUndefined();
    expect(ownerOf('macos', proc('acmemac'))).toBe(ACME.suite);
    expect(ownerOf('linux', proc('acme-helper'))).toBe(ACME.fallback);
  });

  it('Security Center: by its own names, then by display names; never the fallback', () => {
    const sc = (displayName: string): InventoryItem => ({
      kind: 'security-center',
      location: 'root\\SecurityCenter2\\AntiVirusProduct\\{X}',
      displayName,
    });
    expect(ownerOf('windows', sc('Acme Suite'))).toBe(ACME.suite);
    expect(ownerOf('windows', sc('Acme Agent'))).toBe(ACME.agent);
    expect(ownerOf('windows', sc('Acme Other'))).toBeUndefined();
  });
});

describe('macOS', () => {
  it('app bundles: by bundle id, then folder name, then the vendor prefix (fallback)', () => {
    expect(ownerOf('macos', bundle('Renamed', { bundleId: 'com.acme.suite' }))).toBe(ACME.suite);
    expect(ownerOf('macos', bundle('Acme Suite', { bundleId: 'org.other.app' }))).toBe(ACME.suite);
    expect(ownerOf('macos', bundle('Acme Tool', { bundleId: 'com.acme.tool' }))).toBe(ACME.fallback);
    expect(ownerOf('macos', bundle('Acme Tool', { bundleId: 'com.acmetools.tool' }))).toBeUndefined();
  });

  it('receipts and launchd jobs: by signature, then the vendor prefix', () => {
    const receipt = (packageId: string): InventoryItem => ({
      kind: 'pkg-receipt',
      location: `/var/db/receipts/${packageId}.plist`,
      packageId,
    });
    const job = (label: string): InventoryItem => ({
      kind: 'launchd',
      location: `/Library/LaunchDaemons/${label}.plist`,
      label,
    });
    expect(
      owners('macos', [receipt('com.acme.suite.pkg'), receipt('com.acme.other'), receipt('org.x')]),
    ).toEqual([ACME.suite, ACME.fallback, undefined]);
    expect(owners('macos', [job('com.acme.suite'), job('com.acme.updater'), job('org.acme.x')])).toEqual([
      ACME.suite,
      ACME.fallback,
      undefined,
    ]);
  });

  it('system extensions: by bundle id, else the vendor by prefix or by Apple team id', () => {
    const ext = (bundleId: string, teamId?: string): InventoryItem => ({
      kind: 'system-extension',
      location: `/Library/SystemExtensions/X/${bundleId}.systemextension`,
      bundleId,
      ...(teamId ? { teamId } : {}),
    });
    expect(ownerOf('macos', ext('com.acme.suite.ext'))).toBe(ACME.suite);
    expect(ownerOf('macos', ext('net.renamed.ext', 'ACME123456'))).toBe(ACME.fallback);
    expect(ownerOf('macos', ext('net.renamed.ext', 'OTHER12345'))).toBeUndefined();
  });
});

describe('catalog paths', () => {
  it('file items are not classified: catalog paths arrive as path hits', () => {
    expect(
      ownerOf('linux', { kind: 'file', location: '/opt/acme/suite', isDirectory: true }),
    ).toBeUndefined();
  });

  it('a path hit belongs to the most specific product whose pattern it is', () => {
    expect(pathHitOwner(m, 'linux', hit('/opt/acme/suite'))?.product.id).toBe(ACME.suite);
    expect(pathHitOwner(m, 'linux', hit('/opt/acme'))?.product.id).toBe(ACME.fallback);
    // A pattern the agent shares with the fallback is the agent's.
    expect(pathHitOwner(m, 'linux', hit('/var/log/acme'))?.product.id).toBe(ACME.agent);
    // Patterns are per OS.
    expect(pathHitOwner(m, 'macos', hit('/opt/acme/suite'))).toBeUndefined();
  });
});

describe('claimsOf', () => {
  it('claims items then path hits in the order seen, and marks what is vendor-wide', () => {
    const claims = claimsOf(
      m,
      'windows',
      [
        driver('acmeshared'),
        uninstall('{C}', { displayName: 'Acme Whatever', publisher: 'Acme Security' }),
        driver('nothing-of-acme'),
        driver('acmeflt'),
      ],
      [hit('%ProgramData%\\Acme Security', 'C:\\ProgramData\\Acme Security')],
    );
    expect(claims.map((c) => [c.product.product.id, c.evidence.kind, c.shared])).toEqual([
      [ACME.fallback, 'driver', true],
      // An unrecognised uninstall entry stands on its own: not shared.
      [ACME.fallback, 'registry-uninstall', false],
      [ACME.suite, 'driver', false],
      [ACME.fallback, 'file', true],
    ]);
    expect(claims[3]!.evidence).toEqual({
      kind: 'file',
      location: 'C:\\ProgramData\\Acme Security',
      detail: 'Folder exists',
    });
  });

  it('an unrecognised installer receipt does not stand alone, an unrecognised app bundle does', () => {
    const claims = claimsOf(
      m,
      'macos',
      [
        bundle('Acme Tool', { bundleId: 'com.acme.tool' }),
        { kind: 'pkg-receipt', location: '/var/db/receipts/com.acme.x.plist', packageId: 'com.acme.x' },
      ],
      [],
    );
    expect(claims.map((c) => [c.evidence.kind, c.shared])).toEqual([
      ['app-bundle', false],
      ['pkg-receipt', true],
    ]);
  });
});
