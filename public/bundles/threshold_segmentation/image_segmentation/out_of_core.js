// Out-of-core thresholding: the inputs as lazy arrays (an Image's `image` or a Volume's `volume`), the
// threshold from passes over their blocks, and each mask written block by block into an output array;
// no input or mask is ever whole in memory. Same thresholds and masks as in memory
// (filters.thresholdOfBlocks equals filters.thresholdValue of the stacked inputs;
// filters.localMasksOfBlocks gives the masks of `local` over the stacked inputs, block by block with a halo).
import { filters } from "algobox/image";

const IMAGE_DTYPES = ["uint8", "uint16", "float32", "float64", "float16"];
const ITEM_BYTES = { uint8: 1, uint16: 2, float16: 2, float32: 4, float64: 8 };
/** Bytes of one C-order block (see cOrderBlockShape). */
const C_ORDER_BLOCK_BYTES = 16 * 1024 * 1024;

/** Each input dataset's array: its `image` (2-D, or 3×H×W RGB) or its `volume` (3-D). */
export async function openInputs(runner, ids, channel = 0) {
  if (!Array.isArray(ids) || ids.length === 0) throw new Error("threshold_segmentation needs at least one input dataset; none were given.");
  const described = await runner.describeData(ids);
  const inputs = [];
  for (let i = 0; i < ids.length; i++) {
    const fields = described[i].fields;
    const key = fields.image ? "image" : fields.volume ? "volume" : null;
    if (!key) throw new Error(`Input dataset ${ids[i]} has neither an 'image' nor a 'volume' field (it has ${Object.keys(fields).map((k) => `'${k}'`).join(", ") || "none"}).`);
    let a = await runner.openArray(ids[i], key);
    // A multichannel image (not an RGB picture): the chosen channel, without the 'c' axis.
    const c = a.axisIndex("c");
    if (c >= 0 && !a.isRgb) {
      if (channel >= a.shape[c]) {
        throw new Error(`Input dataset ${ids[i]}: channel ${channel} was asked for, but the image has ${a.shape[c]} channel(s) (${a.axes.channels.map((ch) => ch.label).join(", ")}): choose 0 to ${a.shape[c] - 1}.`);
      }
      a = a.select(c, channel);
      inputs.push(checkedDtype(a, ids, i, inputs));
      continue;
    }
    const nd = a.shape.length;
    if (key === "image" && !(nd === 2 || (nd === 3 && a.shape[0] === 3))) {
      throw new Error(`Input dataset ${ids[i]}: Image must be 2D (got ${nd} dimensions), grayscale or RGB (got ${nd === 2 ? 1 : a.shape[0] ?? 1} channels).`);
    }
    if (key === "volume" && nd !== 3) throw new Error(`Input dataset ${ids[i]}: Volume must be a 3 dimensional array (got ${nd} dimensions).`);
    inputs.push(checkedDtype(a, ids, i, inputs));
  }
  return inputs;
}

/** `a` when its dtype is an image dtype and that of the inputs before it. */
function checkedDtype(a, ids, i, inputs) {
  if (!IMAGE_DTYPES.includes(a.dtype)) throw new Error(`Input dataset ${ids[i]}: Image must be uint8, uint16, float64, float32 or float16 (got ${a.dtype}).`);
  if (a.dtype !== inputs[0]?.dtype && inputs.length) {
    throw new Error(`All inputs must have the same dtype to be thresholded together: dataset ${ids[0]} is ${inputs[0].dtype} but dataset ${ids[i]} is ${a.dtype}.`);
  }
  return a;
}

/**
 * Blocks that are C-contiguous runs of `a` (whole trailing axes, as many rows of the first partial axis
 * as fit in C_ORDER_BLOCK_BYTES, a multiple of its chunk size when that fits), so that the blocks in grid
 * order are the array in C order: float mean and li sum the values in that order (numpy's pairwise sum).
 */
function cOrderBlockShape(a) {
  const nd = a.shape.length;
  const item = ITEM_BYTES[a.dtype];
  let inner = 1; // elements of the axes after j
  let j = nd - 1;
  while (j > 0 && inner * a.shape[j] * item <= C_ORDER_BLOCK_BYTES) inner *= a.shape[j--];
  let rows = Math.min(a.shape[j], Math.max(1, Math.floor(C_ORDER_BLOCK_BYTES / (inner * item))));
  if (rows > a.chunks[j]) rows -= rows % a.chunks[j];
  return a.shape.map((d, k) => (k < j ? 1 : k === j ? rows : d));
}

/** Whether `method` sums the values of a `dtype` image in C order (numpy's pairwise summation). */
function sumsInOrder(method, dtype) {
  return (method === "mean" || method === "li") && dtype.startsWith("float");
}

/**
 * Passes over the blocks of every input (in C order where `ordered`). Progress: the first pass runs from 0
 * to `first`, each later one over half of what is left up to 0.5 (li of float images takes one pass per iteration).
 */
function passes(runner, inputs, ordered, first) {
  const total = inputs.reduce((n, a) => n + (ordered ? a.blockCount({ blockShape: cOrderBlockShape(a) }) : a.blockCount()), 0);
  let from = 0;
  let to = first;
  return async function* () {
    let done = 0;
    for (const a of inputs) {
      for await (const b of a.blocks(ordered ? { blockShape: cOrderBlockShape(a) } : {})) {
        yield b.data;
        done++;
        if (done % 8 === 0 || done === total) await runner.setProgress(from + ((to - from) * done) / total);
      }
    }
    [from, to] = [to, to + (0.5 - to) / 2];
  };
}

/** The global threshold of `method` over all inputs, block by block. */
export async function thresholdOutOfCore(runner, inputs, method) {
  const dtype = inputs[0].dtype;
  const onePass = ["uint8", "int8", "uint16", "int16"].includes(dtype) || method === "mean";
  const ordered = sumsInOrder(method, dtype);
  return filters.thresholdOfBlocks(dtype, passes(runner, inputs, ordered, onePass ? 0.5 : 0.25), method);
}

/** One uint8 0/1 mask per input (`image > threshold`), written block by block into output arrays. */
export async function writeMasks(runner, inputs, threshold) {
  const masks = [];
  let done = 0;
  const total = inputs.reduce((n, a) => n + a.blockCount(), 0);
  for (const a of inputs) {
    const out = await runner.createArray({ dtype: "uint8", shape: a.shape, chunks: a.chunks });
    for await (const b of a.blocks()) {
      await out.write(b.origin, filters.applyThreshold(b.data, threshold));
      if (++done % 8 === 0 || done === total) await runner.setProgress(0.5 + (0.5 * done) / total);
    }
    masks.push(out);
  }
  return masks;
}

/**
 * One uint8 0/1 mask per input, `local` (threshold_local with `local`, localOptions of the args) over the
 * stacked inputs, written block by block: each block is read with the filter's halo (and the neighbouring
 * inputs' matching regions where `local` filters along the stack axis too, as in memory).
 */
export async function writeLocalMasks(runner, inputs, local = {}) {
  const masks = [];
  for (const a of inputs) masks.push(await runner.createArray({ dtype: "uint8", shape: a.shape, chunks: a.chunks }));
  let done = 0;
  const total = inputs.reduce((n, a) => n + a.blockCount(), 0);
  await filters.localMasksOfBlocks(inputs, async (i, origin, mask) => {
    await masks[i].write(origin, mask);
    if (++done % 8 === 0 || done === total) await runner.setProgress(done / total);
  }, local);
  return masks;
}
