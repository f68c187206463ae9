// The tv_denoising run of the app tests, shared by the Chromium (Playwright, tests/e2e/app.spec.ts) and
// Firefox (puppeteer, tests/firefox/app.test.ts) runs: what the run must write, computed in Node, and
// the grey levels its before/after viewer shows.
import { ndarray, type NDArray } from '../../../src/core/ndarray';
import { denoiseTvChambolle } from '../../../src/sdk/image/restoration';

/** The stack [n, h, w] as the run treats it: normalised over the stack, each slice denoised, the result normalised. */
export function tvDenoisedStack(raw: NDArray, weight: number): number[] {
  const [n, h, w] = raw.shape as [number, number, number];
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of raw.data) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  const norm = Float64Array.from(raw.data, (v) => (v - lo) / (hi - lo));
  const den = Array.from({ length: n }, (_, i) =>
    Array.from(denoiseTvChambolle(ndarray('float64', [h, w], norm.subarray(i * h * w, (i + 1) * h * w)), { weight }).data),
  ).flat();
  const dlo = Math.min(...den);
  const dhi = Math.max(...den);
  return den.map((v) => (v - dlo) / (dhi - dlo));
}

/** The red values of the viewer's canvas at four pixels of the discs and the background (more than one: not blank). */
export async function sampledReds(pixel: (x: number, y: number) => Promise<number[]>): Promise<Set<number>> {
  const values = new Set<number>();
  for (const [x, y] of [
    [12, 12],
    [2, 2],
    [40, 30],
    [30, 5],
  ] as const)
    values.add((await pixel(x, y))[0]!);
  return values;
}
