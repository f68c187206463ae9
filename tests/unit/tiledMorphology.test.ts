// Mask cleanup tile by tile (issue 13: mask_cleanup with connected components across chunk borders):
// equal to the whole-plane kernels (themselves scikit-image / scipy parity tested) for any tiling.
import { describe, expect, it } from 'vitest';
import { ndarray, type NDArray } from '../../src/core/ndarray';
import { mulberry32 } from '../../src/core/sampleData';
import { binaryFillHoles, removeSmallObjects } from '../../src/sdk/image/morphology';
import { cleanMaskSlices } from '../../src/sdk/image/sliceMorphology';
import { cleanMaskTiled } from '../../src/sdk/image/tiledMorphology';

/** A random blobby mask: a few filled discs and rings (holes) plus speckle, so components and holes cross tiles. */
function blobs(h: number, w: number, seed: number): NDArray<'uint8'> {
  const rnd = mulberry32(seed);
  const a = ndarray('uint8', [h, w]);
  for (let d = 0; d < 14; d++) {
    const cy = rnd() * h;
    const cx = rnd() * w;
    const r = 3 + rnd() * 18;
    const ring = rnd() < 0.4;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const dist = Math.hypot(y - cy, x - cx);
        if (dist <= r && (!ring || dist >= r * 0.55)) a.data[y * w + x] = 1;
      }
    }
  }
  for (let k = 0; k < (h * w) / 25; k++) a.data[Math.floor(rnd() * h * w)] = 1;
  return a;
}

function crop(a: NDArray, y: number, x: number, h: number, w: number): NDArray {
  const W = a.shape[1]!;
  const out = ndarray(a.dtype, [h, w]);
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) out.data[i * w + j] = a.data[(y + i) * W + x + j]!;
  return out;
}

async function tiled(
  mask: NDArray,
  tileHeight: number,
  tileWidth: number,
  minSize: number,
  fillHoles: boolean,
  connectivity = 1,
): Promise<{ out: Uint8Array; reads: number; maxTile: number }> {
  const [height, width] = mask.shape as [number, number];
  const out = new Uint8Array(height * width).fill(9);
  let reads = 0;
  let maxTile = 0;
  await cleanMaskTiled(
    {
      height,
      width,
      tileHeight,
      tileWidth,
      async read(y, x, h, w) {
        reads++;
        maxTile = Math.max(maxTile, h * w);
        return crop(mask, y, x, h, w);
      },
    },
    async (y, x, tile) => {
      const [h, w] = tile.shape as [number, number];
      for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) out[(y + i) * width + x + j] = tile.data[i * w + j]!;
    },
    { minSize, fillHoles, connectivity },
  );
  return { out, reads, maxTile };
}

describe('cleanMaskTiled', () => {
  const cases: [number, number, number, number][] = [
    [1, 120, 97, 30],
    [2, 64, 200, 17],
    [3, 150, 150, 150],
  ];
  for (const [seed, h, w, tile] of cases) {
    for (const connectivity of [1, 2]) {
      it(`equals the whole-plane kernels: ${h}×${w} in ${tile}² tiles, connectivity ${connectivity}`, async () => {
        const mask = blobs(h, w, seed);
        for (const minSize of [0, 20, 200]) {
          const small = removeSmallObjects(mask, minSize, connectivity);
          const r1 = await tiled(mask, tile, tile, minSize, false, connectivity);
          expect(Array.from(r1.out)).toEqual(Array.from(small.data));
          const r2 = await tiled(mask, tile, tile, minSize, true, connectivity);
          expect(Array.from(r2.out)).toEqual(Array.from(binaryFillHoles(small).data));
          // Never more than one tile read at a time, and 2 (3 with holes) reads of every tile.
          const tiles = Math.ceil(h / tile) * Math.ceil(w / tile);
          expect(r1.reads).toBe(2 * tiles);
          expect(r2.reads).toBe(3 * tiles);
          expect(r2.maxTile).toBeLessThanOrEqual(tile * tile);
        }
      });
    }
  }

  it('a ring whose hole spans four tiles is filled; a bay open to the image border is not', async () => {
    const mask = ndarray('uint8', [40, 40]);
    for (let y = 0; y < 40; y++) {
      for (let x = 0; x < 40; x++) {
        const d = Math.hypot(y - 20, x - 20);
        if (d <= 15 && d >= 11) mask.data[y * 40 + x] = 1;
      }
    }
    for (let y = 0; y < 12; y++) mask.data[y * 40 + 2] = 1; // a wall near the border: the strip beside it stays open
    const r = await tiled(mask, 20, 20, 0, true);
    expect(r.out[20 * 40 + 20]).toBe(1); // centre of the ring: a hole across 4 tiles
    expect(r.out[5 * 40 + 0]).toBe(0); // border background
    expect(Array.from(r.out)).toEqual(Array.from(binaryFillHoles(mask).data));
  });
});

/** Random 3-D blobs: balls and hollow shells (3-D holes) plus speckle. */
function balls(d: number, h: number, w: number, seed: number): NDArray<'uint8'> {
  const rnd = mulberry32(seed);
  const a = ndarray('uint8', [d, h, w]);
  for (let k = 0; k < 8; k++) {
    const [cz, cy, cx, r] = [rnd() * d, rnd() * h, rnd() * w, 2 + rnd() * 7];
    const shell = rnd() < 0.5;
    for (let z = 0; z < d; z++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const dist = Math.hypot(z - cz, y - cy, x - cx);
          if (dist <= r && (!shell || dist >= r - 1.6)) a.data[(z * h + y) * w + x] = 1;
        }
      }
    }
  }
  for (let k = 0; k < (d * h * w) / 30; k++) a.data[Math.floor(rnd() * d * h * w)] = 1;
  return a;
}

describe('cleanMaskSlices', () => {
  for (const connectivity of [1, 2, 3]) {
    it(`equals the whole-volume kernels in 3-D, connectivity ${connectivity}`, async () => {
      const vol = balls(12, 30, 26, 7 + connectivity);
      const [D, H, W] = vol.shape as [number, number, number];
      for (const [minSize, fillHoles, holeConnectivity] of [
        [0, true, 1],
        [15, false, 1],
        [15, true, 1],
        [40, true, 3],
      ] as [number, boolean, number][]) {
        const out = new Uint8Array(D * H * W).fill(9);
        let reads = 0;
        await cleanMaskSlices(
          {
            depth: D,
            height: H,
            width: W,
            async read(z) {
              reads++;
              return ndarray('uint8', [H, W], vol.data.slice(z * H * W, (z + 1) * H * W) as Uint8Array);
            },
          },
          async (z, s) => out.set(s.data, z * H * W),
          { minSize, fillHoles, connectivity, holeConnectivity },
        );
        let expected = removeSmallObjects(vol, minSize, connectivity);
        if (fillHoles) expected = binaryFillHoles(expected, holeConnectivity);
        expect(Array.from(out)).toEqual(Array.from(expected.data));
        expect(reads).toBe(D * ((minSize > 0 ? 2 : 1) + (fillHoles ? 1 : 0)));
      }
    });
  }
});
