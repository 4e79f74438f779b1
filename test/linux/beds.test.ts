/**
 * The Linux test beds themselves: real `.deb`/`.rpm` packages install into temporary roots, the
 * package databases show them, files land under the root (never on the host), and removal works.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, lstatSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Bed, RpmBed } from '../beds/linux';
import {
  bedFixtures,
  buildDeb,
  buildFixtureDebs,
  buildFixtureRpms,
  buildRpm,
  debSpecOf,
  dpkgListFiles,
  dpkgQuery,
  eraseRpms,
  installDebs,
  installRpms,
  kasperskyFixtures,
  lookAlikeFixtures,
  makeDpkgRoot,
  makeRpmRoot,
  mustRun,
  ordinaryFixtures,
  removeDebs,
  rpmArgv,
  rpmListFiles,
  rpmQuery,
  rpmSpecOf,
  runTool,
  skipReason,
  tempDir,
} from '../beds/linux';

const allFixtures = [...kasperskyFixtures, ...lookAlikeFixtures, ...ordinaryFixtures];
const dpkgSkip = skipReason(['dpkg', 'dpkg-deb', 'dpkg-query']);
const rpmSkip = skipReason(['rpm', 'rpmbuild']);

/** True when the host has no such path (so a test can prove it still has none afterwards). */
const hostHadOptKaspersky = existsSync('/opt/kaspersky');
const hostHadVarOptKaspersky = existsSync('/var/opt/kaspersky');

function expectHostUntouched(): void {
  if (!hostHadOptKaspersky) expect(existsSync('/opt/kaspersky')).toBe(false);
  if (!hostHadVarOptKaspersky) expect(existsSync('/var/opt/kaspersky')).toBe(false);
}

describe.skipIf(dpkgSkip !== false)('dpkg beds', () => {
  const cleanups: Bed[] = [];
  let debDir: Bed;
  let debs: string[];
  const hostLog = '/var/log/dpkg.log';
  let hostLogSizeBefore = 0;

  beforeAll(() => {
    hostLogSizeBefore = existsSync(hostLog) ? statSync(hostLog).size : 0;
    debDir = tempDir('bed-debs');
    cleanups.push(debDir);
    debs = buildFixtureDebs(allFixtures, debDir.root);
  });
  afterAll(() => {
    for (const c of cleanups) c.cleanup();
  });

  it('builds root-owned .deb files with the control fields given', () => {
    const deb = debs[0] ?? '';
    expect(path.basename(deb)).toMatch(/^kesl_12\.1\.0-1234_[a-z0-9]+\.deb$/);
    const info = mustRun(['dpkg-deb', '--field', deb, 'Package', 'Version', 'Maintainer']).stdout;
    expect(info).toContain('Package: kesl');
    expect(info).toContain('Version: 12.1.0-1234');
    expect(info).toContain('Maintainer: Kaspersky Lab <support@kaspersky.com>');
    const listing = mustRun(['dpkg-deb', '--contents', deb]).stdout;
    expect(listing).toContain('./opt/kaspersky/kesl/bin/kesl-control');
    expect(listing).toContain('./lib/systemd/system/kesl.service');
    for (const line of listing.trim().split('\n')) expect(line).toMatch(/ root\/root /);
    expect(mustRun(['dpkg-deb', '--field', deb, 'Architecture']).stdout.trim()).not.toBe('');
    const kav = debs.find((d) => path.basename(d).startsWith('kav4fs_')) ?? '';
    expect(path.basename(kav)).toBe('kav4fs_8.0.4-312_i386.deb');
  });

  it('installs every fixture into a temporary root; dpkg-query shows them; files land under the root', () => {
    const bed = makeDpkgRoot();
    cleanups.push(bed);
    installDebs(bed.root, debs);
    const rows = dpkgQuery(bed.root);
    expect(rows.map((r) => r.name).sort()).toEqual(allFixtures.map((f) => f.name).sort());
    for (const r of rows) expect(r.abbrev.trim()).toBe('ii');
    const kesl = rows.find((r) => r.name === 'kesl');
    expect(kesl).toMatchObject({
      version: '12.1.0-1234',
      maintainer: 'Kaspersky Lab <support@kaspersky.com>',
    });
    expect(rows.find((r) => r.name === 'kav4fs')).toMatchObject({
      version: '8.0.4-312',
      architecture: 'i386',
    });
    expect(rows.find((r) => r.name === 'klavaro')?.maintainer).not.toMatch(/kaspersky/i);

    const under = (p: string): string => path.join(bed.root, p);
    expect(statSync(under('/opt/kaspersky/kesl/bin/kesl-control')).mode & 0o777).toBe(0o755);
    expect(existsSync(under('/opt/kaspersky/klnagent64/bin/klnagchk'))).toBe(true);
    expect(existsSync(under('/opt/kaspersky/klnagent64/bin/klmover'))).toBe(true);
    expect(existsSync(under('/opt/kaspersky/kav4fs/bin/kav4fs-control'))).toBe(true);
    expect(readFileSync(under('/lib/systemd/system/kesl.service'), 'utf8')).toContain('[Service]');
    expect(existsSync(under('/lib/systemd/system/klnagent64.service'))).toBe(true);
    expect(statSync(under('/var/opt/kaspersky/kesl')).isDirectory()).toBe(true);
    expect(dpkgListFiles(bed.root, 'kesl')).toContain('/opt/kaspersky/kesl/bin/kesl-control');
    expect(dpkgListFiles(bed.root, 'kesl-gui')).toContain('/opt/kaspersky/kesl/bin/kesl-gui');

    // The maintainer scripts ran, on the host, confined to $DPKG_ROOT.
    expect(readFileSync(under('/var/opt/kaspersky/kesl/common/install.state'), 'utf8')).toContain('postinst');
    expect(readlinkSync(under('/etc/systemd/system/multi-user.target.wants/kesl.service'))).toBe(
      '/lib/systemd/system/kesl.service',
    );
    expect(existsSync(under('/var/opt/kaspersky/klnagent/1093/1.0/hostid'))).toBe(true);
    expectHostUntouched();

    // dpkg logged into the root, not into the host's /var/log/dpkg.log.
    expect(readFileSync(under('/var/log/dpkg.log'), 'utf8')).toMatch(/install kesl:\S+ <none> 12\.1\.0-1234/);
    if (existsSync(hostLog)) {
      const fresh = readFileSync(hostLog).subarray(hostLogSizeBefore).toString('utf8');
      expect(fresh).not.toMatch(/ kesl:\S+ .*12\.1\.0-1234/);
    }
  });

  it('removes: dependants first, conffiles stay (rc) until purge, postrm cleans what postinst made', () => {
    const bed = makeDpkgRoot();
    cleanups.push(bed);
    installDebs(bed.root, debs);
    const under = (p: string): string => path.join(bed.root, p);

    // kesl-gui depends on kesl: dpkg refuses to remove kesl alone, as on a real machine.
    const refused = removeDebs(bed.root, ['kesl']);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/kesl-gui/);

    expect(removeDebs(bed.root, ['kesl-gui', 'kesl']).status).toBe(0);
    const afterRemove = dpkgQuery(bed.root);
    expect(afterRemove.find((r) => r.name === 'kesl')).toMatchObject({
      abbrev: 'rc ',
      status: 'deinstall ok config-files',
    });
    // No conffiles: dpkg forgets kesl-gui at once (no `rc` row).
    expect(afterRemove.find((r) => r.name === 'kesl-gui')).toBeUndefined();
    expect(existsSync(under('/opt/kaspersky/kesl'))).toBe(false);
    expect(existsSync(under('/lib/systemd/system/kesl.service'))).toBe(false);
    expect(existsSync(under('/etc/opt/kaspersky/kesl.conf'))).toBe(true);
    // Not owned by the package: created by postinst, left until purge (like the real leftovers).
    expect(existsSync(under('/var/opt/kaspersky/kesl/common/install.state'))).toBe(true);
    expect(existsSync(under('/opt/kaspersky/klnagent64/bin/klnagchk'))).toBe(true);

    expect(removeDebs(bed.root, ['kesl', 'kesl-gui'], { purge: true }).status).toBe(0);
    const afterPurge = dpkgQuery(bed.root).map((r) => r.name);
    expect(afterPurge).not.toContain('kesl');
    expect(existsSync(under('/etc/opt/kaspersky/kesl.conf'))).toBe(false);
    expect(existsSync(under('/var/opt/kaspersky/kesl'))).toBe(false);
    expect(existsSync(under('/etc/systemd/system/multi-user.target.wants/kesl.service'))).toBe(false);

    expect(removeDebs(bed.root, ['klnagent64', 'kav4fs'], { purge: true }).status).toBe(0);
    expect(existsSync(under('/opt/kaspersky'))).toBe(false);
    expect(existsSync(under('/var/opt/kaspersky/klnagent'))).toBe(false);
    expect(
      dpkgQuery(bed.root)
        .map((r) => r.name)
        .sort(),
    ).toEqual([...lookAlikeFixtures, ...ordinaryFixtures].map((f) => f.name).sort());
    expectHostUntouched();
  });

  it('maintainer scripts refuse to run when DPKG_ROOT is empty', () => {
    const out = tempDir('guard');
    cleanups.push(out);
    const deb = buildDeb(
      {
        name: 'guard-test',
        version: '1.0-1',
        maintainer: 'Divest tests <tests@example.org>',
        description: 'guard',
        files: { '/usr/share/guard-test/x': 'x\n' },
        scripts: { postinst: 'echo should-not-get-here' },
      },
      out.root,
    );
    mustRun(['dpkg-deb', '-R', deb, path.join(out.root, 'x')]);
    const r = runTool(['sh', path.join(out.root, 'x/DEBIAN/postinst'), 'configure'], {
      env: { ...process.env, DPKG_ROOT: '' },
    });
    expect(r.status).toBe(1);
    expect(r.stdout).not.toContain('should-not-get-here');
  });
});

describe.skipIf(rpmSkip !== false)('rpm beds', () => {
  const cleanups: Bed[] = [];
  let rpmDir: Bed;
  let rpms: string[];

  beforeAll(() => {
    rpmDir = tempDir('bed-rpms');
    cleanups.push(rpmDir);
    rpms = buildFixtureRpms(allFixtures, rpmDir.root);
  });
  afterAll(() => {
    for (const c of cleanups) c.cleanup();
  });

  it('builds .rpm files with Name, Version, Release, Vendor and the unit under /usr/lib/systemd', () => {
    const kesl = rpms[0] ?? '';
    expect(path.basename(kesl)).toMatch(/^kesl-12\.1\.0-1234\.[a-z0-9_]+\.rpm$/);
    const q = mustRun(['rpm', '-qp', '--qf', '%{NAME}|%{VERSION}|%{RELEASE}|%{VENDOR}\\n', kesl]).stdout;
    expect(q.trim()).toBe('kesl|12.1.0|1234|AO Kaspersky Lab');
    const files = mustRun(['rpm', '-qlp', kesl]).stdout;
    expect(files).toContain('/opt/kaspersky/kesl/bin/kesl-control');
    expect(files).toContain('/usr/lib/systemd/system/kesl.service');
    expect(rpms.map((r) => path.basename(r))).toContain('kav4fs-8.0.4-312.i386.rpm');
    const gui = rpms.find((r) => path.basename(r).startsWith('kesl-gui-')) ?? '';
    expect(mustRun(['rpm', '-qp', '--requires', gui]).stdout).toContain('kesl = 12.1.0-1234');
  });

  it('installs into a root whose database is in /var/lib/rpm; rpm -qa shows them; files land under the root', () => {
    const bed = makeRpmRoot();
    cleanups.push(bed);
    expect(existsSync(path.join(bed.root, 'var/lib/rpm/rpmdb.sqlite'))).toBe(true);
    installRpms(bed, rpms);
    const rows = rpmQuery(bed);
    expect(rows.map((r) => r.name).sort()).toEqual(allFixtures.map((f) => f.name).sort());
    expect(rows.find((r) => r.name === 'klnagent64')).toMatchObject({
      version: '14.2.0',
      release: '8829',
      vendor: 'AO Kaspersky Lab',
    });
    expect(rows.find((r) => r.name === 'kav4fs')?.arch).toBe('i386');
    expect(rows.find((r) => r.name === 'kasperskyfan-tools')?.vendor).toBe('Jane Roe');
    const under = (p: string): string => path.join(bed.root, p);
    expect(existsSync(under('/opt/kaspersky/kesl/bin/kesl-control'))).toBe(true);
    expect(existsSync(under('/usr/lib/systemd/system/klnagent64.service'))).toBe(true);
    expect(existsSync(under('/opt/kaspersky/kav4fs/bin/kav4fs-control'))).toBe(true);
    expect(rpmListFiles(bed, 'kesl')).toContain('/var/opt/kaspersky/kesl');
    expect(existsSync(path.join(bed.root, 'root/.rpmdb'))).toBe(false);
    expectHostUntouched();
  });

  it('erases: dependants first; owned files and folders go, /opt/kaspersky itself is left', () => {
    const bed = makeRpmRoot();
    cleanups.push(bed);
    installRpms(bed, rpms);
    const refused = eraseRpms(bed, ['kesl']);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/kesl-gui/);
    expect(eraseRpms(bed, ['kesl-gui', 'kesl', 'klnagent64', 'kav4fs']).status).toBe(0);
    expect(
      rpmQuery(bed)
        .map((r) => r.name)
        .sort(),
    ).toEqual([...lookAlikeFixtures, ...ordinaryFixtures].map((f) => f.name).sort());
    const under = (p: string): string => path.join(bed.root, p);
    for (const p of [
      '/opt/kaspersky/kesl',
      '/opt/kaspersky/klnagent64',
      '/opt/kaspersky/kav4fs',
      '/var/opt/kaspersky/kesl',
    ])
      expect(existsSync(under(p)), p).toBe(false);
    expect(existsSync(under('/usr/lib/systemd/system/kesl.service'))).toBe(false);
    // Nobody owns /opt/kaspersky: rpm leaves the empty folder (products.md §5.3: it may remain).
    expect(existsSync(under('/opt/kaspersky'))).toBe(true);
  });

  it('supports the /usr/lib/sysimage/rpm layout with /var/lib/rpm a symlink to it', () => {
    const bed = makeRpmRoot({ layout: 'sysimage' });
    cleanups.push(bed);
    installRpms(bed, rpms.slice(0, 1));
    expect(existsSync(path.join(bed.root, 'usr/lib/sysimage/rpm/rpmdb.sqlite'))).toBe(true);
    expect(lstatSync(path.join(bed.root, 'var/lib/rpm')).isSymbolicLink()).toBe(true);
    const viaSymlink = runTool(['rpm', '--root', bed.root, '--dbpath', '/var/lib/rpm', '-qa']);
    expect(viaSymlink.stdout).toContain('kesl-12.1.0-1234');
  });

  it('documents the trap: without --dbpath, rpm --root sees an empty database (and creates root/.rpmdb)', () => {
    const bed = makeRpmRoot();
    cleanups.push(bed);
    installRpms(bed, rpms.slice(0, 1));
    const noDbpath = runTool(['rpm', '--root', bed.root, '-qa']);
    expect(noDbpath.status).toBe(0);
    expect(noDbpath.stdout.trim()).toBe('');
    expect(rpmQuery(bed).map((r) => r.name)).toEqual(['kesl']);
  });

  it('scriptlets run chrooted: they fail without /bin/sh in the root, and run with makeRpmRoot({ shell: true })', () => {
    const out = tempDir('scriptlet');
    cleanups.push(out);
    const spec = {
      ...rpmSpecOf(bedFixtures.kesl),
      name: 'kesl-scriptlet-test',
      scripts: {
        // Shell built-ins only: there is no coreutils inside the root.
        preun: 'echo "preun $1" > /var/opt/kaspersky/kesl/preun.ran',
        postun: 'echo "postun $1" > /var/opt/kaspersky/postun.ran',
      },
    };
    const rpm = buildRpm(spec, out.root);

    const bare = makeRpmRoot();
    cleanups.push(bare);
    installRpms(bare, [rpm]);
    const failed = eraseRpms(bare, ['kesl-scriptlet-test']);
    expect(failed.status).not.toBe(0);
    expect(failed.stderr).toMatch(/scriptlet interpreter \/bin\/sh/);

    const withShell: RpmBed = makeRpmRoot({ shell: true });
    cleanups.push(withShell);
    installRpms(withShell, [rpm]);
    const ok = eraseRpms(withShell, ['kesl-scriptlet-test']);
    expect(ok.status, ok.stderr).toBe(0);
    expect(readFileSync(path.join(withShell.root, 'var/opt/kaspersky/postun.ran'), 'utf8').trim()).toBe(
      'postun 0',
    );
    expect(rpmQuery(withShell)).toEqual([]);
    expect(mustRun(rpmArgv(withShell, '-qa')).stdout.trim()).toBe('');
    expectHostUntouched();
  });

  it('builds each fixture spec for both formats from one definition', () => {
    const deb = debSpecOf(bedFixtures.kesl);
    const rpm = rpmSpecOf(bedFixtures.kesl);
    expect(deb.version).toBe('12.1.0-1234');
    expect(Object.keys(deb.files)).toContain('/lib/systemd/system/kesl.service');
    expect(Object.keys(rpm.files)).toContain('/usr/lib/systemd/system/kesl.service');
    expect(debSpecOf(bedFixtures.keslGui).depends).toBe('kesl (= 12.1.0-1234)');
  });
});
