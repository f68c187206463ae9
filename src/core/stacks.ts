// Stacks: ordered lists of datasets (a multi-page TIFF, a folder of slices, a user's selection) that
// users pick as one algorithm input.
export interface StackRecord {
  id: string;
  name: string;
  /** Dataset ids in order (slice 0 first). */
  datasetIds: string[];
  /** ISO time of creation. */
  created: string;
  /** 'import' (folder or multi-page file), 'user', 'sample', … */
  source: string;
  extra: Record<string, unknown>;
}

/** Natural order of names: "img2" < "img10", case-insensitive. */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' });
}
