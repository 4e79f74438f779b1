// Builds the desktop packages: `node scripts/package.mjs [electron-builder arguments]`, e.g.
// `node scripts/package.mjs --linux deb rpm` or `--win` or `--mac`.
//
// By default it builds a RELEASE (electron-builder.yml): the configuration is checked first
// (scripts/check-release-config.mjs), and electron-builder then refuses to finish without the
// signing certificate and, for macOS, the notarisation credentials. An unsigned build is an
// explicit development choice: DIVEST_UNSIGNED=1 selects electron-builder.dev.yml ("Divest Dev",
// its own app id and user data; never ship it). Either way the app is built first (out/), and the
// CLI must have been built with `npm run build:sea` (scripts/before-pack.mjs checks it).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, checkConfigs } from './check-release-config.mjs';

const require = createRequire(import.meta.url);

/** The configuration file for this environment; anything but unset or "1" is refused. */
export function chooseConfig(env) {
  const v = env.DIVEST_UNSIGNED;
  if (v === undefined || v === '') return { file: 'electron-builder.yml', release: true };
  if (v === '1') return { file: 'electron-builder.dev.yml', release: false };
  throw new Error(
    `DIVEST_UNSIGNED must be 1 (an unsigned development build) or unset (a signed release), not "${v}"`,
  );
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.error) throw new Error(`could not run ${cmd}: ${r.error.message}`);
  return r.status ?? 1;
}

async function main() {
  const choice = chooseConfig(process.env);
  if (choice.release) {
    const problems = await checkConfigs();
    if (problems.length) {
      console.error(`package: the release configuration is not fit to ship:\n  - ${problems.join('\n  - ')}`);
      return 1;
    }
    console.error(
      'package: building a signed RELEASE (electron-builder.yml); DIVEST_UNSIGNED=1 builds an unsigned development package instead.',
    );
  } else
    console.error(
      'package: building an UNSIGNED development package (electron-builder.dev.yml): never ship it.',
    );
  if (run(process.execPath, ['scripts/build-app.mjs']) !== 0) return 1;
  const cli = require.resolve('electron-builder/cli.js');
  return run(process.execPath, [cli, '--config', choice.file, ...process.argv.slice(2)]);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = await main();
  } catch (e) {
    console.error(`package: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  }
}
