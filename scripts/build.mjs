// Bundles the CLI into one self-contained CommonJS file that runs on any Node >= 20
// (Windows, macOS, Linux): no node_modules beside it.
//
// The built-in catalog is validated here, once, and embedded already parsed: a malformed catalog
// fails the build with the same message `divest` would print, and the CLI does not pay for
// validating its own data at every start.
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

async function compiledCatalog() {
  const out = await build({
    entryPoints: ['core/catalog/load.ts'],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    logLevel: 'warning',
  });
  const mod = { exports: {} };
  new Function('module', 'exports', 'require', out.outputFiles[0].text)(mod, mod.exports, require);
  try {
    return JSON.stringify(mod.exports.loadBuiltInCatalog());
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}

await build({
  entryPoints: ['cli/bin.ts'],
  outfile: 'out/cli/divest.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  banner: { js: '#!/usr/bin/env node' },
  define: {
    'globalThis.__DIVEST_BUNDLED__': 'true',
    'globalThis.__DIVEST_BUILTIN_CATALOG__': JSON.stringify(await compiledCatalog()),
  },
  legalComments: 'none',
  minify: true,
  keepNames: true,
  logLevel: 'warning',
});
chmodSync('out/cli/divest.cjs', 0o755);
