// Press Run on the toolchain page and wait for the new run to end; returns its id.
import { expect, type Page } from '@playwright/test';

export async function runFromPage(page: Page, timeout = 120_000): Promise<string> {
  const run = page.getByTestId('tc-run');
  const before = (await run.count()) ? await run.getAttribute('data-run-id') : null;
  await page.getByTestId('tc-run-button').click();
  await expect(run).toBeVisible();
  await expect.poll(() => run.getAttribute('data-run-id')).not.toBe(before);
  await expect(page.getByTestId('tc-run-status')).toHaveText(/done|failed|cancelled/, { timeout });
  return (await run.getAttribute('data-run-id'))!;
}
