// bench/measure: measure.label + measure.regionpropsTable vs skimage.measure.label + regionprops_table on
// the same 2048² mask of ~1,000 random discs (and an intensity image), in the same run.
// `npm run bench:measure` → docs/benchmarks.md (section "measure"). Target: ≤ 1.0× skimage.
import { it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { ndarray, type NDArray } from '../src/core/ndarray';
import { encodeNpy } from '../src/core/imageCodecs/index';
import { label, regionpropsTable } from '../src/sdk/image/measure';
import { mulberry32 as rng } from '../src/core/sampleData';
import { machine, writeSection } from './report';

const N = 2048;
const DISCS = 1150;
const REPEATS = 10;
const PROPERTIES = [
  'label',
  'area',
  'bbox',
  'centroid',
  'weighted_centroid',
  'orientation',
  'major_axis_length',
  'minor_axis_length',
  'eccentricity',
  'perimeter',
  'equivalent_diameter',
  'extent',
  'solidity',
  'euler_number',
  'intensity_mean',
  'intensity_min',
  'intensity_max',
];

/** 1,150 random discs (radius 3–18; overlapping ones merge: ~1,000 objects) as a uint8 0/1 mask, and an intensity image. */
function scene(): { mask: NDArray<'uint8'>; intensity: NDArray<'uint8'> } {
  const r = rng(2026);
  const mask = new Uint8Array(N * N);
  for (let d = 0; d < DISCS; d++) {
    const cy = r() * N;
    const cx = r() * N;
    const rad = 3 + r() * 15;
    for (let y = Math.max(0, Math.floor(cy - rad)); y <= Math.min(N - 1, Math.ceil(cy + rad)); y++) {
      for (let x = Math.max(0, Math.floor(cx - rad)); x <= Math.min(N - 1, Math.ceil(cx + rad)); x++) {
        if ((y - cy) ** 2 + (x - cx) ** 2 <= rad * rad) mask[y * N + x] = 1;
      }
    }
  }
  const noise = rng(7);
  const intensity = Uint8Array.from(mask, (m) => (m ? 120 : 20) + Math.floor(noise() * 100));
  return { mask: ndarray('uint8', [N, N], mask), intensity: ndarray('uint8', [N, N], intensity) };
}

/** Best of `repeats` runs after a warm-up, in ms: the least disturbed by other load on a shared machine (skimage's side does the same). */
function bestMs(fn: () => unknown, repeats: number): number {
  fn();
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

it('measure vs scikit-image', () => {
  const load0 = loadavg();
  const dir = mkdtempSync(join(tmpdir(), 'algobox-bench-measure-'));
  const { mask, intensity } = scene();
  writeFileSync(join(dir, 'mask.npy'), encodeNpy(mask));
  writeFileSync(join(dir, 'intensity.npy'), encodeNpy(intensity));
  writeFileSync(join(dir, 'plan.json'), JSON.stringify({ properties: PROPERTIES, repeats: REPEATS }));
  const labelled = label(mask);
  const js = {
    label: bestMs(() => label(mask), REPEATS),
    regionprops: bestMs(() => regionpropsTable(labelled.labels, { intensity, properties: PROPERTIES }), REPEATS),
    both: bestMs(() => regionpropsTable(label(mask).labels, { intensity, properties: PROPERTIES }), REPEATS),
  };
  const py = JSON.parse(execFileSync('/usr/bin/python3', [join(import.meta.dirname, 'skimage_measure.py'), dir], { encoding: 'utf8', maxBuffer: 1 << 24 })) as {
    skimage: string;
    numpy: string;
    count: number;
    results: Record<keyof typeof js, number>;
  };
  if (py.count !== labelled.count) throw new Error(`bench:measure: skimage found ${py.count} objects, measure.label ${labelled.count}.`);
  const load1 = loadavg();
  const loads = (l: number[]) => l.map((v) => v.toFixed(2)).join(' / ');
  const rows = (Object.keys(js) as (keyof typeof js)[]).map((k) => {
    const ratio = js[k] / py.results[k];
    const what = {
      label: 'label (connectivity 2)',
      regionprops: `regionprops_table (${PROPERTIES.length} properties, intensity)`,
      both: 'label + regionprops_table',
    }[k];
    return `| ${what} | ${js[k].toFixed(1)} | ${py.results[k].toFixed(1)} | ${ratio.toFixed(2)}× | ≤ 1.0× | ${ratio <= 1 ? 'met' : '**missed**'} |`;
  });
  const md = `## measure vs scikit-image

\`npm run bench:measure\` (bench/measure.bench.ts + bench/skimage_measure.py). A ${N}² uint8 mask of ${DISCS} random discs
(${labelled.count} objects after merging) and a uint8 intensity image; properties: ${PROPERTIES.join(', ')}. Best of ${REPEATS}
runs after a warm-up (both sides; the machine is shared); scikit-image ${py.skimage}, numpy ${py.numpy} under /usr/bin/python3. Machine: ${machine()}; load average ${loads(load0)} at the start,
${loads(load1)} at the end. Measured ${new Date().toISOString().slice(0, 10)}.

| step | algobox ms | skimage ms | ratio | target | |
|---|---|---|---|---|---|
${rows.join('\n')}
`;
  writeSection('measure', md);
  console.log(md);
});
