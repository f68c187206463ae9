// Lazy arrays through the engine (issue 13), in Node with in-process runner workers (the same Comlink
// boundary, structured clone and transfers as the browser): region reads, blocks with a halo, output
// arrays written block by block and committed with their dataset, the access rules and argument
// checks of the new HostApi calls, nothing staged left by a failed or cancelled run, and the built-in
// threshold_segmentation out of core: Otsu equal to the in-memory kernel and to scikit-image
// (python3-skimage) on 2-D and 3-D data, reading one chunk at a time.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createAlgobox, type Algobox } from '../../src/api';
import { ndarray, stack, type DType, type NDArray } from '../../src/core/ndarray';
import { deleteStore, openStore, type Store, type StoreHooks } from '../../src/store/index';
import * as filters from '../../src/sdk/image/filters';
import { raw } from './helpers/freshStores';
import { builtinBundleFolder } from './helpers/builtinFolder';
import { inProcessWorkerFactory } from './helpers/inProcessWorkers';
import { manifest } from './helpers/bundles';
// The example bundle's own filter computes the whole-array reference.
import { meanFilter } from '../../docs/examples/mean_filter/lib/mean3.js';

const EXAMPLE_DIR = join(import.meta.dirname, '..', '..', 'docs', 'examples', 'mean_filter');

function folder(root: string): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  const walk = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(root, p)] = new Uint8Array(readFileSync(p));
    }
  };
  walk(root);
  return out;
}

interface Env {
  api: Algobox;
  store: Store;
  /** Every region the engine read through openDatasetArray: dataset id, key, region. */
  reads: { id: string; key: string; region: [number, number][] }[];
  /** Store events in order: chunk reads ('R <array id> <key>') and chunk writes ('W'). */
  events: string[];
}

const envs: Env[] = [];
afterEach(async () => {
  for (const e of envs.splice(0)) {
    await e.api.close();
    e.store.close();
    await deleteStore(e.store.name);
  }
});

/** An engine over a store whose chunk reads, chunk writes and region reads are recorded. */
async function makeEnv(opts: { maxPostBytes?: number } = {}): Promise<Env> {
  const events: string[] = [];
  const hooks: StoreHooks = {
    onChunkRead: (id, key) => events.push(`R ${id} ${key}`),
    beforeCommit: (op) => {
      if (op === 'putChunk') events.push('W');
    },
  };
  const real = await openStore(`lazy-${crypto.randomUUID()}`, { hooks });
  const reads: Env['reads'] = [];
  const store = Object.create(real) as Store;
  store.openDatasetArray = async (id, key) => {
    const r = await real.openDatasetArray(id, key);
    if (!r) return r;
    return {
      ...r,
      read: (region) => {
        reads.push({ id, key, region: r.shape.map((d, i) => (region?.[i] ? [region[i]![0], region[i]![1]] : [0, d])) });
        return r.read(region);
      },
    };
  };
  const api = createAlgobox({
    store,
    workerFactory: inProcessWorkerFactory(),
    sandboxWorkerFactory: inProcessWorkerFactory(),
    persistIntervalMs: 5,
    ...(opts.maxPostBytes ? { maxPostBytes: opts.maxPostBytes } : {}),
  });
  const env = { api, store: real, reads, events };
  envs.push(env);
  return env;
}

const counts = (name: string) => raw(name, async (db) => ({ arrays: await db.count('chunkedArrays'), chunks: await db.count('chunks') }));
const values = (a: unknown) => Array.from((a as NDArray).data as ArrayLike<number>);

function ramp(dtype: DType, shape: number[], f: (i: number) => number): NDArray {
  const a = ndarray(dtype, shape);
  for (let i = 0; i < a.data.length; i++) (a.data as Float32Array)[i] = f(i);
  return a;
}

/** A third-party Generic bundle whose inference runs `body` (`host` = the raw HostApi, `ids` = its inputs). */
function bundle(name: string, body: string): Record<string, string> {
  return {
    'pyproject.toml': manifest(name, 'Generic'),
    'Runner.js': `import { BaseRunner, ndarray } from "algobox";
export class Runner extends BaseRunner {
  async preprocess(input) { return input.inputDatasetIds; }
  async inference(ids, args) { const host = this.host; ${body} }
  async postprocess(d) { return d; }
}`,
  };
}

async function runBundle(env: Env, files: Record<string, string | Uint8Array>, inputs: string[], extra: { args?: Record<string, unknown> } = {}) {
  const alg = await env.api.algorithms.install(files);
  return env.api.executions.wait(await env.api.execute({ algorithmId: alg.id, inputDatasetIds: inputs, ...(extra.args ? { args: extra.args } : {}) }));
}

/** The JSON a bundle logged as "RESULT …". */
function logged(rec: { log: { message: string }[] }): unknown {
  const line = rec.log.find((l) => l.message.startsWith('RESULT '));
  if (!line) throw new Error(`no RESULT line in ${JSON.stringify(rec.log.map((l) => l.message))}`);
  return JSON.parse(line.message.slice(7));
}

describe('lazy arrays in a (sandboxed) third-party bundle', () => {
  it('reads regions (only the chunks they touch) and iterates blocks with a halo clipped at the edges, covering the array once', async () => {
    const env = await makeEnv();
    const vol = ramp('uint16', [3, 150, 250], (i) => (i * 7) % 6000);
    const id = await env.api.datasets.put({ volume: vol }, { schema: 'Volume' });
    const rec = await runBundle(
      env,
      bundle(
        'regions',
        `const v = await this.openArray(ids[0], "volume");
        const r = await v.read([[1, 2], [10, 13], null]);
        const blocks = [];
        for await (const b of v.blocks({ halo: [0, 2, 3], blockShape: [2, 64, 100] })) {
          blocks.push({ origin: b.origin, shape: b.shape, dataOrigin: b.dataOrigin, dataShape: b.data.shape, coreOffset: b.coreOffset, first: b.data.data[0], core: Array.from(b.crop().data.slice(0, 3)) });
        }
        await this.logMessage("RESULT " + JSON.stringify({ shape: v.shape, dtype: v.dtype, chunks: v.chunks, r: { shape: r.shape, head: Array.from(r.data.slice(0, 4)) }, blocks }));
        return [];`,
      ),
      [id],
    );
    expect(rec.error).toBeNull();
    const out = logged(rec) as {
      shape: number[];
      dtype: string;
      chunks: number[];
      r: { shape: number[]; head: number[] };
      blocks: { origin: number[]; shape: number[]; dataOrigin: number[]; dataShape: number[]; coreOffset: number[]; first: number; core: number[] }[];
    };
    expect(out).toMatchObject({ shape: [3, 150, 250], dtype: 'uint16', chunks: [1, 150, 250] });
    const at = (z: number, y: number, x: number) => vol.data[z * 37500 + y * 250 + x]!;
    expect(out.r).toEqual({ shape: [1, 3, 250], head: [at(1, 10, 0), at(1, 10, 1), at(1, 10, 2), at(1, 10, 3)] });
    // 2 × 3 × 3 blocks; every element in exactly one core; halos clipped at the edges.
    expect(out.blocks).toHaveLength(18);
    const covered = new Uint8Array(vol.data.length);
    for (const b of out.blocks) {
      for (let z = 0; z < b.shape[0]!; z++)
        for (let y = 0; y < b.shape[1]!; y++)
          for (let x = 0; x < b.shape[2]!; x++) covered[(b.origin[0]! + z) * 37500 + (b.origin[1]! + y) * 250 + b.origin[2]! + x]!++;
      for (let i = 0; i < 3; i++) {
        const halo = [0, 2, 3][i]!;
        expect(b.dataOrigin[i]).toBe(Math.max(0, b.origin[i]! - halo));
        expect(b.dataOrigin[i]! + b.dataShape[i]!).toBe(Math.min([3, 150, 250][i]!, b.origin[i]! + b.shape[i]! + halo));
        expect(b.coreOffset[i]).toBe(b.origin[i]! - b.dataOrigin[i]!);
      }
      expect(b.first).toBe(at(b.dataOrigin[0]!, b.dataOrigin[1]!, b.dataOrigin[2]!));
      expect(b.core).toEqual([0, 1, 2].map((k) => at(b.origin[0]!, b.origin[1]!, b.origin[2]! + k)));
    }
    expect(covered.every((c) => c === 1)).toBe(true);
    // The region read touched chunk 1 only.
    const volArray = (await env.store.getDatasetMeta(id))!.keys.volume!.array!;
    const regionRead = env.events.filter((e) => e.startsWith(`R ${volArray}`));
    expect(regionRead[0]).toBe(`R ${volArray} c/1/0/0`);
  });

  it('the example bundle (docs/examples/mean_filter) filters a Volume block by block: equal to the whole-array filter, output chunked', async () => {
    const env = await makeEnv();
    const vol = ramp('float32', [4, 70, 90], (i) => Math.sin(i * 0.37) * 100 + (i % 17));
    const id = await env.api.datasets.put({ volume: vol }, { schema: 'Volume' });
    const files = folder(EXAMPLE_DIR);
    const rec = await runBundle(env, files, [id], { args: { block_rows: 16 } });
    expect(rec.error).toBeNull();
    expect(rec.status).toBe('COMPLETED');
    expect(rec.log.map((l) => l.message)).toContain('volume float32 [4, 70, 90]: 20 block(s) of [1, 16, 90].');
    const [outId] = rec.outputDatasetIds;
    const got = (await env.api.datasets.get(outId!)).fields.volume as NDArray;
    const expected = meanFilter(vol);
    expect(got.shape).toEqual([4, 70, 90]);
    expect(got.dtype).toBe('float32');
    expect(values(got)).toEqual(values(expected));
    const meta = (await env.store.getDatasetMeta(outId!))!;
    expect(meta.schema).toBe('Volume');
    expect(meta.keys.volume!.array).toBeTruthy();
    expect(meta.keys.volume!.chunkShape).toEqual([1, 70, 90]);
    // Every read was one block with its halo: at most 3 slices of at most 18 rows.
    const reads = env.reads.filter((r) => r.id === id);
    expect(reads).toHaveLength(20);
    expect(reads.every((r) => r.region[0]![1] - r.region[0]![0] <= 3 && r.region[1]![1] - r.region[1]![0] <= 18)).toBe(true);
  });

  it('writes an output block by block (createArray, write, postData with the array as a field) in one dataset transaction', async () => {
    const env = await makeEnv();
    const input = await env.api.datasets.put({ image: ndarray('uint8', [2, 2], [1, 2, 3, 4]) });
    const rec = await runBundle(
      env,
      bundle(
        'writer',
        `const out = await this.createArray({ dtype: "int32", shape: [6, 300, 100], chunks: [2, 300, 100] });
        for (let z = 0; z < 6; z++) {
          const block = ndarray("int32", [1, 300, 100]);
          for (let i = 0; i < block.data.length; i++) block.data[i] = z * 1000000 + i;
          await out.write([z, 0, 0], block);
          if (block.data.length !== 0) throw new Error("the block was not transferred");
        }
        const back = await out.read([[5, 6], [1, 2], [20, 24]]);
        await this.logMessage("RESULT " + JSON.stringify(Array.from(back.data)));
        return this.postData([{ data: out }], "Generic");`,
      ),
      [input],
    );
    expect(rec.error).toBeNull();
    expect(logged(rec)).toEqual([5_000_120, 5_000_121, 5_000_122, 5_000_123]);
    const got = (await env.api.datasets.get(rec.outputDatasetIds[0]!)).fields.data as NDArray;
    expect(got.shape).toEqual([6, 300, 100]);
    expect(got.data[0]).toBe(0);
    expect(got.data[30000 * 5 + 123]).toBe(5_000_123);
    const meta = (await env.store.getDatasetMeta(rec.outputDatasetIds[0]!))!;
    expect(meta.keys.data!.chunkShape).toEqual([2, 300, 100]);
    // Committed with the dataset: one array, 3 chunks and its zarr.json.
    expect(await counts(env.store.name)).toMatchObject({ arrays: 1 });
    expect((await env.store.listChunkedArrays()).map((a) => a.shape)).toEqual([[6, 300, 100]]);
  });

  it('refuses a non-input dataset (readArray, describeData, openArray), as fetchData does', async () => {
    const env = await makeEnv();
    const secret = await env.api.datasets.put({ image: ndarray('uint8', [300, 300]) }, { name: 'secret' });
    const input = await env.api.datasets.put({ image: ndarray('uint8', [2, 2]) });
    const rec = await runBundle(
      env,
      bundle(
        'snoop',
        `const errors = [];
        const tryIt = async (f) => { try { await f(); errors.push("accepted"); } catch (e) { errors.push(e.message); } };
        await tryIt(() => host.readArray(${JSON.stringify(secret)}, "image", null));
        await tryIt(() => host.describeData([${JSON.stringify(secret)}]));
        await tryIt(() => this.openArray(${JSON.stringify(secret)}, "image"));
        await tryIt(() => host.readArray(ids[0], "image", [[0, 1], [0, 1]]));
        await this.logMessage("RESULT " + JSON.stringify(errors));
        return [];`,
      ),
      [input],
    );
    expect(rec.error).toBeNull();
    const denied = `'${secret}' is not an input of this execution; a third-party bundle may read only its inputs, datasets named in its arguments and datasets it posted.`;
    expect(logged(rec)).toEqual([`readArray: ${denied}`, `describeData: ${denied}`, `describeData: ${denied}`, 'accepted']);
  });

  it('rejects bad regions, origins, dtypes, shapes and handles with messages naming the field and the value', async () => {
    const env = await makeEnv({ maxPostBytes: 10_000_000 });
    const input = await env.api.datasets.put({ image: ndarray('uint8', [4, 4]) });
    const rec = await runBundle(
      env,
      bundle(
        'bad',
        `const errors = [];
        const tryIt = async (f) => { try { await f(); errors.push("accepted"); } catch (e) { errors.push(e.message); } };
        const u8 = (shape) => ({ dtype: "uint8", shape, data: new Uint8Array(shape.reduce((a, b) => a * b, 1)) });
        await tryIt(() => host.readArray(ids[0], "image", [[0, 5], null]));
        await tryIt(() => host.readArray(ids[0], "image", [[0, 2]]));
        await tryIt(() => host.readArray(ids[0], "image", [[2, 1], null]));
        await tryIt(() => host.readArray(ids[0], "nope", null));
        await tryIt(() => host.createArray({ dtype: "int64", shape: [2, 2] }));
        await tryIt(() => host.createArray({ dtype: "uint8", shape: [2, -1] }));
        await tryIt(() => host.createArray({ dtype: "uint8", shape: [10000, 10000], chunks: [10000, 10000] }));
        await tryIt(() => host.createArray({ dtype: "float64", shape: [2000, 1000] }));
        const { handle } = await host.createArray({ dtype: "uint8", shape: [4, 4] });
        await tryIt(() => host.writeArray(handle, [3, 0], u8([2, 2])));
        await tryIt(() => host.writeArray(handle, [-1, 0], u8([2, 2])));
        await tryIt(() => host.writeArray(handle, [0, 0], { dtype: "float32", shape: [2, 2], data: new Float32Array(4) }));
        await tryIt(() => host.writeArray(handle, [0, 0], { dtype: "uint8", shape: [2, 2], data: new Uint8Array(3) }));
        await tryIt(() => host.writeArray("nope", [0, 0], u8([2, 2])));
        await tryIt(() => host.postData([{ mask: { kind: "array", staged: "nope" } }], "Segmentation"));
        await tryIt(() => host.postData([{ image: { kind: "array", staged: handle } }], "Image"));
        await tryIt(() => host.writeArray(handle, [0, 0], u8([2, 2])));
        await this.logMessage("RESULT " + JSON.stringify(errors));
        return [];`,
      ),
      [input],
    );
    expect(rec.error).toBeNull();
    expect(logged(rec)).toEqual([
      'readArray: region[0] must be null or [start, stop] with 0 ≤ start ≤ stop ≤ 4 (axis 0 of [4, 4]), got [0, 5].',
      'readArray: region has 1 axes, but the array [4, 4] has 2.',
      'readArray: region[0] must be null or [start, stop] with 0 ≤ start ≤ stop ≤ 4 (axis 0 of [4, 4]), got [2, 1].',
      expect.stringMatching(/^readArray: Dataset .* has no field 'nope' \(it has 'image'\)\.$/),
      'createArray: dtype must be one of uint8, int8, uint16, int16, uint32, int32, float16, float32, float64, bool, got "int64".',
      'createArray: shape must be a list of at most 32 non-negative integers, got [2, -1].',
      'createArray: chunks [10000, 10000] are 100000000 bytes each; at most 67108864 are allowed.',
      "createArray: an output array of 16000000 bytes would bring this execution's posted bytes to 16000000, more than its limit of 10000000.",
      'writeArray: a block [2, 2] at origin [3, 0] does not fit in the array [4, 4] (axis 0: 3 + 2 > 4).',
      'writeArray: origin must be 2 non-negative integers (one per axis of [4, 4]), got [-1, 0].',
      "writeArray: block dtype float32 does not match the output array's dtype uint8.",
      'writeArray: block: data has 3 elements but shape [2, 2] needs 4.',
      "writeArray: 'nope' is not an output array of this execution (createArray gives the handles).",
      "postData: item 0 field 'mask': 'nope' is not an output array of this execution (createArray gives the handles).",
      'accepted',
      expect.stringMatching(/^writeArray: output array '[0-9a-f-]+' was already posted; it cannot change any more\.$/),
    ]);
  });

  it('a run that fails (or is cancelled, or completes without posting) midway leaves no staged array and no chunk', async () => {
    const env = await makeEnv();
    const input = await env.api.datasets.put({ image: ndarray('uint8', [2, 2]) });
    const before = await counts(env.store.name);
    const write = `const out = await this.createArray({ dtype: "float32", shape: [4, 256, 256], chunks: [1, 256, 256] });
      await out.write([0, 0, 0], ndarray("float32", [2, 256, 256]));
      await this.createArray({ dtype: "uint8", shape: [300, 300] });`;
    const failed = await runBundle(env, bundle('fails', `${write} throw new Error("boom halfway");`), [input]);
    expect(failed.status).toBe('FAILED');
    expect(failed.error?.message).toBe('boom halfway');
    expect(failed.log.map((l) => l.message)).toContain('Dropped 2 output array(s) this execution had not posted.');
    expect(await counts(env.store.name)).toEqual(before);

    const unposted = await runBundle(env, bundle('forgets', `${write} return [];`), [input]);
    expect(unposted.status).toBe('COMPLETED');
    expect(await counts(env.store.name)).toEqual(before);

    // Cancelled while its writes go on: the writes in flight finish, then everything is dropped.
    const alg = await env.api.algorithms.install(
      bundle(
        'cancelled',
        `${write} await this.logMessage("WRITTEN"); for (let z = 2; ; z = 2 + (z + 1) % 2) await this.createArray({ dtype: "uint8", shape: [8] });`,
      ),
    );
    const execId = await env.api.execute({ algorithmId: alg.id, inputDatasetIds: [input] });
    for (let i = 0; i < 200 && !(await env.api.executions.get(execId)).log.some((l) => l.message === 'WRITTEN'); i++)
      await new Promise((r) => setTimeout(r, 10));
    const cancelled = await env.api.executions.cancel(execId);
    expect(cancelled.status).toBe('CANCELLED');
    expect(await counts(env.store.name)).toEqual(before);
    expect(await env.store.collectGarbage({ graceMs: 0 })).toEqual({ arrays: [] });
  });
});

describe('threshold_segmentation on a Volume of several chunks', () => {
  it('every method runs out of core and gives the in-memory mask (li, local and float mean too)', async () => {
    const env = await makeEnv();
    let s = 5;
    const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
    const vol = ramp('float32', [3, 120, 150], () => (rnd() < 0.35 ? 0.7 : 0.2) + (rnd() - 0.5) * 0.3);
    const id = await env.api.datasets.put({ volume: vol }, { schema: 'Volume' });
    const alg = await env.api.algorithms.install(builtinBundleFolder('threshold_segmentation'), { builtin: true });
    for (const method of filters.THRESHOLD_METHODS) {
      const rec = await env.api.executions.wait(
        await env.api.execute({ algorithmId: alg.id, inputDatasetIds: [id], args: { thresholding_algorithm: method } }),
      );
      expect(rec.error).toBeNull();
      expect(rec.log.map((l) => l.message)).toContain('Out of core: float32 [3, 120, 150] in 3 block(s).');
      const mask = (await env.api.datasets.get(rec.outputDatasetIds[0]!)).fields.mask as NDArray;
      expect(mask.shape).toEqual([3, 120, 150]);
      // The in-memory bundle thresholds the stack of its inputs ([1, 3, 120, 150] here).
      expect(values(mask)).toEqual(values(filters.threshold(stack([vol]), method).mask));
      expect(values(mask)).toEqual(values(filters.threshold(vol, method).mask));
    }
  });

  it('li and local over two Volumes: out of core, the masks of the in-memory stack (local: each volume on its own)', async () => {
    const env = await makeEnv();
    let s = 8;
    const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
    const vols = [0, 1].map(() =>
      ramp('uint16', [3, 120, 150], (i) => ((i >> 4) % 5 === 0 ? 30000 : Math.round((rnd() < 0.4 ? 40000 : 15000) + rnd() * 9000))),
    );
    const ids = await Promise.all(vols.map((v) => env.api.datasets.put({ volume: v }, { schema: 'Volume' })));
    const alg = await env.api.algorithms.install(builtinBundleFolder('threshold_segmentation'), { builtin: true });
    for (const method of ['li', 'local'] as const) {
      const rec = await env.api.executions.wait(await env.api.execute({ algorithmId: alg.id, inputDatasetIds: ids, args: { thresholding_algorithm: method } }));
      expect(rec.error).toBeNull();
      expect(rec.log.map((l) => l.message)).toContain('Out of core: uint16 [3, 120, 150] in 3 block(s); uint16 [3, 120, 150] in 3 block(s).');
      // li: one threshold over the stack; local: each volume on its own (block size 1 along the stack of inputs).
      const whole = filters.threshold(stack(vols), method, method === 'local' ? { blockSize: [1, 3, 3, 3] } : {}).mask;
      for (let i = 0; i < 2; i++) {
        const mask = (await env.api.datasets.get(rec.outputDatasetIds[i]!)).fields.mask as NDArray;
        expect(values(mask)).toEqual(Array.from(whole.data.subarray(i * 54000, (i + 1) * 54000)));
      }
      if (method === 'li') expect(rec.log.map((l) => l.message)).toContain(`Threshold: ${filters.thresholdLi(stack(vols))}`);
    }
  });

  it('a tiled float64 [1500, 1500] Image: mean and li sum in C order (row blocks across the tiles), local by tiles', async () => {
    const env = await makeEnv();
    let s = 12;
    const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
    const img = ramp('float64', [1500, 1500], (i) => ((((i % 1500) >> 5) + ((i / 1500) >> 5)) % 3 === 0 ? 0.25 : (rnd() < 0.3 ? 2.5 : 1) + rnd() * 0.7));
    const id = await env.api.datasets.put({ image: img });
    const chunks = (await env.store.getDatasetMeta(id))!.keys.image!.chunkShape!;
    expect(chunks[1]).toBeLessThan(1500); // tiles: chunk order is not C order
    const alg = await env.api.algorithms.install(builtinBundleFolder('threshold_segmentation'), { builtin: true });
    for (const method of ['mean', 'li', 'local'] as const) {
      const rec = await env.api.executions.wait(
        await env.api.execute({ algorithmId: alg.id, inputDatasetIds: [id], args: { thresholding_algorithm: method } }),
      );
      expect(rec.error).toBeNull();
      const log = rec.log.map((l) => l.message);
      expect(log.some((m) => m.startsWith('Out of core: float64 [1500, 1500] in '))).toBe(true);
      const whole = filters.threshold(stack([img]), method);
      if (method !== 'local') expect(log).toContain(`Threshold: ${whole.threshold as number}`);
      const mask = (await env.api.datasets.get(rec.outputDatasetIds[0]!)).fields.mask as NDArray;
      expect(Buffer.from(mask.data as Uint8Array).equals(Buffer.from(whole.mask.data))).toBe(true);
    }
  });
});

describe('tv_denoising on a Volume, slice by slice out of core', () => {
  it('gives the Volume of what its slices as Images give (same normalisation, same denoising)', async () => {
    const env = await makeEnv();
    const shape = [3, 100, 120];
    const vol = ramp('float32', shape, (i) => Math.sin(i * 0.011) * 40 + ((i * 7919) % 13));
    const volId = await env.api.datasets.put({ volume: vol }, { schema: 'Volume' });
    const sliceIds = await Promise.all(
      [0, 1, 2].map((z) => env.api.datasets.put({ image: ndarray('float32', [100, 120], (vol.data as Float32Array).slice(z * 12000, (z + 1) * 12000)) })),
    );
    const alg = await env.api.algorithms.install(builtinBundleFolder('tv_denoising'), { builtin: true });
    const run = async (ids: string[]) =>
      env.api.executions.wait(await env.api.execute({ algorithmId: alg.id, inputDatasetIds: ids, args: { denoising_weight: 0.2 } }));
    const [v, s] = [await run([volId]), await run(sliceIds)];
    expect(v.error).toBeNull();
    expect(s.error).toBeNull();
    expect(v.log.map((l) => l.message)).toContain('Starting denoising of 3 slices of 1 volume(s) with weight 0.2.');
    const out = (await env.api.datasets.get(v.outputDatasetIds[0]!)).fields.volume as NDArray;
    expect(out.dtype).toBe('float32');
    expect(out.shape).toEqual(shape);
    const slices = await Promise.all(s.outputDatasetIds.map(async (id) => values((await env.api.datasets.get(id)).fields.image)));
    expect(values(out)).toEqual(slices.flat());
    expect((await env.store.getDatasetMeta(v.outputDatasetIds[0]!))!.schema).toBe('Volume');
    // The float64 scratch arrays were dropped: only committed arrays remain.
    const all = await raw(env.store.name, (db) => db.getAll('chunkedArrays'));
    expect(all.every((a) => a.state === 'committed')).toBe(true);
  });
});

// ── threshold_segmentation out of core, against scikit-image ──

const PYTHON = '/usr/bin/python3';

interface SkimageCase {
  data: NDArray;
  threshold: number;
  mask: Uint8Array;
}

/** A deterministic array from numpy, with skimage's threshold_otsu and `data > t` as 0/1 bytes. */
function skimageOtsu(dtype: 'uint16' | 'float32', shape: number[], seed: number): SkimageCase {
  const dir = mkdtempSync(join(tmpdir(), 'otsu-'));
  try {
    const code = `
import json, sys, numpy as np
from skimage.filters import threshold_otsu
rng = np.random.default_rng(${seed})
shape = tuple(${JSON.stringify(shape)})
# two populations, so the threshold is meaningful
a = np.where(rng.random(shape) < 0.3, rng.normal(3000, 400, shape), rng.normal(1200, 300, shape))
a = np.clip(a, 0, 65535).astype(np.${dtype})
t = threshold_otsu(a)
a.tofile(sys.argv[1] + '/data.bin')
(a > t).astype(np.uint8).tofile(sys.argv[1] + '/mask.bin')
json.dump({'t': float(t)}, open(sys.argv[1] + '/t.json', 'w'))
`;
    const r = spawnSync(PYTHON, ['-c', code, dir], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
    const bytes = readFileSync(join(dir, 'data.bin'));
    const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const data = ndarray(dtype, shape, dtype === 'uint16' ? new Uint16Array(buf) : new Float32Array(buf));
    const threshold = (JSON.parse(readFileSync(join(dir, 't.json'), 'utf8')) as { t: number }).t;
    return { data, threshold, mask: new Uint8Array(readFileSync(join(dir, 'mask.bin'))) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('threshold_segmentation out of core (Otsu) equals the in-memory kernel and scikit-image', () => {
  let hasSkimage = false;
  beforeAll(() => {
    hasSkimage = spawnSync(PYTHON, ['-c', 'import skimage, numpy']).status === 0;
  });

  async function runOtsu(env: Env, id: string) {
    const alg = await env.api.algorithms.install(builtinBundleFolder('threshold_segmentation'), { builtin: true });
    const rec = await env.api.executions.wait(await env.api.execute({ algorithmId: alg.id, inputDatasetIds: [id], args: { thresholding_algorithm: 'otsu' } }));
    expect(rec.error).toBeNull();
    const line = rec.log.find((l) => l.message.startsWith('Threshold: '))!.message;
    const mask = (await env.api.datasets.get(rec.outputDatasetIds[0]!)).fields.mask as NDArray;
    return { rec, threshold: Number(line.slice('Threshold: '.length)), mask, meta: (await env.store.getDatasetMeta(rec.outputDatasetIds[0]!))! };
  }

  it('a [5, 300, 300] uint16 Volume: same threshold and mask, one chunk read at a time (histogram pass, then mask pass)', async (ctx) => {
    if (!hasSkimage) ctx.skip();
    const sk = skimageOtsu('uint16', [5, 300, 300], 7);
    const env = await makeEnv();
    const id = await env.api.datasets.put({ volume: sk.data }, { schema: 'Volume' });
    const inArray = (await env.store.getDatasetMeta(id))!.keys.volume!;
    expect(inArray.chunkShape).toEqual([1, 300, 300]);
    env.events.length = 0;
    const { rec, threshold, mask, meta } = await runOtsu(env, id);
    const inMemory = filters.thresholdOtsu(sk.data);
    console.log(`otsu [5, 300, 300] uint16: out of core ${threshold}, in memory ${inMemory}, skimage ${sk.threshold}`);
    expect(threshold).toBe(inMemory);
    expect(threshold).toBe(sk.threshold);
    expect(mask.shape).toEqual([5, 300, 300]);
    expect(Buffer.from(mask.data as Uint8Array).equals(Buffer.from(sk.mask))).toBe(true);
    expect(values(filters.applyThreshold(sk.data, inMemory))).toEqual(values(mask));
    expect(meta.schema).toBe('Segmentation');
    expect(meta.keys.mask!.chunkShape).toEqual([1, 300, 300]);
    expect(rec.log.map((l) => l.message)).toContain('Out of core: uint16 [5, 300, 300] in 5 block(s).');

    // Bounded reads: every read is one chunk; each chunk is read once per pass (histogram, mask);
    // in the mask pass at most two input chunks are read ahead of the mask chunks written.
    expect(env.reads.filter((r) => r.id === id)).toHaveLength(10);
    expect(env.reads.every((r) => r.region[0]![1] - r.region[0]![0] === 1)).toBe(true);
    const inReads = env.events.filter((e) => e.startsWith(`R ${inArray.array}`));
    expect(inReads).toHaveLength(10);
    expect(inReads.slice(0, 5)).toEqual([0, 1, 2, 3, 4].map((z) => `R ${inArray.array} c/${z}/0/0`));
    const readAt = env.events.flatMap((e, i) => (e.startsWith(`R ${inArray.array}`) ? [i] : []));
    const maskPass = env.events.slice(readAt[5]);
    let ahead = 0;
    let peak = 0;
    for (const e of maskPass) {
      if (e.startsWith(`R ${inArray.array}`)) ahead++;
      else if (e === 'W') ahead--;
      peak = Math.max(peak, ahead);
    }
    expect(peak).toBeLessThanOrEqual(2);
  });

  it('a [5, 300, 300] float32 Volume (range pass, histogram pass, mask pass) and a [1500, 1500] uint16 Image (4 tiles of 1024²)', async (ctx) => {
    if (!hasSkimage) ctx.skip();
    const env = await makeEnv();
    for (const [dtype, shape, schema, key] of [
      ['float32', [5, 300, 300], 'Volume', 'volume'],
      ['uint16', [1500, 1500], 'Image', 'image'],
    ] as const) {
      const sk = skimageOtsu(dtype, [...shape], 11);
      const id = await env.api.datasets.put({ [key]: sk.data }, { schema });
      env.reads.length = 0;
      const { threshold, mask } = await runOtsu(env, id);
      const inMemory = filters.thresholdOtsu(sk.data);
      console.log(`otsu [${shape.join(', ')}] ${dtype}: out of core ${threshold}, in memory ${inMemory}, skimage ${sk.threshold}`);
      expect(threshold).toBe(inMemory);
      expect(Math.fround(threshold)).toBe(Math.fround(sk.threshold));
      expect(Buffer.from(mask.data as Uint8Array).equals(Buffer.from(sk.mask))).toBe(true);
      const chunks = (await env.store.getDatasetMeta(id))!.keys[key]!.chunkShape!;
      const perRead = chunks.reduce((a, b) => a * b, 1);
      expect(env.reads.every((r) => r.region.reduce((n, [a, b]) => n * (b - a), 1) <= perRead)).toBe(true);
      expect(env.reads).toHaveLength((dtype === 'float32' ? 3 : 2) * (dtype === 'float32' ? 5 : 4));
    }
  });
});
