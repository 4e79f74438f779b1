/**
 * Claims -> findings (core/scan/group.ts), through the matcher's entry point: vendor-wide traces
 * joining the main product, installed or traces, names, versions, evidence order and removal hints.
 */
import { runsFromProgramPlace } from '../../../core/scan/evidence/process';
import { describe, expect, it } from 'vitest';
import type { InventoryItem } from '../../../core/host/inventory';
import type { PathHit } from '../../../core/host/paths';
import type { HostOs } from '../../../core/model/host';
import type { Finding } from '../../../core/model/scan';
import { claimsOf } from '../../../core/scan/classify';
import { compileCatalog } from '../../../core/scan/compile';
import { groupClaims } from '../../../core/scan/group';
import { matchInventory } from '../../../core/scan/match';
import { ACME, acmeCatalog } from './acme-catalog';
import { bundle, dpkg, driver, hit, uninstall, vendorKey, winService } from './items';

const m = compileCatalog(acmeCatalog);
const scan = (os: HostOs, items: InventoryItem[], hits: PathHit[] = []): Finding[] =>
  matchInventory(m, os, items, hits);
const summary = (fs: Finding[]) => fs.map((f) => [f.productId, f.presence, f.evidence.map((e) => e.kind)]);

const SUITE = uninstall('{S}', {
  displayName: 'Acme Suite 12',
  publisher: 'Acme Security',
  displayVersion: '12.1',
});
const SHARED_FOLDER = hit('%ProgramData%\\Acme Security', 'C:\\ProgramData\\Acme Security');

describe('vendor-wide traces', () => {
  it('a driver of the fallback joins a main product that is installed', () => {
    expect(summary(scan('windows', [SUITE, driver('acmeshared')], [SHARED_FOLDER]))).toEqual([
      [ACME.suite, 'installed', ['registry-uninstall', 'driver', 'file']],
    ]);
  });

  it('but stands alone when the main product left only traces; inert traces still join it', () => {
    const fs = scan('windows', [vendorKey('AS12'), driver('acmeshared')], [SHARED_FOLDER]);
    expect(summary(fs)).toEqual([
      [ACME.fallback, 'installed', ['driver']],
      [ACME.suite, 'traces', ['vendor-key', 'file']],
    ]);
  });

  it('form a finding of their own when no product of the vendor is found', () => {
    expect(summary(scan('windows', [driver('acmeshared')], [SHARED_FOLDER]))).toEqual([
      [ACME.fallback, 'installed', ['driver', 'file']],
    ]);
    expect(summary(scan('windows', [], [SHARED_FOLDER]))).toEqual([[ACME.fallback, 'traces', ['file']]]);
  });

  it('an unrecognised product of the vendor stays a finding of its own', () => {
    const unknown = uninstall('{U}', { displayName: 'Acme Mystery', publisher: 'Acme Security' });
    expect(summary(scan('windows', [SUITE, unknown, driver('acmeshared')]))).toEqual([
      [ACME.fallback, 'installed', ['registry-uninstall']],
      [ACME.suite, 'installed', ['registry-uninstall', 'driver']],
    ]);
  });

  it('join the banned product removed first, never one under review', () => {
    const agent = uninstall('{A}', { displayName: 'Acme Agent', publisher: 'Acme Security' });
    const viewer = uninstall('{V}', { displayName: 'Acme Viewer', publisher: 'Acme Security' });
    const fs = scan('windows', [viewer, agent, SUITE, driver('acmeshared')]);
    expect(summary(fs)).toEqual([
      [ACME.agent, 'installed', ['registry-uninstall']],
      [ACME.suite, 'installed', ['registry-uninstall', 'driver']],
      [ACME.viewer, 'installed', ['registry-uninstall']],
    ]);
    expect(summary(scan('windows', [viewer, driver('acmeshared')]))).toEqual([
      [ACME.fallback, 'installed', ['driver']],
      [ACME.viewer, 'installed', ['registry-uninstall']],
    ]);
  });
});

describe('installed or traces', () => {
  it('a program folder with files counts as installed, an empty one does not', () => {
    const folder = (empty: boolean) => [hit('/opt/acme/suite', '/opt/acme/suite', { empty })];
    expect(summary(scan('linux', [], folder(false)))).toEqual([[ACME.suite, 'installed', ['file']]]);
    expect(summary(scan('linux', [], folder(true)))).toEqual([[ACME.suite, 'traces', ['file']]]);
  });

  it('a file, a data folder or a shared vendor folder is a trace', () => {
    expect(
      summary(scan('linux', [], [hit('/opt/acme/suite', '/opt/acme/suite', { isDirectory: false })])),
    ).toEqual([[ACME.suite, 'installed', ['file']]]);
    expect(summary(scan('linux', [], [hit('/var/opt/acme/suite')]))).toEqual([
      [ACME.suite, 'traces', ['file']],
    ]);
    expect(summary(scan('linux', [], [hit('/opt/acme')]))).toEqual([[ACME.fallback, 'traces', ['file']]]);
  });

  it('a package shows the product installed only while it is installed', () => {
    expect(scan('linux', [dpkg('acme-suite')])[0]!.presence).toBe('installed');
    const left = dpkg('acme-suite', { status: 'deinstall ok config-files', installed: false });
    expect(scan('linux', [left])[0]!.presence).toBe('traces');
  });

  it('a registered Windows service is installed; a unit file or a launchd plist left behind is not', () => {
    expect(scan('windows', [winService('acmesvc')])[0]!.presence).toBe('installed');
    const unit: InventoryItem = {
      kind: 'service',
      location: '/lib/systemd/system/acme-suite.service',
      name: 'acme-suite',
    };
    expect(scan('linux', [unit])[0]!.presence).toBe('traces');
    const job: InventoryItem = {
      kind: 'launchd',
      location: '/Library/LaunchDaemons/com.acme.suite.plist',
      label: 'com.acme.suite',
    };
    expect(scan('macos', [job])[0]!.presence).toBe('traces');
    const proc: InventoryItem = {
      kind: 'process',
      location: '/proc/7',
      name: 'acmed',
      pid: 7,
      executable: '/opt/acme/bin/acmed',
    };
    expect(scan('linux', [unit, proc])[0]!.presence).toBe('installed');
  });

  it('a process named like the product is "installed" only when its program is that file in a program place', () => {
    const proc = (executable?: string): InventoryItem => ({
      kind: 'process',
      location: '/proc/9',
      name: 'acmed',
      pid: 9,
      ...(executable ? { executable } : {}),
    });
    // Any user can start a program called acmed, or rename python3 to it (prctl PR_SET_NAME).
    for (const exe of [
      '/tmp/acmed',
      '/home/eve/bin/acmed',
      '/usr/bin/python3',
      '/opt/acme/bin/other',
      undefined,
    ])
      expect(scan('linux', [proc(exe)])[0]?.presence, String(exe)).not.toBe('installed');
    expect(scan('linux', [proc('/opt/acme/bin/acmed')])[0]!.presence).toBe('installed');
    expect(runsFromProgramPlace('kav', '/Library/Application Support/Kaspersky Lab/KAV/Binaries/kav')).toBe(
      true,
    );
    expect(runsFromProgramPlace('kesl-supervisor', '/opt/kaspersky/kesl/libexec/kesl-supervisor.bin')).toBe(
      true,
    );
    expect(runsFromProgramPlace('kav', '/Users/eve/Library/kav')).toBe(false);
    expect(scan('linux', [proc('/tmp/acmed')])[0]!.evidence[0]!.detail).toContain('program /tmp/acmed');
  });
});

describe('one finding', () => {
  it('lists anchors, then live signals, then traces, each place once', () => {
    const f = scan(
      'windows',
      [vendorKey('AS12'), winService('acmesvc'), SUITE, vendorKey('AS12'), driver('acmeflt')],
      [hit('%ProgramFiles%\\Acme Security\\Acme Suite', 'C:\\Program Files\\Acme Security\\Acme Suite')],
    )[0]!;
    expect(f.evidence.map((e) => e.kind)).toEqual([
      'registry-uninstall',
      'service',
      'driver',
      'vendor-key',
      'file',
    ]);
  });

  it('takes the name and version as installed: the visible Uninstall entry first', () => {
    const hidden = uninstall('{H}', {
      displayName: 'Acme Suite',
      publisher: 'Acme Security',
      displayVersion: '12.0',
      systemComponent: true,
    });
    const f = scan('windows', [hidden, SUITE])[0]!;
    expect([f.name, f.version]).toEqual(['Acme Suite 12', '12.1']);
    const keyOnly = scan('windows', [
      vendorKey('AS12', { ProductName: 'Acme Suite 12 MR1', ProductVersion: '12.1.7' }),
    ]);
    expect([keyOnly[0]!.name, keyOnly[0]!.version]).toEqual(['Acme Suite 12 MR1', '12.1.7']);
    const bare = scan('linux', [], [hit('/opt/acme/suite')])[0]!;
    expect([bare.name, bare.version]).toEqual(['Acme Suite', undefined]);
    expect('version' in bare).toBe(false);
    const mac = scan('macos', [
      bundle('Acme Suite', { bundleId: 'com.acme.suite', name: 'Acme', version: '3.2' }),
    ]);
    expect([mac[0]!.name, mac[0]!.version]).toEqual(['Acme', '3.2']);
  });

  it('the version of an installed package wins over one only configured, packages in catalog order', () => {
    const f = scan('linux', [
      dpkg('acme-suite', { version: '2.0' }),
      dpkg('acme-suite-gui', { version: '1.9', status: 'deinstall ok config-files', installed: false }),
    ])[0]!;
    expect(f.version).toBe('2.0');
    expect(f.removalHints.packages).toEqual([
      { manager: 'dpkg', name: 'acme-suite-gui', installed: false },
      { manager: 'dpkg', name: 'acme-suite', installed: true },
    ]);
  });

  it('carries what a removal plan needs', () => {
    const msi = uninstall('{AAAAAAAA-1111-2222-3333-444444444444}', {
      displayName: 'Acme Suite',
      publisher: 'Acme Security',
      uninstallString: 'MsiExec.exe /X{AAAAAAAA-1111-2222-3333-444444444444}',
    });
    const exe = uninstall('AcmeSuite', {
      displayName: 'Acme Suite',
      publisher: 'Acme Security',
      uninstallString: '"C:\\Program Files\\Acme\\uninst.exe"',
      quietUninstallString: '"C:\\Program Files\\Acme\\uninst.exe" /S',
      windowsInstaller: true, // not a GUID key: no product code
    });
    const f = scan('windows', [msi, exe], [SHARED_FOLDER])[0]!;
    expect(f.removalHints).toEqual({
      msiProductCodes: ['{AAAAAAAA-1111-2222-3333-444444444444}'],
      packages: [],
      uninstallEntries: [
        { location: msi.location, uninstallString: msi.uninstallString, windowsInstaller: false },
        {
          location: exe.location,
          uninstallString: exe.uninstallString,
          quietUninstallString: exe.quietUninstallString,
          windowsInstaller: true,
        },
      ],
      paths: ['C:\\ProgramData\\Acme Security'],
    });
  });

  it('has an id stable for the same product at the same place', () => {
    const a = scan('windows', [SUITE])[0]!;
    const b = scan('windows', [driver('acmeflt'), SUITE])[0]!;
    expect(a.id).toMatch(new RegExp(`^${ACME.suite}:[0-9a-f]{12}$`));
    expect(b.id).toBe(a.id);
    expect(scan('windows', [{ ...SUITE, location: `${SUITE.location}x` }])[0]!.id).not.toBe(a.id);
  });

  it('lists banned findings first, then by name; names the vendor and the directives', () => {
    const fs = groupClaims(
      claimsOf(m, 'windows', [uninstall('{V}', { displayName: 'Acme Viewer' }), SUITE], []),
      new Map([['acme', 'Acme Security']]),
    );
    expect(fs.map((f) => [f.productId, f.status, f.vendor])).toEqual([
      [ACME.suite, 'banned', 'Acme Security'],
      [ACME.viewer, 'review', 'Acme Security'],
    ]);
    expect(fs[0]!.directives).toEqual(acmeCatalog.products[0]!.directives);
    expect(groupClaims(claimsOf(m, 'windows', [SUITE], []), new Map())[0]!.vendor).toBe('acme');
  });
});
