// Datasets named in messages as people know them: by the name they gave (and the file path it came
// from, where there is one), with the id after it — never by a bare UUID.
import type { DatasetMeta } from './records';

type Labelled = Pick<DatasetMeta, 'id' | 'name'> & { extra?: Record<string, unknown> };

/** `'cells 1.png' (cells/cells 1.png, id 3f2a…)`, or `'cells 1.png' (id 3f2a…)` without a path. */
export function datasetLabel(meta: Labelled): string {
  const path = typeof meta.extra?.path === 'string' && meta.extra.path !== meta.name ? meta.extra.path : null;
  return `'${meta.name}' (${path ? `${path}, ` : ''}id ${meta.id})`;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Every bare mention of a known dataset's id in `message` (quoted or not) replaced by its label;
 * ids already written as "id <id>" are left alone, so labelling twice changes nothing.
 */
export function labelDatasetIds(message: string, metas: readonly Labelled[]): string {
  let out = message;
  for (const m of metas) {
    if (!m.id || !out.includes(m.id)) continue;
    const re = new RegExp(`(?<!id )(['"]?)${escapeRegExp(m.id)}\\1`, 'g');
    out = out.replace(re, () => datasetLabel(m));
  }
  return out;
}
