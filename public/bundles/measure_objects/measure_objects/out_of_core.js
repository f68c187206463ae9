// Out-of-core measuring: a mask stored in several chunks (or large) is labelled block by block into a new
// int32 output array (measure.labelBlocks: objects crossing block borders are one object, numbered as
// measure.label numbers the whole mask) and measured block by block from that array
// (measure.regionpropsOfBlocks), intensities read from the source image's blocks. Equal to the in-memory path.
import { measure } from "algobox/image";

/** Masks of at least this many bytes are measured out of core (as is any mask of several chunks). */
export const OUT_OF_CORE_BYTES = 64 * 1024 * 1024;
const ITEM_BYTES = { bool: 1, uint8: 1, int8: 1, uint16: 2, int16: 2, float16: 2, uint32: 4, int32: 4, float32: 4, float64: 8 };

/** Whether a lazy mask is measured out of core. */
export const isLarge = (a) => a.blockCount() > 1 || a.size * (ITEM_BYTES[a.dtype] ?? 8) >= OUT_OF_CORE_BYTES;

/** The source image as a lazy array of the mask's shape, or null (an RGB source: not read out of core; said in the log). */
async function lazyIntensity(runner, info, mask) {
  if (!info.sourceImage) return null;
  const image = await runner.openArray(info.sourceImage, "image");
  if (image.shape.join() === mask.shape.join()) return image;
  await runner.logMessage(`The mask's source image has shape [${image.shape.join(", ")}], the mask [${mask.shape.join(", ")}]: intensities are not measured out of core.`, "WARNING");
  return null;
}

/** Label and measure one lazy mask; returns the labels output array, its count and the table's columns. */
export async function measureLarge(runner, mask, info, opts) {
  const labels = await runner.createArray({ dtype: "int32", shape: mask.shape, chunks: mask.chunks });
  const { count } = await measure.labelBlocks(mask, labels, { connectivity: opts.connectivity, background: opts.background });
  const source = { shape: labels.shape, dtype: "int32", chunks: labels.chunks, read: (region) => labels.read(region) };
  const columns = await measure.regionpropsOfBlocks(source, { properties: opts.properties });
  const intensity = opts.intensity ? await lazyIntensity(runner, info, mask) : null;
  if (intensity) {
    let properties = opts.intensityProperties;
    if (intensity.dtype === "float32") {
      properties = properties.filter((p) => p !== "intensity_mean");
      await runner.logMessage("intensity_mean of a float32 image is not measured out of core (scikit-image sums each object's float32 values in the whole image's order).", "WARNING");
    }
    Object.assign(columns, await measure.regionpropsOfBlocks(source, { intensity, properties }));
  }
  return { labels, count, columns };
}
