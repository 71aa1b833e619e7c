import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

/**
 * One runner, four projects:
 * - core:     engine, providers, simulator, headless — plain Node against the real simulator
 * - renderer: React components and the zustand store in jsdom
 * - electron: main/preload glue with `electron` mocked (no binary exists on these machines)
 * - e2e:      the built renderer in Debian's Chromium via Playwright, bridged to a real
 *             engine + simulator; and the _electron spec, which skips without a binary
 */
export default defineConfig({
  plugins: [react()],
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'core',
          environment: 'node',
          include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'renderer',
          environment: 'jsdom',
          include: ['test/renderer/**/*.test.{ts,tsx}'],
        },
      },
      {
        extends: true,
        test: {
          name: 'electron',
          environment: 'node',
          include: ['test/electron/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/globalSetup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
