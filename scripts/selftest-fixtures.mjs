// Self-test files of the built-in model bundles, generated (not committed): a deterministic synthetic
// input, and the expected output computed with native onnxruntime-node using exactly the bundle's
// preprocessing. The inputs are chosen at the model's own size (320² for U²-Net-p, 1024² for the SAM
// encoder) so no resampling is involved and the preprocessing here is a few lines.
// A stamp file records what the files were made from; they are remade when it changes.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';

const VERSION = 1;

/** A small seeded generator (mulberry32) so the inputs are identical on every machine. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** NPY v1.0 bytes of a C-order array ('<f4' or '|u1'). */
export function npyBytes(descr, shape, data) {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  let header = dict;
  const pre = 10;
  const pad = 64 - ((pre + header.length + 1) % 64);
  header = header + ' '.repeat(pad === 64 ? 0 : pad) + '\n';
  const out = new Uint8Array(pre + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  for (let i = 0; i < header.length; i++) out[pre + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), pre + header.length);
  return out;
}

function stampOk(dir, stamp, files) {
  const p = join(dir, 'tests', 'stamp.json');
  if (!files.every((f) => existsSync(join(dir, f))) || !existsSync(p)) return false;
  return readFileSync(p, 'utf8') === JSON.stringify(stamp);
}

function writeStamp(dir, stamp) {
  writeFileSync(join(dir, 'tests', 'stamp.json'), JSON.stringify(stamp));
}

async function session(path) {
  const ort = await import('onnxruntime-node');
  return { ort, s: await ort.InferenceSession.create(path, { graphOptimizationLevel: 'all' }) };
}

/** 320×320 RGB: a red disk and a yellow rounded square on a textured, noisy blue-grey background. */
export function shapesImage() {
  const S = 320;
  const r = rng(5);
  const img = new Uint8Array(S * S * 3); // interleaved for the PNG
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const tex = 20 * Math.sin(x / 9) * Math.cos(y / 13);
      let c = [90 + tex + 20 * r(), 100 + tex + 20 * r(), 120 + tex + 20 * r()];
      const dx = x - 120;
      const dy = y - 150;
      if (dx * dx + dy * dy < 70 * 70) c = [220 + 20 * r(), 40 + 20 * r(), 40 + 20 * r()];
      if (Math.abs(x - 235) < 40 && Math.abs(y - 90) < 40) c = [230 + 15 * r(), 200 + 20 * r(), 50 + 20 * r()];
      for (let k = 0; k < 3; k++) img[(y * S + x) * 3 + k] = Math.max(0, Math.min(255, Math.round(c[k])));
    }
  }
  return { width: S, height: S, data: img };
}

async function salientSegmentation(dir) {
  const model = join(dir, 'files', 'u2netp.onnx');
  const stamp = { VERSION, model: readFileSync(model).length };
  const files = ['tests/shapes.png', 'tests/shapes_mask.npy'];
  if (stampOk(dir, stamp, files)) return null;
  mkdirSync(join(dir, 'tests'), { recursive: true });
  const { width: S, data } = shapesImage();
  writeFileSync(join(dir, files[0]), encodePng({ width: S, height: S, data, channels: 3, depth: 8 }));
  // The bundle's preprocessing at 320² (no resize): x / max (the uint8 image has min ≥ 0), ImageNet mean/std.
  let hi = 0;
  for (const v of data) hi = Math.max(hi, v);
  const mean = [0.485, 0.456, 0.406];
  const std = [0.229, 0.224, 0.225];
  const n = S * S;
  const x = new Float32Array(3 * n);
  for (let c = 0; c < 3; c++) for (let p = 0; p < n; p++) x[c * n + p] = (data[p * 3 + c] / hi - mean[c]) / std[c];
  const { ort, s } = await session(model);
  const out = await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', x, [1, 3, S, S]) }, [s.outputNames[0]]);
  const d = out[s.outputNames[0]].data;
  let lo = Infinity;
  let top = -Infinity;
  for (const v of d) {
    lo = Math.min(lo, v);
    top = Math.max(top, v);
  }
  const mask = new Uint8Array(n);
  // The bundle computes in float64: (d − lo)/(top − lo) > 0.5.
  for (let p = 0; p < n; p++) mask[p] = (d[p] - lo) / (top - lo) > 0.5 ? 1 : 0;
  writeFileSync(join(dir, files[1]), npyBytes('|u1', [S, S], mask));
  writeStamp(dir, stamp);
  await s.release();
  return files.join(', ');
}

/** 1024×1024 grayscale: bright disks and a square on a smooth gradient with low-amplitude texture. */
export function sceneImage() {
  const S = 1024;
  const img = new Uint8Array(S * S);
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      let v = 60 + (40 * (x + y)) / (2 * S) + 12 * Math.sin(x / 23) * Math.sin(y / 31);
      const d1 = (x - 350) ** 2 + (y - 420) ** 2;
      if (d1 < 160 ** 2) v = 200 + 10 * Math.sin(x / 7);
      const d2 = (x - 760) ** 2 + (y - 300) ** 2;
      if (d2 < 90 ** 2) v = 160;
      if (Math.abs(x - 700) < 110 && Math.abs(y - 770) < 80) v = 30;
      img[y * S + x] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  return { width: S, height: S, data: img };
}

async function samEmbedding(dir) {
  const model = join(dir, 'files', 'encoder.onnx');
  const stamp = { VERSION, model: readFileSync(model).length };
  const files = ['tests/scene.png', 'tests/scene_features.npy'];
  if (stampOk(dir, stamp, files)) return null;
  mkdirSync(join(dir, 'tests'), { recursive: true });
  const { width: S, data } = sceneImage();
  writeFileSync(join(dir, files[0]), encodePng({ width: S, height: S, data, channels: 1, depth: 8 }));
  // The bundle's preprocessing at 1024² (no resize, no padding): gray replicated, SAM mean/std.
  const mean = [123.675, 116.28, 103.53];
  const std = [58.395, 57.12, 57.375];
  const n = S * S;
  const x = new Float32Array(3 * n);
  for (let c = 0; c < 3; c++) for (let p = 0; p < n; p++) x[c * n + p] = (data[p] - mean[c]) / std[c];
  const { ort, s } = await session(model);
  const out = await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', x, [1, 3, S, S]) }, [s.outputNames[0]]);
  const f = out[s.outputNames[0]].data;
  writeFileSync(join(dir, files[1]), npyBytes('<f4', [256, 64, 64], f));
  writeStamp(dir, stamp);
  await s.release();
  return files.join(', ');
}

/** Bundle name → generator (returns a description of what it wrote, or null when up to date). */
export const FIXTURES = {
  salient_segmentation: salientSegmentation,
  sam_embedding: samEmbedding,
};
