// Multichannel and N-D images (an `image` with a 'c' axis of microscope channels from the file's
// metadata, or with Z and T axes): every 2-D plane (Y, X) is denoised on its own, per channel as a
// microscopist expects — each channel min-max normalised to [0, 1] over all its planes, denoised, and
// the result normalised per channel again (as the stack path does for one channel) — one plane in
// memory at a time (lazy arrays), so the image may be larger than memory. The output has the input's
// shape and axes (float32).
import { ndarray } from "algobox";
import { denoiseImage } from "./denoising_utils.js";

/** Whether an input's `image` is handled here: a 'c' axis that is not RGB, or more than 3 axes. */
export function isPlanar(a) {
  return a.ndim > 3 || (a.axisIndex("c") >= 0 && !a.isRgb);
}

/** The `image` fields of the inputs as lazy arrays. */
export async function openImages(runner, ids) {
  return Promise.all(ids.map((id) => runner.openArray(id, "image")));
}

function planeShape(a) {
  return a.shape.map((d, i) => (i >= a.ndim - 2 ? d : 1));
}

function channelOf(a, origin) {
  const c = a.axisIndex("c");
  return c >= 0 ? origin[c] : 0;
}

function channelCount(a) {
  const c = a.axisIndex("c");
  return c >= 0 ? a.shape[c] : 1;
}

function extend(acc, data) {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < acc[0]) acc[0] = v;
    if (v > acc[1]) acc[1] = v;
  }
}

/** Denoised float32 arrays, one per input, plane by plane, normalised per channel. */
export async function denoisePlanes(runner, arrays, weight) {
  const total = arrays.reduce((n, a) => n + a.size / (a.shape[a.ndim - 1] * a.shape[a.ndim - 2]), 0);
  runner.logMessage(`Starting denoising of ${total} planes of ${arrays.length} image(s) with weight ${weight}, per channel.`);
  const outputs = [];
  let done = 0;
  for (const a of arrays) {
    const [h, w] = a.shape.slice(-2);
    const blockShape = planeShape(a);
    const input = Array.from({ length: channelCount(a) }, () => [Infinity, -Infinity]);
    for await (const b of a.blocks({ blockShape })) extend(input[channelOf(a, b.origin)], b.data.data);
    const output = input.map(() => [Infinity, -Infinity]);
    const tmp = await runner.createArray({ dtype: "float64", shape: [...a.shape], chunks: blockShape });
    for await (const b of a.blocks({ blockShape })) {
      const [lo, hi] = input[channelOf(a, b.origin)];
      const range = hi - lo || 1;
      const img = ndarray("float64", [h, w]);
      for (let i = 0; i < img.data.length; i++) img.data[i] = (b.data.data[i] - lo) / range;
      const den = denoiseImage(img, weight);
      extend(output[channelOf(a, b.origin)], den.data);
      await tmp.write(b.origin, ndarray("float64", blockShape, Float64Array.from(den.data)));
      await runner.setProgress((0.9 * ++done) / total);
    }
    const out = await runner.createArray({ dtype: "float32", shape: [...a.shape], chunks: blockShape });
    for await (const b of a.blocks({ blockShape, prefetch: 0 })) {
      const d = (await tmp.read(b.region)).data;
      const [lo, hi] = output[channelOf(a, b.origin)];
      const range = hi - lo || 1;
      const result = new Float32Array(d.length);
      for (let i = 0; i < d.length; i++) result[i] = (d[i] - lo) / range;
      await out.write(b.origin, ndarray("float32", blockShape, result));
    }
    await tmp.abort();
    outputs.push(out);
  }
  return outputs;
}
