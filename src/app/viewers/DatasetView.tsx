// One dataset in the viewer: its header and the viewer its keys call for (data.ts datasetKind).
import type { DatasetMeta } from '../../core/records';
import { describeDataset } from '../datasets/format';
import { useDataset, useDatasets } from '../state/queries';
import { useSelection } from '../state/selection';
import { LabelsPicker } from '../datasets/LabelsPicker';
import { AlignmentViewer } from './AlignmentViewer';
import { EmbeddingViewer } from './EmbeddingViewer';
import { GenericViewer } from './GenericViewer';
import { HyperstackView } from './HyperstackView';
import { ImageViewer } from './ImageViewer';
import { usePreviewOverlay } from './PreviewOverlay';
import { usePublishPlane } from '../state/preview';
import { SegmentationViewer } from './SegmentationViewer';
import { SlicedSegmentation } from './SlicedSegmentation';
import { isSlicedField } from './slicedFields';
import { ViewerMessage, errorText } from './controls';
import { arrayField, datasetKind, imageSourceOf, isTiledImageField, provenance, useExecutionRecord, volumeKeys } from './data';
import { AnnotatableView, PromptableEmbedding, PromptableImage, isPromptableEmbedding } from './PromptMode';
import { AnnotateImage, AnnotateMask, AnnotateVolume } from './annotate/AnnotateMode';
import { formatShape } from './render/format';
import { dimsText } from './render/dims';
import { fieldAxes, isHyperstack } from './render/hyperstack';
import { planeAxesOf, type PlaneAxes } from './render/scaleBar';
import { TableViewer } from './TableViewer';
import { TiledImageViewer } from './TiledImageViewer';
import { VolumeView } from './VolumeView';

/** A 2-D image or a volume: what labels imported from a file can be put over. */
function canHoldLabels(meta: DatasetMeta): boolean {
  return !meta.keys.mask && ['image', 'volume'].some((k) => meta.keys[k]?.kind === 'array');
}

function DatasetHeader({ meta }: { meta: DatasetMeta }) {
  const { setView } = useSelection();
  const { execution } = provenance(meta);
  const dims = Object.entries(meta.keys).map(([key, f]) => ({ key, dtype: f.dtype, ...dimsText(f.shape, f.kind === 'array' ? fieldAxes(key, f) : null) }));
  // A table reads as "24 rows × 5 columns", as in the list.
  const table = meta.schema === 'Table' ? describeDataset(meta) : null;
  return (
    <header className="viewer-header">
      <h3 className="ellipsis" title={meta.name} data-testid="viewer-title">
        {meta.name}
      </h3>
      {meta.schema && <span className="chip">{meta.schema}</span>}
      <span
        className="muted ellipsis mono small-text"
        data-testid="viewer-dims"
        title={table?.dimsTitle ?? dims.map((d) => `${d.key} (${d.dtype}): ${d.title}`).join('\n')}
      >
        {table ? table.dims : dims.map((d) => `${d.key} ${d.text} ${d.dtype}`).join(' · ')}
      </span>
      <span className="grow" />
      {canHoldLabels(meta) && (
        <LabelsPicker
          text="Add labels from file…"
          title="Import a label image made elsewhere (PNG, TIFF, NPY of integer object ids, 0 = background; of this image's size) and show it over this image"
          labels={{ labelsOf: meta.id }}
          testId="add-labels-input"
          className="small"
        />
      )}
      {execution && (
        <button type="button" className="small" onClick={() => setView({ kind: 'execution', id: execution })} title="Show the run that made this dataset">
          Open run
        </button>
      )}
    </header>
  );
}

/** Index of this output among its execution's outputs → the input ids it came from. */
function useSourceIds(meta: DatasetMeta, count: 1 | 2): { ids: string[] | null; loading: boolean } {
  const { execution, inputs } = provenance(meta);
  const needRecord = !!execution && inputs.length > count;
  const rec = useExecutionRecord(needRecord ? execution : null);
  if (!inputs.length) return { ids: null, loading: false };
  if (!needRecord) return { ids: inputs.length >= count ? inputs.slice(0, count) : null, loading: false };
  if (rec.isLoading) return { ids: null, loading: true };
  const i = rec.data ? rec.data.outputDatasetIds.indexOf(meta.id) : -1;
  if (i < 0 || i + count > inputs.length) return { ids: null, loading: false };
  return { ids: inputs.slice(i, i + count), loading: false };
}

/** The physical y and x of a dataset's `image` (a scale bar and physical coordinates when they have a unit). */
function imageAxes(meta: DatasetMeta): PlaneAxes | null {
  const f = meta.keys.image;
  return f ? planeAxesOf(fieldAxes('image', f).axes) : null;
}

function ImageDataset({ meta }: { meta: DatasetMeta }) {
  const q = useDataset(meta.id, ['image']);
  // The live preview (state/preview.tsx): this image's plane is the one a preview covers.
  const plane = { datasetId: meta.id, key: 'image', at: [], label: meta.name };
  usePublishPlane(plane);
  const overlay = usePreviewOverlay(plane);
  return (
    <ImageViewer image={arrayField(q.data, 'image')} error={q.isError ? errorText(q.error) : null} label="Image" axes={imageAxes(meta)} overlay={overlay} />
  );
}

function ImageMaskDataset({ id }: { id: string }) {
  const q = useDataset(id, ['image', 'mask']);
  return (
    <SegmentationViewer
      image={arrayField(q.data, 'image')}
      mask={arrayField(q.data, 'mask')}
      error={q.isError ? errorText(q.error) : null}
      label="Image with its mask"
      labelSource={{ datasetId: id, key: 'mask' }}
    />
  );
}

function MaskDataset({ meta }: { meta: DatasetMeta }) {
  // A stack of masks (a Volume's segmentation) is read slice by slice, never whole.
  return isSlicedField(meta, 'mask', { image: false }) ? <SlicedMaskDataset meta={meta} /> : <WholeMaskDataset meta={meta} />;
}

/** A sliced mask over its source: once the source is known (the execution record may be needed), slice by slice. */
function SlicedMaskDataset({ meta }: { meta: DatasetMeta }) {
  const src = useSourceIds(meta, 1);
  if (src.loading) return <ViewerMessage kind="loading">Loading mask…</ViewerMessage>;
  const recorded = provenance(meta).inputs.length > 0;
  return (
    <SlicedSegmentation
      outMeta={meta}
      inputId={src.ids?.[0] ?? null}
      seg2seg
      noInputNote={recorded ? 'The source image of this mask is not known: showing the labels alone.' : null}
      label="Mask"
    />
  );
}

function WholeMaskDataset({ meta }: { meta: DatasetMeta }) {
  const mask = useDataset(meta.id, ['mask']);
  // The live preview (state/preview.tsx) of a 2-D mask (mask cleanup).
  const plane = meta.keys.mask?.shape.length === 2 ? { datasetId: meta.id, key: 'mask', at: [], label: meta.name } : null;
  usePublishPlane(plane);
  const overlay = usePreviewOverlay(plane);
  const src = useSourceIds(meta, 1);
  const source = useDataset(src.ids?.[0] ?? null, ['image', 'mask']);
  const inputMask = arrayField(source.data, 'image') ? null : arrayField(source.data, 'mask');
  // A mask made from a mask (cleaned, measured): the image at the start of the chain underneath.
  const list = useDatasets();
  const far = inputMask && list.data ? imageSourceOf(meta, list.data) : null;
  const farImage = useDataset(far?.id ?? null, ['image']);
  const image = arrayField(source.data, 'image') ?? arrayField(farImage.data, 'image');
  const recorded = provenance(meta).inputs.length > 0;
  const note = source.isError
    ? `The source image is not available (${errorText(source.error)}): showing the labels alone.`
    : recorded && !src.ids && !src.loading
      ? 'The source image of this mask is not known: showing the labels alone.'
      : null;
  return (
    <SegmentationViewer
      image={image}
      mask={arrayField(mask.data, 'mask')}
      inputMask={inputMask}
      loading={src.loading || source.isLoading || farImage.isLoading}
      error={mask.isError ? errorText(mask.error) : null}
      note={note}
      label="Mask"
      overlay={overlay}
      labelSource={{ datasetId: meta.id, key: 'mask' }}
    />
  );
}

function AlignmentDataset({ meta }: { meta: DatasetMeta }) {
  const q = useDataset(meta.id, ['transform_matrix', 'translation_matrix', 'confidence', 'points1', 'points2']);
  const src = useSourceIds(meta, 2);
  const fixed = useDataset(src.ids?.[0] ?? null, ['image']);
  const moving = useDataset(src.ids?.[1] ?? null, ['image']);
  const facts = alignmentFacts(q.data?.fields);
  const imagesNote =
    fixed.isError || moving.isError
      ? `The images are not available: ${errorText(fixed.error ?? moving.error)}`
      : src.ids
        ? null
        : 'The images this matrix relates are not known: showing the matrix only.';
  return (
    <AlignmentViewer
      matrix={arrayField(q.data, 'transform_matrix')}
      translationMatrix={arrayField(q.data, 'translation_matrix')}
      fixed={fixed.isError || moving.isError ? null : arrayField(fixed.data, 'image')}
      moving={fixed.isError || moving.isError ? null : arrayField(moving.data, 'image')}
      imagesNote={imagesNote}
      loading={src.loading || fixed.isLoading || moving.isLoading}
      error={q.isError ? errorText(q.error) : null}
      facts={facts}
    />
  );
}

/** Confidence and point counts of an Alignment item, for the side panel. */
export function alignmentFacts(fields: Record<string, unknown> | undefined): [string, string][] {
  if (!fields) return [];
  const out: [string, string][] = [];
  const conf = fields.confidence as { data?: ArrayLike<number> } | null | undefined;
  if (conf?.data && conf.data.length) {
    const vals = Array.from(conf.data);
    out.push([
      'confidence',
      vals.length === 1 ? vals[0]!.toFixed(4) : `${vals.length} values, mean ${(vals.reduce((a, b) => a + b, 0) / vals.length).toFixed(4)}`,
    ]);
  }
  for (const k of ['points1', 'points2']) {
    const p = fields[k] as { shape?: number[] } | null | undefined;
    if (p?.shape && p.shape.length && p.shape[0]) out.push([k, formatShape(p.shape)]);
  }
  return out;
}

function EmbeddingDataset({ id }: { id: string }) {
  const q = useDataset(id, ['features', 'input_size', 'original_size']);
  return (
    <EmbeddingViewer
      features={arrayField(q.data, 'features')}
      inputSize={arrayField(q.data, 'input_size')}
      originalSize={arrayField(q.data, 'original_size')}
      error={q.isError ? errorText(q.error) : null}
    />
  );
}

function GenericDataset({ id }: { id: string }) {
  const q = useDataset(id);
  return <GenericViewer fields={q.data?.fields} error={q.isError ? errorText(q.error) : null} />;
}

export function DatasetView({ id }: { id: string }) {
  const q = useDataset(id, []);
  if (q.isError) return <ViewerMessage kind="error">{errorText(q.error)}</ViewerMessage>;
  if (!q.data) return <ViewerMessage kind="loading">Loading dataset…</ViewerMessage>;
  const meta = q.data.meta;
  const kind = datasetKind(meta);
  if (meta.keys.image && isHyperstack('image', meta.keys.image)) {
    return (
      <div className="viewer-view" data-testid="dataset-view" data-kind="hyperstack">
        <DatasetHeader meta={meta} />
        <HyperstackView meta={meta} />
      </div>
    );
  }
  return (
    <div className="viewer-view" data-testid="dataset-view" data-kind={kind}>
      <DatasetHeader meta={meta} />
      {kind === 'image' ? (
        <PromptableImage imageId={id} annotate={<AnnotateImage meta={meta} />}>
          {isTiledImageField(meta, 'image') ? <TiledImageViewer datasetId={id} axes={imageAxes(meta)} /> : <ImageDataset meta={meta} />}
        </PromptableImage>
      ) : kind === 'volume' ? (
        <AnnotatableView annotate={<AnnotateVolume meta={meta} fieldKey={volumeKeys(meta)[0]!} />}>
          <VolumeView meta={meta} />
        </AnnotatableView>
      ) : kind === 'image+mask' ? (
        <AnnotatableView annotate={<AnnotateMask meta={meta} own />}>
          <ImageMaskDataset id={id} />
        </AnnotatableView>
      ) : kind === 'mask' ? (
        <AnnotatableView annotate={<AnnotateMask meta={meta} />}>
          <MaskDataset meta={meta} />
        </AnnotatableView>
      ) : kind === 'table' ? (
        <TableViewer meta={meta} />
      ) : kind === 'alignment' ? (
        <AlignmentDataset meta={meta} />
      ) : kind === 'embedding' && isPromptableEmbedding(meta) ? (
        <PromptableEmbedding embeddingId={id}>
          <EmbeddingDataset id={id} />
        </PromptableEmbedding>
      ) : kind === 'embedding' ? (
        <EmbeddingDataset id={id} />
      ) : (
        <GenericDataset id={id} />
      )}
    </div>
  );
}
