// bench/kernels: each image kernel and scikit-image on the same inputs, in the same run.
// `npm run bench:kernels` → docs/benchmarks.md (section "kernels"). Sizes 512² and 2048², uint8 and float32.
import { it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { ndarray, type NDArray } from '../src/core/ndarray';
import { encodeNpy } from '../src/core/imageCodecs/index';
import * as filters from '../src/sdk/image/filters';
import * as restoration from '../src/sdk/image/restoration';
import * as registration from '../src/sdk/image/registration';
import * as morphology from '../src/sdk/image/morphology';
import { mulberry32 as rng } from '../src/core/sampleData';
import { machine, timeMs, writeSection } from './report';

/** Blobs on a background plus noise, in [0, 1]. */
function scene(n: number, seed: number, shift: [number, number] = [0, 0]): Float64Array {
  const r = rng(seed);
  const blobs = Array.from({ length: Math.round((n * n) / 4000) }, () => [r() * n, r() * n, 3 + r() * (n / 40)] as const);
  const out = new Float64Array(n * n);
  const noise = rng(seed + 1);
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) {
      let v = 0.2;
      for (const [cx, cy, rad] of blobs) {
        const dx = x - shift[1] - cx;
        const dy = y - shift[0] - cy;
        if (Math.abs(dx) < rad * 3 && Math.abs(dy) < rad * 3) v += 0.6 * Math.exp(-(dx * dx + dy * dy) / (2 * rad * rad));
      }
      out[y * n + x] = Math.min(1, Math.max(0, v + (noise() - 0.5) * 0.2));
    }
  return out;
}

function asDtype(f: Float64Array, n: number, dtype: 'uint8' | 'float32'): NDArray {
  if (dtype === 'float32') return ndarray('float32', [n, n], Float32Array.from(f));
  return ndarray(
    'uint8',
    [n, n],
    Uint8Array.from(f, (v) => Math.round(v * 255)),
  );
}

interface Case {
  id: string;
  kernel: string;
  label: string;
  size: number;
  dtype: string;
  inputs: string[];
  repeats: number;
  upsample?: number;
  target: number | null;
  js: () => unknown;
}

it('kernels vs scikit-image', () => {
  const dir = mkdtempSync(join(tmpdir(), 'algobox-bench-'));
  const cases: Case[] = [];
  const save = (name: string, a: NDArray) => {
    writeFileSync(join(dir, name), encodeNpy(a));
    return name;
  };
  for (const n of [512, 2048]) {
    const base = scene(n, 7);
    const moved = scene(n, 7, [5.3, -3.7]);
    const big = n === 2048;
    for (const dtype of ['uint8', 'float32'] as const) {
      const img = asDtype(base, n, dtype);
      const f = save(`img_${n}_${dtype}.npy`, img);
      for (const m of ['otsu', 'yen', 'li', 'minimum', 'mean', 'triangle', 'isodata'] as const) {
        cases.push({
          id: `${m}_${n}_${dtype}`,
          kernel: `threshold_${m}`,
          label: `threshold_${m} + mask`,
          size: n,
          dtype,
          inputs: [f],
          repeats: big ? 5 : 15,
          target: 0.5,
          js: () => filters.threshold(img, m),
        });
      }
      cases.push({
        id: `local_${n}_${dtype}`,
        kernel: 'threshold_local',
        label: 'threshold_local(block 35) + mask',
        size: n,
        dtype,
        inputs: [f],
        repeats: big ? 2 : 5,
        target: 0.5,
        js: () => filters.threshold(img, 'local', { blockSize: 35 }),
      });
      const f64 = ndarray('float32', [n, n], Float32Array.from(base));
      if (dtype === 'float32') {
        cases.push({
          id: `tv_${n}_float32`,
          kernel: 'denoise_tv_chambolle',
          label: 'denoise_tv_chambolle(weight 0.1)',
          size: n,
          dtype,
          inputs: [f],
          repeats: big ? 2 : 5,
          target: 1.0,
          js: () => restoration.denoiseTvChambolle(f64, { weight: 0.1 }),
        });
        const mv = ndarray('float32', [n, n], Float32Array.from(moved));
        const g = save(`moved_${n}.npy`, mv);
        for (const up of [1, 20]) {
          cases.push({
            id: `pcc${up}_${n}`,
            kernel: `phase_cross_correlation_${up}`,
            label: `phase_cross_correlation(upsample ${up})`,
            size: n,
            dtype,
            inputs: [f, g],
            repeats: big ? 3 : 10,
            upsample: up,
            target: 1.0,
            js: () => registration.phaseCrossCorrelation(f64, mv, { upsampleFactor: up }),
          });
        }
      } else {
        const mask = ndarray(
          'uint8',
          [n, n],
          Uint8Array.from(img.data as Uint8Array, (v) => (v > 110 ? 1 : 0)),
        );
        const mf = save(`mask_${n}.npy`, mask);
        cases.push({
          id: `rso_${n}`,
          kernel: 'remove_small_objects',
          label: 'remove_small_objects(64)',
          size: n,
          dtype: 'bool',
          inputs: [mf],
          repeats: big ? 3 : 10,
          target: null,
          js: () => morphology.removeSmallObjects(mask, 64),
        });
        cases.push({
          id: `fill_${n}`,
          kernel: 'binary_fill_holes',
          label: 'binary_fill_holes',
          size: n,
          dtype: 'bool',
          inputs: [mf],
          repeats: big ? 3 : 10,
          target: null,
          js: () => morphology.binaryFillHoles(mask),
        });
      }
    }
  }
  writeFileSync(join(dir, 'plan.json'), JSON.stringify({ cases: cases.map(({ js: _js, ...c }) => c) }));
  const js: Record<string, number> = {};
  for (const c of cases) js[c.id] = timeMs(c.js, c.repeats);
  const py = JSON.parse(execFileSync('/usr/bin/python3', [join(import.meta.dirname, 'skimage_kernels.py'), dir], { encoding: 'utf8', maxBuffer: 1 << 24 }));

  const rows = cases.map((c) => {
    const ratio = js[c.id]! / py.results[c.id];
    const verdict = c.target === null ? '—' : ratio <= c.target ? 'met' : '**missed**';
    return `| ${c.label} | ${c.size}² ${c.dtype} | ${js[c.id]!.toFixed(2)} | ${py.results[c.id].toFixed(2)} | ${ratio.toFixed(2)}× | ${c.target === null ? '—' : `≤ ${c.target}×`} | ${verdict} |`;
  });
  const md = `## Image kernels vs scikit-image

\`npm run bench:kernels\` (bench/kernels.bench.ts + bench/skimage_kernels.py). Same inputs (written as .npy), same run;
median of repeated runs after a warm-up. algobox in Node (same V8 as Chromium); scikit-image ${py.skimage}, numpy ${py.numpy}
under /usr/bin/python3. Machine: ${machine()}. Measured ${new Date().toISOString().slice(0, 10)}.

| kernel | input | algobox ms | skimage ms | ratio | target | |
|---|---|---|---|---|---|---|
${rows.join('\n')}
`;
  writeSection('kernels', md);
  console.log(md);
});
