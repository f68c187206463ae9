import { defineConfig } from 'vitest/config';

// The Firefox smoke suite (tests/firefox): Debian's Firefox ESR driven by puppeteer-core over WebDriver
// BiDi (Playwright cannot drive a stock Firefox) through the built app, which server.ts serves with
// `vite preview` on the loopback. Not part of the default Vitest projects; `npm test` runs it as its own
// step after Playwright. Alone: `npx vite build && npx vitest run --config tests/firefox/vitest.config.ts`.
export default defineConfig({
  test: {
    include: ['tests/firefox/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['tests/firefox/server.ts'],
    // One Firefox at a time: the files share the preview server and the machine's cores.
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
