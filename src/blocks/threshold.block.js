// Built-in BEAT block "threshold" (sequential, API v2, splittable): mask = image > threshold
// (uint8 0/1, same shape). Plain JS module text: installed with algobox.blocks.install and linked
// inside the block worker.
export class Algorithm {
  setup(parameters) {
    this.threshold = parameters.threshold;
    return true;
  }

  process(inputs, _dataLoaders, outputs) {
    const image = inputs.get('image').data.value;
    const src = image.data;
    const out = new Uint8Array(src.length);
    for (let i = 0; i < src.length; i++) out[i] = src[i] > this.threshold ? 1 : 0;
    outputs.get('mask').write({ value: { dtype: 'uint8', shape: [...image.shape], data: out } });
    return true;
  }
}
