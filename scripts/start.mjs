// `npm start`: set up and run Divest. Installs dependencies if needed, builds, and opens the
// desktop app where Electron's binary is available; otherwise says what is missing and runs the
// command-line scan of this machine instead.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDeps } from './ensure-deps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
ensureDeps();

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const build = spawnSync(npm, ['run', 'build', '--silent'], {
  cwd: root,
  stdio: 'inherit',
  shell: process.platform === 'win32',
});
if (build.status !== 0) process.exit(build.status ?? 1);

// The desktop app is launched here once it exists (issue 5); until then, the CLI scan.
console.error(
  'divest: the desktop app is not built in this version; running the command-line scan of this machine.',
);
console.error('divest: (for every command: node out/cli/divest.cjs --help)\n');
const scan = spawnSync(
  process.execPath,
  [path.join(root, 'out/cli/divest.cjs'), 'scan', ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
process.exit(scan.status ?? 1);
