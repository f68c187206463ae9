import { Segmentation2SegmentationRunner, ndarray, sliceAt } from "algobox";
import { cleanMask } from "./mask_cleanup/cleanup.js";
import { cleanOne, openMasks } from "./mask_cleanup/out_of_core.js";

/** Masks of at least this many bytes together are cleaned out of core (as is any mask of several chunks). */
const OUT_OF_CORE_BYTES = 64 * 1024 * 1024;
const ITEM_BYTES = { bool: 1, uint8: 1, int8: 1, uint16: 2, int16: 2, float16: 2, uint32: 4, int32: 4, float32: 4, float64: 8 };

/**
 * Removes small objects and fills holes, per mask. Masks stored in several chunks (or 64 MiB or more
 * together) are cleaned out of core — tile by tile (2-D) or slice by slice (3-D), objects and holes
 * joined across borders — and written block by block; smaller ones are fetched whole and stacked, as
 * before. Both give the same masks.
 */
export class Runner extends Segmentation2SegmentationRunner {
  async preprocess(inputData, args) {
    const ids = inputData.inputDatasetIds ?? inputData.input_dataset_ids;
    const masks = await openMasks(this, ids);
    const bytes = masks.reduce((n, a) => n + a.size * (ITEM_BYTES[a.dtype] ?? 8), 0);
    if (masks.some((a) => a.blockCount() > 1) || bytes >= OUT_OF_CORE_BYTES) return { masks };
    return { stacked: await super.preprocess(inputData, args) };
  }

  async inference({ masks, stacked }, args) {
    const minSize = args.min_size ?? 64;
    const fillHoles = args.fill_holes ?? true;
    if (masks) {
      this.logMessage(`Cleaning ${masks.length} masks out of core: min_size=${minSize}, fill_holes=${fillHoles}; ${masks.map((a) => `[${a.shape.join(", ")}] in ${a.blockCount()} block(s)`).join("; ")}.`);
      const outs = [];
      for (let i = 0; i < masks.length; i++) {
        outs.push(await cleanOne(this, masks[i], { minSize, fillHoles }));
        await this.setProgress((i + 1) / masks.length);
      }
      return { outs };
    }
    const data = stacked;
    const n = data.shape[0];
    this.logMessage(`Cleaning ${n} masks: min_size=${minSize}, fill_holes=${fillHoles}.`);
    const out = new Uint8Array(data.data.length);
    const size = out.length / n;
    for (let i = 0; i < n; i++) {
      out.set(cleanMask(sliceAt(data, i), minSize, fillHoles).data, i * size);
      await this.setProgress((i + 1) / n);
    }
    return ndarray("uint8", data.shape, out);
  }

  async postprocess(result, args) {
    if (result && result.outs) return this.postData(result.outs.map((mask) => ({ mask })));
    return super.postprocess(result, args);
  }
}

/**
 * The live preview ([tool.algobox] preview = true): one 2-D mask cleaned with these args, in memory,
 * as a run cleans that mask (uint8 0/1).
 */
export function preview(mask, args) {
  const out = cleanMask(mask, args.min_size ?? 64, args.fill_holes ?? true);
  return ndarray("uint8", [...mask.shape], Uint8Array.from(out.data, (v) => (v ? 1 : 0)));
}
