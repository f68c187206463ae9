// The sliders of a hyperstack (one per axis that is neither the channel axis nor y/x: Z, T, dim_*), and
// their keys: `,` / `.` (and `<` / `>`, Page Up / Down) step Z as in VolumeView, `[` / `]` step T; each
// slider's tooltip names its keys.
import type { KeyboardEvent } from 'react';
import { SliceSlider } from './controls';
import type { SliderAxis } from './render/hyperstack';
import { physicalText } from './render/scaleBar';

/** Keys that step an axis by −1 / +1. */
const AXIS_KEYS: Record<string, [string, number]> = {
  ',': ['z', -1],
  '<': ['z', -1],
  PageUp: ['z', -1],
  '.': ['z', 1],
  '>': ['z', 1],
  PageDown: ['z', 1],
  '[': ['t', -1],
  ']': ['t', 1],
};

const KEY_HELP: Record<string, string> = {
  z: 'Keys: , and . (or < and >, Page Up and Page Down) step Z',
  t: 'Keys: [ and ] step T',
};

function isFormField(t: EventTarget): boolean {
  return t instanceof HTMLInputElement || t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement;
}

/** The slider (its index among `sliders`) and step a key asks for outside form fields, or null. */
export function axisKeyStep(e: KeyboardEvent, sliders: readonly SliderAxis[]): [number, number] | null {
  const k = AXIS_KEYS[e.key];
  if (!k || e.ctrlKey || e.metaKey || e.altKey || isFormField(e.target)) return null;
  const a = sliders.findIndex((s) => s.axis.name === k[0]);
  return a < 0 ? null : [a, k[1]];
}

export interface AxisSlidersProps {
  sliders: readonly SliderAxis[];
  /** The index on each slider. */
  position: readonly number[];
  onSet(slider: number, index: number): void;
  onStep(slider: number, delta: number): void;
}

/** One `SliceSlider` per axis (`axis-slider-<name>`), labelled with the axis name, describing the physical position. */
export function AxisSliders({ sliders, position, onSet, onStep }: AxisSlidersProps) {
  return (
    <>
      {sliders.map((s, i) => (
        <div key={s.dim} title={KEY_HELP[s.axis.name]}>
          <SliceSlider
            testId={`axis-slider-${s.axis.name}`}
            nav={{
              index: position[i]!,
              count: s.size,
              label: s.axis.name.toUpperCase(),
              describe: s.axis.unit ? (v) => physicalText(s.axis, v) ?? '' : undefined,
              onChange: (v) => onSet(i, v),
              step: (d) => onStep(i, d),
            }}
          />
        </div>
      ))}
    </>
  );
}
