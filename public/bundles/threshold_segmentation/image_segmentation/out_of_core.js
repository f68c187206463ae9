// Out-of-core thresholding: the inputs as lazy arrays (an Image's `image` or a Volume's `volume`), the
// threshold from a histogram pass over their blocks, and each mask written block by block into an
// output array; no input or mask is ever whole in memory. Same thresholds and masks as in memory
// (filters.thresholdOfBlocks equals filters.thresholdValue of the stacked inputs).
import { filters } from "algobox/image";

const IMAGE_DTYPES = ["uint8", "uint16", "float32", "float64", "float16"];

/** Each input dataset's array: its `image` (2-D, or 3×H×W RGB) or its `volume` (3-D). */
export async function openInputs(runner, ids) {
  if (!Array.isArray(ids) || ids.length === 0) throw new Error("threshold_segmentation needs at least one input dataset; none were given.");
  const described = await runner.describeData(ids);
  const inputs = [];
  for (let i = 0; i < ids.length; i++) {
    const fields = described[i].fields;
    const key = fields.image ? "image" : fields.volume ? "volume" : null;
    if (!key) throw new Error(`Input dataset ${ids[i]} has neither an 'image' nor a 'volume' field (it has ${Object.keys(fields).map((k) => `'${k}'`).join(", ") || "none"}).`);
    const a = await runner.openArray(ids[i], key);
    const nd = a.shape.length;
    if (key === "image" && !(nd === 2 || (nd === 3 && a.shape[0] === 3))) {
      throw new Error(`Input dataset ${ids[i]}: Image must be 2D (got ${nd} dimensions), grayscale or RGB (got ${nd === 2 ? 1 : a.shape[0] ?? 1} channels).`);
    }
    if (key === "volume" && nd !== 3) throw new Error(`Input dataset ${ids[i]}: Volume must be a 3 dimensional array (got ${nd} dimensions).`);
    if (!IMAGE_DTYPES.includes(a.dtype)) throw new Error(`Input dataset ${ids[i]}: Image must be uint8, uint16, float64, float32 or float16 (got ${a.dtype}).`);
    if (a.dtype !== inputs[0]?.dtype && inputs.length) {
      throw new Error(`All inputs must have the same dtype to be thresholded together: dataset ${ids[0]} is ${inputs[0].dtype} but dataset ${ids[i]} is ${a.dtype}.`);
    }
    inputs.push(a);
  }
  return inputs;
}

/** One pass over the blocks of every input, reporting progress from `from` to `to`. */
function pass(runner, inputs, from, to) {
  const total = inputs.reduce((n, a) => n + a.blockCount(), 0);
  return async function* () {
    let done = 0;
    for (const a of inputs) {
      for await (const b of a.blocks()) {
        yield b.data;
        done++;
        if (done % 8 === 0 || done === total) await runner.setProgress(from + ((to - from) * done) / total);
      }
    }
  };
}

/** The global threshold of `method` over all inputs, block by block. */
export async function thresholdOutOfCore(runner, inputs, method) {
  const dtype = inputs[0].dtype;
  const twoPasses = !["uint8", "int8", "uint16", "int16"].includes(dtype) && method !== "mean";
  return filters.thresholdOfBlocks(dtype, pass(runner, inputs, 0, twoPasses ? 0.25 : 0.5), method);
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
