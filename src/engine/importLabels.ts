// Label images made elsewhere on import (`as: 'labels'`, `labelsOf`, or a dropped file named
// "*_masks.png" with `labelsByName`): each file becomes ONE Segmentation dataset `{ mask }` — [Y, X],
// or [Z, Y, X] for a multi-page TIFF / 3-D NPY — its integer values kept exactly
// (src/core/labelArrays.ts). NPY and TIFF files are read slab by slab into a staged chunked array
// (never whole); OME/ImageJ/BigTIFF pages plane by plane; PNG and the browser's formats decoded whole.
// With `labelsOf` the labels must have the image's Y × X (and Z) size and record
// `extra.madeFrom = <image id>`, so that the viewer shows them over that image.
import { encodeItem } from '../core/datasetCodec';
import { DATA_SCHEMAS, validateItem } from '../core/dataSchemas';
import { decodePngIndices, isIndexedPng, isVolume, type PagedImageFile } from '../core/imageCodecs';
import type { FileDType } from '../core/imageCodecs/common';
import { isIntegerSource, labelDType, toLabelArray } from '../core/labelArrays';
import { itemSize, type NDArray } from '../core/ndarray';
import type { MicroscopyTiff } from '../core/ome/microscopyTiff';
import type { ChunkedArrayWriter, NewDataset, Store } from '../store/index';
import { checkCancelled, eachRun, IN_MEMORY_FILE_BYTES, type StreamJob } from './importStreamed';

/** A file that is not a label image (RGB, several channels; with `labelsByName` also a float file): a dropped one is imported as an image instead. */
export class NotLabelImage extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotLabelImage';
  }
}

/** The image labels are imported for (`labelsOf`): its id, name and the Y × X (and Z) the labels must have. */
export interface LabelTarget {
  id: string;
  name: string;
  /** The image field's shape as stored ([H, W], [3, H, W] RGB, [Z, Y, X] a Volume). */
  shape: number[];
  /** The shape the labels must have: [Y, X] or [Z, Y, X]. */
  labelShape: number[];
}

const shapeText = (s: readonly number[]) => `(${s.join(', ')})`;

/** The image dataset `id` as a labels target; throws when it is missing or has no image field. */
export async function labelTarget(store: Pick<Store, 'getDatasetMeta'>, id: string): Promise<LabelTarget> {
  if (typeof id !== 'string' || !id) throw new Error(`importFiles: labelsOf must be the id of an image dataset, got ${JSON.stringify(id)}.`);
  const meta = await store.getDatasetMeta(id);
  if (!meta) throw new Error(`importFiles: labelsOf: dataset '${id}' not found.`);
  const key = ['image', 'volume'].find((k) => meta.keys[k]?.kind === 'array');
  if (!key) throw new Error(`importFiles: labelsOf: dataset “${meta.name}” ('${id}') has no image or volume field to put labels over.`);
  const shape = [...meta.keys[key]!.shape];
  const rgb = key === 'image' && shape.length === 3 && (shape[0] === 3 || shape[0] === 4);
  const labelShape = rgb ? shape.slice(1) : shape.slice(-3);
  return { id, name: meta.name, shape, labelShape };
}

/** Throws when labels of `shape` do not fit the target image (both datasets and both shapes named). */
function checkFits(file: string, shape: readonly number[], t: LabelTarget | null): void {
  if (!t || shapeText(shape) === shapeText(t.labelShape)) return;
  throw new Error(
    `${file}: labels of shape ${shapeText(shape)} do not fit the image “${t.name}” of shape ${shapeText(t.shape)}: labels need the image's ${t.labelShape.length === 3 ? 'Z × Y × X' : 'Y × X'} size ${shapeText(t.labelShape)}.`,
  );
}

/** What importing one file as labels needs. */
export interface LabelJob extends Omit<StreamJob, 'file'> {
  target: LabelTarget | null;
  /** The name ending that made a dropped file labels ("_masks"); such a file that is not an integer image is refused with NotLabelImage. */
  byName: string | null;
  maxImageBytes: number | undefined;
  decode(file: Blob & { name?: string }): Promise<{ image: NDArray; alpha?: NDArray }[]>;
}

/** What the reader found: the mask field, and what the user should know. */
interface Labels {
  field: NewDataset['fields'][string];
  format: string;
  warnings: string[];
}

function refuseChannels(name: string, channels: number, what: string): never {
  throw new NotLabelImage(`a label image has one value per pixel; ${name} has ${channels} channels (${what}).`);
}

function checkSource(job: LabelJob, source: FileDType): void {
  if (job.byName && !isIntegerSource(source)) throw new NotLabelImage(`${job.name} holds ${source} values, not integer labels.`);
}

/** A staged [Y, X] or [Z, Y, X] array of the labels' dtype, owned by the job until committed. */
async function stagedArray(job: LabelJob, source: FileDType, shape: number[]): Promise<ChunkedArrayWriter> {
  const w = await job.store.createChunkedArray({ dtype: labelDType(source), shape });
  job.writers.push(w);
  return w;
}

/** An NPY or TIFF file read slab by slab: one page → [Y, X], several (or a 3-D NPY) → [Z, Y, X]. */
async function pagedLabels(job: LabelJob, file: PagedImageFile): Promise<Labels> {
  const v = file.volume;
  if (!isVolume(v) && file.format === 'TIFF') {
    if (/ is RGB/.test(v.problem)) refuseChannels(job.name, 3, 'RGB');
    throw new NotLabelImage(`${job.name} cannot be imported as labels: ${v.problem}.`);
  }
  // One TIFF page or a 2-D NPY (whose `volume` is the reason it is none) → [Y, X].
  const twoD = file.pages === 1 && (file.format === 'TIFF' || !isVolume(v));
  checkSource(job, file.fileDType);
  let w: ChunkedArrayWriter | null = null;
  let whole: NDArray | null = null;
  await eachRun(
    { ...job, file },
    (from, to) => file.readVolume(from, to),
    async (from, slab) => {
      const [, h, wd] = slab.shape as [number, number, number];
      const fileShape = twoD ? [h, wd] : [file.pages, h, wd];
      if (from === 0) checkFits(job.name, fileShape, job.target);
      const labels = toLabelArray(job.name, slab, file.fileDType, fileShape, from * h * wd);
      const plane = { ...labels, shape: [h, wd] } as NDArray;
      if (twoD && h * wd * itemSize(labels.dtype) <= IN_MEMORY_FILE_BYTES) {
        whole = plane;
        return;
      }
      w ??= await stagedArray(job, file.fileDType, fileShape);
      await (twoD ? w.write([0, 0], plane) : w.write([from, 0, 0], labels));
    },
  );
  return { field: whole ? encodeItem({ mask: whole }).mask! : { kind: 'array', staged: w! }, format: file.format, warnings: [] };
}

/** An OME-TIFF, ImageJ TIFF, BigTIFF, … with one single-channel series: plane by plane. */
async function microscopyLabels(job: LabelJob, tiff: MicroscopyTiff): Promise<Labels> {
  if (tiff.series.length !== 1) throw new NotLabelImage(`${job.name} holds ${tiff.series.length} images (series); a label file holds one.`);
  const s = tiff.series[0]!;
  if (s.sizes.c !== 1) refuseChannels(job.name, s.sizes.c, s.samples === 3 ? 'RGB' : 'a C axis');
  if (s.sizes.t !== 1) throw new NotLabelImage(`${job.name} has ${s.sizes.t} time points; import one time point's labels per file.`);
  checkSource(job, s.dtype);
  const { z, y, x } = s.sizes;
  const shape = z > 1 ? [z, y, x] : [y, x];
  checkFits(job.name, shape, job.target);
  const w = await stagedArray(job, s.dtype, shape);
  for (let k = 0; k < z; k++) {
    checkCancelled(job.signal);
    const [data] = await tiff.file.readPlanes(tiff.file.pages[s.planePages[k]!]!);
    const plane = toLabelArray(job.name, { dtype: s.dtype, shape: [y, x], data } as NDArray, s.dtype, shape, k * y * x);
    await w.write(z > 1 ? [k, 0, 0] : [0, 0], z > 1 ? ({ ...plane, shape: [1, y, x] } as NDArray) : plane);
    job.onBytes(tiff.file.bytesRead);
  }
  return { field: { kind: 'array', staged: w }, format: tiff.format, warnings: [] };
}

/**
 * A PNG (or a format the browser decodes) read whole: one gray image; an indexed PNG's palette indices
 * are its labels (PASCAL VOC masks, algobox's label PNG export), whatever colours the palette gives them.
 */
async function decodedLabels(job: LabelJob, blob: Blob & { name?: string }): Promise<Labels> {
  if (isIndexedPng(new Uint8Array(await blob.slice(0, 26).arrayBuffer()))) {
    const mask = decodePngIndices(new Uint8Array(await blob.arrayBuffer()), job.name, { maxImageBytes: job.maxImageBytes });
    checkFits(job.name, mask.shape, job.target);
    return { field: encodeItem({ mask }).mask!, format: 'indexed PNG', warnings: [] };
  }
  const pages = await job.decode(blob);
  if (pages.length !== 1)
    throw new NotLabelImage(`${job.name} holds ${pages.length} frames; a 2-D label image holds one (use a multi-page TIFF or a 3-D NPY for 3-D labels).`);
  const { image, alpha } = pages[0]!;
  if (image.shape.length === 3) refuseChannels(job.name, alpha ? 4 : 3, alpha ? 'RGBA' : 'RGB');
  checkSource(job, image.dtype);
  checkFits(job.name, image.shape, job.target);
  const mask = toLabelArray(job.name, image, image.dtype, image.shape);
  const warnings = alpha ? ['its transparency (alpha channel) was not kept: labels have one value per pixel.'] : [];
  return { field: encodeItem({ mask }).mask!, format: 'decoded', warnings };
}

/** One file as a Segmentation dataset (its staged arrays in `job.writers`, committed by the caller with it). */
export async function stageLabels(
  job: LabelJob,
  blob: Blob & { name?: string },
  plan: { micro?: MicroscopyTiff | undefined; paged: PagedImageFile | null },
): Promise<{ item: NewDataset; warnings: string[] }> {
  const labels = plan.micro ? await microscopyLabels(job, plan.micro) : plan.paged ? await pagedLabels(job, plan.paged) : await decodedLabels(job, blob);
  checkCancelled(job.signal);
  const f = labels.field;
  if (f && 'array' in f) validateItem(DATA_SCHEMAS.Segmentation, { mask: f.array });
  const item: NewDataset = {
    fields: { mask: f! },
    name: job.name,
    source: 'upload',
    schema: 'Segmentation',
    extra: {
      file: job.name,
      path: job.path,
      importedAs: 'labels',
      ...(labels.format !== 'decoded' ? { format: labels.format } : {}),
      ...(job.target ? { madeFrom: job.target.id } : {}),
      ...(job.byName ? { labelsByName: job.byName } : {}),
    },
  };
  return { item, warnings: labels.warnings };
}
