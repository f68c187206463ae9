import { Segmentation2SegmentationRunner, ndarray, sliceAt } from "algobox";
import { cleanMask } from "./mask_cleanup/cleanup.js";

export class Runner extends Segmentation2SegmentationRunner {
  async inference(data, args) {
    const minSize = args.min_size ?? 64;
    const fillHoles = args.fill_holes ?? true;
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
}
