// Screenshots for the README and docs: written only when ALGOBOX_SCREENSHOTS is set
// (`npm run screenshots`), so ordinary test runs leave docs/screenshots untouched.
import type { Page } from '@playwright/test';

export const SHOTS_DIR = 'docs/screenshots';

export async function shot(page: Page, path: string): Promise<void> {
  if (!process.env.ALGOBOX_SCREENSHOTS) return;
  await page.screenshot({ path });
}
