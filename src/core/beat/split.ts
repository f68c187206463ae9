// Split runs (reference §10): cut the synchronization channel's index range into contiguous parts,
// run each part on a fresh algorithm instance, and merge the parts' outputs in index order. Cuts
// fall only on indices that end a unit of every synchronization-group input, so no unit is shared
// by two parts. The parts run one after the other here; a worker pool can run them in parallel.
// Pure TS.

import { BeatError } from './errors';
import { DataFormatRegistry } from './dataFormats';
import { checkDeclaration } from './declaration';
import { emptyRun, executeBlock, runError, type BlockRun, type ExecuteBlockRequest } from './executeBlock';
import { checkStream, dataIndices, mixDataIndices, type DataStream } from './streams';

/**
 * Up to `parts` contiguous ranges covering the synchronization channel's units, as balanced as the
 * common unit ends allow (by number of finest-grained units, i.e. of `process()` calls). Fewer
 * ranges when there are fewer possible cuts; none when the channel is empty.
 */
export function splitRange(streams: readonly DataStream[], parts: number): [number, number][] {
  if (!Number.isInteger(parts) || parts < 1) {
    throw new BeatError('E_RANGE', `cannot split into ${String(parts)} parts (expected a positive integer)`);
  }
  const mixed = mixDataIndices(streams.map(dataIndices));
  if (mixed.length === 0) return [];
  const ends = streams.map((s) => new Set(s.map((u) => u.end)));
  const candidates: number[] = [];
  mixed.forEach(([, e], k) => {
    if (k < mixed.length - 1 && ends.every((set) => set.has(e))) candidates.push(k);
  });
  const cuts: number[] = [];
  for (let j = 1; j < parts; j++) {
    const target = (j * mixed.length) / parts - 1;
    let best = -1;
    let bestDistance = Infinity;
    for (const k of candidates) {
      if (cuts.length > 0 && k <= cuts[cuts.length - 1]!) continue;
      const d = Math.abs(k - target);
      if (d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    }
    if (best >= 0) cuts.push(best);
  }
  const ranges: [number, number][] = [];
  let start = mixed[0]![0];
  for (const k of cuts) {
    ranges.push([start, mixed[k]![1]]);
    start = mixed[k]![1] + 1;
  }
  ranges.push([start, mixed[mixed.length - 1]![1]]);
  return ranges;
}

/**
 * Merge the runs of the parts of a split run, in index order: outputs and skips concatenated,
 * `process()` calls summed, warnings without repeats. Fails (E_SPLIT_MERGE) when two parts write
 * overlapping indices. The merged run is ok iff every part is; its error is the first part's error.
 */
export function mergeSplitRuns(runs: readonly BlockRun[]): BlockRun {
  if (runs.length === 0) throw new BeatError('E_SPLIT_MERGE', 'no runs to merge');
  const sorted = [...runs].sort((a, b) => (a.range?.[0] ?? 0) - (b.range?.[0] ?? 0));
  const merged = emptyRun();
  const failed = sorted.find((r) => !r.ok);
  merged.ok = !failed;
  merged.error = failed?.error ?? null;
  for (const r of sorted) {
    merged.processCalls += r.processCalls;
    for (const w of r.warnings) if (!merged.warnings.includes(w)) merged.warnings.push(w);
    for (const [name, units] of Object.entries(r.outputs)) {
      const into = (merged.outputs[name] ??= []);
      for (const u of units) {
        const previous = into[into.length - 1];
        if (previous && u.start <= previous.end) {
          throw new BeatError(
            'E_SPLIT_MERGE',
            `output '${name}': a unit [${u.start}, ${u.end}] overlaps or precedes the previous part's unit [${previous.start}, ${previous.end}]`,
          );
        }
        into.push(u);
      }
    }
    for (const [name, skips] of Object.entries(r.skipped)) (merged.skipped[name] ??= []).push(...skips);
  }
  const ranges = sorted.map((r) => r.range).filter((r): r is [number, number] => r !== null);
  merged.range = ranges.length ? [ranges[0]![0], ranges[ranges.length - 1]![1]] : null;
  return merged;
}

export interface SplitRun extends BlockRun {
  /** The ranges the run was split into ([] when it ran unsplit). */
  ranges: [number, number][];
  /** Each part's own run. */
  parts: BlockRun[];
}

/**
 * Run a splittable block in up to `parts` parts (§10) and merge the results. Refuses algorithms
 * that are not splittable (E_NOT_SPLITTABLE). With a single possible part it runs unsplit.
 */
export async function executeSplit(req: ExecuteBlockRequest, parts: number): Promise<SplitRun> {
  const registry = req.dataFormats ?? new DataFormatRegistry();
  const { declaration } = checkDeclaration(req.declaration, { dataFormats: registry });
  if (!declaration) {
    const run = await executeBlock({ ...req, dataFormats: registry });
    return { ...run, ranges: [], parts: [] };
  }
  const fail = (e: unknown): SplitRun => ({ ...emptyRun(), error: runError(e, 'inputs'), ranges: [], parts: [] });
  if (!declaration.splittable) {
    return {
      ...emptyRun(),
      error: runError(new BeatError('E_NOT_SPLITTABLE', `algorithm \`${req.name ?? '__unnamed_algorithm__'}' is not splittable`), 'declaration'),
      ranges: [],
      parts: [],
    };
  }
  let ranges: [number, number][];
  try {
    const streams = declaration.groups[0]!.inputs.map((i) => {
      const s: unknown = req.inputs[i.name] ?? [];
      checkStream(i.name, s);
      return s;
    });
    ranges = splitRange(streams, parts);
  } catch (e) {
    return fail(e);
  }
  const base = { ...req, declaration, dataFormats: registry };
  if (ranges.length <= 1) {
    const run = await executeBlock(base);
    return { ...run, ranges: [], parts: [run] };
  }
  const runs: BlockRun[] = [];
  for (const range of ranges) runs.push(await executeBlock({ ...base, range }));
  try {
    return { ...mergeSplitRuns(runs), ranges, parts: runs };
  } catch (e) {
    return { ...emptyRun(), error: runError(e, 'outputs'), ranges, parts: runs };
  }
}
