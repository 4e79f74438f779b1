/**
 * The Windows tier, end to end: the built CLI runs on the Windows node.exe under Wine, against
 * real Windows Installer packages installed by Wine's msiexec (test/beds/windows.ts), and is held
 * to the CLI contract: `scan --json` finds the products in both registry views and in HKCU, under
 * their localized names, and no look-alike, within the spawn budget; `plan` puts the endpoint
 * product before its management agent; `remove --yes` runs msiexec for real and the registry and
 * the files show the products gone, the look-alikes still there; the receipt round-trips and the
 * journal is intact.
 *
 * The tests of this file run in order on ONE prefix (scan, plan, remove, receipt, log): each
 * step is the state the previous one left, as on a real machine.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../core/model/scan';
import { ScanResult } from '../../core/model/scan';
import { Plan } from '../../core/model/plan';
import {
  CLI,
  DATA_DIR,
  clonePrefix,
  installExeProduct,
  prepareWindowsBed,
  runDivest,
  windowsSkipReason,
  type BuiltMsi,
  type ExeProduct,
  type WinePrefix,
  type WindowsBed,
} from '../beds/windows';

const skip = windowsSkipReason();

const KES = 'kaspersky-endpoint-security-windows';
const AGENT = 'kaspersky-network-agent';
const KTS = 'kaspersky-total-security';
const VPN = 'kaspersky-vpn-secure-connection';
const SAFE_KIDS = 'kaspersky-safe-kids';
const REMOVED = [KES, AGENT, KTS, VPN];

let bed: WindowsBed;
let prefix: WinePrefix;
let safeKids: ExeProduct;
const timings: Record<string, number> = {};

function timed<T>(name: string, f: () => T): T {
  const t0 = performance.now();
  try {
    return f();
  } finally {
    timings[name] = Math.round(performance.now() - t0);
  }
}

function evidence(f: Finding | undefined): string {
  return (f?.evidence ?? []).map((e) => `${e.kind} ${e.location} ${e.detail}`).join('\n');
}

function parseJson(what: string, run: { status: number | null; stdout: string; stderr: string }): unknown {
  try {
    return JSON.parse(run.stdout);
  } catch {
    throw new Error(`${what} printed no JSON (exit ${String(run.status)}):\n${run.stdout}\n${run.stderr}`);
  }
}

const pkg = (k: keyof WindowsBed['packages']): BuiltMsi => bed.packages[k];

describe.skipIf(skip)(
  'Windows under Wine: scan, plan, remove, receipt (built CLI on node.exe)',
  { timeout: 180_000 },
  () => {
    beforeAll(() => {
      timed('prepare (node.exe, programs, 9 packages, template prefix)', () => {
        bed = prepareWindowsBed();
      });
      prefix = clonePrefix(bed.template);
      timed('install 9 packages and a per-user product', () => {
        for (const k of [
          'kes',
          'agentFrench',
          'totalSecurity',
          'vpn',
          'kLite',
          'fanClub',
          'sevenZip',
          'notes',
        ] as const)
          prefix.installMsi(pkg(k).file);
        safeKids = installExeProduct(prefix, bed.programs, {
          displayName: 'Kaspersky Safe Kids',
          publisher: 'Kaspersky',
          version: '1.0.5.1360',
          folder: 'Kaspersky Lab\\Kaspersky Safe Kids',
          keyName: 'Kaspersky Safe Kids',
          files: ['kidsafe.exe'],
        });
      });
    }, 300_000);

    afterAll(() => {
      prefix?.cleanup();
      bed?.cleanup();
      console.log(`[windows tier] timings (ms): ${JSON.stringify(timings)}`);
    });

    it('the bed is what a real machine shows: both registry views, HKCU, services, vendor keys', () => {
      // 32-bit packages in WOW6432Node, the 64-bit one in the native view: checked with Wine's reg.exe.
      expect(pkg('kes').uninstallKey.view).toBe('32');
      expect(pkg('vpn').uninstallKey.view).toBe('64');
      for (const k of ['kes', 'agentFrench', 'totalSecurity', 'vpn', 'kLite', 'fanClub', 'sevenZip'] as const)
        expect(prefix.keyExists(pkg(k).uninstallKey), k).toBe(true);
      expect(
        prefix.keyExists({
          key: `HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\${pkg('kes').productCode}`,
          view: '64',
        }),
      ).toBe(false);
      expect(prefix.keyExists(safeKids.uninstallKey)).toBe(true);
      expect(prefix.keyExists({ key: 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\AVP.KES.12.1.0' })).toBe(
        true,
      );
      expect(
        prefix.regValue(
          { key: 'HKLM\\SOFTWARE\\KasperskyLab\\KES.12.1.0\\environment', view: '32' },
          'ProductCode',
        ),
      ).toBe(pkg('kes').productCode);
      expect(existsSync(prefix.drive(`${pkg('kes').installDir}\\avp.exe`))).toBe(true);
    });

    it('scan --json finds every product (both views, HKCU, the French name) and no look-alike, in at most 6 spawns', () => {
      const run = timed('scan', () => runDivest(bed, prefix, ['scan', '--json']));
      const parsed = ScanResult.safeParse(parseJson('scan --json', run));
      if (!parsed.success)
        throw new Error(`scan --json does not match divest.scan/1: ${parsed.error.message}`);
      const scan = parsed.data;
      expect(run.status, run.stderr).toBe(10);
      expect(scan.host.os).toBe('windows');
      expect(scan.spawns).toBeLessThanOrEqual(6);

      const by = (id: string): Finding | undefined => scan.findings.find((f) => f.productId === id);
      for (const id of [KES, AGENT, KTS, VPN, SAFE_KIDS]) {
        expect(
          by(id),
          `${id} not found:\n${JSON.stringify(scan.findings.map((f) => f.productId))}`,
        ).toBeDefined();
        expect(by(id)!.status).toBe('banned');
        expect(by(id)!.presence).toBe('installed');
      }
      // KES: the 32-bit Uninstall entry, its service, its vendor key, its folder.
      const kes = evidence(by(KES));
      expect(kes).toContain(
        `HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\${pkg('kes').productCode}`,
      );
      expect(kes).toContain('service HKLM\\SYSTEM\\CurrentControlSet\\Services\\AVP.KES.12.1.0');
      expect(kes).toContain('vendor-key HKLM\\SOFTWARE\\WOW6432Node\\KasperskyLab\\KES.12.1.0');
      expect(kes).toContain('C:\\Program Files (x86)\\Kaspersky Lab\\KES.12.1.0');
      expect(by(KES)!.version).toBe('12.1.0.506');
      expect(by(KES)!.removalHints.msiProductCodes).toEqual([pkg('kes').productCode]);
      // The Network Agent under its French name; its service's name has a typographic apostrophe
      // (U+2019), which only survives because the registry is read through UTF-16 exports.
      const agent = evidence(by(AGENT));
      expect(agent).toContain('"Agent d\'administration de Kaspersky Security Center"');
      expect(agent).toContain('Publisher "Kaspersky"');
      expect(agent).toContain('("Agent d’administration de Kaspersky Security Center")');
      // The consumer product: its vendor key's ProductName and the service named after that key.
      const kts = evidence(by(KTS));
      expect(kts).toContain('vendor-key HKLM\\SOFTWARE\\WOW6432Node\\KasperskyLab\\AVP21.2');
      expect(kts).toContain('service HKLM\\SYSTEM\\CurrentControlSet\\Services\\AVP21.2');
      // The 64-bit package: the native view.
      expect(evidence(by(VPN))).toContain(
        `registry-uninstall HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\${pkg('vpn').productCode}`,
      );
      // The per-user install: HKCU.
      expect(evidence(by(SAFE_KIDS))).toContain(
        'registry-uninstall HKCU\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Kaspersky Safe Kids',
      );
      // No look-alike, no ordinary software.
      const all = scan.findings.map(evidence).join('\n');
      for (const other of ['K-Lite', 'KLCP', 'Fan Club', '7-Zip', 'Igor Pavlov', 'diteur'])
        expect(all, `${other} was reported`).not.toContain(other);
      // What Wine lacks is said, not hidden.
      expect(scan.notes.map((n) => n.message).join('\n')).toMatch(/PowerShell was not found/);
    });

    it('plan orders the endpoint product before the Network Agent, with msiexec /x of the codes found', () => {
      const run = timed('plan', () => runDivest(bed, prefix, ['plan', '--json']));
      expect(run.status, run.stderr).toBe(10);
      const plan = Plan.parse(parseJson('plan --json', run));
      expect(plan.os).toBe('windows');
      const ids = plan.steps.map((s) => s.productId);
      expect(ids.indexOf(KES)).toBeGreaterThanOrEqual(0);
      expect(ids.indexOf(KES)).toBeLessThan(ids.indexOf(AGENT));
      expect(ids.indexOf(KTS)).toBeLessThan(ids.indexOf(AGENT));
      for (const [id, k] of [
        [KES, 'kes'],
        [AGENT, 'agentFrench'],
        [KTS, 'totalSecurity'],
        [VPN, 'vpn'],
      ] as const) {
        const step = plan.steps.find((s) => s.productId === id)!;
        expect(step.method).toBe('msi');
        expect(step.argv.slice(0, 4)).toEqual([
          'C:\\windows\\System32\\msiexec.exe',
          '/x',
          pkg(k).productCode,
          '/qn',
        ]);
        // Windows Installer writes "MsiExec.exe /I{code}": accepted, so no refusal note.
        expect(step.notes).toEqual([]);
      }
      // The per-user EXE install has no product code: a guided step, not a guess.
      const kids = plan.steps.find((s) => s.productId === SAFE_KIDS)!;
      expect(kids.method).toBe('manual');
      expect(kids.notes.join(' ')).toMatch(/no Windows Installer product code/);
    });

    it('remove --yes runs msiexec /x for real: keys and files gone, the look-alikes and the rest stay', () => {
      const run = timed('remove', () =>
        runDivest(bed, prefix, ['remove', '--yes', '--json', ...REMOVED.flatMap((id) => ['--only', id])]),
      );
      const out = parseJson('remove --json', run) as {
        status: string;
        exitCode: number;
        results: { productId: string; outcome: string; exitCode: number | null; argv: string[] }[];
        after: { stillInstalled: string[]; leftovers: { productId: string; location: string }[] };
        replacement: { state: string; detail: string; evidence: string[]; product: string };
      };
      // Wine has no Defender: removed and verified, but the machine is UNPROTECTED (exit 40).
      expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(40);
      expect(out.exitCode).toBe(40);
      expect(out.status).toBe('completed');
      expect(out.results.map((r) => [r.productId, r.outcome, r.exitCode])).toEqual(
        expect.arrayContaining(REMOVED.map((id) => [id, 'removed', 0])),
      );
      expect(out.results[0]!.productId).toBe(KES);
      expect(out.after.stillInstalled).toEqual([]);
      // Wine cannot tell whether the prompt is elevated: said, not guessed.
      expect(run.stderr).toMatch(/could not confirm administrator rights/);

      // Gone: Uninstall entries in both views, services, vendor keys, program folders.
      for (const k of ['kes', 'agentFrench', 'totalSecurity', 'vpn'] as const) {
        expect(prefix.keyExists(pkg(k).uninstallKey), `${k} Uninstall key`).toBe(false);
        expect(existsSync(prefix.drive(pkg(k).installDir)), `${k} folder`).toBe(false);
      }
      for (const svc of ['AVP.KES.12.1.0', 'klnagent', 'AVP21.2'])
        expect(prefix.keyExists({ key: `HKLM\\SYSTEM\\CurrentControlSet\\Services\\${svc}` }), svc).toBe(
          false,
        );
      for (const sub of ['KES.12.1.0', 'AVP21.2'])
        expect(prefix.keyExists({ key: `HKLM\\SOFTWARE\\KasperskyLab\\${sub}`, view: '32' }), sub).toBe(
          false,
        );
      expect(prefix.keyExists({ key: 'HKLM\\SOFTWARE\\KasperskyLab\\KSDE5.2', view: '64' })).toBe(false);

      // Stay: look-alikes, ordinary software, and the product not selected.
      for (const k of ['kLite', 'fanClub', 'sevenZip', 'notes'] as const) {
        expect(prefix.keyExists(pkg(k).uninstallKey), `${k} Uninstall key`).toBe(true);
        expect(existsSync(prefix.drive(pkg(k).installDir)), `${k} folder`).toBe(true);
      }
      expect(prefix.keyExists(safeKids.uninstallKey)).toBe(true);

      // No Defender under Wine: said plainly.
      expect(out.replacement.product).toBe('Microsoft Defender Antivirus');
      expect(['not-installed', 'inactive']).toContain(out.replacement.state);
      expect(out.replacement.detail).toContain('UNPROTECTED');
      expect(out.replacement.evidence.join('\n')).toMatch(/WinDefend service: absent/);
    });

    it('receipt export and receipt verify round-trip, on Windows and on Linux', () => {
      const exp = timed('receipt export', () =>
        runDivest(bed, prefix, [
          'receipt',
          'export',
          '--out',
          `${DATA_DIR}\\receipt.json`,
          '--html',
          `${DATA_DIR}\\receipt.html`,
          '--operator',
          'Wine bed',
        ]),
      );
      expect(exp.status, `${exp.stdout}\n${exp.stderr}`).toBe(0);
      const fingerprint = /SHA256:[A-Za-z0-9+/=]+/.exec(exp.stdout)?.[0];
      expect(fingerprint, exp.stdout).toBeDefined();
      const file = prefix.drive(`${DATA_DIR}\\receipt.json`);
      const receipt = JSON.parse(readFileSync(file, 'utf8')) as {
        kind: string;
        host: { os: string };
        removals?: unknown;
      };
      expect(receipt.kind).toBe('removal');
      expect(receipt.host.os).toBe('windows');
      expect(readFileSync(prefix.drive(`${DATA_DIR}\\receipt.html`), 'utf8')).toContain(
        'Kaspersky Endpoint Security',
      );

      const verify = runDivest(
        bed,
        prefix,
        ['receipt', 'verify', `${DATA_DIR}\\receipt.json`, '--fingerprint', fingerprint!, '--json'],
        {
          dataDir: false,
        },
      );
      expect(verify.status, verify.stdout).toBe(0);
      expect((parseJson('receipt verify', verify) as { valid: boolean }).valid).toBe(true);
      // The same file checks out with the Linux build: receipts are portable.
      const linux = spawnSync(
        process.execPath,
        [CLI, 'receipt', 'verify', file, '--fingerprint', fingerprint!],
        {
          encoding: 'utf8',
        },
      );
      expect(linux.status, linux.stdout).toBe(0);
      expect(linux.stdout).toMatch(/^SIGNATURE: VALID .*\n {2}Key: SHA256:[0-9a-f]{64} — PINNED/);
    });

    it('log verify: the journal of the whole session is intact and holds every stage', () => {
      const run = timed('log verify', () => runDivest(bed, prefix, ['log', 'verify', '--json']));
      expect(run.status, run.stdout).toBe(0);
      expect((parseJson('log verify', run) as { intact: boolean }).intact).toBe(true);
      const types = readFileSync(prefix.drive(`${DATA_DIR}\\journal.jsonl`), 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => (JSON.parse(l) as { type: string }).type);
      for (const t of [
        'scan.finished',
        'plan.made',
        'plan.started',
        'step.finished',
        'plan.finished',
        'verify.finished',
        'replacement.checked',
        'receipt.exported',
      ])
        expect(types, t).toContain(t);
    });
  },
);
