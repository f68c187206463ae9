// Types of pca.block.js (plain JS module text, installed as a BEAT block; Node tests import it directly).
import type { InputList, OutputList, ParameterValue } from '../core/beat';
import type { NDArray } from '../core/ndarray';

/** Eigen-decomposition of a symmetric n×n matrix (row-major) by cyclic Jacobi rotations: eigenvectors are the columns of `vectors`, unsorted. */
export function symmetricEigen(matrix: ArrayLike<number>, n: number): { values: Float64Array; vectors: Float64Array };

export interface LinearMachine {
  input_subtract: NDArray<'float64'>;
  input_divide: NDArray<'float64'>;
  /** D rows × k columns. */
  weights: NDArray<'float64'>;
  biases: NDArray<'float64'>;
}

/** PCA of N flattened samples of D values: covariance method when N ≥ D, Gram-matrix ("snapshot") method when N < D. */
export function pca(samples: readonly ArrayLike<number>[], k: number): { machine: LinearMachine; eigenvalues: number[]; method: 'covariance' | 'gram' };

export class Algorithm {
  setup(parameters: Record<string, ParameterValue>): boolean;
  process(inputs: InputList, outputs: OutputList): boolean;
}
