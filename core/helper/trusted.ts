/**
 * Where the elevated helper works, decided without asking the user: the machine's data folder
 * (root's or the Administrators'), checked to be root's before anything in it is read, and the
 * catalog built into the program.
 *
 * - Linux: `/var/lib/divest`; macOS: `/Library/Application Support/Divest` (core's defaults for
 *   root). Every folder from `/` down to it must be a real directory (no symlink), owned by root,
 *   and writable by nobody else, and everything in it (and in keys/, logs/) root's and no link; a
 *   missing data folder is created by root, mode 0700.
 * - Windows: `%ProgramData%\Divest`, where `%ProgramData%` is read from the shell's known folder
 *   (`[Environment]::GetFolderPath('CommonApplicationData')`, which reads HKLM), never from the
 *   environment: an elevated process gets the user's own environment variables (HKCU\Environment),
 *   so a user could point `ProgramData` anywhere. The folder must be owned by Administrators or
 *   SYSTEM (a user can pre-create folders under `C:\ProgramData`, and would then own it), and so
 *   must everything in it and in `keys` (a user's planted journal keeps its owner even after the
 *   installer reset the ACL); it is created with its ACL in one call (no moment where Users may
 *   write), and its ACL is (re)set: Administrators and SYSTEM full control, Users read; `keys`
 *   Administrators and SYSTEM only.
 *
 * The catalog is the built-in one. (A signed catalog release accepted into the data folder may
 * later be read from here too; never a path from the request.)
 */
import { lstatSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { loadBuiltInCatalog, type LoadedCatalog } from '../catalog/load';
import { defaultDataDir } from '../data-dir';
import { DivestError } from '../errors';
import type { CommandRunner } from '../host/runner';
import { powerShellArgv, windowsTools } from '../host/windows';

/** What the helper works with. Production builds it with {@link trustedEnvironment} only. */
export interface HelperEnvironment {
  dataDir: string;
  catalog: LoadedCatalog;
  runner: CommandRunner;
  appVersion: string;
  /** Test beds only (test/electron/helper-main.ts); the CLI's helper never sets these. */
  hostRoot?: string;
  hostOs?: 'linux' | 'macos';
  /** Test beds only: the shell-less bed's package scripts may run on the host, as it was built. */
  allowImageScriptsOnHost?: boolean;
}

/** The data folder's problem, as a refusal the app shows. */
export class UntrustedDataDir extends DivestError<'io'> {
  constructor(message: string) {
    super('io', message);
  }
}

/** The stat fields the POSIX check reads (so tests can check the rule on made-up entries). */
export interface DirStat {
  isSymbolicLink(): boolean;
  isDirectory(): boolean;
  uid: number;
  gid: number;
  mode: number;
}

/**
 * Why `dir` (with `st`) cannot hold root's data, or null when it can. A sticky folder that others
 * may write (`/tmp`) is acceptable on the way (nobody but its owner can rename a root-owned entry
 * there), never as the data folder itself.
 */
export function posixDirProblem(dir: string, st: DirStat, isDataDir: boolean): string | null {
  if (st.isSymbolicLink()) return `${dir} is a symbolic link`;
  if (!st.isDirectory()) return `${dir} is not a folder`;
  if (st.uid !== 0) return `${dir} belongs to user id ${st.uid}, not root`;
  const sticky = (st.mode & 0o1000) !== 0 && !isDataDir;
  if ((st.mode & 0o002) !== 0 && !sticky) return `${dir} is writable by everyone`;
  if ((st.mode & 0o020) !== 0 && st.gid !== 0 && !sticky) return `${dir} is writable by group ${st.gid}`;
  return null;
}

/**
 * Checks every folder from `/` down to `dir`; creates `dir` (0700) when it is missing and its
 * parent passed. Throws {@link UntrustedDataDir} naming the first problem.
 */
export function securePosixDataDir(dir: string, lstat: (p: string) => DirStat = lstatSync): void {
  const abs = path.resolve(dir);
  const parts = abs.split('/').filter(Boolean);
  for (let i = 0; i <= parts.length; i++) {
    const cur = `/${parts.slice(0, i).join('/')}`;
    let st: DirStat;
    try {
      st = lstat(cur);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || i === 0) throw e;
      // Missing: create it as root, then check it like any other.
      mkdirSync(cur, { mode: cur === abs ? 0o700 : 0o755 });
      st = lstat(cur);
    }
    const problem = posixDirProblem(cur, st, cur === abs);
    if (problem)
      throw new UntrustedDataDir(
        `Divest will not use ${abs} as administrator: ${problem}. Only root may own the folders of root's data.`,
      );
  }
  // What is inside (the journal, keys/, logs/): root's files, no symbolic links to follow.
  for (const sub of [abs, path.join(abs, 'keys'), path.join(abs, 'logs')]) {
    let names: string[];
    try {
      names = readdirSync(sub);
    } catch {
      continue;
    }
    for (const name of names) {
      const p = path.join(sub, name);
      const st = lstat(p);
      if (st.isSymbolicLink() || st.uid !== 0)
        throw new UntrustedDataDir(
          `Divest will not use ${abs} as administrator: ${p} ${st.isSymbolicLink() ? 'is a symbolic link' : `belongs to user id ${st.uid}, not root`}.`,
        );
    }
  }
}

/** SDDL of the data folder: owner Administrators; SYSTEM and Administrators full; Users read. */
export const DATA_DIR_SDDL = 'O:BAG:SYD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;BU)';
/** SDDL of `keys`: the signing key is for SYSTEM and Administrators only. */
export const KEYS_DIR_SDDL = 'O:BAG:SYD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)';

/**
 * The PowerShell script that finds, checks, creates and locks down the Windows data folder.
 *
 * Only .NET calls (no cmdlet, so no module is auto-loaded from a user-controlled PSModulePath) and
 * plain `key=value` output lines.
 */
export function windowsDataDirScript(): string {
  return [
    "$ErrorActionPreference = 'Stop'",
    '$env:PSModulePath = "$PSHOME\\Modules"',
    "$root = [Environment]::GetFolderPath('CommonApplicationData')",
    "$d = [System.IO.Path]::Combine($root, 'Divest')",
    "$k = [System.IO.Path]::Combine($d, 'keys')",
    'function Sec($sddl) { $s = New-Object System.Security.AccessControl.DirectorySecurity; $s.SetSecurityDescriptorSddlForm($sddl); $s }',
    '[Console]::Out.WriteLine("dataDir=$d")',
    `if (-not [System.IO.Directory]::Exists($d)) { [void][System.IO.Directory]::CreateDirectory($d, (Sec '${DATA_DIR_SDDL}')) }`,
    '$info = New-Object System.IO.DirectoryInfo $d',
    "if (($info.Attributes -band [System.IO.FileAttributes]::ReparsePoint) -ne 0) { [Console]::Out.WriteLine('problem=reparse-point'); exit 0 }",
    "$owner = $info.GetAccessControl('Owner').GetOwner([System.Security.Principal.SecurityIdentifier]).Value",
    '[Console]::Out.WriteLine("owner=$owner")',
    "if ($owner -ne 'S-1-5-32-544' -and $owner -ne 'S-1-5-18') { exit 0 }",
    // Every file or folder inside must be Administrators' or SYSTEM's, and no link: a user who
    // created the folder before the installer could have left a journal or a key there.
    "$sids = @('S-1-5-32-544', 'S-1-5-18')",
    'foreach ($p in @([System.IO.Directory]::GetFileSystemEntries($d)) + @(if ([System.IO.Directory]::Exists($k)) { [System.IO.Directory]::GetFileSystemEntries($k) })) {',
    '  $fi = New-Object System.IO.FileInfo $p',
    '  if (($fi.Attributes -band [System.IO.FileAttributes]::ReparsePoint) -ne 0) { [Console]::Out.WriteLine("foreign=$p"); exit 0 }',
    "  $o = [System.IO.File]::GetAccessControl($p, 'Owner').GetOwner([System.Security.Principal.SecurityIdentifier]).Value",
    '  if ($sids -notcontains $o) { [Console]::Out.WriteLine("foreign=$p"); exit 0 }',
    '}',
    `$info.SetAccessControl((Sec '${DATA_DIR_SDDL}'))`,
    `if (-not [System.IO.Directory]::Exists($k)) { [void][System.IO.Directory]::CreateDirectory($k, (Sec '${KEYS_DIR_SDDL}')) }`,
    `(New-Object System.IO.DirectoryInfo $k).SetAccessControl((Sec '${KEYS_DIR_SDDL}'))`,
    "[Console]::Out.WriteLine('secured=yes')",
  ].join('\n');
}

/** Reads the script's answer: the data folder, or why it may not be used. */
export function parseWindowsDataDir(stdout: string): { dataDir: string } | { problem: string } {
  const values = new Map<string, string>();
  for (const line of stdout.split(/\r?\n/)) {
    const eq = line.indexOf('=');
    if (eq > 0 && /^[a-zA-Z]+$/.test(line.slice(0, eq).trim()))
      values.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  const dataDir = values.get('dataDir');
  if (!dataDir || !/^[A-Za-z]:\\/.test(dataDir))
    return { problem: 'Windows did not name the ProgramData folder' };
  if (values.get('problem') === 'reparse-point')
    return { problem: `${dataDir} is a link (junction or symbolic link), not a folder` };
  const owner = values.get('owner');
  const foreign = values.get('foreign');
  if (foreign)
    return {
      problem: `${foreign} is not owned by Administrators or SYSTEM, or is a link (it was put there by someone else)`,
    };
  if (owner !== 'S-1-5-32-544' && owner !== 'S-1-5-18')
    return {
      problem: `${dataDir} is owned by ${owner ?? 'an unknown account'}, not by Administrators or SYSTEM (someone created it before Divest was installed)`,
    };
  if (values.get('secured') !== 'yes') return { problem: `its permissions could not be set on ${dataDir}` };
  return { dataDir };
}

/** The helper's environment from the machine's own defaults. */
export async function trustedEnvironment(opts: {
  runner: CommandRunner;
  appVersion: string;
  platform?: NodeJS.Platform;
}): Promise<HelperEnvironment> {
  const platform = opts.platform ?? process.platform;
  const catalog = loadBuiltInCatalog();
  if (platform === 'win32') {
    // SystemRoot is the one environment value trusted here, as everywhere the engine runs msiexec.
    const script = powerShellArgv(windowsTools().powershell, windowsDataDirScript());
    const r = await opts.runner.run(script, { timeoutMs: 60_000 });
    const answer = parseWindowsDataDir(r.stdout);
    if ('problem' in answer)
      throw new UntrustedDataDir(`Divest will not use the machine's data folder: ${answer.problem}.`);
    return { dataDir: answer.dataDir, catalog, runner: opts.runner, appVersion: opts.appVersion };
  }
  if (typeof process.geteuid !== 'function' || process.geteuid() !== 0)
    throw new UntrustedDataDir(
      'The removal helper runs only as root (through pkexec, sudo or the macOS administrator prompt).',
    );
  // core's defaults for root: they depend on the platform only, not on the environment.
  const dataDir = defaultDataDir({}, platform);
  securePosixDataDir(dataDir);
  return { dataDir, catalog, runner: opts.runner, appVersion: opts.appVersion };
}
