/**
 * Splitting Windows command lines and checking registry UninstallStrings before Divest acts on them.
 *
 * The splitting cases are Microsoft's table in "Parsing C command-line arguments" and the
 * CommandLineToArgvW rules (argv[0] ends at the next quote or space, backslashes are literal in
 * it; only space and tab separate arguments). The UninstallStrings are those seen on real machines
 * (research products.md §2.1, §3.1), then the same strings with attacks appended.
 */
import { describe, expect, it } from 'vitest';
import {
  checkExeUninstallString,
  checkMsiUninstallString,
  GUID_RE,
  splitWindowsCommandLine as split,
} from '../../core/remove/windows-cmdline';

const KES = '{7EC66A9F-0A49-4DC0-A9E8-460333EA8013}';
const KTS = '{63129F5E-8EC5-41BA-A4CF-47966CE84953}';
const NAGENT = '{2924BEDA-E0D7-4DAF-A224-50D2E0B12F5B}';

describe('splitWindowsCommandLine (CommandLineToArgvW rules)', () => {
  it("follows Microsoft's table for quotes and backslashes", () => {
    expect(split('prog "a b c" d e')).toEqual(['prog', 'a b c', 'd', 'e']);
    expect(split('prog "ab\\"c" "\\\\" d')).toEqual(['prog', 'ab"c', '\\', 'd']);
    expect(split('prog a\\\\\\b d"e f"g h')).toEqual(['prog', 'a\\\\\\b', 'de fg', 'h']);
    expect(split('prog a\\\\\\"b c d')).toEqual(['prog', 'a\\"b', 'c', 'd']);
    expect(split('prog a\\\\\\\\"b c" d e')).toEqual(['prog', 'a\\\\b c', 'd', 'e']);
  });

  it('backslashes are literal unless they precede a quote; 2n+1 before a quote escape it', () => {
    expect(split('prog C:\\dir\\sub\\ x')).toEqual(['prog', 'C:\\dir\\sub\\', 'x']);
    expect(split('prog "C:\\dir\\\\" x')).toEqual(['prog', 'C:\\dir\\', 'x']);
    expect(split('prog \\"quoted\\"')).toEqual(['prog', '"quoted"']);
  });

  it('a doubled quote inside quotes is one literal quote; "" alone is an empty argument', () => {
    expect(split('prog "a""b"')).toEqual(['prog', 'a"b']);
    expect(split('prog "" x')).toEqual(['prog', '', 'x']);
  });

  it('argv[0]: a quoted program name ends at the next quote and keeps its backslashes', () => {
    expect(split('"C:\\Program Files\\Vendor\\" /S')).toEqual(['C:\\Program Files\\Vendor\\', '/S']);
    expect(split('"C:\\Program Files (x86)\\Kaspersky Lab\\uninstall.exe"/S')).toEqual([
      'C:\\Program Files (x86)\\Kaspersky Lab\\uninstall.exe',
      '/S',
    ]);
    // Unquoted, it ends at the first space; a quote inside it is an ordinary character.
    expect(split('C:\\a"b c"\\x.exe')).toEqual(['C:\\a"b', 'c\\x.exe']);
    expect(split('  MsiExec.exe /X{GUID}')).toEqual(['MsiExec.exe', '/X{GUID}']);
    expect(split('')).toEqual([]);
    expect(split('   ')).toEqual([]);
  });

  it('tabs separate arguments like spaces', () => {
    expect(split('MsiExec.exe\t/X\t' + KES + ' \t /qn')).toEqual(['MsiExec.exe', '/X', KES, '/qn']);
  });

  it('only space and tab separate: other white space is part of an argument', () => {
    // CommandLineToArgvW and the C runtime split on ' ' and '\t' only (Microsoft: "white space,
    // which is either a space or a tab"); a no-break space is an ordinary character to Windows.
    expect(split('prog a\u00a0b')).toEqual(['prog', 'a\u00a0b']);
    expect(split('prog a\u000bb')).toEqual(['prog', 'a\u000bb']);
    expect(split('MsiExec.exe\u00a0/X' + KES)).toEqual(['MsiExec.exe\u00a0/X' + KES]);
  });
});

describe('checkMsiUninstallString: real UninstallStrings are accepted', () => {
  it.each([
    ['Windows writes /X for removal', `MsiExec.exe /X${KES}`, KES],
    ['Windows writes /I for products with a maintenance UI', `MsiExec.exe /I${KES}`, KES],
    ['full quoted path, /x with a space, quiet', `"C:\\Windows\\System32\\msiexec.exe" /x ${KES} /qn`, KES],
    ['a public property', `msiexec.exe /x${KES} REBOOT=ReallySuppress`, KES],
    ['the consumer 21.2 string (research §2.1)', `msiexec.exe /x ${KTS} /qb ALLOWREBOOT=1`, KTS],
    ['lower-case code in the string', `MsiExec.exe /X${NAGENT.toLowerCase()} /norestart /passive`, NAGENT],
  ])('%s', (_why, s, code) => {
    expect(checkMsiUninstallString(s, code)).toEqual({ ok: true, kind: 'msi', productCode: code });
  });

  it('the product code compares case-insensitively and comes back upper case', () => {
    expect(checkMsiUninstallString(`MsiExec.exe /X${KES}`, KES.toLowerCase())).toEqual({
      ok: true,
      kind: 'msi',
      productCode: KES,
    });
    expect(GUID_RE.test(KES)).toBe(true);
    expect(GUID_RE.test('7EC66A9F-0A49-4DC0-A9E8-460333EA8013')).toBe(false);
  });
});

describe('checkMsiUninstallString: tampered UninstallStrings are refused', () => {
  it.each([
    ['& runs a second command', `MsiExec.exe /X${KES} & cmd /c calc`, /shell characters/],
    ['a pipe', `MsiExec.exe /X${KES} | powershell -enc SQBFAFgA`, /shell characters/],
    ['a semicolon', `MsiExec.exe /X${KES}; rm -rf C:\\`, /shell characters/],
    ['an environment variable', `%COMSPEC% /c MsiExec.exe /X${KES}`, /shell characters/],
    ['cmd escape ^&', `MsiExec.exe /X${KES} ^& calc.exe`, /shell characters/],
    ['a redirection', `MsiExec.exe /X${KES} > C:\\Windows\\win.ini`, /shell characters/],
    ['a newline', `MsiExec.exe /X${KES}\r\ncalc.exe`, /shell characters/],
    ['a bare LF', `MsiExec.exe /X${KES}\ncalc.exe`, /shell characters/],
    ['a $( ) substitution', `MsiExec.exe /X${KES} TARGETDIR=$(calc)`, /shell characters/],
    ['a backtick', `MsiExec.exe /X${KES} \`calc\``, /shell characters/],
    ['a different product code', `MsiExec.exe /X${NAGENT}`, /removes \{2924BEDA.*not the product found/],
    ['cmd.exe running msiexec', `cmd.exe /c msiexec /x ${KES}`, /does not run msiexec/],
    ['powershell running msiexec', `powershell.exe -c msiexec /x ${KES}`, /does not run msiexec/],
    ['no product code', 'MsiExec.exe /X', /names no MSI product code/],
    ['a code that is not a GUID', 'MsiExec.exe /X{not-a-guid}', /names no MSI product code/],
    ['an install of a package file', `MsiExec.exe /i C:\\evil.msi /qn`, /names no MSI product code/],
    ['a transform or patch switch', `MsiExec.exe /X${KES} /p C:\\evil.msp`, /unexpected argument "\/p"/],
    ['a quoted property with spaces', `MsiExec.exe /X${KES} "PROP=a b"`, /unexpected argument/],
    ['a lower-case property (not a public one)', `MsiExec.exe /X${KES} prop=1`, /unexpected argument/],
  ])('%s', (_why, s, reason) => {
    const r = checkMsiUninstallString(s, KES);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it('refuses two removal switches, whichever comes first', () => {
    // msiexec takes one action; a string with two is not the vendor's and must not be trusted,
    // even when the last one names the product found.
    for (const s of [
      `MsiExec.exe /X${KES} /X${NAGENT}`,
      `MsiExec.exe /X${NAGENT} /X${KES}`,
      `MsiExec.exe /X${KES} /X${KES}`,
      `MsiExec.exe /I${NAGENT} /X ${KES}`,
    ]) {
      expect(checkMsiUninstallString(s, KES), s).toMatchObject({ ok: false });
    }
  });
});

describe('checkExeUninstallString (vendor EXE uninstallers)', () => {
  const images = [/^uninstall\.exe$/i, /^setup_kes\.exe$/i];
  const quiet = ['/s', '/x', '/SILENT'];
  const exe = '"C:\\Program Files (x86)\\Kaspersky Lab\\Kaspersky Password Manager 9.0.2\\uninstall.exe"';

  it('accepts the vendor image by absolute path with known switches (any case)', () => {
    expect(checkExeUninstallString(`${exe} /S`, images, quiet)).toEqual({
      ok: true,
      kind: 'exe',
      image: 'C:\\Program Files (x86)\\Kaspersky Lab\\Kaspersky Password Manager 9.0.2\\uninstall.exe',
      args: ['/S'],
    });
    expect(
      checkExeUninstallString('C:\\Windows\\Temp\\KES\\setup_kes.exe /s /x', images, quiet),
    ).toMatchObject({ ok: true, args: ['/s', '/x'] });
    expect(checkExeUninstallString(exe, images, quiet)).toMatchObject({ ok: true, args: [] });
  });

  it.each([
    ['a relative path', 'uninstall.exe /S', /not an absolute path/],
    ['a drive-relative path', 'C:uninstall.exe /S', /not an absolute path/],
    ['a UNC path', '\\\\fileserver\\share\\uninstall.exe /S', /not an absolute path/],
    ['a long UNC path', '"\\\\?\\UNC\\fileserver\\share\\uninstall.exe" /S', /not an absolute path/],
    [
      '.. in the path',
      '"C:\\Program Files\\Kaspersky Lab\\..\\..\\Users\\Public\\uninstall.exe" /S',
      /not an absolute path/,
    ],
    ['not an .exe', '"C:\\Program Files\\Kaspersky Lab\\uninstall.bat" /S', /not an \.exe/],
    [
      'an image the recipe does not name',
      '"C:\\Program Files\\Kaspersky Lab\\remove.exe" /S',
      /not one the catalog knows/,
    ],
    ['cmd.exe', 'C:\\Windows\\System32\\cmd.exe /c uninstall.exe', /not one the catalog knows/],
    [
      'msiexec (the MSI method, not this one)',
      `C:\\Windows\\System32\\msiexec.exe /x ${KES}`,
      /not one the catalog knows/,
    ],
    ['an unknown argument', `${exe} /S /D=C:\\Windows`, /unexpected argument "\/D=C:\\\\Windows"/],
    ['a shell character', `${exe} /S & calc.exe`, /shell characters/],
    ['a variable', '"%ProgramFiles%\\Kaspersky Lab\\uninstall.exe" /S', /shell characters/],
    ['a newline', `${exe} /S\r\ncalc.exe`, /shell characters/],
  ])('refuses %s', (_why, s, reason) => {
    const r = checkExeUninstallString(s, images, quiet);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it('refuses script hosts even if a recipe pattern would match them', () => {
    const lax = [/\.exe$/i];
    for (const host of ['cmd', 'powershell', 'pwsh', 'wscript', 'cscript', 'mshta', 'rundll32', 'regsvr32'])
      expect(checkExeUninstallString(`C:\\Windows\\System32\\${host}.exe`, lax, []).ok, host).toBe(false);
  });
});
