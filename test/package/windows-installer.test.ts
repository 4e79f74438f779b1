/**
 * The Windows installers' additions for %ProgramData%\Divest (its ACL) and the CLI on the PATH.
 *
 * MSI: electron-builder's MsiTarget writes its real project.wxs for the release configuration
 * (from a stand-in app folder), and electron-builder emits `msiProjectCreated`, which runs
 * build/msi-project-created.mjs as a build does; the edited project is then read back. WiX itself
 * (downloaded by electron-builder) and Windows Installer cannot run here, and Wine's icacls and
 * powershell are stubs, so the NSIS include and the PATH script are checked as text: what they
 * grant to which SID, what they never delete.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import { editProject } from '../../build/msi-project-created.mjs';
import { DATA_DIR_SDDL, KEYS_DIR_SDDL } from '../../core/helper/trusted';
import { Arch, Platform, REPO, appBuilder, packagerFor, platformPackager } from './builder';

const WIX = 'http://wixtoolset.org/schemas/v4/wxs';

/** The ACEs of an SDDL string: owner, group, DACL flags and `trustee -> rights` (hex). */
function sddl(s: string): { owner: string; group: string; flags: string; aces: Record<string, number> } {
  const m = /^O:(\w\w)G:(\w\w)D:([A-Z]*)((?:\([^)]*\))+)$/.exec(s);
  if (!m) throw new Error(`not an SDDL string with owner, group and DACL: ${s}`);
  const RIGHTS: Record<string, number> = { FA: 0x1f01ff, FR: 0x120089, FX: 0x1200a0 };
  const aces: Record<string, number> = {};
  for (const ace of m[4]!.slice(1, -1).split(')(')) {
    const [type, flags, rights, , , trustee] = ace.split(';');
    expect([type, flags]).toEqual(['A', 'OICI']);
    aces[trustee!] = rights!.startsWith('0x') ? Number(rights) : (RIGHTS[rights!] ?? NaN);
  }
  return { owner: m[1]!, group: m[2]!, flags: m[3]!, aces };
}

describe('the data folder ACL', () => {
  it('Administrators own it; SYSTEM and Administrators have full control, Users read and execute, nothing inherited', () => {
    expect(sddl(DATA_DIR_SDDL)).toEqual({
      owner: 'BA',
      group: 'SY',
      flags: 'PAI',
      aces: { SY: 0x1f01ff, BA: 0x1f01ff, BU: 0x120089 | 0x1200a0 },
    });
  });
  it('keys: SYSTEM and Administrators only', () => {
    expect(sddl(KEYS_DIR_SDDL)).toEqual({
      owner: 'BA',
      group: 'SY',
      flags: 'PAI',
      aces: { SY: 0x1f01ff, BA: 0x1f01ff },
    });
  });
});

describe('MSI: the project electron-builder writes, edited by its msiProjectCreated hook', () => {
  let app: string;
  let doc: Document;
  beforeAll(async () => {
    const p = await packagerFor('electron-builder.yml', Platform.WINDOWS);
    const win = await platformPackager(p, Platform.WINDOWS);
    app = mkdtempSync(path.join(tmpdir(), 'divest-msi-'));
    mkdirSync(path.join(app, 'resources', 'bin'), { recursive: true });
    for (const f of ['Divest.exe', 'resources/app.asar', 'resources/bin/divest.exe'])
      writeFileSync(path.join(app, f), 'x');
    const target = new appBuilder.MsiTarget(win, app);
    const xml = await target.writeManifest(
      app,
      Arch.x64,
      appBuilder.getEffectiveOptions(target.options, win),
    );
    const project = path.join(app, 'project.wxs');
    writeFileSync(project, xml);
    await p.emitMsiProjectCreated(project);
    const edited = readFileSync(project, 'utf8');
    expect(edited).not.toBe(xml);
    doc = new DOMParser().parseFromString(edited, 'text/xml');
  }, 60_000);
  afterAll(() => rmSync(app, { recursive: true, force: true }));
  const byId = (tag: string, id: string): Element[] =>
    Array.from(doc.getElementsByTagNameNS(WIX, tag)).filter((e) => e.getAttribute('Id') === id);

  it('creates %ProgramData%\\Divest and keys\\ with their ACL, kept on uninstall', () => {
    const [common] = byId('Directory', 'CommonAppDataFolder');
    expect(common?.parentElement?.getAttribute('Id')).toBe('TARGETDIR');
    const [data] = byId('Directory', 'DivestDataDir');
    expect([data?.getAttribute('Name'), data?.parentElement?.getAttribute('Id')]).toEqual([
      'Divest',
      'CommonAppDataFolder',
    ]);
    expect(byId('Directory', 'DivestKeysDir')[0]?.getAttribute('Name')).toBe('keys');
    for (const [component, acl] of [
      ['DivestDataFolder', DATA_DIR_SDDL],
      ['DivestKeysFolder', KEYS_DIR_SDDL],
    ] as const) {
      const [c] = byId('Component', component);
      expect(c?.getAttribute('Permanent')).toBe('yes');
      expect(c?.getAttribute('Guid')).toMatch(/^\{[0-9A-F-]{36}\}$/);
      const perms = Array.from(c!.getElementsByTagNameNS(WIX, 'PermissionEx'));
      expect(perms.map((e) => e.getAttribute('Sddl'))).toEqual([acl]);
      expect(perms[0]?.parentElement?.localName).toBe('CreateFolder');
    }
  });
  it('appends resources\\bin to the machine PATH, and removes it on uninstall', () => {
    const [env] = byId('Environment', 'DivestPath');
    expect({
      name: env?.getAttribute('Name'),
      value: env?.getAttribute('Value'),
      part: env?.getAttribute('Part'),
      system: env?.getAttribute('System'),
      permanent: env?.getAttribute('Permanent'),
    }).toEqual({
      name: 'PATH',
      value: '[APPLICATIONFOLDER]resources\\bin',
      part: 'last',
      system: 'yes',
      permanent: 'no',
    });
  });
  it('puts every new component into the product feature, once, with GUIDs of their own', () => {
    const [feature] = byId('Feature', 'ProductFeature');
    const refs = Array.from(feature!.getElementsByTagNameNS(WIX, 'ComponentRef')).map((e) =>
      e.getAttribute('Id'),
    );
    expect(refs).toEqual(['DivestDataFolder', 'DivestKeysFolder', 'DivestCliOnPath']);
    const guids = Array.from(doc.getElementsByTagNameNS(WIX, 'Component'))
      .map((c) => c.getAttribute('Guid'))
      .filter(Boolean);
    expect(new Set(guids).size).toBe(guids.length);
  });
  it('refuses to edit a project twice', () => {
    expect(() => editProject(readFileSync(path.join(app, 'project.wxs'), 'utf8'))).toThrow(
      /already has the Divest data folder/,
    );
  });
});

describe('NSIS: build/installer.nsh and the PATH script', () => {
  const nsh = readFileSync(path.join(REPO, 'build', 'installer.nsh'), 'utf8');
  const ps1 = readFileSync(path.join(REPO, 'build', 'windows', 'machine-path.ps1'), 'utf8');
  const macro = (name: string): string => {
    const m = new RegExp(`!macro ${name}\\n([\\s\\S]*?)!macroend`).exec(nsh);
    if (!m) throw new Error(`no macro ${name}`);
    return m[1]!;
  };
  it('grants by SID with inheritance removed: SYSTEM and Administrators full, Users read, keys without Users', () => {
    const install = macro('customInstall');
    const icacls = install.split('\n').filter((l) => l.includes('DIVEST_ICACLS'));
    expect(icacls).toEqual([
      expect.stringContaining('"$APPDATA\\Divest" /setowner *S-1-5-32-544 /C /Q'),
      expect.stringContaining(
        '"$APPDATA\\Divest" /inheritance:r /grant:r *S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F *S-1-5-32-545:(OI)(CI)RX /C /Q',
      ),
      expect.stringContaining('"$APPDATA\\Divest\\keys" /setowner *S-1-5-32-544 /C /Q'),
      expect.stringContaining(
        '"$APPDATA\\Divest\\keys" /inheritance:r /grant:r *S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F /C /Q',
      ),
    ]);
    expect(install).toContain('SetShellVarContext all');
    expect(nsh).toContain(`!define DIVEST_ICACLS '"$SYSDIR\\icacls.exe"'`);
  });
  it('puts resources\\bin on the PATH and takes it off on uninstall (not on an update), keeping the data folder', () => {
    expect(macro('customInstall')).toContain(
      'machine-path.ps1" -Action add -Folder "$INSTDIR\\resources\\bin"',
    );
    const un = macro('customUnInstall');
    expect(un).toMatch(
      /\$\{ifNot\} \$\{isUpdated\}[\s\S]*-Action remove -Folder "\$INSTDIR\\resources\\bin"[\s\S]*\$\{endIf\}/,
    );
    expect(nsh).not.toMatch(/RMDir[^\n]*Divest/);
    // Every nsExec line quotes its command in single quotes, with no single quote inside.
    for (const l of nsh.split('\n').filter((x) => x.includes('divestRun')))
      if (!l.includes('!macro')) expect(l.match(/'/g)?.length, l).toBe(2);
  });
  it('edits PATH without expanding it and writes it back as REG_EXPAND_SZ, once per folder', () => {
    expect(ps1).toContain('[Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames');
    expect(ps1).toContain('[Microsoft.Win32.RegistryValueKind]::ExpandString');
    expect(ps1).toContain("ValidateSet('add', 'remove')");
    const code = ps1
      .split('\n')
      .filter((l) => !l.trimStart().startsWith('#'))
      .join('\n');
    expect(code).not.toMatch(/SetEnvironmentVariable|Import-Module/);
  });
});
