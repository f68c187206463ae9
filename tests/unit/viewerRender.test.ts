// The viewers' pure rendering code (src/app/viewers/render): exact values.
import { describe, expect, it } from 'vitest';
import { ndarray } from '../../src/core/ndarray';
import { COLORMAPS, COLORMAP_NAMES, colormapColor } from '../../src/app/viewers/render/colormaps';
import { LABEL_LUT, labelColor, labelIndex } from '../../src/app/viewers/render/labelPalette';
import { autoWindow, imagePlanes, packRGBA, renderRGBA, windowIndex, windowToU8 } from '../../src/app/viewers/render/window';
import { blackRGBA, labelCounts, overlayLabels } from '../../src/app/viewers/render/overlay';
import { applyH, composite, invert3x3, warp } from '../../src/app/viewers/render/warp';
import { compose, decompose } from '../../src/app/viewers/render/decompose';
import { featureMap, jacobiEigen, pcaRGB, topEigen } from '../../src/app/viewers/render/pca';
import { binInto, finiteRange, histogram } from '../../src/app/viewers/render/histogram';
import { fixed, formatValue } from '../../src/app/viewers/render/format';
import { splitComposite } from '../../src/app/viewers/render/compare';

const gray = COLORMAPS.gray;
const px = (rgba: Uint8ClampedArray, i: number) => Array.from(rgba.subarray(4 * i, 4 * i + 4));

describe('window', () => {
  it('maps uint16 values linearly through a manual window, clamping outside', () => {
    const img = ndarray('uint16', [1, 5], [0, 1000, 1500, 2000, 65535]);
    const u8 = windowToU8(img.data, { min: 1000, max: 2000 });
    expect(Array.from(u8)).toEqual([0, 0, 128, 255, 255]);
    const rgba = renderRGBA(imagePlanes(img), { min: 1000, max: 2000 }, gray);
    expect(px(rgba, 2)).toEqual([128, 128, 128, 255]);
    expect(px(rgba, 0)).toEqual([0, 0, 0, 255]);
    expect(px(rgba, 4)).toEqual([255, 255, 255, 255]);
  });

  it('uses the same rule in the uint16 LUT path and the float path', () => {
    const vals = Array.from({ length: 1000 }, (_, i) => i * 7);
    const u16 = renderRGBA(imagePlanes(ndarray('uint16', [1, 1000], vals)), { min: 300, max: 5000 }, COLORMAPS.viridis);
    const f32 = renderRGBA(imagePlanes(ndarray('float32', [1, 1000], vals)), { min: 300, max: 5000 }, COLORMAPS.viridis);
    expect(Array.from(u16)).toEqual(Array.from(f32));
  });

  it('auto window: exact 0.35/99.65 percentiles of uint16 data, min/max mode', () => {
    // 0..999 once each: low rank floor(0.0035·999) = 3, high rank ceil(0.9965·999) = 996.
    const data = new Uint16Array(1000).map((_, i) => i);
    expect(autoWindow(data, 'percentile', { dtype: 'uint16' })).toEqual({ min: 3, max: 996, empty: false });
    expect(autoWindow(data, 'minmax', { dtype: 'uint16' })).toEqual({ min: 0, max: 999, empty: false });
  });

  it('auto window of float data ignores NaN and ±Infinity and an outlier', () => {
    const data = new Float32Array(10000);
    for (let i = 0; i < data.length; i++) data[i] = i / 10; // 0 … 999.9
    data[0] = NaN;
    data[1] = Infinity;
    data[2] = -Infinity;
    data[3] = 1e9; // outlier above the 99.65th percentile
    const w = autoWindow(data, 'percentile', { dtype: 'float32' });
    // 9996 finite values; the true percentiles are ≈ 3.8 and ≈ 996.4: within a fine bin.
    expect(w.min).toBeGreaterThan(3.0);
    expect(w.min).toBeLessThan(4.2);
    expect(w.max).toBeGreaterThan(996);
    expect(w.max).toBeLessThan(997.5);
    const mm = autoWindow(data, 'minmax');
    expect([mm.min, mm.max]).toEqual([0.4000000059604645, 1e9]);
  });

  it('NaN renders transparent (index 0), ±Infinity clamps', () => {
    const img = ndarray('float32', [1, 4], [NaN, Infinity, -Infinity, 0.5]);
    expect(Array.from(windowToU8(img.data, { min: 0, max: 1 }))).toEqual([0, 255, 0, 128]);
    const rgba = renderRGBA(imagePlanes(img), { min: 0, max: 1 }, gray);
    expect(px(rgba, 0)).toEqual([0, 0, 0, 0]);
    expect(px(rgba, 1)).toEqual([255, 255, 255, 255]);
    expect(px(rgba, 3)).toEqual([128, 128, 128, 255]);
  });

  it('a constant image gives a degenerate window and renders mid-gray; all-NaN is empty', () => {
    const data = new Float64Array(16).fill(42);
    const w = autoWindow(data);
    expect(w).toEqual({ min: 42, max: 42, empty: false });
    expect(Array.from(windowToU8(data, w))).toEqual(Array.from({ length: 16 }, () => 128));
    expect(windowIndex(41, w)).toBe(0);
    expect(windowIndex(43, w)).toBe(255);
    const u16 = renderRGBA(
      imagePlanes(ndarray('uint16', [4, 4], new Uint16Array(16).fill(7))),
      autoWindow(new Uint16Array(16).fill(7), 'percentile', { dtype: 'uint16' }),
      gray,
    );
    expect(px(u16, 5)).toEqual([128, 128, 128, 255]);
    expect(autoWindow(new Float32Array([NaN, NaN]))).toEqual({ min: 0, max: 1, empty: true });
  });

  it('a mostly-zero mask falls back to min/max instead of collapsing', () => {
    const data = new Uint8Array(1000);
    data[10] = 1;
    expect(autoWindow(data, 'percentile', { dtype: 'uint8' })).toEqual({ min: 0, max: 1, empty: false });
  });

  it('RGB 3×H×W: each channel windowed with the same window, colormap ignored', () => {
    const img = ndarray('uint8', [3, 1, 2], [0, 255, 100, 50, 10, 20]);
    const p = imagePlanes(img);
    expect(p).toMatchObject({ width: 2, height: 1, channels: 3 });
    const rgba = renderRGBA(p, { min: 0, max: 255 }, COLORMAPS.magma);
    expect(Array.from(rgba)).toEqual([0, 100, 10, 255, 255, 50, 20, 255]);
  });

  it('int16 data through the LUT path (negative values)', () => {
    const img = ndarray('int16', [1, 3], [-100, 0, 100]);
    const rgba = renderRGBA(imagePlanes(img), { min: -100, max: 155 }, gray);
    expect([px(rgba, 0)[0], px(rgba, 1)[0], px(rgba, 2)[0]]).toEqual([0, 100, 200]);
  });

  it('rejects shapes that are not images with a readable message', () => {
    expect(() => imagePlanes(ndarray('float32', [2, 3, 4, 5]))).toThrow(/expected H×W \(gray\) or 3×H×W \(RGB\)/);
  });

  it('windows a 2048×2048 float32 image (auto percentile + RGBA) well under 100 ms', () => {
    // Timed in CPU time of this process (process.cpuUsage), so a busy machine does not fail it;
    // wall-clock times are logged too.
    const n = 2048 * 2048;
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = Math.sin(i * 0.001) * 1000 + (i % 2048);
    const img = { width: 2048, height: 2048, channels: 1 as const, dtype: 'float32' as const, data };
    const out = new Uint8ClampedArray(n * 4);
    const time = (f: () => void): { cpu: number; wall: number } => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      f();
      const wall = performance.now() - t0;
      const c = process.cpuUsage(c0);
      return { cpu: (c.user + c.system) / 1000, wall };
    };
    const float = () => renderRGBA(img, autoWindow(data, 'percentile', { dtype: 'float32' }), COLORMAPS.viridis, out);
    float(); // warm-up
    const runs = Array.from({ length: 5 }, () => time(float)).sort((a, b) => a.cpu - b.cpu);
    const u16 = new Uint16Array(n).map((_, i) => i & 0xffff);
    const u16img = { ...img, dtype: 'uint16' as const, data: u16 };
    const int = () => renderRGBA(u16img, autoWindow(u16, 'percentile', { dtype: 'uint16' }), COLORMAPS.gray, out);
    int();
    const intRuns = Array.from({ length: 5 }, () => time(int)).sort((a, b) => a.cpu - b.cpu);
    const f = runs[2]!;
    const u = intRuns[2]!;
    console.log(
      `window 2048² (auto percentile + RGBA), median of 5: float32 ${f.cpu.toFixed(1)} ms CPU (${f.wall.toFixed(1)} ms wall); ` +
        `uint16 ${u.cpu.toFixed(1)} ms CPU (${u.wall.toFixed(1)} ms wall)`,
    );
    expect(f.cpu).toBeLessThan(100);
    expect(u.cpu).toBeLessThan(100);
  });
});

describe('colormaps', () => {
  it('has 256-entry LUTs with the known endpoints', () => {
    for (const name of COLORMAP_NAMES) expect(COLORMAPS[name].length).toBe(768);
    expect(colormapColor('gray', 0)).toEqual([0, 0, 0]);
    expect(colormapColor('gray', 255)).toEqual([255, 255, 255]);
    expect(colormapColor('viridis', 0)).toEqual([68, 1, 84]);
    expect(colormapColor('viridis', 255)).toEqual([253, 231, 37]);
    expect(colormapColor('viridis', 128)).toEqual([33, 145, 140]);
    expect(colormapColor('magma', 0)).toEqual([0, 0, 4]);
    expect(colormapColor('magma', 255)).toEqual([252, 253, 191]);
    expect(colormapColor('inferno', 255)).toEqual([252, 255, 164]);
    expect(colormapColor('plasma', 0)).toEqual([13, 8, 135]);
    expect(colormapColor('plasma', 255)).toEqual([240, 249, 33]);
  });

  it('label palette: 0 transparent, 1 orange, distinct neighbours, cycling after 255', () => {
    expect(labelColor(0)).toBeNull();
    expect(labelColor(1)).toEqual([255, 127, 14]);
    expect(labelColor(2)).toEqual([31, 119, 180]);
    expect(labelIndex(256)).toBe(1);
    expect(labelIndex(-2)).toBe(2);
    const seen = new Set<string>();
    for (let l = 1; l < 256; l++) seen.add(String(labelColor(l)));
    expect(seen.size).toBeGreaterThan(240);
    expect(LABEL_LUT.length).toBe(768);
  });
});

describe('overlay', () => {
  const base = renderRGBA(imagePlanes(ndarray('uint8', [2, 2], [10, 20, 30, 40])), { min: 0, max: 255 }, gray);

  it('blends the label colour at a labelled pixel and leaves label 0 unchanged', () => {
    const out = overlayLabels(base, [0, 1, 0, 2], 2, 2, { opacity: 0.5 });
    expect(px(out, 0)).toEqual([10, 10, 10, 255]);
    expect(px(out, 2)).toEqual([30, 30, 30, 255]);
    // label 1 = (255, 127, 14): (20 + 255)/2 = 137.5 → 138, (20 + 127)/2 = 73.5 → 74 (half to even), 17
    expect(px(out, 1)).toEqual([138, 74, 17, 255]);
    const opaque = overlayLabels(base, [0, 1, 0, 2], 2, 2, { opacity: 1 });
    expect(px(opaque, 1)).toEqual([255, 127, 14, 255]);
    expect(px(opaque, 3)).toEqual([31, 119, 180, 255]);
    expect(Array.from(base.subarray(4, 8))).toEqual([20, 20, 20, 255]); // input untouched
  });

  it('bool/float masks, outline mode and mismatched sizes', () => {
    const f = overlayLabels(base, new Float32Array([0, 0.6, 0, 0]), 2, 2, { opacity: 1 });
    expect(px(f, 1)).toEqual([255, 127, 14, 255]);
    const big = blackRGBA(3, 3);
    const filled = overlayLabels(big, [1, 1, 1, 1, 1, 1, 1, 1, 1], 3, 3, { opacity: 1, outline: true });
    expect(px(filled, 4)).toEqual([0, 0, 0, 255]); // interior
    expect(px(filled, 0)).toEqual([0, 0, 0, 255]); // whole image one region: no boundary inside
    const two = overlayLabels(big, [1, 1, 2, 1, 1, 2, 1, 1, 2], 3, 3, { opacity: 1, outline: true });
    expect(px(two, 0)).toEqual([0, 0, 0, 255]);
    expect(px(two, 1)).toEqual([255, 127, 14, 255]);
    expect(() => overlayLabels(base, [1, 2, 3], 2, 2, { opacity: 1 })).toThrow(/mask has 3 values but the image has 4 pixels/);
  });

  it('counts labels', () => {
    expect(labelCounts(new Uint16Array([0, 0, 3, 3, 3, 5000]))).toEqual([
      { label: 0, count: 2 },
      { label: 3, count: 3 },
      { label: 5000, count: 1 },
    ]);
  });
});

describe('warp', () => {
  it('a translation of (+3, −2): fixed (x, y) shows moving (x − 3, y + 2)', () => {
    const W = 10;
    const H = 8;
    const moving = new Float32Array(W * H).map((_, i) => i); // value = y·W + x
    const M = [1, 0, 3, 0, 1, -2, 0, 0, 1]; // moving → fixed
    const out = new Float32Array(W * H);
    const { valid } = warp({ width: W, height: H, channels: 1, data: moving }, M, W, H, out, NaN);
    // fixed (5, 1) ← moving (2, 3)
    expect(out[1 * W + 5]).toBe(3 * W + 2);
    expect(out[4 * W + 9]).toBe(6 * W + 6);
    // fixed x < 3 has no moving pixel (x − 3 < 0); fixed y ≥ 6 neither (y + 2 ≥ 8).
    expect(valid[1 * W + 2]).toBe(0);
    expect(out[1 * W + 2]).toBeNaN();
    expect(valid[6 * W + 5]).toBe(0);
    expect(valid[5 * W + 3]).toBe(1);
    expect(applyH(M, 2, 3)).toEqual([5, 1]);
  });

  it('bilinear sampling at a half-pixel shift; RGBA through a Uint8ClampedArray', () => {
    const moving = new Uint8ClampedArray([0, 0, 0, 255, 100, 100, 100, 255]); // 2×1 RGBA
    const out = new Uint8ClampedArray(8);
    warp({ width: 2, height: 1, channels: 4, data: moving }, [1, 0, -0.5, 0, 1, 0, 0, 0, 1], 2, 1, out);
    // fixed 0 ← moving 0.5: (0 + 100) / 2 = 50
    expect(Array.from(out.subarray(0, 4))).toEqual([50, 50, 50, 255]);
  });

  it('inverts matrices and refuses singular ones', () => {
    const m = compose({ tx: 4, ty: -1, rotation: 30, scaleX: 2, scaleY: 0.5 });
    const inv = invert3x3(m)!;
    const [x, y] = applyH(m, 3, 7);
    const [u, v] = applyH(inv, x, y);
    expect(u).toBeCloseTo(3, 12);
    expect(v).toBeCloseTo(7, 12);
    expect(invert3x3([1, 2, 0, 2, 4, 0, 0, 0, 1])).toBeNull();
  });

  it('checkerboard alternates fixed and moving tiles; blend and difference', () => {
    const W = 4;
    const H = 4;
    const fixedImg = new Uint8ClampedArray(W * H * 4).fill(200);
    const movingImg = new Uint8ClampedArray(W * H * 4).fill(50);
    const valid = new Uint8Array(W * H).fill(1);
    valid[15] = 0;
    const cb = composite(fixedImg, movingImg, valid, W, H, { mode: 'checkerboard', tile: 2 });
    const at = (img: Uint8ClampedArray, x: number, y: number) => img[4 * (y * W + x)];
    expect([at(cb, 0, 0), at(cb, 1, 1), at(cb, 2, 0), at(cb, 3, 1), at(cb, 0, 2), at(cb, 2, 2)]).toEqual([200, 200, 50, 50, 50, 200]);
    expect(at(cb, 3, 3)).toBe(200); // an even tile: fixed even where moving is invalid
    const cb1 = composite(fixedImg, movingImg, valid, W, H, { mode: 'checkerboard', tile: 1 });
    expect([at(cb1, 0, 0), at(cb1, 1, 0), at(cb1, 0, 1), at(cb1, 1, 1)]).toEqual([200, 50, 50, 200]);
    const bl = composite(fixedImg, movingImg, valid, W, H, { mode: 'blend', opacity: 0.25 });
    expect(at(bl, 0, 0)).toBe(162); // 200·0.75 + 50·0.25 = 162.5; Uint8ClampedArray rounds half to even
    const df = composite(fixedImg, movingImg, valid, W, H, { mode: 'difference' });
    expect(at(df, 1, 1)).toBe(150);
    expect(at(df, 3, 3)).toBe(200); // invalid moving counts as black
  });
});

describe('decompose', () => {
  it('recovers translation, rotation and scale', () => {
    const d = decompose(compose({ tx: 5, ty: -3, rotation: 30, scaleX: 2, scaleY: 2 }));
    expect(d.tx).toBeCloseTo(5, 12);
    expect(d.ty).toBeCloseTo(-3, 12);
    expect(d.rotation).toBeCloseTo(30, 10);
    expect(d.scaleX).toBeCloseTo(2, 12);
    expect(d.scaleY).toBeCloseTo(2, 12);
    expect(d.shear).toBe(0);
    expect(d.projective).toBe(false);
    expect(d.det).toBeCloseTo(4, 12);
  });

  it('recovers anisotropic scale and shear, normalises by m22, flags projective matrices', () => {
    const m = compose({ tx: 1, ty: 2, rotation: -45, scaleX: 1.5, scaleY: 0.5, shear: 0.2 }).map((v) => v * 2);
    const d = decompose(m);
    expect(d.rotation).toBeCloseTo(-45, 10);
    expect(d.scaleX).toBeCloseTo(1.5, 12);
    expect(d.scaleY).toBeCloseTo(0.5, 12);
    expect(d.shear).toBeCloseTo(0.2, 12);
    expect(d.tx).toBeCloseTo(1, 12);
    const h = decompose([1, 0, 0, 0, 1, 0, 0.001, 0, 1]);
    expect(h.projective).toBe(true);
    expect(h.perspective).toEqual([0.001, 0]);
    expect(decompose([1, 0, 0, 0, -1, 0, 0, 0, 1]).scaleY).toBe(-1); // reflection
    expect(() => decompose([1, 0, 0, 0, 1, 0, 0, 0, 0])).toThrow(/m\[2\]\[2\] = 0/);
  });
});

describe('pca', () => {
  it('finds the known first component of synthetic features and its explained variance', () => {
    const H = 16;
    const W = 16;
    const C = 5;
    const n = H * W;
    const u = [1 / 3, 2 / 3, 2 / 3, 0, 0];
    const v = [0, 0, 0, 1, 0];
    const data = new Float32Array(C * n);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const a = x - 7.5;
        const b = (y - 7.5) * 0.1;
        for (let c = 0; c < C; c++) data[c * n + y * W + x] = a * u[c]! + b * v[c]! + 10;
      }
    }
    const r = pcaRGB(featureMap(ndarray('float32', [1, C, H, W], data)));
    expect(r.samples).toBe(n);
    for (let c = 0; c < C; c++) expect(r.components[0]![c]).toBeCloseTo(u[c]!, 6);
    for (let c = 0; c < C; c++) expect(Math.abs(r.components[1]![c]!)).toBeCloseTo(v[c]!, 6);
    // var(a) = (16² − 1)/12 = 21.25, var(b) = 0.2125
    expect(r.variances[0]).toBeCloseTo(21.25, 4);
    expect(r.variances[1]).toBeCloseTo(0.2125, 5);
    expect(r.explained[0]).toBeCloseTo(21.25 / 21.4625, 6);
    expect(r.variances[2]).toBeCloseTo(0, 6);
    // Red follows the first component: left dark, right bright; blue (no variance) is black.
    expect(r.rgba[0]).toBe(0);
    expect(r.rgba[4 * (W - 1)]).toBe(255);
    expect(r.rgba[4 * 3 + 2]).toBe(0);
    expect(r.rgba[3]).toBe(255);
  });

  it('large C uses subspace iteration and agrees with Jacobi', () => {
    const C = 80;
    // cov = diag(80 … 1) rotated: eigenvalues known.
    const cov = new Float64Array(C * C);
    for (let i = 0; i < C; i++) cov[i * C + i] = C - i;
    const r = topEigen(cov, C, 3);
    expect(r.values.map((x) => Math.round(x * 1e6) / 1e6)).toEqual([80, 79, 78]);
    expect(Math.abs(r.vectors[0]![0]!)).toBeCloseTo(1, 6);
    const j = jacobiEigen(Float64Array.from([2, 1, 1, 2]), 2);
    const vals = Array.from(j.values).sort((a, b) => a - b);
    expect(vals[0]).toBeCloseTo(1, 12);
    expect(vals[1]).toBeCloseTo(3, 12);
  });

  it('refuses feature arrays without spatial axes', () => {
    expect(() => featureMap(ndarray('float32', [256]))).toThrow(/C×H×W/);
  });
});

describe('histogram', () => {
  it('counts values into equal bins, the last bin closed, NaN/Inf apart', () => {
    const h = histogram([0, 1, 2, 3, 4, 4, NaN, Infinity], { bins: 4 });
    expect(Array.from(h.edges)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(h.counts)).toEqual([1, 1, 1, 3]);
    expect(h.range).toEqual({ min: 0, max: 4, finite: 6, nan: 1, inf: 1 });
    expect(Array.from(h.centres)).toEqual([0.5, 1.5, 2.5, 3.5]);
  });

  it('integer data: one bin per value when few; constant data; explicit range', () => {
    const h = histogram(new Uint8Array([3, 3, 5, 7]), { bins: 64, integer: true });
    expect(Array.from(h.centres)).toEqual([3, 4, 5, 6, 7]);
    expect(Array.from(h.counts)).toEqual([2, 0, 1, 0, 1]);
    const c = histogram(new Float32Array([2, 2, 2]), { bins: 3 });
    expect(Array.from(c.edges).map((x) => Math.round(x * 1e9) / 1e9)).toEqual([1.5, 1.833333333, 2.166666667, 2.5]);
    expect(Array.from(c.counts)).toEqual([0, 3, 0]);
    const counts = new Uint32Array(2);
    binInto([0, 0.5, 1, 2, -1], 0, 1, counts);
    expect(Array.from(counts)).toEqual([1, 2]);
    expect(finiteRange([])).toEqual({ min: NaN, max: NaN, finite: 0, nan: 0, inf: 0 });
  });
});

describe('compare', () => {
  it('split composite: columns left of the split from before, the rest from after', () => {
    const left = { width: 4, height: 2, data: new Uint8ClampedArray(32).fill(10) };
    const right = { width: 4, height: 2, data: new Uint8ClampedArray(32).fill(200) };
    const out = splitComposite(left, right, 2.4);
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((i) => out.data[4 * i])).toEqual([10, 10, 200, 200, 10, 10, 200, 200]);
    expect(Array.from(splitComposite(left, right, 0).data.subarray(0, 4))).toEqual([200, 200, 200, 200]);
    expect(Array.from(splitComposite(left, right, 99).data.subarray(28, 32))).toEqual([10, 10, 10, 10]);
  });
});

describe('format', () => {
  it('formats values for readouts', () => {
    expect(formatValue(1234)).toBe('1234');
    expect(formatValue(0.123456)).toBe('0.12346');
    expect(formatValue(NaN)).toBe('NaN');
    expect(formatValue(1e-7)).toBe('1.000e-7');
    expect(fixed(-0.00001)).toBe('0.0000');
    expect(fixed(1.23456)).toBe('1.2346');
    expect(packRGBA(1, 2, 3, 4) >>> 0).toBeGreaterThan(0);
  });
});
