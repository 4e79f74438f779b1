/**
 * The Kaspersky regression corpus through the built CLI (test/detection/corpus-beds.ts): every
 * artifact collected from public sources is found as the product the corpus expects (and, when it
 * means "installed", as installed), and none of the look-alikes is flagged: this machine's whole
 * Debian package list, real look-alike package names as rpms, other vendors' Windows products and
 * Windows' own drivers (kbdclass, ksecdd, KslD...), and look-alike macOS apps. bench/detection.mjs prints the figures.
 */
import { describe, expect, it } from 'vitest';
import { ensureBuiltCli, builtCli, skipReason } from '../beds/linux';
import { pythonAvailable } from '../beds/macos';
import { type CorpusRun, runLinux, runMacos, runWindows } from './corpus-beds';

const missed = (run: CorpusRun): string[] =>
  run.artifacts
    .filter((a) => !a.rightProduct)
    .map((a) => `${a.id} [${a.class}]: expected ${a.expect}, got ${a.got.join(', ') || 'nothing'}`);
const flagged = (run: CorpusRun): string[] =>
  run.lookalikes.filter((l) => l.flagged).map((l) => `${l.id}: ${l.got.join(', ')}`);

describe('the Kaspersky corpus, scanned through the built CLI', () => {
  it.skipIf(skipReason(['dpkg', 'dpkg-deb', 'rpm', 'rpmbuild']))(
    'Linux: every artifact found as the right product; no look-alike flagged',
    { timeout: 600_000 },
    () => {
      const run = runLinux(ensureBuiltCli());
      expect(run.artifacts.length).toBeGreaterThanOrEqual(40);
      expect(missed(run)).toEqual([]);
      expect(flagged(run)).toEqual([]);
      // The whole Debian list is there when the machine has package lists (CI does).
      if (process.env.CI) expect(run.skipped).toEqual([]);
    },
  );

  it.skipIf(!pythonAvailable())(
    'macOS: every artifact found as the right product; no look-alike flagged',
    { timeout: 300_000 },
    () => {
      const run = runMacos(ensureBuiltCli());
      expect(run.artifacts.length).toBeGreaterThanOrEqual(10);
      expect(missed(run)).toEqual([]);
      expect(flagged(run)).toEqual([]);
    },
  );

  it(
    'Windows (Wine): every artifact found as the right product; no look-alike flagged',
    { timeout: 900_000 },
    async () => {
      ensureBuiltCli();
      const run = await runWindows(builtCli);
      if (run.skipped.length > 0 && !process.env.CI) return; // no Wine here (CI always has it)
      expect(run.skipped).toEqual([]);
      expect(run.artifacts.length).toBeGreaterThanOrEqual(45);
      expect(missed(run)).toEqual([]);
      expect(flagged(run)).toEqual([]);
    },
  );
});
