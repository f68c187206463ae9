// Small WebAssembly (SIMD) emitter / loader shared by image kernels, generated at run time (no build
// step), plus the `image > t` mask kernels used by applyThreshold.
//
// The module is compiled once, lazily; if WebAssembly or its SIMD proposal is unavailable the
// compile throws and callers fall back to JavaScript (`simdMask` returns false). Comparisons are
// IEEE (f32x4.gt / f64x2.gt: NaN compares false, -0 == +0) or exact unsigned integer compares, so
// the masks are bit-identical to the JavaScript loop `out[i] = d[i] > t ? 1 : 0`.

export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** Minimal function-body assembler with named locals. */
export class Asm {
  readonly code: number[] = [];
  private readonly names = new Map<string, number>();
  private readonly extra: number[] = [];
  constructor(
    readonly params: [string, number][],
    readonly results: number[],
  ) {
    params.forEach(([n], i) => this.names.set(n, i));
  }
  local(name: string, type: number): this {
    this.names.set(name, this.params.length + this.extra.length);
    this.extra.push(type);
    return this;
  }
  private idx(name: string): number {
    const i = this.names.get(name);
    if (i === undefined) throw new Error(`wasm assembler: unknown local ${name}`);
    return i;
  }
  op(...bytes: number[]): this {
    for (const b of bytes) this.code.push(b);
    return this;
  }
  get(name: string): this {
    return this.op(0x20, ...uleb(this.idx(name)));
  }
  set(name: string): this {
    return this.op(0x21, ...uleb(this.idx(name)));
  }
  i32(v: number): this {
    return this.op(0x41, ...sleb(v));
  }
  simd(code: number, ...imm: number[]): this {
    return this.op(0xfd, ...uleb(code), ...imm);
  }
  /** Address get(base) + get(off) (− minus) on the stack. */
  addr(base: string, off: string, minus = 0): this {
    this.get(base).get(off).op(0x6a);
    if (minus) this.i32(minus).op(0x6b);
    return this;
  }
  /** v128.load from get(base) + byte offset. */
  load(base: string, offset = 0): this {
    return this.get(base).simd(0x00, 0, ...uleb(offset));
  }
  body(): number[] {
    const runs: [number, number][] = [];
    for (const t of this.extra) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    const b = [...uleb(runs.length), ...runs.flatMap(([c, t]) => [...uleb(c), t]), ...this.code, 0x0b];
    return [...uleb(b.length), ...b];
  }
}

/** Encode a module with the given functions (exported by name) and one exported memory `mem`. */
export function encodeModule(fns: readonly { name: string; asm: Asm }[], memPages: number): Uint8Array {
  const section = (id: number, payload: number[]): number[] => [id, ...uleb(payload.length), ...payload];
  const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
  const str = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];
  const types = fns.map(({ asm }) => [0x60, ...uleb(asm.params.length), ...asm.params.map(([, t]) => t), ...uleb(asm.results.length), ...asm.results]);
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec(types)),
    ...section(3, vec(fns.map((_, i) => uleb(i)))),
    ...section(5, vec([[0x00, ...uleb(memPages)]])),
    ...section(7, vec([...fns.map(({ name }, i) => [...str(name), 0x00, ...uleb(i)]), [...str('mem'), 0x02, 0]])),
    ...section(10, vec(fns.map(({ asm }) => asm.body()))),
  ]);
}

/** Compile and instantiate `bytes`, or null when WebAssembly (SIMD) is unavailable. */
export function loadModule(bytes: Uint8Array): Record<string, unknown> | null {
  try {
    if (typeof WebAssembly !== 'object') return null;
    return new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource), {}).exports as Record<string, unknown>;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// `image > t` masks. gtK(src, dst, blocks, t) writes 16 uint8 0/1 values per block from 16
// elements at src (byte address) to dst. K ∈ u8, u16 (t: i32, unsigned compare), f32, f64.

type Kind = 'u8' | 'u16' | 'f32' | 'f64';
const BYTES: Record<Kind, number> = { u8: 1, u16: 2, f32: 4, f64: 8 };
/** Elements per chunk copied into wasm memory. */
export const SIMD_CHUNK = 1 << 16;
const IN_OFF = 0;
const OUT_OFF = SIMD_CHUNK * 8;

function genGt(kind: Kind): Asm {
  const tType = kind === 'f32' ? F32 : kind === 'f64' ? F64 : I32;
  const a = new Asm(
    [
      ['src', I32],
      ['dst', I32],
      ['n', I32],
      ['t', tType],
    ],
    [],
  );
  a.local('vt', V128).local('ones', V128);
  const splat = { u8: 0x0f, u16: 0x10, f32: 0x13, f64: 0x14 }[kind];
  a.get('t').simd(splat).set('vt');
  a.i32(1).simd(0x0f).set('ones');
  const gt = { u8: 0x28, u16: 0x32, f32: 0x44, f64: 0x4a }[kind];
  const cmp = (off: number): void => {
    a.load('src', off).get('vt').simd(gt);
  };
  const narrow16 = (): void => void a.simd(0x65); // i8x16.narrow_i16x8_s: -1 → -1, 0 → 0
  const narrow32 = (): void => void a.simd(0x85); // i16x8.narrow_i32x4_s
  // f64x2 masks pair → i32x4 mask (low word of each 64-bit lane).
  const pack64 = (): void => void a.simd(0x0d, 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
  a.op(0x02, 0x40, 0x03, 0x40); // block, loop
  a.get('n').op(0x45, 0x0d, 1); // n == 0 → break
  a.get('dst');
  if (kind === 'u8') {
    cmp(0);
  } else if (kind === 'u16') {
    cmp(0);
    cmp(16);
    narrow16();
  } else if (kind === 'f32') {
    cmp(0);
    cmp(16);
    narrow32();
    cmp(32);
    cmp(48);
    narrow32();
    narrow16();
  } else {
    for (let h = 0; h < 2; h++) {
      cmp(h * 64);
      cmp(h * 64 + 16);
      pack64();
      cmp(h * 64 + 32);
      cmp(h * 64 + 48);
      pack64();
      narrow32();
    }
    narrow16();
  }
  a.get('ones').simd(0x4e); // v128.and
  a.simd(0x0b, 0, 0); // v128.store
  a.get('src')
    .i32(16 * BYTES[kind])
    .op(0x6a)
    .set('src');
  a.get('dst').i32(16).op(0x6a).set('dst');
  a.get('n').i32(1).op(0x6b).set('n');
  a.op(0x0c, 0, 0x0b, 0x0b); // br loop; end loop; end block
  return a;
}

type GtFn = (src: number, dst: number, n: number, t: number) => void;
interface GtWasm {
  fns: Record<Kind, GtFn>;
  u8: Uint8Array;
  u16: Uint16Array;
  f32: Float32Array;
  f64: Float64Array;
}

let gtWasm: GtWasm | null | undefined;
let disabled = false;

function getGt(): GtWasm | null {
  if (gtWasm !== undefined) return gtWasm;
  gtWasm = null;
  if (disabled) return null;
  const kinds: Kind[] = ['u8', 'u16', 'f32', 'f64'];
  const pages = Math.ceil((OUT_OFF + SIMD_CHUNK) / 65536);
  const e = loadModule(
    encodeModule(
      kinds.map((k) => ({ name: `gt_${k}`, asm: genGt(k) })),
      pages,
    ),
  );
  if (!e) return null;
  const buf = (e.mem as WebAssembly.Memory).buffer;
  gtWasm = {
    fns: Object.fromEntries(kinds.map((k) => [k, e[`gt_${k}`] as GtFn])) as Record<Kind, GtFn>,
    u8: new Uint8Array(buf),
    u16: new Uint16Array(buf, IN_OFF, SIMD_CHUNK),
    f32: new Float32Array(buf, IN_OFF, SIMD_CHUNK),
    f64: new Float64Array(buf, IN_OFF, SIMD_CHUNK),
  };
  return gtWasm;
}

/** Which backend applyThreshold uses for scalar thresholds here: 'wasm' (SIMD) or 'js'. */
export function simdBackend(): 'wasm' | 'js' {
  return getGt() ? 'wasm' : 'js';
}

/** Tests / benchmarks: force the JavaScript kernels (true) or allow WebAssembly again (false). */
export function _setSimdDisabled(value: boolean): void {
  disabled = value;
  gtWasm = undefined;
}

type Typed = Uint8Array | Uint16Array | Float32Array | Float64Array;

/**
 * out[i] = d[i] > t ? 1 : 0 with WebAssembly SIMD. `t` must not be NaN; for Float32Array data it
 * must be a float32 value or ±Infinity (the caller applies numpy's casting). Returns false (out
 * untouched) when SIMD is unavailable or the data type is not handled.
 */
export function simdGtMask(d: ArrayLike<number>, t: number, out: Uint8Array): boolean {
  let kind: Kind;
  let ti = t;
  if (d instanceof Uint8Array || d instanceof Uint16Array) {
    const max = d instanceof Uint8Array ? 255 : 65535;
    // Integer data: v > t ⇔ v > floor(t); outside [0, max) the answer is constant.
    if (t < 0 || t >= max) {
      out.fill(t < 0 ? 1 : 0);
      return true;
    }
    ti = Math.floor(t);
    kind = d instanceof Uint8Array ? 'u8' : 'u16';
  } else if (d instanceof Float32Array) {
    if (Math.fround(t) !== t) return false;
    kind = 'f32';
  } else if (d instanceof Float64Array) {
    kind = 'f64';
  } else {
    return false;
  }
  const w = getGt();
  if (!w) return false;
  const src = d as Typed;
  const fn = w.fns[kind];
  const view = w[kind];
  const mem = w.u8;
  const n = src.length;
  for (let s = 0; s < n; s += SIMD_CHUNK) {
    const e = Math.min(n, s + SIMD_CHUNK);
    const len = e - s;
    const blocks = len >>> 4;
    const vlen = blocks << 4;
    if (blocks > 0) {
      view.set(src.subarray(s, s + vlen), IN_OFF / BYTES[kind]);
      fn(IN_OFF, OUT_OFF, blocks, ti);
      out.set(mem.subarray(OUT_OFF, OUT_OFF + vlen), s);
    }
    for (let i = s + vlen; i < e; i++) out[i] = src[i]! > t ? 1 : 0;
  }
  return true;
}
