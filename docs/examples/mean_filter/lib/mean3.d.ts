// Types of mean3.js (the example bundle's filter; tests import it to compute the whole-array reference).
export function meanFilter(a: { dtype: string; shape: number[]; data: ArrayLike<number> }): { dtype: 'float32'; shape: number[]; data: Float32Array };
