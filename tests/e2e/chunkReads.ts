// What the viewer read from storage: algobox.stats().chunks counts every chunk record read and keeps the
// recent ones as `<array id>/<zarr key>`.
import { expect, type Page } from '@playwright/test';

/** The chunk reads so far: their count and the recent keys. */
export async function chunkReads(page: Page): Promise<{ reads: number; recent: string[] }> {
  return page.evaluate(async () => (await window.algobox.stats()).chunks);
}

/** The chunk records read since `from` (a count from chunkReads()), oldest first. */
export async function readsSince(page: Page, from: number): Promise<string[]> {
  const s = await chunkReads(page);
  expect(s.reads - from).toBeLessThanOrEqual(s.recent.length);
  return s.recent.slice(s.recent.length - (s.reads - from));
}
