// The pure parts of lazy viewing (issue 13): slice regions of N-D arrays and the chunks they touch,
// pyramid level shapes and the 2×2 mean downsampling (against scikit-image's block_reduce), and which
// level and tiles a viewport needs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultChunkShape } from '../../src/core/chunkPolicy';
import { decodeNpyArray, encodeNpy } from '../../src/core/imageCodecs/index';
import { ndarray, type DType, type NDArray } from '../../src/core/ndarray';
import { downsample2x, isTiledImage, pyramidShapes } from '../../src/core/pyramid';
import { chunksTouched, sliceCount, sliceIndex, sliceRegion, sliceText } from '../../src/app/viewers/render/slices';
import { chooseLevel, visibleRect, visibleTiles, type LevelGrid } from '../../src/app/viewers/render/tiles';
import { screenSample } from '../../src/app/viewers/render/sample';

const PYTHON = '/usr/bin/python3';

describe('slices of N-D arrays', () => {
  it('slice k of [Z, Y, X] is [k, k+1) × whole plane, and touches only chunk c/k/0/0 (one chunk per slice)', () => {
    const shape = [40, 512, 512];
    const chunks = defaultChunkShape(shape, 'uint16');
    expect(chunks).toEqual([1, 512, 512]);
    expect(sliceCount(shape)).toBe(40);
    expect(sliceRegion(shape, 17)).toEqual([
      [17, 18],
      [0, 512],
      [0, 512],
    ]);
    expect(chunksTouched(shape, chunks, sliceRegion(shape, 17))).toEqual(['c/17/0/0']);
    expect(sliceText(shape, 17)).toBe('z 18 / 40');
  });

  it('a slice of a volume with large planes touches exactly that slice’s tiles', () => {
    const shape = [8, 3000, 2500];
    const chunks = defaultChunkShape(shape, 'uint16');
    expect(chunks).toEqual([1, 1024, 1024]);
    const keys = chunksTouched(shape, chunks, sliceRegion(shape, 5));
    expect(keys).toHaveLength(9);
    expect(keys.every((k) => k.startsWith('c/5/'))).toBe(true);
    expect(keys[0]).toBe('c/5/0/0');
    expect(keys[8]).toBe('c/5/2/2');
  });

  it('4-D arrays: one index over the leading axes in C order', () => {
    const shape = [2, 3, 16, 16];
    expect(sliceCount(shape)).toBe(6);
    expect(sliceIndex(shape, 4)).toEqual([1, 1]);
    expect(sliceRegion(shape, 4)).toEqual([
      [1, 2],
      [1, 2],
      [0, 16],
      [0, 16],
    ]);
    expect(sliceText(shape, 4)).toBe('2/2, 2/3');
    expect(() => sliceRegion(shape, 6)).toThrow('Slice 6 is out of range: the array has 6 slice(s).');
  });
});

describe('pyramid levels', () => {
  it('level shapes halve Y and X (rounding up) down to the first level that fits in one chunk', () => {
    // uint16 tiles are 1024²: 8192² → 4096², 2048², 1024² (one chunk).
    expect(pyramidShapes([8192, 8192], 'uint16')).toEqual([
      [4096, 4096],
      [2048, 2048],
      [1024, 1024],
    ]);
    expect(pyramidShapes([3000, 4501], 'uint16')).toEqual([
      [1500, 2251],
      [750, 1126],
    ]);
    // RGB channel-first: the planes are kept (uint8 tiles are 2048²).
    expect(pyramidShapes([3, 8192, 4096], 'uint8')).toEqual([
      [3, 4096, 2048],
      [3, 2048, 1024],
    ]);
    expect(pyramidShapes([1024, 1024], 'uint16')).toEqual([]);
    expect(isTiledImage([8192, 8192], [1024, 1024])).toBe(true);
    expect(isTiledImage([1024, 1024], [1024, 1024])).toBe(false);
    expect(isTiledImage([40, 512, 512], [1, 512, 512])).toBe(false);
  });

  it('2×2 mean of the in-bounds pixels; integers round half up', () => {
    const a = ndarray('uint8', [3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const d = downsample2x(a);
    expect(d.shape).toEqual([2, 2]);
    // (1+2+4+5)/4 = 3, (3+6)/2 = 4.5 → 5, (7+8)/2 = 7.5 → 8, 9.
    expect(Array.from(d.data as Uint8Array)).toEqual([3, 5, 8, 9]);
    const f = downsample2x(ndarray('float32', [1, 2, 2], [0.5, NaN, 1, 2]));
    expect(f.shape).toEqual([1, 1, 1]);
    expect(Number.isNaN(f.data[0])).toBe(true); // NaN propagates, as numpy's mean
  });

  it('matches scikit-image block_reduce(np.nanmean, cval=nan) on odd-sized uint16 and float32 images', () => {
    const dir = mkdtempSync(join(tmpdir(), 'algobox-pyramid-'));
    try {
      const cases: [DType, number[]][] = [
        ['uint16', [257, 131]],
        ['float32', [3, 64, 99]],
      ];
      for (const [dtype, shape] of cases) {
        const a = ndarray(dtype, shape);
        for (let i = 0; i < a.data.length; i++) (a.data as Float32Array)[i] = dtype === 'uint16' ? (i * 7919) % 65536 : Math.sin(i * 0.37) * 1000;
        writeFileSync(join(dir, 'in.npy'), encodeNpy(a));
        const script = `
import numpy as np, sys
from skimage.measure import block_reduce
a = np.load(sys.argv[1])
block = (1,) * (a.ndim - 2) + (2, 2)
m = block_reduce(a.astype(np.float64), block, np.nanmean, cval=np.nan)
out = np.floor(m + 0.5).astype(a.dtype) if a.dtype.kind in 'ui' else m.astype(a.dtype)
np.save(sys.argv[2], out)
`;
        execFileSync(PYTHON, ['-c', script, join(dir, 'in.npy'), join(dir, 'out.npy')]);
        const ref = decodeNpyArray(new Uint8Array(readFileSync(join(dir, 'out.npy'))));
        const got: NDArray = downsample2x(a);
        expect(got.shape).toEqual(ref.shape);
        expect(got.dtype).toBe(ref.dtype);
        const g = Array.from(got.data as ArrayLike<number>);
        const r = Array.from(ref.data as ArrayLike<number>);
        if (dtype === 'uint16') expect(g).toEqual(r);
        else for (let i = 0; i < r.length; i++) expect(g[i]).toBeCloseTo(r[i]!, 3);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('level and tiles for a viewport', () => {
  // 8192² uint16: base + 3 levels, 1024² tiles at every level.
  const grids: LevelGrid[] = [
    { shape: [8192, 8192], chunkShape: [1024, 1024] },
    { shape: [4096, 4096], chunkShape: [1024, 1024] },
    { shape: [2048, 2048], chunkShape: [1024, 1024] },
    { shape: [1024, 1024], chunkShape: [1024, 1024] },
  ];

  it('the coarsest level whose pixels are no larger than a device pixel', () => {
    expect(chooseLevel(4, 1)).toBe(0);
    expect(chooseLevel(4, 4)).toBe(0);
    expect(chooseLevel(4, 0.75)).toBe(0);
    expect(chooseLevel(4, 0.5)).toBe(1);
    expect(chooseLevel(4, 0.3)).toBe(1);
    expect(chooseLevel(4, 0.25)).toBe(2);
    expect(chooseLevel(4, 0.1)).toBe(3); // 800 px showing 8192: the 1024² level
    expect(chooseLevel(4, 0.01)).toBe(3);
    expect(chooseLevel(4, 0.5, 2)).toBe(0); // a 2× screen needs the base at 50 %
    expect(chooseLevel(1, 0.01)).toBe(0);
  });

  it('fit: the whole image at the top level is its one tile', () => {
    const v = { zoom: 800 / 8192, tx: 0, ty: 0, width: 800, height: 800 };
    const level = chooseLevel(grids.length, v.zoom);
    expect(level).toBe(3);
    const tiles = visibleTiles(grids, level, v);
    expect(tiles.map((t) => [t.row, t.col])).toEqual([[0, 0]]);
    expect(tiles[0]!.base).toEqual({ x: 0, y: 0, w: 8192, h: 8192 });
  });

  it('zoomed in at 1:1 on the centre: only the base tiles under the viewport', () => {
    // Base pixel (4096, 4096) at the viewport's centre (400, 300).
    const v = { zoom: 1, tx: 400 - 4096, ty: 300 - 4096, width: 800, height: 600 };
    expect(visibleRect(v, 8192, 8192)).toEqual({ x0: 3696, y0: 3796, x1: 4496, y1: 4396 });
    const tiles = visibleTiles(grids, chooseLevel(grids.length, v.zoom), v);
    expect(tiles.map((t) => `${t.level}/${t.row}/${t.col}`)).toEqual(['0/3/3', '0/3/4', '0/4/3', '0/4/4']);
    expect(tiles[3]!.region).toEqual([
      [4096, 5120],
      [4096, 5120],
    ]);
  });

  it('a level tile covers 2^l base pixels per level pixel, clipped to the image at odd edges', () => {
    const odd: LevelGrid[] = [
      { shape: [3000, 4501], chunkShape: [1024, 1024] },
      { shape: [1500, 2251], chunkShape: [1024, 1024] },
    ];
    const v = { zoom: 0.5, tx: 0, ty: 0, width: 4000, height: 4000 };
    const tiles = visibleTiles(odd, 1, v);
    expect(tiles).toHaveLength(2 * 3);
    const last = tiles[5]!;
    expect(last.region).toEqual([
      [1024, 1500],
      [2048, 2251],
    ]);
    expect(last.base).toEqual({ x: 4096, y: 2048, w: 4501 - 4096, h: 3000 - 2048 });
    // Scrolled out of the image: nothing to read.
    expect(visibleTiles(odd, 0, { zoom: 1, tx: 5000, ty: 0, width: 800, height: 600 })).toEqual([]);
  });
});

describe('screen sampling (volume slices drawn at the viewport’s resolution)', () => {
  const img = { width: 8, height: 4, channels: 1 as const, dtype: 'uint16' as const, data: Uint16Array.from({ length: 32 }, (_, i) => i) };

  it('zoomed out ×0.5 at the origin: every other pixel, nearest neighbour', () => {
    const s = screenSample(img, { zoom: 0.5, tx: 0, ty: 0 }, 100, 100)!;
    expect([s.x, s.y, s.planes.width, s.planes.height]).toEqual([0, 0, 4, 2]);
    // Device pixel p shows image pixel ⌊(p + ½)/0.5⌋ = 2p + 1.
    expect(Array.from(s.planes.data)).toEqual([9, 11, 13, 15, 25, 27, 29, 31]);
    expect(s.planes.data).toBeInstanceOf(Uint16Array);
  });

  it('zoomed in ×3 and panned: pixels replicated, only the visible part, placed where the image starts', () => {
    const s = screenSample(img, { zoom: 3, tx: 5, ty: -4 }, 12, 6)!;
    // Columns 5…11 show x = ⌊(p + ½ − 5)/3⌋ = 0,0,0,1,1,1,2; rows 0…5 show y = ⌊(p + ½ + 4)/3⌋ = 1,1,2,2,2,3.
    expect([s.x, s.y, s.planes.width, s.planes.height]).toEqual([5, 0, 7, 6]);
    expect(Array.from(s.planes.data).slice(0, 7)).toEqual([8, 8, 8, 9, 9, 9, 10]);
    expect(Array.from(s.planes.data).slice(35)).toEqual([24, 24, 24, 25, 25, 25, 26]);
  });

  it('RGB planes stay planar; a view beside the image samples nothing', () => {
    const rgb = { width: 2, height: 2, channels: 3 as const, dtype: 'uint8' as const, data: Uint8Array.from([1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24]) };
    const s = screenSample(rgb, { zoom: 1, tx: 0, ty: 0 }, 2, 1, 2)!; // a 2× screen: 4 × 2 device pixels
    expect([s.planes.width, s.planes.height]).toEqual([4, 2]);
    expect(Array.from(s.planes.data)).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 11, 11, 12, 12, 11, 11, 12, 12, 21, 21, 22, 22, 21, 21, 22, 22]);
    expect(screenSample(img, { zoom: 1, tx: 500, ty: 0 }, 100, 100)).toBeNull();
  });
});
