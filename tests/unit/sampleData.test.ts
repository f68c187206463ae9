import { afterEach, describe, expect, it } from 'vitest';
import { createAlgobox, type Algobox } from '../../src/api';
import { validateItem } from '../../src/core/dataSchemas';
import { bytesOf, type NDArray } from '../../src/core/ndarray';
import { axesProblem } from '../../src/core/imageAxes';
import { makeCells, makeSamples, makeShiftedPair, mulberry32, SAMPLE_TRUE_SHIFT } from '../../src/core/sampleData';
import { inProcessWorkerFactory } from './helpers/inProcessWorkers';

const apis: Algobox[] = [];
afterEach(async () => {
  for (const a of apis.splice(0)) await a.close();
});

function makeApi(): Algobox {
  const api = createAlgobox({ dbName: `samples-${crypto.randomUUID()}`, workerFactory: inProcessWorkerFactory(), storageManager: null });
  apis.push(api);
  return api;
}

/** Keys' cubic convolution kernel (a = −0.5). */
function cubic(t: number): number {
  const x = Math.abs(t);
  if (x <= 1) return 1.5 * x ** 3 - 2.5 * x ** 2 + 1;
  if (x < 2) return -0.5 * x ** 3 + 2.5 * x ** 2 - 4 * x + 2;
  return 0;
}

/** Bicubic sample of a row-major N×N image at (x, y) (column, row); the caller keeps away from the border. */
function bicubic(img: Float32Array, n: number, x: number, y: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  let s = 0;
  for (let j = -1; j <= 2; j++) {
    const wy = cubic(y - (y0 + j));
    for (let i = -1; i <= 2; i++) s += wy * cubic(x - (x0 + i)) * img[(y0 + j) * n + x0 + i]!;
  }
  return s;
}

describe('sample data', () => {
  it('mulberry32 is deterministic and uniform-ish', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.reduce((s, x) => s + x, 0) / xs.length).toBeCloseTo(0.5, 1);
  });

  it('is deterministic: the same bytes on every call', () => {
    const one = makeSamples();
    const two = makeSamples();
    expect(one.datasets.map((d) => d.name)).toEqual(two.datasets.map((d) => d.name));
    expect(one.stacks).toEqual(two.stacks);
    one.datasets.forEach((d, i) => {
      const e = two.datasets[i]!;
      expect(e.extra).toEqual(d.extra);
      for (const [k, a] of Object.entries(d.fields)) {
        const b = e.fields[k]!;
        expect([b.dtype, b.shape]).toEqual([a.dtype, a.shape]);
        expect(Buffer.compare(Buffer.from(bytesOf(a)), Buffer.from(bytesOf(b)))).toBe(0);
      }
    });
  });

  it('has the promised datasets and stacks, each valid against its schema', () => {
    const { datasets, stacks } = makeSamples();
    const byName = new Map(datasets.map((d) => [d.name, d]));
    expect(byName.size).toBe(datasets.length);
    for (const d of datasets) if (d.schema) expect(() => validateItem(d.schema!, d.fields)).not.toThrow();
    // The multichannel sample: no built-in schema, its axes metadata checked against its array.
    const czyx = byName.get('cells 3 channels (CZYX)')!;
    expect(czyx.schema).toBeNull();
    expect([czyx.fields.image!.dtype, czyx.fields.image!.shape]).toEqual(['uint16', [3, 8, 192, 192]]);
    expect(axesProblem(czyx.axes!.image, czyx.fields.image!.shape, 'sample')).toBeNull();
    expect(czyx.axes!.image!.channels.map((c) => c.label)).toEqual(['DAPI', 'GFP', 'mCherry']);
    for (const s of stacks) for (const n of s.datasetNames) expect(byName.has(n)).toBe(true);
    expect(stacks.map((s) => [s.name, s.datasetNames.length])).toEqual([
      ['cells (3 images)', 3],
      ['cells ground truth (3 masks)', 3],
      ['shifted pair', 2],
      ['spheres 3-D (16 slices)', 16],
    ]);
    const cells = byName.get('cells')!;
    expect(cells.schema).toBe('Image');
    expect([cells.fields.image!.dtype, cells.fields.image!.shape]).toEqual(['uint16', [256, 256]]);
    const gt = byName.get('cells (ground truth)')!;
    expect(gt.schema).toBe('Segmentation');
    expect([gt.fields.mask!.dtype, gt.fields.mask!.shape]).toEqual(['uint8', [256, 256]]);
    expect(byName.has('cells 2') && byName.has('cells 2 (ground truth)')).toBe(true);
    const rgb = byName.get('rgb shapes')!;
    expect([rgb.fields.image!.dtype, rgb.fields.image!.shape]).toEqual(['uint8', [3, 256, 256]]);
    expect(byName.get('rgb shapes (ground truth)')!.schema).toBe('Segmentation');
    const slice = byName.get(stacks[3]!.datasetNames[0]!)!;
    expect([slice.fields.image!.dtype, slice.fields.image!.shape]).toEqual(['uint8', [128, 128]]);
    // The spheres again as one uint16 Volume: slice z is the stack's slice z × 8.
    const vol = byName.get('spheres volume')!;
    expect(vol.schema).toBe('Volume');
    expect([vol.fields.volume!.dtype, vol.fields.volume!.shape]).toEqual(['uint16', [16, 128, 128]]);
    const z5 = byName.get(stacks[3]!.datasetNames[5]!)!.fields.image!.data as Uint8Array;
    const v5 = (vol.fields.volume!.data as Uint16Array).subarray(5 * 128 * 128, 6 * 128 * 128);
    expect(Array.from(v5, (v) => v / 8)).toEqual(Array.from(z5));
    const shift = stacks[2]!;
    expect(shift.extra.trueShift).toEqual({ dx: 6.4, dy: -3.7 });
    expect(String(shift.extra.convention)).toContain('second(x, y) = first(x - dx, y - dy)');
    // The three stacked cells images differ from each other.
    const [c1, c2] = stacks[0]!.datasetNames.map((n) => byName.get(n)!.fields.image!.data);
    expect(Buffer.compare(Buffer.from(c1!.buffer), Buffer.from(c2!.buffer))).not.toBe(0);
  });

  it('cells: ~25 blobs of radius 5–12 brighter than the background, the mask marks them', () => {
    const { image, mask, blobs } = makeCells(1);
    expect(blobs.length).toBe(25);
    for (const b of blobs) expect(b.radius >= 5 && b.radius <= 12).toBe(true);
    const img = image.data;
    const m = mask.data;
    let inSum = 0;
    let inN = 0;
    let outSum = 0;
    let outN = 0;
    for (let i = 0; i < m.length; i++) {
      if (m[i]) {
        inSum += img[i]!;
        inN++;
      } else {
        outSum += img[i]!;
        outN++;
      }
    }
    expect(new Set(m)).toEqual(new Set([0, 1]));
    // Mask area ≈ Σ π r².
    const area = blobs.reduce((s, b) => s + Math.PI * b.radius * b.radius, 0);
    expect(Math.abs(inN - area) / area).toBeLessThan(0.05);
    expect(inSum / inN).toBeGreaterThan(2.5 * (outSum / outN));
    // Each blob's centre pixel is in the mask and bright.
    for (const b of blobs) {
      const i = Math.round(b.y) * 256 + Math.round(b.x);
      expect(m[i]).toBe(1);
      expect(img[i]!).toBeGreaterThan(1200);
    }
  });

  it('shifted pair: the second image is the first shifted by (dx, dy), within interpolation error', () => {
    const { first, second } = makeShiftedPair(7);
    const n = 256;
    const a = first.data;
    const b = second.data;
    let lo = Infinity;
    let hi = -Infinity;
    for (const arr of [a, b]) for (const v of arr) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
    expect(hi - lo).toBeGreaterThan(0.9);
    const { dx, dy } = SAMPLE_TRUE_SHIFT;
    let maxErr = 0;
    let sumErr = 0;
    let count = 0;
    let maxUnshifted = 0;
    for (let y = 16; y < n - 16; y++) {
      for (let x = 16; x < n - 16; x++) {
        const expected = bicubic(a, n, x - dx, y - dy);
        const err = Math.abs(b[y * n + x]! - expected);
        maxErr = Math.max(maxErr, err);
        sumErr += err;
        count++;
        maxUnshifted = Math.max(maxUnshifted, Math.abs(b[y * n + x]! - a[y * n + x]!));
      }
    }
    expect(maxErr).toBeLessThan(0.01);
    expect(sumErr / count).toBeLessThan(0.002);
    // …and the shift is real: without it the images differ a lot.
    expect(maxUnshifted).toBeGreaterThan(0.2);
    // The opposite sign convention does not fit.
    let wrong = 0;
    for (let y = 16; y < n - 16; y += 4) for (let x = 16; x < n - 16; x += 4) wrong = Math.max(wrong, Math.abs(b[y * n + x]! - bicubic(a, n, x + dx, y + dy)));
    expect(wrong).toBeGreaterThan(0.1);
  });

  it('is quick to make', () => {
    const t0 = performance.now();
    makeSamples();
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe('api: samples', () => {
  it('create writes every sample dataset and stack (source sample) with thumbnails', async () => {
    const api = makeApi();
    const { ids, stacks } = await api.samples.create();
    const expected = makeSamples();
    expect(ids).toHaveLength(expected.datasets.length);
    expect(stacks.map((s) => s.name)).toEqual(expected.stacks.map((s) => s.name));
    const list = await api.datasets.list();
    expect(list).toHaveLength(ids.length);
    for (const m of list) {
      expect(m.source).toBe('sample');
      expect(m.thumbnail).toBeTruthy();
    }
    const byId = new Map(list.map((m) => [m.id, m]));
    const czyx = list.find((m) => m.name === 'cells 3 channels (CZYX)')!;
    expect(czyx.keys.image!.axes!.axes.map((a) => [a.name, a.unit, a.scale])).toEqual([
      ['c', null, 1],
      ['z', 'micrometer', 1],
      ['y', 'micrometer', 0.325],
      ['x', 'micrometer', 0.325],
    ]);
    // Its thumbnail is the composite of its channels' colours (no red channel: DAPI blue, GFP green, mCherry magenta adds red).
    expect(czyx.thumbnail!.channels).toBe(3);
    const td = czyx.thumbnail!.data;
    let blue = 0;
    let green = 0;
    for (let i = 0; i < td.length; i += 3) [blue, green] = [blue + td[i + 2]!, green + td[i + 1]!];
    expect(blue).toBeGreaterThan(0);
    expect(green).toBeGreaterThan(0);
    const cellsStack = stacks[0]!;
    expect(cellsStack.source).toBe('sample');
    expect(cellsStack.datasetIds.map((id) => byId.get(id)!.name)).toEqual(expected.stacks[0]!.datasetNames);
    const shift = (await api.stacks.list()).find((s) => s.name === 'shifted pair')!;
    expect(shift.extra.trueShift).toEqual({ dx: 6.4, dy: -3.7 });
    const moved = await api.datasets.get(shift.datasetIds[1]!);
    expect(moved.meta.schema).toBe('Image');
    expect((moved.fields.image as NDArray).dtype).toBe('float32');
    const rgbMeta = list.find((m) => m.name === 'rgb shapes')!;
    expect(rgbMeta.thumbnail).toMatchObject({ width: 96, height: 96, channels: 3 });
  });

  it('ensure creates them on the first start only, even after they were deleted', async () => {
    const api = makeApi();
    const first = await api.samples.ensure();
    expect(first!.ids.length).toBeGreaterThan(20);
    expect(await api.samples.ensure()).toBeNull();
    await api.datasets.delete((await api.datasets.list()).map((m) => m.id));
    expect(await api.stacks.list()).toEqual([]);
    expect(await api.samples.ensure()).toBeNull();
    expect(await api.datasets.list()).toEqual([]);
    // create() always writes.
    expect((await api.samples.create()).ids).toHaveLength(first!.ids.length);
  });
});
