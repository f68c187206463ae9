// Registration of large inputs, pair by pair: the inputs as lazy arrays (Image datasets' `image`, or the
// Z slices of one Volume's `volume`), only the two images of the current pair in memory. Used when the
// inputs span several chunks or 64 MiB or more; the results are those of the stacked path (the same
// getTranslation on the same pairs).

/** Inputs of at least this many bytes together are registered pair by pair (as is any input of several chunks). */
const LARGE_BYTES = 64 * 1024 * 1024;
const ITEM_BYTES = { uint8: 1, uint16: 2, float16: 2, float32: 4, float64: 8 };

/**
 * The images to register as a list of `read()` functions, or null when the inputs are small enough to
 * be fetched and stacked as before. A single Volume input gives its Z slices.
 */
export async function lazyImages(runner, ids) {
  if (!Array.isArray(ids) || ids.length === 0) return null;
  const described = await runner.describeData(ids);
  if (ids.length === 1 && described[0].fields.volume) {
    const vol = await runner.openArray(ids[0], "volume");
    if (vol.shape.length !== 3) throw new Error(`Input dataset ${ids[0]}: Volume must be a 3 dimensional array (got ${vol.shape.length} dimensions).`);
    const [depth, h, w] = vol.shape;
    return Array.from({ length: depth }, (_, z) => async () => {
      const s = await vol.read([[z, z + 1], null, null]);
      return { dtype: s.dtype, shape: [h, w], data: s.data };
    });
  }
  if (described.some((d) => !d.fields.image)) return null; // the stacked path reports what is missing
  const arrays = await Promise.all(ids.map((id) => runner.openArray(id, "image")));
  const bytes = arrays.reduce((n, a) => n + a.size * (ITEM_BYTES[a.dtype] ?? 8), 0);
  if (!arrays.some((a) => a.blockCount() > 1) && bytes < LARGE_BYTES) return null;
  const first = arrays[0];
  const odd = arrays.findIndex((a) => a.shape.join() !== first.shape.join());
  if (odd > 0) {
    throw new Error(`All input images must have the same shape to be registered: dataset ${ids[0]} is [${first.shape.join(", ")}] but dataset ${ids[odd]} is [${arrays[odd].shape.join(", ")}].`);
  }
  return arrays.map((a) => () => a.read());
}
