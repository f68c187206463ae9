// What a dataset row says about its main field's axes metadata (issue 14), compactly: its channels
// ("3 ch", their names in the tooltip), its Z and T sizes and its pixel size ("0.325 µm/px"). Only
// stored metadata is summarised (defaults say nothing the dims do not). Pure: tests/unit/viewerChannels.test.ts.
import { unitSymbol, type ImageAxes } from '../../core/imageAxes';

export interface AxesSummary {
  /** "3 ch", and the channel names one per line; null without a 'c' axis. */
  channels: { text: string; title: string } | null;
  /** "Z 16"; null without a 'z' axis. */
  z: string | null;
  /** "T 10"; null without a 't' axis. */
  t: string | null;
  /** "0.325 µm/px" (x's pixel size; "0.325×0.5 µm/px" when y's differs); null when x has no unit. */
  pixel: string | null;
}

const num = (v: number) => String(Number(v.toPrecision(4)));

export function axesSummary(field: { shape: readonly number[]; axes?: ImageAxes } | null | undefined): AxesSummary | null {
  const ax = field?.axes;
  if (!field || !ax) return null;
  const dim = (name: string) => ax.axes.findIndex((a) => a.name === name);
  const size = (name: string) => (dim(name) >= 0 ? field.shape[dim(name)]! : null);
  const c = size('c');
  const z = size('z');
  const t = size('t');
  const x = ax.axes[dim('x')];
  const y = ax.axes[dim('y')];
  let pixel: string | null = null;
  if (x?.unit) {
    const sameY = !y || (y.scale === x.scale && y.unit === x.unit);
    pixel = `${num(x.scale)}${sameY ? '' : `×${num(y.scale)}`} ${unitSymbol(x.unit)}/px`;
  }
  return {
    channels: c !== null ? { text: `${c} ch`, title: ax.channels.map((ch) => ch.label).join('\n') } : null,
    z: z !== null ? `Z ${z}` : null,
    t: t !== null ? `T ${t}` : null,
    pixel,
  };
}
