// Out-of-core mask cleanup: each input mask as a lazy array, cleaned without ever being whole in
// memory. A 2-D mask is read tile by tile (its chunks), a 3-D mask slice by slice; connected objects
// and holes that cross tile or slice borders are joined (morphology.cleanMaskTiled / cleanMaskSlices),
// so the result equals the in-memory remove_small_objects + binary_fill_holes on the whole mask.
import { ndarray } from "algobox";
import { morphology } from "algobox/image";

/** Each input dataset's `mask` as a lazy array (2-D or 3-D). */
export async function openMasks(runner, ids) {
  if (!Array.isArray(ids) || ids.length === 0) throw new Error("mask_cleanup needs at least one input dataset; none were given.");
  const masks = [];
  for (const id of ids) {
    const a = await runner.openArray(id, "mask");
    if (a.shape.length !== 2 && a.shape.length !== 3) {
      throw new Error(`Input dataset ${id}: mask_cleanup cleans 2-D or 3-D masks out of core; its mask is [${a.shape.join(", ")}].`);
    }
    masks.push(a);
  }
  return masks;
}

/** A 2-D view of a [1, Y, X] read. */
const plane = (a, h, w) => ndarray(a.dtype, [h, w], a.data);

/** Clean one mask into a new uint8 output array; returns it. */
export async function cleanOne(runner, mask, opts, onPass) {
  const out = await runner.createArray({ dtype: "uint8", shape: mask.shape, chunks: mask.chunks });
  if (mask.shape.length === 2) {
    const [height, width] = mask.shape;
    const [tileHeight, tileWidth] = mask.chunks;
    await morphology.cleanMaskTiled(
      { height, width, tileHeight, tileWidth, read: (y, x, h, w) => mask.read([[y, y + h], [x, x + w]]) },
      (y, x, tile) => out.write([y, x], tile),
      { ...opts, onPass },
    );
    return out;
  }
  const [depth, height, width] = mask.shape;
  await morphology.cleanMaskSlices(
    { depth, height, width, read: async (z) => plane(await mask.read([[z, z + 1], null, null]), height, width) },
    (z, slice) => out.write([z, 0, 0], ndarray("uint8", [1, height, width], slice.data)),
    opts,
  );
  return out;
}
