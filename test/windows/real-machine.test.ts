/**
 * What a real Windows machine throws at Divest, each on its own copy of a prepared Wine prefix
 * (test/beds/windows.ts), through the built CLI on node.exe: a product already half-removed, an
 * Uninstall entry Windows Installer does not know (msiexec 1605), an uninstall that fails (a
 * custom action that refuses), a vendor EXE uninstaller, UninstallStrings crafted to run a second
 * command, and a prompt without administrator rights.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ScanResult } from '../../core/model/scan';
import { Plan } from '../../core/model/plan';
import { parseNetSession } from '../../core/host/privileges';
import {
  DATA_DIR,
  PACKAGES,
  REPO,
  buildMsi,
  clonePrefix,
  installExeProduct,
  newGuid,
  prepareWindowsBed,
  runDivest,
  windowsSkipReason,
  type BuiltMsi,
  type WinePrefix,
  type WindowsBed,
  type WineRun,
} from '../beds/windows';

const skip = windowsSkipReason();

const KES = 'kaspersky-endpoint-security-windows';
const AGENT = 'kaspersky-network-agent';
const VPN = 'kaspersky-vpn-secure-connection';
const UNINSTALL = 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall';
const PWNED = 'C:\\pwned.txt';

interface RemoveJson {
  status: string;
  exitCode: number;
  results: {
    stepId: string;
    productId: string;
    outcome: string;
    exitCode: number | null;
    argv: string[];
    message: string;
  }[];
  remaining: string[];
  after: { stillInstalled: string[] };
}

let bed: WindowsBed;
/** KES whose uninstall a custom action refuses (as a password-protected KES refuses). */
let refusingKes: BuiltMsi;
let prefix: WinePrefix | undefined;

function json<T>(what: string, run: WineRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`${what} printed no JSON (exit ${String(run.status)}):\n${run.stdout}\n${run.stderr}`);
  }
}

function fresh(): WinePrefix {
  prefix = clonePrefix(bed.template);
  return prefix;
}

function journalTypes(p: WinePrefix): { type: string; data: unknown }[] {
  return readFileSync(p.drive(`${DATA_DIR}\\journal.jsonl`), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { type: string; data: unknown });
}

/** The built-in catalog as one document, for a test catalog given with --catalog. */
function builtInCatalog(): Record<string, unknown> {
  const read = (f: string): unknown => JSON.parse(readFileSync(path.join(REPO, 'catalog', f), 'utf8'));
  const { sequence: _sequence, ...meta } = read('meta.json') as Record<string, unknown>;
  return {
    ...meta,
    references: read('references.json'),
    vendors: read('vendors.json'),
    directives: read('directives.json'),
    products: read('products.json'),
  };
}

/**
 * A catalog in which Kaspersky VPN is removed by its EXE uninstaller (`uninstall.exe /S`): the
 * built-in catalog has no product with method "exe" (see the issue notes), so this test gives the
 * recipe it needs with --catalog. Written into the prefix; returns its Windows path.
 */
function writeExeCatalog(p: WinePrefix): string {
  const cat = builtInCatalog();
  const products = cat.products as { id: string; removal?: { windows?: unknown } }[];
  const vpn = products.find((x) => x.id === VPN)!;
  vpn.removal!.windows = {
    method: 'exe',
    exeImages: [
      {
        re: '^uninstall\\.exe$',
        refs: ['S2'],
        unconfirmed: 'Test recipe: the name of a real Kaspersky VPN EXE uninstaller is not in the research.',
      },
    ],
    exeQuietArgs: ['/S'],
    refs: ['S2'],
  };
  const win = `${DATA_DIR}\\catalog-vpn-exe.json`;
  writeFileSync(p.drive(win), JSON.stringify(cat, null, 2));
  return win;
}

describe.skipIf(skip)(
  'Windows under Wine: what a real machine throws at Divest',
  // Each test clones its own prefix, so a retry starts clean. Once in a full run on this 2-core
  // machine, Wine hung a whole `divest remove` for 180 s (it passes alone in 6 s): one retry for
  // Wine itself, not for Divest; a real failure fails twice.
  { timeout: 180_000, retry: 1 },
  () => {
    beforeAll(() => {
      bed = prepareWindowsBed();
      refusingKes = buildMsi(
        {
          ...PACKAGES.kes,
          id: 'kes-refusing',
          files: [...PACKAGES.kes.files, { name: 'klcheck.exe', program: 'ca-check' }],
          uninstallCheck: { kind: 'fail' },
        },
        bed.dir,
        bed.programs,
      );
    }, 300_000);

    afterEach(() => {
      prefix?.cleanup();
      prefix = undefined;
    });

    afterAll(() => bed?.cleanup());

    it('a product already half-removed (Uninstall key present, files gone) is removed and verified', () => {
      const p = fresh();
      const kes = bed.packages.kes;
      p.installMsi(kes.file);
      rmSync(p.drive(kes.installDir), { recursive: true, force: true });
      expect(p.keyExists(kes.uninstallKey)).toBe(true);

      const scan = ScanResult.parse(json('scan', runDivest(bed, p, ['scan', '--json'])));
      const f = scan.findings.find((x) => x.productId === KES)!;
      expect(f.presence).toBe('installed');
      expect(f.evidence.some((e) => e.kind === 'file' && e.location.includes('KES.12.1.0'))).toBe(false);

      const run = runDivest(bed, p, ['remove', '--yes', '--json']);
      const out = json<RemoveJson>('remove', run);
      expect(run.status, run.stderr).toBe(40); // Wine has no Defender: removed, but UNPROTECTED
      expect(out.results.map((r) => [r.productId, r.outcome, r.exitCode])).toEqual([[KES, 'removed', 0]]);
      expect(p.keyExists(kes.uninstallKey)).toBe(false);
      expect(p.keyExists({ key: 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\AVP.KES.12.1.0' })).toBe(false);
    });

    it('an Uninstall entry Windows Installer does not know: msiexec answers 1605 and Divest does not call it removed', () => {
      const p = fresh();
      // What a broken earlier uninstall leaves: the entry, with no product behind it.
      const code = newGuid();
      const key = { key: `${UNINSTALL}\\${code}`, view: '32' as const };
      p.regAdd(key, 'DisplayName', 'Kaspersky Endpoint Security for Windows');
      p.regAdd(key, 'DisplayVersion', '11.6.0.394');
      p.regAdd(key, 'Publisher', 'AO Kaspersky Lab');
      p.regAdd(key, 'UninstallString', `MsiExec.exe /X${code}`, 'REG_EXPAND_SZ');
      p.regAdd(key, 'WindowsInstaller', '1', 'REG_DWORD');

      const run = runDivest(bed, p, ['remove', '--yes', '--json']);
      const out = json<RemoveJson>('remove', run);
      const step = out.results.find((r) => r.productId === KES)!;
      // msiexec really ran, with the code from the key's name, and said "unknown product".
      expect(step.argv.slice(0, 3)).toEqual(['C:\\windows\\System32\\msiexec.exe', '/x', code]);
      expect(step.exitCode).toBe(1605);
      expect(step.message).toMatch(/1605/);
      // The entry is still there, so the removal is not verified: exit 30, and the message says why.
      expect(step.outcome).toBe('failed');
      expect(step.message).toMatch(/still (registered|in the registry)/);
      expect(run.status).toBe(30);
      expect(out.after.stillInstalled).toEqual([KES]);
      expect(p.keyExists(key)).toBe(true);
    });

    it('an uninstall that fails (a custom action refuses, as a password-protected KES does) stops the plan: exit 30, nothing after it runs', () => {
      const p = fresh();
      p.installMsi(refusingKes.file);
      p.installMsi(bed.packages.agent.file);

      const run = runDivest(bed, p, ['remove', '--yes', '--json']);
      const out = json<RemoveJson>('remove', run);
      expect(run.status, run.stderr).toBe(30);
      expect(out.status).toBe('failed');
      const kes = out.results.find((r) => r.productId === KES)!;
      expect(kes.outcome).toBe('failed');
      // Windows answers 1603 (ERROR_INSTALL_FAILURE); Wine's msiexec answers 1627 (ERROR_FUNCTION_FAILED).
      expect([1603, 1627]).toContain(kes.exitCode);
      // The Network Agent comes after KES: not touched.
      expect(out.remaining.length).toBe(1);
      expect(out.results.some((r) => r.productId === AGENT)).toBe(false);
      // Both still installed, files and keys intact (the custom action ran before anything changed).
      expect(p.keyExists(refusingKes.uninstallKey)).toBe(true);
      expect(existsSync(p.drive(`${refusingKes.installDir}\\avp.exe`))).toBe(true);
      expect(p.keyExists(bed.packages.agent.uninstallKey)).toBe(true);
      expect(out.after.stillInstalled.sort()).toEqual([AGENT, KES].sort());
    });

    it('a vendor EXE uninstaller of a per-user install (a folder its user can write) is never run with administrator rights: a guided step instead', () => {
      const p = fresh();
      const vpn = installExeProduct(p, bed.programs, {
        displayName: 'Kaspersky VPN',
        publisher: 'Kaspersky',
        version: '5.2.0.1',
        folder: 'Kaspersky Lab\\Kaspersky VPN 5.2',
        keyName: 'Kaspersky VPN 5.2',
        files: ['ksde.exe', 'ksdeui.exe'],
      });
      const catalog = writeExeCatalog(p);

      const plan = Plan.parse(
        json('plan', runDivest(bed, p, ['plan', '--json', '--catalog', catalog, '--unsigned-catalog'])),
      );
      const step = plan.steps.find((s) => s.productId === VPN)!;
      // AppData\\Local\\Programs is writable by that user: an elevated Divest running an .exe from
      // there would run whatever the user (or malware in the user's session) put in its place.
      expect(step.method).toBe('manual');
      expect(step.argv).toEqual([]);
      expect(step.notes.join(' ')).toMatch(/AppData|not in|vendor/i);

      const run = runDivest(bed, p, [
        'remove',
        '--yes',
        '--json',
        '--catalog',
        catalog,
        '--unsigned-catalog',
      ]);
      const out = json<RemoveJson>('remove', run);
      expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(30);
      expect(out.results.map((r) => [r.productId, r.outcome])).toEqual([[VPN, 'skipped']]);
      // Nothing ran: the product is still there, as the guided step says.
      expect(p.keyExists(vpn.uninstallKey)).toBe(true);
      expect(existsSync(p.drive(`${vpn.installDir}\\ksde.exe`))).toBe(true);
    });

    it('an MSI UninstallString crafted to run a second command is refused and never runs', () => {
      const p = fresh();
      const kes = bed.packages.kes;
      p.installMsi(kes.file);
      const crafted = `MsiExec.exe /X${kes.productCode} & cmd /c echo pwned > ${PWNED}`;
      p.regAdd(kes.uninstallKey, 'UninstallString', crafted, 'REG_EXPAND_SZ');

      const plan = Plan.parse(json('plan', runDivest(bed, p, ['plan', '--json'])));
      const step = plan.steps.find((s) => s.productId === KES)!;
      expect(step.notes.join(' ')).toMatch(/UninstallString was not used/);
      expect(step.notes.join(' ')).toMatch(/shell characters/);
      expect(step.argv).not.toContain('&');
      expect(step.argv.join(' ')).not.toMatch(/cmd|pwned/);

      const run = runDivest(bed, p, ['remove', '--yes', '--json']);
      expect(run.status, run.stderr).toBe(40); // Wine has no Defender: removed, but UNPROTECTED
      expect(existsSync(p.drive(PWNED))).toBe(false);
      expect(p.keyExists(kes.uninstallKey)).toBe(false);
    });

    it('an EXE QuietUninstallString crafted to run a second command is refused: a guided step, nothing runs', () => {
      const p = fresh();
      const vpn = installExeProduct(p, bed.programs, {
        displayName: 'Kaspersky VPN',
        publisher: 'Kaspersky',
        version: '5.2.0.1',
        folder: 'Kaspersky Lab\\Kaspersky VPN 5.2',
        keyName: 'Kaspersky VPN 5.2',
        files: ['ksde.exe'],
        quietUninstallString: `cmd.exe /c echo pwned > ${PWNED}`,
      });
      // The plain UninstallString is crafted too: nothing on this entry may run.
      p.regAdd(
        vpn.uninstallKey,
        'UninstallString',
        `"${vpn.installDir}\\uninstall.exe" /S & cmd /c echo pwned > ${PWNED}`,
      );
      const catalog = writeExeCatalog(p);

      const plan = Plan.parse(
        json('plan', runDivest(bed, p, ['plan', '--json', '--catalog', catalog, '--unsigned-catalog'])),
      );
      const step = plan.steps.find((s) => s.productId === VPN)!;
      expect(step.method).toBe('manual');
      expect(step.argv).toEqual([]);
      expect(step.notes.join(' ')).toMatch(/does not match the catalog's recipe/);

      const run = runDivest(bed, p, [
        'remove',
        '--yes',
        '--json',
        '--catalog',
        catalog,
        '--unsigned-catalog',
      ]);
      expect(run.status).toBe(30);
      expect(existsSync(p.drive(PWNED))).toBe(false);
      expect(p.keyExists(vpn.uninstallKey)).toBe(true);
      expect(existsSync(p.drive(`${vpn.installDir}\\ksde.exe`))).toBe(true);
    });

    it('net session: Wine cannot say whether the prompt is elevated, the stand-in says what Windows says', () => {
      const p = fresh();
      const wine = p.run(['C:\\windows\\system32\\net.exe', 'session']);
      // Wine's net.exe prints its usage and exits 0: no answer, and Divest must not take it for one.
      expect(parseNetSession(wine.status, `${wine.stdout}\n${wine.stderr}`).admin).toBe('unknown');
      p.simulateNonElevated(bed.programs.netNotElevated);
      const denied = p.run(['C:\\windows\\system32\\net.exe', 'session']);
      expect(denied.stderr).toMatch(/System error 5/);
      expect(parseNetSession(denied.status, `${denied.stdout}\n${denied.stderr}`).admin).toBe(false);
    });

    it('without administrator rights remove refuses (exit 30), journals it, and changes nothing', () => {
      const p = fresh();
      p.installMsi(bed.packages.kes.file);
      // Wine's own net.exe cannot say (test/windows/flow.test.ts sees "could not confirm"): here it
      // is replaced by a stand-in that answers as Windows' net.exe does in a prompt not elevated.
      p.simulateNonElevated(bed.programs.netNotElevated);

      const run = runDivest(bed, p, ['remove', '--yes']);
      expect(run.status).toBe(30);
      expect(run.stderr).toMatch(/needs administrator rights/);
      expect(run.stderr).toMatch(/not elevated/);
      expect(journalTypes(p).map((e) => e.type)).toContain('remove.refused');
      expect(journalTypes(p).map((e) => e.type)).not.toContain('plan.started');
      expect(p.keyExists(bed.packages.kes.uninstallKey)).toBe(true);
    });
  },
);
