// Builds the desktop app into out/: the main process (one CommonJS file, conf and the engine
// bundled in; conf is ESM-only), the sandboxed preload (one CommonJS file that may require only
// "electron"), and the React renderer (Vite). `npm run build` builds the CLI; this builds the app
// (`npm run build:app`). Needs no Electron binary.
//
//   node scripts/build-app.mjs                 the release build (what electron-builder packages)
//   node scripts/build-app.mjs --e2e --out DIR the end-to-end test build, an app folder DIR (package.json
//                                              and DIR/out/; never the repository's out/): it
//                                              honours DIVEST_E2E_ELEVATE / DIVEST_E2E_HELPER, the
//                                              stand-in prompt and helper of test/electron
//   node scripts/build-app.mjs --main-only     only out/main (tests of the main bundle)
//
// The e2e hook is decided here, at build time (`__DIVEST_E2E__`), so a release bundle does not
// contain the code that reads those variables at all.
import { cpSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';

const args = process.argv.slice(2);
const e2e = args.includes('--e2e');
const outArg = args.indexOf('--out');
const root = outArg >= 0 ? path.resolve(args[outArg + 1] ?? '') : path.resolve('.');
const out = path.join(root, 'out');
if (e2e && root === path.resolve('.')) {
  console.error(
    'build-app: the e2e build goes to its own folder (--out DIR), never to out/ (which is packaged)',
  );
  process.exit(2);
}
process.env.VITE_CONFIG_NATIVE_IGNORE_WARNING = 'true';

await build({
  entryPoints: ['main/index.ts'],
  outfile: path.join(out, 'main/index.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  external: ['electron'],
  define: { __DIVEST_E2E__: e2e ? 'true' : 'false' },
  // Folds constants and drops dead branches (the e2e block of a release build); names stay readable.
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
});
if (args.includes('--main-only')) process.exit(0);

await build({
  entryPoints: ['preload/index.ts'],
  outfile: path.join(out, 'preload/index.cjs'),
  bundle: true,
  // A sandboxed preload has no Node: building for the browser makes any Node import an error here.
  platform: 'browser',
  format: 'cjs',
  target: 'chrome120',
  external: ['electron'],
  legalComments: 'none',
  logLevel: 'warning',
});

await viteBuild({
  configFile: 'renderer/vite.config.ts',
  logLevel: 'warn',
  ...(out !== path.resolve('out')
    ? { build: { outDir: path.join(out, 'renderer'), emptyOutDir: true } }
    : {}),
});

if (e2e) {
  // An app folder Electron can start: package.json (main: out/main/index.cjs) beside DIR/out/.
  mkdirSync(root, { recursive: true });
  cpSync('package.json', path.join(root, 'package.json'));
}
