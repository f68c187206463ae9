// The runner host: what runs inside a bundle's worker. It links the bundle's modules, keeps one
// Runner class and the assets loadAssets produced (the cached runner), and runs each execution on
// a fresh instance. It has no access to the store: everything goes through the HostApi the engine
// passes with each execution. Importable in Node (tests run it in-process over a MessageChannel).
import * as Comlink from 'comlink';
import * as sdk from '../src/sdk/index';
import * as image from '../src/sdk/image/index';
import { BaseRunner } from '../src/sdk/BaseRunner';
import { linkBundle, revokeBundle, type LinkedBundle, type ModuleUrlFactory } from '../src/sdk/moduleLoader';
import { SharedAssets, constructRunner, loadSharedAssets } from '../src/sdk/runnerState';
import { runPipeline } from '../src/sdk/pipeline';
import { onnxStats, releaseAllSessions } from '../src/sdk/onnxRuntime';
import { thrownMessage } from '../src/core/describeValue';
import { withBlockTransfer } from './hostTransfer';
import { transferGroups, type NDArray } from '../src/core/ndarray';
import type { BundleCode, ExecuteRequest, ExecuteResult, HostApi, RunnerHostApi, RunnerWorkerApi } from '../src/core/protocol';
import type { StoredField } from '../src/core/records';

export interface RunnerHostOptions {
  urlFactory?: ModuleUrlFactory;
  /** Extra built-in modules (e.g. "algobox/image") besides "algobox". */
  builtins?: Record<string, Record<string, unknown>>;
}

type RunnerClass = new () => BaseRunner;

const PIPELINE_METHODS = ['preprocess', 'inference', 'postprocess'] as const;

/** Methods a Runner class leaves at BaseRunner's default (the reference's abstract methods). */
export function missingMethods(C: RunnerClass): string[] {
  return PIPELINE_METHODS.filter((m) => C.prototype[m] === BaseRunner.prototype[m]);
}

export function createRunnerHostApi(opts: RunnerHostOptions = {}): RunnerHostApi & { dispose(): void } {
  const builtins = {
    algobox: sdk as unknown as Record<string, unknown>,
    'algobox/image': image as unknown as Record<string, unknown>,
    ...opts.builtins,
  };
  let bundle: BundleCode | null = null;
  let linked: LinkedBundle | null = null;
  let runnerClass: Promise<RunnerClass> | null = null;
  let shared = new SharedAssets();
  const counters = { loadAssetsCalls: 0, executions: 0, moduleLoads: 0 };

  let entryModule: Promise<Record<string, unknown>> | null = null;

  async function loadModule(b: BundleCode): Promise<Record<string, unknown>> {
    counters.moduleLoads++;
    linked = await linkBundle(b.modules, b.entry, builtins, opts.urlFactory);
    try {
      return (await import(/* @vite-ignore */ linked.entryUrl)) as Record<string, unknown>;
    } catch (e) {
      throw new Error(`Loading ${b.entry} failed: ${thrownMessage(e)}`, { cause: e });
    }
  }

  /** The entry module, linked and imported once (again after a failed load). */
  function entry(b: BundleCode): Promise<Record<string, unknown>> {
    entryModule ??= loadModule(b).catch((e: unknown) => {
      entryModule = null;
      throw e;
    });
    return entryModule;
  }

  async function loadClass(b: BundleCode): Promise<RunnerClass> {
    const mod = await entry(b);
    const C = mod.Runner;
    if (typeof C !== 'function') {
      throw new Error(
        `${b.entry} must export a class named Runner (export class Runner extends Image2ImageRunner { … }); it exports ${Object.keys(mod).join(', ') || 'nothing'}.`,
      );
    }
    if (!(C.prototype instanceof BaseRunner)) {
      throw new Error('Runner must extend BaseRunner or a typed runner (Image2ImageRunner, …) imported from "algobox".');
    }
    const missing = missingMethods(C as RunnerClass);
    if (missing.length) {
      throw new Error(
        `Can't instantiate the Runner: it does not implement ${missing.join(', ')}. Please implement the ${missing.join(', ')} method${missing.length > 1 ? 's' : ''} in the algorithm Runner class.`,
      );
    }
    return C as RunnerClass;
  }

  return {
    async init(b: BundleCode) {
      if (bundle && (bundle.algorithmId !== b.algorithmId || bundle.device !== b.device)) {
        throw new Error('This runner host already holds another algorithm.');
      }
      bundle = b;
    },

    async execute(req: ExecuteRequest, host: HostApi): Promise<ExecuteResult> {
      if (!bundle) throw new Error('Runner host was not initialised with a bundle.');
      const b = bundle;
      counters.executions++;
      let loadMs = 0;
      if (!shared.loading) {
        const t0 = performance.now();
        const mine = shared;
        mine.loading = (async () => {
          runnerClass ??= loadClass(b);
          const C = await runnerClass;
          counters.loadAssetsCalls++;
          await loadSharedAssets(C, { shared: mine, device: b.device, host, executionId: null });
        })();
        try {
          await mine.loading;
        } catch (e) {
          // A failed load leaves nothing cached: the next execution starts over.
          shared = new SharedAssets();
          runnerClass = null;
          entryModule = null; // the module is linked and evaluated afresh too
          throw e;
        }
        loadMs = performance.now() - t0;
      } else {
        await shared.loading;
      }
      const C = await runnerClass!;
      const runner = constructRunner(C, { shared, device: b.device, host, executionId: req.executionId });
      try {
        const outputDatasetIds = await runPipeline(runner, req.inputDatasetIds, req.args, host);
        return { outputDatasetIds, loadMs };
      } finally {
        // Free the MessageChannel of this execution's host proxy (a no-op for in-process hosts).
        (host as { [Comlink.releaseProxy]?: () => void })[Comlink.releaseProxy]?.();
      }
    },

    async preview(image: NDArray, args: Record<string, unknown>): Promise<NDArray> {
      if (!bundle) throw new Error('Runner host was not initialised with a bundle.');
      const f = (await entry(bundle)).preview;
      if (typeof f !== 'function') {
        throw new Error(`${bundle.entry} declares a live preview ([tool.algobox] preview = true) but exports no function named preview(image, args).`);
      }
      return (await (f as (image: NDArray, args: Record<string, unknown>) => unknown)(image, args)) as NDArray;
    },

    async stats() {
      return { ...counters, modelLoads: onnxStats.sessionsCreated, modelsReleased: onnxStats.sessionsReleased, modelBytes: onnxStats.bytesLoaded };
    },

    async release() {
      await releaseAllSessions();
    },

    dispose() {
      if (linked) revokeBundle(linked);
    },
  };
}

type RemoteHost = Comlink.Remote<HostApi> & { [Comlink.releaseProxy](): void };

/** A clear error for an array whose buffer an earlier postData already handed over (postMessage would only say "detached"). */
function checkNotHandedOver(items: unknown[]): void {
  items.forEach((item, i) => {
    if (!item || typeof item !== 'object') return;
    for (const [k, f] of Object.entries(item as Record<string, { array?: { shape?: unknown; data?: { buffer?: unknown; length?: unknown } } } | null>)) {
      const a = f?.array;
      const buf = a?.data?.buffer;
      if (!(buf instanceof ArrayBuffer)) continue;
      const detached = (buf as { detached?: boolean }).detached;
      // Without ArrayBuffer.prototype.detached (Node 20): an empty view whose shape needs elements.
      const gone =
        detached ?? (a!.data!.length === 0 && Array.isArray(a!.shape) && a!.shape.length > 0 && a!.shape.every((d) => typeof d === 'number' && d > 0));
      if (gone) {
        throw new Error(
          `postData: item ${i} field '${k}': its bytes were already handed over to the engine by an earlier postData (posted arrays are transferred, not copied, and are empty afterwards); post a copy of an array you post twice or use afterwards.`,
        );
      }
    }
  });
}

type ArrayBufferWithTransfer = ArrayBuffer & { transfer?: () => ArrayBuffer };

/**
 * `items` as sent, their arrays on buffers that postMessage can transfer. postMessage detaches the
 * buffers of its transfer list one by one and fails at the first that cannot be detached (a
 * WebAssembly memory's), leaving the earlier ones detached and their arrays lost (Chromium 150). So
 * each buffer of `transfer` is first moved with ArrayBuffer.prototype.transfer (no copy; the runner's
 * arrays on it are empty afterwards, as after postMessage), the items rebuilt on the moved buffers; a
 * buffer that cannot be moved stays where it is and travels as a copy. Engines without
 * ArrayBuffer.prototype.transfer (Node 20, in tests) transfer the buffers as they are.
 */
function moveBuffers(
  items: Parameters<HostApi['postData']>[0],
  transfer: ArrayBuffer[],
): { items: Parameters<HostApi['postData']>[0]; transfer: ArrayBuffer[] } {
  if (!transfer.length || typeof (ArrayBuffer.prototype as ArrayBufferWithTransfer).transfer !== 'function') return { items, transfer };
  // Where each array sits in its buffer, read before the move (a detached view has length and offset 0).
  const views = items.map((item) =>
    !item || typeof item !== 'object'
      ? []
      : Object.entries(item).flatMap(([k, f]) => {
          const data = (f as { array?: { data?: unknown } } | null)?.array?.data;
          return ArrayBuffer.isView(data) && transfer.includes(data.buffer as ArrayBuffer)
            ? [{ k, f, data: data as NDArray['data'], byteOffset: data.byteOffset, length: (data as NDArray['data']).length }]
            : [];
        }),
  );
  const moved = new Map<ArrayBuffer, ArrayBuffer>();
  for (const b of transfer) {
    try {
      moved.set(b, (b as ArrayBufferWithTransfer).transfer!());
    } catch {
      // Not detachable: sent as a copy.
    }
  }
  const rebuilt = items.map((item, i) => {
    const mine = views[i]!.filter((v) => moved.has(v.data.buffer as ArrayBuffer));
    if (!mine.length) return item;
    const out: Record<string, unknown> = { ...item };
    for (const { k, f, data, byteOffset, length } of mine) {
      const C = data.constructor as new (b: ArrayBuffer, o: number, n: number) => NDArray['data'];
      const sf = f as StoredField; // only fields with array data were collected above
      out[k] = { ...sf, array: { ...sf.array, data: new C(moved.get(data.buffer as ArrayBuffer)!, byteOffset, length) } };
    }
    return out;
  }) as Parameters<HostApi['postData']>[0];
  return { items: rebuilt, transfer: [...moved.values()] };
}

/**
 * The HostApi a runner sees, over the engine's Comlink remote. Posted arrays travel as TRANSFERRED
 * buffers: they are detached (empty) in the runner afterwards, whether the engine accepted them or
 * not. No message transfers more large buffers than one message to another process may
 * (MAX_TRANSFER_BUFFERS in src/core/ndarray.ts): postData is split into consecutive calls where
 * needed (the ids come back in order). A buffer that cannot be transferred (a WebAssembly memory's)
 * travels as a copy (moveBuffers). fetchData replies come transferred from the engine.
 */
export function transferringHost(remote: RemoteHost): HostApi & { [Comlink.releaseProxy](): void } {
  const post = async (items: Parameters<HostApi['postData']>[0], transfer: ArrayBuffer[], schemaName: string | null): Promise<string[]> => {
    const moved = moveBuffers(items, transfer);
    if (!moved.transfer.length) return remote.postData(moved.items, schemaName);
    return remote.postData(Comlink.transfer(moved.items, moved.transfer), schemaName);
  };
  return {
    fetchData: (ids, keys) => remote.fetchData(ids, keys),
    async postData(items, schemaName) {
      if (Array.isArray(items)) checkNotHandedOver(items);
      const groups = Array.isArray(items) ? transferGroups(items) : [];
      if (groups.length <= 1) return post(items, groups[0]?.transfer ?? [], schemaName);
      const ids: string[] = [];
      for (const g of groups) ids.push(...(await post(g.items, g.transfer, schemaName)));
      return ids;
    },
    fetchAsset: (path) => remote.fetchAsset(path),
    log: (level, message) => remote.log(level, message),
    progress: (p) => remote.progress(p),
    stage: (name, ms) => remote.stage(name, ms),
    sessionSave: (key, value) => remote.sessionSave(key, value),
    sessionLoad: (key) => remote.sessionLoad(key),
    sessionRemove: (key) => remote.sessionRemove(key),
    // Lazy arrays (hostArrays.ts): passed through; withBlockTransfer makes writeArray transfer its block.
    describeData: (ids) => remote.describeData(ids),
    setOutputAxes: (id, key, axes) => remote.setOutputAxes(id, key, axes),
    readArray: (id, key, region) => remote.readArray(id, key, region),
    createArray: (spec) => remote.createArray(spec),
    writeArray: (handle, origin, block) => remote.writeArray(handle, origin, block),
    abortArray: (handle) => remote.abortArray(handle),
    readOutput: (handle, region) => remote.readOutput(handle, region),
    [Comlink.releaseProxy]: () => remote[Comlink.releaseProxy](),
  };
}

/**
 * The runner host as a worker exposes it: `execute` gets the MessagePort on which the engine serves
 * this execution's HostApi and calls it over Comlink (released when the execution ends), through
 * transferringHost.
 */
export function runnerWorkerApi(api: RunnerHostApi): RunnerWorkerApi {
  return {
    init: (b) => api.init(b),
    execute: (req, hostPort) => {
      if (typeof MessagePort !== 'undefined' && !(hostPort instanceof MessagePort)) {
        return Promise.reject(new Error('execute: the host port is missing.'));
      }
      return api.execute(req, withBlockTransfer(transferringHost(Comlink.wrap<HostApi>(hostPort) as RemoteHost)));
    },
    // The preview's buffer goes back transferred (a bundle's own result: nothing else holds it).
    preview: async (image, args) => {
      const out = await api.preview(image, args);
      const buf = (out as { data?: { buffer?: unknown } } | null)?.data?.buffer;
      return buf instanceof ArrayBuffer ? Comlink.transfer(out, [buf]) : out;
    },
    stats: () => api.stats(),
    release: () => api.release(),
  };
}
