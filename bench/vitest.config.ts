import { defineConfig } from 'vitest/config';

// Benchmarks run as one long Vitest "test" per suite: they time, compare and write docs/benchmarks.md;
// they assert nothing about time.
export default defineConfig({
  test: {
    include: ['bench/**/*.bench.ts'],
    environment: 'node',
    testTimeout: 60 * 60 * 1000,
    hookTimeout: 60 * 60 * 1000,
  },
});
