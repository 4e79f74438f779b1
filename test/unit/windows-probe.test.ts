/**
 * The Windows probe's parsing and orchestration, with reg.exe played by a runner that writes the
 * real-format exports in test/fixtures/windows. The real reg.exe runs under Wine in test/windows.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CommandRunner, RunOptions, RunResult } from '../../core/host/runner';
import {
  parseMachineGuid,
  parsePowerShellReport,
  powerShellScript,
  probeWindows,
  securityCenterItems,
  servicesFromExport,
  uninstallEntriesFromExport,
  vendorKeysFromExport,
} from '../../core/host/windows';
import { decodeRegFileBytes, parseRegFile } from '../../core/host/parsers/reg-file';

const FIX = path.join(__dirname, '..', 'fixtures', 'windows');
const keysOf = (name: string) => parseRegFile(decodeRegFileBytes(readFileSync(path.join(FIX, name)))).keys;

/** Plays reg.exe (and optionally powershell.exe): export writes a fixture, query prints a GUID. */
class FakeWindows implements CommandRunner {
  spawnCount = 0;
  calls: string[][] = [];
  constructor(
    private readonly exports: Record<string, string | 'missing' | 'denied'>,
    private readonly powershell?: { stdout: string; exitCode: number },
  ) {}
  async run(argv: readonly string[], _o?: RunOptions): Promise<RunResult> {
    this.spawnCount++;
    this.calls.push([...argv]);
    const base = {
      argv,
      signal: null,
      timedOut: false,
      durationMs: 1,
      outputSha256: '0'.repeat(64),
      stderr: '',
    };
    if (argv[0]!.toLowerCase().endsWith('powershell.exe')) {
      return { ...base, exitCode: this.powershell?.exitCode ?? 1, stdout: this.powershell?.stdout ?? '' };
    }
    if (argv[1] === 'query') {
      return {
        ...base,
        exitCode: 0,
        stdout:
          '\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography\r\n    MachineGuid    REG_SZ    080297E9-5921-4E03-AB3E-F5DF7651996E\r\n',
      };
    }
    const id = `${argv[2]}${argv.find((a) => a.startsWith('/reg:')) ?? ''}`;
    const what = this.exports[id] ?? 'missing';
    if (what === 'missing')
      return {
        ...base,
        exitCode: 1,
        stdout: '',
        stderr: 'ERROR: The system was unable to find the specified registry key or value.',
      };
    if (what === 'denied') return { ...base, exitCode: 1, stdout: '', stderr: 'ERROR: Access is denied.' };
    copyFileSync(path.join(FIX, what), argv[3]!);
    return { ...base, exitCode: 0, stdout: 'The operation completed successfully.' };
  }
}

const U = 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'divest-winprobe-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ENV = { SystemRoot: 'C:\\Windows' };

describe('Windows inventory from registry exports', () => {
  it('reads Uninstall entries: direct subkeys only, locations as regedit shows them', () => {
    const entries = uninstallEntriesFromExport(
      keysOf('uninstall-wow6432.reg'),
      'HKLM',
      '32',
      'HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall',
    );
    expect(entries.map((e) => e.keyName)).toEqual([
      '{7EC66A9F-0A49-4DC0-A9E8-460333EA8013}',
      '{2924BEDA-E0D7-4DAF-A224-50D2E0B12F5B}',
      'K-Lite Codec Pack_is1',
      'KasperskyFanTools',
    ]);
    const kes = entries[0]!;
    expect(kes).toMatchObject({
      location:
        'HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{7EC66A9F-0A49-4DC0-A9E8-460333EA8013}',
      hive: 'HKLM',
      view: '32',
      displayName: 'Kaspersky Endpoint Security for Windows',
      displayVersion: '11.6.0.394',
      publisher: 'AO Kaspersky Lab',
      windowsInstaller: true,
      uninstallString: 'MsiExec.exe /X{7EC66A9F-0A49-4DC0-A9E8-460333EA8013}',
    });
    expect(entries[2]!.quietUninstallString).toBe(
      '"C:\\Program Files (x86)\\K-Lite Codec Pack\\unins000.exe" /SILENT',
    );
  });

  it('tells drivers from services by their Type', () => {
    const svc = servicesFromExport(keysOf('services.reg'));
    expect(svc.map((s) => `${s.kind}:${s.name}`)).toEqual([
      'service:AVP21.2',
      'driver:klif',
      'service:klnagent',
      'service:klvssbrige64',
      'driver:Tcpip',
    ]);
    expect(svc[1]).toMatchObject({
      imagePath: 'System32\\DRIVERS\\klif.sys',
      start: 0,
      location: 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\klif',
    });
  });

  it('reads vendor subkeys with their environment values, not deeper installer keys', () => {
    const vk = vendorKeysFromExport(
      keysOf('vendor-kasperskylab.reg'),
      '32',
      'HKLM\\SOFTWARE\\WOW6432Node\\KasperskyLab',
    );
    expect(vk.map((k) => k.keyName)).toEqual(['', 'AVP21.2', 'KSDE5.2', 'protected']);
    expect(vk[1]!.values).toMatchObject({
      ProductName: 'Kaspersky Total Security',
      ProductVersion: '21.2.16.590',
      ProductCode: '{63129F5E-8EC5-41BA-A4CF-47966CE84953}',
    });
    expect(vk[2]!.values.ProductName).toBe('Kaspersky VPN');
    expect(vk[3]!.values).toEqual({});
  });

  it('parses MachineGuid and the PowerShell report; refuses a report that is not JSON', () => {
    expect(parseMachineGuid('    MachineGuid    REG_SZ    080297E9-5921-4E03-AB3E-F5DF7651996E')).toBe(
      '080297e9-5921-4e03-ab3e-f5df7651996e',
    );
    expect(parseMachineGuid('ERROR: Access is denied.')).toBeUndefined();
    // Shape of Get-CimInstance root/SecurityCenter2 AntiVirusProduct on a Windows 10 client with Kaspersky.
    const report = parsePowerShellReport(
      '\uFEFF{"machineGuid":"080297E9-5921-4E03-AB3E-F5DF7651996E","securityCenter":[{"displayName":"Kaspersky Total Security","productState":266240,"pathToSignedProductExe":"C:\\\\Program Files (x86)\\\\Kaspersky Lab\\\\Kaspersky Total Security 21.2\\\\wmiav.exe"},{"displayName":"Windows Defender","productState":393472,"pathToSignedProductExe":"windowsdefender://"}],"vendorKeys64":[]}',
    );
    expect(securityCenterItems(report).map((s) => s.displayName)).toEqual([
      'Kaspersky Total Security',
      'Windows Defender',
    ]);
    expect(() => parsePowerShellReport('Get-CimInstance : Invalid namespace')).toThrow();
    expect(powerShellScript(["Kasper'skyLab"])).toContain("'Kasper''skyLab'");
  });
});

describe('probeWindows', () => {
  const exports = {
    [`${U}/reg:64`]: 'missing',
    [`${U}/reg:32`]: 'uninstall-wow6432.reg',
    'HKCU\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall': 'missing',
    'HKLM\\SYSTEM\\CurrentControlSet\\Services': 'services.reg',
    'HKLM\\SOFTWARE\\KasperskyLab/reg:32': 'vendor-kasperskylab.reg',
  } as const;

  it('spawns at most six processes without PowerShell, and says what it could not see', async () => {
    const runner = new FakeWindows({ ...exports });
    const out = await probeWindows(runner, {
      vendorRegistryKeys: ['KasperskyLab'],
      env: ENV,
      hasPowerShell: false,
    });
    expect(runner.spawnCount).toBeLessThanOrEqual(6);
    expect(runner.calls.every((c) => /[\\/]System32[\\/]reg\.exe$/i.test(c[0]!))).toBe(true);
    expect(out.machineGuid).toBe('080297e9-5921-4e03-ab3e-f5df7651996e');
    expect(out.items.filter((i) => i.kind === 'registry-uninstall')).toHaveLength(4);
    expect(out.items.filter((i) => i.kind === 'driver').map((d) => (d as { name: string }).name)).toEqual([
      'klif',
      'Tcpip',
    ]);
    expect(out.notes.some((n) => /PowerShell was not found/.test(n.message))).toBe(true);
    // A missing key is normal (nothing installed there), not a warning.
    expect(out.notes.filter((n) => n.level === 'warning')).toEqual([]);
  });

  it('uses one PowerShell call for Security Center, MachineGuid and the 64-bit vendor key: still six', async () => {
    const runner = new FakeWindows(
      { ...exports },
      {
        exitCode: 0,
        stdout: JSON.stringify({
          machineGuid: 'ABCDEF01-5921-4E03-AB3E-F5DF7651996E',
          securityCenter: [
            {
              displayName: 'Kaspersky Endpoint Security for Windows',
              productState: 266240,
              pathToSignedProductExe: 'C:\\x\\avp.exe',
            },
          ],
          vendorKeys64: [
            {
              vendor: 'KasperskyLab',
              name: 'KES.12.10.0',
              values: {
                ProductName: 'Kaspersky Endpoint Security for Windows',
                ProductVersion: '12.10.0.466',
              },
            },
          ],
        }),
      },
    );
    const out = await probeWindows(runner, {
      vendorRegistryKeys: ['KasperskyLab'],
      env: ENV,
      hasPowerShell: true,
    });
    expect(runner.spawnCount).toBe(6);
    expect(runner.calls.filter((c) => c[1] === 'query')).toHaveLength(0);
    expect(out.machineGuid).toBe('abcdef01-5921-4e03-ab3e-f5df7651996e');
    expect(out.items.find((i) => i.kind === 'security-center')).toMatchObject({
      displayName: 'Kaspersky Endpoint Security for Windows',
    });
    expect(out.items.find((i) => i.kind === 'vendor-key' && i.view === '64')).toMatchObject({
      keyName: 'KES.12.10.0',
      location: 'HKLM\\SOFTWARE\\KasperskyLab\\KES.12.10.0',
    });
  });

  it('falls back to reg for MachineGuid when PowerShell fails, and reports an unreadable key', async () => {
    const runner = new FakeWindows(
      { ...exports, 'HKLM\\SOFTWARE\\KasperskyLab/reg:32': 'denied' },
      { exitCode: 1, stdout: '' },
    );
    const out = await probeWindows(runner, {
      vendorRegistryKeys: ['KasperskyLab'],
      env: ENV,
      hasPowerShell: true,
    });
    expect(out.machineGuid).toBe('080297e9-5921-4e03-ab3e-f5df7651996e');
    expect(out.notes.map((n) => n.message).join('\n')).toMatch(/PowerShell could not report/);
    expect(out.notes.map((n) => n.message).join('\n')).toMatch(
      /Could not read HKLM\\SOFTWARE\\WOW6432Node\\KasperskyLab \(exit 1: ERROR: Access is denied\.\)/,
    );
  });

  it('says so when reg.exe itself is missing', async () => {
    const runner: CommandRunner = {
      spawnCount: 0,
      run: async (argv) => ({
        argv,
        exitCode: null,
        signal: null,
        stdout: '',
        stderr: '',
        timedOut: false,
        durationMs: 0,
        outputSha256: '',
        spawnError: { code: 'ENOENT', message: 'spawn reg.exe ENOENT' },
      }),
    };
    const out = await probeWindows(runner, {
      vendorRegistryKeys: ['KasperskyLab'],
      env: ENV,
      hasPowerShell: false,
    });
    expect(out.items).toEqual([]);
    expect(out.notes.some((n) => /reg\.exe was not found/.test(n.message))).toBe(true);
  });
});
