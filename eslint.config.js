// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import divest from './eslint-local-rules/layers.js';

/**
 * The layer table: every file belongs to the first layer whose `files` match, and imports only what
 * that layer's `may` lists (eslint-local-rules/layers.js explains the entries). A file in no layer
 * is an error. docs/architecture.md describes the same table.
 */
const CORE = ['core/model', 'core/pure', 'core/api', 'core/runner', 'core'];
const layers = {
  // Modules a layer must name: never covered by 'node:*' or 'npm'.
  guarded: [
    'electron',
    'electron-store',
    'react',
    'react-dom',
    '@trussworks/react-uswds',
    '@uswds/uswds',
    'node:child_process',
  ],
  layers: [
    // Plain data: zod schemas and their types, no I/O.
    { name: 'core/model', files: ['core/model/**'], may: ['zod', 'core/model'] },
    // The error model and the wording of validation problems: pure too.
    {
      name: 'core/pure',
      files: ['core/errors.ts', 'core/validation.ts'],
      may: ['zod', 'core/model', 'core/pure'],
    },
    // The app's contract, shared by main, preload and (as types) the renderer.
    { name: 'core/api', files: ['core/api.ts'], may: ['zod', 'core/model', 'core/pure'] },
    // The only place processes start.
    {
      name: 'core/runner',
      files: ['core/host/runner.ts'],
      may: [...CORE, 'data', 'node:*', 'npm', 'node:child_process'],
    },
    // The engine: knows nothing of Electron, React, the CLI or the app.
    { name: 'core', files: ['core/**'], may: [...CORE, 'data', 'node:*', 'npm'] },
    { name: 'cli', files: ['cli/**'], may: [...CORE, 'cli', 'data', 'node:*', 'npm'] },
    // The only files that register IPC.
    {
      name: 'main/ipc',
      files: ['main/index.ts', 'main/ipc.ts'],
      may: [...CORE, 'main', 'main/electron', 'main/ipc', 'data', 'node:*', 'npm', 'electron'],
    },
    // Electron-only modules of the app (never loaded by the handlers or the test harness).
    {
      name: 'main/electron',
      files: [
        'main/app-protocol.ts',
        'main/menu.ts',
        'main/pdf.ts',
        'main/security.ts',
        'main/settings-store.ts',
        'main/window.ts',
      ],
      may: [
        ...CORE,
        'main',
        'main/electron',
        'data',
        'node:*',
        'npm',
        'electron-store',
        { module: 'electron', except: ['ipcMain', 'ipcRenderer'] },
      ],
    },
    // The handlers and what they use: they run in the test harness too, without Electron.
    { name: 'main', files: ['main/**'], may: [...CORE, 'main', 'data', 'node:*', 'npm'] },
    // The sandboxed preload: contextBridge, ipcRenderer and the contract's method table.
    {
      name: 'preload',
      files: ['preload/**'],
      may: ['core/api', { module: 'electron', only: ['contextBridge', 'ipcRenderer', 'IpcRendererEvent'] }],
    },
    // JSON data: the built-in catalog and the package manifest.
    { name: 'data', files: ['catalog/**', 'package.json'], may: [] },
    // Node-side build and test code: anything.
    {
      name: 'tooling',
      files: [
        'renderer/vite.config.ts',
        'test/**',
        'bench/**',
        'scripts/**',
        'build/**',
        'eslint-local-rules/**',
        '*',
      ],
      may: ['*'],
    },
    // A web page: React, USWDS, itself, and types from the contract; it talks only to window.divest.
    {
      name: 'renderer',
      files: ['renderer/**'],
      may: [
        'renderer',
        'react',
        'react-dom',
        '@trussworks/react-uswds',
        '@uswds/uswds',
        { layer: 'core/api', typeOnly: true },
      ],
    },
  ],
};

/**
 * Node's own globals (`process`, `Buffer`, `require`, ...), forbidden by name where there is no Node:
 * TypeScript files skip `no-undef`, so leaving them out of `globals` alone would not catch a use.
 * (Node's types, such as `NodeJS.Timeout`, are kept out by tsconfig.renderer.json having no `types`.)
 * @param {string} why
 */
const noNodeGlobals = (why) => [
  'error',
  ...Object.keys(globals.node)
    .filter((name) => !(name in globals.browser))
    .map((name) => ({ name, message: why })),
];
const BROWSER_FILES = ['renderer/**/*.{ts,tsx}', 'test/e2e/bridge.ts'];

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'test-results/**', '.cache/**', 'dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    plugins: { divest },
    rules: {
      'divest/layers': ['error', layers],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    ignores: BROWSER_FILES,
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // The renderer is a web page: browser globals only.
    files: BROWSER_FILES,
    ignores: ['renderer/vite.config.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'no-restricted-globals': noNodeGlobals('The renderer has no Node: use window.divest.') },
  },
  {
    // Plain data, the error model and the contract run in the renderer's type-check too.
    files: ['core/model/**/*.ts', 'core/api.ts', 'core/errors.ts', 'core/validation.ts'],
    rules: {
      'no-restricted-globals': noNodeGlobals(
        'core/model, the error model and the contract are pure: no Node.',
      ),
    },
  },
  {
    files: ['renderer/vite.config.ts'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // Tests assert on what they just built; `!` there is a readable "it must be there".
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
