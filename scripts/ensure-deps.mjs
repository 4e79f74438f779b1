// Installs the project's dependencies when they are missing, so that `npm start` and `npm test`
// work on a fresh clone. Electron's own binary is never downloaded here (it cannot be in restricted
// networks); see the README for installing it from a pre-downloaded zip.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Runs `npm ci` if node_modules is absent or older than package-lock.json. */
export function ensureDeps() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  if (existsSync(marker)) return;
  console.error('divest: installing dependencies (npm ci)...');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
    shell: process.platform === 'win32',
  });
  if (r.status !== 0) {
    console.error('divest: "npm ci" failed; see the messages above.');
    process.exit(r.status ?? 1);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureDeps();
