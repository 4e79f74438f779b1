/**
 * The Linux packages' scripts, as electron-builder renders them (its FpmTarget with the release
 * configuration: the same macro substitution, the same files), then run for real: a .deb made of
 * them and a stand-in payload is installed, upgraded and removed with dpkg in a test root
 * (`--force-script-chrootless`, so the scripts run here with DPKG_ROOT set, and must keep to it).
 * fpm itself is not available offline; the .deb is built with dpkg-deb.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import type { Bed } from '../beds/linux';
import { dpkgArch, dpkgArgv, makeDpkgRoot, mustRun, runTool, skipReason, tempDir } from '../beds/linux';
import { Platform, appBuilder, packagerFor, platformPackager } from './builder';

interface Scripts {
  afterInstall: string;
  afterRemove: string;
  appArmor: string;
}

async function rendered(target: 'deb' | 'rpm'): Promise<Scripts> {
  const linux = await platformPackager(
    await packagerFor('electron-builder.yml', Platform.LINUX),
    Platform.LINUX,
  );
  const t = new appBuilder.FpmTarget(target, linux, new appBuilder.LinuxTargetHelper(linux), '/nonexistent');
  const files = (await t.scriptFiles) as Scripts;
  return {
    afterInstall: readFileSync(files.afterInstall, 'utf8'),
    afterRemove: readFileSync(files.afterRemove, 'utf8'),
    appArmor: readFileSync(files.appArmor, 'utf8'),
  };
}

describe('the scripts electron-builder renders', () => {
  let deb: Scripts;
  let rpm: Scripts;
  beforeAll(async () => {
    deb = await rendered('deb');
    rpm = await rendered('rpm');
  }, 60_000);

  it('are valid bash with every macro filled in, the same for the .deb and the .rpm', () => {
    for (const s of [deb.afterInstall, deb.afterRemove]) {
      expect(s).not.toMatch(/\$\{[a-zA-Z]+\}/);
      const r = spawnSync('bash', ['-n'], { input: s, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
    expect(rpm).toEqual(deb);
  });
  it('link /usr/bin/divest to the CLI and keep the GUI as divest-app', () => {
    expect(deb.afterInstall).toContain(`ln -sfn '/opt/Divest/resources/bin/divest' "$ROOT/usr/bin/divest"`);
    expect(deb.afterInstall).toContain(
      `update-alternatives --install '/usr/bin/divest-app' 'divest-app' '/opt/Divest/divest-app' 100`,
    );
    expect(deb.afterRemove).toContain(`= '/opt/Divest/resources/bin/divest' ]; then`);
  });
  it('install the AppArmor profile that lets the desktop app use user namespaces (Ubuntu 24.04)', () => {
    expect(deb.appArmor).toContain('abi <abi/4.0>,');
    expect(deb.appArmor).toContain('profile "divest-app" "/opt/Divest/divest-app" flags=(unconfined) {');
    expect(deb.appArmor).toMatch(/^\s*userns,$/m);
    expect(deb.afterInstall).toContain("APPARMOR_PROFILE_TARGET='/etc/apparmor.d/divest-app'");
    expect(deb.afterInstall).toContain('apparmor_parser --replace --write-cache --skip-read-cache');
  });
});

const skip = skipReason(['dpkg', 'dpkg-deb', 'bash', 'update-alternatives']);

describe.skipIf(skip !== false)('the .deb, installed, upgraded and removed by dpkg', () => {
  let scripts: Scripts;
  let bed: Bed;
  let work: Bed;
  const hostPaths = [
    '/usr/bin/divest',
    '/usr/bin/divest-app',
    '/etc/alternatives/divest-app',
    '/etc/apparmor.d/divest-app',
  ];
  const hostBefore = hostPaths.map((p) => existsSync(p));

  /** A .deb of Divest's layout with stand-ins for the binaries and the rendered scripts. */
  function buildDeb(version: string): string {
    const tree = path.join(work.root, `tree-${version}`);
    const files: Record<string, string> = {
      '/opt/Divest/divest-app': '#!/bin/sh\necho "Divest desktop (stand-in)"\n',
      '/opt/Divest/chrome-sandbox': '#!/bin/sh\nexit 0\n',
      '/opt/Divest/resources/bin/divest': `#!/bin/sh\necho "divest ${version} (stand-in CLI)"\n`,
      '/opt/Divest/resources/apparmor-profile': scripts.appArmor,
    };
    for (const [p, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(tree, p)), { recursive: true });
      writeFileSync(path.join(tree, p), content);
      chmodSync(path.join(tree, p), p.endsWith('apparmor-profile') ? 0o644 : 0o755);
    }
    mkdirSync(path.join(tree, 'DEBIAN'));
    writeFileSync(
      path.join(tree, 'DEBIAN/control'),
      [
        'Package: divest',
        `Version: ${version}`,
        `Architecture: ${dpkgArch()}`,
        'Maintainer: Divest contributors',
        'Recommends: pkexec | policykit-1, libappindicator3-1',
        'Description: Divest (package test)',
        ' Built by test/package/linux-packages.test.ts.',
        '',
      ].join('\n'),
    );
    for (const [name, body] of [
      ['postinst', scripts.afterInstall],
      ['postrm', scripts.afterRemove],
    ] as const) {
      writeFileSync(path.join(tree, 'DEBIAN', name), body);
      chmodSync(path.join(tree, 'DEBIAN', name), 0o755);
    }
    const out = path.join(work.root, `divest_${version}.deb`);
    mustRun(['dpkg-deb', '--root-owner-group', '-Zgzip', '--build', tree, out]);
    return out;
  }
  const link = (p: string): string | null => {
    try {
      return lstatSync(path.join(bed.root, p)).isSymbolicLink() ? readlinkSync(path.join(bed.root, p)) : null;
    } catch {
      return null;
    }
  };

  beforeAll(async () => {
    scripts = await rendered('deb');
    work = tempDir('deb-work');
    bed = makeDpkgRoot();
    for (const d of ['etc/alternatives', 'var/lib/dpkg/alternatives', 'usr/bin', 'usr/share/applications'])
      mkdirSync(path.join(bed.root, d), { recursive: true });
  }, 60_000);
  afterAll(() => {
    bed?.cleanup();
    work?.cleanup();
    // The scripts kept to the test root: nothing of Divest's appeared on this machine.
    expect(hostPaths.map((p) => existsSync(p))).toEqual(hostBefore);
  });

  it('puts divest (the CLI) and divest-app on the PATH', () => {
    const r = runTool(dpkgArgv(bed.root, '-i', buildDeb('1.0.0')));
    expect(r.status, r.stderr).toBe(0);
    expect(link('/usr/bin/divest')).toBe('/opt/Divest/resources/bin/divest');
    expect(link('/usr/bin/divest-app')).toBe('/etc/alternatives/divest-app');
    expect(link('/etc/alternatives/divest-app')).toBe('/opt/Divest/divest-app');
    const cli = spawnSync(path.join(bed.root, link('/usr/bin/divest')!), { encoding: 'utf8' });
    expect(cli.stdout.trim()).toBe('divest 1.0.0 (stand-in CLI)');
    // Not into this machine's kernel or /etc: the profile is installed only on a real root.
    expect(existsSync(path.join(bed.root, 'etc/apparmor.d/divest-app'))).toBe(false);
    expect(
      mustRun(['dpkg-deb', '-f', path.join(work.root, 'divest_1.0.0.deb'), 'Recommends']).stdout.trim(),
    ).toBe('pkexec | policykit-1, libappindicator3-1');
  });
  it('keeps the links through an upgrade (the old postrm runs with "upgrade" before the new postinst)', () => {
    const r = runTool(dpkgArgv(bed.root, '-i', buildDeb('1.0.1')));
    expect(r.status, r.stderr).toBe(0);
    expect(link('/usr/bin/divest')).toBe('/opt/Divest/resources/bin/divest');
    expect(link('/usr/bin/divest-app')).toBe('/etc/alternatives/divest-app');
  });
  it('removes its links on removal, but not a /usr/bin/divest that someone else put there', () => {
    rmSync(path.join(bed.root, 'usr/bin/divest'));
    symlinkSync('/usr/local/bin/other-divest', path.join(bed.root, 'usr/bin/divest'));
    const r = runTool(dpkgArgv(bed.root, '--remove', 'divest'));
    expect(r.status, r.stderr).toBe(0);
    expect(link('/usr/bin/divest')).toBe('/usr/local/bin/other-divest');
    expect(link('/usr/bin/divest-app')).toBeNull();
    expect(link('/etc/alternatives/divest-app')).toBeNull();
    rmSync(path.join(bed.root, 'usr/bin/divest'));
    expect(runTool(dpkgArgv(bed.root, '-i', buildDeb('1.0.2'))).status).toBe(0);
    expect(runTool(dpkgArgv(bed.root, '--purge', 'divest')).status).toBe(0);
    expect(link('/usr/bin/divest')).toBeNull();
  });
});
