/**
 * The crash matrix on Windows (issue 9): the built CLI on the Windows node.exe under Wine runs a
 * three-step plan of real msiexec removals (KES, Kaspersky VPN, then the Network Agent) and is
 * killed at the start of each step in turn, with everything else in the prefix (msiexec
 * included: `wineserver -k`, as a power cut would). Each time, `divest status`, the signed receipt
 * and its "after" must name as installed exactly the products whose Uninstall entries the
 * registry still holds; then a second `remove` finishes the job and everything says so.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Receipt } from '../../core/model/receipt';
import {
  CLI,
  DATA_DIR,
  clonePrefix,
  prepareWindowsBed,
  runDivest,
  windowsSkipReason,
  zPath,
  type PackageKey,
  type WinePrefix,
  type WindowsBed,
} from '../beds/windows';

const skip = windowsSkipReason();
const PRODUCTS: Record<string, PackageKey> = {
  'kaspersky-endpoint-security-windows': 'kes',
  'kaspersky-vpn-secure-connection': 'vpn',
  'kaspersky-network-agent': 'agent',
};

let bed: WindowsBed;
const prefixes: WinePrefix[] = [];

function journal(prefix: WinePrefix): { type: string; data: Record<string, unknown> }[] {
  const file = prefix.drive(`${DATA_DIR}\\journal.jsonl`);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as { type: string; data: Record<string, unknown> }];
      } catch {
        return [];
      }
    });
}

/** Product ids whose Uninstall entry the registry still holds (what msiexec left). */
function stillRegistered(prefix: WinePrefix): string[] {
  return Object.entries(PRODUCTS)
    .filter(([, k]) => prefix.keyExists(bed.packages[k].uninstallKey))
    .map(([id]) => id)
    .sort();
}

/** Starts `divest remove --yes` under Wine; resolves once step `stepId` has started, then kills it all. */
async function killAtStep(prefix: WinePrefix, stepId: string): Promise<void> {
  const log = path.join(bed.dir, `remove-${path.basename(prefix.dir)}.log`);
  const fd = openSync(log, 'w');
  const child = spawn('wine', [bed.nodeExe, zPath(CLI), 'remove', '--yes', '--data-dir', DATA_DIR], {
    env: prefix.env(),
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  let exited = false;
  child.on('exit', () => (exited = true));
  const t0 = Date.now();
  while (!journal(prefix).some((e) => e.type === 'step.started' && e.data.stepId === stepId)) {
    if (exited) throw new Error(`divest exited before step ${stepId}:\n${readFileSync(log, 'utf8')}`);
    if (Date.now() - t0 > 120_000) throw new Error(`step ${stepId} never started`);
    await new Promise((r) => setTimeout(r, 25));
  }
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    /* already gone */
  }
  prefix.stop(); // wineserver -k: msiexec and every other process of the "machine" die too
}

describe.skipIf(skip)('Windows under Wine: killed at every step, everything agrees with the registry', () => {
  beforeAll(() => {
    bed = prepareWindowsBed();
  }, 300_000);
  afterAll(() => {
    for (const p of prefixes) p.cleanup();
    bed?.cleanup();
  });

  for (const k of [1, 2, 3]) {
    it(`killed with msiexec at step ${k} of 3`, async () => {
      const prefix = clonePrefix(bed.template);
      prefixes.push(prefix);
      for (const key of Object.values(PRODUCTS)) prefix.installMsi(bed.packages[key].file);
      const plan = runDivest(bed, prefix, ['plan', '--json']);
      const steps = (JSON.parse(plan.stdout) as { steps: { id: string; productId: string }[] }).steps;
      expect(steps.map((s) => s.productId)).toEqual([
        'kaspersky-endpoint-security-windows',
        'kaspersky-vpn-secure-connection',
        'kaspersky-network-agent',
      ]);

      await killAtStep(prefix, `s${k}`);
      const truth = stillRegistered(prefix);
      expect(truth.length).toBeGreaterThan(0); // at least the steps after k are still there
      expect(truth).toEqual(expect.arrayContaining(steps.slice(k).map((s) => s.productId)));

      const status = runDivest(bed, prefix, ['status', '--json']);
      expect(status.status, status.stdout + status.stderr).toBe(30);
      const verdict = (
        JSON.parse(status.stdout) as {
          verdict: { state: string; headline: string; stillInstalled: { productId: string }[] };
        }
      ).verdict;
      expect(verdict.state).toBe('removal-incomplete');
      expect(verdict.headline).toMatch(new RegExp(`^Removal incomplete: interrupted at step ${k} of 3 `));
      expect(verdict.stillInstalled.map((p) => p.productId).sort()).toEqual(truth);

      const exp = runDivest(bed, prefix, ['receipt', 'export', '--out', 'C:\\r.json']);
      expect(exp.status, exp.stdout + exp.stderr).toBe(0);
      const receipt = Receipt.parse(JSON.parse(readFileSync(prefix.drive('C:\\r.json'), 'utf8')));
      expect(receipt.verdict.state).toBe('removal-incomplete');
      expect(receipt.verdict.headline).toMatch(/^Removal incomplete: interrupted at step/);
      expect(
        receipt.after.findings
          .filter((f) => f.status === 'banned' && f.presence === 'installed')
          .map((f) => f.productId)
          .sort(),
      ).toEqual(truth);

      // A second removal finishes: the registry, status and receipt agree it is done.
      const again = runDivest(bed, prefix, ['remove', '--yes']);
      expect(again.status, again.stdout + again.stderr).toBe(40); // removed; Wine has no Defender
      expect(stillRegistered(prefix)).toEqual([]);
      const after = runDivest(bed, prefix, ['status', '--json']);
      expect((JSON.parse(after.stdout) as { verdict: { state: string } }).verdict.state).toBe(
        'removed-unprotected',
      );
    }, 400_000);
  }
});
