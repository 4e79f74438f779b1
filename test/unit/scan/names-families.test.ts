/**
 * Matching that generalises (issue 10): vendor names compared across languages, quotes and legal
 * forms; services and drivers of the vendor's families recognised only with confirmation on the
 * machine; a service by the program folder its image is in; a non-empty folder the vendor-wide
 * wildcard finds and that holds programs is an installed product that stands alone.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { InventoryItem } from '../../../core/host/inventory';
import { loadBuiltInCatalog } from '../../../core/catalog/load';
import { classifyContext, classifyItem, claimsOf, pathHitOwner } from '../../../core/scan/classify';
import {
  compileCatalog,
  normalizeVendorName,
  pathPatternNames,
  vendorOfPublisher,
} from '../../../core/scan/compile';
import { programFolders } from '../../../core/scan/program-folders';
import { ACME, acmeCatalog } from './acme-catalog';
import { dpkg, driver, hit, uninstall, vendorKey, winService } from './items';

const acme = compileCatalog(acmeCatalog);
const builtIn = compileCatalog(loadBuiltInCatalog().catalog);

function ownerOf(m: typeof acme, item: InventoryItem, others: InventoryItem[] = []): string | undefined {
  const ctx = classifyContext(m, 'windows', [...others, item]);
  return classifyItem(item, ctx)?.product.id;
}

describe('vendor names, normalized', () => {
  it('drops case, quotes, punctuation and legal forms in Latin and Cyrillic scripts', () => {
    expect(normalizeVendorName('АО "Лаборатория Касперского"')).toBe('лаборатория касперского');
    expect(normalizeVendorName('"Лаборатория Касперского"')).toBe('лаборатория касперского');
    expect(normalizeVendorName('ЗАО «Лаборатория Касперского»')).toBe('лаборатория касперского');
    expect(normalizeVendorName('Kaspersky Lab ZAO')).toBe('kaspersky lab');
    expect(normalizeVendorName('AO Kaspersky Lab')).toBe('kaspersky lab');
    expect(normalizeVendorName('Kaspersky Lab, Inc.')).toBe('kaspersky lab');
    expect(normalizeVendorName('JSC  KASPERSKY LAB')).toBe('kaspersky lab');
    expect(normalizeVendorName('ООО «Доктор Веб»')).toBe('доктор веб');
    expect(normalizeVendorName('"АО"')).toBe('');
  });

  it("the built-in catalog takes Kaspersky's names in every form, and no look-alike", () => {
    for (const p of [
      'АО "Лаборатория Касперского"',
      '"Лаборатория Касперского"',
      'ЗАО "Лаборатория Касперского"',
      'Лаборатория Касперского',
      'Kaspersky Lab ZAO',
      'AO Kaspersky Lab',
      'Kaspersky Lab',
      'Kaspersky',
      'kaspersky lab gmbh',
    ])
      expect(vendorOfPublisher(builtIn, p)?.vendor.id, p).toBe('kaspersky');
    for (const p of [
      'Kaspersky Fan Club',
      'Kasper Software AS',
      'Labs Software Ltd',
      'Лаборатория',
      'ООО «Доктор Веб»',
      'Doctor Web',
      'AO',
      'ESET, spol. s r.o.',
      'KLCP',
    ])
      expect(vendorOfPublisher(builtIn, p), p).toBeUndefined();
  });

  it('a catalog DisplayName with a localized Publisher is the product; with a stranger it is not', () => {
    expect(
      ownerOf(acme, uninstall('{A}', { displayName: 'Acme Suite', publisher: 'АО «Акме Секьюрити»' })),
    ).toBe(ACME.suite);
    expect(
      ownerOf(acme, uninstall('{A}', { displayName: 'Acme Suite', publisher: 'Acme Security GmbH' })),
    ).toBe(ACME.suite);
    expect(
      ownerOf(acme, uninstall('{A}', { displayName: 'Acme Suite', publisher: 'Acme Security Fans Ltd' })),
    ).toBeUndefined();
  });
});

describe('drivers and services by family, confirmed by the machine', () => {
  const inDrivers = { imagePath: '\\SystemRoot\\system32\\DRIVERS\\acnew.sys' };

  it('a family name alone is not enough', () => {
    expect(ownerOf(acme, driver('acnew', inDrivers))).toBeUndefined();
    expect(ownerOf(acme, winService('acnewsvc', { imagePath: 'C:\\Tools\\acnewsvc.exe' }))).toBeUndefined();
  });

  it('confirmed by the image under a vendor folder, a vendor display name, or the vendor key', () => {
    expect(ownerOf(acme, driver('acnew', { imagePath: 'C:\\ProgramData\\AcmeLab\\Bases\\acnew.sys' }))).toBe(
      ACME.fallback,
    );
    expect(ownerOf(acme, driver('acnew', { ...inDrivers, displayName: 'Acme Security New Filter' }))).toBe(
      ACME.fallback,
    );
    expect(ownerOf(acme, driver('acnew', inDrivers), [vendorKey('protected')])).toBe(ACME.fallback);
    // A display name that merely contains a word of the vendor's name is not the vendor's.
    expect(
      ownerOf(acme, driver('acnew', { ...inDrivers, displayName: 'Acme Securityless' })),
    ).toBeUndefined();
  });

  it('outside the family nothing is confirmed, whatever the machine holds', () => {
    expect(ownerOf(acme, driver('zzfilter', inDrivers), [vendorKey('protected')])).toBeUndefined();
  });

  it("Kaspersky: a kl* driver is the vendor's with the KasperskyLab key, not without it", () => {
    const d = driver('klnewfilter', { imagePath: '\\SystemRoot\\system32\\DRIVERS\\klnewfilter.sys' });
    expect(ownerOf(builtIn, d)).toBeUndefined();
    const key: InventoryItem = {
      kind: 'vendor-key',
      location: 'HKLM\\SOFTWARE\\WOW6432Node\\KasperskyLab\\protected',
      view: '32',
      keyName: 'protected',
      values: {},
    };
    expect(ownerOf(builtIn, d, [key])).toBe('kaspersky-unidentified');
    // Microsoft's own drivers stay alone even then.
    expect(
      ownerOf(builtIn, driver('KslD', { imagePath: '\\SystemRoot\\system32\\drivers\\KslD.sys' }), [key]),
    ).toBeUndefined();
  });

  it('a service whose image lies in a product folder is that product', () => {
    const svc = winService('newhelper', {
      imagePath: '"C:\\Program Files\\Acme Security\\Acme Suite\\helper.exe" -k run',
    });
    expect(ownerOf(acme, svc)).toBe(ACME.suite);
    const ksc = winService('klcsweb', {
      imagePath: 'C:\\Program Files (x86)\\Kaspersky Lab\\Kaspersky Security Center\\klcsweb.exe',
    });
    expect(ownerOf(builtIn, ksc)).toBe('kaspersky-administration-server');
  });
});

describe('folders found by a vendor-wide wildcard', () => {
  it("a named product's own folder is that product's", () => {
    expect(pathHitOwner(acme, 'linux', hit('/opt/acme/*', '/opt/acme/suite'))?.product.id).toBe(ACME.suite);
    expect(pathHitOwner(acme, 'linux', hit('/opt/acme/*', '/opt/acme/other'))?.product.id).toBe(
      ACME.fallback,
    );
  });

  it('an unknown folder holding programs stands alone (installed); one without is a shared trace', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'divest-progfolders-'));
    try {
      mkdirSync(path.join(root, 'opt/acme/tool/bin'), { recursive: true });
      writeFileSync(path.join(root, 'opt/acme/tool/bin/run'), '#!/bin/sh\n', { mode: 0o755 });
      mkdirSync(path.join(root, 'opt/acme/logs'), { recursive: true });
      writeFileSync(path.join(root, 'opt/acme/logs/x.log'), 'x\n', { mode: 0o644 });
      const hits = [
        hit('/opt/acme/*', '/opt/acme/tool'),
        hit('/opt/acme/*', '/opt/acme/logs'),
        hit('/opt/acme'),
      ];
      const programs = await programFolders(hits, { os: 'linux', root });
      expect([...programs]).toEqual(['/opt/acme/tool']);
      const [tool, logs] = claimsOf(acme, 'linux', [], hits.slice(0, 2), programs);
      expect(tool?.shared).toBe(false);
      expect(logs?.shared).toBe(true);
      // A folder that cannot be looked into counts as holding programs (never reported absent).
      expect([
        ...(await programFolders([hit('/opt/acme/*', '/opt/acme/gone')], { os: 'linux', root })),
      ]).toEqual(['/opt/acme/gone']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("a folder a found product says it is installed in is that product's, not a second product", () => {
    const pkg = dpkg('acme-agent', { files: ['/opt/acme/agent2/bin/agentd', '/etc/acme/agent.conf'] });
    const claims = claimsOf(
      acme,
      'linux',
      [pkg],
      [hit('/opt/acme/*', '/opt/acme/agent2')],
      new Set(['/opt/acme/agent2']),
    );
    expect(claims.map((c) => [c.product.product.id, c.shared])).toEqual([
      [ACME.agent, false],
      [ACME.agent, false],
    ]);
  });

  it('path patterns name locations by their tail, with * inside the last segment only', () => {
    expect(
      pathPatternNames(
        '%ProgramFiles(x86)%\\Kaspersky Lab\\Kaspersky Security * Windows Server*',
        'C:\\Program Files (x86)\\Kaspersky Lab\\Kaspersky Security für Windows Server',
      ),
    ).toBe(true);
    expect(pathPatternNames('/opt/kaspersky/kesl', '/opt/kaspersky/kesl')).toBe(true);
    expect(pathPatternNames('/opt/kaspersky/kesl', '/srv/opt/kaspersky/kesl')).toBe(false);
    expect(pathPatternNames('/opt/kaspersky/kes*', '/opt/kaspersky/kesl/bin')).toBe(false);
  });
});
