// Lazy units of BEAT blocks (issue 13): a block input declared `"lazy": true` gets its array fields as
// LazyArray handles (read(region), blocks({halo})) reading only the chunks it touches, and a lazy
// output is written block by block into a staged chunked array, committed with its dataset. The
// built-in builtin/volume_threshold/1 over a [4, 300, 300] uint16 volume: the same values as the
// in-memory equivalent, chunk-by-chunk reads, checked arguments, nothing staged left by a failure.
import { describe, expect, it } from 'vitest';
import { BUILTIN_BLOCKS, volumeThresholdToolchain } from '../../src/blocks';
import { parseDeclaration } from '../../src/core/beat';
import { ndarray, type NDArray } from '../../src/core/ndarray';
import { axisOf, defaultAxes, type ImageAxes } from '../../src/core/imageAxes';
import { BlockJobArrays, StoredArrayRef } from '../../src/engine/blockArrays';
import { ToolchainService } from '../../src/engine/toolchains';
import type { Store } from '../../src/store/index';
import { freshStores, raw } from './helpers/freshStores';
import { inProcessBlockWorkerFactory } from './helpers/inProcessWorkers';

const { fresh } = freshStores('tclazy');

const SHAPE = [4, 300, 300];
const CHUNKS = [1, 150, 150];

function volumeData(): NDArray<'uint16'> {
  const a = ndarray('uint16', SHAPE);
  for (let i = 0; i < a.data.length; i++) a.data[i] = (i * 37) % 1400;
  return a;
}

/** A stored volume dataset, its field `volume` a chunked array of [1, 150, 150] chunks (16 chunks). */
async function storeVolume(store: Store, a: NDArray, axes?: ImageAxes): Promise<string> {
  const w = await store.createChunkedArray({ dtype: 'uint16', shape: SHAPE, chunkShape: CHUNKS });
  await w.write([0, 0, 0], { dtype: a.dtype, shape: [...a.shape], data: a.data.slice() });
  const [id] = await store.putDatasets([
    { name: 'vol', source: 'test', schema: null, fields: { volume: { kind: 'array', staged: w } }, ...(axes ? { axes: { volume: axes } } : {}) },
  ]);
  return id!;
}

const volumeThreshold = BUILTIN_BLOCKS.find((b) => b.name === 'builtin/volume_threshold/1')!;
const decl = volumeThreshold.declaration as { groups: { inputs: Record<string, object>; outputs: Record<string, object> }[] };
/** The same block in memory: no lazy flags, the whole volume in one unit. */
const IN_MEMORY_DECL = {
  ...decl,
  groups: [{ name: 'main', inputs: { volume: { type: 'system/array_3d_uint16/1' } }, outputs: { mask: { type: 'system/array_3d_uint8/1' } } }],
};
const IN_MEMORY_SOURCE = `export class Algorithm {
  setup(p) { this.t = p.threshold; return true; }
  process(inputs, _d, outputs) {
    const v = inputs.get('volume').data.value;
    const out = new Uint8Array(v.data.length);
    for (let i = 0; i < out.length; i++) out[i] = v.data[i] > this.t ? 1 : 0;
    outputs.get('mask').write({ value: { dtype: 'uint8', shape: [...v.shape], data: out } });
    return true;
  }
}`;

async function service(store: Store): Promise<ToolchainService> {
  const s = new ToolchainService(store, { workerFactory: inProcessBlockWorkerFactory(), poolSize: 2 });
  await s.installBlock(volumeThreshold.declaration, volumeThreshold.source, { name: volumeThreshold.name, builtin: true });
  return s;
}

async function maskOf(store: Store, datasetId: string): Promise<Uint8Array> {
  const reader = (await store.openDatasetArray(datasetId, 'value'))!;
  return (await reader.read()).data as Uint8Array;
}

describe('lazy BEAT units', () => {
  it('builtin/volume_threshold/1 over a [4, 300, 300] uint16 volume gives the in-memory block’s values, reading one chunk at a time', async () => {
    const store = await fresh();
    const a = volumeData();
    const id = await storeVolume(store, a);
    const tc = await service(store);
    await tc.installBlock(IN_MEMORY_DECL, IN_MEMORY_SOURCE, { name: 'user/volume_threshold_memory/1' });
    // Every region the run reads from the source volume.
    const regions: number[] = [];
    const open = store.openDatasetArray.bind(store);
    store.openDatasetArray = async (dsId, key) => {
      const r = await open(dsId, key);
      if (!r || dsId !== id) return r;
      return {
        ...r,
        read: (region, level) => (
          regions.push(region ? region.reduce((n, x) => n * (x ? x[1] - x[0] : 1), 1) : r.shape.reduce((n, d) => n * d, 1)),
          r.read(region, level)
        ),
      };
    };
    const runId = await tc.run(volumeThresholdToolchain([id], 700));
    const rec = await tc.wait(runId);
    expect(rec.error).toBeNull();
    expect(rec.status).toBe('DONE');
    // 16 chunk-sized reads, never more than one chunk at once.
    expect(regions).toHaveLength(16);
    expect(Math.max(...regions)).toBe(150 * 150);
    store.openDatasetArray = open;

    const lazyOut = rec.blocks.threshold!.outputs.mask!;
    expect(lazyOut.indices).toEqual([[0, 0]]);
    const meta = (await store.getDatasetMeta(lazyOut.datasetIds[0]!))!;
    expect(meta.keys.value).toMatchObject({ dtype: 'uint8', shape: SHAPE });
    const lazyMask = await maskOf(store, lazyOut.datasetIds[0]!);

    const memRun = await tc.wait(
      await tc.run({
        ...volumeThresholdToolchain([id], 700),
        blocks: [{ name: 'threshold', algorithm: 'user/volume_threshold_memory/1', parameters: { threshold: 700 } }],
      }),
    );
    expect(memRun.status).toBe('DONE');
    const memMask = await maskOf(store, memRun.blocks.threshold!.outputs.mask!.datasetIds[0]!);
    expect(Array.from(lazyMask)).toEqual(Array.from(memMask));
    const expected = Array.from(a.data, (v) => (v > 700 ? 1 : 0));
    expect(Array.from(lazyMask)).toEqual(expected);
    expect(expected.filter((v) => v === 1).length).toBeGreaterThan(1000);
    tc.shutdown();
  });

  it('the chunks of the source are read one by one, each once', async () => {
    const reads: string[] = [];
    const store = await fresh({ onChunkRead: (_id, key) => reads.push(key) });
    const id = await storeVolume(store, volumeData());
    const tc = await service(store);
    reads.length = 0;
    const rec = await tc.wait(await tc.run(volumeThresholdToolchain([id], 700)));
    expect(rec.status).toBe('DONE');
    const sourceReads = reads.filter((k) => /^c\/\d+\/\d+\/\d+$/.test(k));
    expect(sourceReads).toHaveLength(16);
    expect(new Set(sourceReads).size).toBe(16);
    tc.shutdown();
  });

  it('the job port checks handles, regions, origins and dtypes, naming the field and the value', async () => {
    const store = await fresh();
    const id = await storeVolume(store, volumeData());
    const arrays = new BlockJobArrays(store, 'builtin/volume_threshold/1', parseDeclaration(volumeThreshold.declaration));
    const ref = await arrays.open(new StoredArrayRef(id, 'volume', 'uint16', SHAPE));
    expect(ref).toMatchObject({ dtype: 'uint16', shape: SHAPE, chunks: CHUNKS });
    // A lazy input tells the block what its axes mean: the defaults here, the stored ones when the dataset has them.
    expect(ref.axes!.axes.map((a) => a.name)).toEqual(['z', 'y', 'x']);
    const physical = defaultAxes(SHAPE);
    physical.axes[0] = axisOf('z', 'micrometer', 2);
    const other = new BlockJobArrays(store, 'builtin/volume_threshold/1', parseDeclaration(volumeThreshold.declaration));
    const physicalId = await storeVolume(store, volumeData(), physical);
    expect((await other.open(new StoredArrayRef(physicalId, 'volume', 'uint16', SHAPE))).axes).toEqual(physical);
    await other.dropAll();
    await store.deleteDatasets([physicalId]);
    await expect(arrays.api.readArray(ref.lazyArray, [[0, 5], null, null])).rejects.toThrow(
      'readArray: region[0] must be null or [start, stop] with 0 ≤ start ≤ stop ≤ 4 (axis 0 of [4, 300, 300]), got [0, 5].',
    );
    await expect(arrays.api.readArray('not-mine', null)).rejects.toThrow("readArray: 'not-mine' is not a lazy input array of this job.");
    await expect(arrays.api.createArray('volume', { dtype: 'uint8', shape: SHAPE })).rejects.toThrow(
      /createArray: 'volume' is not a lazy output of block 'builtin\/volume_threshold\/1' \(lazy outputs: mask\)/,
    );
    const count = () => raw(store.name, async (db) => ({ arrays: await db.count('chunkedArrays'), chunks: await db.count('chunks') }));
    const initial = await count(); // the source: 1 array, its 16 chunks and zarr.json
    const out = (await arrays.api.createArray('mask', { dtype: 'uint8', shape: SHAPE, chunks: CHUNKS })) as { handle: string };
    const block = ndarray('uint8', [1, 150, 150]);
    await expect(arrays.api.writeArray(out.handle, [0, 200, 0], block)).rejects.toThrow(
      'writeArray: a block [1, 150, 150] at origin [0, 200, 0] does not fit in the array [4, 300, 300] (axis 1: 200 + 150 > 300).',
    );
    await expect(arrays.api.writeArray(out.handle, [0, 0, 0], ndarray('uint16', [1, 150, 150]))).rejects.toThrow(
      "writeArray: block dtype uint16 does not match the output array's dtype uint8.",
    );
    const before = await count();
    await arrays.api.writeArray(out.handle, [0, 0, 0], block);
    expect((await count()).chunks).toBe(before.chunks + 1);
    await arrays.dropAll(); // nothing kept: the job failed or was cancelled
    expect(await count()).toEqual(initial);
    expect(initial).toEqual({ arrays: 1, chunks: 17 });
    expect((await store.listChunkedArrays()).length).toBe(1);
    await expect(arrays.api.readArray(ref.lazyArray, null)).rejects.toThrow(/is over/);
  });

  it('a block writing out of bounds fails with the message; a failing block leaves no staged array', async () => {
    const store = await fresh();
    const id = await storeVolume(store, volumeData());
    const tc = await service(store);
    const before = await raw(store.name, async (db) => ({ arrays: await db.count('chunkedArrays'), chunks: await db.count('chunks') }));
    const src = (body: string) => `export class Algorithm {
      async process(inputs, _d, outputs) {
        const v = inputs.get('volume').data.value;
        const m = await outputs.get('mask').createArray({ dtype: 'uint8', shape: [...v.shape], chunks: [1, 150, 150] });
        await m.write([0, 0, 0], { dtype: 'uint8', shape: [1, 150, 150], data: new Uint8Array(150 * 150).fill(1) });
        ${body}
      }
    }`;
    await tc.installBlock(decl, src("await m.write([3, 299, 0], { dtype: 'uint8', shape: [1, 2, 2], data: new Uint8Array(4) }); return true;"), {
      name: 'user/oob/1',
    });
    await tc.installBlock(decl, src("throw new Error('boom');"), { name: 'user/boom/1' });
    const t = (algorithm: string) => ({ ...volumeThresholdToolchain([id]), blocks: [{ name: 'threshold', algorithm }] });

    const oob = await tc.wait(await tc.run(t('user/oob/1')));
    expect(oob.status).toBe('FAILED');
    expect(oob.blocks.threshold!.error!.message).toMatch(
      /write: a block \[1, 2, 2\] at origin \[3, 299, 0\] does not fit in the array \[4, 300, 300\] \(axis 1: 299 \+ 2 > 300\)/,
    );
    const boom = await tc.wait(await tc.run(t('user/boom/1')));
    expect(boom.status).toBe('FAILED');
    expect(boom.blocks.threshold!.error!.message).toMatch(/boom/);

    expect((await store.listChunkedArrays()).map((a) => a.shape)).toEqual([SHAPE]);
    const after = await raw(store.name, async (db) => ({ arrays: await db.count('chunkedArrays'), chunks: await db.count('chunks') }));
    expect(after).toEqual(before);
    tc.shutdown();
  });

  it('a cancelled run leaves no staged array; a lazy input fed in memory by another block is a LazyArray too', async () => {
    const store = await fresh();
    const id = await storeVolume(store, volumeData());
    const tc = await service(store);
    const count = () => raw(store.name, async (db) => ({ arrays: await db.count('chunkedArrays'), chunks: await db.count('chunks') }));
    const before = await count();
    await tc.installBlock(
      decl,
      `export class Algorithm {
        async process(inputs, _d, outputs) {
          const m = await outputs.get('mask').createArray({ dtype: 'uint8', shape: [4, 300, 300], chunks: [1, 150, 150] });
          await m.write([0, 0, 0], { dtype: 'uint8', shape: [1, 150, 150], data: new Uint8Array(150 * 150).fill(1) });
          globalThis.__lazyStarted?.();
          await new Promise(() => {});
        }
      }`,
      { name: 'user/hang/1' },
    );
    const started = new Promise<void>((resolve) => ((globalThis as { __lazyStarted?: () => void }).__lazyStarted = resolve));
    const runId = await tc.run({ ...volumeThresholdToolchain([id]), blocks: [{ name: 'threshold', algorithm: 'user/hang/1' }] });
    await started;
    expect((await count()).arrays).toBe(before.arrays + 1);
    const rec = await tc.cancel(runId);
    expect(rec.status).toBe('CANCELLED');
    await expect.poll(count).toEqual(before);

    // In memory: a uint16 copy block → the lazy threshold block reads it through a LazyArray.
    const copyDecl = {
      ...IN_MEMORY_DECL,
      groups: [{ name: 'main', inputs: { volume: { type: 'system/array_3d_uint16/1' } }, outputs: { copy: { type: 'system/array_3d_uint16/1' } } }],
    };
    await tc.installBlock(
      copyDecl,
      `export class Algorithm { process(i, _d, o) { o.get('copy').write({ value: i.get('volume').data.value }); return true; } }`,
      {
        name: 'user/copy/1',
      },
    );
    const chained = await tc.wait(
      await tc.run({
        ...volumeThresholdToolchain([id], 500),
        blocks: [
          { name: 'copy', algorithm: 'user/copy/1' },
          { name: 'threshold', algorithm: 'builtin/volume_threshold/1', parameters: { threshold: 500 } },
        ],
        connections: [
          { from: 'volume', to: 'copy.volume' },
          { from: 'copy.copy', to: 'threshold.volume' },
        ],
      }),
    );
    expect(chained.error).toBeNull();
    expect(chained.status).toBe('DONE');
    const mask = await maskOf(store, chained.blocks.threshold!.outputs.mask!.datasetIds[0]!);
    expect(Array.from(mask)).toEqual(Array.from(volumeData().data, (v) => (v > 500 ? 1 : 0)));
    tc.shutdown();
  });

  it('declarations: lazy units need array formats', async () => {
    const { checkDeclaration, DataFormatRegistry } = await import('../../src/core/beat');
    const bad = { ...IN_MEMORY_DECL, groups: [{ name: 'main', inputs: { volume: { type: 'system/integer/1', lazy: true } }, outputs: {} }] };
    expect(checkDeclaration(bad, { dataFormats: new DataFormatRegistry() }).errors.join('\n')).toMatch(
      /input 'volume' is lazy, but every field of a lazy unit's data format must be an array of numbers or booleans; 'system\/integer\/1' has 'value'/,
    );
  });
});

// A lazy output feeding other blocks: volume → builtin/volume_threshold/1 (lazy in, lazy out) → blocks
// reading the stored mask, through a lazy input (handles on the committed arrays) or a non-lazy one
// (the mask read whole from the store).
const countDecl = (lazy: boolean, splittable = false) => ({
  language: 'javascript',
  api_version: 2,
  type: 'sequential',
  splittable,
  groups: [
    {
      name: 'main',
      inputs: { mask: { type: 'system/array_3d_uint8/1', ...(lazy ? { lazy: true } : {}) } },
      outputs: { counts: { type: 'system/array_1d_float64/1' } },
    },
  ],
});
/** Foreground voxels per slice, read block by block (lazy) or from the whole mask (in memory). */
const LAZY_COUNT_SOURCE = `export class Algorithm {
  async process(inputs, _d, outputs) {
    const m = inputs.get('mask').data.value;
    const counts = new Float64Array(m.shape[0]);
    for await (const b of m.blocks()) {
      const per = b.shape[1] * b.shape[2];
      for (let i = 0; i < b.data.data.length; i++) counts[b.origin[0] + Math.floor(i / per)] += b.data.data[i];
    }
    outputs.get('counts').write({ value: { dtype: 'float64', shape: [m.shape[0]], data: counts } });
    return true;
  }
}`;
const MEMORY_COUNT_SOURCE = `export class Algorithm {
  process(inputs, _d, outputs) {
    const m = inputs.get('mask').data.value;
    const counts = new Float64Array(m.shape[0]);
    const per = m.shape[1] * m.shape[2];
    for (let i = 0; i < m.data.length; i++) counts[Math.floor(i / per)] += m.data[i];
    outputs.get('counts').write({ value: { dtype: 'float64', shape: [m.shape[0]], data: counts } });
    return true;
  }
}`;
/** Lazy in, lazy out: 1 - mask, chunk by chunk; `fail` throws after the first chunk is written. */
const invertSource = (fail: boolean) => `export class Algorithm {
  async process(inputs, _d, outputs) {
    const m = inputs.get('mask').data.value;
    const out = await outputs.get('inverted').createArray({ dtype: 'uint8', shape: [...m.shape], chunks: [...m.chunks] });
    for await (const b of m.blocks()) {
      await out.write(b.origin, { dtype: 'uint8', shape: b.shape, data: b.data.data.map((v) => 1 - v) });
      ${fail ? "throw new Error('boom downstream');" : ''}
    }
    outputs.get('inverted').write({ value: out });
    return true;
  }
}`;
const INVERT_DECL = {
  ...countDecl(true),
  groups: [
    {
      name: 'main',
      inputs: { mask: { type: 'system/array_3d_uint8/1', lazy: true } },
      outputs: { inverted: { type: 'system/array_3d_uint8/1', lazy: true } },
    },
  ],
};

/** The threshold block (700) and `consumers`, each reading threshold.mask on its input 'mask'. */
function maskChain(ids: string[], consumers: { name: string; algorithm: string }[]) {
  return {
    ...volumeThresholdToolchain(ids, 700),
    blocks: [{ name: 'threshold', algorithm: 'builtin/volume_threshold/1', parameters: { threshold: 700 } }, ...consumers],
    connections: consumers.map((c) => ({ from: 'threshold.mask', to: `${c.name}.mask` })),
  };
}

const sliceCounts = (a: NDArray, threshold = 700): number[] => {
  const per = a.shape[1]! * a.shape[2]!;
  const out = Array.from({ length: a.shape[0]! }, () => 0);
  a.data.forEach((v, i) => (out[Math.floor(i / per)]! += Number(v) > threshold ? 1 : 0));
  return out;
};

async function countsOf(store: Store, datasetId: string): Promise<number[]> {
  const rec = (await store.getDataset(datasetId))!;
  return Array.from((rec.fields.value as NDArray).data as Float64Array);
}

/** Chunked arrays by state: committed ones and those still staged. */
const arrayStates = (store: Store) =>
  raw(store.name, async (db) => {
    const all = (await db.getAll('chunkedArrays')) as { state: string }[];
    return { committed: all.filter((a) => a.state !== 'staging').length, staged: all.filter((a) => a.state === 'staging').length };
  });

describe('a lazy output feeding other blocks', () => {
  it('a lazy input reads the stored mask chunk by chunk, each chunk once, never whole', async () => {
    const reads: { array: string; key: string }[] = [];
    const store = await fresh({ onChunkRead: (array, key) => reads.push({ array, key }) });
    const a = volumeData();
    const id = await storeVolume(store, a);
    const tc = await service(store);
    await tc.installBlock(countDecl(true), LAZY_COUNT_SOURCE, { name: 'user/count_lazy/1' });
    // Every region read through a dataset array reader (lazy handles), by dataset.
    const regions: { dataset: string; size: number }[] = [];
    const open = store.openDatasetArray.bind(store);
    store.openDatasetArray = async (dsId, key) => {
      const r = await open(dsId, key);
      if (!r) return r;
      return {
        ...r,
        read: (region, level) => (
          regions.push({ dataset: dsId, size: region ? region.reduce((n, x) => n * (x ? x[1] - x[0] : 1), 1) : r.shape.reduce((n, d) => n * d, 1) }),
          r.read(region, level)
        ),
      };
    };
    reads.length = 0;
    const rec = await tc.wait(await tc.run(maskChain([id], [{ name: 'count', algorithm: 'user/count_lazy/1' }])));
    expect(rec.error).toBeNull();
    expect(rec.status).toBe('DONE');
    expect(rec.blocks.count!.error).toBeNull();

    const maskId = rec.blocks.threshold!.outputs.mask!.datasetIds[0]!;
    expect(await countsOf(store, rec.blocks.count!.outputs.counts!.datasetIds[0]!)).toEqual(sliceCounts(a));
    expect(sliceCounts(a).every((n) => n > 1000)).toBe(true);
    // The consumer read the committed mask through handles: 16 chunk-sized regions, no whole read.
    const maskRegions = regions.filter((r) => r.dataset === maskId).map((r) => r.size);
    expect(maskRegions).toHaveLength(16);
    expect(Math.max(...maskRegions)).toBe(150 * 150);
    // …and each of the mask's 16 chunks was read from the store exactly once.
    const maskArray = (await store.getDatasetMeta(maskId))!.keys.value!.array!;
    const maskReads = reads.filter((r) => r.array === maskArray && /^c\/\d+\/\d+\/\d+$/.test(r.key)).map((r) => r.key);
    expect(maskReads).toHaveLength(16);
    expect(new Set(maskReads).size).toBe(16);
    expect(await arrayStates(store)).toMatchObject({ staged: 0 });
    store.openDatasetArray = open;
    tc.shutdown();
  });

  it('a split lazy consumer, an in-memory consumer and a lazy-to-lazy consumer of one mask give the in-memory values', async () => {
    const store = await fresh();
    const a = volumeData();
    const b = ndarray('uint16', SHAPE);
    for (let i = 0; i < b.data.length; i++) b.data[i] = (i * 53 + 11) % 1500;
    const ids = [await storeVolume(store, a), await storeVolume(store, b)];
    const tc = await service(store);
    await tc.installBlock(countDecl(true, true), LAZY_COUNT_SOURCE, { name: 'user/count_lazy_split/1' });
    await tc.installBlock(countDecl(false), MEMORY_COUNT_SOURCE, { name: 'user/count_memory/1' });
    await tc.installBlock(INVERT_DECL, invertSource(false), { name: 'user/invert/1' });
    const rec = await tc.wait(
      await tc.run(
        maskChain(ids, [
          { name: 'lazy', algorithm: 'user/count_lazy_split/1' },
          { name: 'memory', algorithm: 'user/count_memory/1' },
          { name: 'invert', algorithm: 'user/invert/1' },
        ]),
        { parts: 2 },
      ),
    );
    expect(rec.error).toBeNull();
    expect(rec.status).toBe('DONE');
    // Two jobs for the split block, each with handles of its own.
    expect(rec.blocks.lazy!.ranges).toEqual([
      [0, 0],
      [1, 1],
    ]);
    for (const block of ['lazy', 'memory']) {
      const out = rec.blocks[block]!.outputs.counts!;
      expect(out.indices).toEqual([
        [0, 0],
        [1, 1],
      ]);
      expect(await countsOf(store, out.datasetIds[0]!)).toEqual(sliceCounts(a));
      expect(await countsOf(store, out.datasetIds[1]!)).toEqual(sliceCounts(b));
    }
    const inverted = rec.blocks.invert!.outputs.inverted!;
    expect(Array.from(await maskOf(store, inverted.datasetIds[1]!))).toEqual(Array.from(b.data, (v) => (v > 700 ? 0 : 1)));
    // Chunked arrays: 2 volumes, 2 masks and 2 inverted masks, all committed (the small counts are blobs).
    expect(await arrayStates(store)).toEqual({ committed: 6, staged: 0 });
    tc.shutdown();
  });

  it('a failing consumer of a lazy output leaves nothing staged; the stored mask is kept, as a failed run keeps its finished blocks’ outputs', async () => {
    const store = await fresh();
    const a = volumeData();
    const id = await storeVolume(store, a);
    const tc = await service(store);
    await tc.installBlock(INVERT_DECL, invertSource(true), { name: 'user/invert_boom/1' });
    await tc.installBlock(countDecl(false), MEMORY_COUNT_SOURCE, { name: 'user/count_memory/1' });
    const rec = await tc.wait(
      await tc.run(
        maskChain(
          [id],
          [
            { name: 'invert', algorithm: 'user/invert_boom/1' },
            { name: 'memory', algorithm: 'user/count_memory/1' },
          ],
        ),
      ),
    );
    expect(rec.status).toBe('FAILED');
    expect(rec.blocks.invert!.status).toBe('FAILED');
    expect(rec.blocks.invert!.error!.message).toMatch(/block 'invert' failed.*boom downstream/);
    expect(rec.blocks.threshold!.status).toBe('DONE');
    expect(rec.blocks.memory!.status).toBe('DONE');
    const maskId = rec.blocks.threshold!.outputs.mask!.datasetIds[0]!;
    expect(Array.from(await maskOf(store, maskId))).toEqual(Array.from(a.data, (v) => (v > 700 ? 1 : 0)));
    // The volume and the mask; the inverted array written before the throw is dropped.
    await expect.poll(() => arrayStates(store)).toEqual({ committed: 2, staged: 0 });
    tc.shutdown();
  });

  it('a consumer of a lazy output that could not be stored fails, naming both ends; nothing is staged', async () => {
    const store = await fresh();
    const id = await storeVolume(store, volumeData());
    const tc = await service(store);
    await tc.installBlock(countDecl(true), LAZY_COUNT_SOURCE, { name: 'user/count_lazy/1' });
    const put = store.putDatasets.bind(store);
    store.putDatasets = async (items) => {
      if (items.some((d) => d.extra?.stream === 'threshold.mask')) throw new Error('quota exceeded');
      return put(items);
    };
    const rec = await tc.wait(await tc.run(maskChain([id], [{ name: 'count', algorithm: 'user/count_lazy/1' }])));
    store.putDatasets = put;
    expect(rec.status).toBe('FAILED');
    expect(rec.blocks.threshold!.error!.message).toMatch(/block 'threshold': its outputs could not be stored: quota exceeded/);
    expect(rec.blocks.count!.status).toBe('FAILED');
    expect(rec.blocks.count!.error!.message).toBe(
      "block 'count' failed: input 'count.mask' reads 'threshold.mask', a lazy output whose units could not be stored (see block 'threshold').",
    );
    expect(await arrayStates(store)).toEqual({ committed: 1, staged: 0 });
    tc.shutdown();
  });
});
