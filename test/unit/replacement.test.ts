/**
 * Is the machine protected after the removal? Windows answers are the outputs of
 * Get-MpComputerStatus, root\SecurityCenter2, `sc query WinDefend` and `reg query` as those tools
 * print them, played by a scripted runner; macOS and Linux are checked on temporary roots laid out
 * like the real systems (XProtect bundle, dpkg database, systemd enablement links, ClamAV's
 * signature files).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CommandRunner, RunOptions, RunResult } from '../../core/host/runner';
import {
  checkReplacement,
  judgeMpStatus,
  MpComputerStatus,
  parseScQuery,
  securityCenterEnabled,
} from '../../core/verify/replacement';
import { ReplacementStatus } from '../../core/model/verify';

const NOW = new Date('2025-03-03T10:00:00Z');

/** Get-MpComputerStatus | ConvertTo-Json on a Windows 11 client (Windows PowerShell 5.1), trimmed. */
const mpStatus = (over: Record<string, unknown> = {}) =>
  JSON.parse(
    JSON.stringify({
      AMEngineVersion: '1.1.24090.11',
      AMProductVersion: '4.18.24090.11',
      AMRunningMode: 'Normal',
      AMServiceEnabled: true,
      AMServiceVersion: '4.18.24090.11',
      AntispywareEnabled: true,
      AntispywareSignatureVersion: '1.421.158.0',
      AntivirusEnabled: true,
      AntivirusSignatureAge: 0,
      AntivirusSignatureLastUpdated: '\\/Date(1740990365000)\\/',
      AntivirusSignatureVersion: '1.421.158.0',
      BehaviorMonitorEnabled: true,
      ComputerState: 0,
      IoavProtectionEnabled: true,
      IsTamperProtected: true,
      NISEnabled: true,
      OnAccessProtectionEnabled: true,
      RealTimeProtectionEnabled: true,
      ...over,
    }),
  ) as unknown;

describe('judgeMpStatus', () => {
  it.each([
    ['Normal, everything on', {}, 'active'],
    ['EDR Block Mode with real-time protection on', { AMRunningMode: 'EDR Block Mode' }, 'active'],
    ['Passive Mode (another antivirus is primary)', { AMRunningMode: 'Passive Mode' }, 'inactive'],
    ['SxS Passive Mode', { AMRunningMode: 'SxS Passive Mode' }, 'inactive'],
    [
      'Not running',
      { AMRunningMode: 'Not running', AMServiceEnabled: false, AntivirusEnabled: false },
      'inactive',
    ],
    ['Normal but real-time protection off', { RealTimeProtectionEnabled: false }, 'inactive'],
    ['Normal but antivirus disabled', { AntivirusEnabled: false }, 'inactive'],
    ['no running mode reported', { AMRunningMode: null }, 'inactive'],
  ])('%s → %s', (_why, over, state) => {
    const j = judgeMpStatus(MpComputerStatus.parse(mpStatus(over)));
    expect(j.state).toBe(state);
  });

  it('keeps the facts it judged on as evidence', () => {
    expect(
      judgeMpStatus(MpComputerStatus.parse(mpStatus({ RealTimeProtectionEnabled: false }))).evidence,
    ).toEqual([
      'AMRunningMode: Normal',
      'AntivirusEnabled: true',
      'RealTimeProtectionEnabled: false',
      'AMServiceEnabled: true',
      'Signature version: 1.421.158.0',
    ]);
  });
});

describe('securityCenterEnabled (root\\SecurityCenter2 productState)', () => {
  it.each([
    [397568, true, 'Windows Defender, on and up to date (0x61100)'],
    [397584, true, 'Windows Defender, on, out of date (0x61110)'],
    [393472, false, 'Windows Defender, off (0x60100)'],
    [266240, true, 'Kaspersky Total Security, on (0x41000)'],
    [262144, false, 'Kaspersky, off (0x40000)'],
    [393216, false, 'off, no flags (0x60000)'],
  ])('%i → %s (%s)', (state, on) => {
    expect(securityCenterEnabled(state)).toBe(on);
  });
});

const SC_RUNNING = [
  '',
  'SERVICE_NAME: WinDefend ',
  '        TYPE               : 10  WIN32_OWN_PROCESS  ',
  '        STATE              : 4  RUNNING ',
  '                                (STOPPABLE, NOT_PAUSABLE, ACCEPTS_SHUTDOWN)',
  '        WIN32_EXIT_CODE    : 0  (0x0)',
  '        SERVICE_EXIT_CODE  : 0  (0x0)',
  '        CHECKPOINT         : 0x0',
  '        WAIT_HINT          : 0x0',
  '',
].join('\r\n');
const SC_STOPPED = SC_RUNNING.replace(
  'STATE              : 4  RUNNING \r\n                                (STOPPABLE, NOT_PAUSABLE, ACCEPTS_SHUTDOWN)',
  'STATE              : 1  STOPPED ',
).replace('WIN32_EXIT_CODE    : 0  (0x0)', 'WIN32_EXIT_CODE    : 1077  (0x435)');
const SC_MISSING =
  '[SC] EnumQueryServicesStatus:OpenService FAILED 1060:\r\n\r\nThe specified service does not exist as an installed service.\r\n\r\n';

describe('parseScQuery (sc query WinDefend)', () => {
  it('reads RUNNING, STOPPED and a missing service', () => {
    expect(parseScQuery(SC_RUNNING, 0)).toBe('running');
    expect(parseScQuery(SC_STOPPED, 0)).toBe('stopped');
    expect(SC_STOPPED).toMatch(/STATE\s+: 1 {2}STOPPED/);
    expect(parseScQuery(SC_MISSING, 1060)).toBe('absent');
    // The exit code alone, or the message alone, is enough to know it is missing.
    expect(parseScQuery('', 1060)).toBe('absent');
    expect(parseScQuery(SC_MISSING, 1)).toBe('absent');
    expect(parseScQuery('', null)).toBe('unknown');
  });
});

/** Plays powershell.exe, sc.exe and reg.exe as a Windows machine prints them. */
class ScriptedDefender implements CommandRunner {
  spawnCount = 0;
  calls: string[][] = [];
  constructor(
    private readonly answers: {
      powershell?: { stdout: string; exitCode?: number };
      sc?: { stdout: string; exitCode: number };
      policy?: 'DisableAntiSpyware=1' | 'DisableAntiSpyware=0' | 'absent';
    },
  ) {}
  async run(argv: readonly string[], _o?: RunOptions): Promise<RunResult> {
    this.spawnCount++;
    this.calls.push([...argv]);
    const exe = (argv[0] ?? '').split('\\').pop()?.toLowerCase();
    let exitCode: number | null = 0;
    let stdout = '';
    let stderr = '';
    if (exe === 'powershell.exe' && this.answers.powershell) {
      stdout = this.answers.powershell.stdout;
      exitCode = this.answers.powershell.exitCode ?? 0;
    } else if (exe === 'sc.exe' && this.answers.sc) {
      ({ stdout, exitCode } = this.answers.sc);
    } else if (exe === 'reg.exe') {
      const policy = this.answers.policy ?? 'absent';
      if (policy === 'absent') {
        exitCode = 1;
        stderr = 'ERROR: The system was unable to find the specified registry key or value.\r\n';
      } else {
        stdout = `\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows Defender\r\n    DisableAntiSpyware    REG_DWORD    ${policy.endsWith('1') ? '0x1' : '0x0'}\r\n\r\n`;
      }
    } else {
      return {
        argv,
        exitCode: null,
        signal: null,
        stdout: '',
        stderr: '',
        timedOut: false,
        durationMs: 0,
        outputSha256: '',
        spawnError: { code: 'ENOENT', message: `spawn ${argv[0] ?? ''} ENOENT` },
      };
    }
    return {
      argv,
      exitCode,
      signal: null,
      stdout,
      stderr,
      timedOut: false,
      durationMs: 800,
      outputSha256: createHash('sha256').update(stdout).update('\0').update(stderr).digest('hex'),
    };
  }
}

const WIN = {
  os: 'windows' as const,
  hostRoot: '/',
  live: true,
  env: { SystemRoot: 'C:\\Windows' },
  now: () => NOW,
};
const psReport = (o: unknown) => `\uFEFF${JSON.stringify(o)}\r\n`;

describe('checkReplacement on Windows, with PowerShell', () => {
  it('Defender on: active; asks PowerShell once, by absolute path, with an encoded script', async () => {
    const runner = new ScriptedDefender({
      powershell: {
        stdout: psReport({ mp: mpStatus(), av: [{ displayName: 'Windows Defender', productState: 397568 }] }),
      },
    });
    const r = await checkReplacement({
      ...WIN,
      runner,
      hasPowerShell: true,
      windowsEdition: 'Windows 10 Pro',
    });
    expect(ReplacementStatus.parse(r)).toEqual(r);
    expect(r).toMatchObject({
      os: 'windows',
      product: 'Microsoft Defender Antivirus',
      state: 'active',
      detail: 'Microsoft Defender Antivirus is on, with real-time protection.',
      checkedAt: NOW.toISOString(),
    });
    expect(runner.calls).toHaveLength(1);
    const ps = runner.calls[0]!;
    expect(ps.slice(0, -1)).toEqual([
      'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
      '-NoProfile',
      '-NonInteractive',
      '-ExecutionPolicy',
      'Bypass',
      '-EncodedCommand',
    ]);
    const script = Buffer.from(ps.at(-1)!, 'base64').toString('utf16le');
    expect(script).toContain('Get-MpComputerStatus');
    expect(script).toContain("-Namespace 'root/SecurityCenter2' -ClassName AntiVirusProduct");
  });

  it('Defender passive because another antivirus is on: active, naming that product', async () => {
    const runner = new ScriptedDefender({
      powershell: {
        stdout: psReport({
          mp: mpStatus({ AMRunningMode: 'Passive Mode', RealTimeProtectionEnabled: false }),
          av: [
            { displayName: 'Windows Defender', productState: 393472 },
            { displayName: 'ESET Security', productState: 266240 },
          ],
        }),
      },
    });
    const r = await checkReplacement({
      ...WIN,
      runner,
      hasPowerShell: true,
      windowsEdition: 'Windows 10 Pro',
    });
    expect(r).toMatchObject({ state: 'active', product: 'ESET Security' });
    expect(r.detail).toMatch(
      /Another antivirus is registered and on \(ESET Security\); Defender is Passive Mode\./,
    );
    expect(r.evidence).toContain('Security Center: ESET Security (state 0x41000)');
  });

  it('the Kaspersky product just removed (still registered until the restart) is no replacement', async () => {
    const runner = new ScriptedDefender({
      powershell: {
        stdout: psReport({
          mp: mpStatus({ AMRunningMode: 'Passive Mode', RealTimeProtectionEnabled: false }),
          av: [
            { displayName: 'Kaspersky Total Security', productState: 266240 },
            { displayName: 'Windows Defender', productState: 393472 },
          ],
        }),
      },
    });
    const r = await checkReplacement({
      ...WIN,
      runner,
      hasPowerShell: true,
      windowsEdition: 'Windows 10 Pro',
    });
    expect(r.product).not.toMatch(/Kaspersky/);
    expect(r.state).not.toBe('active');
    expect(r.detail).toMatch(/^UNPROTECTED/);
  });

  it('Defender off on a client: inactive, UNPROTECTED, with the client advice', async () => {
    const runner = new ScriptedDefender({
      powershell: {
        stdout: psReport({
          mp: mpStatus({
            AMRunningMode: 'Not running',
            AntivirusEnabled: false,
            RealTimeProtectionEnabled: false,
          }),
          av: [{ displayName: 'Windows Defender', productState: 393472 }],
        }),
      },
    });
    const r = await checkReplacement({
      ...WIN,
      runner,
      hasPowerShell: true,
      windowsEdition: 'Windows 11 Enterprise',
    });
    expect(r.state).toBe('inactive');
    expect(r.detail).toMatch(
      /^UNPROTECTED: Microsoft Defender Antivirus is not actively protecting this machine\./,
    );
    expect(r.detail).toMatch(/Defender normally turns itself back on/);
  });

  it('Windows Server (no Security Center, Defender off): the advice says how to turn it on', async () => {
    const runner = new ScriptedDefender({
      powershell: {
        stdout: psReport({
          mp: mpStatus({ AMRunningMode: 'Normal', RealTimeProtectionEnabled: false }),
          avError: 'Invalid namespace ',
        }),
      },
    });
    const r = await checkReplacement({
      ...WIN,
      runner,
      hasPowerShell: true,
      windowsEdition: 'Windows Server 2019 Datacenter',
    });
    expect(r.state).toBe('inactive');
    expect(r.detail).toMatch(/On Windows Server, Defender does not switch itself back on/);
    expect(r.detail).toContain('Set-MpPreference -DisableRealtimeMonitoring $false');
  });

  it('Get-MpComputerStatus fails (Defender feature removed): not-installed', async () => {
    const runner = new ScriptedDefender({
      powershell: {
        stdout: psReport({
          mpError:
            "The term 'Get-MpComputerStatus' is not recognized as the name of a cmdlet, function, script file, or operable program.",
          avError: 'Invalid namespace ',
        }),
      },
    });
    const r = await checkReplacement({
      ...WIN,
      runner,
      hasPowerShell: true,
      windowsEdition: 'Windows Server 2022 Standard',
    });
    expect(r.state).toBe('not-installed');
    expect(r.detail).toMatch(/status could not be read \(The term 'Get-MpComputerStatus' is not recognized/);
    expect(r.detail).toMatch(/install the Windows Defender feature/);
  });

  it('PowerShell printing something that is not the report: falls back to sc and reg', async () => {
    const runner = new ScriptedDefender({
      powershell: { stdout: 'Get-MpComputerStatus : 0x800106ba\r\nAt line:1 char:1\r\n', exitCode: 1 },
      sc: { stdout: SC_RUNNING, exitCode: 0 },
    });
    const r = await checkReplacement({
      ...WIN,
      runner,
      hasPowerShell: true,
      windowsEdition: 'Windows 10 Pro',
    });
    expect(runner.calls.map((c) => c[0]!.split('\\').pop())).toEqual(['powershell.exe', 'sc.exe', 'reg.exe']);
    expect(r.state).toBe('active');
  });
});

describe('checkReplacement on Windows, without PowerShell', () => {
  const check = (runner: ScriptedDefender, edition = 'Windows 10 Pro') =>
    checkReplacement({ ...WIN, runner, hasPowerShell: false, windowsEdition: edition });

  it('WinDefend running, no policy: active; asks sc and reg by absolute path', async () => {
    const runner = new ScriptedDefender({ sc: { stdout: SC_RUNNING, exitCode: 0 } });
    const r = await check(runner);
    expect(r.state).toBe('active');
    expect(r.evidence).toEqual(['WinDefend service: running', 'Policy DisableAntiSpyware: not set']);
    expect(runner.calls).toEqual([
      ['C:\\Windows\\System32\\sc.exe', 'query', 'WinDefend'],
      [
        'C:\\Windows\\System32\\reg.exe',
        'query',
        'HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows Defender',
        '/v',
        'DisableAntiSpyware',
      ],
    ]);
  });

  it('running but DisableAntiSpyware=1: inactive', async () => {
    const r = await check(
      new ScriptedDefender({ sc: { stdout: SC_RUNNING, exitCode: 0 }, policy: 'DisableAntiSpyware=1' }),
    );
    expect(r.state).toBe('inactive');
    expect(r.detail).toMatch(/is running and disabled by policy/);
    expect(r.evidence).toContain('Policy DisableAntiSpyware: 1 (Defender disabled by policy)');
  });

  it('DisableAntiSpyware=0 is no policy against it', async () => {
    const r = await check(
      new ScriptedDefender({ sc: { stdout: SC_RUNNING, exitCode: 0 }, policy: 'DisableAntiSpyware=0' }),
    );
    expect(r.state).toBe('active');
  });

  it('stopped: inactive; missing (1060): not-installed, with Server advice on a server', async () => {
    expect((await check(new ScriptedDefender({ sc: { stdout: SC_STOPPED, exitCode: 0 } }))).state).toBe(
      'inactive',
    );
    const missing = await check(
      new ScriptedDefender({ sc: { stdout: SC_MISSING, exitCode: 1060 } }),
      'Windows Server 2016 Standard',
    );
    expect(missing.state).toBe('not-installed');
    expect(missing.detail).toMatch(
      /^UNPROTECTED: the Microsoft Defender Antivirus service \(WinDefend\) was not found/,
    );
    expect(missing.detail).toMatch(/On Windows Server/);
  });
});

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));
function tempRoot(prefix: string): string {
  const r = mkdtempSync(path.join(tmpdir(), `divest-repl-${prefix}-`));
  roots.push(r);
  return r;
}
function put(root: string, p: string, content: string): string {
  const full = path.join(root, p);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, content);
  return full;
}

const noProcesses: CommandRunner = {
  spawnCount: 0,
  run: () => Promise.reject(new Error('no process may be started for an image')),
};

const XPROTECT_PLIST = (version: string) => `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>CFBundleDevelopmentRegion</key>
	<string>en</string>
	<key>CFBundleIdentifier</key>
	<string>com.apple.XProtect</string>
	<key>CFBundleInfoDictionaryVersion</key>
	<string>6.0</string>
	<key>CFBundleName</key>
	<string>XProtect</string>
	<key>CFBundlePackageType</key>
	<string>BNDL</string>
	<key>CFBundleShortVersionString</key>
	<string>${version}</string>
	<key>CFBundleVersion</key>
	<string>${version}</string>
</dict>
</plist>
`;

describe('checkReplacement on macOS (XProtect)', () => {
  const mac = (root: string) =>
    checkReplacement({ os: 'macos', hostRoot: root, live: false, runner: noProcesses, now: () => NOW });

  it('macOS 11 and later: the bundle under /Library/Apple, with its scan daemon', async () => {
    const root = tempRoot('mac');
    put(
      root,
      '/Library/Apple/System/Library/CoreServices/XProtect.bundle/Contents/Info.plist',
      XPROTECT_PLIST('5272'),
    );
    put(root, '/Library/Apple/System/Library/LaunchDaemons/com.apple.XProtect.daemon.scan.plist', '<plist/>');
    const r = await mac(root);
    expect(r).toMatchObject({ os: 'macos', state: 'active', product: 'XProtect (built into macOS)' });
    expect(r.detail).toBe('XProtect 5272 is present; macOS runs and updates it itself.');
    expect(r.evidence).toEqual([
      '/Library/Apple/System/Library/CoreServices/XProtect.bundle/Contents/Info.plist version 5272',
      'com.apple.XProtect.daemon.scan launch daemon present',
    ]);
  });

  it('older macOS: the bundle under /System; no scan daemon is said', async () => {
    const root = tempRoot('mac-old');
    put(root, '/System/Library/CoreServices/XProtect.bundle/Contents/Info.plist', XPROTECT_PLIST('2103'));
    const r = await mac(root);
    expect(r.state).toBe('active');
    expect(r.detail).toMatch(/^XProtect 2103 is present.*scan daemon definition was not found/);
  });

  it('no bundle: not-installed; a bundle that is a link out of the image does not count', async () => {
    expect((await mac(tempRoot('mac-none'))).state).toBe('not-installed');
    const root = tempRoot('mac-link');
    const outside = put(tempRoot('outside'), '/Info.plist', XPROTECT_PLIST('9999'));
    mkdirSync(path.join(root, 'System/Library/CoreServices/XProtect.bundle/Contents'), { recursive: true });
    symlinkSync(outside, path.join(root, 'System/Library/CoreServices/XProtect.bundle/Contents/Info.plist'));
    const r = await mac(root);
    expect(r.state).toBe('not-installed');
    expect(r.detail).toMatch(/^UNPROTECTED: the XProtect bundle was not found/);
  });
});

describe('checkReplacement on Linux (ClamAV in a Debian 12 image)', () => {
  const CLAM_MAINT = 'ClamAV Team <pkg-clamav-devel@lists.alioth.debian.org>';
  const pkg = (name: string, status = 'install ok installed') =>
    [
      `Package: ${name}`,
      `Status: ${status}`,
      'Priority: optional',
      'Section: utils',
      'Installed-Size: 1024',
      `Maintainer: ${CLAM_MAINT}`,
      'Architecture: amd64',
      'Version: 1.0.7+dfsg-1~deb12u1',
      `Description: ${name}`,
      ' ClamAV package.',
    ].join('\n');

  /** A merged-/usr Debian root; ClamAV installed when `clamav` is set. */
  function debian(options: { clamav: boolean; enable?: string[]; signatures?: { ageDays: number } }): string {
    const root = tempRoot('linux');
    mkdirSync(path.join(root, 'usr/lib/systemd/system'), { recursive: true });
    symlinkSync('usr/lib', path.join(root, 'lib'));
    const status = [pkg('bash')];
    if (options.clamav)
      status.push(pkg('clamav'), pkg('clamav-base'), pkg('clamav-freshclam'), pkg('clamav-daemon'));
    put(root, '/var/lib/dpkg/status', `${status.join('\n\n')}\n`);
    if (options.clamav)
      for (const u of ['clamav-daemon.service', 'clamav-freshclam.service', 'clamav-clamonacc.service'])
        put(root, `/usr/lib/systemd/system/${u}`, '[Unit]\nDescription=ClamAV\n');
    for (const u of options.enable ?? []) {
      mkdirSync(path.join(root, 'etc/systemd/system/multi-user.target.wants'), { recursive: true });
      // What systemctl enable and deb-systemd-helper create: an absolute link, as seen from inside.
      symlinkSync(
        `/lib/systemd/system/${u}`,
        path.join(root, 'etc/systemd/system/multi-user.target.wants', u),
      );
    }
    if (options.signatures) {
      const when = new Date(NOW.getTime() - options.signatures.ageDays * 86_400_000);
      for (const f of ['main.cvd', 'daily.cld', 'bytecode.cvd']) {
        const full = put(
          root,
          `/var/lib/clamav/${f}`,
          'ClamAV-VDB:14 Feb 2025 08-20 +0000:62:6647427:90:X:X:svc.clamav-db:1739521215',
        );
        utimesSync(full, when, when);
      }
    }
    return root;
  }
  const linux = (root: string) =>
    checkReplacement({ os: 'linux', hostRoot: root, live: false, runner: noProcesses, now: () => NOW });

  it('not installed: not-installed, with the install commands', async () => {
    const r = await linux(debian({ clamav: false }));
    expect(r).toMatchObject({ os: 'linux', product: 'ClamAV', state: 'not-installed', evidence: [] });
    expect(r.detail).toMatch(/apt-get install clamav clamav-daemon clamav-freshclam/);
  });

  it('installed without signatures: inactive', async () => {
    const r = await linux(debian({ clamav: true }));
    expect(r.state).toBe('inactive');
    expect(r.detail).toMatch(/signatures are missing \(run freshclam\)/);
    expect(r.evidence).toEqual(
      expect.arrayContaining([
        'package clamav 1.0.7+dfsg-1~deb12u1 (dpkg)',
        'package clamav-daemon 1.0.7+dfsg-1~deb12u1 (dpkg)',
      ]),
    );
  });

  it('a package removed but not purged (rc) does not count as installed', async () => {
    const root = tempRoot('linux-rc');
    put(root, '/var/lib/dpkg/status', `${pkg('clamav', 'deinstall ok config-files')}\n`);
    expect((await linux(root)).state).toBe('not-installed');
  });

  it('installed, fresh signatures, services enabled (real systemd links): active', async () => {
    const r = await linux(
      debian({
        clamav: true,
        enable: ['clamav-daemon.service', 'clamav-freshclam.service'],
        signatures: { ageDays: 1 },
      }),
    );
    expect(r.evidence).toEqual(
      expect.arrayContaining(['clamav-daemon.service enabled', 'clamav-freshclam.service enabled']),
    );
    expect(r.evidence).toContain('/var/lib/clamav/daily.cld (1 days old)');
    expect(r.state).toBe('active');
    expect(r.detail).toBe(
      'ClamAV is installed, its services are enabled and its signatures are present and recent.',
    );
  });

  it('links written relative to the image (as some image builders do) count too', async () => {
    const root = debian({ clamav: true, signatures: { ageDays: 2 } });
    const wants = path.join(root, 'etc/systemd/system/multi-user.target.wants');
    mkdirSync(wants, { recursive: true });
    symlinkSync(
      '../../../../lib/systemd/system/clamav-freshclam.service',
      path.join(wants, 'clamav-freshclam.service'),
    );
    const r = await linux(root);
    expect(r.evidence).toContain('clamav-freshclam.service enabled');
    expect(r.state).toBe('active');
  });

  it('daily signatures older than 7 days: inactive', async () => {
    const r = await linux(
      debian({ clamav: true, enable: ['clamav-freshclam.service'], signatures: { ageDays: 10 } }),
    );
    expect(r.state).toBe('inactive');
    expect(r.detail).toMatch(/daily signatures are 10 days old/);
  });

  it('fresh signatures but nothing enabled: inactive', async () => {
    const r = await linux(debian({ clamav: true, signatures: { ageDays: 0 } }));
    expect(r.state).toBe('inactive');
    expect(r.detail).toMatch(/neither clamav-daemon nor clamav-freshclam is enabled/);
  });
});
