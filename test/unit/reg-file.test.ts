import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decodeRegFileBytes,
  parseRegFile,
  RegFileError,
  regNumber,
  regString,
  shortHivePath,
} from '../../core/host/parsers/reg-file';

const fixture = (name: string): string =>
  decodeRegFileBytes(readFileSync(path.join(__dirname, '..', 'fixtures', 'windows', name)));

describe('reg export files', () => {
  it('decodes UTF-16LE with BOM, UTF-8 with BOM, and plain UTF-8', () => {
    const text = 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\X]\r\n"A"="Агент"\r\n';
    expect(decodeRegFileBytes(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]))).toBe(
      text,
    );
    expect(
      decodeRegFileBytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')])),
    ).toBe(text);
    expect(decodeRegFileBytes(Buffer.from(text, 'utf8'))).toBe(text);
    expect(decodeRegFileBytes(Buffer.from(text, 'utf16le'))).toBe(text);
  });

  it('parses every value type of a real Uninstall export, including wrapped hex(2) strings', () => {
    const { keys, problems } = parseRegFile(fixture('uninstall-wow6432.reg'));
    expect(problems).toEqual([]);
    const kes = keys.find((k) => k.path.endsWith('{7EC66A9F-0A49-4DC0-A9E8-460333EA8013}'));
    expect(kes).toBeDefined();
    expect(regString(kes!, 'DisplayName')).toBe('Kaspersky Endpoint Security for Windows');
    expect(regString(kes!, 'Publisher')).toBe('AO Kaspersky Lab');
    expect(regString(kes!, 'InstallLocation')).toBe('C:\\Program Files (x86)\\Kaspersky Lab\\KES.11.6.0\\');
    expect(regString(kes!, 'UninstallString')).toBe('MsiExec.exe /X{7EC66A9F-0A49-4DC0-A9E8-460333EA8013}');
    expect(kes!.values.get('UninstallString')?.type).toBe('REG_EXPAND_SZ');
    expect(regNumber(kes!, 'WindowsInstaller')).toBe(1);
    expect(regNumber(kes!, 'EstimatedSize')).toBe(0x5d2c8);
    expect(regString(kes!, 'Comments')).toBeUndefined(); // empty string reads as absent
    const nagent = keys.find((k) => k.path.endsWith('{2924BEDA-E0D7-4DAF-A224-50D2E0B12F5B}'));
    expect(regString(nagent!, 'DisplayName')).toBe("Agent d'administration de Kaspersky Security Center");
    const klite = keys.find((k) => k.path.endsWith('K-Lite Codec Pack_is1'));
    expect(regString(klite!, 'UninstallString')).toBe(
      '"C:\\Program Files (x86)\\K-Lite Codec Pack\\unins000.exe"',
    );
  });

  it('decodes REG_MULTI_SZ, REG_BINARY and driver ImagePath from a Services export', () => {
    const { keys } = parseRegFile(fixture('services.reg'));
    const klif = keys.find((k) => k.path.endsWith('\\klif'))!;
    expect(regString(klif, 'ImagePath')).toBe('System32\\DRIVERS\\klif.sys');
    expect(klif.values.get('DependOnService')).toEqual({ type: 'REG_MULTI_SZ', data: 'FltMgr' });
    const sec = keys.find((k) => k.path.endsWith('AVP21.2\\Security'))!;
    expect(sec.values.get('Security')?.type).toBe('REG_BINARY');
    expect(sec.values.get('Security')?.data.startsWith('010014809000')).toBe(true);
  });

  it('keeps going past a malformed value and says where it was', () => {
    const text = [
      'Windows Registry Editor Version 5.00',
      '',
      '[HKEY_LOCAL_MACHINE\\SOFTWARE\\A]',
      '"Good"="yes"',
      '"Bad"=hex:zz,01',
      '"Unterminated="oops',
      '@="default value"',
      '"Deleted"=-',
      '',
    ].join('\r\n');
    const { keys, problems } = parseRegFile(text);
    expect(keys[0]!.values.get('Good')?.data).toBe('yes');
    expect(keys[0]!.values.get('')?.data).toBe('default value');
    expect(keys[0]!.values.has('Deleted')).toBe(false);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/line 5 in \[HKEY_LOCAL_MACHINE\\SOFTWARE\\A\]: bad hex byte "zz"/);
  });

  it('handles escaped quotes and backslashes in names and data, and REGEDIT4 files', () => {
    const text =
      'REGEDIT4\n\n[HKEY_CURRENT_USER\\Q]\n"Na\\"me"="C:\\\\a \\"b\\""\n"Q"=hex(b):01,00,00,00,00,00,00,00\n';
    const { keys } = parseRegFile(text);
    expect(keys[0]!.values.get('Na"me')?.data).toBe('C:\\a "b"');
    expect(keys[0]!.values.get('Q')).toEqual({ type: 'REG_QWORD', data: '1' });
  });

  it('rejects text that is not a registry export', () => {
    expect(() => parseRegFile('ERROR: Access is denied.\r\n')).toThrow(RegFileError);
    expect(() => parseRegFile('')).toThrow(/not a \.reg export/);
  });

  it('abbreviates hive names the way administrators write them', () => {
    expect(shortHivePath('HKEY_LOCAL_MACHINE\\SOFTWARE\\X')).toBe('HKLM\\SOFTWARE\\X');
    expect(shortHivePath('HKEY_CURRENT_USER\\Software')).toBe('HKCU\\Software');
    expect(shortHivePath('HKEY_LOCAL_MACHINEX\\A')).toBe('HKEY_LOCAL_MACHINEX\\A');
  });
});
