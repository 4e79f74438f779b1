// Holds the packaging configurations to what a Divest release must be, offline, with
// electron-builder's own config loader (so `extends` resolves exactly as in a build):
// - electron-builder.yml (the release) signs or refuses to build: forceCodeSigning, Windows
//   signing kept on, macOS hardened runtime, entitlements, notarisation, the stapler check
//   (scripts/after-sign.mjs), the CLI signed as a binary of its own; the secure fuses; the app's
//   name and desktop name; the CLI staged and shipped; the Linux scripts and AppArmor profile; the
//   Windows installer additions.
// - electron-builder.dev.yml (unsigned) is a different app (name, id, output) with signing off.
// `node scripts/check-release-config.mjs` prints the problems and exits 1 if there are any;
// scripts/package.mjs runs it before every release build; test/package/config.test.ts too.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The configuration in `file` as electron-builder resolves it (parents merged). */
export async function loadBuilderConfig(file, projectDir = ROOT) {
  const { getConfig } = require('app-builder-lib/out/util/config/config');
  const { log } = require('builder-util');
  const info = log.info;
  log.info = () => undefined; // "loaded configuration ..." is noise here
  try {
    return await getConfig(projectDir, path.resolve(projectDir, file), null);
  } finally {
    log.info = info;
  }
}

const SECURE_FUSES = {
  runAsNode: false,
  enableCookieEncryption: true,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  grantFileProtocolExtraPrivileges: false,
};

function fileThere(projectDir, rel, what, problems) {
  if (typeof rel !== 'string' || !existsSync(path.resolve(projectDir, rel)))
    problems.push(`${what}: ${rel} does not exist`);
}

/** Problems of the release configuration `c` (empty: fine). */
export function releaseProblems(c, projectDir = ROOT) {
  const p = [];
  const mac = c.mac ?? {};
  const win = c.win ?? {};
  const linux = c.linux ?? {};
  if (c.forceCodeSigning !== true)
    p.push('forceCodeSigning must be true: an unsigned release must fail to build');
  for (const [name, o] of [
    ['win', win],
    ['mac', mac],
    ['linux', linux],
  ])
    if (o.forceCodeSigning === false) p.push(`${name}.forceCodeSigning must not switch signing off`);
  if (win.signExecutable === false || win.signAndEditExecutable === false)
    p.push('win must sign its executables');
  if (!win.signtoolOptions && !win.azureSignOptions) p.push('win needs signtoolOptions or azureSignOptions');
  if (mac.notarize !== true) p.push('mac.notarize must be true (credentials come from the environment)');
  if (mac.hardenedRuntime !== true) p.push('mac.hardenedRuntime must be true');
  if (mac.identity === null) p.push('mac.identity must not be null (null skips signing)');
  if (!(mac.binaries ?? []).includes('Contents/Resources/bin/divest'))
    p.push('mac.binaries must list Contents/Resources/bin/divest (the CLI is a Mach-O of its own)');
  for (const key of ['entitlements', 'entitlementsInherit']) {
    fileThere(projectDir, mac[key], `mac.${key}`, p);
    const text =
      typeof mac[key] === 'string' && existsSync(path.resolve(projectDir, mac[key]))
        ? readFileSync(path.resolve(projectDir, mac[key]), 'utf8')
        : '';
    if (text && !text.includes('com.apple.security.cs.allow-jit')) p.push(`mac.${key} must allow JIT (V8)`);
    if (/get-task-allow|network\.(client|server)/.test(text)) p.push(`mac.${key} grants more than JIT`);
  }
  if (c.afterSign !== './scripts/after-sign.mjs')
    p.push('afterSign must be ./scripts/after-sign.mjs (checks notarisation)');
  else fileThere(projectDir, c.afterSign, 'afterSign', p);
  if (c.beforePack !== './scripts/before-pack.mjs')
    p.push('beforePack must be ./scripts/before-pack.mjs (stages the CLI)');
  else fileThere(projectDir, c.beforePack, 'beforePack', p);
  const cli = (c.extraResources ?? []).some(
    (r) => r && r.from === 'out/sea-stage/${os}-${arch}/bin' && r.to === 'bin',
  );
  if (!cli) p.push('extraResources must copy out/sea-stage/${os}-${arch}/bin to bin (the CLI)');
  for (const [k, v] of Object.entries(SECURE_FUSES))
    if ((c.electronFuses ?? {})[k] !== v) p.push(`electronFuses.${k} must be ${v}`);
  if (c.publish !== null) p.push('publish must be null (Divest is offline; no updater)');
  if (c.productName !== 'Divest' || c.extraMetadata?.productName !== 'Divest')
    p.push(
      'productName must be Divest, also in extraMetadata (Electron names the app from the packaged package.json)',
    );
  if (c.extraMetadata?.desktopName !== 'gov.divest.app.desktop')
    p.push('extraMetadata.desktopName must be gov.divest.app.desktop');
  if (linux.executableName !== 'divest-app')
    p.push('linux.executableName must be divest-app (/usr/bin/divest is the CLI)');
  if (linux.syncDesktopName !== true) p.push('linux.syncDesktopName must be true');
  fileThere(projectDir, linux.icon, 'linux.icon', p);
  for (const t of ['deb', 'rpm']) {
    const o = c[t] ?? {};
    fileThere(projectDir, o.afterInstall, `${t}.afterInstall`, p);
    fileThere(projectDir, o.afterRemove, `${t}.afterRemove`, p);
    fileThere(projectDir, o.appArmorProfile, `${t}.appArmorProfile`, p);
  }
  if (!(c.deb?.recommends ?? []).includes('pkexec | policykit-1'))
    p.push('deb.recommends must name "pkexec | policykit-1"');
  fileThere(projectDir, c.nsis?.include, 'nsis.include', p);
  fileThere(projectDir, c.msiProjectCreated, 'msiProjectCreated', p);
  if (win.requestedExecutionLevel !== 'asInvoker') p.push('win.requestedExecutionLevel must be asInvoker');
  return p;
}

/** Problems of the development configuration `dev` next to the release `rel`. */
export function devProblems(dev, rel) {
  const p = [];
  if (dev.forceCodeSigning !== false) p.push('the dev configuration must set forceCodeSigning: false');
  if (
    dev.productName === rel.productName ||
    dev.extraMetadata?.productName === rel.extraMetadata?.productName
  )
    p.push('the dev configuration must have its own productName (its own user data and lock)');
  if (dev.appId === rel.appId) p.push('the dev configuration must have its own appId');
  if ((dev.directories ?? {}).output === (rel.directories ?? {}).output)
    p.push('the dev configuration must write elsewhere');
  if (dev.mac?.notarize !== false || dev.mac?.identity !== null)
    p.push('the dev configuration must not sign or notarise for macOS');
  return p;
}

/** Both checks, on the files as they are. */
export async function checkConfigs(projectDir = ROOT) {
  const rel = await loadBuilderConfig('electron-builder.yml', projectDir);
  const dev = await loadBuilderConfig('electron-builder.dev.yml', projectDir);
  return [...releaseProblems(rel, projectDir), ...devProblems(dev, rel)];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const problems = await checkConfigs();
  if (problems.length) {
    console.error(`check-release-config: ${problems.length} problem(s):\n  - ${problems.join('\n  - ')}`);
    process.exit(1);
  }
  console.log(
    'check-release-config: the release configuration signs, notarises and ships the CLI; the dev configuration is a separate, unsigned app.',
  );
}
