// `npm start`: set up and run Divest. Installs dependencies if needed, builds the CLI, and opens the
// desktop app where Electron's binary is available; otherwise says exactly what is missing and how to
// install it from a pre-downloaded Electron zip, then runs the command-line scan of this machine.
// Never prints a stack trace: every failure is one sentence and an exit code.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDeps } from './ensure-deps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const say = (line = '') => console.error(line ? `divest: ${line}` : '');

/** The Electron executable, found without triggering the electron package's own download. */
function electronBinary() {
  const dir = path.join(root, 'node_modules', 'electron');
  if (!existsSync(path.join(dir, 'package.json')))
    return { missing: 'the electron package is not installed (run "npm install")' };
  const version = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
  const pathTxt = path.join(dir, 'path.txt');
  const defaultExe =
    { win32: 'electron.exe', darwin: 'Electron.app/Contents/MacOS/Electron' }[process.platform] ?? 'electron';
  const rel = existsSync(pathTxt) ? readFileSync(pathTxt, 'utf8').trim() : defaultExe;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const exe = override ? path.join(override, rel) : path.join(dir, 'dist', rel);
  return existsSync(exe) ? { exe, version } : { missing: `Electron ${version}'s binary (${exe})`, version };
}

function howToInstall(version) {
  const v = version ?? '<version>';
  const plat = { win32: 'win32', darwin: 'darwin', linux: 'linux' }[process.platform] ?? process.platform;
  const zip = `electron-v${v}-${plat}-${process.arch}.zip`;
  return [
    `The desktop app needs Electron's own binary, which npm does not download here (no network beyond the npm registry).`,
    `Get ${zip} (the official release zip, from a machine that has the Internet or from your software mirror), then one of:`,
    `  1. Unzip it to a folder and point Electron at it (nothing else to install):`,
    `       unzip ${zip} -d ~/electron-${v}`,
    `       ELECTRON_OVERRIDE_DIST_PATH=~/electron-${v} npm start`,
    `  2. Serve the zip from an internal web server and let Electron's installer fetch it there:`,
    `       ELECTRON_MIRROR=https://<your-mirror>/electron/ ELECTRON_CUSTOM_DIR='{{ version }}' npx install-electron`,
    `  3. Put it into Electron's download cache (the layout @electron/get expects) and install from the cache:`,
    `       electron_config_cache=<cache folder> npx install-electron`,
    `Then run "npm start" again.`,
  ];
}

function run(command, args, options = {}) {
  const r = spawnSync(command, args, {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
    ...options,
  });
  if (r.error) {
    say(`could not run ${command}: ${r.error.message}`);
    return 1;
  }
  return r.status ?? 1;
}

function cliScan() {
  say(
    'running the command-line scan of this machine instead (for every command: node out/cli/divest.cjs --help)',
  );
  say();
  const scan = spawnSync(
    process.execPath,
    [path.join(root, 'out/cli/divest.cjs'), 'scan', ...process.argv.slice(2)],
    {
      stdio: 'inherit',
    },
  );
  return scan.status ?? 1;
}

function main() {
  ensureDeps();
  if (run(npm, ['run', 'build', '--silent']) !== 0) {
    say('building the command-line tool failed; see the messages above.');
    return 1;
  }
  const electron = electronBinary();
  if ('missing' in electron) {
    say(`the desktop app cannot start: missing ${electron.missing}.`);
    for (const line of howToInstall(electron.version)) say(line);
    say();
    return cliScan();
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    say(
      'the desktop app needs a display (no DISPLAY or WAYLAND_DISPLAY is set): start it from a desktop session, or under "xvfb-run npm start".',
    );
    return cliScan();
  }
  if (run(process.execPath, ['scripts/build-app.mjs']) !== 0) {
    say('building the desktop app failed; see the messages above.');
    return 1;
  }
  say(`starting the desktop app (Electron ${electron.version})`);
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  // Chromium refuses to run as root with its sandbox; the app's own renderer sandbox stays on.
  const args = [
    ...(process.platform === 'linux' && asRoot ? ['--no-sandbox'] : []),
    root,
    ...process.argv.slice(2),
  ];
  const app = spawnSync(electron.exe, args, { cwd: root, stdio: 'inherit' });
  if (app.error) {
    say(`could not start Electron (${electron.exe}): ${app.error.message}`);
    return cliScan();
  }
  return app.status ?? 0;
}

try {
  process.exitCode = main();
} catch (e) {
  say(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
}
