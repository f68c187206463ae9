import { Image2SegmentationRunner, stack, unstack } from "algobox";
import { filters } from "algobox/image";
import { localOptions, thresholdImage } from "./image_segmentation/segmentation_utils.js";
import { openInputs, thresholdOutOfCore, writeLocalMasks, writeMasks } from "./image_segmentation/out_of_core.js";

/** Inputs of at least this many bytes together are thresholded out of core (as is any input of several chunks). */
const OUT_OF_CORE_BYTES = 64 * 1024 * 1024;
const ITEM_BYTES = { uint8: 1, uint16: 2, float16: 2, float32: 4, float64: 8 };

/**
 * The runner class for the image segmentation algorithm. Inputs are Image (`image`) or Volume
 * (`volume`) datasets, opened as lazy arrays. Inputs stored in several chunks (or 64 MiB or more
 * together) run out of core with every method: the global ones (otsu, yen, minimum, triangle, isodata:
 * histogram passes; mean; li: one pass per iteration for float images) take passes over the blocks for
 * the threshold, then a mask pass writes each mask block by block; local writes each mask block by block
 * from the block read with the filter's halo (and the neighbouring inputs' regions: the inputs are one
 * stack). Inputs of one chunk each (read in one piece anyway) are read whole and stacked, as before.
 * Both give the same thresholds and masks (only exceptions, read whole: integer sums too large to be
 * exact in float64).
 */
export class Runner extends Image2SegmentationRunner {
  async preprocess(inputData, args) {
    const method = args.thresholding_algorithm ?? "otsu";
    if (!filters.THRESHOLD_METHODS.includes(method)) throw new Error(`Invalid thresholding algorithm: ${method}`);
    const inputs = await openInputs(this, inputData.inputDatasetIds ?? inputData.input_dataset_ids, args.channel ?? 0);
    const size = inputs.reduce((n, a) => n + a.size, 0);
    const chunked = inputs.some((a) => a.blockCount() > 1);
    const large = chunked || size * ITEM_BYTES[inputs[0].dtype] >= OUT_OF_CORE_BYTES;
    const local = method === "local" ? localOptions(args, inputs[0].shape.length + 1) : {};
    const outOfCore = large && filters.isBlockwiseThreshold(method, inputs[0].dtype, size, local);
    // The global methods out of core take inputs of any shapes; local filters them as one stack.
    if (outOfCore && method !== "local") return { method, inputs, stacked: null, local };
    const first = inputs[0];
    const odd = inputs.findIndex((a) => a.shape.join() !== first.shape.join());
    if (odd > 0) {
      throw new Error(
        `All input images must have the same shape and dtype to be stacked: dataset ${first.datasetId} is ${first.dtype} [${first.shape.join(", ")}] ` +
          `but dataset ${inputs[odd].datasetId} is ${inputs[odd].dtype} [${inputs[odd].shape.join(", ")}].`,
      );
    }
    if (outOfCore) return { method, inputs, stacked: null, local };
    return { method, inputs, stacked: stack(await Promise.all(inputs.map((a) => a.read()))), local };
  }

  async inference({ method, inputs, stacked, local }) {
    this.logMessage(`Starting inference with thresholding algorithm: ${method}`);
    if (method === "local") this.logMessage(`threshold_local: block_size ${local.blockSize.slice(1).join("×")}, method ${local.method}, offset ${local.offset}, mode ${local.mode}${local.mode === "constant" ? `, cval ${local.cval}` : ""}${local.param ? `, sigma ${local.param[1]}` : ""}.`);
    if (stacked) {
      const { threshold, mask } = thresholdImage(stacked, method, local);
      if (typeof threshold === "number") this.logMessage(`Threshold: ${threshold}`);
      this.setProgress(0.5);
      return unstack(mask);
    }
    this.logMessage(`Out of core: ${inputs.map((a) => `${a.dtype} [${a.shape.join(", ")}] in ${a.blockCount()} block(s)`).join("; ")}.`);
    if (method === "local") return writeLocalMasks(this, inputs, local);
    const threshold = await thresholdOutOfCore(this, inputs, method);
    this.logMessage(`Threshold: ${threshold}`);
    return writeMasks(this, inputs, threshold);
  }

  async postprocess(masks) {
    return this.postData(masks.map((mask) => ({ mask })));
  }
}

/**
 * The live preview ([tool.algobox] preview = true): the mask of one 2-D image (a plane of an input) with
 * these args, computed in memory as a run computes the mask of that image alone.
 */
export function preview(image, args) {
  const method = args.thresholding_algorithm ?? "otsu";
  return thresholdImage(image, method, method === "local" ? localOptions(args, image.shape.length, 0) : {}).mask;
}
