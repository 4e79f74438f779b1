/**
 * Is the machine protected after the removal? Recommends the built-in or standard replacement for
 * the OS and checks that it is actually active; "unprotected" is said plainly, never guessed away.
 *
 * - Windows: Microsoft Defender Antivirus. With PowerShell: Get-MpComputerStatus (AMRunningMode,
 *   AntivirusEnabled, RealTimeProtectionEnabled) and Security Center; without it: the WinDefend
 *   service and the Defender policy key. On Windows Server Defender does not re-enable itself
 *   (research [S15]), so the advice says how to turn it on.
 * - macOS: XProtect, built in; its bundle and version are checked.
 * - Linux: ClamAV: packages installed, daemon or updater enabled, signatures present and fresh.
 */
import * as z from 'zod';
import os from 'node:os';
import type { CommandRunner } from '../host/runner';
import type { Catalog } from '../model/catalog';
import type { HostOs } from '../model/host';
import type { ReplacementStatus } from '../model/verify';
import { ImageFs } from '../fs/image-fs';
import { READ_CAPS } from '../host/limits';
import { dpkgFilesPresent } from '../host/parsers/dpkg-status';
import { readDpkgDatabase } from '../host/dpkg-db';
import { hasWindowsPowerShell, powerShellArgv, SERVICES_KEY, windowsTools } from '../host/windows';

export interface ReplacementContext {
  os: HostOs;
  hostRoot: string;
  live: boolean;
  runner: CommandRunner;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  /** Windows: whether PowerShell is there (detected unless given). */
  hasPowerShell?: boolean;
  /** Windows: the edition string (os.version()), to tell Server from client. */
  windowsEdition?: string;
  /**
   * Names of banned products: one still registered with Security Center until the restart is no
   * replacement. Defaults to anything named Kaspersky.
   */
  bannedNames?: readonly RegExp[];
}

/** Security Center name patterns of the catalog's banned products. */
export function bannedNamePatterns(catalog: Catalog): RegExp[] {
  return catalog.products
    .filter((p) => p.status === 'banned')
    .flatMap((p) => [
      ...(p.signatures.windows?.securityCenter ?? []),
      ...(p.signatures.windows?.displayNames ?? []),
    ])
    .map((x) => new RegExp(x.re, 'iu'));
}

// ---------- Windows ----------

/** Get-MpComputerStatus as ConvertTo-Json prints it (only the fields Divest reads). */
export const MpComputerStatus = z.object({
  AMRunningMode: z.string().nullish(),
  AMServiceEnabled: z.boolean().nullish(),
  AntivirusEnabled: z.boolean().nullish(),
  RealTimeProtectionEnabled: z.boolean().nullish(),
  AntivirusSignatureVersion: z.string().nullish(),
  AntivirusSignatureLastUpdated: z.string().nullish(),
});

/** Judges Defender from Get-MpComputerStatus. */
export function judgeMpStatus(s: z.infer<typeof MpComputerStatus>): {
  state: ReplacementStatus['state'];
  evidence: string[];
} {
  const evidence = [
    `AMRunningMode: ${s.AMRunningMode ?? '(none)'}`,
    `AntivirusEnabled: ${String(s.AntivirusEnabled)}`,
    `RealTimeProtectionEnabled: ${String(s.RealTimeProtectionEnabled)}`,
    `AMServiceEnabled: ${String(s.AMServiceEnabled)}`,
    ...(s.AntivirusSignatureVersion ? [`Signature version: ${s.AntivirusSignatureVersion}`] : []),
  ];
  const mode = (s.AMRunningMode ?? '').toLowerCase();
  const active =
    (mode === 'normal' || mode === 'edr block mode') &&
    s.AntivirusEnabled === true &&
    s.RealTimeProtectionEnabled === true;
  return { state: active ? 'active' : 'inactive', evidence };
}

/** The SecurityCenter2 productState bits: the product is on when (state >> 12) & 0xF is 1 (GLPI, [S9]). */
export function securityCenterEnabled(productState: number): boolean {
  return ((productState >> 12) & 0xf) === 1;
}

const WINDOWS_SCRIPT = [
  "$ErrorActionPreference = 'Stop'",
  '[Console]::OutputEncoding = [Text.Encoding]::UTF8',
  '$o = [ordered]@{}',
  'try { $s = Get-MpComputerStatus; $o.mp = [ordered]@{ AMRunningMode = [string]$s.AMRunningMode; AMServiceEnabled = [bool]$s.AMServiceEnabled; AntivirusEnabled = [bool]$s.AntivirusEnabled; RealTimeProtectionEnabled = [bool]$s.RealTimeProtectionEnabled; AntivirusSignatureVersion = [string]$s.AntivirusSignatureVersion; AntivirusSignatureLastUpdated = [string]$s.AntivirusSignatureLastUpdated } } catch { $o.mpError = $_.Exception.Message }',
  "try { $o.av = @(Get-CimInstance -Namespace 'root/SecurityCenter2' -ClassName AntiVirusProduct | ForEach-Object { [ordered]@{ displayName = [string]$_.displayName; productState = [int]$_.productState } }) } catch { $o.avError = $_.Exception.Message }",
  '$o | ConvertTo-Json -Depth 4 -Compress',
].join('\n');

const WindowsReport = z.object({
  mp: MpComputerStatus.nullish(),
  mpError: z.string().nullish(),
  av: z.array(z.object({ displayName: z.string(), productState: z.number() })).nullish(),
  avError: z.string().nullish(),
});

/** Parses `sc query WinDefend` output: RUNNING, STOPPED, or absent. */
export function parseScQuery(
  stdout: string,
  exitCode: number | null,
): 'running' | 'stopped' | 'absent' | 'unknown' {
  if (/STATE\s*:\s*\d+\s+(RUNNING|START_PENDING)/i.test(stdout)) return 'running';
  if (/STATE\s*:\s*\d+\s+\w+/i.test(stdout)) return 'stopped';
  if (exitCode === 1060 || /1060|does not exist/i.test(stdout)) return 'absent';
  return 'unknown';
}

async function checkWindows(ctx: ReplacementContext, checkedAt: string): Promise<ReplacementStatus> {
  const tools = windowsTools(ctx.env);
  const edition = ctx.windowsEdition ?? safeVersion();
  const server = /server/i.test(edition);
  const serverAdvice = server
    ? ' On Windows Server, Defender does not switch itself back on after a third-party antivirus is removed: install the Windows Defender feature if it was removed, and turn real-time protection on (Set-MpPreference -DisableRealtimeMonitoring $false).'
    : ' On Windows 10 and 11, Defender normally turns itself back on once the other antivirus is gone; a restart may be needed. If it stays off, check for a policy that disables it.';
  const base = { os: 'windows' as const, product: 'Microsoft Defender Antivirus', checkedAt };
  const hasPs = ctx.hasPowerShell ?? hasWindowsPowerShell(tools);
  if (hasPs) {
    const r = await ctx.runner.run(powerShellArgv(tools.powershell, WINDOWS_SCRIPT), { timeoutMs: 60_000 });
    try {
      const rep = WindowsReport.parse(JSON.parse(r.stdout.trim().replace(/^\uFEFF/, '')));
      const banned = ctx.bannedNames ?? [/kaspersky/i];
      const others = (rep.av ?? []).filter(
        (p) =>
          !/defender/i.test(p.displayName) &&
          securityCenterEnabled(p.productState) &&
          !banned.some((r) => r.test(p.displayName)),
      );
      if (rep.mp) {
        const j = judgeMpStatus(rep.mp);
        if (j.state === 'active')
          return {
            ...base,
            state: 'active',
            detail: 'Microsoft Defender Antivirus is on, with real-time protection.',
            evidence: j.evidence,
          };
        if (others.length)
          return {
            ...base,
            product: others.map((o) => o.displayName).join(', '),
            state: 'active',
            detail: `Another antivirus is registered and on (${others.map((o) => o.displayName).join(', ')}); Defender is ${rep.mp.AMRunningMode ?? 'off'}.`,
            evidence: [
              ...j.evidence,
              ...others.map(
                (o) => `Security Center: ${o.displayName} (state 0x${o.productState.toString(16)})`,
              ),
            ],
          };
        return {
          ...base,
          state: 'inactive',
          detail: `UNPROTECTED: Microsoft Defender Antivirus is not actively protecting this machine.${serverAdvice}`,
          evidence: j.evidence,
        };
      }
      return {
        ...base,
        state: 'not-installed',
        detail: `UNPROTECTED: Defender's status could not be read (${rep.mpError ?? 'no answer'}).${serverAdvice}`,
        evidence: others.map((o) => `Security Center: ${o.displayName}`),
      };
    } catch {
      /* fall through to the service check */
    }
  }
  const sc = path32(tools.systemRoot, 'sc.exe');
  const q = await ctx.runner.run([sc, 'query', 'WinDefend'], { timeoutMs: 30_000 });
  let svc = parseScQuery(`${q.stdout}${q.stderr}`, q.exitCode);
  let svcHow = '';
  if (svc === 'unknown') {
    // sc.exe gave no readable answer (Wine's prints nothing for a missing service): the service's
    // registry key says whether it is installed at all.
    const k = await ctx.runner.run([tools.reg, 'query', `${SERVICES_KEY}\\WinDefend`], { timeoutMs: 30_000 });
    if (k.exitCode === 1 && /unable to find|cannot find/i.test(`${k.stderr}${k.stdout}`)) {
      svc = 'absent';
      svcHow = ` (sc.exe gave no answer; ${SERVICES_KEY}\\WinDefend does not exist)`;
    }
  }
  const pol = await ctx.runner.run(
    [tools.reg, 'query', 'HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows Defender', '/v', 'DisableAntiSpyware'],
    { timeoutMs: 30_000 },
  );
  const disabledByPolicy = /DisableAntiSpyware\s+REG_DWORD\s+0x1\b/i.test(pol.stdout);
  const evidence = [
    `WinDefend service: ${svc}${svcHow}`,
    `Policy DisableAntiSpyware: ${disabledByPolicy ? '1 (Defender disabled by policy)' : 'not set'}`,
  ];
  if (svc === 'running' && !disabledByPolicy)
    return {
      ...base,
      state: 'active',
      detail:
        'The Microsoft Defender Antivirus service (WinDefend) is running. PowerShell was not available to check real-time protection itself.',
      evidence,
    };
  if (svc === 'absent')
    return {
      ...base,
      state: 'not-installed',
      detail: `UNPROTECTED: the Microsoft Defender Antivirus service (WinDefend) was not found on this machine.${serverAdvice}`,
      evidence,
    };
  if (svc === 'unknown')
    return {
      ...base,
      state: 'not-installed',
      detail: `UNPROTECTED: Divest could not find out whether the Microsoft Defender Antivirus service (WinDefend) is installed (sc.exe exit ${q.exitCode ?? 'none'}, no readable answer), so no protection can be confirmed.${serverAdvice}`,
      evidence,
    };
  return {
    ...base,
    state: 'inactive',
    detail: `UNPROTECTED: the Microsoft Defender Antivirus service is ${svc}${disabledByPolicy ? ' and disabled by policy' : ''}.${serverAdvice}`,
    evidence,
  };
}

function path32(systemRoot: string, exe: string): string {
  return `${systemRoot.replace(/\\$/, '')}\\System32\\${exe}`;
}

function safeVersion(): string {
  try {
    return os.version();
  } catch {
    return '';
  }
}

// ---------- macOS ----------

const XPROTECT_BUNDLES = [
  '/Library/Apple/System/Library/CoreServices/XProtect.bundle/Contents/Info.plist',
  '/System/Library/CoreServices/XProtect.bundle/Contents/Info.plist',
];

async function checkMac(ctx: ReplacementContext, checkedAt: string): Promise<ReplacementStatus> {
  const base = { os: 'macos' as const, product: 'XProtect (built into macOS)', checkedAt };
  const fs = new ImageFs(ctx.hostRoot);
  for (const p of XPROTECT_BUNDLES) {
    const text = await fs.readTextOrUndefined(p, { maxBytes: READ_CAPS.plist, what: 'XProtect Info.plist' });
    if (text === undefined) continue;
    const version = /<key>CFBundleShortVersionString<\/key>\s*<string>([^<]+)<\/string>/.exec(text)?.[1];
    const daemon = await fs
      .stat('/Library/Apple/System/Library/LaunchDaemons/com.apple.XProtect.daemon.scan.plist')
      .then(
        () => true,
        () => false,
      );
    return {
      ...base,
      state: 'active',
      detail: `XProtect ${version ?? '(version unreadable)'} is present; macOS runs and updates it itself.${daemon ? '' : ' Its scan daemon definition was not found: on macOS 13 and later check "launchctl print system/com.apple.XProtect.daemon.scan".'}`,
      evidence: [
        `${p}${version ? ` version ${version}` : ''}`,
        ...(daemon ? ['com.apple.XProtect.daemon.scan launch daemon present'] : []),
      ],
    };
  }
  return {
    ...base,
    state: 'not-installed',
    detail:
      'UNPROTECTED: the XProtect bundle was not found. Reinstall or update macOS, or install another antivirus.',
    evidence: [],
  };
}

// ---------- Linux ----------

const CLAMAV_PACKAGES = ['clamav', 'clamav-daemon', 'clamav-freshclam', 'clamd', 'clamav-update'];
const CLAMAV_UNITS = [
  'clamav-daemon.service',
  'clamav-freshclam.service',
  'clamd@scan.service',
  'clamav-clamonacc.service',
];
const SIG_DIR = '/var/lib/clamav';
const STALE_DAYS = 7;

async function clamavPackages(ctx: ReplacementContext): Promise<string[]> {
  const found: string[] = [];
  const db = await readDpkgDatabase(ctx.hostRoot);
  if (db) {
    for (const r of db.records)
      if (CLAMAV_PACKAGES.includes(r.package) && dpkgFilesPresent(r.status))
        found.push(`${r.package} ${r.version} (dpkg)`);
  }
  const fs = new ImageFs(ctx.hostRoot);
  for (const db of ['/usr/lib/sysimage/rpm', '/var/lib/rpm']) {
    if (
      !(await fs.stat(db).then(
        () => true,
        () => false,
      ))
    )
      continue;
    const r = await ctx.runner.run(
      [
        'rpm',
        '--root',
        ctx.hostRoot,
        '--dbpath',
        db,
        '-q',
        '--qf',
        '%{NAME} %{VERSION}\\n',
        ...CLAMAV_PACKAGES,
      ],
      { timeoutMs: 60_000 },
    );
    for (const line of r.stdout.split('\n'))
      if (/^\S+ \S+$/.test(line.trim()) && !/not installed/.test(line)) found.push(`${line.trim()} (rpm)`);
    break;
  }
  return found;
}

async function enabledUnits(ctx: ReplacementContext): Promise<string[]> {
  const fs = new ImageFs(ctx.hostRoot);
  const out: string[] = [];
  for (const dir of [
    '/etc/systemd/system/multi-user.target.wants',
    '/etc/systemd/system/timers.target.wants',
  ]) {
    // An enablement link usually points at an absolute path (/lib/systemd/system/x.service) which,
    // in an image, means the image's own file: look at the link itself, never follow it out.
    const resolved = await fs.resolve(dir).catch(() => undefined);
    if (!resolved) continue;
    for (const u of CLAMAV_UNITS) if (await fs.hasEntry(resolved, u).catch(() => false)) out.push(u);
  }
  return out;
}

async function checkLinux(ctx: ReplacementContext, checkedAt: string): Promise<ReplacementStatus> {
  const base = { os: 'linux' as const, product: 'ClamAV', checkedAt };
  const packages = await clamavPackages(ctx);
  if (packages.length === 0)
    return {
      ...base,
      state: 'not-installed',
      detail:
        'UNPROTECTED: no replacement antivirus was found. Install ClamAV ("apt-get install clamav clamav-daemon clamav-freshclam" on Debian and Ubuntu, "dnf install clamav clamd clamav-update" on RHEL and Fedora), run freshclam, and enable the clamav-freshclam and clamav-daemon services.',
      evidence: [],
    };
  const evidence = packages.map((p) => `package ${p}`);
  const units = await enabledUnits(ctx);
  evidence.push(...units.map((u) => `${u} enabled`));
  let running: string[] = [];
  if (ctx.live) {
    const r = await ctx.runner.run(['systemctl', 'is-active', ...CLAMAV_UNITS], { timeoutMs: 15_000 });
    const states = r.stdout.split('\n');
    running = CLAMAV_UNITS.filter((_, i) => states[i]?.trim() === 'active');
    evidence.push(...running.map((u) => `${u} active`));
  }
  const sigs: { name: string; ageDays: number }[] = [];
  const fs = new ImageFs(ctx.hostRoot);
  for (const f of ['main.cvd', 'main.cld', 'daily.cvd', 'daily.cld', 'bytecode.cvd', 'bytecode.cld']) {
    const st = await fs.stat(`${SIG_DIR}/${f}`).catch(() => undefined);
    if (!st) continue;
    const ageDays = ((ctx.now ?? (() => new Date()))().getTime() - st.mtimeMs) / 86_400_000;
    sigs.push({ name: f, ageDays });
    evidence.push(`${SIG_DIR}/${f} (${Math.max(0, Math.floor(ageDays))} days old)`);
  }
  const hasMain = sigs.some((s) => s.name.startsWith('main'));
  const daily = sigs.find((s) => s.name.startsWith('daily'));
  const problems: string[] = [];
  if (!hasMain || !daily) problems.push('its virus signatures are missing (run freshclam)');
  else if (daily.ageDays > STALE_DAYS)
    problems.push(
      `its daily signatures are ${Math.floor(daily.ageDays)} days old (run freshclam; check clamav-freshclam)`,
    );
  if (units.length === 0 && running.length === 0)
    problems.push('neither clamav-daemon nor clamav-freshclam is enabled');
  if (problems.length)
    return {
      ...base,
      state: 'inactive',
      detail: `UNPROTECTED: ClamAV is installed but ${problems.join('; ')}.`,
      evidence,
    };
  return {
    ...base,
    state: 'active',
    detail: 'ClamAV is installed, its services are enabled and its signatures are present and recent.',
    evidence,
  };
}

/** Checks the replacement antivirus of the machine (or image). */
export async function checkReplacement(ctx: ReplacementContext): Promise<ReplacementStatus> {
  const checkedAt = (ctx.now ?? (() => new Date()))().toISOString();
  switch (ctx.os) {
    case 'windows':
      return checkWindows(ctx, checkedAt);
    case 'macos':
      return checkMac(ctx, checkedAt);
    case 'linux':
      return checkLinux(ctx, checkedAt);
  }
}
