/**
 * The renderer build: React with Vite into out/renderer, relative paths (the app serves it from
 * its own `app://` protocol, the test harness from 127.0.0.1), every asset a file (no `data:` URLs,
 * so the CSP stays `'self'` only), and the CSP written into index.html as a meta tag.
 */
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cspMetaTag } from '../main/csp';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Puts the app's CSP into the built index.html. */
function cspMeta(): Plugin {
  return {
    name: 'divest-csp-meta',
    apply: 'build',
    transformIndexHtml: (html) =>
      html.replace('<meta charset="utf-8" />', `<meta charset="utf-8" />\n    ${cspMetaTag()}`),
  };
}

export default defineConfig({
  root: here,
  base: './',
  plugins: [react(), cspMeta()],
  build: {
    outDir: path.join(here, '../out/renderer'),
    emptyOutDir: true,
    assetsInlineLimit: 0,
    target: 'chrome120',
    reportCompressedSize: false,
    chunkSizeWarningLimit: 1000,
    rolldownOptions: { checks: { pluginTimings: false } },
  },
  logLevel: 'warn',
});
