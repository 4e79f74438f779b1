/**
 * The Windows probe: Uninstall entries (64-bit and 32-bit views of HKLM, and HKCU), the vendor's
 * own registry key, services and kernel drivers, and Windows Security Center.
 *
 * Process budget (each spawn costs 50-100 ms on a real machine with antivirus hooks): at most six.
 *   1-3. `reg export` of the three Uninstall keys;
 *   4.   `reg export` of HKLM\SYSTEM\CurrentControlSet\Services (services and drivers at once);
 *   5.   `reg export` of each vendor key (`KasperskyLab`) in the 32-bit view, where the products live;
 *   6.   one PowerShell call where PowerShell exists (Security Center, MachineGuid and the vendor key's
 *        64-bit view), otherwise one `reg query` for MachineGuid.
 * `reg export` writes UTF-16 files, so localized names survive (`reg query` prints in the OEM code
 * page). reg.exe and powershell.exe are run by absolute path under %SystemRoot%, never from PATH.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as z from 'zod';
import type { CommandRunner, RunResult } from './runner';
import { isMissingTool } from './runner';
import type {
  InventoryItem,
  ProbeNote,
  ProbeOutput,
  SecurityCenterEntry,
  ServiceEntry,
  UninstallEntry,
  VendorKey,
} from './inventory';
import { readRegularFile } from '../fs/read-file';
import { boundOutput, READ_CAPS } from './limits';
import { decodeRegFileBytes, parseRegFile, regNumber, regString, type RegKey } from './parsers/reg-file';

export const UNINSTALL_SUBKEY = 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall';
export const SERVICES_KEY = 'HKLM\\SYSTEM\\CurrentControlSet\\Services';

interface ExportTarget {
  id: string;
  /** Key as given to reg.exe. */
  key: string;
  view?: '32' | '64';
  /** How the key is named to users (the path an administrator would open in regedit). */
  shownAs: string;
}

/** Where reg.exe and powershell.exe live; `%SystemRoot%` from the environment. */
export function windowsTools(env: NodeJS.ProcessEnv = process.env): {
  reg: string;
  powershell: string;
  systemRoot: string;
} {
  const systemRoot = env.SystemRoot ?? env.SYSTEMROOT ?? env.windir ?? env.WINDIR ?? 'C:\\Windows';
  return {
    systemRoot,
    reg: path.win32.join(systemRoot, 'System32', 'reg.exe'),
    powershell: path.win32.join(systemRoot, 'System32', 'WindowsPowerShell', 'v1.0', 'powershell.exe'),
  };
}

/**
 * Whether Windows PowerShell is really there: powershell.exe and the Modules folder beside it
 * (every Windows PowerShell ships its modules there). Wine ships a powershell.exe stub that prints
 * nothing and exits 0, with no Modules folder: running it would cost a spawn for nothing and, in
 * the probe, a seventh spawn to fall back to reg.exe.
 */
export function hasWindowsPowerShell(tools: { powershell: string } = windowsTools()): boolean {
  return (
    existsSync(tools.powershell) &&
    existsSync(path.win32.join(path.win32.dirname(tools.powershell), 'Modules'))
  );
}

/** Children of `base` in an exported file, with their path relative to `base`. */
function childrenOf(keys: RegKey[], base: string): { name: string; key: RegKey; rest: string }[] {
  const prefix = base.toLowerCase() + '\\';
  const out: { name: string; key: RegKey; rest: string }[] = [];
  for (const k of keys) {
    if (!k.path.toLowerCase().startsWith(prefix)) continue;
    const rest = k.path.slice(prefix.length);
    const name = rest.split('\\')[0] ?? '';
    if (name) out.push({ name, key: k, rest });
  }
  return out;
}

/** The export's root key path as written in the file (the first key). */
function rootPath(keys: RegKey[]): string | undefined {
  return keys[0]?.path;
}

/** Uninstall entries from an exported Uninstall key. */
export function uninstallEntriesFromExport(
  keys: RegKey[],
  hive: 'HKLM' | 'HKCU',
  view: '64' | '32',
  shownAs: string,
): UninstallEntry[] {
  const root = rootPath(keys);
  if (!root) return [];
  const entries: UninstallEntry[] = [];
  for (const { name, key, rest } of childrenOf(keys, root)) {
    if (rest !== name) continue; // only direct subkeys are entries
    entries.push({
      kind: 'registry-uninstall',
      location: `${shownAs}\\${name}`,
      hive,
      view,
      keyName: name,
      displayName: regString(key, 'DisplayName'),
      displayVersion: regString(key, 'DisplayVersion'),
      publisher: regString(key, 'Publisher'),
      installLocation: regString(key, 'InstallLocation'),
      uninstallString: regString(key, 'UninstallString'),
      quietUninstallString: regString(key, 'QuietUninstallString'),
      windowsInstaller: regNumber(key, 'WindowsInstaller') === 1,
      systemComponent: regNumber(key, 'SystemComponent') === 1,
    });
  }
  return entries;
}

/** Services and drivers from an exported Services key. Type 1, 2 and 8 are drivers. */
export function servicesFromExport(keys: RegKey[]): ServiceEntry[] {
  const root = rootPath(keys);
  if (!root) return [];
  const out: ServiceEntry[] = [];
  for (const { name, key, rest } of childrenOf(keys, root)) {
    if (rest !== name) continue;
    const type = regNumber(key, 'Type');
    out.push({
      kind: type !== undefined && (type & 0xf) !== 0 && type < 16 ? 'driver' : 'service',
      location: `${SERVICES_KEY}\\${name}`,
      name,
      displayName: regString(key, 'DisplayName'),
      imagePath: regString(key, 'ImagePath'),
      type,
      start: regNumber(key, 'Start'),
    });
  }
  return out;
}

/** The vendor key and its direct subkeys, each with its values and its `environment` values. */
export function vendorKeysFromExport(keys: RegKey[], view: '64' | '32', shownAs: string): VendorKey[] {
  const root = rootPath(keys);
  if (!root) return [];
  const out: VendorKey[] = [{ kind: 'vendor-key', location: shownAs, view, keyName: '', values: {} }];
  const byName = new Map<string, VendorKey>();
  for (const { name, key, rest } of childrenOf(keys, root)) {
    let vk = byName.get(name.toLowerCase());
    if (!vk) {
      vk = { kind: 'vendor-key', location: `${shownAs}\\${name}`, view, keyName: name, values: {} };
      byName.set(name.toLowerCase(), vk);
      out.push(vk);
    }
    const sub = rest.slice(name.length + 1).toLowerCase();
    if (sub === '' || sub === 'environment') {
      for (const [k, v] of key.values) if (k && v.data !== '') vk.values[k] = v.data;
    }
  }
  return out;
}

const PowerShellReport = z.object({
  machineGuid: z.string().nullish(),
  securityCenter: z
    .array(
      z.object({
        displayName: z.string().nullish(),
        productState: z.number().nullish(),
        pathToSignedProductExe: z.string().nullish(),
      }),
    )
    .nullish(),
  securityCenterError: z.string().nullish(),
  vendorKeys64: z
    .array(
      z.object({ vendor: z.string(), name: z.string(), values: z.record(z.string(), z.unknown()).nullish() }),
    )
    .nullish(),
});

/** The PowerShell script of spawn 6. Its output is one UTF-8 JSON object. */
export function powerShellScript(vendorKeys: readonly string[]): string {
  const vendorList = vendorKeys.map((k) => `'${k.replace(/'/g, "''")}'`).join(',');
  return [
    "$ErrorActionPreference = 'Stop'",
    '[Console]::OutputEncoding = [Text.Encoding]::UTF8',
    '$o = [ordered]@{}',
    "try { $o.machineGuid = (Get-ItemProperty -LiteralPath 'HKLM:\\SOFTWARE\\Microsoft\\Cryptography').MachineGuid } catch { $o.machineGuid = $null }",
    'try {',
    "  $o.securityCenter = @(Get-CimInstance -Namespace 'root/SecurityCenter2' -ClassName AntiVirusProduct | ForEach-Object { [ordered]@{ displayName = [string]$_.displayName; productState = [int]$_.productState; pathToSignedProductExe = [string]$_.pathToSignedProductExe } })",
    '} catch { $o.securityCenter = $null; $o.securityCenterError = $_.Exception.Message }',
    '$vk = @()',
    `foreach ($v in @(${vendorList})) {`,
    "  $base = 'HKLM:\\SOFTWARE\\' + $v",
    '  if (Test-Path -LiteralPath $base) {',
    '    foreach ($c in @(Get-ChildItem -LiteralPath $base -ErrorAction SilentlyContinue)) {',
    '      $vals = [ordered]@{}',
    "      $envKey = Join-Path $c.PSPath 'environment'",
    "      foreach ($p in @($c.PSPath, $envKey)) { if (Test-Path -LiteralPath $p) { $ip = Get-ItemProperty -LiteralPath $p -ErrorAction SilentlyContinue; if ($ip) { foreach ($prop in $ip.PSObject.Properties) { if ($prop.Name -notlike 'PS*') { $vals[$prop.Name] = [string]$prop.Value } } } } }",
    '      $vk += [ordered]@{ vendor = $v; name = $c.PSChildName; values = $vals }',
    '    }',
    '  }',
    '}',
    '$o.vendorKeys64 = $vk',
    '$o | ConvertTo-Json -Depth 5 -Compress',
  ].join('\n');
}

/**
 * The argv that runs a PowerShell script: no profile, no prompts, the script as -EncodedCommand
 * (UTF-16LE base64), so no quoting of the script text is ever involved.
 */
export function powerShellArgv(powershell: string, script: string): string[] {
  return [
    powershell,
    '-NoProfile',
    '-NonInteractive',
    '-ExecutionPolicy',
    'Bypass',
    '-EncodedCommand',
    Buffer.from(script, 'utf16le').toString('base64'),
  ];
}

/** Parses spawn 6's output; throws with a reason when it is not the expected JSON. */
export function parsePowerShellReport(stdout: string): z.infer<typeof PowerShellReport> {
  const text = stdout.trim().replace(/^\uFEFF/, '');
  return PowerShellReport.parse(JSON.parse(text));
}

/** Security Center entries from the PowerShell report. */
export function securityCenterItems(report: z.infer<typeof PowerShellReport>): SecurityCenterEntry[] {
  return (report.securityCenter ?? [])
    .filter((p) => p.displayName)
    .map((p) => ({
      kind: 'security-center',
      location: 'root\\SecurityCenter2:AntiVirusProduct',
      displayName: p.displayName ?? '',
      productState: p.productState ?? undefined,
      pathToSignedProductExe: p.pathToSignedProductExe ?? undefined,
    }));
}

/** Parses `reg query ... /v MachineGuid` output. */
export function parseMachineGuid(stdout: string): string | undefined {
  const m = /MachineGuid\s+REG_SZ\s+([0-9a-fA-F-]{36})/.exec(stdout);
  return m?.[1]?.toLowerCase();
}

function failureNote(probe: string, what: string, r: RunResult): ProbeNote {
  const why = r.timedOut
    ? 'timed out'
    : r.spawnError
      ? r.spawnError.message
      : `exit ${r.exitCode}: ${(r.stderr || r.stdout).trim().split('\n')[0] ?? ''}`;
  return { probe, level: 'warning', message: `Could not read ${what} (${why}).` };
}

/** True when reg.exe said the key does not exist (normal: nothing installed there). */
function keyMissing(r: RunResult): boolean {
  return r.exitCode === 1 && /unable to find|cannot find|was unable to find/i.test(`${r.stderr}${r.stdout}`);
}

export interface WindowsProbeResult extends ProbeOutput {
  machineGuid?: string;
}

/** Inventories the running Windows machine. */
export async function probeWindows(
  runner: CommandRunner,
  options: {
    vendorRegistryKeys: readonly string[];
    env?: NodeJS.ProcessEnv;
    /** Whether powershell.exe exists; detected under %SystemRoot% unless given (tests). */
    hasPowerShell?: boolean;
  },
): Promise<WindowsProbeResult> {
  const tools = windowsTools(options.env);
  const notes: ProbeNote[] = [];
  const items: InventoryItem[] = [];
  const dir = await mkdtemp(path.join(os.tmpdir(), 'divest-reg-'));

  const targets: ExportTarget[] = [
    { id: 'u64', key: `HKLM\\${UNINSTALL_SUBKEY}`, view: '64', shownAs: `HKLM\\${UNINSTALL_SUBKEY}` },
    {
      id: 'u32',
      key: `HKLM\\${UNINSTALL_SUBKEY}`,
      view: '32',
      shownAs: `HKLM\\SOFTWARE\\WOW6432Node\\${UNINSTALL_SUBKEY.replace(/^SOFTWARE\\/, '')}`,
    },
    { id: 'hkcu', key: `HKCU\\${UNINSTALL_SUBKEY}`, shownAs: `HKCU\\${UNINSTALL_SUBKEY}` },
    { id: 'services', key: SERVICES_KEY, shownAs: SERVICES_KEY },
    ...options.vendorRegistryKeys.map((v, i) => ({
      id: `vendor${i}`,
      key: `HKLM\\SOFTWARE\\${v}`,
      view: '32' as const,
      shownAs: `HKLM\\SOFTWARE\\WOW6432Node\\${v}`,
    })),
  ];

  const hasPowerShell = options.hasPowerShell ?? hasWindowsPowerShell(tools);
  try {
    const exportRuns = targets.map(async (t) => {
      const file = path.join(dir, `${t.id}.reg`);
      const argv = [tools.reg, 'export', t.key, file, '/y', ...(t.view ? [`/reg:${t.view}`] : [])];
      const r = await runner.run(argv, { timeoutMs: 60_000 });
      if (isMissingTool(r)) {
        notes.push({
          probe: 'windows.registry',
          level: 'warning',
          message: `reg.exe was not found at ${tools.reg}: the registry was not inspected.`,
        });
        return { t, keys: [] as RegKey[] };
      }
      if (r.exitCode !== 0) {
        if (!keyMissing(r)) notes.push(failureNote('windows.registry', t.shownAs, r));
        return { t, keys: [] as RegKey[] };
      }
      try {
        const bytes = await readRegularFile(file, { maxBytes: READ_CAPS.regExport, what: 'registry export' });
        const parsed = parseRegFile(decodeRegFileBytes(bytes));
        for (const p of parsed.problems.slice(0, 3))
          notes.push({ probe: 'windows.registry', level: 'warning', message: `${t.shownAs}: ${p}` });
        return { t, keys: parsed.keys };
      } catch (e) {
        notes.push({
          probe: 'windows.registry',
          level: 'warning',
          message: `${t.shownAs}: ${(e as Error).message}`,
        });
        return { t, keys: [] as RegKey[] };
      }
    });

    const sixth = hasPowerShell
      ? runner.run(powerShellArgv(tools.powershell, powerShellScript(options.vendorRegistryKeys)), {
          timeoutMs: 60_000,
        })
      : runner.run(
          [tools.reg, 'query', 'HKLM\\SOFTWARE\\Microsoft\\Cryptography', '/v', 'MachineGuid', '/reg:64'],
          {
            timeoutMs: 30_000,
          },
        );

    const [exports, sixthResult] = await Promise.all([Promise.all(exportRuns), sixth]);

    for (const { t, keys } of exports) {
      if (t.id === 'u64') items.push(...uninstallEntriesFromExport(keys, 'HKLM', '64', t.shownAs));
      else if (t.id === 'u32') items.push(...uninstallEntriesFromExport(keys, 'HKLM', '32', t.shownAs));
      else if (t.id === 'hkcu') items.push(...uninstallEntriesFromExport(keys, 'HKCU', '64', t.shownAs));
      else if (t.id === 'services') items.push(...servicesFromExport(keys));
      else items.push(...vendorKeysFromExport(keys, '32', t.shownAs));
    }

    let machineGuid: string | undefined;
    if (hasPowerShell) {
      try {
        if (sixthResult.exitCode !== 0)
          throw new Error(`exit ${sixthResult.exitCode}: ${sixthResult.stderr.trim().slice(0, 200)}`);
        const report = parsePowerShellReport(sixthResult.stdout);
        machineGuid = report.machineGuid?.toLowerCase() ?? undefined;
        if (report.securityCenter === null || report.securityCenter === undefined) {
          notes.push({
            probe: 'windows.security-center',
            level: 'info',
            message: `Windows Security Center is not available here (normal on Windows Server)${report.securityCenterError ? `: ${report.securityCenterError}` : ''}.`,
          });
        } else items.push(...securityCenterItems(report));
        for (const vk of report.vendorKeys64 ?? []) {
          const values: Record<string, string> = {};
          for (const [k, v] of Object.entries(vk.values ?? {}))
            if (typeof v === 'string' && v !== '') values[k] = v;
          items.push({
            kind: 'vendor-key',
            location: `HKLM\\SOFTWARE\\${vk.vendor}\\${vk.name}`,
            view: '64',
            keyName: vk.name,
            values,
          });
        }
      } catch (e) {
        notes.push({
          probe: 'windows.powershell',
          level: 'warning',
          message: `PowerShell could not report Security Center and the 64-bit vendor key (${(e as Error).message.split('\n')[0]}); products are still found through the registry and services.`,
        });
        const r = await runner.run(
          [tools.reg, 'query', 'HKLM\\SOFTWARE\\Microsoft\\Cryptography', '/v', 'MachineGuid', '/reg:64'],
          {
            timeoutMs: 30_000,
          },
        );
        machineGuid = parseMachineGuid(r.stdout);
      }
    } else {
      machineGuid = parseMachineGuid(sixthResult.stdout);
      notes.push({
        probe: 'windows.security-center',
        level: 'info',
        message: `Windows PowerShell was not found (${tools.powershell} and its Modules folder): Windows Security Center and the 64-bit view of the vendor key were not inspected; the registry's Uninstall entries, services and drivers were.`,
      });
    }
    return boundOutput({ items, notes, machineGuid });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
