import { describe, expect, it } from 'vitest';
import { ndarray, type NDArray } from '../../src/core/ndarray';
import { makeThumbnail, thumbnailSize } from '../../src/core/thumbnail';

const arr = (a: NDArray) => ({ kind: 'array', array: a });

function ramp(h: number, w: number): NDArray<'float32'> {
  const d = new Float32Array(h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) d[y * w + x] = x;
  return ndarray('float32', [h, w], d);
}

describe('makeThumbnail', () => {
  it('keeps small images at their size and maps min..max to 0..255', () => {
    const t = makeThumbnail({ image: arr(ndarray('uint16', [2, 3], [1000, 1500, 2000, 3000, 1000, 3000])) })!;
    expect(t).toMatchObject({ width: 3, height: 2, channels: 1 });
    expect(Array.from(t.data)).toEqual([0, 64, 128, 255, 0, 255]);
  });

  it('downsamples so the longest side is maxSide, keeping the aspect (box average)', () => {
    const t = makeThumbnail({ image: arr(ramp(300, 600)) })!;
    expect([t.width, t.height]).toEqual([96, 48]);
    expect(t.data.length).toBe(96 * 48);
    // A horizontal ramp stays a ramp: dark on the left, bright on the right, rows equal.
    expect(t.data[0]).toBeLessThan(5);
    expect(t.data[95]).toBeGreaterThan(250);
    for (let x = 1; x < 96; x++) expect(t.data[x]).toBeGreaterThanOrEqual(t.data[x - 1]!);
    expect(Array.from(t.data.subarray(47 * 96, 48 * 96))).toEqual(Array.from(t.data.subarray(0, 96)));
    const tall = makeThumbnail({ image: arr(ramp(1000, 10)) }, 50)!;
    expect([tall.width, tall.height]).toEqual([1, 50]);
    expect(thumbnailSize(1, 100000, 96)).toEqual({ height: 1, width: 96 });
    expect(thumbnailSize(64, 64, 96)).toEqual({ height: 64, width: 64 });
  });

  it('shows a 3×H×W image in colour (interleaved RGB)', () => {
    const m = 4 * 4;
    const d = new Uint8Array(3 * m);
    d.fill(200, 0, m); // red plane
    d.fill(0, m, 2 * m); // green
    d.fill(100, 2 * m, 3 * m); // blue
    const t = makeThumbnail({ image: arr(ndarray('uint8', [3, 4, 4], d)) })!;
    expect(t).toMatchObject({ width: 4, height: 4, channels: 3 });
    // Joint scaling over the channels keeps the colour: 0 → 0, 200 → 255, 100 → 128.
    expect(Array.from(t.data.subarray(0, 2))).toEqual([255, 0]);
    expect(Math.abs(t.data[2]! - 127.5)).toBeLessThanOrEqual(0.5);
    expect(Array.from(t.data.subarray(3, 6))).toEqual(Array.from(t.data.subarray(0, 3)));
  });

  it('makes a 0/1 mask and small labels visible; 0 stays black', () => {
    const mask = makeThumbnail({ mask: arr(ndarray('uint8', [2, 2], [0, 1, 1, 0])) })!;
    expect(Array.from(mask.data)).toEqual([0, 255, 255, 0]);
    // Labels 0..3 in a uint16 image with a huge range elsewhere would be dark under min-max.
    const labels = makeThumbnail({ mask: arr(ndarray('uint16', [1, 4], [0, 1, 2, 3])) })!;
    expect(labels.data[0]).toBe(0);
    for (const v of labels.data.subarray(1)) expect(v).toBeGreaterThanOrEqual(96);
    expect(labels.data[3]).toBe(255);
    // An instance-label mask with many labels: label 1 of 1000 is still bright.
    const many = new Uint16Array(1000);
    for (let i = 0; i < 1000; i++) many[i] = i;
    const t = makeThumbnail({ mask: arr(ndarray('uint16', [10, 100], many)) }, 1000)!;
    expect(t.data[0]).toBe(0);
    expect(t.data[1]).toBeGreaterThanOrEqual(96);
    // A bool mask.
    expect(Array.from(makeThumbnail({ mask: arr(ndarray('bool', [1, 2], [1, 0])) })!.data)).toEqual([255, 0]);
  });

  it('a natural uint8 image is min-max scaled, not treated as labels', () => {
    const d = new Uint8Array(256);
    for (let i = 0; i < 256; i++) d[i] = i;
    const t = makeThumbnail({ image: arr(ndarray('uint8', [16, 16], d)) })!;
    expect(t.data[0]).toBe(0);
    expect(t.data[128]).toBe(128);
    expect(t.data[255]).toBe(255);
  });

  it('NaN becomes 0 and does not spoil the range; ±Infinity are clamped', () => {
    const t = makeThumbnail({ image: arr(ndarray('float32', [1, 5], [NaN, 0, 10, Infinity, -Infinity])) })!;
    expect(Array.from(t.data)).toEqual([0, 0, 255, 255, 0]);
    const allNaN = makeThumbnail({ image: arr(ndarray('float64', [2, 2], [NaN, NaN, NaN, NaN])) })!;
    expect(Array.from(allNaN.data)).toEqual([0, 0, 0, 0]);
    const constant = makeThumbnail({ image: arr(ndarray('float32', [1, 2], [5, 5])) })!;
    expect(Array.from(constant.data)).toEqual([128, 128]);
    expect(Array.from(makeThumbnail({ mask: arr(ndarray('uint8', [1, 2], [1, 1])) })!.data)).toEqual([255, 255]);
    expect(Array.from(makeThumbnail({ mask: arr(ndarray('uint8', [1, 2], [0, 0])) })!.data)).toEqual([0, 0]);
  });

  it('takes slice 0 of a 3-D volume or stack, and picks fields in order image, mask, volume, data, features', () => {
    const vol = new Float32Array(2 * 2 * 2);
    vol.set([0, 50, 100, 150], 0); // slice 0
    vol.set([300, 300, 300, 300], 4); // slice 1 (would make slice 0 darker if it were included)
    const t = makeThumbnail({ volume: arr(ndarray('float32', [2, 2, 2], vol)) })!;
    expect(t).toMatchObject({ width: 2, height: 2, channels: 1 });
    expect(Array.from(t.data)).toEqual([0, 85, 170, 255]);
    // 4-D features: index 0 along both leading axes.
    const f = makeThumbnail({
      features: arr(
        ndarray(
          'float32',
          [2, 3, 2, 2],
          Array.from({ length: 24 }, (_, i) => i),
        ),
      ),
    })!;
    expect(Array.from(f.data)).toEqual([0, 85, 170, 255]);
    // Preference order; strings, numbers and 1-D arrays are skipped.
    const both = makeThumbnail({
      stats: { kind: 'string', array: ndarray('uint8', [2], [104, 105]) },
      data: arr(ndarray('uint8', [1, 2], [0, 9])),
      mask: arr(ndarray('uint8', [1, 2], [1, 0])),
    })!;
    expect(Array.from(both.data)).toEqual([255, 0]);
    expect(makeThumbnail({ points: arr(ndarray('float64', [4], [1, 2, 3, 4])) })).toBeNull();
    expect(makeThumbnail({ image: { kind: 'arrayList', array: ndarray('uint8', [2, 2, 2]) } })).toBeNull();
    expect(makeThumbnail({ image: arr(ndarray('uint8', [0, 5])) })).toBeNull();
    expect(makeThumbnail({})).toBeNull();
  });

  it('is fast: a 2048×2048 float32 image in well under 50 ms', () => {
    const n = 2048;
    const d = new Float32Array(n * n);
    for (let i = 0; i < d.length; i++) d[i] = Math.sin(i * 0.001) * 1000;
    const image = arr(ndarray('float32', [n, n], d));
    makeThumbnail({ image }); // warm up the JIT
    let best = Infinity;
    for (let k = 0; k < 3; k++) {
      const t0 = performance.now();
      const t = makeThumbnail({ image })!;
      best = Math.min(best, performance.now() - t0);
      expect([t.width, t.height]).toEqual([96, 96]);
    }
    expect(best).toBeLessThan(50);
  });

  it('keeps its exact output (pinned fingerprints, updated when the sampling went from ~4×4 to ~2×2 samples per output pixel) for every dtype', () => {
    const fnv = (u: Uint8Array) => {
      let h = 0x811c9dc5;
      for (const b of u) h = Math.imul(h ^ b, 0x01000193) >>> 0;
      return h.toString(16).padStart(8, '0');
    };
    const cases: [string, Record<string, { kind: string; array: NDArray }>, number, number][] = [
      [
        '1b77b038',
        {
          image: arr(
            ndarray(
              'float32',
              [512, 512],
              Float32Array.from({ length: 512 * 512 }, (_, i) => ((i * 31) % 1013) / 1013),
            ),
          ),
        },
        96,
        96,
      ],
      [
        'b50e645e',
        {
          data: arr(
            ndarray(
              'uint16',
              [1000, 700],
              Uint16Array.from({ length: 700000 }, (_, i) => (i * 7919) % 60000),
            ),
          ),
        },
        67,
        96,
      ],
      [
        'fbe03e07',
        {
          image: arr(
            ndarray(
              'uint8',
              [3, 300, 200],
              Uint8Array.from({ length: 180000 }, (_, i) => (i * 13) % 251),
            ),
          ),
        },
        64,
        96,
      ],
      [
        '7ae7a97d',
        {
          mask: arr(
            ndarray(
              'int32',
              [2048, 2048],
              Int32Array.from({ length: 2048 * 2048 }, (_, i) => ((i >> 7) + (i >> 18)) % 5),
            ),
          ),
        },
        96,
        96,
      ],
    ];
    for (const [hash, fields, width, height] of cases) {
      const t = makeThumbnail(fields)!;
      expect([t.width, t.height, fnv(t.data)]).toEqual([width, height, hash]);
    }
  });
});
