// Static security checks of the Electron configuration, offline:
// 1. Electronegativity (doyensec) over the main process, the preload and the built page, with the
//    Electron version given (so it does not look it up) and the one check that needs the network
//    (AVAILABLE_SECURITY_FIXES) left out. Every finding must be listed, with its justification, in
//    docs/electronegativity-accepted.md (check id and file); any other finding fails.
// 2. Our own checks over main/ and preload/: no weakened webPreferences, no remote URL loaded, no
//    shell.openExternal, the preload exposes `divest` and nothing else.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const electronVersion = JSON.parse(
  readFileSync(path.join(root, 'node_modules/electron/package.json'), 'utf8'),
).version;
const problems = [];

/** Splits CSV text into records (double-quoted fields may hold commas, doubled quotes and newlines). */
function csvRecords(text) {
  const records = [];
  let row = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cur.trim());
      cur = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cur.trim());
      if (row.some((f) => f !== '')) records.push(row);
      row = [];
      cur = '';
    } else cur += c;
  }
  row.push(cur.trim());
  if (row.some((f) => f !== '')) records.push(row);
  return records;
}

// --- 2. Our own checks ---
const FORBIDDEN = [
  [/nodeIntegration\s*:\s*true/, 'nodeIntegration: true'],
  [/contextIsolation\s*:\s*false/, 'contextIsolation: false'],
  [/sandbox\s*:\s*false/, 'sandbox: false'],
  [/webSecurity\s*:\s*false/, 'webSecurity: false'],
  [/allowRunningInsecureContent\s*:\s*true/, 'allowRunningInsecureContent: true'],
  [/experimentalFeatures\s*:\s*true/, 'experimentalFeatures: true'],
  [/enableBlinkFeatures/, 'enableBlinkFeatures'],
  [/webviewTag\s*:\s*true/, 'webviewTag: true'],
  [/openExternal\s*\(/, 'shell.openExternal'],
  [/loadURL\(\s*['"`]https?:/, 'a remote URL loaded'],
  [/setCertificateVerifyProc/, 'a certificate verifier'],
  [/exposeInMainWorld\(\s*['"](?!divest['"])/, 'something other than window.divest exposed'],
  [/\bipcRenderer\b[^;]*exposeInMainWorld|exposeInMainWorld\([^)]*ipcRenderer\s*\)/, 'ipcRenderer exposed'],
];
const sources = ['main', 'preload'].flatMap((d) =>
  readdirSync(path.join(root, d), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(d, f)),
);
for (const rel of sources) {
  const text = readFileSync(path.join(root, rel), 'utf8');
  for (const [re, what] of FORBIDDEN) if (re.test(text)) problems.push(`${rel}: ${what}`);
}
const preload = readFileSync(path.join(root, 'preload/index.ts'), 'utf8');
if ((preload.match(/exposeInMainWorld/g) ?? []).length !== 1)
  problems.push('preload/index.ts: expose exactly one API');
// The built main bundle: no electron-store IPC listener (it would answer any renderer), and the
// release build carries no trace of the e2e stand-in prompt.
const mainBundle = path.join(root, 'out/main/index.cjs');
if (!existsSync(mainBundle)) problems.push('out/main/index.cjs is missing: run npm run build:app first');
else {
  const text = readFileSync(mainBundle, 'utf8');
  if (text.includes('electron-store-get-data'))
    problems.push("out/main/index.cjs registers electron-store's IPC listener (use conf directly)");
  if (text.includes('DIVEST_E2E_ELEVATE'))
    problems.push(
      'out/main/index.cjs is an e2e build (it reads DIVEST_E2E_ELEVATE): rebuild with npm run build:app',
    );
}
const page = path.join(root, 'out/renderer/index.html');
if (!existsSync(page)) problems.push('out/renderer/index.html is missing: run npm run build:app first');
else if (
  !/http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'/.test(
    readFileSync(page, 'utf8'),
  )
)
  problems.push('out/renderer/index.html: the CSP meta tag is missing or weakened');

// --- 1. Electronegativity ---
const accepted = new Set();
for (const line of readFileSync(path.join(root, 'docs/electronegativity-accepted.md'), 'utf8').split('\n')) {
  const m = /^\|\s*`([A-Z_]+)`\s*\|\s*`([^`]+)`\s*\|/.exec(line);
  if (m) accepted.add(`${m[1]} ${m[2]}`);
}
const stage = mkdtempSync(path.join(tmpdir(), 'divest-eng-'));
try {
  for (const d of ['main', 'preload']) cpSync(path.join(root, d), path.join(stage, d), { recursive: true });
  if (existsSync(page)) {
    mkdirSync(path.join(stage, 'renderer'));
    cpSync(page, path.join(stage, 'renderer/index.html'));
  }
  const cli = require.resolve('@doyensec/electronegativity/dist/index.js');
  const csv = path.join(stage, 'report.csv');
  // Electronegativity 1.10.3 sometimes writes a row without its first four fields (seen here about
  // once in three runs, always the same finding); such a report is not evidence of anything, so the
  // run is repeated, up to three times, until every row has its eight fields.
  let r;
  let records = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    rmSync(csv, { force: true });
    r = spawnSync(
      process.execPath,
      [cli, '-i', stage, '-e', electronVersion, '-x', 'AvailableSecurityFixesGlobalCheck', '-o', csv],
      { encoding: 'utf8', timeout: 180_000 },
    );
    if (r.status !== 0 || !existsSync(csv)) break;
    records = csvRecords(readFileSync(csv, 'utf8')).slice(1);
    if (records.every((row) => row.length === 8)) break;
    if (attempt === 3) problems.push('electronegativity wrote a malformed report three times in a row');
  }
  if (r.status !== 0 || !existsSync(csv)) {
    problems.push(`electronegativity did not run (exit ${r.status}): ${r.stderr || r.stdout}`);
  } else {
    const rows = records;
    const before = problems.length;
    for (const row of rows) {
      const [id = '', , , file = ''] = row;
      const rel = file === 'N/A' ? 'N/A' : path.relative(stage, file);
      if (!accepted.has(`${id} ${rel}`))
        problems.push(
          `electronegativity: ${id} in ${rel} is not accepted in docs/electronegativity-accepted.md: ${row.join(' | ')}`,
        );
    }
    if (problems.length === before)
      console.log(
        `check-electron: electronegativity ${electronVersion}: ${rows.length} finding(s), all accepted with a reason.`,
      );
  }
} finally {
  rmSync(stage, { recursive: true, force: true });
}

if (problems.length) {
  console.error(`check-electron: ${problems.length} problem(s):\n  - ${problems.join('\n  - ')}`);
  process.exit(1);
}
console.log(
  `check-electron: ${sources.length} main/preload files checked; window options, CSP and preload are as required.`,
);
