// Built-ins on multichannel and N-D images (issue 14): threshold_segmentation thresholds the chosen
// channel (its `channel` argument) of a CZYX image and gives a ZYX mask with the image's Z/Y/X axes;
// tv_denoising denoises every plane per channel and gives a float32 image of the input's shape and
// axes. Values against the in-memory kernels on the same channel data.
import { afterEach, describe, expect, it } from 'vitest';
import { createAlgobox, type Algobox } from '../../src/api';
import { axisOf, type ImageAxes } from '../../src/core/imageAxes';
import { ndarray, type NDArray } from '../../src/core/ndarray';
import * as filters from '../../src/sdk/image/filters';
import { denoiseTvChambolle } from '../../src/sdk/image/restoration';
import { builtinBundleFolder } from './helpers/builtinFolder';
import { inProcessWorkerFactory } from './helpers/inProcessWorkers';

const apis: Algobox[] = [];
afterEach(async () => {
  for (const a of apis.splice(0)) await a.close();
});
function makeApi(): Algobox {
  const api = createAlgobox({ dbName: `bch-${crypto.randomUUID()}`, workerFactory: inProcessWorkerFactory(), storageManager: null });
  apis.push(api);
  return api;
}

const [C, Z, H, W] = [2, 3, 24, 32];
const AXES: ImageAxes = {
  axes: [axisOf('c'), axisOf('z', 'micrometer', 2), axisOf('y', 'micrometer', 0.5), axisOf('x', 'micrometer', 0.5)],
  channels: [
    { label: 'DAPI', color: '0000FF', window: null, active: true },
    { label: 'GFP', color: '00FF00', window: null, active: true },
  ],
};

/** Two channels of different brightness: channel 0 a bright disc, channel 1 a dimmer gradient with a square. */
function cells(): NDArray<'uint16'> {
  const a = ndarray('uint16', [C, Z, H, W]);
  for (let z = 0; z < Z; z++)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const disc = (y - 12) ** 2 + (x - 16 - z) ** 2 < 49 ? 3000 : 200;
        const square = y > 4 && y < 12 && x > 4 && x < 14 ? 900 : 100 + x * 3;
        a.data[(z * H + y) * W + x] = disc + ((x * 7 + y * 13 + z) % 50);
        a.data[((Z + z) * H + y) * W + x] = square + ((x * 11 + y * 5 + z) % 30);
      }
  return a;
}

function channel(a: NDArray, c: number): NDArray {
  const n = Z * H * W;
  return { dtype: a.dtype, shape: [Z, H, W], data: a.data.slice(c * n, (c + 1) * n) } as NDArray;
}

describe('built-ins on a CZYX image', () => {
  it('threshold_segmentation thresholds the chosen channel: a ZYX mask with the Z/Y/X axes', async () => {
    const api = makeApi();
    const img = cells();
    const id = await api.datasets.put({ image: img }, { name: 'cells', axes: { image: AXES } });
    const alg = await api.algorithms.install(builtinBundleFolder('threshold_segmentation'), { builtin: true });
    for (const c of [0, 1]) {
      const rec = await api.executions.wait(
        await api.execute({ algorithmId: alg.id, inputDatasetIds: [id], args: { thresholding_algorithm: 'otsu', channel: c } }),
      );
      expect(rec.error).toBeNull();
      const out = await api.datasets.get(rec.outputDatasetIds[0]!, ['mask']);
      const mask = out.fields.mask as NDArray;
      expect(mask.shape).toEqual([Z, H, W]);
      const t = filters.thresholdOtsu(channel(img, c));
      const want = Array.from(channel(img, c).data, (v) => (v > t ? 1 : 0));
      expect(Array.from(mask.data as Uint8Array, (v) => (v ? 1 : 0))).toEqual(want);
      expect(out.meta.keys.mask!.axes!.axes.map((a) => [a.name, a.unit, a.scale])).toEqual([
        ['z', 'micrometer', 2],
        ['y', 'micrometer', 0.5],
        ['x', 'micrometer', 0.5],
      ]);
    }
    const bad = await api.executions.wait(await api.execute({ algorithmId: alg.id, inputDatasetIds: [id], args: { channel: 2 } }));
    expect(bad.status).toBe('FAILED');
    expect(bad.error!.message).toContain('channel 2 was asked for, but the image has 2 channel(s) (DAPI, GFP): choose 0 to 1.');
  });

  it('tv_denoising denoises each plane per channel: float32 of the input shape and axes', async () => {
    const api = makeApi();
    const img = cells();
    const id = await api.datasets.put({ image: img }, { name: 'cells', axes: { image: AXES } });
    const alg = await api.algorithms.install(builtinBundleFolder('tv_denoising'), { builtin: true });
    const rec = await api.executions.wait(await api.execute({ algorithmId: alg.id, inputDatasetIds: [id], args: { denoising_weight: 0.1 } }));
    expect(rec.error).toBeNull();
    const out = await api.datasets.get(rec.outputDatasetIds[0]!, ['image']);
    const den = out.fields.image as NDArray;
    expect(den.dtype).toBe('float32');
    expect(den.shape).toEqual([C, Z, H, W]);
    expect(out.meta.keys.image!.axes).toEqual(AXES);
    // Channel 1, plane z = 2, against the kernel on that channel normalised over its own planes.
    const ch = channel(img, 1);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of ch.data) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    const planes = [0, 1, 2].map((z) => {
      const p = ndarray('float64', [H, W]);
      for (let i = 0; i < H * W; i++) p.data[i] = (ch.data[z * H * W + i]! - lo) / (hi - lo);
      return denoiseTvChambolle(p, { weight: 0.1 }).data as Float64Array;
    });
    let olo = Infinity;
    let ohi = -Infinity;
    for (const p of planes) for (const v of p) [olo, ohi] = [Math.min(olo, v), Math.max(ohi, v)];
    const got = den.data.slice((Z + 2) * H * W, (Z + 3) * H * W);
    const want = Float32Array.from(planes[2]!, (v) => (v - olo) / (ohi - olo));
    expect(Array.from(got)).toEqual(Array.from(want));
    // Each channel spans [0, 1] on its own.
    for (let c = 0; c < C; c++) {
      const part = den.data.slice(c * Z * H * W, (c + 1) * Z * H * W);
      expect(Math.min(...part)).toBe(0);
      expect(Math.max(...part)).toBe(1);
    }
  });
});
