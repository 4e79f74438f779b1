/**
 * Issue 15.9 (the planner's part): a catalog is data a user can replace (`--catalog FILE`), and a
 * hostile one that passes the schema must still not turn the plan into something else.
 *
 * (a) MSI properties come from a fixed vocabulary; (b) macOS uninstallers only from the vendor's
 * own folders; (c) an EXE pattern `.*` does not make a payload in Downloads acceptable. Every
 * catalog here is validated by the real schema first, as `--catalog FILE` is, so each attack is
 * one the schema lets through and only the planner stops.
 */
import { describe, expect, it } from 'vitest';
import type { FileFacts } from '../../../core/host/facts';
import type { InventoryItem, UninstallEntry } from '../../../core/host/inventory';
import { Catalog, type Product } from '../../../core/model/catalog';
import type { Plan } from '../../../core/model/plan';
import type { ScanResult } from '../../../core/model/scan';
import { buildPlan } from '../../../core/remove/plan';
import {
  catalog,
  CODE,
  factsOf,
  matchedScan,
  MSIEXEC,
  WIN_ENV,
  WIN_LOG_DIR,
  windowsInventory,
  windowsScan,
} from '../../fixtures/removal';

const KES = 'kaspersky-endpoint-security-windows';
const KES_MAC = 'kaspersky-endpoint-security-mac';
const KPM = 'kaspersky-password-manager';

/** The built-in catalog with one product's removal changed, validated like `--catalog FILE`. */
function catalogWith(productId: string, change: (removal: NonNullable<Product['removal']>) => void): Catalog {
  const copy = structuredClone(catalog.catalog);
  const product = copy.products.find((p) => p.id === productId)!;
  change(product.removal!);
  return Catalog.parse(copy);
}

function planOf(scan: ScanResult, cat: Catalog, facts = factsOf(scan)): Plan {
  return buildPlan({ scan, catalog: cat, facts, logDir: WIN_LOG_DIR, env: WIN_ENV });
}

describe('(a) MSI properties from a fixed vocabulary', () => {
  const withProps = (props: Record<string, string>): Plan =>
    planOf(
      windowsScan(),
      catalogWith(KES, (r) => {
        r.windows!.msiProperties = props;
      }),
    );

  it.each([
    ['REBOOT', 'Force'],
    ['TRANSFORMS', 'C:\\Users\\Public\\evil.mst'],
    ['PATCH', 'C:\\Users\\Public\\evil.msp'],
    ['ADDLOCAL', 'ALL'],
    ['REMOVE', 'ALL'],
    ['MSIRESTARTMANAGERCONTROL', 'Enable'],
  ])('%s=%s is refused by name and the step runs without it', (name, value) => {
    const kes = withProps({ [name]: value }).steps.find((s) => s.productId === KES)!;
    expect(kes.tool).toBe('msiexec');
    expect(kes.argv.slice(0, 6)).toEqual([MSIEXEC, '/x', CODE.kes, '/qn', '/norestart', '/l*v']);
    expect(kes.argv.some((a) => a.startsWith(`${name}=`))).toBe(false);
    expect(kes.notes).toEqual([
      `The catalog's MSI property ${name}=${JSON.stringify(value)} was refused (a catalog may ask only for REBOOT=ReallySuppress, MSIRESTARTMANAGERCONTROL=Disable, which keep msiexec from restarting anything); the step runs without it.`,
    ]);
  });

  it('credential properties never come from a catalog, even when the scheme would use them', () => {
    const kes = withProps({ KLLOGIN: 'KLAdmin', KLPASSWD: 'from-the-catalog' }).steps[0]!;
    expect(kes.argv.join(' ')).not.toMatch(/KLLOGIN|KLPASSWD|from-the-catalog/);
    expect(kes.notes).toHaveLength(2);
    for (const n of kes.notes) expect(n).toMatch(/carries an uninstall credential.*asks for at run time/);
    expect(kes.credentials).toBe('kes-kllogin-klpasswd');
  });

  it('the known safe ones are passed, in their canonical spelling, before the log', () => {
    const kes = withProps({ REBOOT: 'reallysuppress', MSIRESTARTMANAGERCONTROL: 'Disable' }).steps[0]!;
    expect(kes.argv.slice(5, 8)).toEqual([
      'REBOOT=ReallySuppress',
      'MSIRESTARTMANAGERCONTROL=Disable',
      '/l*v',
    ]);
    expect(kes.notes).toEqual([]);
  });
});

describe('(b) macOS uninstallers only from the vendor’s own folders', () => {
  const kesMac: InventoryItem[] = [
    {
      kind: 'app-bundle',
      location: '/Applications/Kaspersky Endpoint Security for Mac.app',
      bundleId: 'com.kaspersky.kav',
      name: 'Kaspersky Endpoint Security for Mac',
      version: '11.3.0.244',
    },
  ];
  const scan = matchedScan('macos', kesMac);
  const rootFile: FileFacts = { isFile: true, uid: 0, mode: 0o100755 };
  const VENDOR = '/Library/Application Support/Kaspersky Lab/KAV/Binaries/UninstallScript';

  const planWith = (paths: string[], uninstallers: Record<string, FileFacts>): Plan =>
    planOf(
      scan,
      catalogWith(KES_MAC, (r) => {
        r.macos!.uninstallers = paths.map((p) => ({ path: p, refs: ['S17a'] }));
      }),
      factsOf(scan, { uninstallers }),
    );

  it.each([
    '/usr/bin/id',
    '/sbin/reboot',
    '/Library/Application Support/Kaspersky Lab/../../../sbin/reboot',
    '/Library/Application Support/Kaspersky Lab//KAV/./UninstallScript',
    '/Applications/Kaspersky.app/../../sbin/reboot',
    '/Applications/Utilities/Terminal.app/Contents/MacOS/Terminal',
  ])('%s: refused, present and root-owned or not', (p) => {
    const plan = planWith([p], { [p]: rootFile });
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]).toMatchObject({ productId: KES_MAC, tool: 'manual', argv: [] });
    expect(plan.steps[0]!.notes[0]).toBe(
      `No automated removal: the catalog's uninstaller ${p} is not in the vendor's own folders, so Divest does not run it.`,
    );
  });

  it("the vendor's script, root-owned and not writable by others: run", () => {
    const step = planWith([VENDOR], { [VENDOR]: { ...rootFile, realPath: VENDOR } }).steps[0]!;
    expect(step).toMatchObject({ tool: 'script', argv: [VENDOR], notes: [] });
  });

  it('an app bundle uninstaller inside /Applications/Kaspersky*.app/Contents is a vendor place', () => {
    const p = '/Applications/Kaspersky Endpoint Security for Mac.app/Contents/Resources/Uninstall';
    expect(planWith([p], { [p]: rootFile }).steps[0]!.argv).toEqual([p]);
  });

  it('a refused candidate before a good one: the good one runs, with a note on the refused one', () => {
    const step = planWith(['/sbin/reboot', VENDOR], { '/sbin/reboot': rootFile, [VENDOR]: rootFile })
      .steps[0]!;
    expect(step.argv).toEqual([VENDOR]);
    expect(step.notes).toEqual([
      "The catalog's uninstaller /sbin/reboot is not in the vendor's own folders: not used.",
    ]);
  });

  it('a vendor path that really leads elsewhere (a link to /sbin/reboot): refused', () => {
    const step = planWith([VENDOR], { [VENDOR]: { ...rootFile, realPath: '/sbin/reboot' } }).steps[0]!;
    expect(step.tool).toBe('manual');
    expect(step.notes[0]).toMatch(/leads to \/sbin\/reboot, outside the vendor's folders/);
  });

  it.each([
    ['group-writable', { ...rootFile, mode: 0o100775 }],
    ['owned by a user', { ...rootFile, uid: 501 }],
    ['a folder', { ...rootFile, isFile: false, mode: 0o40755 }],
  ])('the vendor script %s: refused (the facts say so; nothing is read from this disk)', (_why, st) => {
    const step = planWith([VENDOR], { [VENDOR]: st }).steps[0]!;
    expect(step.tool).toBe('manual');
    expect(step.notes[0]).toMatch(/not a root-owned file that only root can change, so it is not run\.$/);
  });
});

describe('(c) EXE uninstallers only from where an administrator put them', () => {
  const exeCatalog = (re: string): Catalog =>
    catalogWith(KPM, (r) => {
      r.windows = {
        method: 'exe',
        msiProperties: {},
        exeImages: [{ re, refs: ['S2'] }],
        exeQuietArgs: ['/S'],
        refs: ['S2'],
      };
    });
  /** The fixture inventory with Password Manager's entry changed. */
  const kpmEntry = (change: Partial<UninstallEntry>): InventoryItem[] =>
    windowsInventory().map((i) =>
      i.kind === 'registry-uninstall' && i.keyName === 'Kaspersky Password Manager' ? { ...i, ...change } : i,
    );
  const kpmStep = (cat: Catalog, items: InventoryItem[]) => {
    const steps = planOf(windowsScan(items), cat).steps.filter((s) => s.productId === KPM);
    expect(steps).toHaveLength(1);
    return steps[0]!;
  };
  const OWN = 'C:\\Program Files (x86)\\Kaspersky Lab\\Kaspersky Password Manager 9.0.2\\uninstall.exe';

  it('its own uninstaller in the vendor folder under Program Files (x86): run with the quiet switch', () => {
    expect(kpmStep(exeCatalog('uninstall\\.exe'), windowsInventory())).toMatchObject({
      tool: 'exe',
      argv: [OWN, '/S'],
    });
  });

  it.each([
    ['a payload in Downloads', 'C:\\Users\\bob\\Downloads\\payload.exe', undefined],
    [
      'an HKCU-style entry whose install folder is in the profile',
      'C:\\Users\\bob\\AppData\\Local\\Kaspersky Lab\\uninstall.exe',
      'C:\\Users\\bob\\AppData\\Local\\Kaspersky Lab\\',
    ],
    ['a temp folder', 'C:\\Windows\\Temp\\KES\\setup_kes.exe', 'C:\\Windows\\Temp\\KES\\'],
    ['Program Files itself as the install folder', 'C:\\Program Files\\evil.exe', 'C:\\Program Files\\'],
    [
      'a look-alike vendor folder',
      'C:\\Program Files\\Kaspersky Lab Tools\\uninstall.exe',
      'C:\\Users\\bob\\Desktop\\',
    ],
  ])('pattern ".*", %s: refused (guided manual step)', (_why, image, installLocation) => {
    const step = kpmStep(
      exeCatalog('.*'),
      kpmEntry({ uninstallString: `"${image}" /S`, installLocation, quietUninstallString: undefined }),
    );
    expect(step).toMatchObject({ tool: 'manual', argv: [] });
    expect(step.notes[0]).toContain(
      `${image} is neither in the vendor's folder under Program Files or ProgramData nor in the product's install folder under Program Files`,
    );
  });

  it("the product's own install folder under Program Files is fine, even outside the vendor folder", () => {
    const image = 'C:\\Program Files\\Password Manager\\uninstall.exe';
    const step = kpmStep(
      exeCatalog('uninstall\\.exe'),
      kpmEntry({ uninstallString: `"${image}"`, installLocation: 'C:\\Program Files\\Password Manager\\' }),
    );
    expect(step).toMatchObject({ tool: 'exe', argv: [image, '/S'] });
  });

  it("the vendor's ProgramData folder is a vendor place", () => {
    const image = 'C:\\ProgramData\\Kaspersky Lab\\Setup\\uninstall.exe';
    expect(kpmStep(exeCatalog('uninstall\\.exe'), kpmEntry({ uninstallString: `"${image}"` })).argv).toEqual([
      image,
      '/S',
    ]);
  });

  it('the pattern must match the whole file name', () => {
    const step = kpmStep(exeCatalog('uninst'), windowsInventory());
    expect(step.tool).toBe('manual');
    expect(step.notes[0]).toMatch(/the uninstaller uninstall\.exe is not one the catalog knows/);
  });

  it.each(['cmd.exe', 'powershell.exe', 'certutil.exe', 'schtasks.exe'])(
    "Windows' own %s is never a vendor uninstaller, even in the vendor folder with pattern .*",
    (exe) => {
      const image = `C:\\Program Files (x86)\\Kaspersky Lab\\${exe}`;
      const step = kpmStep(exeCatalog('.*'), kpmEntry({ uninstallString: `"${image}"` }));
      expect(step.tool).toBe('manual');
      expect(step.notes[0]).toMatch(/is not one the catalog knows for this product/);
    },
  );
});
