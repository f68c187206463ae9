// Built-in BEAT block "volume_threshold" (sequential, API v2) over lazy units (issue 13): the input
// `volume` is a LazyArray (read(region), blocks({ halo })) and the output `mask` an output array
// written block by block, so a volume larger than memory is thresholded one chunk-aligned block at a
// time: mask = volume > threshold (uint8 0/1, same shape and chunks).
export class Algorithm {
  setup(parameters) {
    this.threshold = parameters.threshold;
    return true;
  }

  async process(inputs, _dataLoaders, outputs) {
    const volume = inputs.get('volume').data.value;
    const output = outputs.get('mask');
    const mask = await output.createArray({ dtype: 'uint8', shape: [...volume.shape], chunks: [...volume.chunks] });
    for await (const block of volume.blocks()) {
      const src = block.data.data;
      const out = new Uint8Array(src.length);
      for (let i = 0; i < src.length; i++) out[i] = src[i] > this.threshold ? 1 : 0;
      await mask.write(block.origin, { dtype: 'uint8', shape: block.shape, data: out });
    }
    output.write({ value: mask });
    return true;
  }
}
