// What the axes of a run's outputs mean: an output inherits its input's axes (names, units, physical
// sizes, channels) when the shapes allow it (src/core/imageAxes.ts inheritAxes: the same shape, the
// input less its channels, or another channel count); output i comes from input i (or from the only
// input). Inputs without stored axes give nothing: their outputs keep the defaults. Runners can say
// otherwise afterwards (setOutputAxes).
import { inheritAxes, type ImageAxes } from '../core/imageAxes';
import type { DatasetMeta } from '../core/records';
import type { Store } from '../store/index';
import type { NewField } from './hostArrays';
import type { LiveRun } from './liveRun';

/** The fields of an input looked at for an output field `key`: the same key first, then the image-like ones. */
const SOURCE_KEYS = ['image', 'volume', 'mask', 'data'];

const inputMetas = new WeakMap<LiveRun, Promise<(DatasetMeta | null)[]>>();

function metasOf(run: LiveRun, store: Pick<Store, 'getDatasetMeta'>): Promise<(DatasetMeta | null)[]> {
  let p = inputMetas.get(run);
  if (!p) {
    p = Promise.all(run.rec.inputDatasetIds.map((id) => store.getDatasetMeta(id).catch(() => null)));
    inputMetas.set(run, p);
  }
  return p;
}

function shapeOf(f: NewField): readonly number[] | null {
  if ('staged' in f && f.staged) return f.staged.shape;
  if ('array' in f && f.kind === 'array') return f.array.shape;
  return null;
}

function inheritFrom(meta: DatasetMeta, key: string, outShape: readonly number[]): ImageAxes | null {
  for (const k of [key, ...SOURCE_KEYS.filter((s) => s !== key)]) {
    const fm = Object.hasOwn(meta.keys, k) ? meta.keys[k] : undefined;
    if (!fm?.axes) continue;
    const got = inheritAxes(fm.axes, fm.shape, outShape);
    if (got) return got;
  }
  return null;
}

/** Per output item (the `first`-th output of the run onwards), the axes its array fields inherit, or undefined. */
export async function inheritedAxes(
  run: LiveRun,
  store: Pick<Store, 'getDatasetMeta'>,
  first: number,
  items: Record<string, NewField>[],
): Promise<(Record<string, ImageAxes> | undefined)[]> {
  if (run.rec.inputDatasetIds.length === 0) return items.map(() => undefined);
  const metas = await metasOf(run, store);
  if (!metas.some((m) => m && Object.values(m.keys).some((f) => f.axes))) return items.map(() => undefined);
  return items.map((fields, i) => {
    const j = first + i;
    const meta = j < metas.length ? metas[j] : metas.length === 1 ? metas[0] : null;
    if (!meta) return undefined;
    const out: Record<string, ImageAxes> = {};
    for (const [key, f] of Object.entries(fields)) {
      const shape = shapeOf(f);
      const ax = shape ? inheritFrom(meta, key, shape) : null;
      if (ax) out[key] = ax;
    }
    return Object.keys(out).length ? out : undefined;
  });
}
