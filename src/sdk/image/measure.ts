// skimage.measure in memory (scikit-image 0.19.3 parity):
//   label(image, { connectivity, background })  ≡ skimage.measure.label (labelImage.ts)
//   regionpropsTable(labels, { intensity, properties }) ≡ skimage.measure.regionprops_table
// The out-of-core versions over lazy-array blocks are in measureBlocks.ts; both go through the same
// per-label sums (regionStats.ts) and columns (regionprops.ts), so they give the same table.
import { assertNDArray, isIntegerDType, type NDArray } from '../../core/ndarray';
import { floatMeans } from './floatMean';
import { resolveProperties, tableOf, type RegionTable } from './regionprops';
import { RegionStats } from './regionStats';

export { labelImage as label } from './labelImage';

export interface RegionpropsOptions {
  /** The intensity image, same shape as the labels (no channel axis). */
  intensity?: NDArray | null;
  /** Property names (REGIONPROPS); columns are named as skimage names them. */
  properties: readonly string[];
  /** skimage 0.19.3 has no spacing: only unit spacing (or none) is accepted. */
  spacing?: readonly number[];
}

/** The checks shared by the in-memory and block versions: label dtype, intensity shape, spacing. */
export function checkRegionpropsInput(
  labelShape: readonly number[],
  labelDtype: string,
  intensityShape: readonly number[] | null,
  spacing: readonly number[] | undefined,
  where: string,
): void {
  if (!isIntegerDType(labelDtype as NDArray['dtype']) && labelDtype !== 'bool')
    throw new Error(`${where}: label_image must have an integer dtype (skimage: "Non-integer image types are ambiguous"), got ${labelDtype}.`);
  if (labelShape.length === 0) throw new Error(`${where}: label_image must have at least one dimension.`);
  if (intensityShape && (intensityShape.length !== labelShape.length || intensityShape.some((n, i) => n !== labelShape[i]))) {
    throw new Error(
      `${where}: intensity image shape [${intensityShape.join(', ')}] must equal the label image shape [${labelShape.join(', ')}] (channel axes are not supported).`,
    );
  }
  if (spacing !== undefined && (spacing.length !== labelShape.length || spacing.some((s) => s !== 1))) {
    throw new Error(`${where}: spacing ${JSON.stringify(spacing)} is not supported (scikit-image 0.19.3's regionprops has no spacing; only unit spacing).`);
  }
}

/** skimage.measure.regionprops_table(labels, intensity, properties): one column per property (element), rows in label order. */
export function regionpropsTable(labels: NDArray, opts: RegionpropsOptions): RegionTable {
  const where = 'regionpropsTable';
  assertNDArray(labels, `${where}: labels`);
  if (opts.intensity) assertNDArray(opts.intensity, `${where}: intensity`);
  checkRegionpropsInput(labels.shape, labels.dtype, opts.intensity ? opts.intensity.shape : null, opts.spacing, where);
  const props = resolveProperties(opts.properties, labels.shape.length, !!opts.intensity, where);
  const stats = new RegionStats(labels.shape, props.needs);
  const origin = labels.shape.map(() => 0);
  const intensity = opts.intensity ?? null;
  stats.add({ data: labels, dataOrigin: origin, origin, shape: labels.shape, intensity });
  const float = (intensity?.dtype === 'float32' || intensity?.dtype === 'float64') && props.list.some(([, c]) => c === 'intensity_mean');
  return tableOf(stats, props, float ? floatMeans(labels, intensity as NDArray<'float32' | 'float64'>, stats.area, stats.maxLabel) : null);
}
