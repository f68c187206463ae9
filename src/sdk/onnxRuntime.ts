// onnxruntime-web, loaded only when a bundle first asks for a model (the ~14–28 MB wasm is fetched
// from the app's own build, never a CDN), and the execution-provider policy:
// - device "gpu": the WebGPU execution provider when this worker has an adapter, otherwise WASM
//   with a WARNING saying why;
// - device "cpu": WASM with SIMD and one thread per core when the context is cross-origin isolated
//   (SharedArrayBuffer), one thread otherwise, with a WARNING.
// One ORT instance per worker; every session this module creates is tracked so a runner host can
// release them all when its cached runner is evicted. Where ORT cannot be imported from a URL (the
// opaque-origin sandbox of third-party bundles), the worker's runtime installs a loader under
// ORT_LOADER on globalThis that returns the module (see workers/sandboxRuntime.ts).
import type * as Ort from 'onnxruntime-web';
import { OnnxSession, type OnnxLog } from './OnnxSession';
import { thrownMessage } from '../core/describeValue';

export type OrtModule = typeof Ort;

/** globalThis key of an injected ORT loader; when set, loadOrt uses it instead of importing onnxruntime-web. */
export const ORT_LOADER = Symbol.for('algobox.ortLoader');

/** Returns the ORT module to use for a flavour (it may return the WASM build for "webgpu"). */
export type OrtLoader = (flavour: 'wasm' | 'webgpu') => Promise<OrtModule>;

function injectedLoader(): OrtLoader | null {
  const l = (globalThis as unknown as Record<symbol, unknown>)[ORT_LOADER];
  return typeof l === 'function' ? (l as OrtLoader) : null;
}

export interface OnnxModelOptions {
  /** ORT graph optimisation level (default "all"). */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'layout' | 'all';
  /** Fix symbolic dimensions (e.g. `{ batch: 1 }`): lets WebGPU and the optimiser plan static shapes. */
  freeDimensionOverrides?: Record<string, number>;
  /** Skip WebGPU for this model even on device "gpu" (for models with kernels WebGPU lacks). */
  cpuOnly?: boolean;
}

const OPTION_KEYS = ['graphOptimizationLevel', 'freeDimensionOverrides', 'cpuOnly'] as const;
const OPT_LEVELS = ['disabled', 'basic', 'extended', 'layout', 'all'] as const;

/** Counters for tests and diagnostics (per worker). */
export const onnxStats = { sessionsCreated: 0, bytesLoaded: 0, sessionsReleased: 0 };

const live = new Set<OnnxSession>();
let ortPromise: Promise<{ ort: OrtModule; threads: number; threadNote: string | null; flavour: 'wasm' | 'webgpu' }> | null = null;

interface GpuNavigator {
  gpu?: { requestAdapter(): Promise<unknown> };
}

/** Is a WebGPU adapter available in this context? With the reason when not. */
export async function webGpuStatus(): Promise<{ available: boolean; reason?: string }> {
  const nav = (globalThis as { navigator?: GpuNavigator }).navigator;
  if (!nav?.gpu) return { available: false, reason: 'this context has no WebGPU (navigator.gpu is undefined)' };
  try {
    const adapter = await nav.gpu.requestAdapter();
    return adapter ? { available: true } : { available: false, reason: 'requestAdapter() found no WebGPU adapter' };
  } catch (e) {
    return { available: false, reason: `requestAdapter() failed: ${thrownMessage(e)}` };
  }
}

/** Threads for WASM: every core when SharedArrayBuffer is usable, else 1 (with the reason). */
export function wasmThreads(): { threads: number; note: string | null } {
  const g = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number }; process?: unknown };
  if (g.process !== undefined && typeof (g as { window?: unknown }).window === 'undefined' && g.crossOriginIsolated === undefined) {
    // Node (tests, benchmarks): ORT-web runs single-threaded there.
    return { threads: 1, note: null };
  }
  if (!g.crossOriginIsolated) {
    return { threads: 1, note: 'the page is not cross-origin isolated (no COOP/COEP headers), so WASM runs on 1 thread' };
  }
  return { threads: Math.max(1, g.navigator?.hardwareConcurrency ?? 1), note: null };
}

/** Load onnxruntime-web once per worker. "webgpu" loads the JSEP build (WebGPU + WASM), "wasm" the smaller CPU-only build. */
export function loadOrt(flavour: 'wasm' | 'webgpu'): Promise<{ ort: OrtModule; threads: number; threadNote: string | null; flavour: 'wasm' | 'webgpu' }> {
  ortPromise ??= (async () => {
    const injected = injectedLoader();
    const ort = injected
      ? await injected(flavour)
      : ((flavour === 'webgpu' ? await import('onnxruntime-web') : await import('onnxruntime-web/wasm')) as OrtModule);
    const { threads, note } = wasmThreads();
    ort.env.wasm.numThreads = threads;
    ort.env.logLevel = 'error';
    return { ort, threads, threadNote: note, flavour };
  })();
  return ortPromise;
}

function validateOptions(options: unknown): OnnxModelOptions {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new Error(`loadOnnxModel: options must be an object, got ${Array.isArray(options) ? 'an array' : typeof options}.`);
  }
  const o = options as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!(OPTION_KEYS as readonly string[]).includes(k)) {
      throw new Error(`loadOnnxModel: unknown option '${k}'; the options are ${OPTION_KEYS.join(', ')}.`);
    }
  }
  if (o.graphOptimizationLevel !== undefined && !(OPT_LEVELS as readonly unknown[]).includes(o.graphOptimizationLevel)) {
    throw new Error(`loadOnnxModel: graphOptimizationLevel must be one of ${OPT_LEVELS.join(', ')}, got ${JSON.stringify(o.graphOptimizationLevel)}.`);
  }
  if (o.freeDimensionOverrides !== undefined) {
    const f = o.freeDimensionOverrides;
    if (!f || typeof f !== 'object' || Array.isArray(f)) throw new Error('loadOnnxModel: freeDimensionOverrides must be an object of dimension name → size.');
    for (const [k, v] of Object.entries(f)) {
      if (!Number.isInteger(v) || (v as number) < 1)
        throw new Error(`loadOnnxModel: freeDimensionOverrides.${k} must be a positive integer, got ${JSON.stringify(v)}.`);
    }
  }
  if (o.cpuOnly !== undefined && typeof o.cpuOnly !== 'boolean')
    throw new Error(`loadOnnxModel: cpuOnly must be true or false, got ${JSON.stringify(o.cpuOnly)}.`);
  return o as OnnxModelOptions;
}

export interface CreateSessionOptions {
  /** Bundle-relative path of the model (for messages). */
  name: string;
  device: 'cpu' | 'gpu';
  options?: unknown;
  log: OnnxLog;
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

/** Create a session on the device's execution provider, falling back from WebGPU to WASM with a WARNING. */
export async function createOnnxSession(bytes: Uint8Array, opts: CreateSessionOptions): Promise<OnnxSession> {
  const options = validateOptions(opts.options);
  if (!(bytes instanceof Uint8Array) || bytes.byteLength === 0) throw new Error(`loadOnnxModel: ${opts.name} is empty.`);
  let useGpu = opts.device === 'gpu' && !options.cpuOnly;
  if (opts.device === 'gpu' && options.cpuOnly) {
    await opts.log('INFO', `Model ${opts.name} asks for cpuOnly: running it on WASM although the device is gpu.`);
  }
  if (useGpu) {
    const status = await webGpuStatus();
    if (!status.available) {
      await opts.log('WARNING', `Device is gpu but WebGPU is not available in the runner worker (${status.reason}); running ${opts.name} on WASM.`);
      useGpu = false;
    }
  }
  const rt = await loadOrt(opts.device === 'gpu' ? 'webgpu' : 'wasm');
  if (rt.threadNote) await opts.log('WARNING', `onnxruntime-web: ${rt.threadNote}.`);
  const base: Ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
    ...(options.freeDimensionOverrides ? { freeDimensionOverrides: options.freeDimensionOverrides } : {}),
  };
  const t0 = performance.now();
  let session: Ort.InferenceSession | null = null;
  let provider: 'webgpu' | 'wasm' = 'wasm';
  if (useGpu) {
    try {
      session = await rt.ort.InferenceSession.create(bytes, { ...base, executionProviders: ['webgpu'] });
      provider = 'webgpu';
    } catch (e) {
      await opts.log('WARNING', `Could not create a WebGPU session for ${opts.name} (${thrownMessage(e)}); running it on WASM.`);
    }
  }
  if (!session) {
    try {
      session = await rt.ort.InferenceSession.create(bytes, { ...base, executionProviders: ['wasm'] });
    } catch (e) {
      throw new Error(`loadOnnxModel: onnxruntime-web could not load ${opts.name}: ${thrownMessage(e)}`, { cause: e });
    }
  }
  const ms = performance.now() - t0;
  onnxStats.sessionsCreated++;
  onnxStats.bytesLoaded += bytes.byteLength;
  const where = provider === 'webgpu' ? 'WebGPU' : `WASM (SIMD, ${rt.threads} thread${rt.threads > 1 ? 's' : ''})`;
  await opts.log('INFO', `Loaded model ${opts.name} (${mb(bytes.byteLength)}) on ${where} in ${Math.round(ms)} ms.`);
  const wasmFallback =
    provider === 'webgpu'
      ? async () => ({ session: await rt.ort.InferenceSession.create(bytes, { ...base, executionProviders: ['wasm'] }), threads: rt.threads })
      : null;
  const s = new OnnxSession(
    rt.ort,
    session,
    { name: opts.name, provider, threads: provider === 'wasm' ? rt.threads : 0 },
    () => {
      live.delete(s);
      onnxStats.sessionsReleased++;
    },
    wasmFallback,
    opts.log,
  );
  live.add(s);
  return s;
}

/** Release every session this worker created (the cached runner is being evicted). */
export async function releaseAllSessions(): Promise<number> {
  const all = [...live];
  await Promise.all(all.map((s) => s.release().catch(() => undefined)));
  return all.length;
}
