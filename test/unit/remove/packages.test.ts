/**
 * Which packages a dpkg or rpm step may remove (issues 15.9 (d) and 15.13, the planner's part).
 *
 * Linux findings come from a real scan of an image whose dpkg database (status and file lists) is
 * written in dpkg's own format, so the priority, Essential flag and owned files reach the planner
 * exactly as a scan carries them; rpm findings from inventories matched by the real matcher.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { InventoryItem } from '../../../core/host/inventory';
import { NodeCommandRunner } from '../../../core/host/runner';
import type { Catalog } from '../../../core/model/catalog';
import type { Plan } from '../../../core/model/plan';
import type { ScanResult } from '../../../core/model/scan';
import { buildPlan } from '../../../core/remove/plan';
import { scanHost } from '../../../core/scan/scan';
import { loadCatalogFile, type LoadedCatalog } from '../../../core/catalog/load';
import { compileCatalog, matchInventory } from '../../../core/scan/match';
import { catalog, factsOf, matchedScan, scanOf } from '../../fixtures/removal';

const KL = 'AO Kaspersky Lab <support@kaspersky.com>';
const KESL = 'kaspersky-endpoint-security-linux';
const UNIDENTIFIED = 'kaspersky-unidentified';

interface Pkg {
  name: string;
  maintainer?: string;
  priority?: string;
  essential?: boolean;
  files?: string[];
}

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

/** A Debian image (with a shell) whose dpkg database holds `pkgs`, and its scan. */
async function imageScan(pkgs: Pkg[], cat: LoadedCatalog = catalog): Promise<ScanResult> {
  const root = mkdtempSync(path.join(tmpdir(), 'divest-packages-'));
  roots.push(root);
  mkdirSync(path.join(root, 'var/lib/dpkg/info'), { recursive: true });
  mkdirSync(path.join(root, 'bin'));
  writeFileSync(path.join(root, 'bin/sh'), '', { mode: 0o755 });
  const records = pkgs.map((p) =>
    [
      `Package: ${p.name}`,
      ...(p.essential ? ['Essential: yes'] : []),
      'Status: install ok installed',
      `Priority: ${p.priority ?? 'optional'}`,
      'Section: misc',
      `Maintainer: ${p.maintainer ?? KL}`,
      'Architecture: amd64',
      'Version: 1.0-1',
      `Description: ${p.name}`,
    ].join('\n'),
  );
  writeFileSync(path.join(root, 'var/lib/dpkg/status'), `${records.join('\n\n')}\n`);
  for (const p of pkgs)
    if (p.files)
      writeFileSync(path.join(root, `var/lib/dpkg/info/${p.name}.list`), `/.\n${p.files.join('\n')}\n`);
  return scanHost({
    catalog: cat,
    runner: new NodeCommandRunner(),
    hostRoot: root,
    hostOs: 'linux',
    appVersion: '0.1.0',
  });
}

function planOf(scan: ScanResult, cat: Catalog = catalog.catalog): Plan {
  return buildPlan({
    scan,
    catalog: cat,
    facts: factsOf(scan, { imageHasShell: true }),
    logDir: '/tmp/logs',
  });
}

/** The built-in catalog with KESL's package names replaced, loaded as `--catalog FILE` is. */
function catalogNaming(names: string[]): LoadedCatalog {
  const copy = structuredClone(catalog.catalog);
  copy.products.find((p) => p.id === KESL)!.signatures.linux!.packages = names.map((name) => ({
    name,
    refs: ['S18a'],
  }));
  const dir = mkdtempSync(path.join(tmpdir(), 'divest-catalog-'));
  roots.push(dir);
  const file = path.join(dir, 'catalog.json');
  writeFileSync(file, JSON.stringify(copy));
  return loadCatalogFile(file);
}

const argvOf = (p: Plan): string[] => p.steps.flatMap((s) => s.argv);

describe('15.13: a package attributed only by its Maintainer field is not purged', () => {
  it('openssh-server with a Kaspersky maintainer: a manual step to check it, never on a command line', async () => {
    const scan = await imageScan([
      { name: 'kesl', files: ['/opt', '/opt/kaspersky', '/opt/kaspersky/kesl', '/opt/kaspersky/kesl/bin'] },
      { name: 'openssh-server', files: ['/usr/sbin/sshd', '/etc/ssh/sshd_config', '/opt/openssh/x'] },
    ]);
    const hint = scan.findings
      .flatMap((f) => f.removalHints.packages)
      .find((p) => p.name === 'openssh-server')!;
    expect(hint.addOnPaths).toEqual(['/opt/openssh/x']);
    const p = planOf(scan);
    expect(argvOf(p)).not.toContain('openssh-server');
    expect(p.steps.find((s) => s.productId === KESL)!.argv.slice(-2)).toEqual(['--purge', 'kesl']);
    const check = p.steps.find((s) => s.productId === UNIDENTIFIED)!;
    expect(check).toMatchObject({ tool: 'manual', argv: [] });
    expect(check.notes[0]).toMatch(
      /^No automated removal: the package openssh-server is attributed to Kaspersky only by its Maintainer field.*owns no files in \/opt\/kaspersky, \/var\/opt\/kaspersky, \/etc\/opt\/kaspersky\.$/,
    );
    expect(check.manualSteps[0]!.text).toContain(`dpkg-query --root=${scan.hostRoot} -L openssh-server`);
  });

  it("a package the catalog does not name that owns files in the vendor's folders: removed", async () => {
    const scan = await imageScan([
      { name: 'kesl-tools', files: ['/opt', '/opt/kaspersky', '/opt/kaspersky/tools/bin/klscan'] },
      { name: 'openssh-server', files: ['/usr/sbin/sshd'] },
    ]);
    const p = planOf(scan);
    const steps = p.steps.filter((s) => s.productId === UNIDENTIFIED);
    // The vendor's package is removed; the other one gets its own step to check by hand.
    expect(steps.map((s) => [s.tool, s.targets])).toEqual([
      ['dpkg', ['kesl-tools']],
      ['manual', []],
    ]);
    expect(steps[1]!.notes[0]).toMatch(/openssh-server is attributed to Kaspersky only by its Maintainer/);
  });

  it('owning only the shared /opt/kaspersky folder itself, or a look-alike, is not enough', async () => {
    const scan = await imageScan([
      {
        name: 'not-kaspersky',
        files: ['/opt', '/opt/kaspersky', '/opt/kaspersky-fan/x', '/opt/kaspersky/../x'],
      },
    ]);
    expect(planOf(scan).steps.map((s) => s.tool)).toEqual(['manual']);
  });

  it('rpm: a Vendor field alone is not enough either', () => {
    const rpm = (name: string): InventoryItem => ({
      kind: 'package',
      manager: 'rpm',
      location: `rpm:/var/lib/rpm#${name}`,
      name,
      version: '1.0-1',
      maintainer: 'AO Kaspersky Lab',
      status: 'installed',
      installed: true,
      files: ['/usr/sbin/sshd'],
    });
    const p = planOf(matchedScan('linux', [rpm('kesl'), rpm('openssh-server')], '/srv/images/rocky9'));
    expect(argvOf(p)).not.toContain('openssh-server');
    const check = p.steps.find((s) => s.productId === UNIDENTIFIED)!;
    expect(check.notes[0]).toMatch(/only by its Vendor field/);
    expect(check.manualSteps[0]!.text).toContain('rpm --root /srv/images/rocky9 -ql openssh-server');
  });
});

describe('15.9 (d): a package the operating system needs is never removed, whatever the catalog says', () => {
  it.each([
    [
      'Essential: yes',
      { name: 'bash', essential: true, priority: 'required' },
      /dpkg marks it Essential: yes/,
    ],
    ['Priority: required', { name: 'libzstd1', priority: 'required' }, /its dpkg Priority is required/],
    ['Priority: important', { name: 'cron', priority: 'important' }, /its dpkg Priority is important/],
    [
      'a core name with an ordinary record',
      { name: 'libc6' },
      /one of the core packages of a Debian-based system/,
    ],
  ])('dpkg, %s: the whole step becomes manual', async (_why, pkg, reason) => {
    const cat = catalogNaming(['kesl', pkg.name]);
    const scan = await imageScan([{ name: 'kesl' }, pkg], cat);
    const kesl = planOf(scan, cat.catalog).steps.find((s) => s.productId === KESL)!;
    expect(kesl).toMatchObject({ tool: 'manual', argv: [] });
    expect(kesl.notes[0]).toMatch(reason);
    expect(kesl.notes[0]).toContain(`${pkg.name} is a package the operating system needs`);
    expect(kesl.notes[0]).toMatch(/Divest never removes it, whatever the catalog says\.$/);
  });

  it('the scan carries Essential and a base-system Priority, and nothing for ordinary packages', async () => {
    const cat = catalogNaming(['kesl', 'bash', 'cron']);
    const scan = await imageScan(
      [
        { name: 'kesl' },
        { name: 'bash', essential: true, priority: 'required' },
        { name: 'cron', priority: 'important' },
      ],
      cat,
    );
    const hints = Object.fromEntries(
      scan.findings.flatMap((f) => f.removalHints.packages).map((p) => [p.name, p]),
    );
    expect(hints.kesl).toEqual({ manager: 'dpkg', name: 'kesl', installed: true });
    expect(hints.bash).toEqual({
      manager: 'dpkg',
      name: 'bash',
      installed: true,
      essential: true,
      priority: 'required',
    });
    expect(hints.cron).toMatchObject({ priority: 'important' });
  });

  it.each(['glibc', 'bash', 'coreutils', 'systemd', 'rpm', 'filesystem', 'setup', 'kernel', 'kernel-core'])(
    'rpm, %s (named by the catalog): refused',
    (name) => {
      const cat = catalogNaming(['kesl', name]);
      const rpm = (n: string): InventoryItem => ({
        kind: 'package',
        manager: 'rpm',
        location: `rpm:/var/lib/rpm#${n}`,
        name: n,
        version: '1.0-1',
        maintainer: 'Rocky Enterprise Software Foundation',
        status: 'installed',
        installed: true,
      });
      const found = matchInventory(compileCatalog(cat.catalog), 'linux', [rpm('kesl'), rpm(name)], []);
      const scan = scanOf('linux', found, '/srv/images/rocky9');
      const kesl = planOf(scan, cat.catalog).steps.find((s) => s.productId === KESL)!;
      expect(kesl.tool).toBe('manual');
      expect(kesl.notes[0]).toMatch(
        new RegExp(`${name} is a package the operating system needs .*RPM-based`),
      );
    },
  );
});
