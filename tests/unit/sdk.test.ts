// The runner SDK: attribute rules (reference test_runner_attribute_behavior), logging/progress
// validation, data access through a fake HostApi, the five typed runners (reference
// test_child_runners) and the preprocess → inference → postprocess pipeline (test_base_runner).
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BaseRunner, type Args, type InputData } from '../../src/sdk/BaseRunner';
import { Image2ImageRunner } from '../../src/sdk/Image2ImageRunner';
import { Image2SegmentationRunner } from '../../src/sdk/Image2SegmentationRunner';
import { Image2EmbeddingRunner } from '../../src/sdk/Image2EmbeddingRunner';
import { Image2AlignmentRunner } from '../../src/sdk/Image2AlignmentRunner';
import { Segmentation2SegmentationRunner } from '../../src/sdk/Segmentation2SegmentationRunner';
import { SharedAssets, constructRunner, internalsOf, loadSharedAssets, type RunnerInternals } from '../../src/sdk/runnerState';
import { runPipeline } from '../../src/sdk/pipeline';
import { ImageSchema } from '../../src/core/dataSchemas';
import { isNDArray, ndarray, type NDArray } from '../../src/core/ndarray';
import { fakeHost, putArrays, type FakeHost } from './helpers/fakeHost';

// ───────────────────────────── helpers ─────────────────────────────

type Ctx = Omit<RunnerInternals, 'phase'>;

function ctxFor(host: FakeHost | null = fakeHost(), shared = new SharedAssets(), executionId: string | null = null, device: 'cpu' | 'gpu' = 'cpu'): Ctx {
  return { shared, device, host, executionId };
}

/** The error a promise rejects with, or a function throws (fails the test if none). */
async function errorOf(p: Promise<unknown> | (() => unknown)): Promise<Error> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error, got none');
}

function syncErrorOf(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a synchronous error, got none');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const inputs = (ids: string[]): InputData => ({ inputDatasetIds: ids, input_dataset_ids: ids });
const filled = (dtype: 'uint8' | 'float32', shape: number[], v: number): NDArray => {
  const a = ndarray(dtype, shape);
  a.data.fill(v);
  return a;
};
const eye3 = () => ndarray('float64', [3, 3], [1, 0, 0, 0, 1, 0, 0, 0, 1]);

// Loose access to runner attributes set by bundle code (plain JS in real bundles).
type Loose = Record<string, unknown> & BaseRunner;
const loose = (r: BaseRunner) => r as Loose;
/** For assigning names TypeScript knows are read-only (bundles are plain JS). */
const untyped = (r: BaseRunner) => r as unknown as Record<string, unknown>;

// ───────────────────────────── 1. attribute rules ─────────────────────────────

class AssetRunner extends BaseRunner {
  // Class fields / constructor assignments to names loadAssets locks are ignored.
  model: unknown = 'constructor default';
  my_attribute: number[] = [0];
  foo = 1;
  constructor() {
    super();
    loose(this).bar = 'bar';
    loose(this).my_asset = 'ignored too';
  }
  override async loadAssets(): Promise<void> {
    loose(this).my_asset = [0];
    this.model = { weights: await this.fetchAsset('files/model.bin') };
  }
}

async function loadedAssetRunner() {
  const host = fakeHost({ assets: { 'files/model.bin': new Uint8Array([1, 2, 3]) } });
  const shared = new SharedAssets();
  await loadSharedAssets(AssetRunner, ctxFor(host, shared));
  return { host, shared, make: (id = 'e1') => constructRunner(AssetRunner, ctxFor(host, shared, id)) };
}

describe('runnerState: shared, locked assets (test_runner_asset_loading / _access / _locked_attributes)', () => {
  it('records exactly the names assigned in loadAssets as locked, once', async () => {
    const shared = new SharedAssets();
    expect([...shared.locked]).toEqual([]);
    expect(shared.loadCount).toBe(0);
    const host = fakeHost({ assets: { 'files/model.bin': new Uint8Array([1, 2, 3]) } });
    await loadSharedAssets(AssetRunner, ctxFor(host, shared));
    expect(new Set(shared.locked)).toEqual(new Set(['my_asset', 'model']));
    expect(shared.values.get('my_asset')).toEqual([0]);
    expect(shared.loadCount).toBe(1);
    expect(host.calls).toEqual(['fetchAsset']);
  });

  it('every execution instance sees the loaded assets (test_runner_asset_access)', async () => {
    const { make } = await loadedAssetRunner();
    const r = loose(make());
    expect(r.my_asset).toEqual([0]);
    expect(r.model).toEqual({ weights: new Uint8Array([1, 2, 3]) });
    expect('my_asset' in r).toBe(true);
    expect(r instanceof AssetRunner).toBe(true);
    expect(r instanceof BaseRunner).toBe(true);
  });

  it('constructor and class-field assignments to a locked name are silently ignored', async () => {
    const { make } = await loadedAssetRunner();
    const r = loose(make());
    // The asset, not 'constructor default' / 'ignored too'.
    expect(r.model).toEqual({ weights: new Uint8Array([1, 2, 3]) });
    expect(r.my_asset).toEqual([0]);
    // Per-execution state (the reference's runner_context) is exactly what the constructor set, minus locked names.
    expect(new Set(Object.keys(r))).toEqual(new Set(['my_attribute', 'foo', 'bar']));
  });

  it('assigning a locked asset during a run throws (test_runner_asset_loading)', async () => {
    const { make, shared } = await loadedAssetRunner();
    const r = loose(make());
    expect(syncErrorOf(() => (r.my_asset = [5])).message).toBe("Attribute 'my_asset' is locked and cannot be modified.");
    expect(syncErrorOf(() => (r.model = null)).message).toBe("Attribute 'model' is locked and cannot be modified.");
    expect(syncErrorOf(() => Object.defineProperty(r, 'model', { value: 1 })).message).toBe("Attribute 'model' is locked and cannot be modified.");
    expect(shared.values.get('my_asset')).toEqual([0]);
  });

  it('deleting a locked asset during a run throws (the reference let `del` through; fixed)', async () => {
    const { make, shared } = await loadedAssetRunner();
    const r = loose(make());
    expect(syncErrorOf(() => delete r.my_asset).message).toBe("Attribute 'my_asset' is locked and cannot be modified.");
    expect(r.my_asset).toEqual([0]);
    expect(shared.values.has('my_asset')).toBe(true);
    // Deleting an ordinary per-execution attribute is fine.
    delete r.foo;
    expect('foo' in r).toBe(false);
  });

  it('a locked asset is locked inside methods too (this.x = … in a pipeline stage)', async () => {
    class R extends BaseRunner {
      override async loadAssets() {
        loose(this).model = 'm';
      }
      override async inference(_d: unknown, _a: Args) {
        loose(this).model = 'other';
        return null;
      }
    }
    const shared = new SharedAssets();
    await loadSharedAssets(R, ctxFor(fakeHost(), shared));
    const r = constructRunner(R, ctxFor(fakeHost(), shared, 'e1'));
    expect((await errorOf(r.inference(null, {}))).message).toBe("Attribute 'model' is locked and cannot be modified.");
  });

  it('assets read inside loadAssets come back from the shared store', async () => {
    let seen: unknown;
    class R extends BaseRunner {
      override async loadAssets() {
        loose(this).a = [1, 2];
        seen = loose(this).a;
        loose(this).a = [3]; // reassigning during loadAssets itself is allowed
      }
    }
    const shared = new SharedAssets();
    await loadSharedAssets(R, ctxFor(null, shared));
    expect(seen).toEqual([1, 2]);
    expect(shared.values.get('a')).toEqual([3]);
  });

  it('a failing loadAssets rejects and still counts the attempt', async () => {
    class R extends BaseRunner {
      override async loadAssets() {
        loose(this).half = 1;
        throw new Error('no model');
      }
    }
    const shared = new SharedAssets();
    expect((await errorOf(loadSharedAssets(R, ctxFor(null, shared)))).message).toBe('no model');
    expect(shared.loadCount).toBe(1);
  });
});

describe('runnerState: per-execution attributes (test_runner_attribute_update / _context / inplace)', () => {
  it('8 concurrent executions each reassigning an attribute across awaits leave each other and the shared value alone', async () => {
    class R extends BaseRunner {
      x: number[] = [0];
      override async loadAssets() {
        loose(this).shared_value = [0];
      }
      override async inference(_d: unknown, _a: Args) {
        for (let k = 0; k < 3; k++) {
          const old = this.x;
          await sleep(Math.random() * 5);
          this.x = [old[0]! + 1];
        }
        return this.x;
      }
    }
    const shared = new SharedAssets();
    await loadSharedAssets(R, ctxFor(null, shared));
    const runners = Array.from({ length: 8 }, (_, i) => constructRunner(R, ctxFor(fakeHost(), shared, `e${i}`)));
    const outs = await Promise.all(runners.map((r) => r.inference(null, {})));
    expect(outs).toEqual(Array.from({ length: 8 }, () => [3]));
    for (const r of runners) expect(r.x).toEqual([3]);
    // A fresh execution still starts from [0]; the shared asset is untouched.
    const fresh = constructRunner(R, ctxFor(fakeHost(), shared, 'e9'));
    expect(fresh.x).toEqual([0]);
    expect(loose(fresh).shared_value).toEqual([0]);
    expect(shared.values.get('shared_value')).toEqual([0]);
    expect(shared.values.has('x')).toBe(false);
  });

  it('an attribute set during one execution is not seen by another', async () => {
    const { make } = await loadedAssetRunner();
    const a = loose(make('e1'));
    const b = loose(make('e2'));
    a.scratch = 'mine';
    a.foo = 99;
    expect(b.scratch).toBeUndefined();
    expect(b.foo).toBe(1);
    expect(a.executionId).toBe('e1');
    expect(b.executionId).toBe('e2');
  });

  it('private class fields and getters work through the attribute proxy, per instance', async () => {
    class R extends BaseRunner {
      #count = 0;
      override async loadAssets() {
        loose(this).base = 10;
      }
      get total() {
        return (loose(this).base as number) + this.#count;
      }
      bump() {
        return ++this.#count;
      }
    }
    const shared = new SharedAssets();
    await loadSharedAssets(R, ctxFor(null, shared));
    const a = constructRunner(R, ctxFor(null, shared, 'e1'));
    const b = constructRunner(R, ctxFor(null, shared, 'e2'));
    a.bump();
    a.bump();
    expect([a.total, b.total]).toEqual([12, 10]);
  });

  it('in-place mutation is not prevented (documented limitation), including of a shared asset', async () => {
    const { make, shared } = await loadedAssetRunner();
    const a = loose(make('e1'));
    (a.my_attribute as number[]).push(1);
    expect(a.my_attribute).toEqual([0, 1]);
    (a.my_asset as number[]).push(1);
    // The asset object itself is shared, so the mutation leaks to every execution.
    expect(loose(make('e2')).my_asset).toEqual([0, 1]);
    expect(shared.values.get('my_asset')).toEqual([0, 1]);
  });
});

describe('runnerState: device and other read-only attributes (test_device_access)', () => {
  it('device reflects the context and cannot be assigned, defined or deleted', async () => {
    const shared = new SharedAssets();
    const cpu = loose(constructRunner(AssetRunner, ctxFor(null, shared, 'e1', 'cpu')));
    const gpu = loose(constructRunner(AssetRunner, ctxFor(null, shared, 'e2', 'gpu')));
    expect(cpu.device).toBe('cpu');
    expect(gpu.device).toBe('gpu');
    expect(syncErrorOf(() => (untyped(cpu).device = 'gpu')).message).toBe("Attribute 'device' is read-only.");
    expect(syncErrorOf(() => Object.defineProperty(cpu, 'device', { value: 'gpu' })).message).toBe("Attribute 'device' is read-only.");
    expect(syncErrorOf(() => delete untyped(cpu).device).message).toBe("Attribute 'device' is read-only.");
    expect(cpu.device).toBe('cpu');
    expect(syncErrorOf(() => (untyped(cpu).executionId = 'x')).message).toBe("Attribute 'executionId' is read-only.");
    expect(syncErrorOf(() => (cpu.runnerContext = {})).message).toBe("Attribute 'runnerContext' is read-only.");
  });

  it('device is read-only even inside the constructor and loadAssets', async () => {
    class InCtor extends BaseRunner {
      constructor() {
        super();
        untyped(this).device = 'gpu';
      }
    }
    expect(syncErrorOf(() => constructRunner(InCtor, ctxFor())).message).toBe("Attribute 'device' is read-only.");
    class InLoad extends BaseRunner {
      override async loadAssets() {
        untyped(this).device = 'gpu';
      }
    }
    expect((await errorOf(loadSharedAssets(InLoad, ctxFor()))).message).toBe("Attribute 'device' is read-only.");
  });
});

describe('runnerState: construction', () => {
  it('constructRunner refuses a class that does not extend BaseRunner', () => {
    class NotARunner {}
    expect(syncErrorOf(() => constructRunner(NotARunner, ctxFor())).message).toBe('Runner must extend BaseRunner or a typed runner imported from "algobox".');
  });

  it('internalsOf refuses a plain object', () => {
    expect(syncErrorOf(() => internalsOf({})).message).toBe('This object is not an algobox runner (construct it from a class that extends BaseRunner).');
  });

  it('a runner built with plain `new` works for pure methods and says clearly when it needs the engine', async () => {
    class R extends Image2ImageRunner {
      factor = 2;
      double(a: number) {
        return a * this.factor;
      }
      override async inference(data: unknown) {
        return data;
      }
    }
    const r = new R();
    expect(r.double(21)).toBe(42);
    expect(r.device).toBe('cpu');
    expect(r.executionId).toBeNull();
    r.factor = 3; // nothing is locked outside the engine
    expect(r.double(2)).toBe(6);
    const a = ndarray('uint8', [1, 2, 2]);
    expect(await r.inference(a)).toBe(a);
    const noEngine = 'This runner is not attached to an algobox engine (it was constructed outside an execution).';
    expect((await errorOf(r.fetchData(['a'], 'image'))).message).toBe(noEngine);
    expect((await errorOf(r.postData([{ image: ndarray('uint8', [2, 2]) }]))).message).toBe(noEngine);
    expect((await errorOf(r.fetchAsset('files/x'))).message).toBe(noEngine);
    expect((await errorOf(r.loadItemFromSession('k'))).message).toBe(noEngine);
    expect((await errorOf(() => r.logMessage('hello'))).message).toBe(noEngine);
    expect((await errorOf(() => r.setProgress(0.5))).message).toBe(noEngine);
    // Validation still comes first.
    expect((await errorOf(() => r.setProgress(2))).message).toBe('Progress must be between 0 and 1.');
  });
});

// ───────────────────────────── 2. logMessage / setProgress ─────────────────────────────

class Plain extends BaseRunner {}

describe('BaseRunner.logMessage', () => {
  it('accepts exactly INFO, WARNING, ERROR and DEBUG (default INFO)', async () => {
    const host = fakeHost();
    const r = constructRunner(Plain, ctxFor(host));
    for (const level of ['INFO', 'WARNING', 'ERROR', 'DEBUG'] as const) await r.logMessage(`at ${level}`, level);
    await r.logMessage('default');
    await r.logMessage(42 as unknown as string);
    expect(host.logs).toEqual([
      { level: 'INFO', message: 'at INFO' },
      { level: 'WARNING', message: 'at WARNING' },
      { level: 'ERROR', message: 'at ERROR' },
      { level: 'DEBUG', message: 'at DEBUG' },
      { level: 'INFO', message: 'default' },
      { level: 'INFO', message: '42' },
    ]);
  });

  it.each(['info', 'CRITICAL', 'Warning', '', 'DEBUG '])('refuses level %j synchronously', (level) => {
    const host = fakeHost();
    const r = constructRunner(Plain, ctxFor(host));
    const e = syncErrorOf(() => void r.logMessage('x', level as 'INFO'));
    expect(e.message.startsWith('Invalid logging level provided.')).toBe(true);
    expect(e.message).toBe(`Invalid logging level provided. Expected one of DEBUG, INFO, WARNING, ERROR; got ${JSON.stringify(level)}.`);
    expect(host.logs).toEqual([]);
  });
});

describe('BaseRunner.setProgress', () => {
  it('accepts numbers in [0, 1] (integers too: JS has no separate float type)', async () => {
    const host = fakeHost();
    const r = constructRunner(Plain, ctxFor(host));
    for (const p of [0, 0.25, 0.5, 1]) await r.setProgress(p);
    expect(host.progresses).toEqual([0, 0.25, 0.5, 1]);
  });

  it.each([-0.1, 1.1, Number.NaN, Infinity, -Infinity])('refuses %s: "Progress must be between 0 and 1."', (p) => {
    const host = fakeHost();
    const r = constructRunner(Plain, ctxFor(host));
    expect(syncErrorOf(() => void r.setProgress(p)).message).toBe('Progress must be between 0 and 1.');
    expect(host.progresses).toEqual([]);
  });

  it.each([
    ['0.5', 'string'],
    [true, 'boolean'],
    [null, 'object'],
    [undefined, 'undefined'],
  ])('refuses %s: not a number', (p, type) => {
    const host = fakeHost();
    const r = constructRunner(Plain, ctxFor(host));
    expect(syncErrorOf(() => void r.setProgress(p as unknown as number)).message).toBe(`Progress must be a number (got ${type}).`);
    expect(host.progresses).toEqual([]);
  });
});

// ───────────────────────────── 3. fetchData / postData ─────────────────────────────

describe('BaseRunner.fetchData / postData through the HostApi', () => {
  it('fetches the requested keys; a key the dataset lacks is null in the validated item', async () => {
    const host = fakeHost();
    const img = ndarray('uint8', [2, 2], [1, 2, 3, 4]);
    putArrays(host, 'image', { a: img });
    const r = constructRunner(Plain, ctxFor(host));
    const [item] = await r.fetchData(['a'], 'Image', 'image', 'mask');
    expect(host.fetchCalls).toEqual([{ ids: ['a'], keys: ['image', 'mask'] }]);
    expect(item).toEqual({ image: img, mask: null, points: null });
    // Generic read of a missing key through a lenient custom schema: null, not absent.
    const [raw] = await r.fetchData(['a'], z.object({ image: z.any(), other: z.any() }), 'image', 'other');
    expect(raw).toEqual({ image: img, other: null });
    expect('other' in raw!).toBe(true);
  });

  it('without keys asks the host for every key (keys = null)', async () => {
    const host = fakeHost();
    putArrays(host, 'mask', { m1: ndarray('uint8', [2, 2]), m2: ndarray('uint8', [2, 2]) });
    const r = constructRunner(Plain, ctxFor(host));
    const items = await r.fetchData(['m1', 'm2'], 'Segmentation');
    expect(host.fetchCalls).toEqual([{ ids: ['m1', 'm2'], keys: null }]);
    expect(items.map((it) => Object.keys(it))).toEqual([['mask'], ['mask']]);
  });

  it('decodes stored field kinds (numbers, string, arrayList) back to values', async () => {
    const host = fakeHost();
    host.datasets.set('e', {
      features: { kind: 'array', array: ndarray('float32', [4]) },
      input_size: { kind: 'numbers', array: ndarray('float64', [2], [8, 8]) },
      original_size: { kind: 'numbers', array: ndarray('float64', [2], [4, 4]) },
      note: { kind: 'string', array: ndarray('uint8', [2], [104, 105]) },
    });
    const r = constructRunner(Plain, ctxFor(host));
    const [emb] = await r.fetchData(['e'], 'Embedding');
    // Extra keys are dropped by a built-in schema (pydantic default).
    expect(emb).toEqual({ features: ndarray('float32', [4]), input_size: [8, 8], original_size: [4, 4] });
    const [withNote] = await r.fetchData(['e'], z.object({ note: z.string() }), 'note');
    expect(withNote).toEqual({ note: 'hi' });
  });

  it('schema errors surface with the schema message', async () => {
    const host = fakeHost();
    putArrays(host, 'image', { ok: ndarray('uint8', [2, 2]), bad: ndarray('int32', [2, 2]), hwc: ndarray('uint8', [4, 4, 3]) });
    const r = constructRunner(Plain, ctxFor(host));
    expect((await errorOf(r.fetchData(['bad'], 'Image', 'image'))).message).toBe(
      'fetchData: input dataset bad: Image item 0: Image must be uint8, uint16, float64, float32 or float16 (got int32).',
    );
    expect((await errorOf(r.fetchData(['ok', 'hwc'], 'Image', 'image'))).message).toBe(
      'fetchData: input dataset hwc: Image item 1: Image must be 2D (got 3 dimensions), grayscale or RGB (got 4 channels).',
    );
    // A dataset without the requested key gives null, which Image validation refuses.
    putArrays(host, 'mask', { maskOnly: ndarray('uint8', [2, 2]) });
    expect((await errorOf(r.fetchData(['maskOnly'], 'Image', 'image', 'mask'))).message).toBe(
      "fetchData: input dataset maskOnly has no field 'image': Image item 0: Field 'image': expected an NDArray {dtype, shape, data}, got null.",
    );
    // Not asking for a required key at all: it is absent, so "required".
    expect((await errorOf(r.fetchData(['ok'], 'Image', 'mask'))).message).toBe(
      "fetchData: input dataset ok has no field 'mask': Image item 0: Field 'image' is required.",
    );
  });

  it('refuses bad ids, keys and schemas before asking the host', async () => {
    const host = fakeHost();
    const r = constructRunner(Plain, ctxFor(host));
    expect((await errorOf(r.fetchData('a' as unknown as string[], 'Image'))).message).toBe('fetchData: ids must be an array of dataset id strings, got "a".');
    expect((await errorOf(r.fetchData(['a'], 'Image', 3 as unknown as string))).message).toBe('fetchData: keys must be strings, got number.');
    expect((await errorOf(r.fetchData(['a'], 'Picture'))).message).toBe(
      "fetchData: unknown schema 'Picture'; built-in schemas are Image, Segmentation, Alignment, Embedding, Generic, Volume, Mesh, Table.",
    );
    expect((await errorOf(r.fetchData(['a'], 42 as unknown as string))).message).toBe(
      'fetchData: expected a data schema (e.g. ImageSchema or "Image"), got number.',
    );
    expect((await errorOf(r.postData([], 'Picture'))).message).toBe(
      "postData: unknown schema 'Picture'; built-in schemas are Image, Segmentation, Alignment, Embedding, Generic, Volume, Mesh, Table.",
    );
    expect((await errorOf(r.postData([], null as unknown as string))).message).toBe(
      'postData: expected a data schema (e.g. ImageSchema or "Image"), got null.',
    );
    expect((await errorOf(r.postData({} as unknown as Record<string, unknown>[], 'Image'))).message).toBe(
      'postData: expected a list of items (one object per dataset), got object.',
    );
    expect(host.calls).toEqual([]);
  });

  it('postData validates every item before calling the host', async () => {
    const host = fakeHost();
    const r = constructRunner(Plain, ctxFor(host));
    const good = { image: ndarray('uint8', [2, 2]) };
    expect((await errorOf(r.postData([good, { image: ndarray('int32', [2, 2]) }], 'Image'))).message).toBe(
      'Image item 1: Image must be uint8, uint16, float64, float32 or float16 (got int32).',
    );
    expect((await errorOf(r.postData([{ mask: [[1, 0]] }], 'Segmentation'))).message).toBe(
      "Segmentation item 0: Field 'mask': expected an NDArray {dtype, shape, data}, got array(1).",
    );
    expect((await errorOf(r.postData([{}], 'Segmentation'))).message).toBe("Segmentation item 0: Field 'mask' is required.");
    expect(host.postCalls).toEqual([]);
  });

  it('postData sends the encoded fields and the schema name, and returns the host ids in order', async () => {
    const host = fakeHost({ postIds: (n) => Array.from({ length: n }, (_, i) => `id${i + 1}`) });
    const r = constructRunner(Plain, ctxFor(host));
    const a = ndarray('uint8', [2, 2], [1, 2, 3, 4]);
    const b = ndarray('float32', [3, 2, 2]);
    const ids = await r.postData(
      [
        { image: a, extra: 'dropped' },
        { image: b, mask: ndarray('uint8', [2, 2]) },
      ],
      'Image',
    );
    expect(ids).toEqual(['id1', 'id2']);
    expect(host.postCalls).toHaveLength(1);
    expect(host.postCalls[0]!.schemaName).toBe('Image');
    expect(host.postCalls[0]!.items).toEqual([
      { image: { kind: 'array', array: a } },
      { image: { kind: 'array', array: b }, mask: { kind: 'array', array: ndarray('uint8', [2, 2]) } },
    ]);
    // A schema object is recognised as the built-in it is.
    await r.postData([{ image: a }], ImageSchema);
    expect(host.postCalls[1]!.schemaName).toBe('Image');
  });

  it('Embedding and Alignment items are encoded field by field', async () => {
    const host = fakeHost();
    const r = constructRunner(Plain, ctxFor(host));
    await r.postData([{ features: ndarray('float32', [4]), input_size: [8, 8], original_size: [4, 4] }], 'Embedding');
    expect(host.postCalls[0]).toEqual({
      schemaName: 'Embedding',
      items: [
        {
          features: { kind: 'array', array: ndarray('float32', [4]) },
          input_size: { kind: 'numbers', array: ndarray('float64', [2], [8, 8]) },
          original_size: { kind: 'numbers', array: ndarray('float64', [2], [4, 4]) },
        },
      ],
    });
  });

  it('a custom zod schema works for BaseRunner (schema name null to the host)', async () => {
    const host = fakeHost();
    const r = constructRunner(Plain, ctxFor(host));
    const Custom = z.object({ data: z.custom<NDArray>((v) => isNDArray(v), 'data must be an NDArray'), label: z.string() });
    await r.postData([{ data: ndarray('uint8', [2]), label: 'cat', junk: 1 }], Custom);
    expect(host.postCalls[0]!.schemaName).toBeNull();
    expect(host.postCalls[0]!.items).toEqual([
      {
        data: { kind: 'array', array: ndarray('uint8', [2]) },
        label: { kind: 'string', array: ndarray('uint8', [3], [99, 97, 116]) },
      },
    ]);
    const [id] = host.datasets.keys();
    expect(await r.fetchData([id!], Custom)).toEqual([{ data: ndarray('uint8', [2]), label: 'cat' }]);
    expect((await errorOf(r.postData([{ data: ndarray('uint8', [2]), label: 5 }], Custom))).message).toMatch(/^Schema item 0: Field 'label': /);
    expect((await errorOf(r.postData([{ data: 'x', label: 'a' }], Custom.describe('Labelled')))).message).toBe(
      "Labelled item 0: Field 'data': data must be an NDArray",
    );
    expect((await errorOf(r.postData([{ data: ndarray('uint8', [2]) }], Custom))).message).toBe("Schema item 0: Field 'label' is required.");
    expect(host.postCalls).toHaveLength(1);
  });

  it('fetchAsset and the session cache go to the host', async () => {
    const host = fakeHost({ assets: { 'files/a.bin': new Uint8Array([7]) } });
    const r = constructRunner(Plain, ctxFor(host));
    expect(await r.fetchAsset('files/a.bin')).toEqual(new Uint8Array([7]));
    expect((await errorOf(r.fetchAsset(''))).message).toBe('fetchAsset: path must be a non-empty string, got "".');
    await r.saveItemToSession({ n: 1 }, 'k');
    expect(await r.loadItemFromSession('k')).toEqual({ n: 1 });
    await r.removeItemFromSession('k');
    expect((await errorOf(r.loadItemFromSession('k'))).message).toBe("No session item 'k'.");
    expect(host.calls).toEqual(['fetchAsset', 'sessionSave', 'sessionLoad', 'sessionRemove', 'sessionLoad']);
  });
});

// ───────────────────────────── 4. typed runners ─────────────────────────────

type TypedClass = new () => BaseRunner;
interface TypedCase {
  name: string;
  Runner: TypedClass;
  type: string;
  inKey: 'image' | 'mask';
  outKey: string;
  postSchema: string;
  good: () => unknown;
}

// Reference test_child_runners: three datasets {key: ones(2,2) * 10 / 20 / 30}.
function childHost(key: string) {
  const host = fakeHost({ postIds: (n) => Array.from({ length: n }, (_, i) => `id${i + 1}`) });
  putArrays(host, key, {
    a: filled('uint8', [2, 2], 10),
    b: filled('uint8', [2, 2], 20),
    c: filled('uint8', [2, 2], 30),
  });
  return host;
}

const CASES: TypedCase[] = [
  {
    name: 'Image2ImageRunner',
    Runner: Image2ImageRunner,
    type: 'Image2Image',
    inKey: 'image',
    outKey: 'image',
    postSchema: 'Image',
    good: () => filled('float32', [3, 2, 2], 1),
  },
  {
    name: 'Image2SegmentationRunner',
    Runner: Image2SegmentationRunner,
    type: 'Image2Segmentation',
    inKey: 'image',
    outKey: 'mask',
    postSchema: 'Segmentation',
    good: () => filled('uint8', [3, 2, 2], 1),
  },
  {
    name: 'Segmentation2SegmentationRunner',
    Runner: Segmentation2SegmentationRunner,
    type: 'Segmentation2Segmentation',
    inKey: 'mask',
    outKey: 'mask',
    postSchema: 'Segmentation',
    good: () => filled('uint8', [3, 2, 2], 1),
  },
  {
    name: 'Image2EmbeddingRunner',
    Runner: Image2EmbeddingRunner,
    type: 'Image2Embedding',
    inKey: 'image',
    outKey: 'features',
    postSchema: 'Embedding',
    good: () => filled('float32', [3, 4], 1),
  },
  {
    name: 'Image2AlignmentRunner',
    Runner: Image2AlignmentRunner,
    type: 'Image2Alignment',
    inKey: 'image',
    outKey: 'transform_matrix',
    postSchema: 'Alignment',
    good: () => [eye3(), eye3()],
  },
];

const fresh = (c: TypedCase, host: FakeHost) => constructRunner(c.Runner, ctxFor(host, new SharedAssets(), 'e1'));

describe.each(CASES)('$name', (c) => {
  it(`has algorithmType ${c.type}`, () => {
    expect((c.Runner as unknown as { algorithmType: string }).algorithmType).toBe(c.type);
  });

  it(`default preprocess fetches '${c.inKey}' of every input and stacks them to [3, 2, 2] (test_preprocess_all_runners)`, async () => {
    const host = childHost(c.inKey);
    const r = loose(fresh(c, host));
    const out = (await r.preprocess(inputs(['a', 'b', 'c']), {})) as NDArray;
    expect(host.fetchCalls).toEqual([{ ids: ['a', 'b', 'c'], keys: [c.inKey] }]);
    expect(out.shape).toEqual([3, 2, 2]);
    expect(out.dtype).toBe('uint8');
    expect(Array.from(out.data)).toEqual([10, 10, 10, 10, 20, 20, 20, 20, 30, 30, 30, 30]);
    if (c.Runner === Image2SegmentationRunner) expect(r.inputImagesShape).toEqual([3, 2, 2]);
    else expect(r.inputImagesCount).toBe(3);
  });

  it('default preprocess accepts the reference key input_dataset_ids alone', async () => {
    const host = childHost(c.inKey);
    const r = fresh(c, host);
    const out = (await r.preprocess({ input_dataset_ids: ['c', 'a'] } as InputData, {})) as NDArray;
    expect(out.shape).toEqual([2, 2, 2]);
    expect(host.fetchCalls[0]!.ids).toEqual(['c', 'a']);
  });

  it('default preprocess with zero inputs says so', async () => {
    const r = fresh(c, childHost(c.inKey));
    expect((await errorOf(r.preprocess(inputs([]), {}))).message).toBe(`${c.name} needs at least one input dataset; none were given.`);
    expect((await errorOf(r.preprocess({} as InputData, {}))).message).toBe(`${c.name}.preprocess: inputData.inputDatasetIds must be a list of dataset ids.`);
  });

  it('default preprocess names the arrays whose shapes differ', async () => {
    const host = childHost(c.inKey);
    putArrays(host, c.inKey, { big: ndarray('uint8', [3, 3]) });
    const r = fresh(c, host);
    expect((await errorOf(r.preprocess(inputs(['a', 'big']), {}))).message).toBe(
      `All input ${c.inKey}s must have the same shape and dtype to be stacked: dataset a is uint8 [2, 2] but dataset big is uint8 [3, 3].`,
    );
  });

  it('default postprocess posts one item per image with the bound schema and returns the host ids (test_postprocess_all_runners)', async () => {
    const host = childHost(c.inKey);
    const r = fresh(c, host);
    await r.preprocess(inputs(['a', 'b', 'c']), {});
    const ids = await r.postprocess(c.good(), {});
    const n = c.Runner === Image2AlignmentRunner ? 2 : 3;
    expect(ids).toEqual(Array.from({ length: n }, (_, i) => `id${i + 1}`));
    expect(host.postCalls).toHaveLength(1);
    expect(host.postCalls[0]!.schemaName).toBe(c.postSchema);
    expect(host.postCalls[0]!.items).toHaveLength(n);
    for (const item of host.postCalls[0]!.items) expect(item[c.outKey]?.kind).toBe('array');
  });

  it('the bound fetchData / postData use the runner schema (no schema argument)', async () => {
    const host = childHost(c.inKey);
    const r = fresh(c, host) as unknown as {
      fetchData(ids: string[], ...keys: string[]): Promise<Record<string, unknown>[]>;
      postData(items: Record<string, unknown>[]): Promise<string[]>;
    };
    const items = await r.fetchData(['a'], c.inKey);
    expect(isNDArray(items[0]![c.inKey])).toBe(true);
    const item: Record<string, unknown> =
      c.postSchema === 'Embedding'
        ? { features: ndarray('float32', [4]), input_size: [2, 2], original_size: [2, 2] }
        : c.postSchema === 'Alignment'
          ? { transform_matrix: eye3() }
          : { [c.outKey]: ndarray('uint8', [2, 2]) };
    await r.postData([item]);
    expect(host.postCalls[0]!.schemaName).toBe(c.postSchema);
  });

  it('default preprocess stacks RGB inputs to [N, 3, H, W]', async () => {
    const host = fakeHost();
    putArrays(host, c.inKey, { r1: filled('uint8', [3, 2, 2], 1), r2: filled('uint8', [3, 2, 2], 2) });
    const out = (await fresh(c, host).preprocess(inputs(['r1', 'r2']), {})) as NDArray;
    expect(out.shape).toEqual([2, 3, 2, 2]);
    expect(Array.from(out.data.subarray(12))).toEqual(Array(12).fill(2));
  });
});

describe('typed runners: bad outputs of inference', () => {
  const countMsg = (n: number, m: number) =>
    `The first dimension of the array output by the inference method is ${n}, but the number of input images is ${m}. ` +
    'Please make sure that the inference method returns an array with the same number of images as the input.';
  const notArray = 'Data is not an NDArray, please make sure that the inference method returns an NDArray {dtype, shape, data}.';

  async function prepared(c: TypedCase) {
    const host = childHost(c.inKey);
    const r = fresh(c, host);
    await r.preprocess(inputs(['a', 'b', 'c']), {});
    return { host, r };
  }
  const byName = (n: string) => CASES.find((c) => c.name === n)!;

  it.each(['Image2ImageRunner', 'Segmentation2SegmentationRunner'])('%s with N−1 slices: count message (space fixed)', async (name) => {
    const { host, r } = await prepared(byName(name));
    const e = await errorOf(r.postprocess(filled('uint8', [2, 2, 2], 1), {}));
    expect(e.message).toBe(countMsg(2, 3));
    expect(e.message).toContain('inference method is 2');
    expect(host.postCalls).toEqual([]);
  });

  it('Image2SegmentationRunner with N−1 masks: shape message', async () => {
    const { host, r } = await prepared(byName('Image2SegmentationRunner'));
    expect((await errorOf(r.postprocess(filled('uint8', [2, 2, 2], 1), {}))).message).toBe(
      'Output masks shape [2, 2, 2] does not correspond to the input images shape [3, 2, 2].',
    );
    // Only the first dimension is compared (as in the reference).
    await r.postprocess(filled('uint8', [3, 5, 5], 1), {});
    expect(host.postCalls).toHaveLength(1);
  });

  it.each(['Image2ImageRunner', 'Image2SegmentationRunner', 'Segmentation2SegmentationRunner', 'Image2EmbeddingRunner'])(
    '%s refuses a non-NDArray output',
    async (name) => {
      const { host, r } = await prepared(byName(name));
      for (const bad of [[[1, 2]], null, new Float32Array(12), { dtype: 'uint8', shape: [3, 2, 2], data: [1] }]) {
        expect((await errorOf(r.postprocess(bad, {}))).message.startsWith(`${notArray} the inference output: `)).toBe(true);
      }
      // The reference's sentence, then which of the three it is.
      const said = async (bad: unknown) => (await errorOf(r.postprocess(bad, {}))).message.slice(notArray.length + 1);
      expect(await said({ dtype: 'uint8', shape: [3, 2, 2], data: new Uint8Array(10) })).toBe(
        'the inference output: data has 10 elements but shape [3, 2, 2] needs 12.',
      );
      expect(await said({ dtype: 'complex64', shape: [3, 2, 2], data: new Float32Array(24) })).toMatch(
        /^the inference output: dtype must be one of uint8, int8, uint16, int16, uint32, int32, float16, float32, float64, bool, got string "complex64"\.$/,
      );
      expect(await said({ dtype: 'float32', shape: [3, 2, 2], data: new Float64Array(12) })).toBe(
        'the inference output: data for dtype float32 must be a Float32Array, got Float64Array(12).',
      );
      expect(host.postCalls).toEqual([]);
    },
  );

  it('Image2EmbeddingRunner checks the count too (stricter than the reference)', async () => {
    const { r } = await prepared(byName('Image2EmbeddingRunner'));
    expect((await errorOf(r.postprocess(filled('float32', [2, 4], 1), {}))).message).toBe(countMsg(2, 3));
  });

  it('Image2AlignmentRunner: single NDArray, non-array element, wrong count', async () => {
    const { host, r } = await prepared(byName('Image2AlignmentRunner'));
    expect((await errorOf(r.postprocess(eye3(), {}))).message).toBe(
      'The data returned from the inference should be a list of 3×3 NDArrays, but got NDArray float64 [3, 3].',
    );
    expect((await errorOf(r.postprocess('nope', {}))).message).toBe(
      'The data returned from the inference should be a list of 3×3 NDArrays, but got string "nope".',
    );
    expect((await errorOf(r.postprocess([eye3(), [[1, 0, 0]]], {}))).message).toBe(
      'The data returned from the inference should be a list of 3×3 NDArrays, but the element on position 1 of the list is not an NDArray (got array(1)).',
    );
    expect((await errorOf(r.postprocess([eye3(), eye3(), eye3()], {}))).message).toBe(
      'The number of homography matrices returned from the inference should be 2, but the number of matrices is 3. ' +
        'The algorithm expects to find a match between adjacent images, so the number of homography matrices should be equal to the number of images minus one.',
    );
    expect((await errorOf(r.postprocess([ndarray('float64', [2, 2]), eye3()], {}))).message).toBe(
      "Alignment item 0: Field 'transform_matrix': expected a 3×3 matrix, got shape [2, 2]. Field 'translation_matrix': expected a 3×3 matrix, got shape [2, 2].",
    );
    expect(host.postCalls).toEqual([]);
  });

  it('Image2AlignmentRunner default postprocess posts the reference item shape', async () => {
    const { host, r } = await prepared(byName('Image2AlignmentRunner'));
    const m = ndarray('float64', [3, 3], [1, 0, 5, 0, 1, 6, 0, 0, 1]);
    await r.postprocess([m, eye3()], {});
    const item = host.postCalls[0]!.items[0]!;
    expect(Object.keys(item).sort()).toEqual(['confidence', 'points1', 'points2', 'transform_matrix', 'translation_matrix']);
    expect(item.transform_matrix).toEqual({ kind: 'array', array: m });
    expect(item.translation_matrix).toEqual({ kind: 'array', array: m });
    expect(item.points1!.array.shape).toEqual([0]);
  });

  it('Image2EmbeddingRunner default postprocess passes EmbeddingSchema (reference quirk fixed)', async () => {
    const { host, r } = await prepared(byName('Image2EmbeddingRunner'));
    await r.postprocess(filled('float32', [3, 4], 1), {});
    expect(host.postCalls[0]!.schemaName).toBe('Embedding');
    expect(host.postCalls[0]!.items[1]).toEqual({
      features: { kind: 'array', array: filled('float32', [4], 1) },
      input_size: { kind: 'numbers', array: ndarray('float64', [2], [2, 2]) },
      original_size: { kind: 'numbers', array: ndarray('float64', [2], [2, 2]) },
    });
  });

  it('Image2EmbeddingRunner uses inputSizes set by inference and [H, W] of RGB inputs as original_size', async () => {
    class R extends Image2EmbeddingRunner {
      override async inference(data: unknown) {
        this.inputSizes = [
          [8, 6],
          [8, 6],
        ];
        return filled('float32', [(data as NDArray).shape[0]!, 2], 0);
      }
    }
    const host = fakeHost();
    putArrays(host, 'image', { r1: ndarray('uint8', [3, 4, 3]), r2: ndarray('uint8', [3, 4, 3]) });
    const r = constructRunner(R, ctxFor(host, new SharedAssets(), 'e1'));
    await r.postprocess(await r.inference(await r.preprocess(inputs(['r1', 'r2']), {})), {});
    const item = host.postCalls[0]!.items[0]!;
    expect(Array.from(item.input_size!.array.data)).toEqual([8, 6]);
    expect(Array.from(item.original_size!.array.data)).toEqual([4, 3]);
  });

  it('typed runners have no default inference', async () => {
    for (const c of CASES) {
      const r = fresh(c, childHost(c.inKey));
      expect((await errorOf(r.inference(null, {}))).message).toBe(
        'The inference method is not implemented. Please implement the inference method in the algorithm Runner class.',
      );
    }
  });

  it('input datasets of different dtypes cannot be stacked', async () => {
    const host = childHost('image');
    putArrays(host, 'image', { f: ndarray('float32', [2, 2]) });
    const r = fresh(CASES[0]!, host);
    expect((await errorOf(r.preprocess(inputs(['a', 'f']), {}))).message).toBe(
      'All input images must have the same shape and dtype to be stacked: dataset a is uint8 [2, 2] but dataset f is float32 [2, 2].',
    );
  });

  it('per-execution typed state does not leak between instances of one cached runner', async () => {
    const host = childHost('image');
    const shared = new SharedAssets();
    await loadSharedAssets(Image2ImageRunner, ctxFor(host, shared));
    const r1 = constructRunner(Image2ImageRunner, ctxFor(host, shared, 'e1'));
    const r2 = constructRunner(Image2ImageRunner, ctxFor(host, shared, 'e2'));
    await r1.preprocess(inputs(['a', 'b', 'c']), {});
    await r2.preprocess(inputs(['a']), {});
    expect(loose(r1).inputImagesCount).toBe(3);
    expect(loose(r2).inputImagesCount).toBe(1);
    await r1.postprocess(filled('uint8', [3, 2, 2], 0), {});
    expect((await errorOf(r2.postprocess(filled('uint8', [3, 2, 2], 0), {}))).message).toBe(countMsg(3, 1));
  });
});

// ───────────────────────────── 5. pipeline ─────────────────────────────

describe('runPipeline (test_base_runner)', () => {
  class Stub extends BaseRunner {
    seen: string[] = [];
    override async preprocess(inputData: InputData, args: Args): Promise<unknown> {
      this.seen.push(`pre ${JSON.stringify(args)}`);
      await this.logMessage('in preprocess');
      return { ids: inputData.inputDatasetIds, ref: inputData.input_dataset_ids, pre: `pre ${JSON.stringify(args)}` };
    }
    override async inference(data: unknown, args: Args): Promise<unknown> {
      this.seen.push(`inf ${JSON.stringify(args)}`);
      await this.logMessage('in inference', 'DEBUG');
      return { ...(data as object), inf: `inf ${JSON.stringify(args)}` };
    }
    override async postprocess(data: unknown, args: Args) {
      this.seen.push(`post ${JSON.stringify(args)}`);
      // Whatever postprocess returns is the result (the reference does no type check either).
      return { ...(data as object), post: `post ${JSON.stringify(args)}` } as unknown as string[];
    }
  }

  it('runs preprocess → inference → postprocess with the args and returns postprocess value', async () => {
    const host = fakeHost();
    const r = constructRunner(Stub, ctxFor(host, new SharedAssets(), 'e1'));
    const ids = ['d1', 'd2'];
    const out = await runPipeline(r, ids, { arg: 2 }, host);
    expect(out).toEqual({ ids: ['d1', 'd2'], ref: ['d1', 'd2'], pre: 'pre {"arg":2}', inf: 'inf {"arg":2}', post: 'post {"arg":2}' });
    expect(Object.keys(out as object)).toHaveLength(5);
    expect(r.seen).toEqual(['pre {"arg":2}', 'inf {"arg":2}', 'post {"arg":2}']);
  });

  it('logs the reference lines in order, around the runner own logs', async () => {
    const host = fakeHost();
    const r = constructRunner(Stub, ctxFor(host, new SharedAssets(), 'e1'));
    await runPipeline(r, ['d1'], {}, host);
    const secs = String.raw`\d+\.\d{3}`;
    const expected = [
      /^Starting execution\.$/,
      /^in preprocess$/,
      new RegExp(`^Data preprocessing finished in ${secs} seconds$`),
      /^Running inference\.$/,
      /^in inference$/,
      new RegExp(`^Inference finished in ${secs} seconds$`),
      /^Postprocessing output data\.$/,
      new RegExp(`^Postprocessing finished in ${secs} seconds$`),
      new RegExp(`^Execution completed in ${secs} seconds\\.$`),
    ];
    const messages = host.messages();
    expect(messages).toHaveLength(expected.length);
    messages.forEach((m, i) => expect(m).toMatch(expected[i]!));
    expect(host.logs.filter((l) => l.level !== 'INFO')).toEqual([{ level: 'DEBUG', message: 'in inference' }]);
  });

  it('reports RUNNING then the stage timings', async () => {
    const host = fakeHost();
    class Slow extends Stub {
      override async inference(data: unknown, args: Args) {
        await sleep(20);
        return super.inference(data, args);
      }
    }
    const r = constructRunner(Slow, ctxFor(host, new SharedAssets(), 'e1'));
    await runPipeline(r, ['d1'], {}, host);
    expect(host.stages.map((s) => s.name)).toEqual(['running', 'preprocess', 'inference', 'postprocess']);
    expect(host.stages[0]!.ms).toBeUndefined();
    for (const s of host.stages.slice(1)) expect(s.ms).toBeGreaterThanOrEqual(0);
    expect(host.stages[2]!.ms).toBeGreaterThanOrEqual(15);
    // 'running' comes after "Starting execution." and before preprocess runs.
    expect(host.calls.slice(0, 3)).toEqual(['log', 'stage', 'log']);
  });

  it('a failing stage stops the pipeline and rejects with its error', async () => {
    const host = fakeHost();
    class Failing extends Stub {
      override async inference(_d: unknown, _a: Args): Promise<unknown> {
        throw new Error('inference broke');
      }
    }
    const r = constructRunner(Failing, ctxFor(host, new SharedAssets(), 'e1'));
    expect((await errorOf(runPipeline(r, ['d1'], {}, host))).message).toBe('inference broke');
    expect(r.seen).toEqual(['pre {}']);
    expect(host.messages().at(-1)).toBe('Running inference.');
    expect(host.stages.map((s) => s.name)).toEqual(['running', 'preprocess']);
  });

  it('gives preprocess a copy of the ids (mutating it does not touch the caller list)', async () => {
    const host = fakeHost();
    class Mut extends Stub {
      override async preprocess(inputData: InputData, _a: Args): Promise<unknown> {
        inputData.inputDatasetIds.push('x');
        return inputData;
      }
      override async inference(d: unknown, _a: Args): Promise<unknown> {
        return d;
      }
      override async postprocess(d: unknown, _a: Args) {
        return d as string[];
      }
    }
    const ids = ['d1'];
    const r = constructRunner(Mut, ctxFor(host, new SharedAssets(), 'e1'));
    const out = (await runPipeline(r, ids, {}, host)) as unknown as InputData;
    expect(ids).toEqual(['d1']);
    expect(out.input_dataset_ids).toEqual(['d1']);
  });

  it('runs a typed runner end to end against the fake host', async () => {
    const host = childHost('image');
    class Invert extends Image2ImageRunner {
      override async inference(data: unknown) {
        const a = data as NDArray;
        return ndarray(
          'uint8',
          a.shape,
          Array.from(a.data, (v) => 255 - v),
        );
      }
    }
    const r = constructRunner(Invert, ctxFor(host, new SharedAssets(), 'e1'));
    const ids = await runPipeline(r, ['a', 'b', 'c'], {}, host);
    expect(ids).toEqual(['id1', 'id2', 'id3']);
    const posted = host.postCalls[0]!.items.map((it) => Array.from(it.image!.array.data));
    expect(posted).toEqual([Array(4).fill(245), Array(4).fill(235), Array(4).fill(225)]);
  });
});
