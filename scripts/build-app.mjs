// Builds the desktop app into out/: the main process (one CommonJS file, electron-store and the
// engine bundled in; electron-store is ESM-only), the sandboxed preload (one CommonJS file that may
// require only "electron"), and the React renderer (Vite). `npm run build` builds the CLI; this
// builds the app (`npm run build:app`). Needs no Electron binary.
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';

process.env.VITE_CONFIG_NATIVE_IGNORE_WARNING = 'true';

await build({
  entryPoints: ['main/index.ts'],
  outfile: 'out/main/index.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  external: ['electron'],
  legalComments: 'none',
  logLevel: 'warning',
});

await build({
  entryPoints: ['preload/index.ts'],
  outfile: 'out/preload/index.cjs',
  bundle: true,
  // A sandboxed preload has no Node: building for the browser makes any Node import an error here.
  platform: 'browser',
  format: 'cjs',
  target: 'chrome120',
  external: ['electron'],
  legalComments: 'none',
  logLevel: 'warning',
});

await viteBuild({ configFile: 'renderer/vite.config.ts', logLevel: 'warn' });
