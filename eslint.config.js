// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'test-results/**', '.cache/**', 'dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Tests assert on what they just built; `!` there is a readable "it must be there".
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // The engine knows nothing of Electron, React or the CLI: arrows point inward.
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron', 'electron/*', 'react', 'react-dom', 'react/*'],
              message: 'core/ must not depend on Electron or React.',
            },
            {
              group: ['**/cli/**', '**/main/**', '**/renderer/**', '**/preload/**'],
              message: 'core/ must not import from outer layers.',
            },
          ],
        },
      ],
    },
  },
  {
    // All OS commands go through the CommandRunner (argv arrays, never a shell string).
    files: ['core/**/*.ts', 'cli/**/*.ts'],
    ignores: ['core/host/runner.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'node:child_process', message: 'Run commands through core/host/runner.ts.' },
            { name: 'child_process', message: 'Run commands through core/host/runner.ts.' },
          ],
          patterns: [
            {
              group: ['electron', 'electron/*', 'react', 'react-dom', 'react/*'],
              message: 'core/ and cli/ must not depend on Electron or React.',
            },
          ],
        },
      ],
    },
  },
  {
    // The renderer is a web page: browser globals, and it talks only to window.divest. It may import
    // types from the contract (and the engine's types), never Electron, Node or engine code.
    files: ['renderer/**/*.{ts,tsx}', 'test/e2e/bridge.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    ignores: ['renderer/vite.config.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron', 'electron/*', 'node:*', 'fs', 'path', 'os', 'child_process', 'crypto'],
              message: 'The renderer has no Node and no Electron: use window.divest.',
            },
            {
              group: ['**/core/**', '**/main/**', '**/preload/**', '**/cli/**'],
              allowTypeImports: true,
              message: 'The renderer may import types only from the contract and the engine (import type).',
            },
          ],
        },
      ],
    },
  },
  {
    // The sandboxed preload may require only electron's contextBridge and ipcRenderer, and the
    // contract's dependency-free method table.
    files: ['preload/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              allowImportNames: ['contextBridge', 'ipcRenderer', 'IpcRendererEvent'],
              message: 'The preload exposes contextBridge/ipcRenderer only.',
            },
          ],
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'os', 'child_process'],
              message: 'A sandboxed preload has no Node.',
            },
            {
              group: ['**/core/**', '!**/core/api', '**/main/**', '**/renderer/**'],
              allowTypeImports: true,
              message: 'The preload imports only core/api (types from elsewhere).',
            },
          ],
        },
      ],
    },
  },
  {
    // Only the IPC module names ipcMain; everything else in main goes through the contract.
    files: ['main/**/*.ts'],
    ignores: ['main/ipc.ts', 'main/index.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              importNames: ['ipcMain', 'ipcRenderer'],
              message: 'Register IPC only in main/ipc.ts, from the contract.',
            },
            { name: 'node:child_process', message: 'Run commands through core/host/runner.ts.' },
            { name: 'child_process', message: 'Run commands through core/host/runner.ts.' },
          ],
          patterns: [
            {
              group: ['**/renderer/**', '**/preload/**', '**/cli/**'],
              message: 'main depends on core only.',
            },
          ],
        },
      ],
    },
  },
  {
    // The handlers run in the test harness too: no Electron there.
    files: [
      'main/handlers.ts',
      'main/remover.ts',
      'main/remove-worker.ts',
      'main/elevate.ts',
      'main/errors.ts',
      'main/progress-runner.ts',
      'main/csp.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'The handlers run without Electron (test harness).' }] },
      ],
    },
  },
);
