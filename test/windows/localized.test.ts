/**
 * A Russian-localized workstation under Wine (issue 10): Kaspersky Endpoint Security and the
 * Network Agent installed from Windows Installer packages built by wixl in the Russian code page,
 * their Publisher the vendor's Russian legal name `АО "Лаборатория Касперского"` and the agent
 * under its Russian name. The built CLI on node.exe must name both products, keep their MSI
 * product codes, plan automated `msiexec /x` steps (the endpoint product first, with KES's
 * KLLOGIN/KLPASSWD credential scheme), and remove them for real.
 *
 * What a Russian MSI leaves in its Uninstall entry cannot come from wixl and Wine here: wixl 0.101
 * crashes (libmsi, in database commit) on some Cyrillic ProductNames, among them "Kaspersky
 * Endpoint Security для Windows", and the Cyrillic strings it does store (code page 1251 or 65001)
 * reach Wine's msiexec as empty DisplayName and Publisher values. So the packages are Russian
 * (language 1049) with ASCII strings, installed by msiexec for real, and the bed then writes the
 * two values Windows Installer writes from a Russian package's ProductName and Manufacturer into
 * the entry, with `reg add`. Removal still goes through msiexec /x and
 * Windows Installer's own records of the packages.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Plan } from '../../core/model/plan';
import { ScanResult } from '../../core/model/scan';
import {
  type BedPrograms,
  type BuiltMsi,
  type MsiSpec,
  type WinePrefix,
  CLI,
  DATA_DIR,
  buildMsi,
  clonePrefix,
  createTemplatePrefix,
  ensureBuiltCli,
  ensureNodeExe,
  windowsSkipReason,
  zPath,
} from '../beds/windows';

const skip = windowsSkipReason();
const KES = 'kaspersky-endpoint-security-windows';
const AGENT = 'kaspersky-network-agent';
const PUBLISHER_RU = 'АО "Лаборатория Касперского"';
const RUSSIAN = { id: 1049, codepage: 1252 };
/** What a Russian install's Uninstall entry shows (DisplayName, Publisher). */
const SHOWN = {
  kes: { DisplayName: 'Kaspersky Endpoint Security для Windows', Publisher: PUBLISHER_RU },
  agent: { DisplayName: 'Агент администрирования Kaspersky Security Center', Publisher: PUBLISHER_RU },
};

const SPECS: Record<'kes' | 'agent', MsiSpec> = {
  kes: {
    id: 'kes-ru',
    name: 'Kaspersky Endpoint Security for Windows',
    manufacturer: 'AO Kaspersky Lab',
    version: '12.10.0.466',
    arch: 'x86',
    language: RUSSIAN,
    folder: ['Kaspersky Lab', 'KES.12.10.0'],
    files: [{ name: 'avp.exe' }, { name: 'avp.com' }, { name: 'avpui.exe' }],
    service: { name: 'AVP.KES.12.10.0', displayName: 'Kaspersky Endpoint Security Service' },
  },
  agent: {
    id: 'agent-ru',
    name: 'Kaspersky Security Center Network Agent',
    manufacturer: 'AO Kaspersky Lab',
    version: '14.2.0.26967',
    arch: 'x86',
    language: RUSSIAN,
    folder: ['Kaspersky Lab', 'NetworkAgent'],
    files: [{ name: 'klnagent.exe' }, { name: 'klmover.exe' }],
    service: { name: 'klnagent', displayName: 'Kaspersky Security Center Network Agent' },
  },
};

let dir: string;
let nodeExe: string;
let template: WinePrefix;
let prefix: WinePrefix;
const pkgs = {} as Record<'kes' | 'agent', BuiltMsi>;

function divest(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  return prefix.run([nodeExe, zPath(CLI), ...args, '--data-dir', DATA_DIR], { timeoutMs: 300_000 });
}

function json(what: string, run: { status: number | null; stdout: string; stderr: string }): unknown {
  try {
    return JSON.parse(run.stdout);
  } catch {
    throw new Error(`${what} printed no JSON (exit ${String(run.status)}):\n${run.stdout}\n${run.stderr}`);
  }
}

describe.skipIf(skip)(
  'a Russian-localized KES + Network Agent machine under Wine',
  { timeout: 300_000 },
  () => {
    beforeAll(() => {
      ensureBuiltCli();
      nodeExe = ensureNodeExe();
      dir = mkdtempSync(path.join(tmpdir(), 'divest-winbed-ru-'));
      // No bed program is installed by these packages (only text files).
      const programs: BedPrograms = { caCheck: '', uninstaller: '', netNotElevated: '' };
      pkgs.kes = buildMsi(SPECS.kes, dir, programs);
      pkgs.agent = buildMsi(SPECS.agent, dir, programs);
      template = createTemplatePrefix();
      prefix = clonePrefix(template);
      prefix.installMsi(pkgs.kes.file);
      prefix.installMsi(pkgs.agent.file);
      for (const k of ['kes', 'agent'] as const)
        for (const [name, value] of Object.entries(SHOWN[k]))
          prefix.regAdd(pkgs[k].uninstallKey, name, value);
    }, 300_000);

    afterAll(() => {
      prefix?.cleanup();
      template?.cleanup();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('scan names KES and the Network Agent, with the Russian Publisher and the MSI product codes', () => {
      expect(prefix.keyExists(pkgs.kes.uninstallKey)).toBe(true);
      const run = divest(['scan', '--json', '--evidence']);
      expect(run.status, run.stderr).toBe(10);
      const scan = ScanResult.parse(json('scan --json', run));
      const kes = scan.findings.find((f) => f.productId === KES);
      const agent = scan.findings.find((f) => f.productId === AGENT);
      expect(kes?.presence).toBe('installed');
      expect(agent?.presence).toBe('installed');
      expect(kes?.removalHints.msiProductCodes).toEqual([pkgs.kes.productCode]);
      expect(agent?.removalHints.msiProductCodes).toEqual([pkgs.agent.productCode]);
      expect(kes?.name).toBe(SHOWN.kes.DisplayName);
      expect(agent?.name).toBe(SHOWN.agent.DisplayName);
      const uninstall = kes?.evidence.find((e) => e.kind === 'registry-uninstall');
      expect(uninstall?.detail).toContain(`Publisher "${PUBLISHER_RU}"`);
      expect(uninstall?.location.toUpperCase()).toContain(pkgs.kes.productCode);
      // Nothing of them is left to the unidentified product.
      expect(scan.findings.map((f) => f.productId)).not.toContain('kaspersky-unidentified');
    });

    it('plan: automated msiexec /x steps with the product codes, KES (with KLLOGIN/KLPASSWD) before the agent', () => {
      const run = divest(['plan', '--json']);
      expect(run.status, run.stderr).toBe(10);
      const plan = Plan.parse(json('plan --json', run));
      expect(plan.steps.map((s) => s.productId)).toEqual([KES, AGENT]);
      for (const [step, k] of [
        [plan.steps[0]!, 'kes'],
        [plan.steps[1]!, 'agent'],
      ] as const) {
        expect(step.method).toBe('msi');
        expect(step.argv.slice(0, 4)).toEqual([
          'C:\\windows\\System32\\msiexec.exe',
          '/x',
          pkgs[k].productCode,
          '/qn',
        ]);
      }
      expect(plan.steps[0]!.credentials).toBe('kes-kllogin-klpasswd');
      expect(plan.steps[1]!.credentials).toBe('klnagent-uninstpasswd-hex');
    });

    it('remove --yes removes both for real: Uninstall keys, services and folders gone', () => {
      const run = divest(['remove', '--yes', '--json']);
      const out = json('remove --json', run) as {
        status: string;
        results: { productId: string; outcome: string; exitCode: number | null }[];
        after: { stillInstalled: string[] };
      };
      // Wine has no Defender: removed and verified, but UNPROTECTED (exit 40).
      expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(40);
      expect(out.status).toBe('completed');
      expect(out.results.map((r) => [r.productId, r.outcome, r.exitCode])).toEqual([
        [KES, 'removed', 0],
        [AGENT, 'removed', 0],
      ]);
      expect(out.after.stillInstalled).toEqual([]);
      for (const k of ['kes', 'agent'] as const) {
        expect(prefix.keyExists(pkgs[k].uninstallKey), `${k} Uninstall key`).toBe(false);
        expect(existsSync(prefix.drive(pkgs[k].installDir)), `${k} folder`).toBe(false);
      }
      for (const svc of ['AVP.KES.12.10.0', 'klnagent'])
        expect(prefix.keyExists({ key: `HKLM\\SYSTEM\\CurrentControlSet\\Services\\${svc}` }), svc).toBe(
          false,
        );
    });
  },
);
