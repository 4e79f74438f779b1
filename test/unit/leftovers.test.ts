/**
 * Leftovers after a removal and how to clear each one by hand. The evidence comes from the real
 * matcher over inventories of each OS (Windows: the real-format registry exports in
 * test/fixtures/windows), so every kind of evidence a scan can produce is covered.
 */
import { describe, expect, it } from 'vitest';
import type { InventoryItem } from '../../core/host/inventory';
import type { PathHit } from '../../core/host/paths';
import { compileCatalog, matchInventory } from '../../core/scan/match';
import { EvidenceKind, type ScanResult } from '../../core/model/scan';
import { howToClear, leftoversOf } from '../../core/verify/leftovers';
import { Leftover } from '../../core/model/verify';
import { catalog, scanOf, windowsInventory } from '../fixtures/removal';

const matcher = compileCatalog(catalog.catalog);

function after(
  os: 'windows' | 'linux' | 'macos',
  items: InventoryItem[],
  hits: PathHit[],
  hostRoot?: string,
): ScanResult {
  return scanOf(os, matchInventory(matcher, os, items, hits), hostRoot);
}

const windowsAfter = after(
  'windows',
  [
    ...windowsInventory(),
    {
      kind: 'security-center',
      location: 'root\\SecurityCenter2:AntiVirusProduct',
      displayName: 'Kaspersky Total Security',
      productState: 266240,
    },
  ],
  [
    {
      pattern: '%ProgramData%\\Kaspersky Lab',
      entry: { kind: 'file', location: 'C:\\ProgramData\\Kaspersky Lab', isDirectory: true },
    },
  ],
);

const dpkg = (name: string, status: string, installed: boolean): InventoryItem => ({
  kind: 'package',
  manager: 'dpkg',
  location: `dpkg:/var/lib/dpkg/status#${name}:amd64`,
  name,
  version: '12.1.0-1234',
  architecture: 'amd64',
  maintainer: 'AO Kaspersky Lab <support@kaspersky.com>',
  status,
  installed,
});
const linuxItems: InventoryItem[] = [
  dpkg('kesl', 'install ok installed', true),
  dpkg('kav4fs', 'deinstall ok config-files', false),
  { kind: 'service', location: '/lib/systemd/system/kesl.service', name: 'kesl' },
  { kind: 'process', location: '/proc/1934', name: 'klserver', pid: 1934 },
];
const linuxHits: PathHit[] = [
  {
    pattern: '/var/opt/kaspersky/kesl',
    entry: { kind: 'file', location: '/var/opt/kaspersky/kesl', isDirectory: true },
  },
];
const IMAGE = '/srv/images/deb12';

const rpmAfter = (hostRoot?: string) =>
  after(
    'linux',
    [
      {
        kind: 'package',
        manager: 'rpm',
        location: 'rpm:/var/lib/rpm#kesl',
        name: 'kesl',
        version: '12.1.0-1234',
        maintainer: 'AO Kaspersky Lab',
        status: 'installed',
        installed: true,
      },
    ],
    [],
    hostRoot,
  );

const macAfter = after(
  'macos',
  [
    {
      kind: 'app-bundle',
      location: '/Applications/Kaspersky Endpoint Security for Mac.app',
      bundleId: 'com.kaspersky.kav',
      name: 'Kaspersky Endpoint Security for Mac',
      version: '11.3.0.244',
    },
    {
      kind: 'pkg-receipt',
      location: '/private/var/db/receipts/com.kaspersky.kav.core.plist',
      packageId: 'com.kaspersky.kav.core',
      version: '11.3.0.244',
    },
    {
      kind: 'launchd',
      location: '/Library/LaunchDaemons/com.kaspersky.kav.plist',
      label: 'com.kaspersky.kav',
      program: '/Library/Application Support/Kaspersky Lab/KAV/Binaries/kav',
    },
    {
      kind: 'system-extension',
      location:
        '/Library/SystemExtensions/5B8F7C3A-1E2D-4F60-9A7B-0C1D2E3F4A5B/com.kaspersky.kav.sysext.systemextension',
      bundleId: 'com.kaspersky.kav.sysext',
      teamId: '2Y8XE5CQ94',
      state: 'activated_enabled',
    },
    {
      kind: 'process',
      location: '/Library/Application Support/Kaspersky Lab/KAV/Binaries/kav',
      name: 'kav',
      pid: 312,
    },
  ],
  [],
);

const all = [windowsAfter, after('linux', linuxItems, linuxHits), rpmAfter(), macAfter].flatMap(leftoversOf);
const one = (kind: string, location: string | RegExp) =>
  all.find(
    (l) =>
      l.kind === kind && (typeof location === 'string' ? l.location === location : location.test(l.location)),
  )!;

describe('leftoversOf', () => {
  it('lists every piece of evidence of banned products, each with an instruction', () => {
    for (const l of all) {
      expect(Leftover.parse(l)).toEqual(l);
      expect(l.howToClear.length).toBeGreaterThan(20);
    }
    // Every kind of evidence a scan can produce gets its own instruction.
    expect(new Set(all.map((l) => l.kind))).toEqual(new Set(EvidenceKind.options));
  });

  it('leaves out products under review (UltraAV) and look-alikes', () => {
    expect(all.some((l) => l.productId === 'ultraav')).toBe(false);
    expect(all.some((l) => /UltraAV|KasperskyFanTools|K-Lite/.test(l.location))).toBe(false);
  });

  it('an empty scan has no leftovers', () => {
    expect(leftoversOf(scanOf('windows', []))).toEqual([]);
  });
});

describe('howToClear, per kind', () => {
  it('registry-uninstall: remove again, kavremover, the key only last', () => {
    const l = one('registry-uninstall', /\\\{7EC66A9F-0A49-4DC0-A9E8-460333EA8013\}$/);
    expect(l.howToClear).toMatch(/Run "divest remove" again/);
    expect(l.howToClear).toMatch(/kavremover/);
    expect(l.howToClear).toContain(
      `Delete the key ${l.location} by hand only once the program folder is gone.`,
    );
  });

  it('kernel drivers are never to be deleted by hand', () => {
    const drivers = all.filter((l) => l.kind === 'driver');
    expect(drivers.map((d) => d.location)).toContain('HKLM\\SYSTEM\\CurrentControlSet\\Services\\klif');
    for (const d of drivers) {
      expect(d.howToClear).toMatch(/Divest never deletes drivers/);
      expect(d.howToClear).toMatch(/keyboard or mouse dead/);
      expect(d.howToClear).toMatch(/kavremover/);
      expect(d.howToClear).not.toMatch(/sc delete|reg delete|\bdel\b|rm -/);
    }
  });

  it('Windows services: restart, then sc delete by name', () => {
    expect(one('service', 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\klnagent').howToClear).toMatch(
      /Restart first\..*"sc delete klnagent"/,
    );
  });

  it('vendor key: reg delete with the key quoted as cmd.exe needs it', () => {
    const l = one('vendor-key', 'HKLM\\SOFTWARE\\WOW6432Node\\KasperskyLab\\AVP21.2');
    expect(l.howToClear).toMatch(/after a restart; Kaspersky's self-defence keeps it locked/);
    // What the user types at an elevated prompt: plain double quotes, no backslash escapes.
    expect(l.howToClear).toContain('reg delete "HKLM\\SOFTWARE\\WOW6432Node\\KasperskyLab\\AVP21.2" /f');
  });

  it('security center and files', () => {
    expect(one('security-center', /SecurityCenter2/).howToClear).toMatch(/Windows drops the registration/);
    expect(one('file', 'C:\\ProgramData\\Kaspersky Lab').howToClear).toMatch(
      /^Delete C:\\ProgramData\\Kaspersky Lab \(nothing of .* runs from it/,
    );
  });

  it('dpkg: an rc package is purged with dpkg --purge; an installed one too', () => {
    expect(one('package', /#kav4fs:amd64$/).howToClear).toBe(
      'Only its configuration is left: purge it with "dpkg --purge kav4fs" as root.',
    );
    expect(one('package', /#kesl:amd64$/).howToClear).toBe(
      'Still installed: run "divest remove", or "dpkg --purge kesl" as root.',
    );
  });

  it('dpkg in an image: --root=<image>', () => {
    const image = leftoversOf(after('linux', linuxItems, linuxHits, IMAGE));
    expect(image.find((l) => l.location.includes('#kav4fs'))!.howToClear).toContain(
      `"dpkg --root=${IMAGE} --purge kav4fs"`,
    );
    expect(image.find((l) => l.location.includes('#kesl'))!.howToClear).toContain(
      `"dpkg --root=${IMAGE} --purge kesl"`,
    );
  });

  it("rpm: rpm -e; in an image with the image's database, as the plan runs it", () => {
    expect(leftoversOf(rpmAfter())[0]!.howToClear).toBe(
      'Still installed: run "divest remove", or "rpm -e kesl" as root.',
    );
    // Without --dbpath, rpm --root on a Debian or Ubuntu machine reads ~/.rpmdb and says "not installed"
    // (test/beds/linux.ts); the plan always passes the database it found.
    expect(leftoversOf(rpmAfter(IMAGE))[0]!.howToClear).toContain(
      `rpm --root ${IMAGE} --dbpath /var/lib/rpm -e kesl`,
    );
  });

  it('Linux units and processes', () => {
    expect(one('service', '/lib/systemd/system/kesl.service').howToClear).toBe(
      'Stop and disable it ("systemctl disable --now kesl.service"), delete /lib/systemd/system/kesl.service, then run "systemctl daemon-reload".',
    );
    expect(one('process', '/proc/1934').howToClear).toMatch(/restart the machine, then scan again/);
  });

  it('in an image, files and units are named where they are on this machine, and nothing acts on the live system', () => {
    const image = leftoversOf(after('linux', linuxItems, linuxHits, IMAGE));
    const unit = image.find((l) => l.kind === 'service')!;
    const folder = image.find((l) => l.kind === 'file')!;
    expect(folder.howToClear).toContain(`${IMAGE}/var/opt/kaspersky/kesl`);
    expect(unit.howToClear).toContain(`${IMAGE}/lib/systemd/system/kesl.service`);
    expect(unit.howToClear).not.toMatch(/--now/);
  });

  it('macOS: app bundle, receipt, launchd job, system extension', () => {
    expect(one('app-bundle', /\.app$/).howToClear).toMatch(
      /own uninstaller.*system extension must be removed with it/,
    );
    expect(one('pkg-receipt', /receipts/).howToClear).toContain(
      '"sudo pkgutil --forget com.kaspersky.kav.core"',
    );
    expect(one('launchd', /LaunchDaemons/).howToClear).toContain(
      '"sudo launchctl bootout system /Library/LaunchDaemons/com.kaspersky.kav.plist"',
    );
    expect(one('system-extension', /SystemExtensions/).howToClear).toMatch(/vendor's uninstaller.*restart/);
  });

  it('howToClear names the package from the evidence location', () => {
    const f = windowsAfter.findings[0]!;
    expect(
      howToClear(
        {
          kind: 'package',
          location: 'dpkg:/var/lib/dpkg/status#klnagent64:amd64',
          detail: 'dpkg package klnagent64 14.2.0-35148 (deinstall ok config-files)',
        },
        f,
      ),
    ).toBe('Only its configuration is left: purge it with "dpkg --purge klnagent64" as root.');
  });
});
