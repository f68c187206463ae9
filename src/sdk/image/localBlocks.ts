// threshold_local out of core: the mask `image > threshold_local(image)` of a stack of arrays too large
// for memory, computed block by block, identical to the in-memory mask of the stacked inputs (the
// built-in segmentation bundle stacks its N inputs into one [N, ...shape] array and filters all of it,
// the stack axis included).
//
// Why a halo makes it exact: threshold_local is a filter whose output at a pixel depends only on the
// pixels within the filter's radius (gaussian: scipy's `int(4 * sigma + 0.5)` per axis; median and
// generic: block_size // 2). Each block is read with that many pixels around it (clipped at the array's
// edges) and the filter runs on the block with the same boundary mode: at a true edge of the array the
// block's edge is that edge, so the mode extends it as in memory; inside, the wrongly extended values
// only reach the halo, never the core. The separable gaussian runs axis by axis on the same values, so
// every core pixel is computed by the same arithmetic as in memory, bit for bit. Along the stack axis
// the neighbouring inputs' regions are read and stacked around the block.
//
// Not block-local, so refused: method 'mean' (scipy's uniform filter keeps a running sum along each
// whole line: its rounding depends on where the line starts) and mode 'wrap' (the edge reads the far end).
import { cropBox } from '../../core/lazyArrays';
import { stack, type DType, type NDArray } from '../../core/ndarray';
import { applyThreshold, thresholdLocal, type LocalOptions } from './filters';
import { perAxis } from './ndimage';

/** One block of a LazyArray's `blocks({ halo })` (the fields used here). */
export interface LocalBlock {
  origin: readonly number[];
  shape: readonly number[];
  data: NDArray;
  dataOrigin: readonly number[];
  coreOffset: readonly number[];
}

/** What localMasksOfBlocks needs of an input: a LazyArray satisfies it. */
export interface LocalInput {
  readonly dtype: DType;
  readonly shape: readonly number[];
  blocks(opts: { halo: readonly number[] }): AsyncIterable<LocalBlock>;
  read(region: [number, number][]): Promise<NDArray>;
}

export interface LocalBlockOptions extends LocalOptions {
  /** threshold_local's block_size (per axis of the stack [N, ...shape], or one for all). Default 3. */
  blockSize?: number | readonly number[];
}

/** Writes input `input`'s mask block (uint8 0/1, the core's shape) at `origin`. */
export type LocalMaskWriter = (input: number, origin: readonly number[], mask: NDArray<'uint8'>) => Promise<void>;

/** Whether threshold_local with these options is block-local (localMasksOfBlocks computes it exactly). */
export function isBlockwiseLocal(opts: LocalOptions = {}): boolean {
  return (opts.method ?? 'gaussian') !== 'mean' && opts.mode !== 'wrap';
}

/** Per-axis sigma as thresholdLocal derives it for the whole stack (the RGB rule looks at the stack's shape). */
function gaussianSigma(shape: readonly number[], bs: readonly number[], param: LocalOptions['param']): number[] {
  if (param === undefined || param === null) return bs.map((b) => (b - 1) / 6.0);
  if (typeof param === 'function') throw new Error("threshold_local: param must be a sigma (number or per-axis numbers) for method 'gaussian'.");
  let s: number | number[] = typeof param === 'number' ? param : [...param];
  if (shape.length === 3 && shape[2] === 3) {
    if (typeof s === 'number') s = [s, s, 0];
    else if (s.length === 2) s = [s[0]!, s[1]!, 0];
  }
  return perAxis(s, shape.length, 'threshold_local');
}

/** Pixels each output depends on, per axis of the stack (invalid sizes give 0: thresholdLocal then names them). */
export function localHalo(shape: readonly number[], blockSize: number | readonly number[], opts: LocalOptions = {}): number[] {
  const bs = typeof blockSize === 'number' ? shape.map(() => blockSize) : [...blockSize];
  const safe = (r: number) => (Number.isSafeInteger(r) && r > 0 ? r : 0);
  if ((opts.method ?? 'gaussian') !== 'gaussian') return shape.map((_, k) => safe(Math.floor(bs[k]! / 2)));
  if (bs.length !== shape.length) return shape.map(() => 0);
  const sigma = gaussianSigma(shape, bs, opts.param);
  return sigma.map((s) => safe(s > 1e-15 ? Math.trunc(4.0 * s + 0.5) : 0));
}

function checkStack(inputs: readonly LocalInput[]): readonly number[] {
  if (inputs.length === 0) throw new Error('threshold_local: no input arrays.');
  const first = inputs[0]!;
  inputs.forEach((a, i) => {
    if (a.dtype !== first.dtype || a.shape.join() !== first.shape.join()) {
      throw new Error(
        `threshold_local: inputs are thresholded as one stack and must have one shape and dtype; input 0 is ${first.dtype} [${first.shape.join(', ')}] but input ${i} is ${a.dtype} [${a.shape.join(', ')}].`,
      );
    }
  });
  return [inputs.length, ...first.shape];
}

/**
 * The masks `stack > threshold_local(stack, blockSize, opts)` of the stack [N, ...shape] of `inputs`,
 * written block by block (each input's blocks, with their halo, and the matching regions of up to
 * radius neighbouring inputs in memory at a time); identical to `threshold(stack(inputs), 'local')`.
 */
export async function localMasksOfBlocks(inputs: readonly LocalInput[], write: LocalMaskWriter, opts: LocalBlockOptions = {}): Promise<void> {
  if (!isBlockwiseLocal(opts)) {
    throw new Error(
      `threshold_local: method '${opts.method}' with mode '${opts.mode ?? 'reflect'}' is not block-local (the running-sum 'mean' and mode 'wrap' are not); compute it in memory.`,
    );
  }
  const shape = checkStack(inputs);
  const blockSize = opts.blockSize ?? 3;
  const halo = localHalo(shape, blockSize, opts);
  // The sigma the whole stack would get, fixed now (a block's own shape must not trigger the RGB rule).
  const param =
    (opts.method ?? 'gaussian') === 'gaussian' && opts.param !== undefined && opts.param !== null
      ? gaussianSigma(shape, typeof blockSize === 'number' ? shape.map(() => blockSize) : blockSize, opts.param)
      : opts.param;
  const local = { ...opts, param };
  for (let i = 0; i < inputs.length; i++) {
    const lo = Math.max(0, i - halo[0]!);
    const hi = Math.min(inputs.length - 1, i + halo[0]!);
    for await (const b of inputs[i]!.blocks({ halo: halo.slice(1) })) {
      const region = b.dataOrigin.map((o, k): [number, number] => [o, o + b.data.shape[k]!]);
      const parts: NDArray[] = [];
      for (let j = lo; j <= hi; j++) parts.push(j === i ? b.data : await inputs[j]!.read(region));
      const box = stack(parts);
      const t = thresholdLocal(box, blockSize, local);
      const offset = [i - lo, ...b.coreOffset];
      const core = [1, ...b.shape];
      const mask = applyThreshold(cropBox(box, offset, core), cropBox(t, offset, core));
      await write(i, b.origin, { dtype: 'uint8', shape: [...b.shape], data: mask.data });
    }
  }
}
