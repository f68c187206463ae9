// The runner host (what runs inside a bundle's worker), driven directly with fake HostApi objects:
// linking + loading a bundle from source text, the cached runner (loadAssets once), retry after a
// failed load, the Runner-class checks, and per-execution hosts.
import * as Comlink from 'comlink';
import { describe, expect, it, vi } from 'vitest';
import { createRunnerHostApi, missingMethods } from '../../workers/runnerHostApi';
import { BaseRunner } from '../../src/sdk/BaseRunner';
import { Image2ImageRunner } from '../../src/sdk/Image2ImageRunner';
import { Image2AlignmentRunner } from '../../src/sdk/Image2AlignmentRunner';
import { defaultUrlFactory } from '../../src/sdk/moduleLoader';
import { ndarray, type NDArray } from '../../src/core/ndarray';
import type { BundleCode } from '../../src/core/protocol';
import { fakeHost, putArrays, type FakeHost } from './helpers/fakeHost';

let seq = 0;
function bundle(modules: Record<string, string>, extra: Partial<BundleCode> = {}): BundleCode {
  return { algorithmId: `alg-${++seq}`, name: 'test', version: '1.0.0', entry: 'Runner.js', modules, device: 'cpu', ...extra };
}

function hostWithImages(): FakeHost {
  const h = fakeHost();
  putArrays(h, 'image', { a: ndarray('uint8', [2, 2], [1, 2, 3, 4]), b: ndarray('uint8', [2, 2], [5, 6, 7, 8]) });
  return h;
}

async function errorOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

const req = (executionId: string, inputDatasetIds: string[] = ['a'], args: Record<string, unknown> = {}) => ({ executionId, inputDatasetIds, args });

/** An Image2Image bundle that inverts images; loadAssets reads an asset and counts its runs on globalThis. */
function invertBundle(key: string, extra = ''): BundleCode {
  return bundle({
    'Runner.js': `
import { Image2ImageRunner, ndarray } from "algobox";
import { invert } from "./lib/invert.js";
export class Runner extends Image2ImageRunner {
  async loadAssets() {
    const g = (globalThis.__rhLoads ??= {});
    g[${JSON.stringify(key)}] = (g[${JSON.stringify(key)}] ?? 0) + 1;
    ${extra}
    this.model = { bias: 255 };
    await this.logMessage("assets loaded");
  }
  async inference(data, args) {
    await this.logMessage("device " + this.device + ", bias " + this.model.bias + ", arg " + args.arg);
    await this.setProgress(0.5);
    return invert(data, this.model.bias);
  }
}`,
    'lib/invert.js': `
import { ndarray } from "algobox";
export const invert = (a, bias) => ndarray("uint8", a.shape, Array.from(a.data, (v) => bias - v));`,
  });
}

const loads = (key: string) => ((globalThis as { __rhLoads?: Record<string, number> }).__rhLoads ?? {})[key] ?? 0;

describe('runner host: init and execute', () => {
  it('runs a bundle given as source text and returns the posted ids', async () => {
    const api = createRunnerHostApi();
    await api.init(invertBundle('basic'));
    const host = hostWithImages();
    const res = await api.execute(req('e1', ['a', 'b'], { arg: 7 }), host);
    expect(res.outputDatasetIds).toEqual([...host.datasets.keys()].slice(2)); // the two posted after inputs a, b
    expect(res.loadMs).toBeGreaterThan(0);
    expect(host.postCalls[0]!.schemaName).toBe('Image');
    expect(host.postCalls[0]!.items.map((it) => Array.from(it.image!.array.data))).toEqual([
      [254, 253, 252, 251],
      [250, 249, 248, 247],
    ]);
    const messages = host.messages();
    expect(messages[0]).toBe('assets loaded');
    expect(messages[1]).toBe('Starting execution.');
    expect(messages).toContain('device cpu, bias 255, arg 7');
    expect(messages.at(-1)).toMatch(/^Execution completed in \d+\.\d{3} seconds\.$/);
    expect(host.progresses).toEqual([0.5]);
    expect(host.stages.map((s) => s.name)).toEqual(['running', 'preprocess', 'inference', 'postprocess']);
    api.dispose();
  });

  it('runs on the bundle device (read-only inside the runner)', async () => {
    const api = createRunnerHostApi();
    await api.init({ ...invertBundle('gpu'), device: 'gpu' });
    const host = hostWithImages();
    await api.execute(req('e1'), host);
    expect(host.messages()).toContain('device gpu, bias 255, arg undefined');
  });

  it('refuses to execute before init, and init with another algorithm or device', async () => {
    const api = createRunnerHostApi();
    expect((await errorOf(api.execute(req('e1'), fakeHost()))).message).toBe('Runner host was not initialised with a bundle.');
    const b = invertBundle('init');
    await api.init(b);
    await api.init({ ...b }); // idempotent for the same algorithm
    expect((await errorOf(api.init({ ...b, algorithmId: 'other' }))).message).toBe('This runner host already holds another algorithm.');
    expect((await errorOf(api.init({ ...b, device: 'gpu' }))).message).toBe('This runner host already holds another algorithm.');
  });

  it('a bundle whose entry is not Runner.js, with extra built-ins and a custom URL factory', async () => {
    const urls: string[] = [];
    const api = createRunnerHostApi({
      builtins: { 'algobox/extra': { offset: 3 } },
      urlFactory: (src) => {
        const u = defaultUrlFactory(src);
        urls.push(u);
        return u;
      },
    });
    await api.init(
      bundle(
        {
          'src/main.js': `
import { BaseRunner } from "algobox";
import { offset } from "algobox/extra";
export class Runner extends BaseRunner {
  async preprocess(inputData) { return inputData.inputDatasetIds.length; }
  async inference(n) { return n + offset; }
  async postprocess(x) { return ["result-" + x]; }
}`,
        },
        { entry: 'src/main.js' },
      ),
    );
    const res = await api.execute(req('e1', ['a', 'b']), fakeHost());
    expect(res.outputDatasetIds).toEqual(['result-5']);
    expect(urls).toHaveLength(3); // two built-in shims + main.js
  });
});

describe('runner host: the cached runner', () => {
  it('loads the module and runs loadAssets once across several executions', async () => {
    const api = createRunnerHostApi();
    await api.init(invertBundle('cached'));
    const hosts = [hostWithImages(), hostWithImages(), hostWithImages()];
    const results = [];
    for (const [i, h] of hosts.entries()) results.push(await api.execute(req(`e${i}`), h));
    expect(await api.stats()).toMatchObject({ loadAssetsCalls: 1, executions: 3, moduleLoads: 1 });
    expect(loads('cached')).toBe(1);
    expect(results[0]!.loadMs).toBeGreaterThan(0);
    expect(results.slice(1).map((r) => r.loadMs)).toEqual([0, 0]);
    // loadAssets logged to the host of the execution that triggered it; later ones still see the asset.
    expect(hosts[0]!.messages()).toContain('assets loaded');
    for (const h of hosts.slice(1)) {
      expect(h.messages()).not.toContain('assets loaded');
      expect(h.messages()).toContain('device cpu, bias 255, arg undefined');
    }
  });

  it('concurrent first executions share one loadAssets', async () => {
    const api = createRunnerHostApi();
    await api.init(invertBundle('concurrent', 'await new Promise((r) => setTimeout(r, 30));'));
    const [h1, h2, h3] = [hostWithImages(), hostWithImages(), hostWithImages()];
    const out = await Promise.all([api.execute(req('e1'), h1), api.execute(req('e2'), h2), api.execute(req('e3'), h3)]);
    expect(out.every((r) => Array.isArray(r.outputDatasetIds))).toBe(true);
    expect(await api.stats()).toMatchObject({ loadAssetsCalls: 1, executions: 3, moduleLoads: 1 });
    expect(loads('concurrent')).toBe(1);
  });

  it('a failed loadAssets leaves nothing cached: the next execution loads again', async () => {
    const api = createRunnerHostApi();
    const b = invertBundle('retry', `if (globalThis.__rhLoads["retry"] === 1) throw new Error("model download failed");`);
    await api.init(b);
    const h1 = hostWithImages();
    const h1b = hostWithImages();
    const [r1, r1b] = await Promise.allSettled([api.execute(req('e1'), h1), api.execute(req('e1b'), h1b)]);
    expect(r1.status === 'rejected' && (r1.reason as Error).message).toBe('model download failed');
    // An execution that was waiting for the same load fails with it too.
    expect(r1b.status === 'rejected' && (r1b.reason as Error).message).toBe('model download failed');
    expect(h1.postCalls).toEqual([]);
    expect(await api.stats()).toMatchObject({ loadAssetsCalls: 1, executions: 2, moduleLoads: 1 });
    const h2 = hostWithImages();
    const res = await api.execute(req('e2'), h2);
    expect(res.loadMs).toBeGreaterThan(0);
    expect(h2.messages()).toContain('assets loaded');
    expect(await api.stats()).toMatchObject({ loadAssetsCalls: 2, executions: 3, moduleLoads: 2 });
    await api.execute(req('e3'), hostWithImages());
    expect(await api.stats()).toMatchObject({ loadAssetsCalls: 2, executions: 4, moduleLoads: 2 });
    expect(loads('retry')).toBe(2);
  });

  it('a failing execution does not drop the cached runner', async () => {
    const api = createRunnerHostApi();
    await api.init(invertBundle('fail-run'));
    expect((await errorOf(api.execute(req('e1', ['missing']), hostWithImages()))).message).toBe('Dataset missing not found.');
    await api.execute(req('e2'), hostWithImages());
    expect(await api.stats()).toMatchObject({ loadAssetsCalls: 1, executions: 2, moduleLoads: 1 });
  });

  it('assigning a locked asset during an execution fails that execution only', async () => {
    const api = createRunnerHostApi();
    await api.init(
      bundle({
        'Runner.js': `
import { BaseRunner } from "algobox";
export class Runner extends BaseRunner {
  model = "constructor default";
  async loadAssets() { this.model = "loaded"; }
  async preprocess(inputData, args) { if (args.swap) this.model = "swapped"; return this.model; }
  async inference(x) { return x; }
  async postprocess(x) { return [x]; }
}`,
      }),
    );
    expect((await errorOf(api.execute(req('e1', [], { swap: true }), fakeHost()))).message).toBe("Attribute 'model' is locked and cannot be modified.");
    expect((await api.execute(req('e2'), fakeHost())).outputDatasetIds).toEqual(['loaded']);
  });
});

describe('runner host: Runner class checks', () => {
  async function loadError(src: string): Promise<string> {
    const api = createRunnerHostApi();
    await api.init(bundle({ 'Runner.js': src }));
    const e = await errorOf(api.execute(req('e1'), fakeHost()));
    expect((await api.stats()).loadAssetsCalls).toBe(0);
    return e.message;
  }

  it('the entry must export a class named Runner', async () => {
    expect(await loadError(`export class Foo {}\nexport const bar = 1;`)).toBe(
      'Runner.js must export a class named Runner (export class Runner extends Image2ImageRunner { … }); it exports Foo, bar.',
    );
    expect(await loadError(`const x = 1;`)).toBe(
      'Runner.js must export a class named Runner (export class Runner extends Image2ImageRunner { … }); it exports nothing.',
    );
    expect(await loadError(`import { BaseRunner } from "algobox"; export default class Runner extends BaseRunner {}`)).toBe(
      'Runner.js must export a class named Runner (export class Runner extends Image2ImageRunner { … }); it exports default.',
    );
    expect(await loadError(`export const Runner = { preprocess() {} };`)).toBe(
      'Runner.js must export a class named Runner (export class Runner extends Image2ImageRunner { … }); it exports Runner.',
    );
  });

  it('Runner must extend BaseRunner', async () => {
    const msg = 'Runner must extend BaseRunner or a typed runner (Image2ImageRunner, …) imported from "algobox".';
    expect(await loadError(`export class Runner { async preprocess() {} async inference() {} async postprocess() { return []; } }`)).toBe(msg);
    expect(await loadError(`export function Runner() {}`)).toBe(msg);
  });

  it('a BaseRunner subclass must implement the pipeline methods (the reference abstract methods)', async () => {
    expect(await loadError(`import { BaseRunner } from "algobox"; export class Runner extends BaseRunner { async preprocess() { return 1; } }`)).toBe(
      "Can't instantiate the Runner: it does not implement inference, postprocess. Please implement the inference, postprocess methods in the algorithm Runner class.",
    );
    expect(await loadError(`import { BaseRunner } from "algobox"; export class Runner extends BaseRunner {}`)).toBe(
      "Can't instantiate the Runner: it does not implement preprocess, inference, postprocess. Please implement the preprocess, inference, postprocess methods in the algorithm Runner class.",
    );
  });

  it.each(['Image2ImageRunner', 'Image2AlignmentRunner', 'Image2SegmentationRunner'])('a %s without inference', async (base) => {
    expect(await loadError(`import { ${base} } from "algobox"; export class Runner extends ${base} {}`)).toBe(
      "Can't instantiate the Runner: it does not implement inference. Please implement the inference method in the algorithm Runner class.",
    );
  });

  it('module evaluation and link errors are reported, and the next execution tries again', async () => {
    expect(await loadError(`throw new Error("boom at top level");`)).toBe('Loading Runner.js failed: boom at top level');
    expect(await loadError(`import _ from "lodash";`)).toBe(
      `Runner.js imports 'lodash', which is not available to bundles. Bundles can import "algobox", "algobox/image" and their own files (./…); bundle other dependencies into Runner.js (npm run pack).`,
    );
    const api = createRunnerHostApi();
    await api.init(bundle({ 'Runner.js': `export const nothing = 1;` }));
    await errorOf(api.execute(req('e1'), fakeHost()));
    await errorOf(api.execute(req('e2'), fakeHost()));
    expect(await api.stats()).toMatchObject({ loadAssetsCalls: 0, executions: 2, moduleLoads: 2 });
  });

  it('missingMethods lists the pipeline methods left at BaseRunner defaults', () => {
    class A extends BaseRunner {
      override async preprocess() {
        return 1;
      }
    }
    class B extends Image2ImageRunner {
      override async inference(d: unknown) {
        return d;
      }
    }
    expect(missingMethods(BaseRunner)).toEqual(['preprocess', 'inference', 'postprocess']);
    expect(missingMethods(A)).toEqual(['inference', 'postprocess']);
    expect(missingMethods(Image2ImageRunner)).toEqual(['inference']);
    expect(missingMethods(Image2AlignmentRunner)).toEqual(['inference']);
    expect(missingMethods(B)).toEqual([]);
  });
});

describe('runner host: per-execution hosts and state', () => {
  const chattyBundle = () =>
    bundle({
      'Runner.js': `
import { BaseRunner } from "algobox";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export class Runner extends BaseRunner {
  async loadAssets() { await this.logMessage("loading for " + this.executionId); this.shared = [0]; }
  async preprocess(inputData, args) {
    this.mine = this.executionId;
    await this.logMessage("start " + this.executionId);
    await sleep(args.delay);
    return inputData.inputDatasetIds;
  }
  async inference(ids, args) {
    await this.setProgress(args.p);
    await sleep(args.delay);
    await this.logMessage("end " + this.mine + " shared " + this.shared[0], "WARNING");
    return ids;
  }
  async postprocess(ids) { return this.postData(ids.map(() => ({ data: this.marker() })), "Generic"); }
  marker() { return { dtype: "uint8", shape: [1], data: new Uint8Array([this.mine === "e1" ? 1 : 2]) }; }
}`,
    });

  it('two concurrent executions with two hosts keep their logs, progress and outputs apart', async () => {
    const api = createRunnerHostApi();
    await api.init(chattyBundle());
    const h1 = fakeHost();
    const h2 = fakeHost();
    const [r1, r2] = await Promise.all([
      api.execute(req('e1', ['x', 'y'], { delay: 25, p: 0.25 }), h1),
      api.execute(req('e2', ['z'], { delay: 5, p: 0.75 }), h2),
    ]);
    const own = (h: FakeHost) => h.messages().filter((m) => /^(start|end|loading)/.test(m));
    expect(own(h1)).toEqual(['loading for null', 'start e1', 'end e1 shared 0']);
    expect(own(h2)).toEqual(['start e2', 'end e2 shared 0']);
    expect(h1.messages().filter((m) => m === 'Starting execution.')).toHaveLength(1);
    expect(h2.messages().filter((m) => m === 'Starting execution.')).toHaveLength(1);
    expect(h1.progresses).toEqual([0.25]);
    expect(h2.progresses).toEqual([0.75]);
    expect(h1.postCalls[0]!.items.map((it) => Array.from(it.data!.array.data))).toEqual([[1], [1]]);
    expect(h2.postCalls[0]!.items.map((it) => Array.from(it.data!.array.data))).toEqual([[2]]);
    expect(r1.outputDatasetIds).toHaveLength(2);
    expect(r2.outputDatasetIds).toHaveLength(1);
    expect(await api.stats()).toMatchObject({ loadAssetsCalls: 1, executions: 2, moduleLoads: 1 });
  });

  it('releases each execution host proxy when its execution ends, successful or not', async () => {
    const api = createRunnerHostApi();
    await api.init(chattyBundle());
    const ok = Object.assign(fakeHost(), { [Comlink.releaseProxy]: vi.fn() });
    const bad = Object.assign(fakeHost(), { [Comlink.releaseProxy]: vi.fn() });
    await api.execute(req('e1', ['x'], { delay: 0, p: 0.5 }), ok);
    expect((await errorOf(api.execute(req('e2', ['x'], { delay: 0, p: 7 }), bad))).message).toBe('Progress must be between 0 and 1.');
    expect(ok[Comlink.releaseProxy]).toHaveBeenCalledTimes(1);
    expect(bad[Comlink.releaseProxy]).toHaveBeenCalledTimes(1);
  });

  it('the result is whatever postprocess returned (NDArray pass-through via a fake host)', async () => {
    const api = createRunnerHostApi();
    await api.init(
      bundle({
        'Runner.js': `
import { BaseRunner } from "algobox";
export class Runner extends BaseRunner {
  async preprocess(inputData) { return (await this.fetchData(inputData.inputDatasetIds, "Image", "image"))[0].image; }
  async inference(a) { return a; }
  async postprocess(a) { return { shape: a.shape, dtype: a.dtype }; }
}`,
      }),
    );
    const res = await api.execute(req('e1', ['b']), hostWithImages());
    expect(res.outputDatasetIds).toEqual({ shape: [2, 2], dtype: 'uint8' } satisfies Partial<NDArray>);
  });
});
