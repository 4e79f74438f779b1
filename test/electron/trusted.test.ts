/**
 * Where the elevated helper works: the machine's data folder, checked before anything in it is
 * read. POSIX: for real, as root, on folders made here (another user's folder, a symlink, a
 * world-writable folder, a planted journal); Windows: the PowerShell script's text (only .NET
 * calls, the SDDL) and the reading of its answer.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  DATA_DIR_SDDL,
  KEYS_DIR_SDDL,
  UntrustedDataDir,
  parseWindowsDataDir,
  posixDirProblem,
  securePosixDataDir,
  windowsDataDirScript,
  type DirStat,
} from '../../core/helper/trusted';
import type { Bed } from '../beds/linux';
import { tempDir } from '../beds/linux';

const st = (o: Partial<DirStat> & { dir?: boolean; link?: boolean }): DirStat => ({
  isSymbolicLink: () => o.link ?? false,
  isDirectory: () => o.dir ?? true,
  uid: o.uid ?? 0,
  gid: o.gid ?? 0,
  mode: o.mode ?? 0o40755,
});

describe('the POSIX rule', () => {
  it('accepts root-owned folders nobody else may write, and sticky /tmp on the way only', () => {
    expect(posixDirProblem('/var/lib/divest', st({ mode: 0o40700 }), true)).toBeNull();
    expect(posixDirProblem('/tmp', st({ mode: 0o41777 }), false)).toBeNull();
    expect(posixDirProblem('/tmp', st({ mode: 0o41777 }), true)).toMatch(/writable by everyone/);
    expect(posixDirProblem('/x', st({ uid: 1000 }), false)).toMatch(/user id 1000/);
    expect(posixDirProblem('/x', st({ link: true }), false)).toMatch(/symbolic link/);
    expect(posixDirProblem('/x', st({ dir: false }), false)).toMatch(/not a folder/);
    expect(posixDirProblem('/x', st({ mode: 0o40775, gid: 27 }), false)).toMatch(/group 27/);
    expect(posixDirProblem('/x', st({ mode: 0o40775, gid: 0 }), false)).toBeNull();
  });
});

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

describe.skipIf(!asRoot)('securePosixDataDir, for real', () => {
  let base: Bed;
  beforeAll(() => {
    base = tempDir('trusted');
  });
  afterAll(() => base?.cleanup());

  it('creates a missing data folder as root, mode 0700, and accepts it', () => {
    const d = path.join(base.root, 'fresh', 'divest');
    securePosixDataDir(d);
    expect(statSync(d).mode & 0o777).toBe(0o700);
    expect(statSync(d).uid).toBe(0);
  });
  it('refuses a folder owned by another user, a symlink on the way, and planted files', () => {
    const other = path.join(base.root, 'other');
    mkdirSync(other);
    chownSync(other, 65534, 65534);
    expect(() => securePosixDataDir(path.join(other, 'divest'))).toThrow(/belongs to user id 65534/);
    const real = path.join(base.root, 'real');
    mkdirSync(real, { mode: 0o700 });
    symlinkSync(real, path.join(base.root, 'link'));
    expect(() => securePosixDataDir(path.join(base.root, 'link', 'divest'))).toThrow(/symbolic link/);
    const planted = path.join(base.root, 'planted');
    mkdirSync(path.join(planted, 'keys'), { recursive: true, mode: 0o700 });
    writeFileSync(path.join(planted, 'journal.jsonl'), '');
    chownSync(path.join(planted, 'journal.jsonl'), 65534, 65534);
    expect(() => securePosixDataDir(planted)).toThrow(UntrustedDataDir);
    expect(() => securePosixDataDir(planted)).toThrow(/journal\.jsonl belongs to user id 65534/);
    const linked = path.join(base.root, 'linked');
    mkdirSync(path.join(linked, 'keys'), { recursive: true, mode: 0o700 });
    symlinkSync('/etc/shadow', path.join(linked, 'keys', 'receipt-signing.key'));
    expect(() => securePosixDataDir(linked)).toThrow(/receipt-signing\.key is a symbolic link/);
    const open = path.join(base.root, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    expect(() => securePosixDataDir(open)).toThrow(/writable by everyone/);
  });
});

describe('trustedEnvironment refuses to run as anyone but root (POSIX)', () => {
  it('as nobody', () => {
    const script = `import('${path.resolve('core/helper/trusted.ts')}').then((m) => m.trustedEnvironment({ runner: { run: async () => ({}), spawnCount: 0 }, appVersion: 'x', platform: 'linux' })).then(() => console.log('ran'), (e) => console.log(e.message))`;
    const r = asRoot
      ? spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, '--import', 'tsx', '-e', script], {
          encoding: 'utf8',
        })
      : spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8' });
    expect(r.stdout).toContain('runs only as root');
  });
});

describe('the Windows data folder', () => {
  const script = windowsDataDirScript();
  it('is found through the known folder, never the environment, with .NET calls only', () => {
    expect(script).toContain("[Environment]::GetFolderPath('CommonApplicationData')");
    expect(script).not.toMatch(/\$env:ProgramData|\$env:ALLUSERSPROFILE/i);
    expect(script).toContain('$env:PSModulePath = "$PSHOME\\Modules"');
    // No cmdlet (Verb-Noun) is called: none can be loaded from a user's module folder.
    expect(script.match(/\b(Get|Set|New-Item|Test|Import|ConvertTo|Write)-[A-Z]\w+/g)).toBeNull();
    expect(script).toContain(`CreateDirectory($d, (Sec '${DATA_DIR_SDDL}'))`);
    expect(script).toContain(`CreateDirectory($k, (Sec '${KEYS_DIR_SDDL}'))`);
  });
  it('is used only when it and everything in it belong to Administrators or SYSTEM', () => {
    const ok = 'dataDir=C:\\ProgramData\\Divest\r\nowner=S-1-5-32-544\r\nsecured=yes\r\n';
    expect(parseWindowsDataDir(ok)).toEqual({ dataDir: 'C:\\ProgramData\\Divest' });
    expect(parseWindowsDataDir(ok.replace('S-1-5-32-544', 'S-1-5-21-1-2-3-1001'))).toMatchObject({
      problem: expect.stringContaining('owned by S-1-5-21-1-2-3-1001'),
    });
    expect(
      parseWindowsDataDir(
        'dataDir=C:\\ProgramData\\Divest\nowner=S-1-5-18\nforeign=C:\\ProgramData\\Divest\\journal.jsonl\n',
      ),
    ).toMatchObject({
      problem: expect.stringContaining('journal.jsonl is not owned by Administrators or SYSTEM'),
    });
    expect(parseWindowsDataDir('dataDir=C:\\ProgramData\\Divest\nproblem=reparse-point\n')).toMatchObject({
      problem: expect.stringContaining('is a link'),
    });
    expect(parseWindowsDataDir('dataDir=C:\\ProgramData\\Divest\nowner=S-1-5-18\n')).toMatchObject({
      problem: expect.stringContaining('permissions could not be set'),
    });
    expect(parseWindowsDataDir('')).toMatchObject({ problem: expect.stringContaining('did not name') });
  });
});
