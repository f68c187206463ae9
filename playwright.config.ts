import { defineConfig } from '@playwright/test';

const port = Number(process.env.ALGOBOX_E2E_PORT ?? 4173);
// A separate build folder lets several builds and test runs coexist (ALGOBOX_DIST=/tmp/dist-x).
const dist = process.env.ALGOBOX_DIST ?? 'dist';

export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 120_000,
  workers: 1,
  fullyParallel: false,
  retries: 0,
  reporter: process.env.CI ? [['list'], ['json', { outputFile: 'reports/e2e.json' }]] : [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}/`,
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    // The production build registers a service worker (offline use). Specs run without it, so that
    // page.route() sees every request and no test depends on what an earlier one cached; each test
    // has a fresh context anyway. tests/e2e/offline.spec.ts allows it.
    serviceWorkers: 'block',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--disable-quic', '--enable-unsafe-webgpu'],
    },
  },
  webServer: {
    command: `npx vite preview --host 127.0.0.1 --port ${port} --strictPort --outDir ${dist}`,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
});
