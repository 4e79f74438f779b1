// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'test-results/**', '.cache/**'] },
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
);
