// Detection benchmark: the Kaspersky regression corpus (test/fixtures/kaspersky-corpus/, every
// artifact with its public source) built into real beds (dpkg/rpm roots, macOS roots, Wine
// prefixes) and scanned through the built CLI. Prints, per OS, how many artifacts were detected,
// how many as the right product, and how many look-alikes were flagged (false positives).
//
//   npm run build && node --import tsx bench/detection.mjs
//   node --import tsx bench/detection.mjs --cli FILE        (another build of the CLI, e.g. an older one)
//   node --import tsx bench/detection.mjs --os linux,macos  (skip Wine)
//   node --import tsx bench/detection.mjs --json FILE       (also write every result)
//
// Asserts nothing; exits 0. test/detection/corpus.test.ts holds the same run to 100% and 0.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO, figures, runLinux, runMacos, runWindows } from '../test/detection/corpus-beds.ts';

const { values } = parseArgs({
  options: {
    cli: { type: 'string' },
    os: { type: 'string', default: 'windows,linux,macos' },
    json: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});
const cli = path.resolve(values.cli ?? path.join(REPO, 'out/cli/divest.cjs'));
const oses = new Set(values.os.split(','));
const log = values.verbose ? (s) => console.error(s) : () => {};

const runs = [];
const t0 = Date.now();
if (oses.has('linux')) runs.push(runLinux(cli, log));
if (oses.has('macos')) runs.push(runMacos(cli, log));
if (oses.has('windows')) runs.push(await runWindows(cli, log));

console.log(
  `Detection corpus, scanned by ${path.relative(process.cwd(), cli) || cli} (${((Date.now() - t0) / 1000).toFixed(0)} s)`,
);
console.log('OS       artifacts  detected        right product   look-alikes  false positives');
for (const f of figures(runs)) {
  if (f.artifacts === 0 && f.lookalikes === 0) continue;
  const pct = (n) => (f.artifacts ? `${((100 * n) / f.artifacts).toFixed(1)}%` : '-');
  console.log(
    `${f.os.padEnd(8)} ${String(f.artifacts).padStart(9)}  ${`${f.detected} (${pct(f.detected)})`.padEnd(15)} ${`${f.rightProduct} (${pct(f.rightProduct)})`.padEnd(15)} ${String(f.lookalikes).padStart(11)}  ${f.falsePositives}`,
  );
}
const missed = runs.flatMap((r) => r.artifacts).filter((a) => !a.rightProduct);
if (missed.length) {
  console.log('\nMissed or misnamed:');
  for (const a of missed)
    console.log(`  ${a.os} ${a.id} [${a.class}] expected ${a.expect}; got ${a.got.join(', ') || 'nothing'}`);
}
const fps = runs.flatMap((r) => r.lookalikes).filter((l) => l.flagged);
if (fps.length) {
  console.log('\nFalse positives:');
  for (const l of fps) console.log(`  ${l.os} ${l.id}: ${l.got.join(', ')}`);
}
for (const s of runs.flatMap((r) => r.skipped)) console.log(`skipped: ${s}`);
if (values.json) writeFileSync(values.json, JSON.stringify(runs, null, 2));
