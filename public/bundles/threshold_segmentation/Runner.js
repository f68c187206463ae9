import { Image2SegmentationRunner } from "algobox";
import { thresholdImage } from "./image_segmentation/segmentation_utils.js";

/** The runner class for the image segmentation algorithm. */
export class Runner extends Image2SegmentationRunner {
  async inference(data, args) {
    const thresholdingAlgorithm = args.thresholding_algorithm ?? "otsu";
    this.logMessage(`Starting inference with thresholding algorithm: ${thresholdingAlgorithm}`);
    const { threshold, mask } = thresholdImage(data, thresholdingAlgorithm);
    if (typeof threshold === "number") this.logMessage(`Threshold: ${threshold}`);
    this.setProgress(0.5);
    return mask;
  }
}
