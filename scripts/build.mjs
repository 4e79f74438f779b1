// Bundles the CLI into one self-contained CommonJS file that runs on any Node >= 20
// (Windows, macOS, Linux): no node_modules beside it.
import { build } from 'esbuild';
import { readFileSync, chmodSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: ['cli/main.ts'],
  outfile: 'out/cli/divest.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  banner: { js: '#!/usr/bin/env node' },
  define: { __DIVEST_VERSION__: JSON.stringify(pkg.version) },
  legalComments: 'none',
  logLevel: 'warning',
});
chmodSync('out/cli/divest.cjs', 0o755);
