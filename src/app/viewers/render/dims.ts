// How the app writes an image's size, everywhere (dataset list, stacks, viewer header and status line):
// width × height, then depth for a volume ("W × H × Z"), then the other axes named — "512 × 512 · 3 ch
// (RGB)", "512 × 384 × 40", "256 × 256 × 12 · 2 ch · 5 t". The stored array shape (NGFF order t, c, z,
// y, x: height before width) is said in the tooltip. Pure, no DOM: unit-tested in tests/unit/dims.test.ts.
import type { ImageAxes } from '../../../core/imageAxes';

export interface DimsText {
  /** "512 × 384 · 3 ch (RGB)". */
  text: string;
  /** The tooltip: the convention and the stored shape with its axes. */
  title: string;
}

/** "384 × 303" (width × height). */
export function formatWH(width: number, height: number): string {
  return `${width} × ${height}`;
}

const CONVENTION = 'Sizes are written width × height (× depth); channels (ch) and time points (t) after a dot.';

function isRgb(ax: ImageAxes): boolean {
  return ax.channels.length === 3 && ax.channels.map((c) => c.label.toLowerCase()).join(',') === 'red,green,blue';
}

/**
 * An array's size as the app writes it. `axes`: what its dimensions are (the field's axes or their
 * defaults); without y and x it is no image: its shape as stored ("10 × 3", "scalar").
 */
export function dimsText(shape: readonly number[], axes: ImageAxes | null): DimsText {
  const stored = `[${shape.join(', ')}]`;
  const names = axes && axes.axes.length === shape.length ? axes.axes.map((a) => a.name) : null;
  const at = (n: string) => (names ? names.indexOf(n) : -1);
  const [x, y] = [at('x'), at('y')];
  if (!names || x < 0 || y < 0) {
    const text = shape.length ? shape.join(' × ') : 'scalar';
    return { text, title: `Stored shape ${stored}${names ? ` (${names.join(', ')})` : ''}; not an image, so written as stored.` };
  }
  let text = formatWH(shape[x]!, shape[y]!);
  const z = at('z');
  if (z >= 0) text += ` × ${shape[z]}`;
  const c = at('c');
  if (c >= 0) text += ` · ${shape[c]} ch${isRgb(axes!) ? ' (RGB)' : ''}`;
  const t = at('t');
  if (t >= 0) text += ` · ${shape[t]} t`;
  for (let i = 0; i < names.length; i++) if (!['x', 'y', 'z', 'c', 't'].includes(names[i]!)) text += ` · ${shape[i]} ${names[i]}`;
  const what = ['width', 'height', z >= 0 ? 'depth (Z)' : ''].filter(Boolean).join(' × ');
  const channels = c >= 0 && axes!.channels.length ? ` Channels: ${axes!.channels.map((ch) => ch.label).join(', ')}.` : '';
  return { text, title: `${what}. ${CONVENTION} Stored shape ${stored} (${names.join(', ')}).${channels}` };
}
