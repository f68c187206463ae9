// Indexed data streams: what an input reads and what an output produces. A stream is an ordered list
// of data units `{ data, start, end }`; a unit covers the inclusive index interval [start, end] of its
// channel's time axis. Pure TS.

import { BeatError } from './errors';

export interface DataUnit<T = unknown> {
  data: T;
  start: number;
  end: number;
}

export type DataStream<T = unknown> = readonly DataUnit<T>[];

/** An inclusive index interval [start, end]. */
export type IndexRange = readonly [number, number];

/**
 * Check that `units` is a stream: an array of `{ data, start, end }` with integer indices,
 * start ≤ end, in increasing order and not overlapping (gaps are allowed: a skipped unit upstream
 * leaves one). Throws E_INPUT_STREAM naming the input and the unit.
 */
export function checkStream(name: string, units: unknown): asserts units is DataStream {
  if (!Array.isArray(units)) {
    throw new BeatError('E_INPUT_STREAM', `input '${name}': expected an array of data units {data, start, end}`);
  }
  let previousEnd = -Infinity;
  units.forEach((u: unknown, i) => {
    if (typeof u !== 'object' || u === null || !('start' in u) || !('end' in u) || !('data' in u)) {
      throw new BeatError('E_INPUT_STREAM', `input '${name}': unit ${i} is not a data unit {data, start, end}`);
    }
    const { start, end } = u as { start: unknown; end: unknown };
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || (start as number) < 0 || (end as number) < (start as number)) {
      throw new BeatError(
        'E_INPUT_STREAM',
        `input '${name}': unit ${i} has invalid indices [${String(start)}, ${String(end)}] (expected integers 0 ≤ start ≤ end)`,
      );
    }
    if ((start as number) <= previousEnd) {
      throw new BeatError(
        'E_INPUT_STREAM',
        `input '${name}': unit ${i} [${String(start)}, ${String(end)}] overlaps or precedes the previous unit (which ends at ${previousEnd})`,
      );
    }
    previousEnd = end as number;
  });
}

/** The [start, end] pairs of a stream. */
export function dataIndices(stream: DataStream): [number, number][] {
  return stream.map((u) => [u.start, u.end]);
}

/** Position of the unit of `stream` containing `index`, or -1 (binary search; streams are ordered). */
export function unitIndexAt(stream: DataStream, index: number): number {
  let lo = 0;
  let hi = stream.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const u = stream[mid]!;
    if (index < u.start) hi = mid - 1;
    else if (index > u.end) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** The units of `stream` lying entirely inside `range` (how upstream restricts a split run, §10). */
export function restrictToRange<T>(stream: DataStream<T>, range: IndexRange | null | undefined): DataStream<T> {
  if (!range) return stream;
  return stream.filter((u) => u.start >= range[0] && u.end <= range[1]);
}

/**
 * The finest-grained list of intervals spanning several synchronized streams (upstream
 * `mixDataIndices`): from the largest first start to the smallest last end, cut after every index
 * that ends a unit of some stream. `[(0,2),(3,4)] ⊕ [(0,1),(2,3),(4,4)] = [(0,1),(2,2),(3,3),(4,4)]`.
 * A list containing an empty stream gives no intervals.
 */
export function mixDataIndices(lists: readonly (readonly (readonly [number, number])[])[]): [number, number][] {
  if (lists.length === 0 || lists.some((l) => l.length === 0)) return [];
  const start = Math.max(...lists.map((l) => l[0]![0]));
  const end = Math.min(...lists.map((l) => l[l.length - 1]![1]));
  const ends = new Set<number>();
  for (const l of lists) for (const [, e] of l) if (e >= start && e <= end) ends.add(e);
  const result: [number, number][] = [];
  let current = start;
  for (const e of [...ends].sort((a, b) => a - b)) {
    result.push([current, e]);
    current = e + 1;
  }
  return result;
}
