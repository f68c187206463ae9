// The built-in PCA block (src/blocks/pca.block.js, the seed's PCA) run through the executor, against a
// known answer; its Gram-matrix method (fewer images than pixels) against the seed's covariance
// method (tests/fixtures/beat/pca/algorithm.ts, the reference kept as a fixture).
import { describe, expect, it } from 'vitest';
import { executeBlock, type DataStream } from '../../src/core/beat';
import { ndarray, type NDArray } from '../../src/core/ndarray';
import declaration from '../../src/blocks/pca.json';
import { Algorithm, pca, symmetricEigen } from '../../src/blocks/pca.block.js';
import seedDeclaration from '../fixtures/beat/pca/declaration.json';
import { Algorithm as SeedAlgorithm, pca as seedPca } from '../fixtures/beat/pca/algorithm';
import { registry } from '../fixtures/beat/helpers';

const dataFormats = registry();

/** Images 2×2 = mean 100 ± 3·[1,1,1,1] ± 1·[1,-1,1,-1]: deviations ±6u ± 2v with u = ½[1,1,1,1], v = ½[1,-1,1,-1]. */
const IMAGES = [
  [104, 102, 104, 102],
  [102, 104, 102, 104],
  [98, 96, 98, 96],
  [96, 98, 96, 98],
];
const images: DataStream = IMAGES.map((px, i) => ({ data: { value: ndarray('uint8', [2, 2], px) }, start: i, end: i }));

function closeTo(actual: ArrayLike<number>, expected: readonly number[], digits = 9): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((x, i) => expect(actual[i]).toBeCloseTo(x, digits));
}

describe('PCA block', () => {
  it('recovers the known principal subspace (eigenvalues 48 and 16/3)', async () => {
    const run = await executeBlock({
      declaration,
      algorithm: Algorithm,
      dataFormats,
      name: 'tutorial/pca/1',
      parameters: { 'number-of-components': 2 },
      inputs: { image: images },
    });
    expect(run.error).toBeNull();
    expect(run.processCalls).toBe(4);
    const units = run.outputs.subspace!;
    // Written once, on the last image: one unit covering every index.
    expect(units.map((u) => [u.start, u.end])).toEqual([[0, 3]]);
    const m = units[0]!.data as Record<string, NDArray>;
    expect(m.input_subtract).toEqual(ndarray('float64', [4], [100, 100, 100, 100]));
    expect(m.input_divide).toEqual(ndarray('float64', [4], [1, 1, 1, 1]));
    expect(m.biases).toEqual(ndarray('float64', [2], [0, 0]));
    expect([m.weights!.dtype, m.weights!.shape]).toEqual(['float64', [4, 2]]);
    // Columns u and v, row-major [d][k].
    closeTo(m.weights!.data, [0.5, 0.5, 0.5, -0.5, 0.5, 0.5, 0.5, -0.5]);
    // Projections of the images: (±6, ±2).
    const project = (px: number[]): number[] => [0, 1].map((k) => px.reduce((acc, x, d) => acc + ((x - 100) / 1) * m.weights!.data[d * 2 + k]!, 0));
    closeTo(IMAGES.flatMap(project), [6, 2, 6, -2, -6, 2, -6, -2]);
    closeTo(pca(IMAGES, 4).eigenvalues, [48, 16 / 3, 0, 0]);
  });

  it('one component', async () => {
    const run = await executeBlock({ declaration, algorithm: Algorithm, dataFormats, parameters: { 'number-of-components': 1 }, inputs: { image: images } });
    const m = run.outputs.subspace![0]!.data as Record<string, NDArray>;
    expect(m.weights!.shape).toEqual([4, 1]);
    closeTo(m.weights!.data, [0.5, 0.5, 0.5, 0.5]);
  });

  it('the eigen-decomposition is exact on a general symmetric matrix', () => {
    const n = 5;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = Math.sin(i * 7 + j * 3) * 10 + (i === j ? 20 : 0);
    const { values, vectors } = symmetricEigen(a, n);
    for (let c = 0; c < n; c++) {
      for (let r = 0; r < n; r++) {
        let av = 0;
        for (let k = 0; k < n; k++) av += a[r * n + k]! * vectors[k * n + c]!;
        expect(av).toBeCloseTo(values[c]! * vectors[r * n + c]!, 9);
      }
      for (let c2 = 0; c2 < n; c2++) {
        let dot = 0;
        for (let k = 0; k < n; k++) dot += vectors[k * n + c]! * vectors[k * n + c2]!;
        expect(dot).toBeCloseTo(c === c2 ? 1 : 0, 9);
      }
    }
    let trace = 0;
    for (let i = 0; i < n; i++) trace += a[i * n + i]!;
    expect(values.reduce((s, x) => s + x, 0)).toBeCloseTo(trace, 9);
  });

  it("the seed's default (5 components) does not fit 2×2 images; invalid parameters are refused", async () => {
    const run = await executeBlock({ declaration, algorithm: Algorithm, dataFormats, inputs: { image: images } });
    expect(run.error).toEqual({
      code: 'E_USER',
      stage: 'process',
      details: [],
      message: 'number-of-components must be between 1 and the number of pixels (4), got 5',
    });
    const bad = await executeBlock({
      declaration,
      algorithm: Algorithm,
      dataFormats,
      name: 'tutorial/pca/1',
      parameters: { 'number-of-components': -1 },
      inputs: { image: images },
    });
    expect(bad.error!.message).toBe(
      "parameter `number-of-components' cannot be safely cast to the declared type on algorithm `tutorial/pca/1': -1 is out of range for uint32 [0, 4294967295]",
    );
  });

  it('refuses images of different shapes', async () => {
    const mixed: DataStream = [...images.slice(0, 2), { data: { value: ndarray('uint8', [1, 4]) }, start: 2, end: 2 }];
    const run = await executeBlock({ declaration, algorithm: Algorithm, dataFormats, parameters: { 'number-of-components': 2 }, inputs: { image: mixed } });
    expect([run.error!.message, run.processCalls]).toEqual(['image at index 2 has shape [1, 4], expected [2, 2]', 3]);
  });
});

/** N pseudo-random uint8 images of h×w pixels (a fixed LCG). */
function randomImages(n: number, h: number, w: number, seed: number): number[][] {
  let x = seed;
  const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24;
  return Array.from({ length: n }, () => Array.from({ length: h * w }, () => next()));
}

/** Column c of a row-major D×k matrix. */
const column = (m: ArrayLike<number>, d: number, k: number, c: number): number[] => Array.from({ length: d }, (_, r) => m[r * k + c]!);

/** Equal to 1e-9 up to sign. */
function sameUpToSign(a: number[], b: number[]): void {
  const sign = a.reduce((s, x, i) => s + x * b[i]!, 0) < 0 ? -1 : 1;
  a.forEach((x, i) => expect(Math.abs(sign * x - b[i]!)).toBeLessThanOrEqual(1e-9));
}

describe('the shipped PCA block', () => {
  it("keeps the seed's declaration", () => {
    expect(declaration).toEqual(seedDeclaration);
  });

  it("fewer images than pixels: the Gram-matrix method gives the covariance method's subspace (to 1e-9, up to sign)", () => {
    for (const [n, h, w, k, seed] of [
      [6, 4, 5, 5, 1],
      [3, 3, 3, 2, 7],
      [10, 5, 5, 4, 42],
    ] as const) {
      const images = randomImages(n, h, w, seed);
      const d = h * w;
      const mine = pca(images, k);
      const seedRun = seedPca(images, k);
      expect(mine.method).toBe('gram');
      expect(Array.from(mine.machine.input_subtract.data)).toEqual(seedRun.machine.input_subtract);
      for (let c = 0; c < k; c++) {
        sameUpToSign(
          column(mine.machine.weights.data, d, k, c),
          seedRun.machine.weights.map((row) => row[c]!),
        );
        const [a, b] = [mine.eigenvalues[c]!, seedRun.eigenvalues[c]!];
        expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
      }
    }
    // As many images as pixels: the covariance method, identical to the seed's.
    const square = randomImages(9, 3, 3, 5);
    const mine = pca(square, 3);
    expect(mine.method).toBe('covariance');
    expect(Array.from(mine.machine.weights.data)).toEqual(seedPca(square, 3).machine.weights.flat());
  });

  it('through the executor: the same output as the seed algorithm (Gram method, up to sign)', async () => {
    const pixels = randomImages(5, 4, 4, 3);
    const stream: DataStream = pixels.map((px, i) => ({ data: { value: ndarray('uint8', [4, 4], px) }, start: i, end: i }));
    const run = async (algorithm: typeof Algorithm | typeof SeedAlgorithm) =>
      (await executeBlock({ declaration, algorithm, dataFormats, parameters: { 'number-of-components': 3 }, inputs: { image: stream } })).outputs.subspace![0]!
        .data as Record<string, NDArray>;
    const [mine, seed] = [await run(Algorithm), await run(SeedAlgorithm)];
    expect(mine.weights!.shape).toEqual([16, 3]);
    expect(mine.input_subtract).toEqual(seed.input_subtract);
    for (let c = 0; c < 3; c++) sameUpToSign(column(mine.weights!.data, 16, 3, c), column(seed.weights!.data, 16, 3, c));
  });

  it('components beyond the rank (N − 1) complete an orthonormal basis orthogonal to the data', () => {
    const images = randomImages(4, 3, 4, 9); // rank 3, D = 12
    const k = 6;
    const { machine, eigenvalues } = pca(images, k);
    const d = 12;
    const cols = Array.from({ length: k }, (_, c) => column(machine.weights.data, d, k, c));
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < k; b++) {
        const dot = cols[a]!.reduce((s, x, i) => s + x * cols[b]![i]!, 0);
        expect(Math.abs(dot - (a === b ? 1 : 0))).toBeLessThanOrEqual(1e-9);
      }
    }
    expect(eigenvalues).toHaveLength(4);
    expect(Math.abs(eigenvalues[3]!)).toBeLessThanOrEqual(1e-9 * eigenvalues[0]!);
    // The completed axes see no variance: every centred image is orthogonal to them.
    for (const img of images) {
      const centred = img.map((x, i) => x - machine.input_subtract.data[i]!);
      for (let c = 3; c < k; c++) expect(Math.abs(centred.reduce((s, x, i) => s + x * cols[c]![i]!, 0))).toBeLessThanOrEqual(1e-9);
    }
    // The first three match the seed's.
    const seedRun = seedPca(images, 3);
    for (let c = 0; c < 3; c++)
      sameUpToSign(
        cols[c]!,
        seedRun.machine.weights.map((row) => row[c]!),
      );
  });
});
