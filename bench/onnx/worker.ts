// bench/onnx worker: one configuration (model × execution provider × threads) per fresh module
// worker, because ort.env.wasm.numThreads cannot change once ORT has initialised in a worker.
// Messages: {type: 'open', cfg} → fetch, import ORT, create the session, first run, warm-up →
// {type: 'opened', result}; {type: 'run'} → one timed run → {type: 'ran', ms}; failures →
// {type: 'error', message}. {type: 'progress', partial} after each step of 'open', so a
// configuration that times out still reports what it measured.
import type * as Ort from 'onnxruntime-web';
import {
  EMBEDDING_URL,
  decoderFeeds,
  encoderFeeds,
  fingerprint,
  modelUrl,
  u2netpFeeds,
  type BenchConfig,
  type BenchResult,
  type Feed,
  type WorkerReply,
  type WorkerRequest,
} from './shared';

const post = (m: WorkerReply): void => (globalThis as unknown as { postMessage(m: WorkerReply): void }).postMessage(m);

interface GpuNavigator {
  gpu?: { requestAdapter(): Promise<{ info?: { vendor?: string; architecture?: string; description?: string } } | null> };
  hardwareConcurrency?: number;
}

let session: Ort.InferenceSession | null = null;
let tensors: Record<string, Ort.Tensor> = {};

async function fetchBytes(url: string): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`GET ${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

async function feedsFor(cfg: BenchConfig): Promise<Feed[]> {
  if (cfg.model === 'u2netp') return u2netpFeeds();
  if (cfg.model === 'sam_encoder') return encoderFeeds();
  const bytes = await fetchBytes(EMBEDDING_URL);
  return decoderFeeds(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));
}

async function runOnce(): Promise<number> {
  if (!session) throw new Error('no session: send "open" first');
  const t0 = performance.now();
  const out = await session.run(tensors);
  const ms = performance.now() - t0;
  for (const o of Object.values(out)) o.dispose();
  return ms;
}

async function open(cfg: BenchConfig): Promise<BenchResult> {
  const nav = (globalThis as { navigator?: GpuNavigator }).navigator;
  const res: BenchResult = {
    ok: false,
    crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
    hardwareConcurrency: nav?.hardwareConcurrency ?? 1,
  };
  const progress = () => post({ type: 'progress', partial: { ...res } });

  if (cfg.ep === 'webgpu') {
    if (!nav?.gpu) return { ...res, reason: 'no WebGPU in this worker (navigator.gpu is undefined)' };
    const adapter = await nav.gpu.requestAdapter();
    if (!adapter) return { ...res, reason: 'requestAdapter() found no WebGPU adapter' };
    const i = adapter.info;
    res.adapter = [i?.vendor, i?.architecture, i?.description].filter(Boolean).join(' / ') || 'unknown adapter';
  }

  let t = performance.now();
  const model = await fetchBytes(modelUrl(cfg.model));
  const feeds = await feedsFor(cfg);
  res.fetchMs = performance.now() - t;

  t = performance.now();
  const ort = (cfg.ep === 'webgpu' ? await import('onnxruntime-web') : await import('onnxruntime-web/wasm')) as typeof Ort;
  res.importMs = performance.now() - t;
  const threads = cfg.threads > 0 ? cfg.threads : Math.max(1, nav?.hardwareConcurrency ?? 1);
  ort.env.wasm.numThreads = threads;
  ort.env.logLevel = 'error';
  res.threads = threads;
  progress();

  t = performance.now();
  session = await ort.InferenceSession.create(model, { executionProviders: [cfg.ep], graphOptimizationLevel: 'all' });
  res.createMs = performance.now() - t;
  progress();

  tensors = {};
  for (const f of feeds) tensors[f.name] = new ort.Tensor('float32', f.data, f.dims);
  t = performance.now();
  const first = await session.run(tensors);
  res.firstRunMs = performance.now() - t;
  const out0 = first[session.outputNames[0]!]!;
  res.outputDims = [...out0.dims];
  res.fingerprint = fingerprint(out0.data as Float32Array);
  for (const o of Object.values(first)) o.dispose();
  progress();

  for (let i = 0; i < cfg.warmup; i++) await runOnce();
  res.ok = true;
  return res;
}

self.onmessage = (e: MessageEvent<WorkerRequest>) => {
  const m = e.data;
  const fail = (err: unknown) => post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  if (m.type === 'open') open(m.cfg).then((result) => post({ type: 'opened', result }), fail);
  else runOnce().then((ms) => post({ type: 'ran', ms }), fail);
};
