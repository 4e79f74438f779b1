/**
 * What the end-to-end tests share: the system Chromium and its flags, the renderer build, and
 * the bed change that makes ClamAV active.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { skipReason, writeIntoRoot } from '../beds/linux';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The system Chromium (Debian's package). */
export const CHROMIUM = process.env.DIVEST_CHROMIUM ?? '/usr/bin/chromium';
/** Flags for a quiet, offline, container-friendly Chromium. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Why the Chromium tests cannot run here (false: they can; in CI they must). */
export function chromiumSkip(): string | false {
  const dpkg = skipReason(['dpkg', 'dpkg-deb', 'dpkg-query']);
  if (existsSync(CHROMIUM)) return dpkg;
  const reason = `${CHROMIUM} is not installed (apt-get install -y chromium)`;
  if (process.env.CI) return false; // CI must have it: the launch below then fails loudly.
  console.warn(`[e2e chromium] skipping: ${reason}`);
  return reason;
}

/** Builds the app (renderer included) when out/renderer is missing. */
export function ensureBuiltRenderer(): void {
  if (existsSync(path.join(repo, 'out/renderer/index.html'))) return;
  const r = spawnSync(process.execPath, ['scripts/build-app.mjs'], { cwd: repo, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`scripts/build-app.mjs failed:\n${r.stderr}${r.stdout}`);
}

/** Makes ClamAV active in a bed: signatures present and fresh, the updater enabled. */
export function activateClamav(root: string): void {
  writeIntoRoot(root, {
    '/var/lib/clamav/main.cvd': 'ClamAV-VDB fixture\n',
    '/var/lib/clamav/daily.cvd': 'ClamAV-VDB fixture\n',
    '/etc/systemd/system/multi-user.target.wants/clamav-freshclam.service':
      '[Unit]\nDescription=ClamAV updater (fixture)\n',
  });
}
