/**
 * The removal plan, built from what the real scanner finds: Windows findings from real-format
 * registry exports (test/fixtures/windows) through the real matcher, Linux findings from a real
 * scan of an image whose dpkg database is written in dpkg's own format, rpm and macOS findings from
 * inventories matched by the real matcher. The catalog is the built-in one.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { InventoryItem, UninstallEntry } from '../../core/host/inventory';
import type { HostOs } from '../../core/model/host';
import type { MachineFacts } from '../../core/host/facts';
import { NodeCommandRunner } from '../../core/host/runner';
import { gatherFacts } from '../../core/host/facts';
import { buildPlan, type PlanOptions } from '../../core/remove/plan';
import { Plan } from '../../core/model/plan';
import { scanHost } from '../../core/scan/scan';
import type { ScanResult } from '../../core/model/scan';
import {
  catalog,
  CODE,
  factsOf,
  matchedScan,
  MSIEXEC,
  scanOf,
  WIN_ENV,
  WIN_LOG_DIR,
  windowsInventory,
  windowsScan,
} from '../fixtures/removal';

const plan = (scan: ScanResult, extra: Partial<PlanOptions> = {}): Plan =>
  buildPlan({
    scan,
    catalog: catalog.catalog,
    facts: factsOf(scan),
    logDir: WIN_LOG_DIR,
    env: WIN_ENV,
    ...extra,
  });

/** The fixture inventory with the Uninstall entry of `code` changed. */
function withUninstallString(code: string, uninstallString: string): InventoryItem[] {
  return windowsInventory().map((i) =>
    i.kind === 'registry-uninstall' && i.keyName === code ? ({ ...i, uninstallString } as UninstallEntry) : i,
  );
}

/** Advice texts of the catalog that do not concern `os` (their `platforms` leave it out). */
function adviceNotFor(os: HostOs): Set<string> {
  const out = new Set<string>();
  for (const p of catalog.catalog.products)
    for (const a of [...(p.removal?.warnings ?? []), ...(p.removal?.manualSteps ?? [])])
      if (a.platforms && !a.platforms.includes(os)) out.add(a.text);
  return out;
}

function expectOnlyAdviceFor(p: Plan, os: HostOs): void {
  const foreign = adviceNotFor(os);
  expect(foreign.size).toBeGreaterThan(0);
  for (const s of p.steps)
    for (const a of [...s.warnings, ...s.manualSteps])
      expect(foreign.has(a.text), `${s.id}: ${a.text}`).toBe(false);
}

describe('Windows plan: KES, Total Security, Password Manager, Network Agent', () => {
  const scan = windowsScan();
  const p = plan(scan);
  const step = (productId: string) => p.steps.find((s) => s.productId === productId)!;

  it("has the same id whoever plans it: the msiexec log folder (the planner's data folder) is not part of it", () => {
    const elsewhere = plan(scan, { logDir: 'C:\\Users\\Jane Doe\\AppData\\Roaming\\Divest\\logs' });
    expect(elsewhere.steps[0]!.argv.join(' ')).toContain('Jane Doe');
    expect(elsewhere.id).toBe(p.id);
  });

  it('is a valid divest.plan/1 that needs administrator rights', () => {
    expect(Plan.parse(p)).toEqual(p);
    expect(p).toMatchObject({ schema: 'divest.plan/1', os: 'windows', requiresAdmin: true });
    expect(p.hostRoot).toBeUndefined();
  });

  it('orders the protection product first, the consumer suite next, Network Agent last', () => {
    expect(p.steps.map((s) => [s.id, s.productId, s.method])).toEqual([
      ['s1', 'kaspersky-endpoint-security-windows', 'msi'],
      ['s2', 'kaspersky-total-security', 'msi'],
      ['s3', 'kaspersky-password-manager', 'manual'],
      ['s4', 'kaspersky-network-agent', 'msi'],
    ]);
  });

  it('runs msiexec by absolute path under %SystemRoot%: /x {code} /qn /norestart, verbose log last', () => {
    const kes = step('kaspersky-endpoint-security-windows');
    expect(kes.argv.slice(0, -1)).toEqual([MSIEXEC, '/x', CODE.kes, '/qn', '/norestart', '/l*v']);
    expect(kes.argv.at(-1)).toMatch(
      /^C:\\ProgramData\\Divest\\logs\\[0-9a-f]{16}-\{7EC66A9F-0A49-4DC0-A9E8-460333EA8013\}\.log$/,
    );
    expect(kes).toMatchObject({
      tool: 'msiexec',
      targets: [CODE.kes],
      timeoutMs: 30 * 60_000,
      productName: 'Kaspersky Endpoint Security for Windows',
      title: `Uninstall Kaspersky Endpoint Security for Windows 11.6.0.394 (msiexec /x ${CODE.kes})`,
      notes: [],
    });
    const agent = step('kaspersky-network-agent');
    expect(agent.argv.slice(0, 5)).toEqual([MSIEXEC, '/x', CODE.nagent, '/qn', '/norestart']);
    expect(agent.productName).toBe("Agent d'administration de Kaspersky Security Center");
    // Every log file has its own name, in the log folder.
    const logs = p.steps.filter((s) => s.method === 'msi').map((s) => s.argv.at(-1));
    expect(new Set(logs).size).toBe(3);
  });

  it("takes msiexec from this machine's %SystemRoot%, not from PATH", () => {
    const other = plan(scan, { env: { SystemRoot: 'D:\\WINNT' } });
    expect(other.steps[0]!.argv[0]).toBe('D:\\WINNT\\System32\\msiexec.exe');
  });

  it('asks for credentials the way each product takes them; consumer products have none', () => {
    expect(step('kaspersky-endpoint-security-windows').credentials).toBe('kes-kllogin-klpasswd');
    expect(step('kaspersky-network-agent').credentials).toBe('klnagent-uninstpasswd-hex');
    expect(step('kaspersky-total-security').credentials).toBeUndefined();
    expect(p.warnings.map((w) => w.text).join('\n')).toMatch(/password-protected.*never stored/);
  });

  it('a product without a Windows Installer code becomes a guided manual step (kavremover)', () => {
    const kpm = step('kaspersky-password-manager');
    expect(kpm).toMatchObject({
      tool: 'manual',
      argv: [],
      targets: [],
      title: 'Remove Kaspersky Password Manager by hand (guided)',
    });
    expect(kpm.notes).toEqual([
      'No automated removal: no Windows Installer product code was found for it (not an MSI install).',
    ]);
    expect(kpm.manualSteps.map((a) => a.text).join('\n')).toMatch(/kavremover \(kavremvr\.exe/);
  });

  it('skips what it must not remove, and says why', () => {
    const why = Object.fromEntries(p.skipped.map((s) => [s.productId, s.reason]));
    expect(why).toEqual({
      'kaspersky-vpn-secure-connection':
        'only traces remain (no installed program): see the leftovers and how to clear them',
      ultraav: 'not banned: review it and decide; Divest does not remove it',
    });
    // Not Kaspersky's (publisher "Kaspersky Fan Club Toolkit", K-Lite): never part of the plan.
    expect(JSON.stringify(p)).not.toMatch(/KasperskyFanTools|K-Lite/);
  });

  it('gives Windows steps only advice that concerns Windows', () => {
    expectOnlyAdviceFor(p, 'windows');
    expect(step('kaspersky-endpoint-security-windows').warnings.length).toBeGreaterThan(0);
  });

  it('a stable id for the same scan; another scan, another id', () => {
    const again = plan(scan, { now: () => new Date('2031-01-01T00:00:00Z') });
    expect(again.id).toBe(p.id);
    expect(again.createdAt).toBe('2031-01-01T00:00:00.000Z');
    expect(again.steps.map((s) => s.argv)).toEqual(p.steps.map((s) => s.argv));
    const fewer = windowsInventory().filter(
      (i) => !(i.kind === 'registry-uninstall' && i.keyName === CODE.kts),
    );
    expect(plan(windowsScan(fewer)).id).not.toBe(p.id);
  });

  it('--only keeps the products asked for', () => {
    const only = plan(scan, { only: ['kaspersky-network-agent'] });
    expect(only.steps.map((s) => s.productId)).toEqual(['kaspersky-network-agent']);
    expect(only.steps[0]!.id).toBe('s1');
    const notSelected = only.skipped
      .filter((s) => s.reason === 'not selected (--only)')
      .map((s) => s.productId);
    expect(notSelected).toEqual(
      expect.arrayContaining([
        'kaspersky-endpoint-security-windows',
        'kaspersky-total-security',
        'kaspersky-password-manager',
      ]),
    );
    expect(plan(scan, { only: [] }).steps).toHaveLength(4);
  });

  it('a time-out given applies to every step', () => {
    expect(
      plan(scan, { timeoutMs: 90_000 })
        .steps.filter((s) => s.method === 'msi')
        .map((s) => s.timeoutMs),
    ).toEqual([90_000, 90_000, 90_000]);
  });
});

describe('Windows plan: a tampered UninstallString is never run', () => {
  it.each([
    ['a second command', `MsiExec.exe /X${CODE.kes} & cmd /c calc`, /shell characters/],
    ['PowerShell through a pipe', `MsiExec.exe /X${CODE.kes} | powershell -enc SQBFAFgA`, /shell characters/],
    ['another product code', `MsiExec.exe /X${CODE.nagent}`, /removes \{2924BEDA.*not the product found/],
    ['cmd.exe', `cmd.exe /c msiexec /x ${CODE.kes}`, /does not run msiexec/],
  ])('%s: a note, and the safe msiexec /x {ProductCode} form', (_why, injected, reason) => {
    const p = plan(windowsScan(withUninstallString(CODE.kes, injected)));
    const kes = p.steps.find((s) => s.productId === 'kaspersky-endpoint-security-windows')!;
    expect(kes.argv.slice(0, 5)).toEqual([MSIEXEC, '/x', CODE.kes, '/qn', '/norestart']);
    expect(kes.targets).toEqual([CODE.kes]);
    expect(kes.notes).toHaveLength(1);
    expect(kes.notes[0]).toMatch(/^The registry's UninstallString was not used \(/);
    expect(kes.notes[0]).toMatch(reason);
    expect(kes.notes[0]).toContain(`Divest runs msiexec /x ${CODE.kes} built from the product code instead.`);
    for (const a of kes.argv) {
      expect(a).not.toMatch(/calc|cmd|powershell|[&|]/i);
      expect(a).not.toBe(CODE.nagent);
    }
  });

  it('the maintenance form (/I{code}) Windows writes is fine: no note', () => {
    const p = plan(windowsScan(withUninstallString(CODE.kes, `MsiExec.exe /I${CODE.kes}`)));
    expect(p.steps[0]!.notes).toEqual([]);
  });
});

describe('Linux plan from a real scan of an image', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

  const record = (name: string, version: string, status: string, description: string, maintainer: string) =>
    [
      `Package: ${name}`,
      `Status: ${status}`,
      'Priority: optional',
      'Section: misc',
      'Installed-Size: 412870',
      `Maintainer: ${maintainer}`,
      'Architecture: amd64',
      `Version: ${version}`,
      `Description: ${description}`,
      ' Test image package.',
    ].join('\n');
  const KL = 'AO Kaspersky Lab <support@kaspersky.com>';

  /** A Debian image with KESL (and its GUI), Network Agent, kav4fs left as rc, and bash. */
  async function imageScan(options: {
    shell: boolean;
    extra?: string[];
  }): Promise<{ root: string; scan: ScanResult; facts: MachineFacts }> {
    const root = mkdtempSync(path.join(tmpdir(), 'divest-plan-image-'));
    roots.push(root);
    mkdirSync(path.join(root, 'var/lib/dpkg/info'), { recursive: true });
    mkdirSync(path.join(root, 'var/log'), { recursive: true });
    if (options.shell) {
      mkdirSync(path.join(root, 'bin'));
      writeFileSync(path.join(root, 'bin/sh'), '', { mode: 0o755 });
    }
    const status = [
      record(
        'bash',
        '5.2.15-2+b7',
        'install ok installed',
        'GNU Bourne Again SHell',
        'Matthias Klose <doko@debian.org>',
      ),
      record('kesl', '12.1.0-1234', 'install ok installed', 'Kaspersky Endpoint Security for Linux', KL),
      record(
        'kesl-gui',
        '12.1.0-1234',
        'install ok installed',
        'Kaspersky Endpoint Security for Linux GUI',
        KL,
      ),
      record(
        'klnagent64',
        '14.2.0-35148',
        'install ok installed',
        'Kaspersky Security Center Network Agent',
        KL,
      ),
      record(
        'kav4fs',
        '8.0.4-312',
        'deinstall ok config-files',
        'Kaspersky Anti-Virus for Linux File Server',
        KL,
      ),
      ...(options.extra ?? []),
    ];
    writeFileSync(path.join(root, 'var/lib/dpkg/status'), `${status.join('\n\n')}\n`);
    const scan = await scanHost({
      catalog,
      runner: new NodeCommandRunner(),
      hostRoot: root,
      hostOs: 'linux',
      appVersion: '0.1.0',
    });
    return { root, scan, facts: await gatherFacts({ os: 'linux', root, live: false }, catalog.catalog) };
  }

  const asUser = typeof process.getuid === 'function' && process.getuid() !== 0 ? ['--force-not-root'] : [];

  it('an image without a shell, its scripts allowed on this machine: dpkg --root, its own log, scripts run chrootless; packages in catalog order', async () => {
    const { root, scan, facts } = await imageScan({ shell: false });
    const p = plan(scan, { facts, logDir: '/var/lib/divest/logs', allowImageScriptsOnHost: true });
    expect(p.hostRoot).toBe(root);
    expect(p.steps.map((s) => [s.productId, s.tool])).toEqual([
      ['kaspersky-anti-virus-linux-file-server', 'dpkg'],
      ['kaspersky-endpoint-security-linux', 'dpkg'],
      ['kaspersky-network-agent', 'dpkg'],
    ]);
    const kesl = p.steps[1]!;
    expect(path.isAbsolute(kesl.argv[0]!)).toBe(true);
    expect(path.basename(kesl.argv[0]!)).toBe('dpkg');
    expect(kesl.argv.slice(1)).toEqual([
      `--root=${root}`,
      `--log=${root}/var/log/dpkg.log`,
      '--force-script-chrootless',
      ...asUser,
      '--purge',
      'kesl-gui',
      'kesl',
    ]);
    expect(kesl).toMatchObject({
      targets: ['kesl-gui', 'kesl'],
      database: '/var/lib/dpkg',
      timeoutMs: 10 * 60_000,
    });
    expect(kesl.notes.join('\n')).toMatch(/has no shell.*DPKG_ROOT=.*--force-script-chrootless/);
    expect(kesl.title).toBe(
      'Remove Kaspersky Endpoint Security for Linux 12.1.0-1234 (dpkg purge: kesl-gui, kesl)',
    );
    // Only configuration is left of kav4fs: it is purged, not skipped as a trace.
    expect(p.steps[0]!.argv.slice(-2)).toEqual(['--purge', 'kav4fs']);
    expect(p.steps[0]!.credentials).toBeUndefined();
    expectOnlyAdviceFor(p, 'linux');
    expect(p.steps[2]!.warnings.map((w) => w.text)).toContain(
      'Removing Network Agent needs administrator (Windows) or root (Linux, macOS) rights.',
    );
  });

  it('an image with a shell: the scripts run chrooted in it (no --force-script-chrootless)', async () => {
    const { root, scan, facts } = await imageScan({ shell: true });
    const kesl = plan(scan, { facts }).steps.find(
      (s) => s.productId === 'kaspersky-endpoint-security-linux',
    )!;
    expect(kesl.argv.slice(1)).toEqual([
      `--root=${root}`,
      `--log=${root}/var/log/dpkg.log`,
      ...asUser,
      '--purge',
      'kesl-gui',
      'kesl',
    ]);
    expect(kesl.notes).toEqual([]);
  });

  it('the live system: plain dpkg --purge', async () => {
    const { scan } = await imageScan({ shell: true });
    const live = scanOf('linux', scan.findings);
    const facts = await gatherFacts({ os: 'linux', root: '/', live: true }, catalog.catalog);
    const kesl = plan(live, { facts }).steps.find(
      (s) => s.productId === 'kaspersky-endpoint-security-linux',
    )!;
    expect(kesl.argv.slice(1)).toEqual(['--purge', 'kesl-gui', 'kesl']);
  });

  it('a package name dpkg would never accept is not put on a command line', async () => {
    const { scan } = await imageScan({
      shell: true,
      extra: [record('KESL-Tools', '1.0', 'install ok installed', 'Kaspersky tools', KL)],
    });
    const p = plan(scan);
    const odd = p.steps.find((s) => s.productId === 'kaspersky-unidentified')!;
    expect(odd).toMatchObject({ method: 'manual', argv: [] });
    expect(odd.notes).toEqual([
      'No automated removal: the package name "KESL-Tools" is not a valid dpkg name.',
    ]);
    expect(p.steps.flatMap((s) => s.argv)).not.toContain('KESL-Tools');
  });

  it('rpm: --root and --dbpath of the image, then -e; an option-like package name is refused', () => {
    const rpm = (name: string, vendor: string): InventoryItem => ({
      kind: 'package',
      manager: 'rpm',
      location: `rpm:/var/lib/rpm#${name}`,
      name,
      version: '12.1.0-1234',
      architecture: 'x86_64',
      maintainer: vendor,
      status: 'installed',
      installed: true,
    });
    const scan = matchedScan(
      'linux',
      [
        rpm('kesl', 'AO Kaspersky Lab'),
        rpm('kesl-gui', 'AO Kaspersky Lab'),
        rpm('--noscripts', 'AO Kaspersky Lab'),
      ],
      '/srv/images/rocky9',
    );
    const p = plan(scan);
    const kesl = p.steps.find((s) => s.productId === 'kaspersky-endpoint-security-linux')!;
    expect(path.basename(kesl.argv[0]!)).toBe('rpm');
    expect(kesl.argv.slice(1)).toEqual([
      '--root',
      '/srv/images/rocky9',
      '--dbpath',
      '/var/lib/rpm',
      '-e',
      'kesl-gui',
      'kesl',
    ]);
    expect(kesl).toMatchObject({ tool: 'rpm', database: '/var/lib/rpm', targets: ['kesl-gui', 'kesl'] });
    const odd = p.steps.find((s) => s.productId === 'kaspersky-unidentified')!;
    expect(odd.method).toBe('manual');
    expect(odd.notes[0]).toMatch(/"--noscripts" is not a valid rpm name/);
    expect(p.steps.flatMap((s) => s.argv)).not.toContain('--noscripts');
  });
});

describe('macOS plan', () => {
  const kesMac: InventoryItem[] = [
    {
      kind: 'app-bundle',
      location: '/Applications/Kaspersky Endpoint Security for Mac.app',
      bundleId: 'com.kaspersky.kav',
      name: 'Kaspersky Endpoint Security for Mac',
      version: '11.3.0.244',
    },
  ];

  it('an image: vendor scripts would run on this machine, so the step is manual', () => {
    const p = plan(matchedScan('macos', kesMac, '/Volumes/Macintosh HD'));
    expect(p.steps).toHaveLength(1);
    expect(p.steps[0]).toMatchObject({
      productId: 'kaspersky-endpoint-security-mac',
      method: 'manual',
      argv: [],
    });
    expect(p.steps[0]!.notes[0]).toMatch(/not run against an image.*remove it on the Mac itself/);
    expect(p.requiresAdmin).toBe(false);
    expectOnlyAdviceFor(p, 'macos');
    expect(p.steps[0]!.manualSteps.map((a) => a.text).join('\n')).toMatch(/kavremover-mac\.dmg/);
  });

  it('live, with none of the vendor uninstallers present: manual too', () => {
    const p = plan(matchedScan('macos', kesMac));
    expect(p.steps[0]!.notes[0]).toMatch(/none of the vendor uninstallers the catalog knows is present/);
  });
});

it('nothing found: an empty plan with no warnings and no admin rights needed', () => {
  const p = plan(scanOf('windows', []));
  expect(p).toMatchObject({ steps: [], skipped: [], warnings: [], requiresAdmin: false });
});
