// Fleet report benchmark: `divest report` over 10,000 signed receipts (5,000 machines, two
// receipts each, so that de-duplication works too). Prints receipts per second and the peak RSS
// of the report process; asserts nothing; exits 0. Targets (issue 13): at most 20 s and 300 MB.
//
//   npm run build && node --import tsx bench/report.mjs          (default 10,000 receipts)
//   node --import tsx bench/report.mjs --receipts 2000 --runs 3
//   node --import tsx bench/report.mjs --rebuild                 (regenerate the cached receipts)
//
// The receipts are made by the real code (test/fleet/receipts.ts: buildReceipt + signReceipt,
// findings from the Windows fixtures' matcher output), one Ed25519 key per machine, and cached
// under .cache/bench/report-<N>-v1/.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(repo, 'out/cli/divest.cjs');
const argv = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const N = arg('--receipts', 10_000);
const RUNS = arg('--runs', 3);
const dir = path.join(repo, '.cache/bench', `report-${N}-v1`);
const marker = path.join(dir, '.complete');

async function generate() {
  const { signedReceipt } = await import('../test/fleet/receipts.ts');
  const { fingerprintOf, rawPublicKey } = await import('../core/receipt/keys.ts');
  const { serializeReceipt } = await import('../core/receipt/sign.ts');
  rmSync(dir, { recursive: true, force: true });
  const stories = [
    'clean',
    'clean',
    'clean',
    'removed',
    'banned',
    'restart-pending',
    'needs-credential',
    'failed',
  ];
  const machines = Math.ceil(N / 2);
  const started = Date.now();
  let written = 0;
  for (let m = 0; m < machines && written < N; m++) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const raw = rawPublicKey(publicKey);
    const key = { privateKey, publicKey, publicKeyRaw: raw, fingerprint: fingerprintOf(raw), file: '' };
    const machineId = `${m.toString(16).padStart(8, '0')}-5921-4e03-ab3e-f5df7651996e`;
    const sub = path.join(dir, `site-${m % 50}`);
    mkdirSync(sub, { recursive: true });
    for (let k = 0; k < 2 && written < N; k++) {
      const receipt = signedReceipt(
        {
          machineId,
          hostname: `ws-${m}`,
          story: stories[(m + k) % stories.length],
          issuedAt: new Date(Date.UTC(2026, 10, 1 + k * 14, 8, m % 60)).toISOString(),
        },
        key,
      );
      writeFileSync(path.join(sub, `ws-${m}-${k}.json`), serializeReceipt(receipt));
      written++;
    }
  }
  writeFileSync(marker, `${new Date().toISOString()}\n`);
  return { written, ms: Date.now() - started };
}

function runReport() {
  const out = mkdtempSync(path.join(tmpdir(), 'divest-bench-report-'));
  try {
    const hook =
      "data:text/javascript,process.on('exit',()=>{const u=process.resourceUsage();process.stderr.write('\\nMAXRSS_KB '+u.maxRSS+' CPU_US '+(u.userCPUTime+u.systemCPUTime)+'\\n')})";
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ['--import', hook, cli, 'report', dir, '--out', out], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const rss = Number(/MAXRSS_KB (\d+)/.exec(r.stderr)?.[1] ?? NaN) / 1024;
    const cpu = Number(/CPU_US (\d+)/.exec(r.stderr)?.[1] ?? NaN) / 1e6;
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
    return { ms, rss, cpu, status: r.status, hosts: report.summary.hosts, files: report.inputs.filesRead };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

if (!existsSync(cli)) {
  console.log(`${path.relative(repo, cli)} is missing: run "npm run build" first. Nothing measured.`);
  process.exit(0);
}
console.log(
  `Divest report benchmark: node ${process.version}, ${process.platform}/${process.arch}, ${N} receipts, ${RUNS} runs, load average ${existsSync('/proc/loadavg') ? readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') : 'unknown'}`,
);
if (argv.includes('--rebuild') || !existsSync(marker)) {
  const g = await generate();
  console.log(
    `  generated ${g.written} signed receipts in ${(g.ms / 1000).toFixed(1)} s into ${path.relative(repo, dir)}`,
  );
} else console.log(`  using the cached receipts in ${path.relative(repo, dir)}`);
const runs = [];
for (let i = 0; i < RUNS; i++) runs.push(runReport());
for (const r of runs)
  console.log(
    `  report: ${(r.ms / 1000).toFixed(2)} s, ${Math.round((r.files / r.ms) * 1000)} receipts/s, peak RSS ${r.rss.toFixed(0)} MB, CPU ${r.cpu.toFixed(1)} s, exit ${r.status}, ${r.hosts} machines from ${r.files} files`,
  );
const best = runs.reduce((a, b) => (a.ms < b.ms ? a : b));
console.log(
  `Best: ${(best.ms / 1000).toFixed(2)} s (target 20 s), ${Math.round((best.files / best.ms) * 1000)} receipts/s, peak RSS ${Math.max(...runs.map((r) => r.rss)).toFixed(0)} MB (target 300 MB)`,
);
