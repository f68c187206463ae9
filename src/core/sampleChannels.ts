// A multichannel sample, as a microscope gives it (issue 14): 3 channels × 8 Z slices of 192² uint16
// (CZYX, 0.325 µm pixels, 1 µm apart in Z) — nuclei (DAPI, blue), the cytoplasm around them (GFP,
// green) and a few bright spots per cell (mCherry, magenta) on a dim, noisy background — with its axes
// metadata, so the composite viewer, the scale bar, the Z slider and per-channel runs work from the
// first start. Deterministic (seeded).
import { axisOf, type ImageAxes } from './imageAxes';
import { ndarray, type NDArray } from './ndarray';
import { gaussian, mulberry32 } from './prng';

export const CHANNEL_CELLS_AXES: ImageAxes = {
  axes: [axisOf('c'), axisOf('z', 'micrometer', 1), axisOf('y', 'micrometer', 0.325), axisOf('x', 'micrometer', 0.325)],
  channels: [
    { label: 'DAPI', color: '0000FF', window: null, active: true },
    { label: 'GFP', color: '00FF00', window: null, active: true },
    { label: 'mCherry', color: 'FF00FF', window: null, active: true },
  ],
};

interface Cell {
  x: number;
  y: number;
  z: number;
  r: number;
  spots: { x: number; y: number; z: number }[];
}

function placeCells(rand: () => number, n: number, size: number, depth: number): Cell[] {
  const cells: Cell[] = [];
  for (let tries = 0; cells.length < n && tries < 2000; tries++) {
    const r = 9 + 6 * rand();
    const x = 2 * r + (size - 4 * r) * rand();
    const y = 2 * r + (size - 4 * r) * rand();
    if (cells.some((c) => Math.hypot(c.x - x, c.y - y) < 1.9 * (c.r + r))) continue;
    const z = 2 + (depth - 4) * rand();
    const spots = Array.from({ length: 3 + Math.floor(3 * rand()) }, () => {
      const a = 2 * Math.PI * rand();
      const d = r * (1.1 + 0.6 * rand());
      return { x: x + d * Math.cos(a), y: y + d * Math.sin(a), z: z + 2 * (rand() - 0.5) };
    });
    cells.push({ x, y, z, r, spots });
  }
  return cells;
}

/** Adds `f(x, y, z)` over the box around (cx, cy, cz) of half-sides `rxy` (pixels) and `rz` (slices). */
function splat(
  acc: Float32Array,
  size: number,
  depth: number,
  c: { x: number; y: number; z: number },
  rxy: number,
  rz: number,
  f: (dx: number, dy: number, dz: number) => number,
): void {
  const plane = size * size;
  const [x0, x1] = [Math.max(0, Math.floor(c.x - rxy)), Math.min(size - 1, Math.ceil(c.x + rxy))];
  const [y0, y1] = [Math.max(0, Math.floor(c.y - rxy)), Math.min(size - 1, Math.ceil(c.y + rxy))];
  const [z0, z1] = [Math.max(0, Math.floor(c.z - rz)), Math.min(depth - 1, Math.ceil(c.z + rz))];
  for (let z = z0; z <= z1; z++)
    for (let y = y0; y <= y1; y++) {
      const row = z * plane + y * size;
      for (let x = x0; x <= x1; x++) acc[row + x] = acc[row + x]! + f(x - c.x, y - c.y, z - c.z);
    }
}

/** The CZYX uint16 image and its axes. */
export function makeChannelCells(seed: number, size = 192, depth = 8): { image: NDArray<'uint16'>; axes: ImageAxes; cells: number } {
  const rand = mulberry32(seed);
  const noise = gaussian(rand);
  const cells = placeCells(rand, 14, size, depth);
  const n = depth * size * size;
  const [dapi, gfp, spots] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  // 1 µm slices vs 0.325 µm pixels: distances along Z count 3 pixels a slice, so a round nucleus spans ~3 slices.
  for (const c of cells) {
    const radius = (dx: number, dy: number, dz: number) => Math.sqrt(dx * dx + dy * dy + 9 * dz * dz) / c.r;
    splat(dapi, size, depth, c, 3 * c.r, c.r, (dx, dy, dz) => 2600 / (1 + Math.exp((radius(dx, dy, dz) - 1) * 8)));
    splat(
      gfp,
      size,
      depth,
      c,
      3 * c.r,
      c.r,
      (dx, dy, dz) => 900 * Math.exp(-((radius(dx, dy, dz) - 1.6) ** 2) * 2) * (0.8 + 0.2 * Math.sin(0.3 * (c.x + dx) + 0.2 * (c.y + dy))),
    );
    for (const s of c.spots) splat(spots, size, depth, s, 5, 2, (dx, dy, dz) => 3000 * Math.exp(-(dx * dx + dy * dy + 9 * dz * dz) / 3));
  }
  const image = ndarray('uint16', [3, depth, size, size]);
  const d = image.data;
  for (let i = 0; i < n; i++) {
    d[i] = Math.max(0, Math.round(120 + dapi[i]! + 25 * noise()));
    d[n + i] = Math.max(0, Math.round(150 + gfp[i]! + 30 * noise()));
    d[2 * n + i] = Math.max(0, Math.round(100 + spots[i]! + 20 * noise()));
  }
  return { image, axes: CHANNEL_CELLS_AXES, cells: cells.length };
}
