/**
 * The evidence table (core/scan/evidence/): one entry per kind, its words, its flags, and the
 * sentence each kind's evidence is described with (the scan's `detail`, kept word for word).
 */
import { describe, expect, it } from 'vitest';
import type { InventoryItem } from '../../../core/host/inventory';
import { EVIDENCE_KINDS } from '../../../core/model/evidence-labels';
import { EvidenceKind } from '../../../core/model/scan';
import { EVIDENCE, evidenceOf } from '../../../core/scan/evidence';
import { bundle, dpkg, driver, uninstall, vendorKey, winService } from './items';

describe('the evidence table', () => {
  it('has one entry per evidence kind, filed under its kind, with the label people see', () => {
    expect(Object.keys(EVIDENCE).sort()).toEqual([...EvidenceKind.options].sort());
    for (const kind of EvidenceKind.options) {
      expect(EVIDENCE[kind].kind).toBe(kind);
      expect(EVIDENCE[kind].label).toBe(EVIDENCE_KINDS[kind].label);
    }
  });

  it('says which kinds make a product instance, stand alone unrecognised, or are live signals', () => {
    const flags = Object.fromEntries(
      EvidenceKind.options.map((k) => [
        k,
        [EVIDENCE[k].anchor, EVIDENCE[k].fallbackAnchor, EVIDENCE[k].live],
      ]),
    );
    expect(flags).toEqual({
      'registry-uninstall': [true, true, true],
      'vendor-key': [false, false, false],
      package: [true, true, false],
      service: [false, false, true],
      driver: [false, false, true],
      file: [false, false, false],
      'app-bundle': [true, true, true],
      'pkg-receipt': [true, false, false],
      launchd: [false, false, true],
      'system-extension': [false, false, true],
      process: [false, false, true],
      'security-center': [false, false, true],
    });
  });
});

describe('evidence sentences', () => {
  const detail = (item: InventoryItem): string => evidenceOf(item).detail;

  it('an item becomes evidence of its own kind, at its own place', () => {
    const item = driver('acmeflt');
    expect(evidenceOf(item)).toEqual({
      kind: 'driver',
      location: item.location,
      detail: 'Kernel driver acmeflt',
    });
    expect(Object.keys(evidenceOf(item))).toEqual(['kind', 'location', 'detail']);
  });

  it('Windows', () => {
    expect(detail(uninstall('{X}'))).toBe(
      'Uninstall entry: DisplayName (none), Publisher (none), DisplayVersion (none)',
    );
    expect(
      detail(
        uninstall('{X}', {
          displayName: 'Acme Suite',
          publisher: 'Acme Security',
          displayVersion: '12.1',
          windowsInstaller: true,
          systemComponent: true,
        }),
      ),
    ).toBe(
      'Uninstall entry: DisplayName "Acme Suite", Publisher "Acme Security", DisplayVersion "12.1", Windows Installer package, hidden system component',
    );
    expect(detail(vendorKey(''))).toBe('Vendor registry key present');
    expect(detail(vendorKey('AS12'))).toBe('Vendor registry key AS12');
    expect(detail(vendorKey('AS12', { ProductName: 'Acme Suite', ProductVersion: '12.1' }))).toBe(
      'Vendor registry key AS12: ProductName "Acme Suite", ProductVersion "12.1"',
    );
    expect(
      detail(winService('acmesvc', { displayName: 'Acme Service', imagePath: 'C:\\acme\\svc.exe' })),
    ).toBe('Service acmesvc ("Acme Service"), runs C:\\acme\\svc.exe');
    expect(detail(winService('acmesvc', { imagePath: 'C:\\acme\\svc.exe' }))).toBe(
      'Service acmesvc, runs C:\\acme\\svc.exe',
    );
    expect(detail(driver('acmeflt', { imagePath: 'acmeflt.sys', start: 0 }))).toBe(
      'Kernel driver acmeflt (acmeflt.sys), start type 0',
    );
    expect(
      detail({ kind: 'security-center', location: 'root\\SecurityCenter2', displayName: 'Acme Suite' }),
    ).toBe('Registered with Windows Security Center as "Acme Suite"');
  });

  it('Linux', () => {
    expect(detail(dpkg('acme-suite'))).toBe(
      'dpkg package acme-suite 1.0-1 (install ok installed), maintainer "Acme Packaging <pkg@acme.example>"',
    );
    expect(
      detail({ ...dpkg('acme-suite'), manager: 'rpm', maintainer: undefined, status: 'installed' }),
    ).toBe('rpm package acme-suite 1.0-1 (installed)');
    expect(detail({ kind: 'service', location: '/lib/systemd/system/acme.service', name: 'acme' })).toBe(
      'Service unit acme',
    );
    expect(detail({ kind: 'process', location: '/proc/7', name: 'acmed', pid: 7 })).toBe(
      'Running process acmed (pid 7), program not readable',
    );
    expect(
      detail({ kind: 'process', location: '/proc/7', name: 'acmed', pid: 7, executable: '/opt/acme/acmed' }),
    ).toBe('Running process acmed (pid 7), program /opt/acme/acmed');
    expect(detail({ kind: 'file', location: '/opt/acme', isDirectory: true })).toBe('Folder exists');
    expect(detail({ kind: 'file', location: '/opt/acme', isDirectory: true, empty: true })).toBe(
      'Folder exists (empty)',
    );
    expect(detail({ kind: 'file', location: '/opt/acme/x', isDirectory: false })).toBe('File exists');
  });

  it('macOS', () => {
    expect(detail(bundle('Acme'))).toBe('Application bundle (none), bundle id (none), version (none)');
    expect(detail(bundle('Acme', { name: 'Acme', bundleId: 'com.acme.suite', version: '3.2' }))).toBe(
      'Application bundle "Acme", bundle id "com.acme.suite", version "3.2"',
    );
    expect(
      detail({ kind: 'pkg-receipt', location: '/var/db/receipts/x.plist', packageId: 'com.acme.x' }),
    ).toBe('Installer receipt com.acme.x');
    expect(
      detail({
        kind: 'pkg-receipt',
        location: '/var/db/receipts/x.plist',
        packageId: 'com.acme.x',
        version: '1.2',
      }),
    ).toBe('Installer receipt com.acme.x 1.2');
    expect(detail({ kind: 'launchd', location: '/Library/LaunchDaemons/x.plist' })).toBe(
      'launchd job (none)',
    );
    expect(
      detail({
        kind: 'launchd',
        location: '/Library/LaunchDaemons/x.plist',
        label: 'com.acme.x',
        program: '/bin/x',
      }),
    ).toBe('launchd job "com.acme.x", runs /bin/x');
    expect(detail({ kind: 'system-extension', location: '/Library/SystemExtensions/x' })).toBe(
      'System extension (none), team (none)',
    );
    expect(
      detail({
        kind: 'system-extension',
        location: '/Library/SystemExtensions/x',
        bundleId: 'com.acme.ext',
        teamId: 'ACME123456',
        state: 'activated_enabled',
      }),
    ).toBe('System extension "com.acme.ext", team "ACME123456", state activated_enabled');
  });
});
