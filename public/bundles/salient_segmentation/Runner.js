import { Image2SegmentationRunner, ndarray } from "algobox";
import { transform } from "algobox/image";
import { toUnitRgb } from "./salient/rgb.js";

/** U²-Net-p's input size and ImageNet normalisation (rembg's preprocessing). */
const SIZE = 320;
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

/** Salient-object segmentation with U²-Net-p: one mask per input image, the size of that image. */
export class Runner extends Image2SegmentationRunner {
  async loadAssets() {
    this.model = await this.loadOnnxModel("files/u2netp.onnx");
  }

  /** Images may differ in size: keep the ids and read each image when it is segmented. */
  async preprocess(inputData) {
    const ids = inputData.inputDatasetIds;
    if (!ids.length) throw new Error("salient_segmentation needs at least one input image.");
    return ids;
  }

  async inference(ids, args) {
    const threshold = args.threshold ?? 0.5;
    const posted = [];
    for (const [i, id] of ids.entries()) {
      const [{ image }] = await this.fetchData([id], "image");
      const height = image.shape[image.shape.length - 2];
      const width = image.shape[image.shape.length - 1];
      const prob = await this.probability(image);
      // Back to the image's size (anti-aliased when it shrinks), then threshold.
      const full = height === SIZE && width === SIZE ? prob : transform.resize(prob, [height, width]);
      const mask = new Uint8Array(height * width);
      let count = 0;
      for (let p = 0; p < mask.length; p++) if (full.data[p] > threshold) (mask[p] = 1), count++;
      posted.push(...(await this.postData([{ mask: ndarray("uint8", [height, width], mask) }])));
      this.logMessage(`Image ${i + 1}/${ids.length} (${height}×${width}): ${((100 * count) / mask.length).toFixed(1)}% foreground.`, "DEBUG");
      await this.setProgress((i + 1) / ids.length);
    }
    return posted;
  }

  async postprocess(posted) {
    return posted;
  }

  /** The model's foreground probability for one image at 320×320, min-max normalised to [0, 1]. */
  async probability(image) {
    const rgb = toUnitRgb(image); // [3, H, W] float64 in [0, 1]
    const small = rgb.shape[1] === SIZE && rgb.shape[2] === SIZE ? rgb : transform.resize(rgb, [3, SIZE, SIZE]);
    const n = SIZE * SIZE;
    const x = new Float32Array(3 * n);
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < n; p++) x[c * n + p] = (small.data[c * n + p] - MEAN[c]) / STD[c];
    }
    const out = await this.model.run({ [this.model.inputNames[0]]: ndarray("float32", [1, 3, SIZE, SIZE], x) }, [this.model.outputNames[0]]);
    const d = out[this.model.outputNames[0]].data;
    let lo = Infinity;
    let hi = -Infinity;
    for (let p = 0; p < n; p++) {
      if (d[p] < lo) lo = d[p];
      if (d[p] > hi) hi = d[p];
    }
    const prob = new Float64Array(n);
    if (hi > lo) for (let p = 0; p < n; p++) prob[p] = (d[p] - lo) / (hi - lo);
    return ndarray("float64", [SIZE, SIZE], prob);
  }
}
