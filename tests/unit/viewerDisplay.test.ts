// Issue 15 (the viewer as napari/Fiji users expect): gamma in every renderer, the window presets, the
// window histogram's geometry, label colour tables and per-label colours (overlay and PNG export alike),
// and the one way dimensions are written. Exact values.
import { describe, expect, it } from 'vitest';
import { ndarray } from '../../src/core/ndarray';
import { axesProblem, cloneAxes, defaultAxes, type ImageAxes } from '../../src/core/imageAxes';
import { COLORMAPS } from '../../src/app/viewers/render/colormaps';
import { LABEL_LUT } from '../../src/app/viewers/render/labelPalette';
import { gammaTable, imagePlanes, renderRGBA, windowKey, windowToU8 } from '../../src/app/viewers/render/window';
import { compositeRGBA } from '../../src/app/viewers/render/composite';
import { overlayLabels } from '../../src/app/viewers/render/overlay';
import { presetWindow, windowFor, DEFAULT_CONTRAST } from '../../src/app/viewers/contrast';
import { fractionToValue, gammaFromFraction, gammaHandleFraction, valueToFraction, windowHistogram } from '../../src/app/viewers/render/windowHistogram';
import { LABEL_TABLES, labelPalette, labelTable, paletteColor, rgbHex } from '../../src/app/viewers/render/labelTables';
import { labelPalette as pngPalette } from '../../src/app/datasets/maskPng';
import { encodeExport } from '../../src/app/datasets/exportEncode';
import { decode as pngDecode } from 'fast-png';
import { dimsText, formatWH } from '../../src/app/viewers/render/dims';

const gray = COLORMAPS.gray;
const px = (rgba: Uint8ClampedArray, i: number) => Array.from(rgba.subarray(4 * i, 4 * i + 4));
/** The 8-bit value of windowed index i through gamma g (the documented rule). */
const bend = (i: number, g: number) => Math.round(255 * Math.pow(i / 255, g));

describe('gamma', () => {
  it('bends the windowed index: shown = round(255 · (index/255)^γ), in the LUT, float and RGB paths alike', () => {
    expect(gammaTable(0.5)[64]).toBe(128); // 255·√(64/255) = 127.75
    expect(gammaTable(2)[128]).toBe(64); // 255·(128/255)² = 64.25
    const vals = [0, 32, 64, 128, 200, 255];
    const win = { min: 0, max: 255, gamma: 0.5 };
    const u8 = renderRGBA(imagePlanes(ndarray('uint8', [1, 6], vals)), win, gray);
    const f32 = renderRGBA(imagePlanes(ndarray('float32', [1, 6], vals)), win, gray);
    expect(vals.map((_, i) => px(u8, i)[0])).toEqual(vals.map((v) => bend(v, 0.5)));
    expect(Array.from(f32)).toEqual(Array.from(u8));
    // A colormap is re-indexed: value 64 at γ 0.5 takes viridis entry 128.
    const vir = renderRGBA(imagePlanes(ndarray('uint8', [1, 1], [64])), win, COLORMAPS.viridis);
    expect(px(vir, 0).slice(0, 3)).toEqual(Array.from(COLORMAPS.viridis.subarray(3 * 128, 3 * 128 + 3)));
    // γ 1 is the linear mapping, unchanged.
    expect(px(renderRGBA(imagePlanes(ndarray('uint8', [1, 1], [64])), { min: 0, max: 255, gamma: 1 }, gray), 0)[0]).toBe(64);
    expect(Array.from(windowToU8([0, 128, 255], { min: 0, max: 255, gamma: 2 }))).toEqual([0, bend(128, 2), 255]);
  });

  it('RGB: one window for the three channels, or one each (win.channels), each with its gamma', () => {
    // R, G, B planes of one pixel: 128, 128, 128.
    const img = imagePlanes(ndarray('uint8', [3, 1, 1], [128, 128, 128]));
    expect(px(renderRGBA(img, { min: 0, max: 255, gamma: 2 }, gray), 0)).toEqual([bend(128, 2), bend(128, 2), bend(128, 2), 255]);
    const own = {
      min: 0,
      max: 255,
      channels: [
        { min: 0, max: 128 },
        { min: 0, max: 255, gamma: 0.5 },
        { min: 128, max: 255 },
      ],
    };
    expect(px(renderRGBA(img, own, gray), 0)).toEqual([255, bend(128, 0.5), 0, 255]);
    expect(windowKey(own)).not.toBe(windowKey({ min: 0, max: 200 }));
  });

  it('composite channels apply their own gamma', () => {
    const out = compositeRGBA(
      [
        { data: [128], window: { min: 0, max: 255, gamma: 2 }, rgb: [255, 0, 0] },
        { data: [128], window: { min: 0, max: 255 }, rgb: [0, 255, 0] },
      ],
      1,
    );
    expect(px(out, 0)).toEqual([bend(128, 2), 128, 0, 255]);
  });
});

describe('window presets', () => {
  const ramp = new Uint16Array(1000).map((_, i) => i);
  it('auto 0.35 %, 1–99 %, min–max and the full dtype range', () => {
    expect(presetWindow('auto', ramp, 'uint16')).toEqual({ min: 3, max: 996 });
    // ranks floor(0.01·999) = 9 and ceil(0.99·999) = 990.
    expect(presetWindow('p1', ramp, 'uint16')).toEqual({ min: 9, max: 990 });
    expect(presetWindow('minmax', ramp, 'uint16')).toEqual({ min: 0, max: 999 });
    expect(presetWindow('dtype', ramp, 'uint16')).toEqual({ min: 0, max: 65535 });
    expect(presetWindow('dtype', new Uint8Array([3, 9]), 'uint8')).toEqual({ min: 0, max: 255 });
    // Floats have no dtype range: the data's.
    expect(presetWindow('dtype', new Float32Array([0.25, 0.5]), 'float32')).toEqual({ min: 0.25, max: 0.5 });
  });

  it('windowFor carries the gamma and, for RGB only, the per-channel windows', () => {
    const planes = imagePlanes(ndarray('uint16', [1, 1000], Array.from(ramp)));
    expect(windowFor({ ...DEFAULT_CONTRAST, mode: 'p1', gamma: 0.7 }, planes)).toEqual({ min: 9, max: 990, gamma: 0.7 });
    const chans = [
      { min: 1, max: 2 },
      { min: 3, max: 4 },
      { min: 5, max: 6 },
    ];
    expect(windowFor({ ...DEFAULT_CONTRAST, mode: 'manual', channels: chans }, planes).channels).toBeUndefined();
    const rgb = imagePlanes(ndarray('uint8', [3, 1, 2], [1, 2, 3, 4, 5, 6]));
    expect(windowFor({ ...DEFAULT_CONTRAST, mode: 'manual', channels: chans }, rgb).channels).toEqual(chans);
  });
});

describe('window histogram', () => {
  it('uint8: one bin per value over 0–255; RGB: one count array per channel', () => {
    const h = windowHistogram(imagePlanes(ndarray('uint8', [3, 1, 2], [0, 10, 10, 10, 255, 255])))!;
    expect(h.integer).toBe(true);
    expect([h.lo, h.hi]).toEqual([-0.5, 255.5]);
    expect(h.counts).toHaveLength(3);
    expect([h.counts[0]![0], h.counts[0]![10], h.counts[1]![10], h.counts[2]![255]]).toEqual([1, 1, 2, 2]);
    const f = windowHistogram(imagePlanes(ndarray('float32', [1, 4], [0, 0.5, 1, NaN])), 4)!;
    expect([f.lo, f.hi, f.integer]).toEqual([0, 1, false]);
    expect(Array.from(f.counts[0]!)).toEqual([1, 0, 1, 1]);
    expect(windowHistogram(imagePlanes(ndarray('float32', [1, 1], [NaN])))).toBeNull();
  });

  it('handles: value ↔ fraction (clamped, integers rounded); the gamma handle where the curve is at half', () => {
    expect(valueToFraction(50, 0, 200)).toBe(0.25);
    expect(valueToFraction(-5, 0, 200)).toBe(0);
    expect(fractionToValue(0.333, 0, 200, true)).toBe(67);
    expect(fractionToValue(2, 0, 200, false)).toBe(200);
    expect(gammaHandleFraction(1)).toBe(0.5);
    for (const g of [0.25, 0.5, 2, 3]) expect(gammaFromFraction(gammaHandleFraction(g))).toBeCloseTo(g, 2);
    expect(gammaFromFraction(0.999999)).toBe(5); // clamped to 0.1…5
  });
});

describe('label colours', () => {
  it('tables: default is the viewer palette; glasbey gives 255 distinct non-black colours; single-colour tables', () => {
    expect(labelTable('default')).toBe(LABEL_LUT);
    const g = labelTable('glasbey');
    const seen = new Set<string>();
    for (let l = 1; l < 256; l++) seen.add(rgbHex(g.subarray(3 * l, 3 * l + 3)));
    expect(seen.size).toBe(255);
    expect(seen.has('000000')).toBe(false);
    expect(Array.from(labelTable('cyan').subarray(3 * 7, 3 * 7 + 3))).toEqual([0, 255, 255]);
    for (const t of LABEL_TABLES) expect(labelTable(t)).toHaveLength(768);
  });

  it('a label with its own colour wins over the table, in the overlay and in the PNG export palette', () => {
    const colors = { table: 'yellow', colors: { '2': '0080FF', '300': '112233' } };
    const p = labelPalette(colors);
    expect(paletteColor(p, 1)).toEqual([255, 255, 0]);
    expect(paletteColor(p, 2)).toEqual([0, 128, 255]);
    expect(paletteColor(p, 300)).toEqual([0x11, 0x22, 0x33]);
    expect(paletteColor(p, 0)).toBeNull();
    const base = new Uint8ClampedArray(4 * 4);
    const out = overlayLabels(base, [0, 1, 2, 300], 4, 1, { opacity: 1, palette: p.lut, own: p.own });
    expect([px(out, 0), px(out, 1), px(out, 2), px(out, 3)]).toEqual([
      [0, 0, 0, 0],
      [255, 255, 0, 255],
      [0, 128, 255, 255],
      [0x11, 0x22, 0x33, 255],
    ]);
    expect(pngPalette(2, colors)).toEqual([
      [0, 0, 0],
      [255, 255, 0],
      [0, 128, 255],
    ]);
    // Without colours of its own: the viewer's default table, as before.
    expect(pngPalette(1)).toEqual([
      [0, 0, 0],
      [LABEL_LUT[3]!, LABEL_LUT[4]!, LABEL_LUT[5]!],
    ]);
    // The exported indexed PNG carries them.
    const png = pngDecode(encodeExport([ndarray('uint8', [1, 3], [0, 1, 2])], 'png', 'mask', colors));
    expect(png.palette).toEqual(pngPalette(2, colors));
    expect(Array.from(png.data)).toEqual([0, 1, 2]);
  });

  it('are kept in the axes metadata (checked: hex colours, integer labels) and copied with it', () => {
    const ax: ImageAxes = { ...defaultAxes([4, 4]), labels: { table: 'glasbey', colors: { '3': 'FF8800' } } };
    expect(axesProblem(ax, [4, 4], "Dataset 'm', field 'mask'")).toBeNull();
    expect(cloneAxes(ax).labels).toEqual({ table: 'glasbey', colors: { '3': 'FF8800' } });
    expect(axesProblem({ ...ax, labels: { table: 'glasbey', colors: { '3': 'orange' } } }, [4, 4], "Dataset 'm', field 'mask'")).toMatch(
      /^Dataset 'm', field 'mask': axes\.labels\.colors\.3: expected 6 upper-case hex digits\.$/,
    );
    expect(axesProblem({ ...defaultAxes([2, 4, 4]), channels: [] }, [2, 4, 4], 'x')).toBeNull();
    const ch = defaultAxes([2, 4, 4, 4]);
    ch.channels[0]!.gamma = 0.5;
    expect(axesProblem(ch, [2, 4, 4, 4], 'x')).toBeNull();
    ch.channels[0]!.gamma = -1;
    expect(axesProblem(ch, [2, 4, 4, 4], 'x')).toMatch(/axes\.channels\.0\.gamma/);
  });
});

describe('dimensions', () => {
  it('width × height (× depth), channels and time named; the stored shape in the tooltip', () => {
    expect(formatWH(384, 303)).toBe('384 × 303');
    expect(dimsText([303, 384], defaultAxes([303, 384])).text).toBe('384 × 303');
    const rgb = dimsText([3, 512, 256], defaultAxes([3, 512, 256], { rgb: true }));
    expect(rgb.text).toBe('256 × 512 · 3 ch (RGB)');
    expect(rgb.title).toContain('Stored shape [3, 512, 256] (c, y, x)');
    expect(rgb.title).toContain('width × height');
    expect(dimsText([40, 384, 512], defaultAxes([40, 384, 512])).text).toBe('512 × 384 × 40');
    expect(dimsText([2, 3, 4, 64, 32], defaultAxes([2, 3, 4, 64, 32])).text).toBe('32 × 64 × 4 · 3 ch · 2 t');
    expect(dimsText([10], defaultAxes([10])).text).toBe('10');
    expect(dimsText([], null).text).toBe('scalar');
  });
});
