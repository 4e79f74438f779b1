// Bundles the CLI into one self-contained CommonJS file that runs on any Node >= 20
// (Windows, macOS, Linux): no node_modules beside it.
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';

await build({
  entryPoints: ['cli/bin.ts'],
  outfile: 'out/cli/divest.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  banner: { js: '#!/usr/bin/env node' },
  legalComments: 'none',
  logLevel: 'warning',
});
chmodSync('out/cli/divest.cjs', 0o755);
