import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Tiers that build real package databases spawn many processes; two cores.
    maxWorkers: 2,
    projects: [
      {
        // Engine, CLI, main-process and end-to-end tests: Node, no DOM.
        extends: true,
        test: { name: 'node', include: ['test/**/*.test.ts'], environment: 'node' },
      },
      {
        // The React screens: jsdom and Testing Library.
        extends: true,
        plugins: [react()],
        test: {
          name: 'renderer',
          include: ['test/renderer/**/*.test.tsx'],
          environment: 'jsdom',
          setupFiles: ['test/renderer/setup.ts'],
        },
      },
    ],
  },
});
