// Total-variation denoising (Chambolle), a port of scikit-image 0.19.3
// skimage.restoration.denoise_tv_chambolle with channel_axis=None (`_denoise_tv_chambolle_nd`).
//
// Parity: the arithmetic follows numpy operation by operation, in the same precision:
//   - float64 input → float64 arithmetic and output;
//   - float32 (and float16) input → float32 arithmetic (every intermediate rounded with
//     Math.fround, scalars such as tau cast to float32 as numpy does) and float32 output;
//   - integer / bool input → img_as_float (uint: x·(1/max), signed: max(x·(1/max), -1), bool: 0/1)
//     → float64.
// The energy uses numpy's pairwise summation (blocks of 128 with 8 accumulators, 8192-element
// iterator chunks) so the stopping iteration is the same as skimage's, and results are normally
// bit-identical.
//
// Speed: 1-D, 2-D and 3-D inputs run on WebAssembly SIMD kernels generated at runtime (f32x4 /
// f64x2; WebAssembly arithmetic is IEEE per operation, so the bits are the same). Each iteration
// sweeps rows once: divergence, `out`, gradient, norm and dual update with a one-row (2-D) or
// one-plane (3-D) lag, in preallocated buffers reused across iterations. Without WebAssembly the
// same fused sweep runs in JavaScript (2-D/3-D); other dimensionalities use a generic
// pass-per-operation path.

import { assertNDArray, sizeOf, stridesOf, type NDArray } from '../../core/ndarray';
import { NP_BUFSIZE, npSum } from './numpySum';
import { Asm, encodeModule, F32, F64, I32, uleb, V128 } from './simd';

export interface DenoiseTvChambolleOptions {
  /** Denoising weight (larger = smoother, less fidelity to the input). Default 0.1. */
  weight?: number;
  /** Relative energy change that stops the iteration: |E_{n-1} − E_n| < eps·E_0. Default 2e-4. */
  eps?: number;
  /** Maximal number of iterations. Default 200. */
  maxNumIter?: number;
}

/** `arr.sum()` of a contiguous numpy array, in the array's precision (numpy's pairwise sum, ./numpySum.ts). */
function arraySum(a: Float64Array | Float32Array): number {
  return npSum(a, 0, a.length, a instanceof Float32Array);
}

/** skimage.util.img_as_float for non-float input (float64 result). */
function imgAsFloat64(a: NDArray): Float64Array {
  const n = a.data.length;
  const out = new Float64Array(n);
  const src = a.data as unknown as ArrayLike<number>;
  switch (a.dtype) {
    case 'bool':
      for (let i = 0; i < n; i++) out[i] = src[i] !== 0 ? 1 : 0;
      return out;
    case 'uint8':
    case 'uint16':
    case 'uint32': {
      const s = 1 / (a.dtype === 'uint8' ? 255 : a.dtype === 'uint16' ? 65535 : 4294967295);
      for (let i = 0; i < n; i++) out[i] = src[i]! * s;
      return out;
    }
    case 'int8':
    case 'int16':
    case 'int32': {
      const s = 1 / (a.dtype === 'int8' ? 127 : a.dtype === 'int16' ? 32767 : 2147483647);
      for (let i = 0; i < n; i++) {
        const v = src[i]! * s;
        out[i] = v < -1 ? -1 : v;
      }
      return out;
    }
    default:
      for (let i = 0; i < n; i++) out[i] = src[i]!;
      return out;
  }
}

interface Energy {
  init: number;
  prev: number;
}

/** skimage's stopping rule; returns true to stop. `E` is the iteration's (float64) energy per pixel. */
function converged(i: number, E: number, st: Energy, eps: number): boolean {
  if (i === 0) {
    st.init = E;
    st.prev = E;
    return false;
  }
  if (Math.abs(st.prev - E) < eps * st.init) return true;
  st.prev = E;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Fused 2-D kernels (Y rows × X columns; 1-D data runs as Y = 1). p[0] = py, p[1] = px.

function tv2d64(img: Float64Array, Y: number, X: number, weight: number, eps: number, maxIter: number): Float64Array {
  const N = Y * X;
  const tau = 1 / 4;
  const c = tau / weight;
  const py = new Float64Array(N);
  const px = new Float64Array(N);
  const out = new Float64Array(N);
  const sq = new Float64Array(N);
  const nrm = new Float64Array(N);
  const st: Energy = { init: 0, prev: 0 };
  for (let i = 0; i < maxIter; i++) {
    const first = i === 0;
    // Row 0: divergence and `out` only.
    for (let k = 0; k < X; k++) {
      let d = 0;
      if (!first) {
        d = -(py[k]! + px[k]!);
        if (k > 0) d += px[k - 1]!;
      }
      out[k] = first ? img[k]! : img[k]! + d;
      sq[k] = d * d;
    }
    // Row y: divergence and `out` at (y, x), then gradient and dual update at (y-1, x), whose p
    // values are no longer needed by any later divergence.
    for (let y = 1; y < Y; y++) {
      const b = y * X;
      const e = b + X - 1;
      for (let k = b; k <= e; k++) {
        let d = 0;
        if (!first) {
          d = -(py[k]! + px[k]!);
          d += py[k - X]!;
          if (k > b) d += px[k - 1]!;
        }
        const ok = first ? img[k]! : img[k]! + d;
        out[k] = ok;
        sq[k] = d * d;
        const u = k - X;
        const o = out[u]!;
        const gy = ok - o;
        const gx = k < e ? out[u + 1]! - o : 0;
        let n = Math.sqrt(gy * gy + gx * gx);
        nrm[u] = n;
        n = n * c + 1;
        py[u] = (py[u]! - tau * gy) / n;
        px[u] = (px[u]! - tau * gx) / n;
      }
    }
    // Last row: no forward difference along y.
    {
      const b = (Y - 1) * X;
      const e = b + X - 1;
      for (let u = b; u <= e; u++) {
        const o = out[u]!;
        const gx = u < e ? out[u + 1]! - o : 0;
        let n = Math.sqrt(0 + gx * gx);
        nrm[u] = n;
        n = n * c + 1;
        py[u] = py[u]! / n; // (p − tau·0) / n
        px[u] = (px[u]! - tau * gx) / n;
      }
    }
    const E = (arraySum(sq) + weight * arraySum(nrm)) / N;
    if (converged(i, E, st, eps)) break;
  }
  return out;
}

function tv2d32(img: Float32Array, Y: number, X: number, weight: number, eps: number, maxIter: number): Float32Array {
  const f = Math.fround;
  const N = Y * X;
  const tau = f(1 / 4);
  const c = f(1 / 4 / weight);
  const py = new Float32Array(N);
  const px = new Float32Array(N);
  const out = new Float32Array(N);
  const sq = new Float32Array(N);
  const nrm = new Float32Array(N);
  const st: Energy = { init: 0, prev: 0 };
  // Float32 emulation: every numpy operation's result is rounded with fround (or by the store into
  // a Float32Array). Division by the norm n is done as a multiplication by the float64 reciprocal:
  // for float32 x and n, fround(x · fl64(1/n)) = fround(x / n), because x/n is never within 2^-49
  // (relative) of a float32 rounding boundary while the float64 product is within 2^-52 of x/n.
  for (let i = 0; i < maxIter; i++) {
    const first = i === 0;
    for (let k = 0; k < X; k++) {
      let d = 0;
      if (!first) {
        d = -f(py[k]! + px[k]!);
        if (k > 0) d = f(d + px[k - 1]!);
      }
      out[k] = first ? img[k]! : img[k]! + d;
      sq[k] = d * d;
    }
    for (let y = 1; y < Y; y++) {
      const b = y * X;
      const e = b + X - 1;
      // Carried between columns: px at (y, x-1) (not yet updated this sweep) and out at (y-1, x).
      let pxl = 0;
      let o = out[b - X]!;
      for (let k = b; k <= e; k++) {
        const u = k - X;
        const pyu = py[u]!;
        const pxk = px[k]!;
        let d = 0;
        if (!first) {
          d = -f(py[k]! + pxk);
          d = f(d + pyu);
          if (k > b) d = f(d + pxl);
        }
        pxl = pxk;
        const ok = first ? img[k]! : f(img[k]! + d);
        out[k] = ok;
        sq[k] = d * d;
        const gy = f(ok - o);
        let gx = 0;
        let on = 0;
        if (k < e) {
          on = out[u + 1]!;
          gx = f(on - o);
        }
        const n = f(Math.sqrt(f(f(gy * gy) + f(gx * gx))));
        nrm[u] = n;
        const r = 1 / f(f(n * c) + 1);
        py[u] = f(pyu - f(tau * gy)) * r;
        px[u] = f(px[u]! - f(tau * gx)) * r;
        o = on;
      }
    }
    {
      const b = (Y - 1) * X;
      const e = b + X - 1;
      for (let u = b; u <= e; u++) {
        const o = out[u]!;
        const gx = u < e ? f(out[u + 1]! - o) : 0;
        const n = f(Math.sqrt(f(gx * gx)));
        nrm[u] = n;
        const r = 1 / f(f(n * c) + 1);
        py[u] = py[u]! * r;
        px[u] = f(px[u]! - f(tau * gx)) * r;
      }
    }
    const E = (arraySum(sq) + weight * arraySum(nrm)) / N;
    if (converged(i, E, st, eps)) break;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Fused 3-D kernels (Z × Y × X). Rows r = z·Y + y; the dual update of row r−Y (which needs `out`
// on row r, one plane further) runs right after `out` of row r is computed.

function tv3d64(img: Float64Array, Z: number, Y: number, X: number, weight: number, eps: number, maxIter: number): Float64Array {
  const N = Z * Y * X;
  const P = Y * X;
  const R = Z * Y;
  const tau = 1 / 6;
  const c = tau / weight;
  const pz = new Float64Array(N);
  const py = new Float64Array(N);
  const px = new Float64Array(N);
  const out = new Float64Array(N);
  const sq = new Float64Array(N);
  const nrm = new Float64Array(N);
  const st: Energy = { init: 0, prev: 0 };
  const update = (u: number): void => {
    const zu = Math.floor(u / Y);
    const yu = u - zu * Y;
    const b = u * X;
    const e = b + X - 1;
    const lastZ = zu === Z - 1;
    const lastY = yu === Y - 1;
    for (let k = b; k <= e; k++) {
      const o = out[k]!;
      const gz = lastZ ? 0 : out[k + P]! - o;
      const gy = lastY ? 0 : out[k + X]! - o;
      const gx = k < e ? out[k + 1]! - o : 0;
      let n = Math.sqrt(gz * gz + gy * gy + gx * gx);
      nrm[k] = n;
      n = n * c + 1;
      pz[k] = (pz[k]! - tau * gz) / n;
      py[k] = (py[k]! - tau * gy) / n;
      px[k] = (px[k]! - tau * gx) / n;
    }
  };
  for (let i = 0; i < maxIter; i++) {
    for (let r = 0; r < R; r++) {
      const b = r * X;
      if (i === 0) {
        for (let k = b; k < b + X; k++) {
          out[k] = img[k]!;
          sq[k] = 0;
        }
      } else {
        const z = Math.floor(r / Y);
        const hasZ = z > 0;
        const hasY = r - z * Y > 0;
        for (let k = b; k < b + X; k++) {
          let d = -(pz[k]! + py[k]! + px[k]!);
          if (hasZ) d += pz[k - P]!;
          if (hasY) d += py[k - X]!;
          if (k > b) d += px[k - 1]!;
          out[k] = img[k]! + d;
          sq[k] = d * d;
        }
      }
      if (r >= Y) update(r - Y);
    }
    for (let u = Math.max(0, R - Y); u < R; u++) update(u);
    const E = (arraySum(sq) + weight * arraySum(nrm)) / N;
    if (converged(i, E, st, eps)) break;
  }
  return out;
}

function tv3d32(img: Float32Array, Z: number, Y: number, X: number, weight: number, eps: number, maxIter: number): Float32Array {
  const f = Math.fround;
  const N = Z * Y * X;
  const P = Y * X;
  const R = Z * Y;
  const tau = f(1 / 6);
  const c = f(1 / 6 / weight);
  const pz = new Float32Array(N);
  const py = new Float32Array(N);
  const px = new Float32Array(N);
  const out = new Float32Array(N);
  const sq = new Float32Array(N);
  const nrm = new Float32Array(N);
  const st: Energy = { init: 0, prev: 0 };
  const update = (u: number): void => {
    const zu = Math.floor(u / Y);
    const yu = u - zu * Y;
    const b = u * X;
    const e = b + X - 1;
    const lastZ = zu === Z - 1;
    const lastY = yu === Y - 1;
    for (let k = b; k <= e; k++) {
      const o = out[k]!;
      const gz = lastZ ? 0 : f(out[k + P]! - o);
      const gy = lastY ? 0 : f(out[k + X]! - o);
      const gx = k < e ? f(out[k + 1]! - o) : 0;
      let n = f(Math.sqrt(f(f(f(gz * gz) + f(gy * gy)) + f(gx * gx))));
      nrm[k] = n;
      n = f(f(n * c) + 1);
      pz[k] = f(pz[k]! - f(tau * gz)) / n;
      py[k] = f(py[k]! - f(tau * gy)) / n;
      px[k] = f(px[k]! - f(tau * gx)) / n;
    }
  };
  for (let i = 0; i < maxIter; i++) {
    for (let r = 0; r < R; r++) {
      const b = r * X;
      if (i === 0) {
        for (let k = b; k < b + X; k++) {
          out[k] = img[k]!;
          sq[k] = 0;
        }
      } else {
        const z = Math.floor(r / Y);
        const hasZ = z > 0;
        const hasY = r - z * Y > 0;
        for (let k = b; k < b + X; k++) {
          let d = -f(f(pz[k]! + py[k]!) + px[k]!);
          if (hasZ) d = f(d + pz[k - P]!);
          if (hasY) d = f(d + py[k - X]!);
          if (k > b) d = f(d + px[k - 1]!);
          out[k] = img[k]! + d;
          sq[k] = d * d;
        }
      }
      if (r >= Y) update(r - Y);
    }
    for (let u = Math.max(0, R - Y); u < R; u++) update(u);
    const E = (arraySum(sq) + weight * arraySum(nrm)) / N;
    if (converged(i, E, st, eps)) break;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Generic n-D path (any ndim): one pass per numpy operation, rounding through `round`.

function tvNd(img: Float64Array | Float32Array, shape: readonly number[], weight: number, eps: number, maxIter: number): Float64Array | Float32Array {
  const f32 = img instanceof Float32Array;
  const round = f32 ? Math.fround : (x: number): number => x;
  const Ctor = f32 ? Float32Array : Float64Array;
  const nd = shape.length;
  const N = img.length;
  const strides = stridesOf(shape);
  const tau = round(1 / (2 * nd));
  const c = round(1 / (2 * nd) / weight);
  const p: (Float64Array | Float32Array)[] = shape.map(() => new Ctor(N));
  const g: (Float64Array | Float32Array)[] = shape.map(() => new Ctor(N));
  const d = new Ctor(N);
  const out = new Ctor(N);
  const sq = new Ctor(N);
  const nrm = new Ctor(N);
  const st: Energy = { init: 0, prev: 0 };
  const coord = (k: number, ax: number): number => Math.floor(k / strides[ax]!) % shape[ax]!;
  for (let i = 0; i < maxIter; i++) {
    if (i > 0) {
      for (let k = 0; k < N; k++) {
        let acc = p[0]![k]!;
        for (let ax = 1; ax < nd; ax++) acc = round(acc + p[ax]![k]!);
        d[k] = -acc;
      }
      for (let ax = 0; ax < nd; ax++) {
        const s = strides[ax]!;
        const pa = p[ax]!;
        for (let k = 0; k < N; k++) if (coord(k, ax) >= 1) d[k] = round(d[k]! + pa[k - s]!);
      }
      for (let k = 0; k < N; k++) out[k] = round(img[k]! + d[k]!);
    } else {
      out.set(img);
    }
    for (let k = 0; k < N; k++) sq[k] = round(d[k]! * d[k]!);
    for (let ax = 0; ax < nd; ax++) {
      const s = strides[ax]!;
      const n = shape[ax]!;
      const ga = g[ax]!;
      for (let k = 0; k < N; k++) ga[k] = coord(k, ax) < n - 1 ? round(out[k + s]! - out[k]!) : 0;
    }
    for (let k = 0; k < N; k++) {
      let acc = 0;
      for (let ax = 0; ax < nd; ax++) {
        const v = g[ax]![k]!;
        acc = round(acc + round(v * v));
      }
      nrm[k] = round(Math.sqrt(acc));
    }
    const E = (arraySum(sq) + weight * arraySum(nrm)) / N;
    for (let k = 0; k < N; k++) {
      const n = round(round(nrm[k]! * c) + 1);
      for (let ax = 0; ax < nd; ax++) {
        const pa = p[ax]!;
        pa[k] = round(round(pa[k]! - round(tau * g[ax]![k]!)) / n);
      }
    }
    if (converged(i, E, st, eps)) break;
  }
  return out;
}

/** The generic n-D path, exported for testHooks.ts only (tests compare it with the fused kernels). */
export { tvNd };

// ---------------------------------------------------------------------------------------------
// WebAssembly SIMD kernels (generated at runtime, no build step). WebAssembly float arithmetic is
// IEEE-754 binary32/binary64 with round-to-nearest per operation — exactly what numpy does — so
// these kernels give the same bits as the float32/float64 JavaScript kernels while processing
// 4 (f32x4) or 2 (f64x2) pixels per instruction. Exports, per precision T ∈ {f32, f64}:
//   dT2 / dT3 (img, pz, py, px, pzPrev, pyPrev, out, sq, X): divergence d, out = img + d and d²
//       for one row; pzPrev / pyPrev point at the p row one plane / one row back (or a zero row).
//   uT2 / uT3 (out, outNextY, outNextZ, pz, py, px, nrm, X, tau, c): forward differences of `out`
//       (next-row/plane pointers equal `out` at the far border, giving 0), the norm, and the dual
//       update p = (p − tau·g) / (norm·c + 1) for one row.
//   sT (ptr, n): numpy's pairwise sum of n values (8 accumulators in blocks of ≤ 128).
// If WebAssembly (or SIMD) is unavailable, the JavaScript kernels above are used.

interface Prec {
  t: number; // scalar value type
  bytes: number;
  lanes: number;
  load: number;
  store: number;
  add: number;
  sub: number;
  mul: number;
  div: number;
  sqrt: number;
  neg: number;
  vadd: number;
  vsub: number;
  vmul: number;
  vdiv: number;
  vsqrt: number;
  vneg: number;
  splat: number;
  extract: number;
  konst: (v: number) => number[];
}

const P32: Prec = {
  t: F32,
  bytes: 4,
  lanes: 4,
  load: 0x2a,
  store: 0x38,
  add: 0x92,
  sub: 0x93,
  mul: 0x94,
  div: 0x95,
  sqrt: 0x91,
  neg: 0x8c,
  vadd: 0xe4,
  vsub: 0xe5,
  vmul: 0xe6,
  vdiv: 0xe7,
  vsqrt: 0xe3,
  vneg: 0xe1,
  splat: 0x13,
  extract: 0x1f,
  konst: (v) => [0x43, ...new Uint8Array(new Float32Array([v]).buffer)],
};
const P64: Prec = {
  t: F64,
  bytes: 8,
  lanes: 2,
  load: 0x2b,
  store: 0x39,
  add: 0xa0,
  sub: 0xa1,
  mul: 0xa2,
  div: 0xa3,
  sqrt: 0x9f,
  neg: 0x9a,
  vadd: 0xf0,
  vsub: 0xf1,
  vmul: 0xf2,
  vdiv: 0xf3,
  vsqrt: 0xef,
  vneg: 0xed,
  splat: 0x14,
  extract: 0x21,
  konst: (v) => [0x44, ...new Uint8Array(new Float64Array([v]).buffer)],
};

/** Emit scalar (vector = false) or SIMD arithmetic for one element group at byte offset `o`. */
class Kern {
  constructor(
    readonly a: Asm,
    readonly p: Prec,
    readonly vector: boolean,
  ) {}
  load(base: string, off: string, minus = 0): this {
    this.a.addr(base, off, minus);
    if (this.vector) this.a.simd(0x00, 0, 0);
    else this.a.op(this.p.load, 0, 0);
    return this;
  }
  storeTo(base: string, off: string, value: () => void): this {
    this.a.addr(base, off);
    value();
    if (this.vector) this.a.simd(0x0b, 0, 0);
    else this.a.op(this.p.store, 0, 0);
    return this;
  }
  bin(kind: 'add' | 'sub' | 'mul' | 'div'): this {
    const p = this.p;
    if (this.vector) this.a.simd({ add: p.vadd, sub: p.vsub, mul: p.vmul, div: p.vdiv }[kind]);
    else this.a.op({ add: p.add, sub: p.sub, mul: p.mul, div: p.div }[kind]);
    return this;
  }
  un(kind: 'sqrt' | 'neg'): this {
    const p = this.p;
    if (this.vector) this.a.simd(kind === 'sqrt' ? p.vsqrt : p.vneg);
    else this.a.op(kind === 'sqrt' ? p.sqrt : p.neg);
    return this;
  }
}

/** Row divergence kernel. */
function genD(p: Prec, hasZ: boolean): Asm {
  const a = new Asm(
    [
      ['img', I32],
      ['pz', I32],
      ['py', I32],
      ['px', I32],
      ['pzp', I32],
      ['pyp', I32],
      ['out', I32],
      ['sq', I32],
      ['X', I32],
    ],
    [],
  );
  a.local('o', I32);
  a.local('end', I32);
  a.local('d', p.t);
  a.local('vd', V128);
  const body = (vector: boolean, withPrev: boolean): void => {
    const k = new Kern(a, p, vector);
    const dl = vector ? 'vd' : 'd';
    // d = -((pz + py) + px) + pzPrev + pyPrev (+ px[x-1])
    if (hasZ) k.load('pz', 'o').load('py', 'o').bin('add');
    else k.load('py', 'o');
    k.load('px', 'o').bin('add').un('neg');
    if (hasZ) k.load('pzp', 'o').bin('add');
    k.load('pyp', 'o').bin('add');
    if (withPrev) k.load('px', 'o', p.bytes).bin('add');
    a.set(dl);
    k.storeTo('out', 'o', () => {
      k.load('img', 'o');
      a.get(dl);
      k.bin('add');
    });
    k.storeTo('sq', 'o', () => {
      a.get(dl).get(dl);
      k.bin('mul');
    });
  };
  // x = 0 (no left neighbour)
  a.i32(0).set('o');
  body(false, false);
  a.i32(p.bytes).set('o');
  // vector loop while x + lanes <= X
  a.get('X').i32(p.lanes).op(0x6b).i32(p.bytes).op(0x6c).set('end');
  a.op(0x02, 0x40, 0x03, 0x40);
  a.get('o').get('end').op(0x4a).op(0x0d, 1); // br_if o > end
  body(true, true);
  a.get('o')
    .i32(p.bytes * p.lanes)
    .op(0x6a)
    .set('o');
  a.op(0x0c, 0, 0x0b, 0x0b);
  // scalar tail
  a.get('X').i32(p.bytes).op(0x6c).set('end');
  a.op(0x02, 0x40, 0x03, 0x40);
  a.get('o').get('end').op(0x4e).op(0x0d, 1); // br_if o >= end
  body(false, true);
  a.get('o').i32(p.bytes).op(0x6a).set('o');
  a.op(0x0c, 0, 0x0b, 0x0b);
  return a;
}

/** Row gradient / norm / dual-update kernel. */
function genU(p: Prec, hasZ: boolean): Asm {
  const a = new Asm(
    [
      ['out', I32],
      ['ony', I32],
      ['onz', I32],
      ['pz', I32],
      ['py', I32],
      ['px', I32],
      ['nrm', I32],
      ['X', I32],
      ['tau', p.t],
      ['c', p.t],
    ],
    [],
  );
  a.local('o', I32);
  a.local('end', I32);
  for (const n of ['v', 'gz', 'gy', 'gx', 'n']) a.local(n, p.t);
  for (const n of ['vv', 'vgz', 'vgy', 'vgx', 'vn', 'vtau', 'vc', 'vone']) a.local(n, V128);
  a.get('tau').simd(p.splat).set('vtau');
  a.get('c').simd(p.splat).set('vc');
  a.op(...p.konst(1))
    .simd(p.splat)
    .set('vone');
  const body = (vector: boolean, withGx: boolean): void => {
    const k = new Kern(a, p, vector);
    const L = (n: string): string => (vector ? 'v' + n : n);
    k.load('out', 'o');
    a.set(L('v'));
    if (hasZ) {
      k.load('onz', 'o');
      a.get(L('v'));
      k.bin('sub');
      a.set(L('gz'));
    }
    k.load('ony', 'o');
    a.get(L('v'));
    k.bin('sub');
    a.set(L('gy'));
    if (withGx) {
      k.load('out', 'o', -p.bytes);
      a.get(L('v'));
      k.bin('sub');
    } else if (vector) {
      a.op(...p.konst(0)).simd(p.splat);
    } else {
      a.op(...p.konst(0));
    }
    a.set(L('gx'));
    // n = sqrt((gz² + gy²) + gx²)
    if (hasZ) {
      a.get(L('gz')).get(L('gz'));
      k.bin('mul');
      a.get(L('gy')).get(L('gy'));
      k.bin('mul').bin('add');
    } else {
      a.get(L('gy')).get(L('gy'));
      k.bin('mul');
    }
    a.get(L('gx')).get(L('gx'));
    k.bin('mul').bin('add').un('sqrt');
    a.set(L('n'));
    k.storeTo('nrm', 'o', () => a.get(L('n')));
    // n = n·c + 1
    a.get(L('n')).get(L('c'));
    k.bin('mul');
    if (vector) a.get('vone');
    else a.op(...p.konst(1));
    k.bin('add');
    a.set(L('n'));
    const upd = (arr: string, g: string): void => {
      k.storeTo(arr, 'o', () => {
        k.load(arr, 'o');
        a.get(L('tau')).get(L(g));
        k.bin('mul').bin('sub');
        a.get(L('n'));
        k.bin('div');
      });
    };
    if (hasZ) upd('pz', 'gz');
    upd('py', 'gy');
    upd('px', 'gx');
  };
  a.i32(0).set('o');
  // vector loop while x + lanes <= X - 1
  a.get('X')
    .i32(1 + p.lanes)
    .op(0x6b)
    .i32(p.bytes)
    .op(0x6c)
    .set('end');
  a.op(0x02, 0x40, 0x03, 0x40);
  a.get('o').get('end').op(0x4a).op(0x0d, 1);
  body(true, true);
  a.get('o')
    .i32(p.bytes * p.lanes)
    .op(0x6a)
    .set('o');
  a.op(0x0c, 0, 0x0b, 0x0b);
  // scalar while x < X - 1
  a.get('X').i32(1).op(0x6b).i32(p.bytes).op(0x6c).set('end');
  a.op(0x02, 0x40, 0x03, 0x40);
  a.get('o').get('end').op(0x4e).op(0x0d, 1);
  body(false, true);
  a.get('o').i32(p.bytes).op(0x6a).set('o');
  a.op(0x0c, 0, 0x0b, 0x0b);
  // last column: no forward difference along x
  body(false, false);
  return a;
}

/** numpy pairwise_sum (recursive; function index `self`). */
function genSum(p: Prec, self: number): Asm {
  const a = new Asm(
    [
      ['ptr', I32],
      ['n', I32],
    ],
    [p.t],
  );
  a.local('i', I32);
  a.local('end', I32);
  a.local('res', p.t);
  const nv = 8 / p.lanes; // vectors holding the 8 accumulators
  for (let j = 0; j < nv; j++) a.local('acc' + j, V128);
  const loadAt = (vector: boolean, extra: number): void => {
    // address ptr + i*bytes + extra
    a.get('ptr').get('i').i32(p.bytes).op(0x6c).op(0x6a);
    if (vector) a.simd(0x00, 0, ...uleb(extra));
    else a.op(p.load, 0, ...uleb(extra));
  };
  const scalarTail = (): void => {
    a.op(0x02, 0x40, 0x03, 0x40);
    a.get('i').get('n').op(0x4e).op(0x0d, 1);
    a.get('res');
    loadAt(false, 0);
    a.op(p.add).set('res');
    a.get('i').i32(1).op(0x6a).set('i');
    a.op(0x0c, 0, 0x0b, 0x0b);
  };
  // n < 8: res = 0; res += a[i]
  a.get('n').i32(8).op(0x48); // lt_s
  a.op(0x04, 0x40);
  a.op(...p.konst(0)).set('res');
  a.i32(0).set('i');
  scalarTail();
  a.get('res').op(0x0f);
  a.op(0x0b);
  // n <= 128: 8 accumulators
  a.get('n').i32(128).op(0x4c); // le_s
  a.op(0x04, 0x40);
  a.i32(0).set('i');
  for (let j = 0; j < nv; j++) {
    loadAt(true, 16 * j);
    a.set('acc' + j);
  }
  a.i32(8).set('i');
  a.get('n').i32(-8).op(0x71).set('end'); // n - n % 8
  a.op(0x02, 0x40, 0x03, 0x40);
  a.get('i').get('end').op(0x4e).op(0x0d, 1);
  for (let j = 0; j < nv; j++) {
    a.get('acc' + j);
    loadAt(true, 16 * j);
    a.simd(p.vadd).set('acc' + j);
  }
  a.get('i').i32(8).op(0x6a).set('i');
  a.op(0x0c, 0, 0x0b, 0x0b);
  // res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
  const r = (j: number): void => {
    a.get('acc' + Math.floor(j / p.lanes)).simd(p.extract, j % p.lanes);
  };
  const pair = (j: number): void => {
    r(j);
    r(j + 1);
    a.op(p.add);
  };
  pair(0);
  pair(2);
  a.op(p.add);
  pair(4);
  pair(6);
  a.op(p.add);
  a.op(p.add).set('res');
  scalarTail();
  a.get('res').op(0x0f);
  a.op(0x0b);
  // split: n2 = (n / 2) - (n / 2) % 8
  a.get('n').i32(1).op(0x76).i32(-8).op(0x71).set('end');
  a.get('ptr')
    .get('end')
    .op(0x10, ...uleb(self));
  a.get('ptr')
    .get('end')
    .i32(p.bytes)
    .op(0x6c)
    .op(0x6a)
    .get('n')
    .get('end')
    .op(0x6b)
    .op(0x10, ...uleb(self));
  a.op(p.add);
  return a;
}

function buildModule(): Uint8Array {
  const fns: { name: string; asm: Asm }[] = [];
  for (const [tag, p] of [
    ['32', P32],
    ['64', P64],
  ] as const) {
    fns.push({ name: `d${tag}2`, asm: genD(p, false) });
    fns.push({ name: `d${tag}3`, asm: genD(p, true) });
    fns.push({ name: `u${tag}2`, asm: genU(p, false) });
    fns.push({ name: `u${tag}3`, asm: genU(p, true) });
    fns.push({ name: `s${tag}`, asm: genSum(p, fns.length) });
  }
  return encodeModule(fns, 1);
}

type DFn = (img: number, pz: number, py: number, px: number, pzp: number, pyp: number, out: number, sq: number, X: number) => void;
type UFn = (out: number, ony: number, onz: number, pz: number, py: number, px: number, nrm: number, X: number, tau: number, c: number) => void;
type SFn = (ptr: number, n: number) => number;
interface TvWasm {
  mem: WebAssembly.Memory;
  d32: [DFn, DFn];
  u32: [UFn, UFn];
  s32: SFn;
  d64: [DFn, DFn];
  u64: [UFn, UFn];
  s64: SFn;
}

let wasmModule: WebAssembly.Module | null | undefined;
let wasmShared: TvWasm | null = null;
/** Memory kept by the shared instance between calls; larger jobs get a throw-away instance. */
const KEEP_BYTES = 64 * 1024 * 1024;

function instantiate(module: WebAssembly.Module): TvWasm {
  const e = new WebAssembly.Instance(module, {}).exports as Record<string, unknown>;
  return {
    mem: e.mem as WebAssembly.Memory,
    d32: [e.d322 as DFn, e.d323 as DFn],
    u32: [e.u322 as UFn, e.u323 as UFn],
    s32: e.s32 as SFn,
    d64: [e.d642 as DFn, e.d643 as DFn],
    u64: [e.u642 as UFn, e.u643 as UFn],
    s64: e.s64 as SFn,
  };
}

/**
 * Kernels with at least `bytes` of memory, or null where WebAssembly SIMD is unavailable or the
 * memory cannot be had (the JavaScript kernels are used then).
 */
function tvWasm(bytes = 0): TvWasm | null {
  if (wasmModule === undefined) {
    wasmModule = null;
    try {
      if (typeof WebAssembly === 'object' && !disableWasm) wasmModule = new WebAssembly.Module(buildModule() as BufferSource);
    } catch {
      wasmModule = null;
    }
  }
  if (!wasmModule) return null;
  try {
    const big = bytes > KEEP_BYTES;
    const w = big ? instantiate(wasmModule) : (wasmShared ??= instantiate(wasmModule));
    const have = w.mem.buffer.byteLength;
    if (bytes > have) w.mem.grow(Math.ceil((bytes - have) / 65536));
    return w;
  } catch {
    return null;
  }
}

let disableWasm = false;
/** Which kernels denoiseTvChambolle uses for 1-3-D data here: 'wasm' (SIMD) or 'js'. */
export function tvBackend(): 'wasm' | 'js' {
  return tvWasm() ? 'wasm' : 'js';
}
/** For testHooks.ts only (tests, benchmarks): force the JavaScript kernels (true) or allow WebAssembly again (false). */
export function setTvWasmDisabled(disabled: boolean): void {
  disableWasm = disabled;
  wasmModule = undefined;
  wasmShared = null;
}

/**
 * TV iterations with the WebAssembly kernels for 1-D, 2-D (Z = 1) and 3-D data. Returns null when
 * WebAssembly is unavailable or memory cannot grow (the caller falls back to JavaScript).
 */
function tvWasmRun(
  img: Float32Array | Float64Array,
  Z: number,
  Y: number,
  X: number,
  nd: number,
  weight: number,
  eps: number,
  maxIter: number,
): Float32Array | Float64Array | null {
  const f32 = img instanceof Float32Array;
  const B = f32 ? 4 : 8;
  const N = Z * Y * X;
  const hasZ = nd === 3;
  const align = (n: number): number => Math.ceil(n / 16) * 16;
  const rowBytes = align(X * B);
  const arr = align(N * B);
  // Layout: zero row | img | pz | py | px | out | sq | nrm
  const zero = 0;
  const pImg = rowBytes;
  const pPz = pImg + arr;
  const pPy = pPz + (hasZ ? arr : 0);
  const pPx = pPy + arr;
  const pOut = pPx + arr;
  const pSq = pOut + arr;
  const pNrm = pSq + arr;
  const total = pNrm + arr;
  if (total > 2 ** 31) return null;
  const w = tvWasm(total);
  if (!w) return null;
  const buf = w.mem.buffer;
  const T = f32 ? Float32Array : Float64Array;
  new Uint8Array(buf, 0, total).fill(0);
  new T(buf, pImg, N).set(img);
  const d = (f32 ? w.d32 : w.d64)[hasZ ? 1 : 0];
  const u = (f32 ? w.u32 : w.u64)[hasZ ? 1 : 0];
  const s = f32 ? w.s32 : w.s64;
  const tauD = 1 / (2 * nd);
  const tau = f32 ? Math.fround(tauD) : tauD;
  const c = f32 ? Math.fround(tauD / weight) : tauD / weight;
  const sum = (ptr: number): number => {
    let res = 0;
    for (let st = 0; st < N; st += NP_BUFSIZE) {
      const v = s(ptr + st * B, Math.min(NP_BUFSIZE, N - st));
      res = f32 ? Math.fround(res + v) : res + v;
    }
    return res;
  };
  const R = Z * Y;
  const L = hasZ ? Y : 1; // rows between a row and the one its forward differences need last
  const rb = X * B;
  const update = (r: number): void => {
    const z = Math.floor(r / Y);
    const y = r - z * Y;
    const o = r * rb;
    const ony = y < Y - 1 ? o + rb : o;
    const onz = z < Z - 1 ? o + Y * rb : o;
    u(pOut + o, pOut + ony, pOut + onz, pPz + o, pPy + o, pPx + o, pNrm + o, X, tau, c);
  };
  const st: Energy = { init: 0, prev: 0 };
  for (let i = 0; i < maxIter; i++) {
    for (let r = 0; r < R; r++) {
      const z = Math.floor(r / Y);
      const y = r - z * Y;
      const o = r * rb;
      const pzp = hasZ && z > 0 ? pPz + o - Y * rb : zero;
      // 2-D data runs with Z = 1 and rows r = y; its "y" axis is the p_y array.
      const pyp = y > 0 ? pPy + o - rb : zero;
      d(pImg + o, pPz + o, pPy + o, pPx + o, pzp, pyp, pOut + o, pSq + o, X);
      if (r >= L) update(r - L);
    }
    for (let r = Math.max(0, R - L); r < R; r++) update(r);
    const E = (sum(pSq) + weight * sum(pNrm)) / N;
    if (converged(i, E, st, eps)) break;
  }
  return new T(buf, pOut, N).slice();
}

/**
 * Total-variation denoising (Chambolle's projection algorithm) of an n-D image; parity with
 * skimage.restoration.denoise_tv_chambolle(image, weight, eps, max_num_iter, channel_axis=None).
 * Returns float32 for float32/float16 input, float64 otherwise (integers are scaled as img_as_float).
 */
export function denoiseTvChambolle(image: NDArray, opts: DenoiseTvChambolleOptions = {}): NDArray<'float32' | 'float64'> {
  assertNDArray(image, 'denoiseTvChambolle: image');
  const weight = opts.weight ?? 0.1;
  const eps = opts.eps ?? 2e-4;
  const maxNumIter = opts.maxNumIter ?? 200;
  if (!(typeof weight === 'number' && weight > 0 && Number.isFinite(weight))) {
    throw new Error(`denoiseTvChambolle: weight must be a positive finite number, got ${String(weight)}.`);
  }
  if (!(typeof eps === 'number' && eps >= 0)) throw new Error(`denoiseTvChambolle: eps must be a number ≥ 0, got ${String(eps)}.`);
  if (!Number.isInteger(maxNumIter) || maxNumIter < 1) {
    throw new Error(`denoiseTvChambolle: maxNumIter must be an integer ≥ 1, got ${String(maxNumIter)}.`);
  }
  const shape = [...image.shape];
  if (shape.length === 0) throw new Error('denoiseTvChambolle: image must have at least one dimension.');
  let data: Float32Array | Float64Array;
  if (image.dtype === 'float64') data = image.data as Float64Array;
  else if (image.dtype === 'float32') data = image.data as Float32Array;
  else if (image.dtype === 'float16') data = Float32Array.from(image.data as unknown as ArrayLike<number>);
  else data = imgAsFloat64(image);
  const N = sizeOf(shape);
  const dtype = data instanceof Float32Array ? 'float32' : 'float64';
  if (N === 0) return { dtype, shape, data: data.slice() } as NDArray<'float32' | 'float64'>;
  let out: Float32Array | Float64Array | null = null;
  const nd = shape.length;
  if (nd <= 3) {
    const Z = nd === 3 ? shape[0]! : 1;
    const Y = nd >= 2 ? shape[nd - 2]! : 1;
    const X = shape[nd - 1]!;
    out = tvWasmRun(data, Z, Y, X, nd, weight, eps, maxNumIter);
    if (!out) {
      if (nd === 1) out = tvNd(data, shape, weight, eps, maxNumIter);
      else if (nd === 2) out = data instanceof Float32Array ? tv2d32(data, Y, X, weight, eps, maxNumIter) : tv2d64(data, Y, X, weight, eps, maxNumIter);
      else out = data instanceof Float32Array ? tv3d32(data, Z, Y, X, weight, eps, maxNumIter) : tv3d64(data, Z, Y, X, weight, eps, maxNumIter);
    }
  } else {
    out = tvNd(data, shape, weight, eps, maxNumIter);
  }
  return { dtype, shape, data: out } as NDArray<'float32' | 'float64'>;
}
