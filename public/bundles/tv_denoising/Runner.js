import { Image2ImageRunner, ndarray, sliceAt, z } from "algobox";
import { denoiseImage } from "./image_denoising/denoising_utils.js";
import { denoiseVolumes, openVolumes } from "./image_denoising/volumes.js";
import { denoisePlanes, isPlanar, openImages } from "./image_denoising/planes.js";

/** The output of a multichannel or N-D image: its `image`, of the input's shape (no built-in schema fits it). */
const PlanesSchema = z.object({ image: z.any() });

function minMax(data) {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/**
 * The runner class for the denoiser algorithm. Image inputs are stacked in memory; Volume inputs
 * (`volume`, 3-D) are denoised slice by slice out of core (lazy arrays) and give Volumes; multichannel
 * and N-D images (a 'c' axis of microscope channels, Z, T) plane by plane, per channel (planes.js).
 */
export class Runner extends Image2ImageRunner {
  async preprocess(inputData, args) {
    const ids = inputData.inputDatasetIds ?? [];
    const described = ids.length ? await this.describeData(ids) : [];
    if (described.length && described.every((d) => d.fields.volume && !d.fields.image)) return { volumes: await openVolumes(this, ids) };
    if (described.some((d) => d.fields.image)) {
      const images = await openImages(this, ids.filter((_, i) => described[i].fields.image));
      const planar = images.filter(isPlanar);
      if (planar.length === images.length && images.length === ids.length) return { planes: images };
      if (planar.length) {
        throw new Error(
          `Multichannel or N-D images (dataset ${planar[0].datasetId}: ${planar[0].axes.axes.map((a) => a.name).join("")} [${planar[0].shape.join(", ")}]) are denoised per channel and plane, and cannot be mixed with 2-D or RGB images in one run: run them separately.`,
        );
      }
    }
    return super.preprocess(inputData, args);
  }

  async postprocess(data, args) {
    if (data.outputs) return this.postDataAs(data.outputs.map((volume) => ({ volume })), "Volume");
    if (data.planeOutputs) return this.postDataAs(data.planeOutputs.map((image) => ({ image })), PlanesSchema);
    return super.postprocess(data, args);
  }

  async inference(data, args) {
    if (data.planes) {
      this.logMessage("Starting inference.");
      return { planeOutputs: await denoisePlanes(this, data.planes, args.denoising_weight ?? 0.1) };
    }
    if (data.volumes) {
      this.logMessage("Starting inference.");
      return { outputs: await denoiseVolumes(this, data.volumes, args.denoising_weight ?? 0.1) };
    }
    this.logMessage("Starting inference.");
    // Min-max normalise the whole stack to [0, 1].
    const [lo, hi] = minMax(data.data);
    const range = hi - lo || 1;
    const images = ndarray("float64", data.shape);
    for (let i = 0; i < data.data.length; i++) images.data[i] = (data.data[i] - lo) / range;

    const weight = args.denoising_weight ?? 0.1;
    const n = images.shape[0];
    this.logMessage(`Starting denoising of ${n} images with weight ${weight}.`);
    const out = new Float64Array(images.data.length);
    const size = out.length / n;
    for (let i = 0; i < n; i++) {
      const den = denoiseImage(sliceAt(images, i), weight);
      out.set(den.data, i * size);
      await this.setProgress((i + 1) / n);
    }
    // Normalise the output and return float32, as the template does.
    const [olo, ohi] = minMax(out);
    const orange = ohi - olo || 1;
    const result = new Float32Array(out.length);
    for (let i = 0; i < out.length; i++) result[i] = (out[i] - olo) / orange;
    return ndarray("float32", data.shape, result);
  }
}
