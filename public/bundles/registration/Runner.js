import { Image2AlignmentRunner, sliceAt, cast } from "algobox";
import { getTranslation } from "./image_registration/registration_utils.js";
import { lazyImages } from "./image_registration/pairs.js";

/** Rec. 601 luma of a 3×H×W RGB image, else the image itself as float64. */
function gray(img) {
  if (img.shape.length === 3 && img.shape[0] === 3) {
    const [, h, w] = img.shape;
    const n = h * w;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = 0.299 * img.data[i] + 0.587 * img.data[n + i] + 0.114 * img.data[2 * n + i];
    return { dtype: "float64", shape: [h, w], data: out };
  }
  return cast(img, "float64");
}

/**
 * The image registration runner: one matrix per consecutive pair. Large inputs (several chunks, or
 * 64 MiB or more) and the slices of a single Volume are read pair by pair, two images in memory at a time.
 */
export class Runner extends Image2AlignmentRunner {
  async preprocess(inputData, args) {
    const images = await lazyImages(this, inputData.inputDatasetIds ?? inputData.input_dataset_ids);
    if (!images) return super.preprocess(inputData, args);
    this.inputImagesCount = images.length;
    return { lazy: images };
  }

  async inference(data, args) {
    this.logMessage("Starting inference.");
    const maxTranslation = args.max_translation ?? 0.25;
    const upsample = args.upsample_factor ?? 20;
    const lazy = data.lazy;
    const n = lazy ? lazy.length : data.shape[0];
    this.logMessage(`Registering ${n} images${lazy ? ", pair by pair (out of core)" : ""}.`);
    const image = async (i) => gray(lazy ? await lazy[i]() : sliceAt(data, i));
    const matrices = [];
    let next = n > 0 ? await image(0) : null;
    for (let i = 0; i < n - 1; i++) {
      const current = next;
      next = await image(i + 1);
      const m = getTranslation(current, next, maxTranslation, upsample);
      this.logMessage(`Pair ${i}→${i + 1}: tx = ${m.data[2].toFixed(3)} px, ty = ${m.data[5].toFixed(3)} px`);
      matrices.push(m);
      await this.setProgress((i + 1) / Math.max(1, n - 1));
    }
    return matrices;
  }
}
