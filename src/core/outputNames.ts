// What a run's output is called: its source dataset and what made it, "coins · otsu mask" — the
// stored name of an output (src/engine/hostData.ts) and the stem of its exported file
// (src/app/datasets/outputNames.ts). Pure.
import type { DatasetMeta, ExecutionRecord } from './records';

const IMAGE_EXT = /(\.ome)?\.(png|jpe?g|jpe|jfif|tiff?|npy|gif|webp|bmp|dib|czi|nd2|lif|zarr)$/i;

/** A dataset name without its image file extension: "coins.png" → "coins", "cells.tif [3/10]" → "cells [3/10]". */
export function nameStem(name: string): string {
  const t = name.trim();
  const page = /^(.*?)(\s*\[\d+\/\d+\])$/.exec(t);
  const stem = page ? `${page[1]!.replace(IMAGE_EXT, '')}${page[2]}` : t.replace(IMAGE_EXT, '');
  return stem || t;
}

/** The texts of a run's arguments that say how it ran ("otsu"): short non-empty strings, at most two. */
function textArgs(args: Record<string, unknown>): string[] {
  return Object.values(args)
    .filter((v): v is string => typeof v === 'string' && v.trim() !== '' && v.length <= 24)
    .slice(0, 2);
}

/**
 * What made an output: the run's short text arguments (e.g. 'otsu'), else its algorithm's name ("prompt"
 * for a prompt mask), then the field when it is not the image ("mask", "labels").
 */
export function madeBy(meta: Pick<DatasetMeta, 'source'>, run: Pick<ExecutionRecord, 'algorithmName' | 'args'> | null, key: string | null): string {
  const words: string[] = [];
  if (meta.source.startsWith('prompt:')) words.push('prompt');
  else if (run) {
    const texts = textArgs(run.args);
    words.push(...(texts.length ? texts : [run.algorithmName]));
  }
  if (key && key !== 'image') words.push(key);
  return words.join(' ');
}

/** The field an output is named by: its mask or labels when it has them, else none (an image, a matrix…). */
export function namingKey(keys: readonly string[]): string | null {
  return ['mask', 'labels'].find((k) => keys.includes(k)) ?? null;
}

/** The stored name of a run's output made from the dataset called `sourceName`: "coins · otsu mask". */
export function outputName(sourceName: string, run: Pick<ExecutionRecord, 'algorithmName' | 'args'>, key: string | null): string {
  return `${nameStem(sourceName)} · ${madeBy({ source: 'execution:' }, run, key)}`;
}
