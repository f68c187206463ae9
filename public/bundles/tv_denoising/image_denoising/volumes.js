// Volumes of any size, slice by slice (lazy arrays): the same min-max normalisation over all inputs,
// 2-D total-variation denoising of every z-slice and min-max normalisation of the result as the
// in-memory path does for a stack of images — so a Volume gives what its slices as Images give —
// with one slice in memory at a time. Denoised slices wait in a float64 scratch array for the global
// normalisation of the output, then are written as float32 into the output arrays.
import { ndarray } from "algobox";
import { denoiseImage } from "./denoising_utils.js";

/** Min and max over every element (NaNs skipped), as the runner's minMax over the stack. */
function minMaxInto(data, acc) {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < acc[0]) acc[0] = v;
    if (v > acc[1]) acc[1] = v;
  }
}

/** The volumes as lazy arrays (3-D), checked. */
export async function openVolumes(runner, ids) {
  const volumes = [];
  for (const id of ids) {
    const v = await runner.openArray(id, "volume");
    if (v.shape.length !== 3) throw new Error(`Input dataset ${id}: Volume must be a 3 dimensional array (got ${v.shape.length} dimensions).`);
    volumes.push(v);
  }
  return volumes;
}

/** Denoised, normalised float32 output arrays, one per volume. */
export async function denoiseVolumes(runner, volumes, weight) {
  const slice = (v) => ({ blockShape: [1, v.shape[1], v.shape[2]] });
  const total = volumes.reduce((n, v) => n + v.shape[0], 0);
  const input = [Infinity, -Infinity];
  for (const v of volumes) for await (const b of v.blocks(slice(v))) minMaxInto(b.data.data, input);
  const range = input[1] - input[0] || 1;
  runner.logMessage(`Starting denoising of ${total} slices of ${volumes.length} volume(s) with weight ${weight}.`);
  const output = [Infinity, -Infinity];
  const scratch = [];
  let done = 0;
  for (const v of volumes) {
    const [, h, w] = v.shape;
    const tmp = await runner.createArray({ dtype: "float64", shape: v.shape, chunks: [1, h, w] });
    for await (const b of v.blocks(slice(v))) {
      const img = ndarray("float64", [h, w]);
      for (let i = 0; i < img.data.length; i++) img.data[i] = (b.data.data[i] - input[0]) / range;
      const den = denoiseImage(img, weight);
      minMaxInto(den.data, output);
      await tmp.write(b.origin, ndarray("float64", [1, h, w], Float64Array.from(den.data)));
      await runner.setProgress((0.9 * ++done) / total);
    }
    scratch.push(tmp);
  }
  const orange = output[1] - output[0] || 1;
  const outputs = [];
  for (const tmp of scratch) {
    const [z, h, w] = tmp.shape;
    const out = await runner.createArray({ dtype: "float32", shape: tmp.shape, chunks: [1, h, w] });
    for (let k = 0; k < z; k++) {
      const d = (await tmp.read([[k, k + 1], null, null])).data;
      const result = new Float32Array(d.length);
      for (let i = 0; i < d.length; i++) result[i] = (d[i] - output[0]) / orange;
      await out.write([k, 0, 0], ndarray("float32", [1, h, w], result));
    }
    await tmp.abort();
    outputs.push(out);
  }
  return outputs;
}
