// The cells-like test image of the app tests (Chromium: tests/e2e/app.spec.ts; Firefox: tests/firefox/app.test.ts).
import { ndarray, type NDArray } from '../../../src/core/ndarray';

/** A uint16 w × h image: discs [cx, cy, r] (+2500) on a dim ramp (800 + 4·x) with noise (0…199, an LCG from `seed`). */
export function cellsImage(w: number, h: number, discs: readonly (readonly [number, number, number])[], seed: number): NDArray<'uint16'> {
  const d = new Uint16Array(w * h);
  let s = seed;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      s = (s * 1103515245 + 12345) % 2147483648;
      let v = 800 + 4 * x + ((s >>> 8) % 200);
      for (const [cx, cy, r] of discs) if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) v += 2500;
      d[y * w + x] = v;
    }
  return ndarray('uint16', [h, w], d);
}
