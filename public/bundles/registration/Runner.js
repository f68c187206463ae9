import { Image2AlignmentRunner, sliceAt, cast } from "algobox";
import { getTranslation } from "./image_registration/registration_utils.js";

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

/** The image registration runner: one matrix per consecutive pair. */
export class Runner extends Image2AlignmentRunner {
  async inference(data, args) {
    this.logMessage("Starting inference.");
    const maxTranslation = args.max_translation ?? 0.25;
    const upsample = args.upsample_factor ?? 20;
    const n = data.shape[0];
    this.logMessage(`Registering ${n} images.`);
    const matrices = [];
    for (let i = 0; i < n - 1; i++) {
      const m = getTranslation(gray(sliceAt(data, i)), gray(sliceAt(data, i + 1)), maxTranslation, upsample);
      this.logMessage(`Pair ${i}→${i + 1}: tx = ${m.data[2].toFixed(3)} px, ty = ${m.data[5].toFixed(3)} px`);
      matrices.push(m);
      await this.setProgress((i + 1) / Math.max(1, n - 1));
    }
    return matrices;
  }
}
