import { defineConfig } from 'vitest/config';

// The browser suite: a real Chromium walks the connect flow (npm run test:e2e).
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts', 'test/e2e/require-chromium.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    maxWorkers: 1,
  },
});
