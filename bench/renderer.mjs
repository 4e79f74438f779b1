// Renderer benchmark: the size of the renderer's JavaScript (gzip, what the window loads), and the
// time from a click on "Scan" to the findings shown, in real Chromium over the browser harness
// (the real handlers and engine) on a dpkg bed with Kaspersky packages. Median of several runs,
// each in a fresh page (a fresh React app). Prints figures; asserts nothing; exits 0.
//
//   npm run bench:renderer               (builds the app, then runs this with tsx)
//   BENCH_RUNS=11 npm run bench:renderer
//
// Aim: renderer JavaScript <= 300 KB gzip.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { bedFixtures, makeDpkgBed, tempDir } from '../test/beds/linux.ts';
import { startHarness } from '../test/e2e/harness.ts';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/e2e/support.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const assets = path.join(root, 'out/renderer/assets');
const runs = Number(process.env.BENCH_RUNS ?? 7);

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
let js = 0;
let jsGz = 0;
let css = 0;
let cssGz = 0;
for (const f of readdirSync(assets)) {
  const file = path.join(assets, f);
  if (f.endsWith('.js')) {
    js += statSync(file).size;
    jsGz += gzipSync(readFileSync(file), { level: 9 }).length;
  } else if (f.endsWith('.css')) {
    css += statSync(file).size;
    cssGz += gzipSync(readFileSync(file), { level: 9 }).length;
  }
}
console.log(
  `renderer JavaScript: ${kb(js)} (${kb(jsGz)} gzip; aim <= 300 KB gzip: ${jsGz <= 300 * 1024 ? 'met' : 'NOT met'})`,
);
console.log(`renderer CSS (USWDS included): ${kb(css)} (${kb(cssGz)} gzip)`);

const bed = makeDpkgBed([bedFixtures.kesl, bedFixtures.keslGui, bedFixtures.klnagent64, bedFixtures.hello]);
const data = tempDir('bench-data');
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
const harness = await startHarness({
  dataDir: data.root,
  exportFolder: data.root,
  hostRoot: bed.root,
  hostOs: 'linux',
});
const times = [];
const loads = [];
try {
  for (let i = 0; i < runs; i++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const t0 = performance.now();
    await page.goto(harness.url);
    await page.getByRole('main').getByRole('button', { name: /^Scan/ }).waitFor();
    loads.push(performance.now() - t0);
    const t1 = performance.now();
    await page.getByRole('main').getByRole('button', { name: /^Scan/ }).click();
    await page.getByText(/banned products? (is|are) installed/).waitFor({ timeout: 60_000 });
    times.push(performance.now() - t1);
    await page.close();
  }
} finally {
  await harness.close();
  await browser.close();
  bed.cleanup();
  data.cleanup();
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`page load to the Scan button: median ${median(loads).toFixed(0)} ms over ${runs} runs`);
console.log(
  `"Scan" click to findings shown (dpkg bed, 4 packages): median ${median(times).toFixed(0)} ms over ${runs} runs (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)})`,
);
