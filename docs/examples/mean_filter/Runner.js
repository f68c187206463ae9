import { BaseRunner } from "algobox";
import { meanFilter } from "./lib/mean3.js";

/**
 * A 3×3 (2-D) or 3×3×3 (3-D) mean filter, edges replicated ("nearest"), of the first input's `image`
 * (Image) or `volume` (Volume), out of core: the input is read block by block with a halo of one
 * element (clipped at the array's edges), each block is filtered, and its core is written into an
 * output array; the output dataset and its array are stored in one transaction by postData.
 * Memory: two blocks of input and one of output at a time, whatever the size of the input.
 */
export class Runner extends BaseRunner {
  async preprocess(inputData) {
    const [id] = inputData.inputDatasetIds;
    if (!id) throw new Error("mean_filter needs one input dataset.");
    const [info] = await this.describeData([id]);
    const key = info.fields.volume ? "volume" : "image";
    return { key, input: await this.openArray(id, key) };
  }

  async inference({ key, input }, args) {
    const out = await this.createArray({ dtype: "float32", shape: input.shape, chunks: input.chunks });
    // Blocks on the input's chunks, or of `block_rows` rows (the last two axes whole) when asked.
    const nd = input.shape.length;
    const blockShape = args.block_rows > 0 ? input.shape.map((d, i) => (i < nd - 2 ? 1 : i === nd - 2 ? args.block_rows : d)) : undefined;
    const total = input.blockCount({ blockShape });
    this.logMessage(`${key} ${input.dtype} [${input.shape.join(", ")}]: ${total} block(s) of [${(blockShape ?? input.chunks).join(", ")}].`);
    let done = 0;
    for await (const block of input.blocks({ halo: 1, blockShape })) {
      const smoothed = meanFilter(block.data); // the block with its halo
      await out.write(block.origin, block.crop(smoothed)); // only its core
      await this.setProgress(++done / total);
    }
    return { key, out };
  }

  async postprocess({ key, out }) {
    return this.postData([{ [key]: out }], key === "volume" ? "Volume" : "Image");
  }
}
