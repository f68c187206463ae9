// Analyzer plot results (`plot/bar/1`, `plot/scatter/1`: `{ data: [{ label, x, y }] }`) as uPlot's
// aligned data: one x column (the sorted union of every series' x) and one y column per series, null
// where a series has no point. A series with repeated x values (allowed in a scatter plot) is split
// into several columns of the same label, so every point is kept. Pure (unit-tested in Node).

export interface PlotSeries {
  label: string;
  x: number[];
  y: number[];
}

/** Numbers of an NDArray (structured-cloned: `{ data }`), a typed array or a plain array; null otherwise. */
export function numbersOf(v: unknown): number[] | null {
  if (Array.isArray(v)) return v.every((x) => typeof x === 'number') ? (v as number[]) : null;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>, Number);
  if (typeof v === 'object' && v !== null && 'data' in v) return numbersOf((v as { data: unknown }).data);
  return null;
}

/** The series of a plot result, or null when it is not one. */
export function plotSeries(value: unknown): PlotSeries[] | null {
  if (typeof value !== 'object' || value === null || !Array.isArray((value as { data?: unknown }).data)) return null;
  const out: PlotSeries[] = [];
  for (const s of (value as { data: unknown[] }).data) {
    if (typeof s !== 'object' || s === null) return null;
    const { label, x, y } = s as { label?: unknown; x?: unknown; y?: unknown };
    const xs = numbersOf(x);
    const ys = numbersOf(y);
    if (!xs || !ys || xs.length !== ys.length) return null;
    out.push({ label: typeof label === 'string' ? label : String(label ?? ''), x: xs, y: ys });
  }
  return out;
}

export interface AlignedPlot {
  x: number[];
  /** One column per drawn series (a series with repeated x values gives several). */
  columns: { label: string; series: number; y: (number | null)[] }[];
}

export function alignSeries(series: readonly PlotSeries[]): AlignedPlot {
  const x = [...new Set(series.flatMap((s) => s.x))].sort((a, b) => a - b);
  const at = new Map(x.map((v, i) => [v, i]));
  const columns: AlignedPlot['columns'] = [];
  series.forEach((s, k) => {
    const cols: (number | null)[][] = [];
    const seen = new Map<number, number>();
    s.x.forEach((xv, i) => {
      const rep = seen.get(xv) ?? 0;
      seen.set(xv, rep + 1);
      while (cols.length <= rep) cols.push(x.map(() => null));
      cols[rep]![at.get(xv)!] = s.y[i]!;
    });
    if (!cols.length) cols.push(x.map(() => null));
    for (const y of cols) columns.push({ label: s.label, series: k, y });
  });
  return { x, columns };
}
