// Number and shape text for the viewers' readouts and tables. Pure, no DOM.

/** A value as a user reads it: integers as they are, floats with up to 5 significant digits. */
export function formatValue(v: number): string {
  if (v !== v) return 'NaN';
  if (v === Infinity) return '∞';
  if (v === -Infinity) return '−∞';
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(3);
  return String(Number(v.toPrecision(5)));
}

/** Fixed decimals, with "−0" shown as "0". */
export function fixed(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return formatValue(v);
  const s = v.toFixed(digits);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

export function formatShape(shape: readonly number[]): string {
  return shape.length ? shape.join(' × ') : 'scalar';
}
