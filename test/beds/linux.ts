/**
 * Linux test beds built with the real package tools: `.deb` packages made by `dpkg-deb`, installed
 * by `dpkg` into a temporary root; `.rpm` packages made by `rpmbuild`, installed by `rpm` into a
 * temporary root. A test makes its bed, scans or removes against it with `--host-root`, and throws
 * it away with `cleanup()`.
 *
 * What was found out on Debian 12 (dpkg 1.21.22, rpm 4.18.0), as root:
 *
 * dpkg
 * - `dpkg --root=R` prefixes the admin dir (`R/var/lib/dpkg`) and the install dir, but NOT the log:
 *   `/etc/dpkg/dpkg.cfg` says `log /var/log/dpkg.log`, so without `--log` every test install is
 *   written to the host's `/var/log/dpkg.log`. We pass `--log=R/var/log/dpkg.log` (a real root has
 *   one there too).
 * - With `--force-script-chrootless` maintainer scripts run on the HOST (cwd = R), with
 *   `DPKG_ROOT=R` in their environment. Without it, dpkg chroots into R, where there is no
 *   `/bin/sh`, and the script fails. So fixture scripts must write under "$DPKG_ROOT/..." only;
 *   {@link buildDeb} puts a guard at the top of every script that stops it when `DPKG_ROOT` is empty,
 *   so a fixture can never touch the real `/` even when installed by mistake without `--root`.
 * - `--force-not-root` only matters for a non-root developer; as root it is a no-op.
 * - Foreign architectures work per root: `dpkg --root=R --add-architecture i386` writes
 *   `R/var/lib/dpkg/arch`; without it an i386 `.deb` is refused on amd64.
 * - `dpkg-query -W` on an empty database prints nothing and exits 0.
 *
 * rpm
 * - Debian's rpm keeps its own database in `~/.rpmdb` (`%_dbpath` is `%(bash -c 'echo ~/.rpmdb')`
 *   in /usr/lib/rpm/macros), so `rpm --root R --initdb` makes `R/root/.rpmdb/rpmdb.sqlite`. A real
 *   RHEL/Rocky/SUSE root keeps it in `/var/lib/rpm` (RHEL 8/9; SQLite since RHEL 9, Berkeley DB before)
 *   or `/usr/lib/sysimage/rpm` (Fedora 36+, openSUSE; with `/var/lib/rpm` a symlink to it). The beds
 *   therefore always pass `--dbpath` (resolved inside the root), default `/var/lib/rpm`.
 * - Trap: `rpm --root R -qa` WITHOUT `--dbpath` exits 0 with an empty list on such a root, and
 *   creates an empty `R/root/.rpmdb` as a side effect. A probe must name the database itself.
 * - `rpm -i`/`-e` print "RPM should not be used directly install RPM packages, use Alien instead!"
 *   on stderr (a Debian patch); expected, harmless. `rpm -q` does not.
 * - Scriptlets run CHROOTED into R (as root). A bare root has no `/bin/sh`, so a package with a
 *   scriptlet fails to erase ("failed to exec scriptlet interpreter /bin/sh", exit 1). Fixtures
 *   therefore carry no rpm scriptlets, except where a test needs one: then make the root with
 *   `makeRpmRoot({ shell: true })`, which copies the host's `/bin/sh` (dash) and the libraries it
 *   needs into R. Such scriptlets may use shell built-ins only (echo, printf, test, redirections):
 *   there is no coreutils inside.
 * - `rpmbuild` needs `--target ARCH` for a foreign arch (a `BuildArch: i686` line is refused with
 *   "No compatible architectures found for build"). We also switch off automatic dependencies
 *   (`AutoReqProv: no`), debuginfo and the post-install brp scripts, and keep its temp files in the
 *   topdir instead of the host's /var/tmp.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A file to put in a package: its text, and its mode when the default guess is wrong. */
export interface FileSpec {
  content: string;
  mode?: number;
}

/** Maintainer scripts of a `.deb` (shell bodies; `#!/bin/sh`, `set -e` and a guard are added). */
export interface DebScripts {
  preinst?: string;
  postinst?: string;
  prerm?: string;
  postrm?: string;
}

/** What {@link buildDeb} makes a `.deb` from. */
export interface DebSpec {
  name: string;
  /** Full Debian version, upstream and revision, e.g. `12.1.0-1234`. */
  version: string;
  /** Default: the host's dpkg architecture. */
  arch?: string;
  maintainer: string;
  /** First line is the synopsis; further lines become the long description. */
  description: string;
  section?: string;
  depends?: string;
  /** Absolute path in the installed system → content. */
  files: Record<string, string | FileSpec>;
  /** Extra (possibly empty) directories the package owns. */
  dirs?: string[];
  /** Absolute paths of files (also listed in `files`) that are configuration files. */
  conffiles?: string[];
  scripts?: DebScripts;
}

/** Scriptlets of an `.rpm` (shell bodies). They run chrooted into the root: see the module doc. */
export interface RpmScripts {
  pre?: string;
  post?: string;
  preun?: string;
  postun?: string;
}

/** What {@link buildRpm} makes an `.rpm` from. */
export interface RpmSpec {
  name: string;
  /** Upstream version, e.g. `12.1.0`. */
  version: string;
  /** e.g. `1234`. */
  release: string;
  /** `noarch`, `x86_64`, `i386`...; default: the host's rpm architecture. */
  arch?: string;
  vendor: string;
  summary: string;
  license?: string;
  requires?: string[];
  files: Record<string, string | FileSpec>;
  /** Directories the package owns, with everything below them that holds its files. */
  dirs?: string[];
  /** Marked `%config(noreplace)`. */
  conffiles?: string[];
  scripts?: RpmScripts;
}

/** A temporary root with a package database. */
export interface Bed {
  /** The folder that stands for `/`. */
  root: string;
  /** Deletes the whole bed. Safe to call twice. */
  cleanup(): void;
}

/** A root with an rpm database. */
export interface RpmBed extends Bed {
  /** Where the database is, as seen from inside the root (`/var/lib/rpm`...). */
  dbpath: string;
}

/** A row of `dpkg-query -W`. */
export interface DpkgRow {
  name: string;
  version: string;
  architecture: string;
  maintainer: string;
  /** e.g. `install ok installed`, `deinstall ok config-files`. */
  status: string;
  /** e.g. `ii `, `rc `. */
  abbrev: string;
}

/** A row of `rpm -qa`. */
export interface RpmRow {
  name: string;
  version: string;
  release: string;
  arch: string;
  vendor: string;
}

/** What a process printed, and how it ended. */
export interface ToolRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs argv (no shell) and returns what happened, whatever the exit code. */
export function runTool(
  argv: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): ToolRun {
  const [cmd, ...args] = argv;
  if (!cmd) throw new Error('runTool: empty argv');
  const r = spawnSync(cmd, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs argv and throws with its output unless it exits 0. */
export function mustRun(
  argv: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): ToolRun {
  const r = runTool(argv, options);
  if (r.status !== 0) {
    throw new Error(`${argv.join(' ')} exited ${String(r.status)}\n${r.stderr}${r.stdout}`);
  }
  return r;
}

function toolPresent(tool: string): boolean {
  const r = spawnSync(tool, ['--version'], { stdio: 'ignore' });
  return !r.error;
}

/**
 * Why tests needing `tools` should skip here, or `false` to run them. In CI (`CI` set) this is
 * always `false`: a missing tool must make the tests fail loudly, never skip. Locally the reason
 * is printed.
 */
export function skipReason(tools: readonly string[]): string | false {
  const missing = tools.filter((t) => !toolPresent(t));
  if (missing.length === 0) return false;
  const reason = `not installed: ${missing.join(', ')} (apt-get install -y dpkg-dev rpm)`;
  if (process.env.CI) return false;
  console.warn(`[linux beds] skipping: ${reason}`);
  return reason;
}

/** A fresh temporary folder and a way to delete it. */
export function tempDir(prefix: string): Bed {
  const root = mkdtempSync(path.join(tmpdir(), `divest-${prefix}-`));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

function fileSpec(p: string, f: string | FileSpec): Required<FileSpec> {
  const spec = typeof f === 'string' ? { content: f } : f;
  const executable = spec.content.startsWith('#!') || /\/s?bin\//.test(p) || /\/init\.d\//.test(p);
  return { content: spec.content, mode: spec.mode ?? (executable ? 0o755 : 0o644) };
}

function assertAbsolute(p: string): void {
  if (!p.startsWith('/') || p.split('/').includes('..'))
    throw new Error(`not an absolute, normal path: ${p}`);
}

/** Writes `files` and `dirs` under `tree`, as the package's payload. */
function stageTree(tree: string, files: Record<string, string | FileSpec>, dirs: readonly string[]): void {
  for (const d of dirs) {
    assertAbsolute(d);
    mkdirSync(path.join(tree, d), { recursive: true, mode: 0o755 });
  }
  for (const [p, f] of Object.entries(files)) {
    assertAbsolute(p);
    const { content, mode } = fileSpec(p, f);
    const dest = path.join(tree, p);
    mkdirSync(path.dirname(dest), { recursive: true, mode: 0o755 });
    writeFileSync(dest, content);
    chmodSync(dest, mode);
  }
}

/** The host's dpkg architecture (`amd64`, `arm64`...). */
export function dpkgArch(): string {
  return mustRun(['dpkg', '--print-architecture']).stdout.trim();
}

/** The host's rpm architecture (`x86_64`, `aarch64`...). */
export function rpmArch(): string {
  return mustRun(['rpm', '--eval', '%{_arch}']).stdout.trim();
}

/** Guard at the top of every fixture maintainer script: never run outside a `--root` install. */
const DEB_SCRIPT_HEADER =
  '#!/bin/sh\nset -e\n' +
  '# Divest test fixture: runs on the host (dpkg --force-script-chrootless); touch only "$DPKG_ROOT"/...\n' +
  '[ -n "${DPKG_ROOT:-}" ] || { echo "fixture script: DPKG_ROOT is empty, refusing to touch /" >&2; exit 1; }\n';

/**
 * Builds `<name>_<version>_<arch>.deb` in `outDir` with `dpkg-deb --root-owner-group --build` and
 * returns its path.
 */
export function buildDeb(spec: DebSpec, outDir: string): string {
  const arch = spec.arch ?? dpkgArch();
  const work = mkdtempSync(path.join(tmpdir(), 'divest-deb-'));
  try {
    const tree = path.join(work, 'tree');
    stageTree(tree, spec.files, spec.dirs ?? []);
    mkdirSync(path.join(tree, 'DEBIAN'), { recursive: true, mode: 0o755 });
    const [synopsis, ...more] = spec.description.split('\n');
    const long = more.length > 0 ? more : ['Test fixture built by Divest.'];
    const control = [
      `Package: ${spec.name}`,
      `Version: ${spec.version}`,
      `Architecture: ${arch}`,
      `Maintainer: ${spec.maintainer}`,
      `Installed-Size: ${Math.max(1, Math.ceil(Object.values(spec.files).reduce((n, f) => n + fileSpec('', f).content.length, 0) / 1024))}`,
      ...(spec.depends ? [`Depends: ${spec.depends}`] : []),
      `Section: ${spec.section ?? 'misc'}`,
      'Priority: optional',
      `Description: ${synopsis ?? spec.name}`,
      ...long.map((l) => (l.trim() === '' ? ' .' : ` ${l}`)),
    ].join('\n');
    writeFileSync(path.join(tree, 'DEBIAN', 'control'), `${control}\n`);
    if (spec.conffiles && spec.conffiles.length > 0) {
      for (const c of spec.conffiles)
        if (!(c in spec.files)) throw new Error(`conffile ${c} is not in files`);
      writeFileSync(path.join(tree, 'DEBIAN', 'conffiles'), `${spec.conffiles.join('\n')}\n`);
    }
    for (const [script, body] of Object.entries(spec.scripts ?? {})) {
      if (body === undefined) continue;
      const p = path.join(tree, 'DEBIAN', script);
      writeFileSync(p, `${DEB_SCRIPT_HEADER}${body}\n`);
      chmodSync(p, 0o755);
    }
    mkdirSync(outDir, { recursive: true });
    const out = path.join(outDir, `${spec.name}_${spec.version.replace(/^\d+:/, '')}_${arch}.deb`);
    mustRun(['dpkg-deb', '--root-owner-group', '-Zgzip', '--build', tree, out]);
    return out;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * A temporary root with an empty dpkg database (`var/lib/dpkg/{info,updates,triggers}`, `status`,
 * `available`) and `var/log` for dpkg's log. `foreignArchs` are added with `--add-architecture`.
 */
export function makeDpkgRoot(options: { foreignArchs?: string[] } = {}): Bed {
  const bed = tempDir('dpkg-root');
  const admin = path.join(bed.root, 'var/lib/dpkg');
  for (const d of ['info', 'updates', 'triggers']) mkdirSync(path.join(admin, d), { recursive: true });
  writeFileSync(path.join(admin, 'status'), '');
  writeFileSync(path.join(admin, 'available'), '');
  mkdirSync(path.join(bed.root, 'var/log'), { recursive: true });
  try {
    for (const a of options.foreignArchs ?? ['i386'])
      mustRun(['dpkg', `--root=${bed.root}`, '--add-architecture', a]);
  } catch (e) {
    bed.cleanup();
    throw e;
  }
  return bed;
}

/** `dpkg` with the options that keep it inside `root` (see the module doc). */
export function dpkgArgv(root: string, ...args: string[]): string[] {
  return [
    'dpkg',
    `--root=${root}`,
    `--log=${path.join(root, 'var/log/dpkg.log')}`,
    '--force-script-chrootless',
    '--force-not-root',
    '--force-unsafe-io',
    ...args,
  ];
}

/** Installs `.deb` files into `root` with the real dpkg (maintainer scripts run, see module doc). */
export function installDebs(root: string, debs: readonly string[]): ToolRun {
  if (debs.length === 0) throw new Error('installDebs: no packages');
  return mustRun(dpkgArgv(root, '-i', ...debs));
}

/** `dpkg -r` (or `--purge`) the packages in `root`. Returns the run; throws only if asked. */
export function removeDebs(
  root: string,
  names: readonly string[],
  options: { purge?: boolean } = {},
): ToolRun {
  return runTool(dpkgArgv(root, options.purge ? '--purge' : '--remove', ...names));
}

/** Every package `dpkg-query` knows in `root`'s database, installed or not. */
export function dpkgQuery(root: string): DpkgRow[] {
  const fmt =
    '${Package}\\t${Version}\\t${Architecture}\\t${Maintainer}\\t${Status}\\t${db:Status-Abbrev}\\n';
  const out = mustRun([
    'dpkg-query',
    `--admindir=${path.join(root, 'var/lib/dpkg')}`,
    '-W',
    `-f=${fmt}`,
  ]).stdout;
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [name = '', version = '', architecture = '', maintainer = '', status = '', abbrev = ''] =
        l.split('\t');
      return { name, version, architecture, maintainer, status, abbrev };
    });
}

/** The paths dpkg records for `name` in `root` (its `.list`), or [] when it has none. */
export function dpkgListFiles(root: string, name: string): string[] {
  const r = runTool(['dpkg-query', `--admindir=${path.join(root, 'var/lib/dpkg')}`, '-L', name]);
  if (r.status !== 0) return [];
  return r.stdout.split('\n').filter((l) => l.startsWith('/') && l !== '/.');
}

function rpmQuote(p: string): string {
  if (/[\s"%]/.test(p)) throw new Error(`rpm fixture paths must not hold spaces, quotes or %: ${p}`);
  return p;
}

/** Directories to own with `%dir`: each of `dirs`, and every folder between it and a file below it. */
function ownedDirs(files: readonly string[], dirs: readonly string[]): string[] {
  const owned = new Set<string>(dirs);
  for (const f of files) {
    for (const d of dirs) {
      if (!f.startsWith(`${d}/`)) continue;
      for (let p = path.posix.dirname(f); p.length > d.length; p = path.posix.dirname(p)) owned.add(p);
    }
  }
  return [...owned].sort();
}

/**
 * Builds `<name>-<version>-<release>.<arch>.rpm` with `rpmbuild` in a private topdir under `outDir`
 * and returns its path (in `outDir`).
 */
export function buildRpm(spec: RpmSpec, outDir: string): string {
  const arch = spec.arch ?? rpmArch();
  const top = mkdtempSync(path.join(tmpdir(), 'divest-rpm-'));
  try {
    const stage = path.join(top, 'stage');
    stageTree(stage, spec.files, spec.dirs ?? []);
    mkdirSync(path.join(top, 'tmp'));
    const files = Object.keys(spec.files);
    const conf = new Set(spec.conffiles ?? []);
    const lines = [
      `Name: ${spec.name}`,
      `Version: ${spec.version}`,
      `Release: ${spec.release}`,
      `Vendor: ${spec.vendor}`,
      `Summary: ${spec.summary}`,
      `License: ${spec.license ?? 'Proprietary'}`,
      'AutoReqProv: no',
      ...(arch === 'noarch' ? ['BuildArch: noarch'] : []),
      ...(spec.requires ?? []).map((r) => `Requires: ${r}`),
      '%define debug_package %{nil}',
      '%global __os_install_post %{nil}',
      '%define _binary_payload w6.gzdio',
      '%description',
      `${spec.summary}. Test fixture built by Divest.`,
      '%install',
      'mkdir -p %{buildroot}',
      `cp -a ${rpmQuote(stage)}/. %{buildroot}/`,
      '%files',
      '%defattr(-,root,root,-)',
      ...ownedDirs(files, spec.dirs ?? []).map((d) => `%dir ${rpmQuote(d)}`),
      ...files.map((f) => (conf.has(f) ? `%config(noreplace) ${rpmQuote(f)}` : rpmQuote(f))),
    ];
    for (const [name, body] of Object.entries(spec.scripts ?? {})) {
      if (body !== undefined) lines.push(`%${name}`, body);
    }
    const specFile = path.join(top, `${spec.name}.spec`);
    writeFileSync(specFile, `${lines.join('\n')}\n`);
    mustRun([
      'rpmbuild',
      '-bb',
      '--quiet',
      ...(arch === 'noarch' ? [] : ['--target', arch]),
      '--define',
      `_topdir ${top}`,
      '--define',
      `_tmppath ${path.join(top, 'tmp')}`,
      '--define',
      '_build_id_links none',
      specFile,
    ]);
    const built = path.join(top, 'RPMS', arch, `${spec.name}-${spec.version}-${spec.release}.${arch}.rpm`);
    if (!existsSync(built)) throw new Error(`rpmbuild did not make ${built}`);
    mkdirSync(outDir, { recursive: true });
    const out = path.join(outDir, path.basename(built));
    copyFileSync(built, out);
    return out;
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
}

/** Copies the host's `/bin/sh` and the shared libraries it loads into `root`, at the same paths. */
/** Copies a host binary into the root at `/bin/<name>`, with the libraries it links. */
export function provisionTool(root: string, name: string): void {
  const bin = realpathSync(existsSync(`/bin/${name}`) ? `/bin/${name}` : `/usr/bin/${name}`);
  const libs = mustRun(['ldd', bin])
    .stdout.split('\n')
    .map((l) => /(\/\S+)\s+\(0x/.exec(l)?.[1])
    .filter((p): p is string => p !== undefined);
  mkdirSync(path.join(root, 'bin'), { recursive: true });
  copyFileSync(bin, path.join(root, 'bin', name));
  chmodSync(path.join(root, 'bin', name), 0o755);
  for (const lib of libs) {
    mkdirSync(path.join(root, path.dirname(lib)), { recursive: true });
    copyFileSync(lib, path.join(root, lib)); // follows symlinks: the real file lands at the link's path
  }
}

function provisionShell(root: string): void {
  provisionTool(root, 'sh');
}

/**
 * A temporary root with an empty rpm database (`rpm --root R --dbpath D --initdb`).
 * - `layout: 'var-lib-rpm'` (default): the database in `/var/lib/rpm`, as on RHEL 8/9.
 * - `layout: 'sysimage'`: in `/usr/lib/sysimage/rpm`, with `/var/lib/rpm` a relative symlink to it,
 *   as on Fedora 36+ and openSUSE.
 * - `shell: true`: also copy `/bin/sh` and its libraries in, so that scriptlets can run (chrooted).
 */
export function makeRpmRoot(options: { layout?: 'var-lib-rpm' | 'sysimage'; shell?: boolean } = {}): RpmBed {
  const bed = tempDir('rpm-root');
  let dbpath = '/var/lib/rpm';
  if (options.layout === 'sysimage') {
    dbpath = '/usr/lib/sysimage/rpm';
    mkdirSync(path.join(bed.root, dbpath), { recursive: true });
    mkdirSync(path.join(bed.root, 'var/lib'), { recursive: true });
    symlinkSync('../../usr/lib/sysimage/rpm', path.join(bed.root, 'var/lib/rpm'));
  }
  try {
    mustRun(['rpm', '--root', bed.root, '--dbpath', dbpath, '--initdb']);
    if (options.shell) provisionShell(bed.root);
  } catch (e) {
    bed.cleanup();
    throw e;
  }
  return { ...bed, dbpath };
}

/** `rpm` pointed at `bed`'s root and database. */
export function rpmArgv(bed: RpmBed, ...args: string[]): string[] {
  return ['rpm', '--root', bed.root, '--dbpath', bed.dbpath, ...args];
}

/** `rpm -i --nodeps --ignorearch` the packages into `bed`. */
export function installRpms(bed: RpmBed, rpms: readonly string[]): ToolRun {
  if (rpms.length === 0) throw new Error('installRpms: no packages');
  return mustRun(rpmArgv(bed, '-i', '--nodeps', '--ignorearch', ...rpms));
}

/** `rpm -e` the packages in `bed`. Returns the run, whatever its exit code. */
export function eraseRpms(
  bed: RpmBed,
  names: readonly string[],
  options: { nodeps?: boolean } = {},
): ToolRun {
  return runTool(rpmArgv(bed, '-e', ...(options.nodeps ? ['--nodeps'] : []), ...names));
}

/** Every package in `bed`'s rpm database. */
export function rpmQuery(bed: RpmBed): RpmRow[] {
  const qf = '%{NAME}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{VENDOR}\\n';
  return mustRun(rpmArgv(bed, '-qa', '--qf', qf))
    .stdout.split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [name = '', version = '', release = '', arch = '', vendor = ''] = l.split('\t');
      return { name, version, release, arch, vendor };
    });
}

/** The paths `bed`'s rpm database records for `name`, or [] when it is not installed. */
export function rpmListFiles(bed: RpmBed, name: string): string[] {
  const r = runTool(rpmArgv(bed, '-ql', name));
  if (r.status !== 0) return [];
  return r.stdout.split('\n').filter((l) => l.startsWith('/'));
}

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

/** A package that can be built both as a `.deb` and as an `.rpm`. */
export interface FixturePackage {
  name: string;
  /** Upstream version (rpm `Version`). */
  version: string;
  /** Debian revision / rpm `Release`. */
  release: string;
  /** Default: the host's architecture. `i386` builds an i386 `.deb` and `.rpm`. */
  arch?: string;
  /** dpkg `Maintainer`. */
  maintainer: string;
  /** rpm `Vendor`. */
  vendor: string;
  description: string;
  section?: string;
  /** Packages this one needs, by name (`Depends:` / `Requires:` with the same version). */
  requiresSameVersion?: string[];
  files: Record<string, string | FileSpec>;
  /** A systemd unit: `/lib/systemd/system/NAME` in a `.deb`, `/usr/lib/systemd/system/NAME` in an `.rpm`. */
  unit?: { name: string; content: string };
  dirs?: string[];
  conffiles?: string[];
  debScripts?: DebScripts;
  rpmScripts?: RpmScripts;
  /** For Kaspersky fixtures: the catalog product a correct scanner must report. */
  productId?: string;
}

/** The `.deb` spec of a fixture. */
export function debSpecOf(f: FixturePackage): DebSpec {
  const files = { ...f.files, ...(f.unit ? { [`/lib/systemd/system/${f.unit.name}`]: f.unit.content } : {}) };
  return {
    name: f.name,
    version: `${f.version}-${f.release}`,
    arch: f.arch,
    maintainer: f.maintainer,
    description: f.description,
    section: f.section,
    depends: f.requiresSameVersion?.map((n) => `${n} (= ${f.version}-${f.release})`).join(', '),
    files,
    dirs: f.dirs,
    conffiles: f.conffiles,
    scripts: f.debScripts,
  };
}

/** The `.rpm` spec of a fixture. */
export function rpmSpecOf(f: FixturePackage): RpmSpec {
  const files = {
    ...f.files,
    ...(f.unit ? { [`/usr/lib/systemd/system/${f.unit.name}`]: f.unit.content } : {}),
  };
  return {
    name: f.name,
    version: f.version,
    release: f.release,
    arch: f.arch,
    vendor: f.vendor,
    summary: f.description.split('\n')[0] ?? f.name,
    requires: f.requiresSameVersion?.map((n) => `${n} = ${f.version}-${f.release}`),
    files,
    dirs: f.dirs,
    conffiles: f.conffiles,
    scripts: f.rpmScripts,
  };
}

function unit(description: string, exec: string): string {
  return [
    '[Unit]',
    `Description=${description}`,
    'After=network.target',
    '',
    '[Service]',
    'Type=forking',
    `ExecStart=${exec}`,
    'Restart=on-failure',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

function elfStub(what: string): string {
  // Not a real binary; enough for a scanner that looks at paths.
  return `#!/bin/sh\necho "${what} (Divest test fixture)"\n`;
}

/**
 * The Maintainer and Vendor strings of Kaspersky's own packages are NOT confirmed by the research
 * (products.md §5 names packages and paths, not control fields). These are plausible values; a
 * scanner must recognise the products by package name and paths, not by these strings alone.
 */
export const KASPERSKY_MAINTAINER = 'Kaspersky Lab <support@kaspersky.com>';
export const KASPERSKY_VENDOR = 'AO Kaspersky Lab';

const KESL_VERSION = '12.1.0';
const KESL_RELEASE = '1234';

/** Fixture packages. Paths and package names follow products.md §5; file contents are stand-ins. */
export const bedFixtures = {
  /** Kaspersky Endpoint Security for Linux. */
  kesl: {
    name: 'kesl',
    version: KESL_VERSION,
    release: KESL_RELEASE,
    maintainer: KASPERSKY_MAINTAINER,
    vendor: KASPERSKY_VENDOR,
    description:
      'Kaspersky Endpoint Security for Linux\nAnti-malware protection for Linux servers and workstations.',
    section: 'non-free/admin',
    productId: 'kaspersky-endpoint-security-linux',
    files: {
      '/opt/kaspersky/kesl/bin/kesl-control': elfStub('kesl-control'),
      '/opt/kaspersky/kesl/bin/kesl-setup.pl': '#!/usr/bin/perl\nprint "kesl-setup (fixture)\\n";\n',
      '/opt/kaspersky/kesl/libexec/kesl': elfStub('kesl daemon'),
      '/opt/kaspersky/kesl/shared/version': `${KESL_VERSION}.${KESL_RELEASE}\n`,
      // Path of the configuration file is illustrative (not from the research).
      '/etc/opt/kaspersky/kesl.conf': '# Kaspersky Endpoint Security for Linux (fixture)\nUseProxy=No\n',
    },
    unit: {
      name: 'kesl.service',
      content: unit('Kaspersky Endpoint Security for Linux', '/opt/kaspersky/kesl/libexec/kesl'),
    },
    dirs: ['/opt/kaspersky/kesl', '/var/opt/kaspersky/kesl'],
    conffiles: ['/etc/opt/kaspersky/kesl.conf'],
    debScripts: {
      postinst: [
        'if [ "$1" = configure ]; then',
        '  mkdir -p "$DPKG_ROOT/var/opt/kaspersky/kesl/common/updates" "$DPKG_ROOT/var/log/kaspersky/kesl"',
        '  echo "installed by postinst" > "$DPKG_ROOT/var/opt/kaspersky/kesl/common/install.state"',
        // What deb-systemd-helper enable does:
        '  mkdir -p "$DPKG_ROOT/etc/systemd/system/multi-user.target.wants"',
        '  ln -sf /lib/systemd/system/kesl.service "$DPKG_ROOT/etc/systemd/system/multi-user.target.wants/kesl.service"',
        'fi',
      ].join('\n'),
      postrm: [
        'if [ "$1" = purge ]; then',
        '  rm -rf "$DPKG_ROOT/var/opt/kaspersky/kesl" "$DPKG_ROOT/var/log/kaspersky/kesl"',
        '  rm -f "$DPKG_ROOT/etc/systemd/system/multi-user.target.wants/kesl.service"',
        '  rmdir "$DPKG_ROOT/var/log/kaspersky" "$DPKG_ROOT/var/opt/kaspersky" 2>/dev/null || true',
        'fi',
      ].join('\n'),
    },
  },
  /** The graphical interface of KESL; depends on `kesl` of the same version. */
  keslGui: {
    name: 'kesl-gui',
    version: KESL_VERSION,
    release: KESL_RELEASE,
    maintainer: KASPERSKY_MAINTAINER,
    vendor: KASPERSKY_VENDOR,
    description: 'Kaspersky Endpoint Security for Linux graphical user interface',
    section: 'non-free/admin',
    productId: 'kaspersky-endpoint-security-linux',
    requiresSameVersion: ['kesl'],
    files: {
      '/opt/kaspersky/kesl/bin/kesl-gui': elfStub('kesl-gui'),
      '/opt/kaspersky/kesl/share/kesl-gui/ui.rcc': 'fixture resources\n',
      '/usr/share/applications/kesl-gui.desktop':
        '[Desktop Entry]\nType=Application\nName=Kaspersky Endpoint Security for Linux\nExec=/opt/kaspersky/kesl/bin/kesl-gui\n',
    },
    dirs: ['/opt/kaspersky/kesl/share'],
  },
  /** Kaspersky Security Center Network Agent (64-bit). */
  klnagent64: {
    name: 'klnagent64',
    version: '14.2.0',
    release: '8829',
    maintainer: KASPERSKY_MAINTAINER,
    vendor: KASPERSKY_VENDOR,
    description: 'Kaspersky Security Center Network Agent',
    section: 'non-free/admin',
    productId: 'kaspersky-network-agent',
    files: {
      '/opt/kaspersky/klnagent64/bin/klnagchk': elfStub('klnagchk'),
      '/opt/kaspersky/klnagent64/bin/klmover': elfStub('klmover'),
      '/opt/kaspersky/klnagent64/sbin/klnagent': elfStub('klnagent daemon'),
      '/opt/kaspersky/klnagent64/lib/bin/setup/postinstall.pl':
        '#!/usr/bin/perl\nprint "postinstall (fixture)\\n";\n',
    },
    unit: {
      name: 'klnagent64.service',
      content: unit('Kaspersky Security Center Network Agent', '/opt/kaspersky/klnagent64/sbin/klnagent'),
    },
    dirs: ['/opt/kaspersky/klnagent64', '/var/opt/kaspersky/klnagent'],
    debScripts: {
      postinst: [
        'if [ "$1" = configure ]; then',
        '  mkdir -p "$DPKG_ROOT/var/opt/kaspersky/klnagent/1093/1.0"',
        '  echo "host id (fixture)" > "$DPKG_ROOT/var/opt/kaspersky/klnagent/1093/1.0/hostid"',
        'fi',
      ].join('\n'),
      postrm: [
        'if [ "$1" = purge ]; then',
        '  rm -rf "$DPKG_ROOT/var/opt/kaspersky/klnagent/1093"',
        '  rmdir "$DPKG_ROOT/var/opt/kaspersky/klnagent" "$DPKG_ROOT/var/opt/kaspersky" 2>/dev/null || true',
        'fi',
      ].join('\n'),
    },
  },
  /** Kaspersky Anti-Virus for Linux File Server 8 (shipped as an i386 package: `kav4fs_8.0.4-312_i386.deb`). */
  kav4fs: {
    name: 'kav4fs',
    version: '8.0.4',
    release: '312',
    arch: 'i386',
    maintainer: KASPERSKY_MAINTAINER,
    vendor: KASPERSKY_VENDOR,
    description: 'Kaspersky Anti-Virus for Linux File Server',
    section: 'non-free/admin',
    productId: 'kaspersky-anti-virus-linux-file-server',
    files: {
      '/opt/kaspersky/kav4fs/bin/kav4fs-control': elfStub('kav4fs-control'),
      '/opt/kaspersky/kav4fs/bin/kav4fs-setup.pl': '#!/usr/bin/perl\nprint "kav4fs-setup (fixture)\\n";\n',
      // SysV init script; its name is UNCONFIRMED (products.md §5.2 lists no service for kav4fs).
      '/etc/init.d/kav4fs-supervisor':
        '#!/bin/sh\n### BEGIN INIT INFO\n# Provides: kav4fs-supervisor\n### END INIT INFO\n',
      '/etc/kaspersky/kav4fs.conf': '[General]\n# fixture\n',
    },
    dirs: ['/opt/kaspersky/kav4fs', '/var/opt/kaspersky/kav4fs'],
    conffiles: ['/etc/init.d/kav4fs-supervisor', '/etc/kaspersky/kav4fs.conf'],
  },

  // --- Look-alikes: names starting with kl/kas/kasper, not Kaspersky's, nothing under /opt/kaspersky.
  /** A typing tutor. */
  klavaro: {
    name: 'klavaro',
    version: '3.13',
    release: '2',
    maintainer: 'Debian QA Group <packages@qa.debian.org>',
    vendor: 'Fedora Project',
    description: 'flexible touch typing tutor',
    section: 'games',
    files: { '/usr/bin/klavaro': elfStub('klavaro'), '/usr/share/klavaro/basic_chars.txt': 'asdf jkl;\n' },
    dirs: ['/usr/share/klavaro'],
  },
  /** A dictionary tool for the Anthy input method. */
  kasumi: {
    name: 'kasumi',
    version: '2.5',
    release: '10',
    maintainer: 'Debian Input Method Team <debian-input-method@lists.debian.org>',
    vendor: 'Fedora Project',
    description: 'dictionary management tool for Anthy',
    section: 'utils',
    files: { '/usr/bin/kasumi': elfStub('kasumi'), '/usr/share/doc/kasumi/README': 'Kasumi (fixture)\n' },
    dirs: ['/usr/share/doc/kasumi'],
  },
  /** Small utilities built with klibc. */
  klibcUtils: {
    name: 'klibc-utils',
    version: '2.0.12',
    release: '1',
    maintainer: 'Debian Kernel Team <debian-kernel@lists.debian.org>',
    vendor: 'Fedora Project',
    description: 'small utilities built with klibc for early boot',
    section: 'libs',
    files: {
      '/usr/lib/klibc/bin/kinit': elfStub('kinit'),
      '/usr/lib/klibc/bin/ipconfig': elfStub('ipconfig'),
    },
    dirs: ['/usr/lib/klibc'],
  },
  /** A cryptocurrency command-line client ("kas" prefix). */
  kaspaCli: {
    name: 'kaspa-cli',
    version: '0.13.4',
    release: '1',
    maintainer: 'Kaspa Developers <dev@kaspa.example>',
    vendor: 'Kaspa Developers',
    description: 'command-line wallet for the Kaspa network',
    section: 'net',
    files: { '/usr/bin/kaspa-cli': elfStub('kaspa-cli') },
  },
  /** A fan-made package whose name starts with "kaspersky" — published by someone else. */
  kasperskyfanTools: {
    name: 'kasperskyfan-tools',
    version: '1.0',
    release: '1',
    maintainer: 'Jane Roe <jane.roe@example.org>',
    vendor: 'Jane Roe',
    description: 'fan-made desktop wallpapers and shell prompts',
    section: 'misc',
    files: {
      '/usr/bin/kfan-prompt': elfStub('kfan-prompt'),
      '/usr/share/kasperskyfan-tools/wallpaper.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
    },
    dirs: ['/usr/share/kasperskyfan-tools'],
  },

  // --- Ordinary packages.
  hello: {
    name: 'hello',
    version: '2.10',
    release: '3',
    maintainer: 'Santiago Vila <sanvila@debian.org>',
    vendor: 'Fedora Project',
    description: 'example package based on GNU hello',
    section: 'devel',
    files: { '/usr/bin/hello': elfStub('hello'), '/usr/share/doc/hello/copyright': 'GPL-3+\n' },
    dirs: ['/usr/share/doc/hello'],
  },
  /** ClamAV by name only (the replacement the app suggests); must never be a finding. */
  clamav: {
    name: 'clamav',
    version: '1.4.6',
    release: '1',
    maintainer: 'ClamAV Team <pkg-clamav-devel@lists.alioth.debian.org>',
    vendor: 'Fedora Project',
    description: 'anti-virus utility for Unix - command-line interface',
    section: 'utils',
    files: { '/usr/bin/clamscan': elfStub('clamscan'), '/usr/bin/sigtool': elfStub('sigtool') },
  },
} satisfies Record<string, FixturePackage>;

/** The Kaspersky fixtures, in an order that installs cleanly. */
export const kasperskyFixtures: FixturePackage[] = [
  bedFixtures.kesl,
  bedFixtures.keslGui,
  bedFixtures.klnagent64,
  bedFixtures.kav4fs,
];
/** Look-alikes a correct scanner leaves alone. */
export const lookAlikeFixtures: FixturePackage[] = [
  bedFixtures.klavaro,
  bedFixtures.kasumi,
  bedFixtures.klibcUtils,
  bedFixtures.kaspaCli,
  bedFixtures.kasperskyfanTools,
];
/** Ordinary packages. */
export const ordinaryFixtures: FixturePackage[] = [bedFixtures.hello, bedFixtures.clamav];

/** Builds the `.deb` of each fixture into `outDir`. */
export function buildFixtureDebs(fixtures: readonly FixturePackage[], outDir: string): string[] {
  return fixtures.map((f) => buildDeb(debSpecOf(f), outDir));
}

/** Builds the `.rpm` of each fixture into `outDir`. */
export function buildFixtureRpms(fixtures: readonly FixturePackage[], outDir: string): string[] {
  return fixtures.map((f) => buildRpm(rpmSpecOf(f), outDir));
}

/** A dpkg root with `fixtures` installed by dpkg (built into a scratch folder that is then deleted). */
export function makeDpkgBed(fixtures: readonly FixturePackage[]): Bed {
  const bed = makeDpkgRoot();
  if (fixtures.length === 0) return bed;
  const debs = tempDir('debs');
  try {
    installDebs(bed.root, buildFixtureDebs(fixtures, debs.root));
  } catch (e) {
    bed.cleanup();
    throw e;
  } finally {
    debs.cleanup();
  }
  return bed;
}

/** An rpm root with `fixtures` installed by rpm. */
export function makeRpmBed(
  fixtures: readonly FixturePackage[],
  options: { layout?: 'var-lib-rpm' | 'sysimage'; shell?: boolean } = {},
): RpmBed {
  const bed = makeRpmRoot(options);
  if (fixtures.length === 0) return bed;
  const rpms = tempDir('rpms');
  try {
    installRpms(bed, buildFixtureRpms(fixtures, rpms.root));
  } catch (e) {
    bed.cleanup();
    throw e;
  } finally {
    rpms.cleanup();
  }
  return bed;
}

/** Writes files straight into a root (no package): a manual install, or leftovers. */
export function writeIntoRoot(root: string, files: Record<string, string | FileSpec>): void {
  stageTree(root, files, []);
}

// ---------------------------------------------------------------------------------------------
// Hostile beds: images that lie, and places that cannot be read
// ---------------------------------------------------------------------------------------------

/**
 * Moves `from` (an absolute path inside the root, e.g. `/opt`) to `to` (e.g. `/srv/opt`) and puts an
 * ABSOLUTE symbolic link in its place (`/opt -> /srv/opt`), as images built with relocated trees
 * have them. Read naively, the link leads to the scanning machine's own `/srv/opt`.
 */
export function relocateWithAbsoluteLink(root: string, from: string, to: string): void {
  assertAbsolute(from);
  assertAbsolute(to);
  mkdirSync(path.dirname(path.join(root, to)), { recursive: true });
  renameSync(path.join(root, from), path.join(root, to));
  symlinkSync(to, path.join(root, from));
}

/** Makes every folder of the bed searchable and every file readable by others (`chmod -R a+rX`). */
export function openToEveryone(root: string): void {
  mustRun(['chmod', '-R', 'a+rX', root]);
}

/** A local user with no rights (created once with `useradd -m` when absent), for blind-scan tests. */
export function unprivilegedUser(name = 'divest-test-user'): { uid: number; gid: number } {
  const id = (flag: string): number => Number(mustRun(['id', flag, name]).stdout.trim());
  if (runTool(['id', '-u', name]).status !== 0) mustRun(['useradd', '-m', name]);
  return { uid: id('-u'), gid: id('-g') };
}

/** A FIFO (named pipe) at `p` inside the root, replacing whatever is there. */
export function fifoInRoot(root: string, p: string): void {
  assertAbsolute(p);
  const full = path.join(root, p);
  mkdirSync(path.dirname(full), { recursive: true });
  rmSync(full, { force: true, recursive: true });
  mustRun(['mkfifo', full]);
}

// ---------------------------------------------------------------------------------------------
// Fixture variants, processes in a bed, and the built CLI (removal tier)
// ---------------------------------------------------------------------------------------------

/**
 * A copy of `f` whose `.deb` maintainer scripts named in `scripts` replace its own (the others are
 * kept): a removal script that fails, hangs, or keeps data the package did not install.
 */
export function withDebScripts(f: FixturePackage, scripts: DebScripts): FixturePackage {
  return { ...f, debScripts: { ...f.debScripts, ...scripts } };
}

/**
 * A prerm body that sleeps for the number of seconds written in `$DPKG_ROOT/<marker>` when that file
 * exists, and does nothing otherwise: a test makes one removal slow, then lets a retry run fast by
 * deleting the marker. Shell built-ins only, apart from `sleep`.
 */
export function slowWhenMarkerPrerm(marker: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(marker)) throw new Error(`marker must be a plain file name: ${marker}`);
  return [
    `if [ -e "$DPKG_ROOT/${marker}" ]; then`,
    `  read -r secs < "$DPKG_ROOT/${marker}" || secs=20`,
    '  sleep "${secs:-20}"',
    'fi',
  ].join('\n');
}

/** A process seen in /proc. */
export interface ProcInfo {
  pid: number;
  /** Process group id. */
  pgid: number;
  ppid: number;
  /** One-letter state from /proc/PID/stat (`S`, `R`, `Z`...). */
  state: string;
  argv: string[];
}

function readProc(pid: number): { info: ProcInfo; environ: string[] } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .filter((a) => a !== '');
    let environ: string[] = [];
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    } catch {
      environ = [];
    }
    return {
      info: { pid, state: rest[0] ?? '?', ppid: Number(rest[1]), pgid: Number(rest[2]), argv },
      environ,
    };
  } catch {
    return undefined; // gone meanwhile
  }
}

/**
 * Live (not zombie) processes working on `root`: those whose command line names it (dpkg
 * `--root=R`, rpm `--root R`, the maintainer script's path) or whose environment has
 * `DPKG_ROOT=R` (what dpkg gives maintainer scripts and their children, such as a `sleep`).
 */
export function processesInRoot(root: string): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    const p = readProc(pid);
    if (!p || p.info.state === 'Z') continue;
    let chrooted = false;
    try {
      chrooted = readlinkSync(`/proc/${pid}/root`) === realpathSync(root);
    } catch {
      chrooted = false; // gone, or not ours to read
    }
    if (p.info.argv.some((a) => a.includes(root)) || p.environ.includes(`DPKG_ROOT=${root}`) || chrooted)
      out.push(p.info);
  }
  return out;
}

/**
 * Sends SIGKILL to each process group, ignoring groups that are already gone.
 *
 * Never this process's own group (the test runner's), whatever the caller passes.
 */
export function killGroups(pgids: Iterable<number>): void {
  const own = readProc(process.pid)?.info.pgid;
  for (const g of new Set(pgids)) {
    if (!(g > 1) || g === own) continue;
    try {
      process.kill(-g, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Polls `test` every `everyMs` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function waitFor<T>(
  test: () => T | undefined | false,
  what: string,
  timeoutMs = 30_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = test();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The bundled CLI the tiers run (`npm run build` makes it). */
export const builtCli = path.join(repoRoot, 'out/cli/divest.cjs');

function newestSourceMtime(): number {
  let newest = 0;
  const walk = (p: string): void => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) for (const e of readdirSync(p)) walk(path.join(p, e));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of ['cli', 'core', 'catalog', 'main', 'scripts/build.mjs', 'package.json'])
    walk(path.join(repoRoot, p));
  return newest;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Builds the CLI with `npm run build` unless the bundle is newer than every source. Test files run
 * in parallel workers: a lock directory (`out/.build-lock`) makes the others wait for one build
 * instead of rewriting the bundle while another worker runs it.
 */
export function ensureBuiltCli(): string {
  const lock = path.join(repoRoot, 'out/.build-lock');
  mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // A lock left by a killed run is taken over after two minutes.
      const age = Date.now() - (existsSync(lock) ? statSync(lock).mtimeMs : Date.now());
      if (age > 120_000) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`${lock} is held too long by another build`);
      else sleepSync(200);
    }
  }
  try {
    if (!existsSync(builtCli) || statSync(builtCli).mtimeMs < newestSourceMtime()) {
      const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: repoRoot, encoding: 'utf8' });
      if (r.status !== 0)
        throw new Error(`npm run build failed (${String(r.status)}):\n${r.stderr}${r.stdout}`);
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return builtCli;
}

/** What a CLI run printed, how it ended, and how long it took. */
export interface CliRun extends ToolRun {
  ms: number;
}

/**
 * Runs the built CLI with `args` (no shell, stdin a pipe: never a terminal). `asUser` runs it with
 * `setpriv` as that uid/gid with no supplementary groups.
 */
export function runCli(
  args: readonly string[],
  options: { input?: string; timeoutMs?: number; asUser?: { uid: number; gid: number } } = {},
): CliRun {
  const node = process.execPath;
  const argv = options.asUser
    ? [
        'setpriv',
        `--reuid=${options.asUser.uid}`,
        `--regid=${options.asUser.gid}`,
        '--clear-groups',
        node,
        builtCli,
        ...args,
      ]
    : [node, builtCli, ...args];
  const [cmd, ...rest] = argv as [string, ...string[]];
  const started = Date.now();
  const r = spawnSync(cmd, rest, {
    cwd: repoRoot,
    encoding: 'utf8',
    input: options.input ?? '',
    timeout: options.timeoutMs ?? 90_000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
}

/**
 * Makes the bed's ClamAV (the `clamav` fixture must be installed) an active replacement as the
 * replacement check sees it: signatures present and fresh, and clamav-freshclam enabled.
 */
export function activateClamav(root: string): void {
  writeIntoRoot(root, {
    '/var/lib/clamav/main.cvd': 'ClamAV-VDB:test main signatures\n',
    '/var/lib/clamav/daily.cvd': 'ClamAV-VDB:test daily signatures\n',
    '/lib/systemd/system/clamav-freshclam.service': '[Unit]\nDescription=ClamAV virus database updater\n',
  });
  const wants = path.join(root, 'etc/systemd/system/multi-user.target.wants');
  mkdirSync(wants, { recursive: true });
  symlinkSync('/lib/systemd/system/clamav-freshclam.service', path.join(wants, 'clamav-freshclam.service'));
}
