// Sample data for a first start: synthetic images with known answers (ground-truth masks, a known
// sub-pixel shift), so every algorithm type has something to run on and some results can be checked.
// Pure and deterministic (seeded PRNG), no DOM.
import { ndarray, type NDArray } from './ndarray';
import { gaussian, mulberry32 } from './prng';
import { makeChannelCells } from './sampleChannels';
import type { ImageAxes } from './imageAxes';

export { mulberry32 } from './prng';

export type SampleSchema = 'Image' | 'Segmentation' | 'Volume';

export interface SampleDataset {
  /** Unique among the samples (stacks refer to datasets by name). */
  name: string;
  fields: Record<string, NDArray>;
  /** Null: an image no built-in schema describes (a multichannel Z stack). */
  schema: SampleSchema | null;
  extra: Record<string, unknown>;
  /** What the axes of its arrays mean (names, units, physical sizes, channels), by field. */
  axes?: Record<string, ImageAxes>;
}

export interface SampleStack {
  name: string;
  /** Dataset names in stack order. */
  datasetNames: string[];
  extra: Record<string, unknown>;
}

export interface Samples {
  datasets: SampleDataset[];
  stacks: SampleStack[];
}

/**
 * The shift of the "shifted pair": the second image's content at (x, y) equals the first's at
 * (x − dx, y − dy), x along columns and y along rows (so the content moves right by dx and, dy being
 * negative, up by 3.7 rows).
 */
export const SAMPLE_TRUE_SHIFT = { dx: 6.4, dy: -3.7 } as const;

export const SHIFT_CONVENTION =
  'second(x, y) = first(x - dx, y - dy); x = column, y = row (pixels); positive dx moves the content right, positive dy moves it down.';

// ───────────────────────────── random numbers ─────────────────────────────

const uniform = (rand: () => number, lo: number, hi: number): number => lo + (hi - lo) * rand();

// ───────────────────────────── cells ─────────────────────────────

export interface Blob2D {
  x: number;
  y: number;
  radius: number;
}

/**
 * A fluorescence-like image: `count` bright gaussian blobs (radius 5–12 px, not touching) on a dim,
 * uneven background with shot (Poisson-like) and read noise; uint16 H×W. `mask` (uint8 0/1) marks
 * the pixels within each blob's radius of its centre.
 */
export function makeCells(seed: number, size = 256, count = 25): { image: NDArray<'uint16'>; mask: NDArray<'uint8'>; blobs: Blob2D[] } {
  const rand = mulberry32(seed);
  const gauss = gaussian(rand);
  const N = size;
  const blobs: (Blob2D & { amp: number })[] = [];
  for (let tries = 0; blobs.length < count && tries < 20000; tries++) {
    const radius = uniform(rand, 5, 12);
    const x = uniform(rand, radius + 2, N - radius - 3);
    const y = uniform(rand, radius + 2, N - radius - 3);
    if (blobs.every((b) => Math.hypot(b.x - x, b.y - y) >= b.radius + radius + 3)) {
      blobs.push({ x, y, radius, amp: uniform(rand, 1500, 3500) });
    }
  }
  const signal = new Float64Array(N * N);
  // Background: a gentle ramp and a low-frequency wave.
  const p1 = rand() * 2 * Math.PI;
  const p2 = rand() * 2 * Math.PI;
  for (let y = 0; y < N; y++) {
    const wy = Math.cos((2 * Math.PI * 0.6 * y) / N + p2);
    for (let x = 0; x < N; x++) {
      signal[y * N + x] = 300 + (200 * (x + y)) / (2 * N) + 80 * Math.cos((2 * Math.PI * 0.8 * x) / N + p1) * wy;
    }
  }
  const mask = new Uint8Array(N * N);
  for (const b of blobs) {
    const sigma = 0.6 * b.radius;
    const reach = Math.ceil(3 * sigma) + 1;
    const x0 = Math.max(0, Math.floor(b.x - reach));
    const x1 = Math.min(N - 1, Math.ceil(b.x + reach));
    const y0 = Math.max(0, Math.floor(b.y - reach));
    const y1 = Math.min(N - 1, Math.ceil(b.y + reach));
    const r2 = b.radius * b.radius;
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const d2 = (x - b.x) ** 2 + (y - b.y) ** 2;
        signal[y * N + x]! += b.amp * Math.exp(-d2 / (2 * sigma * sigma));
        if (d2 <= r2) mask[y * N + x] = 1;
      }
    }
  }
  const image = new Uint16Array(N * N);
  for (let i = 0; i < N * N; i++) {
    const s = signal[i]!;
    const v = s + Math.sqrt(s) * gauss() + 8 * gauss();
    image[i] = v <= 0 ? 0 : v >= 65535 ? 65535 : Math.round(v);
  }
  return {
    image: ndarray('uint16', [N, N], image),
    mask: ndarray('uint8', [N, N], mask),
    blobs: blobs.map(({ x, y, radius }) => ({ x, y, radius })),
  };
}

// ───────────────────────────── shifted pair ─────────────────────────────

/**
 * Two float32 images in [0, 1] of one smooth periodic texture (a sum of low-frequency cosines with
 * integer frequencies on the size×size torus), the second evaluated at (x − dx, y − dy): the shift is
 * exact, with no interpolation involved. Both use the same linear scaling to [0, 1].
 */
export function makeShiftedPair(
  seed: number,
  dx: number = SAMPLE_TRUE_SHIFT.dx,
  dy: number = SAMPLE_TRUE_SHIFT.dy,
  size = 256,
): { first: NDArray<'float32'>; second: NDArray<'float32'> } {
  const rand = mulberry32(seed);
  const gauss = gaussian(rand);
  const N = size;
  const comps: { u: number; v: number; a: number; phi: number }[] = [];
  const F = 10;
  for (let v = 0; v <= F; v++) {
    for (let u = -F; u <= F; u++) {
      if ((v === 0 && u <= 0) || u * u + v * v > F * F) continue; // half-plane, (0, 0) excluded
      if (rand() > 0.45) continue;
      comps.push({ u, v, a: gauss() / (1 + (u * u + v * v) / 9), phi: rand() * 2 * Math.PI });
    }
  }
  const render = (sx: number, sy: number): Float64Array => {
    const out = new Float64Array(N * N);
    const cx = new Float64Array(N);
    const snx = new Float64Array(N);
    const cy = new Float64Array(N);
    const sny = new Float64Array(N);
    for (const { u, v, a, phi } of comps) {
      // cos(α + β) = cos α cos β − sin α sin β, α = 2πu(x − sx)/N + φ, β = 2πv(y − sy)/N.
      for (let x = 0; x < N; x++) {
        const al = (2 * Math.PI * u * (x - sx)) / N + phi;
        cx[x] = a * Math.cos(al);
        snx[x] = a * Math.sin(al);
      }
      for (let y = 0; y < N; y++) {
        const be = (2 * Math.PI * v * (y - sy)) / N;
        cy[y] = Math.cos(be);
        sny[y] = Math.sin(be);
      }
      for (let y = 0; y < N; y++) {
        const c = cy[y]!;
        const s = sny[y]!;
        const row = y * N;
        for (let x = 0; x < N; x++) out[row + x]! += cx[x]! * c - snx[x]! * s;
      }
    }
    return out;
  };
  const a = render(0, 0);
  const b = render(dx, dy);
  let lo = Infinity;
  let hi = -Infinity;
  for (const arr of [a, b]) {
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  const scale = hi > lo ? 1 / (hi - lo) : 0;
  const toF32 = (arr: Float64Array): NDArray<'float32'> => {
    const out = new Float32Array(arr.length);
    for (let i = 0; i < arr.length; i++) out[i] = Math.min(1, Math.max(0, (arr[i]! - lo) * scale));
    return ndarray('float32', [N, N], out);
  };
  return { first: toF32(a), second: toF32(b) };
}

// ───────────────────────────── 3-D spheres ─────────────────────────────

export interface Sphere {
  x: number;
  y: number;
  z: number;
  radius: number;
}

/** A depth×size×size uint8 volume of spheres of different sizes and brightness (soft edges) with noise, as slices. */
export function makeSpheres(seed: number, depth = 16, size = 128): { slices: NDArray<'uint8'>[]; spheres: Sphere[] } {
  const rand = mulberry32(seed);
  const gauss = gaussian(rand);
  const spheres: (Sphere & { level: number })[] = [];
  const radii = [3, 4, 5, 6, 7, 8, 9];
  for (let tries = 0; spheres.length < radii.length && tries < 20000; tries++) {
    const radius = radii[spheres.length]!;
    const x = uniform(rand, radius + 2, size - radius - 3);
    const y = uniform(rand, radius + 2, size - radius - 3);
    const z = uniform(rand, 2, depth - 3);
    if (spheres.every((s) => Math.hypot(s.x - x, s.y - y, s.z - z) >= s.radius + radius + 2)) {
      spheres.push({ x, y, z, radius, level: uniform(rand, 140, 220) });
    }
  }
  const slices: NDArray<'uint8'>[] = [];
  const clean = new Float64Array(size * size);
  for (let z = 0; z < depth; z++) {
    clean.fill(25);
    for (const s of spheres) {
      const dz2 = (z - s.z) ** 2;
      const reach = s.radius + 0.5;
      if (dz2 > reach * reach) continue;
      const x0 = Math.max(0, Math.floor(s.x - reach));
      const x1 = Math.min(size - 1, Math.ceil(s.x + reach));
      const y0 = Math.max(0, Math.floor(s.y - reach));
      const y1 = Math.min(size - 1, Math.ceil(s.y + reach));
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++) {
          const d = Math.sqrt((x - s.x) ** 2 + (y - s.y) ** 2 + dz2);
          const cover = Math.min(1, Math.max(0, s.radius - d + 0.5)); // partial volume at the edge
          const v = 25 + (s.level - 25) * cover;
          if (v > clean[y * size + x]!) clean[y * size + x] = v;
        }
      }
    }
    const data = new Uint8Array(size * size);
    for (let i = 0; i < data.length; i++) {
      const v = clean[i]! + 10 * gauss();
      data[i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
    }
    slices.push(ndarray('uint8', [size, size], data));
  }
  return { slices, spheres: spheres.map(({ x, y, z, radius }) => ({ x, y, z, radius })) };
}

/**
 * Intensity factor of the spheres volume over the uint8 slices: background 25 ± 10 → 200 ± 80, spheres
 * 140–220 → 1120–1760, so the toolchain's fixed threshold (700, six noise sigmas) separates them.
 */
export const SPHERES_VOLUME_SCALE = 8;

/** The uint8 slices stacked into one uint16 [Z, Y, X] volume, scaled by SPHERES_VOLUME_SCALE. */
function spheresVolume(slices: readonly NDArray<'uint8'>[]): NDArray<'uint16'> {
  const [h, w] = slices[0]!.shape as [number, number];
  const data = new Uint16Array(slices.length * h * w);
  slices.forEach((s, z) => {
    const d = s.data as Uint8Array;
    for (let i = 0; i < d.length; i++) data[z * h * w + i] = d[i]! * SPHERES_VOLUME_SCALE;
  });
  return ndarray('uint16', [slices.length, h, w], data);
}

// ───────────────────────────── RGB shapes ─────────────────────────────

/**
 * A 3×size×size uint8 RGB image: a red disk and a yellow square on a noisy, textured greenish-grey
 * background (a salient-object test input), and its ground truth (uint8 0/1: 1 on either shape).
 */
export function makeRgbShapes(seed: number, size = 256): { image: NDArray<'uint8'>; mask: NDArray<'uint8'> } {
  const rand = mulberry32(seed);
  const gauss = gaussian(rand);
  const N = size;
  const m = N * N;
  const disk = { x: 0.33 * N, y: 0.37 * N, r: 0.165 * N };
  const square = { x0: Math.round(0.58 * N), y0: Math.round(0.55 * N), side: Math.round(0.27 * N) };
  const base = [95, 112, 84];
  const diskColour = [215, 55, 45];
  const squareColour = [235, 205, 60];
  const phases = Array.from({ length: 6 }, () => rand() * 2 * Math.PI);
  const img = new Uint8Array(3 * m);
  const mask = new Uint8Array(m);
  // Background texture: a few low-frequency waves (separable tables), a little different per channel.
  const w = (2 * Math.PI) / N;
  const sx3 = Float64Array.from({ length: N }, (_, x) => 18 * Math.sin(3 * w * x + phases[0]!));
  const cy2 = Float64Array.from({ length: N }, (_, y) => Math.cos(2 * w * y + phases[1]!));
  const s7x = Float64Array.from({ length: N }, (_, x) => Math.sin(7 * w * x + phases[2]!));
  const c7x = Float64Array.from({ length: N }, (_, x) => Math.cos(7 * w * x + phases[2]!));
  const s7y = Float64Array.from({ length: N }, (_, y) => Math.sin(7 * w * y));
  const c7y = Float64Array.from({ length: N }, (_, y) => Math.cos(7 * w * y));
  const rowWave = [0, 1, 2].map((c) => Float64Array.from({ length: N }, (_, y) => 6 * Math.sin(5 * w * y + phases[3 + c]!)));
  for (let y = 0; y < N; y++) {
    for (let x = 0; x < N; x++) {
      const i = y * N + x;
      const inDisk = (x - disk.x) ** 2 + (y - disk.y) ** 2 <= disk.r * disk.r;
      const inSquare = x >= square.x0 && x < square.x0 + square.side && y >= square.y0 && y < square.y0 + square.side;
      mask[i] = inDisk || inSquare ? 1 : 0;
      // 18 sin(3wx + φ0) cos(2wy + φ1) + 12 sin(7w(x + y) + φ2)
      const tex = sx3[x]! * cy2[y]! + 12 * (s7x[x]! * c7y[y]! + c7x[x]! * s7y[y]!);
      for (let c = 0; c < 3; c++) {
        let v: number;
        if (inDisk) v = diskColour[c]! + 8 * gauss();
        else if (inSquare) v = squareColour[c]! + 8 * gauss();
        else v = base[c]! + tex * (1 - 0.25 * c) + rowWave[c]![y]! + 14 * gauss();
        img[c * m + i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
      }
    }
  }
  return { image: ndarray('uint8', [3, N, N], img), mask: ndarray('uint8', [N, N], mask) };
}

// ───────────────────────────── the sample set ─────────────────────────────

/**
 * Every sample dataset and stack (30 datasets, 4 stacks), the same bytes on every call:
 * - "cells" and "cells 2" (256×256 uint16, ~25 gaussian blobs) with masks "… (ground truth)"
 *   (uint8 0/1, Segmentation);
 * - stacks "cells (3 images)" and "cells ground truth (3 masks)" (three more cells images and their masks);
 * - stack "shifted pair": two 256×256 float32 images, the second shifted by SAMPLE_TRUE_SHIFT
 *   (extra.trueShift, extra.convention);
 * - stack "spheres 3-D (16 slices)": 16 slices of 128×128 uint8;
 * - "rgb shapes" (3×256×256 uint8) with "rgb shapes (ground truth)".
 */
export function makeSamples(): Samples {
  const datasets: SampleDataset[] = [];
  const stacks: SampleStack[] = [];
  const cellsPair = (name: string, seed: number, extra: Record<string, unknown> = {}) => {
    const c = makeCells(seed);
    const gt = `${name} (ground truth)`;
    datasets.push({ name, fields: { image: c.image }, schema: 'Image', extra: { sample: 'cells', seed, groundTruth: gt, ...extra } });
    return {
      gt,
      dataset: { name: gt, fields: { mask: c.mask }, schema: 'Segmentation' as const, extra: { sample: 'cells', seed, groundTruthOf: name, ...extra } },
    };
  };
  datasets.push(cellsPair('cells', 1).dataset);
  datasets.push(cellsPair('cells 2', 2).dataset);

  const images: string[] = [];
  const masks: SampleDataset[] = [];
  for (let k = 0; k < 3; k++) {
    const name = `cells stack ${k + 1}/3`;
    const { dataset } = cellsPair(name, 11 + k, { slice: k });
    images.push(name);
    masks.push(dataset);
  }
  datasets.push(...masks);
  stacks.push({ name: 'cells (3 images)', datasetNames: images, extra: { sample: 'cells', groundTruthStack: 'cells ground truth (3 masks)' } });
  stacks.push({ name: 'cells ground truth (3 masks)', datasetNames: masks.map((d) => d.name), extra: { sample: 'cells', groundTruthOf: 'cells (3 images)' } });

  const { dx, dy } = SAMPLE_TRUE_SHIFT;
  const pair = makeShiftedPair(7);
  const shiftExtra = { sample: 'shifted pair', trueShift: { dx, dy }, convention: SHIFT_CONVENTION };
  datasets.push({ name: 'shifted pair (reference)', fields: { image: pair.first }, schema: 'Image', extra: { ...shiftExtra, role: 'reference' } });
  datasets.push({ name: 'shifted pair (moved)', fields: { image: pair.second }, schema: 'Image', extra: { ...shiftExtra, role: 'moved' } });
  stacks.push({ name: 'shifted pair', datasetNames: ['shifted pair (reference)', 'shifted pair (moved)'], extra: shiftExtra });

  const vol = makeSpheres(5);
  const sliceNames = vol.slices.map((slice, z) => {
    const name = `spheres 3-D ${z + 1}/${vol.slices.length}`;
    datasets.push({ name, fields: { image: slice }, schema: 'Image', extra: { sample: 'spheres', slice: z, slices: vol.slices.length } });
    return name;
  });
  stacks.push({ name: 'spheres 3-D (16 slices)', datasetNames: sliceNames, extra: { sample: 'spheres', spheres: vol.spheres } });
  // The same spheres as ONE Volume ([Z, Y, X] uint16, stored one chunk per slice): the volume viewer, the
  // out-of-core runs and the "Volume threshold (block by block)" toolchain work on it from the first start.
  datasets.push({
    name: 'spheres volume',
    fields: { volume: spheresVolume(vol.slices) },
    schema: 'Volume',
    extra: { sample: 'spheres', spheres: vol.spheres, scale: SPHERES_VOLUME_SCALE },
  });

  const rgb = makeRgbShapes(3);
  datasets.push({
    name: 'rgb shapes',
    fields: { image: rgb.image },
    schema: 'Image',
    extra: { sample: 'rgb shapes', groundTruth: 'rgb shapes (ground truth)' },
  });
  datasets.push({
    name: 'rgb shapes (ground truth)',
    fields: { mask: rgb.mask },
    schema: 'Segmentation',
    extra: { sample: 'rgb shapes', groundTruthOf: 'rgb shapes' },
  });

  // A multichannel Z stack with physical sizes (CZYX, as an OME-TIFF gives it): the composite viewer,
  // the scale bar and per-channel runs (threshold one channel, denoise per channel) from the first start.
  const ch = makeChannelCells(5);
  datasets.push({
    name: 'cells 3 channels (CZYX)',
    fields: { image: ch.image },
    schema: null,
    extra: { sample: 'cells 3 channels', cells: ch.cells },
    axes: { image: ch.axes },
  });
  return { datasets, stacks };
}
