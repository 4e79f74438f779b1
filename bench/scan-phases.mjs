// Where `divest scan` spends its time on the 5,000-package dpkg bed of bench/scan.mjs, and what the
// single executable (out/sea/divest-linux-x64, V8 code cache) changes. Prints medians; asserts
// nothing; exits 0.
//
//   npm run build && node bench/scan.mjs --runs 1 (builds the bed) && node bench/scan-phases.mjs [--runs 15]
//   npm run build:sea first to include the single executable.
//
// Phases, each the difference between two whole-process runs (medians, alternated):
//   node start                node -e 0
//   bundle load and compile   divest --version            minus node start
//   workspace and catalog     divest scan, journal off     minus --version minus the scan's durationMs
//   probe and matching        the scan's own durationMs (reading dpkg's database, matching)
//   journal                   divest scan, journal on      minus journal off (two appends, each fsync'd),
//                             in a new data folder each run; "growing journal" reuses one folder
// "Journal off" is a data folder that cannot exist (under /proc): the scan is not recorded and
// says so, as it does for a user without rights to the data folder.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(repo, 'out/cli/divest.cjs');
const sea = path.join(repo, 'out/sea/divest-linux-x64');
const root = path.join(repo, '.cache/bench/dpkg-5000-v1/root');
const argv = process.argv.slice(2);
const runsArg = argv.indexOf('--runs');
const RUNS = runsArg >= 0 ? Number(argv[runsArg + 1]) : 11;

function time(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, r };
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (ms) => `${ms.toFixed(1).padStart(7)} ms`;

/** Median time of each named command, run in turns so that machine drift hits all alike. */
function measure(cases) {
  const out = Object.fromEntries(cases.map((c) => [c.name, { ms: [], internal: [] }]));
  const argsOf = (c, i) => (c.args instanceof Function ? c.args(i) : c.args);
  for (const c of cases) time(c.cmd, argsOf(c, -1)); // warm-up
  for (let i = 0; i < RUNS; i++)
    for (const c of cases) {
      const { ms, r } = time(c.cmd, argsOf(c, i));
      out[c.name].ms.push(ms);
      if (c.json) {
        try {
          out[c.name].internal.push(JSON.parse(r.stdout).durationMs);
        } catch {
          throw new Error(`${c.name}: no JSON (exit ${r.status}): ${r.stderr.slice(0, 300)}`);
        }
      }
    }
  return Object.fromEntries(
    Object.entries(out).map(([k, v]) => [
      k,
      { ms: median(v.ms), internal: v.internal.length ? median(v.internal) : 0 },
    ]),
  );
}

function fsyncCost(dir) {
  const f = path.join(dir, 'fsync-probe');
  const ms = [];
  for (let i = 0; i < 20; i++) {
    const t0 = process.hrtime.bigint();
    const fd = openSync(f, 'a');
    writeSync(fd, `${'x'.repeat(300)}\n`);
    fsyncSync(fd);
    closeSync(fd);
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(ms);
}

if (!existsSync(cli) || !existsSync(root)) {
  console.log(
    'Needs out/cli/divest.cjs (npm run build) and the bed of bench/scan.mjs (node bench/scan.mjs --runs 1). Nothing measured.',
  );
  process.exit(0);
}
const data = mkdtempSync(path.join(tmpdir(), 'divest-phases-'));
try {
  const scanArgs = (dataDir) => [
    'scan',
    '--json',
    '--host-root',
    root,
    '--host-os',
    'linux',
    '--data-dir',
    dataDir,
  ];
  const off = '/proc/divest-no-such-folder';
  const cases = [
    { name: 'node -e 0', cmd: process.execPath, args: ['-e', '0'] },
    {
      name: 'dpkg-query -W',
      cmd: 'dpkg-query',
      args: [`--admindir=${path.join(root, 'var/lib/dpkg')}`, '-W'],
    },
    { name: 'node divest.cjs --version', cmd: process.execPath, args: [cli, '--version'] },
    {
      name: 'node divest.cjs scan (journal off)',
      cmd: process.execPath,
      args: [cli, ...scanArgs(off)],
      json: true,
    },
    {
      name: 'node divest.cjs scan',
      cmd: process.execPath,
      args: (i) => [cli, ...scanArgs(path.join(data, `n${i}`))],
      json: true,
    },
    // The same data folder every run: the journal grows (2 events per scan), as on a machine scanned daily.
    {
      name: 'node divest.cjs scan, growing journal',
      cmd: process.execPath,
      args: [cli, ...scanArgs(path.join(data, 'grow'))],
      json: true,
    },
  ];
  if (existsSync(sea))
    cases.push(
      { name: 'sea --version', cmd: sea, args: ['--version'] },
      { name: 'sea scan (journal off)', cmd: sea, args: scanArgs(off), json: true },
      { name: 'sea scan', cmd: sea, args: (i) => scanArgs(path.join(data, `s${i}`)), json: true },
    );
  const m = measure(cases);
  const base = m['node -e 0'].ms + m['dpkg-query -W'].ms;
  console.log(
    `Divest scan phases: node ${process.version}, ${RUNS} runs, 5,000-package dpkg bed${existsSync(sea) ? ', with the SEA' : ' (no out/sea/divest-linux-x64: npm run build:sea)'}`,
  );
  for (const [k, v] of Object.entries(m))
    console.log(
      `  ${k.padEnd(36)} ${fmt(v.ms)}${v.internal ? `   (scan durationMs ${fmt(v.internal)})` : ''}`,
    );
  const phases = (label, version, off, on) => {
    const start = m['node -e 0'].ms;
    console.log(
      `\n${label}: ${fmt(m[on].ms)} = ${(m[on].ms / base).toFixed(2)} x the baseline (node -e 0 + dpkg-query -W = ${fmt(base).trim()}; aim <= 1.5)`,
    );
    console.log(`  node start                 ${fmt(start)}`);
    console.log(`  bundle load and compile    ${fmt(m[version].ms - start)}`);
    console.log(`  workspace, catalog, output ${fmt(m[off].ms - m[version].ms - m[off].internal)}`);
    console.log(`  probe and matching         ${fmt(m[off].internal)}`);
    console.log(`  journal (2 fsync'd appends)${fmt(m[on].ms - m[off].ms)}`);
  };
  phases(
    'node divest.cjs scan',
    'node divest.cjs --version',
    'node divest.cjs scan (journal off)',
    'node divest.cjs scan',
  );
  if (existsSync(sea))
    phases('single executable scan', 'sea --version', 'sea scan (journal off)', 'sea scan');
  const grown = m['node divest.cjs scan, growing journal'].ms - m['node divest.cjs scan'].ms;
  console.log(
    `\nA journal grown by ${RUNS + 1} scans adds ${fmt(grown).trim()} to a scan: the first append of a process verifies the whole file.`,
  );
  console.log(`One write+fsync in ${tmpdir()}: ${fmt(fsyncCost(data)).trim()} (median of 20)`);
} finally {
  rmSync(data, { recursive: true, force: true });
}
