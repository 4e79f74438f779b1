/**
 * The Windows single executable (`npm run build:sea`: out/sea/divest-win-x64.exe) under Wine,
 * against real MSI beds (test/beds/windows.ts), answering what the management engines run, each
 * held to that engine's convention: one stdout line of at most 2,048 characters, NOTHING on
 * stderr, and the exit code the engine acts on.
 *
 * - `intune detect`: 1 when banned software is installed, else 0; a bad call 2 (line state=error).
 * - `intune remediate`: removes, exports the receipt, 0 when nothing banned is left; on a
 *   password-protected product 1 with state=needs-credential.
 * - `configmgr detect`: 0 with a line when compliant, 0 with EMPTY stdout when not, 1 when it
 *   cannot tell.
 * - `remove --yes --exit-codes msi`: 0 removed, 1603 failed (password).
 * - `status --line` and `scan --json` from the same executable.
 *
 * Exit codes are read inside Windows (`cmd /c ... & echo EXIT=%ERRORLEVEL%`): seen from Linux a
 * Windows exit code arrives modulo 256.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScanResult } from '../../core/model/scan';
import {
  CLI,
  DATA_DIR,
  REPO,
  buildMsi,
  clonePrefix,
  prepareWindowsBed,
  windowsSkipReason,
  zPath,
  PACKAGES,
  type BuiltMsi,
  type WinePrefix,
  type WindowsBed,
} from '../beds/windows';

const skip = windowsSkipReason();
const EXE = path.join(REPO, 'out', 'sea', 'divest-win-x64.exe');

/** Builds the Windows SEA when it is missing or older than the bundle. */
function ensureWindowsSea(): void {
  if (existsSync(EXE) && statSync(EXE).mtimeMs >= statSync(CLI).mtimeMs) return;
  const r = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'build-sea.mjs'), '--only', 'win'], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (r.status !== 0 || !existsSync(EXE)) throw new Error(`build-sea failed:\n${r.stdout}${r.stderr}`);
}

interface ExeRun {
  exit: number;
  stdout: string;
  stderr: string;
}

/** Runs divest-win-x64.exe inside the prefix; the exit code as Windows has it. */
function exe(prefix: WinePrefix, args: readonly string[]): ExeRun {
  const line = [zPath(EXE), ...args, '--data-dir', DATA_DIR]
    .map((a) => (/[\s&]/.test(a) ? `"${a}"` : a))
    .join(' ');
  const r = prefix.run(['cmd', '/c', `${line} & echo EXIT=%ERRORLEVEL%`], { timeoutMs: 300_000 });
  const m = /\r?\nEXIT=(-?\d+)\s*$|^EXIT=(-?\d+)\s*$/.exec(r.stdout);
  if (!m) throw new Error(`no exit code from cmd:\n${r.stdout}\n${r.stderr}`);
  return {
    exit: Number(m[1] ?? m[2]),
    stdout: r.stdout.slice(0, m.index).replace(/\r\n/g, '\n'),
    stderr: r.stderr,
  };
}

/** The engine convention: exactly one line, at most 2,048 characters, nothing on stderr. */
function oneLine(r: ExeRun): string {
  expect(r.stderr, 'stderr must stay empty').toBe('');
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  expect(lines, r.stdout).toHaveLength(1);
  expect(lines[0]!.length).toBeLessThanOrEqual(2048);
  return lines[0]!;
}

describe.skipIf(skip)(
  'the Windows single executable under Wine, as the engines run it',
  { timeout: 600_000 },
  () => {
    let bed: WindowsBed;
    let kesLocked: BuiltMsi;
    const prefixes: WinePrefix[] = [];
    const fresh = (...msis: BuiltMsi[]): WinePrefix => {
      const p = clonePrefix(bed.template);
      prefixes.push(p);
      for (const m of msis) p.installMsi(m.file);
      return p;
    };

    beforeAll(() => {
      bed = prepareWindowsBed();
      ensureWindowsSea();
      kesLocked = buildMsi(
        {
          ...PACKAGES.kes,
          id: 'kes-locked',
          files: [...PACKAGES.kes.files, { name: 'ca-check.exe', program: 'ca-check' }],
          uninstallCheck: { kind: 'password', password: 'S3cret!' },
        },
        bed.dir,
        bed.programs,
      );
    }, 600_000);

    afterAll(() => {
      for (const p of prefixes) p.cleanup();
      bed?.cleanup();
    });

    it('a clean machine: --version, scan, status, and both detections say compliant', () => {
      const p = fresh(bed.packages.kLite, bed.packages.fanClub);
      const v = prefixes.at(-1)!.run([EXE, '--version']);
      expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
      const scan = exe(p, ['scan', '--json']);
      expect(scan.exit).toBe(0);
      expect(ScanResult.parse(JSON.parse(scan.stdout)).findings).toEqual([]);
      const status = exe(p, ['status', '--line']);
      expect(oneLine(status)).toMatch(/^DIVEST\/1 state=unprotected /); // Wine has no Defender
      expect(status.exit).toBe(40);
      const intune = exe(p, ['intune', 'detect']);
      expect(oneLine(intune)).toMatch(/^DIVEST\/1 state=unprotected /);
      expect(intune.exit).toBe(0);
      const cm = exe(p, ['configmgr', 'detect']);
      expect(oneLine(cm)).toMatch(/^DIVEST\/1 state=unprotected /);
      expect(cm.exit).toBe(0);
    });

    it('KES installed: detect 1 / empty ConfigMgr output; remove --exit-codes msi 0; then compliant', () => {
      const p = fresh(bed.packages.kes, bed.packages.kLite);
      expect(exe(p, ['scan', '--json']).exit).toBe(10);
      const status = exe(p, ['status', '--line']);
      expect(oneLine(status)).toMatch(
        /^DIVEST\/1 state=banned verdict=banned-present products=kaspersky-endpoint-security-windows /,
      );
      expect(status.exit).toBe(10);
      const intune = exe(p, ['intune', 'detect']);
      expect(oneLine(intune)).toMatch(/state=banned/);
      expect(intune.exit).toBe(1);
      const cm = exe(p, ['configmgr', 'detect']);
      expect(cm).toEqual({ exit: 0, stdout: '', stderr: '' });
      const remove = exe(p, ['remove', '--yes', '--exit-codes', 'msi']);
      expect(remove.exit, remove.stdout + remove.stderr).toBe(0);
      expect(p.keyExists(bed.packages.kes.uninstallKey)).toBe(false);
      expect(p.keyExists(bed.packages.kLite.uninstallKey)).toBe(true);
      const after = exe(p, ['configmgr', 'detect']);
      expect(oneLine(after)).toMatch(/^DIVEST\/1 state=unprotected /);
      expect(after.exit).toBe(0);
    });

    it('intune remediate removes KES, exports the signed receipt, and exits 0', () => {
      const p = fresh(bed.packages.kes);
      const r = exe(p, ['intune', 'remediate']);
      const line = oneLine(r);
      expect(line).toMatch(
        /^DIVEST\/1 state=unprotected verdict=removed-unprotected .* receipt=C:\\divest-data\\receipts\\divest-receipt\.json$/,
      );
      expect(r.exit).toBe(0);
      expect(existsSync(p.drive('C:\\divest-data\\receipts\\divest-receipt.json'))).toBe(true);
      expect(exe(p, ['intune', 'detect']).exit).toBe(0);
    });

    it('a password-protected KES: needs-credential, remediate 1, ConfigMgr install 1603, nothing on stderr', () => {
      const p = fresh(kesLocked);
      const r = exe(p, ['intune', 'remediate']);
      expect(oneLine(r)).toMatch(
        /^DIVEST\/1 state=needs-credential verdict=removal-incomplete products=kaspersky-endpoint-security-windows /,
      );
      expect(r.exit).toBe(1);
      expect(p.keyExists(kesLocked.uninstallKey)).toBe(true);
      const status = exe(p, ['status', '--line', '--no-scan']);
      expect(oneLine(status)).toMatch(/state=needs-credential/);
      const msi = exe(p, ['remove', '--yes', '--exit-codes', 'msi']);
      expect(msi.exit).toBe(1603);
      const detect = exe(p, ['intune', 'detect']);
      expect(oneLine(detect)).toMatch(/state=needs-credential/);
      expect(detect.exit).toBe(1);
      expect(exe(p, ['configmgr', 'detect'])).toEqual({ exit: 0, stdout: '', stderr: '' });
    });

    it('a bad call still answers on stdout only: intune 2, configmgr 1 (Unknown)', () => {
      const p = fresh();
      const intune = exe(p, ['intune', 'detect', '--host-os', 'plan9']);
      expect(oneLine(intune)).toMatch(/^DIVEST\/1 state=error message=".*--host-os/);
      expect(intune.exit).toBe(2);
      const cm = exe(p, ['configmgr', 'detect', '--no-such-flag']);
      expect(oneLine(cm)).toMatch(/^DIVEST\/1 state=error /);
      expect(cm.exit).toBe(1);
    });
  },
);
