// bench/onnx: ONNX models in the browser (onnxruntime-web: WASM with 1 thread and with all threads,
// and WebGPU when there is an adapter, each in a fresh module worker of a cross-origin-isolated
// page, as the app runs models) and natively (onnxruntime-node, CPU, 1 intra-op thread and all
// cores), in the same run on the same inputs. Cold figures one configuration at a time; warm runs
// interleaved round-robin across a model's CPU configurations; WebGPU alone, capped and time-limited.
// `npm run bench:onnx` → stdout and docs/benchmarks.md (section "onnx").
// ALGOBOX_ONNX_BENCH_MODELS=u2netp,sam_decoder limits the models (then docs/benchmarks.md is left alone).
import { it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ortNode from 'onnxruntime-node';
import { build, preview, type PreviewServer } from 'vite';
import { chromium, type Browser, type Page } from '@playwright/test';
import { machine, writeSection } from '../report';
import {
  EMBEDDING_FILE,
  MODEL_FILES,
  MODEL_LABELS,
  decoderFeeds,
  encoderFeeds,
  fingerprint,
  maxAbsDiff,
  median,
  u2netpFeeds,
  type BenchConfig,
  type BenchResult,
  type Feed,
  type ModelKey,
} from './shared';

const here = import.meta.dirname;
const repo = join(here, '..', '..');
const PORT = 4302;
const TARGET = 1.3;

interface Plan {
  /** Untimed runs after the first one (in the browser: inside the worker before it reports "opened"). */
  warmup: number;
  /** Timed runs per configuration, interleaved round-robin across the CPU configurations of the model. */
  runs: number;
  /** Limit for session creation + first run + warm-up, and for each timed run, seconds. */
  openTimeoutS: number;
  runTimeoutS: number;
  gpuWarmup: number;
  gpuRuns: number;
  /** WebGPU's whole budget (create, first run, warm-up, timed runs), seconds. */
  gpuTimeoutS: number;
}

// WebGPU in headless Chromium is SwiftShader (software): capped runs and a budget, so the bench always ends.
const PLANS: Record<ModelKey, Plan> = {
  u2netp: { warmup: 1, runs: 7, openTimeoutS: 300, runTimeoutS: 120, gpuWarmup: 1, gpuRuns: 2, gpuTimeoutS: 180 },
  sam_decoder: { warmup: 1, runs: 9, openTimeoutS: 300, runTimeoutS: 60, gpuWarmup: 1, gpuRuns: 2, gpuTimeoutS: 180 },
  sam_encoder: { warmup: 1, runs: 5, openTimeoutS: 420, runTimeoutS: 180, gpuWarmup: 1, gpuRuns: 2, gpuTimeoutS: 240 },
};

type Runtime = 'native' | 'wasm' | 'webgpu';

interface Row {
  model: ModelKey;
  runtime: Runtime;
  threads: number;
  result: BenchResult;
}

/** An open configuration: cold figures measured, ready for timed runs. */
interface Live extends Row {
  /** One timed run (appended to result.runMs), or marks the configuration failed. */
  run(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

const ALL = cpus().length;
const log = (...a: unknown[]) => console.log('[bench:onnx]', ...a);
const fmt = (v: number | undefined | null, d = 1) => (v === undefined || v === null || !Number.isFinite(v) ? 'n/a' : v.toFixed(d));
const warmMedian = (r: BenchResult | undefined) => (r?.ok && r.runMs?.length ? median(r.runMs) : undefined);
const warmMin = (r: BenchResult | undefined) => (r?.ok && r.runMs?.length ? Math.min(...r.runMs) : undefined);

function feedsFor(model: ModelKey, embedding: Float32Array): Feed[] {
  if (model === 'u2netp') return u2netpFeeds();
  if (model === 'sam_encoder') return encoderFeeds();
  return decoderFeeds(embedding);
}

function toOrt(feeds: Feed[]): Record<string, ortNode.Tensor> {
  return Object.fromEntries(feeds.map((f) => [f.name, new ortNode.Tensor('float32', f.data, f.dims)]));
}

function nativeOptions(threads: number): ortNode.InferenceSession.SessionOptions {
  return {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  };
}

/** The SAM image embedding of the synthetic 1024² scene, computed once natively and fed to every runtime. */
async function samEmbedding(): Promise<Float32Array> {
  const s = await ortNode.InferenceSession.create(join(repo, 'node_modules', MODEL_FILES.sam_encoder), nativeOptions(ALL));
  const out = await s.run(toOrt(encoderFeeds()));
  const e = out.output!;
  if (e.dims.join() !== '1,256,64,64') throw new Error(`SAM encoder output dims ${e.dims.join('×')}`);
  const data = Float32Array.from(e.data as Float32Array);
  await s.release();
  return data;
}

/** onnxruntime-node, same protocol as the worker: create (from bytes already read), first run, warm-up. */
async function openNative(model: ModelKey, threads: number, plan: Plan, embedding: Float32Array): Promise<Live> {
  const result: BenchResult = { ok: false, threads, runMs: [] };
  let session: ortNode.InferenceSession | undefined;
  const feeds = toOrt(feedsFor(model, embedding));
  try {
    const bytes = readFileSync(join(repo, 'node_modules', MODEL_FILES[model]));
    let t = performance.now();
    session = await ortNode.InferenceSession.create(bytes, nativeOptions(threads));
    result.createMs = performance.now() - t;
    t = performance.now();
    const first = await session.run(feeds);
    result.firstRunMs = performance.now() - t;
    const out0 = first[session.outputNames[0]!]!;
    result.outputDims = [...out0.dims];
    result.fingerprint = fingerprint(out0.data as Float32Array);
    for (let i = 0; i < plan.warmup; i++) await session.run(feeds);
    result.ok = true;
  } catch (e) {
    result.reason = (e as Error).message;
  }
  return {
    model,
    runtime: 'native',
    threads,
    result,
    async run() {
      if (!session || !result.ok) return;
      try {
        const t = performance.now();
        await session.run(feeds);
        result.runMs!.push(performance.now() - t);
      } catch (e) {
        result.ok = false;
        result.reason = (e as Error).message;
      }
    },
    async close() {
      await session?.release();
    },
  };
}

/** The page and whether it still answers (a crash or hang → a new page for the next configuration). */
interface Browsing {
  browser: Browser;
  page: Page;
  broken: boolean;
}

async function openPage(browser: Browser): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (e) => log('page error:', e.message));
  await page.goto(`http://127.0.0.1:${PORT}/`);
  await page.waitForFunction(() => (window as unknown as { benchReady?: boolean }).benchReady === true, null, { timeout: 60_000 });
  return page;
}

type PageApi = {
  benchOpen(id: string, cfg: BenchConfig, timeoutMs: number): Promise<BenchResult>;
  benchRun(id: string, timeoutMs: number): Promise<{ ms?: number; reason?: string }>;
  benchClose(id: string): void;
};

/** page.evaluate with a guard: the page enforces its own timeouts, this catches a crashed or hung page. */
async function guarded<T>(b: Browsing, fn: (page: Page) => Promise<T>, timeoutMs: number, onFail: (why: string) => T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<T>((resolve) => {
    timer = setTimeout(() => {
      b.broken = true;
      resolve(onFail(`page unresponsive after ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
  });
  const page = b.page;
  const run = fn(page).catch((e: unknown) => {
    b.broken = true;
    return onFail(`page: ${(e as Error).message.split('\n')[0]}`);
  });
  try {
    return await Promise.race([run, guard]);
  } finally {
    clearTimeout(timer);
  }
}

let nextId = 0;

async function openBrowser(b: Browsing, runtime: 'wasm' | 'webgpu', cfg: BenchConfig, timeoutS: number): Promise<Live> {
  if (b.broken) {
    await b.page.close().catch(() => undefined);
    b.page = await openPage(b.browser);
    b.broken = false;
  }
  const page = b.page;
  const id = `${cfg.model}-${cfg.ep}-${cfg.threads}-${nextId++}`;
  const result = await guarded(
    b,
    (p) => p.evaluate(([i, c, ms]) => (window as unknown as PageApi).benchOpen(i, c, ms), [id, cfg, timeoutS * 1000] as const),
    (timeoutS + 60) * 1000,
    (reason): BenchResult => ({ ok: false, reason }),
  );
  result.runMs = [];
  return {
    model: cfg.model,
    runtime,
    threads: result.threads ?? cfg.threads,
    result,
    async run(timeoutMs: number) {
      if (!result.ok) return;
      const r = await guarded(
        b,
        (p) =>
          p === page
            ? p.evaluate(([i, ms]) => (window as unknown as PageApi).benchRun(i, ms), [id, timeoutMs] as const)
            : Promise.resolve({ reason: 'page was replaced' }),
        timeoutMs + 60_000,
        (reason) => ({ reason }),
      );
      if (r.ms !== undefined) result.runMs!.push(r.ms);
      else {
        result.ok = false;
        result.reason = r.reason ?? 'failed';
        result.timedOut = /timed out|unresponsive/.test(result.reason);
      }
    },
    async close() {
      if (!page.isClosed()) await page.evaluate((i) => (window as unknown as PageApi).benchClose(i), id).catch(() => undefined);
    },
  };
}

function reasonOf(r: BenchResult): string {
  if (r.ok) return '';
  const why = (r.reason ?? 'failed').replace(/\|/g, '/').replace(/\s+/g, ' ').trim();
  const got = r.runMs?.length ? `; ${r.runMs.length} warm run(s) done` : r.firstRunMs !== undefined ? '; cold run done' : '';
  return `n/a: ${why.length > 160 ? `${why.slice(0, 157)}…` : why}${got}`;
}

function runtimeLabel(r: Row): string {
  if (r.runtime === 'native') return 'onnxruntime-node (CPU)';
  if (r.runtime === 'wasm') return 'browser WASM';
  return `browser WebGPU${r.result.adapter ? ` (${r.result.adapter})` : ''}`;
}

/** Ratio of warm medians (the verdict), with the ratio of warm minima (less sensitive to other jobs) in brackets. */
function ratioCell(num: BenchResult | undefined, den: BenchResult | undefined): { ratio: string; text: string; verdict: string } {
  const a = warmMedian(num);
  const b = warmMedian(den);
  if (a === undefined || b === undefined) return { ratio: 'n/a', text: 'n/a', verdict: 'n/a' };
  const q = `${(a / b).toFixed(2)}×`;
  const qMin = `${(warmMin(num)! / warmMin(den)!).toFixed(2)}×`;
  return { ratio: q, text: `${q} (min ${qMin})`, verdict: a / b <= TARGET ? 'met' : '**missed**' };
}

it('ONNX models: browser (WASM, WebGPU) vs onnxruntime-node', async () => {
  const only = process.env.ALGOBOX_ONNX_BENCH_MODELS?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const models = (['u2netp', 'sam_decoder', 'sam_encoder'] as const).filter((m) => !only || only.includes(m));
  const inputs = mkdtempSync(join(tmpdir(), 'algobox-onnx-inputs-'));
  const outDir = mkdtempSync(join(tmpdir(), 'algobox-onnx-dist-'));
  process.env.ALGOBOX_ONNX_BENCH_INPUTS = inputs;
  const load0 = loadavg()[0]!;
  const t0 = performance.now();
  let server: PreviewServer | undefined;
  let browser: Browser | undefined;
  const rows: Row[] = [];
  let chromiumVersion = 'unknown';
  try {
    log('computing the SAM embedding natively…');
    const embedding = await samEmbedding();
    writeFileSync(join(inputs, EMBEDDING_FILE), new Uint8Array(embedding.buffer, embedding.byteOffset, embedding.byteLength));

    const configFile = join(here, 'vite.config.ts');
    await build({ configFile, mode: 'production', logLevel: 'warn', build: { outDir } });
    server = await preview({ configFile, logLevel: 'warn', build: { outDir } });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--disable-quic', '--enable-unsafe-webgpu'] });
    chromiumVersion = browser.version();
    const b: Browsing = { browser, page: await openPage(browser), broken: false };
    const isolated = await b.page.evaluate(() => window.crossOriginIsolated);
    if (!isolated) throw new Error('the bench page is not cross-origin isolated (COOP/COEP headers missing)');

    for (const model of models) {
      const plan = PLANS[model];
      const coldLog = (l: Live) =>
        log(`${model} ${l.runtime} ${l.threads}t: create ${fmt(l.result.createMs)} ms, first run ${fmt(l.result.firstRunMs)} ms ${reasonOf(l.result)}`);
      const warmLog = (l: Live) =>
        log(`${model} ${l.runtime} ${l.threads}t: warm median ${fmt(warmMedian(l.result))} ms over ${l.result.runMs?.length ?? 0} runs ${reasonOf(l.result)}`);

      // Cold: one configuration at a time (native sessions, then a fresh worker per browser configuration).
      const lives: Live[] = [];
      for (const threads of [1, ALL]) lives.push(await openNative(model, threads, plan, embedding));
      for (const threads of [1, 0]) lives.push(await openBrowser(b, 'wasm', { model, ep: 'wasm', threads, warmup: plan.warmup }, plan.openTimeoutS));
      lives.forEach(coldLog);

      // Warm: round-robin, one timed run per configuration per round (starting one further each round),
      // so the machine's changing load (it is shared) hits every configuration alike.
      for (let round = 0; round < plan.runs; round++) {
        const active = lives.filter((l) => l.result.ok);
        for (let k = 0; k < active.length; k++) await active[(round + k) % active.length]!.run(plan.runTimeoutS * 1000);
      }
      for (const l of lives) {
        await l.close();
        warmLog(l);
        rows.push(l);
      }

      // WebGPU: alone, within one budget.
      const deadline = performance.now() + plan.gpuTimeoutS * 1000;
      const gpu = await openBrowser(b, 'webgpu', { model, ep: 'webgpu', threads: 0, warmup: plan.gpuWarmup }, plan.gpuTimeoutS);
      coldLog(gpu);
      for (let i = 0; i < plan.gpuRuns && gpu.result.ok; i++) {
        const left = deadline - performance.now();
        if (left <= 0) Object.assign(gpu.result, { ok: false, timedOut: true, reason: `timed out after ${plan.gpuTimeoutS} s` });
        else await gpu.run(left);
      }
      if (gpu.result.timedOut) gpu.result.reason = `timed out after ${plan.gpuTimeoutS} s`;
      await gpu.close();
      warmLog(gpu);
      rows.push(gpu);
    }
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.close().catch(() => undefined);
    rmSync(inputs, { recursive: true, force: true });
    rmSync(outDir, { recursive: true, force: true });
  }
  const minutes = (performance.now() - t0) / 60_000;
  const load1 = loadavg()[0]!;

  // Tables.
  const find = (m: ModelKey, rt: Runtime, threads: number) => rows.find((r) => r.model === m && r.runtime === rt && r.threads === threads)?.result;
  const detail = [
    '| model | runtime | threads | create ms | first run ms | warm median ms | warm min ms | runs | max abs Δ vs native | note |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const res = r.result;
    const ref = find(r.model, 'native', ALL);
    const delta = r.runtime === 'native' && r.threads === ALL ? '—' : fmt(maxAbsDiff(res.fingerprint, ref?.fingerprint), 5);
    const warmup = r.runtime === 'webgpu' ? PLANS[r.model].gpuWarmup : PLANS[r.model].warmup;
    const runs = res.runMs?.length ? `${warmup}+${res.runMs.length}` : 'n/a';
    detail.push(
      `| ${MODEL_LABELS[r.model]} | ${runtimeLabel(r)} | ${r.threads} | ${fmt(res.createMs)} | ${fmt(res.firstRunMs)} | ${fmt(warmMedian(res))} | ` +
        `${res.ok && res.runMs?.length ? fmt(Math.min(...res.runMs)) : 'n/a'} | ${runs} | ${delta} | ${reasonOf(res)} |`,
    );
  }
  const summary = [
    `| model | WASM / native, ${ALL} threads (warm) | target ≤ ${TARGET}× | WASM / native, 1 thread (warm) | target ≤ ${TARGET}× | WebGPU / native ${ALL} threads |`,
    '|---|---|---|---|---|---|',
  ];
  const verdicts: string[] = [];
  for (const m of models) {
    const all = ratioCell(find(m, 'wasm', ALL), find(m, 'native', ALL));
    const one = ratioCell(find(m, 'wasm', 1), find(m, 'native', 1));
    const gpu = ratioCell(find(m, 'webgpu', ALL), find(m, 'native', ALL));
    summary.push(`| ${MODEL_LABELS[m]} | ${all.text} | ${all.verdict} | ${one.text} | ${one.verdict} | ${gpu.text} |`);
    const plain = (v: string) => v.replace(/\*/g, '');
    verdicts.push(`${MODEL_LABELS[m]}: target ${plain(all.verdict)} with ${ALL} threads (${all.ratio}), ${plain(one.verdict)} with 1 thread (${one.ratio})`);
  }
  const pkg = (name: string) => (JSON.parse(readFileSync(join(repo, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  const date = new Date().toISOString().slice(0, 10);
  const md = [
    '## ONNX models: in-browser vs native',
    '',
    '`npm run bench:onnx` (bench/onnx: a Vite-built, cross-origin-isolated page driven by Playwright, and',
    'onnxruntime-node in the same process and run). Every browser row is a fresh module Web Worker, as the app',
    'runs models. **create** = `InferenceSession.create` from bytes already fetched (in the browser it includes',
    "instantiating ORT's wasm), **first run** = the first `run()` after it, **warm** = median and min of the",
    'timed runs after a warm-up. The timed runs of the four CPU configurations of a model are interleaved',
    'round-robin, so changes in the load of this shared machine hit them alike. WebGPU runs alone afterwards,',
    'with capped runs and a time budget. Same inputs everywhere: a synthetic bright disk on a textured',
    "background (320² for U²-Net-p, 1024² for SAM). The SAM decoder gets that image's embedding, computed once",
    'natively, one click at the disk centre plus the padding point, and orig_im_size 1024×1024 (so it also',
    'upsamples the masks to 1024²). `max abs Δ` compares 2048 evenly spaced values of the first output with',
    'onnxruntime-node on all cores. `graphOptimizationLevel: "all"` everywhere.',
    '',
    `Machine: ${machine()}. Chromium ${chromiumVersion} (headless), onnxruntime-web ${pkg('onnxruntime-web')},`,
    `onnxruntime-node ${pkg('onnxruntime-node')}. Load average ${load0.toFixed(2)} at the start, ${load1.toFixed(2)} at the end`,
    `(other jobs share the machine). Whole run ${minutes.toFixed(1)} min. Measured ${date}.`,
    '',
    ...detail,
    '',
    `Warm in-browser WASM vs native (target ≤ ${TARGET}×, judged on the ratio of medians; the ratio of minima,`,
    'which other jobs disturb less, in brackets):',
    '',
    ...summary,
    '',
    ...verdicts.map((v) => `- ${v}.`),
  ].join('\n');
  console.log(`\n${md}\n`);
  if (only) log('ALGOBOX_ONNX_BENCH_MODELS is set: docs/benchmarks.md left unchanged.');
  else writeSection('onnx', md);
});
