// Shared by the end-to-end specs.
import { expect, type Page } from '@playwright/test';

/** Open the app, wait for the engine, and collect console errors and page errors. */
export async function openApp(page: Page, path = '/'): Promise<string[]> {
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(path);
  await page.waitForFunction(() => (window as unknown as { algobox?: unknown }).algobox !== undefined);
  await page.evaluate(() => window.algobox.ready);
  await expect(page.getByTestId('engine-ready')).toBeVisible();
  return problems;
}
