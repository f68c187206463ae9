// Issue 15 item 10: masks export visibly (0/1 → 0/255 PNG), label images as indexed PNGs with the
// viewer's colour table (0 black), TIFF/NPY raw; run outputs are named after their source and what
// made them; "Export all outputs" zips them under those names.
import { decode as pngDecode } from 'fast-png';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { decodeNpyArray, decodeTiff } from '../../src/core/imageCodecs';
import type { DType, NDArray } from '../../src/core/ndarray';
import type { DatasetMeta } from '../../src/core/records';
import { exportSupport } from '../../src/app/datasets/exportDataset';
import { encodeExport } from '../../src/app/datasets/exportEncode';
import { labelPalette, maskPngKind } from '../../src/app/datasets/maskPng';
import { exportBaseName, uniqueNames } from '../../src/app/datasets/outputNames';
import { madeBy } from '../../src/core/outputNames';
import { runOutputsZip, runZipName } from '../../src/app/runs/runOutputsZip';

const arr = (dtype: DType, shape: number[], values: number[]): NDArray => {
  const C = { bool: Uint8Array, uint8: Uint8Array, uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array, int16: Int16Array } as Record<
    string,
    new (v: number[]) => NDArray['data']
  >;
  return { dtype, shape, data: new C[dtype]!(values) } as NDArray;
};

describe('PNG of masks and labels', () => {
  it('a 0/1 mask (uint8 mask field, any uint8/bool 0/1 array, an int32 mask field) is written as 0/255 8-bit gray', () => {
    for (const [a, key] of [
      [arr('uint8', [2, 3], [0, 1, 1, 0, 0, 1]), 'mask'],
      [arr('uint8', [2, 3], [0, 1, 1, 0, 0, 1]), 'image'],
      [arr('bool', [2, 3], [0, 1, 1, 0, 0, 1]), null],
      [arr('int32', [2, 3], [0, 1, 1, 0, 0, 1]), 'mask'],
    ] as const) {
      const png = pngDecode(encodeExport([a], 'png', key));
      expect(png.depth).toBe(8);
      expect(png.channels).toBe(1);
      expect(png.palette).toBeUndefined();
      expect(Array.from(png.data)).toEqual([0, 255, 255, 0, 0, 255]);
    }
  });

  it('a uint8 image that is not only 0/1 stays as it is', () => {
    expect(maskPngKind(arr('uint8', [1, 3], [0, 1, 2]), 'image')).toEqual({ kind: 'image' });
    expect(Array.from(pngDecode(encodeExport([arr('uint8', [1, 3], [0, 1, 2])], 'png', 'image')).data)).toEqual([0, 1, 2]);
    // A uint16 0/1 image that is not a mask field is an image too.
    expect(maskPngKind(arr('uint16', [1, 2], [0, 1]), 'image')).toEqual({ kind: 'image' });
  });

  it('a label image (≤ 255 labels) is an 8-bit indexed PNG: the indices are the labels, the table 0 black and the viewer colours', () => {
    const labels = arr('int32', [2, 3], [0, 1, 2, 3, 0, 2]);
    expect(maskPngKind(labels, 'mask')).toEqual({ kind: 'labels', max: 3 });
    const png = pngDecode(encodeExport([labels], 'png', 'mask'));
    expect(png.depth).toBe(8);
    expect(png.channels).toBe(1);
    expect(Array.from(png.data)).toEqual([0, 1, 2, 3, 0, 2]);
    expect(png.palette).toEqual([
      [0, 0, 0],
      [255, 127, 14],
      [31, 119, 180],
      [44, 160, 44],
    ]);
    expect(labelPalette(3)).toEqual(png.palette);
    // 255 labels: 256 entries, all distinct.
    const p = labelPalette(255);
    expect(p).toHaveLength(256);
    expect(new Set(p.map((c) => c.join())).size).toBe(256);
  });

  it('labels above 255 are 16-bit gray with the raw values', () => {
    const big = arr('uint16', [1, 4], [0, 7, 300, 65535]);
    expect(maskPngKind(big, 'labels')).toEqual({ kind: 'labels16' });
    const png = pngDecode(encodeExport([big], 'png', 'labels'));
    expect(png.depth).toBe(16);
    expect(png.palette).toBeUndefined();
    expect(Array.from(png.data)).toEqual([0, 7, 300, 65535]);
  });

  it('TIFF and NPY keep the raw 0/1 and label values', () => {
    const mask = arr('uint8', [2, 2], [0, 1, 1, 0]);
    expect(Array.from(decodeTiff(encodeExport([mask], 'tiff', 'mask'), 'm.tif')[0]!.image.data)).toEqual([0, 1, 1, 0]);
    expect(Array.from(decodeNpyArray(encodeExport([mask], 'npy', 'mask')).data)).toEqual([0, 1, 1, 0]);
    const labels = arr('uint16', [1, 3], [0, 5, 300]);
    expect(Array.from(decodeTiff(encodeExport([labels], 'tiff', 'labels'), 'l.tif')[0]!.image.data)).toEqual([0, 5, 300]);
  });

  it('the menu notes say what PNG does with a mask and that TIFF/NPY keep the raw values', () => {
    const f = { kind: 'array' as const, dtype: 'uint8' as const, shape: [8, 8] };
    expect(exportSupport(f, 'png', 'mask').note).toMatch(/0\/1 mask is written as 0\/255.*indexed PNG.*TIFF or NPY for the raw values/);
    expect(exportSupport(f, 'tiff', 'mask').note).toMatch(/Mask and label values are kept/);
    expect(exportSupport(f, 'npy', 'mask').note).toMatch(/Mask and label values are kept/);
  });
});

const meta = (over: Record<string, unknown>): DatasetMeta =>
  ({ id: 'x', name: 'x', source: 'import', keys: {}, extra: {}, byteLength: 0, ...over }) as unknown as DatasetMeta;

describe('export names of run outputs', () => {
  const byId = new Map([
    ['src', { name: 'coins.png' }],
    ['a', { name: 'cells.tif [3/10]' }],
    ['b', { name: 'b.tif [4/10]' }],
  ]);
  const run = {
    id: 'e1234567xyz',
    algorithmName: 'threshold_segmentation',
    args: { thresholding_algorithm: 'otsu', channel: 0 },
    outputDatasetIds: ['o1'],
    inputDatasetIds: ['src'],
  };
  const out = meta({ id: 'o1', name: 'threshold_segmentation e1234567 #1', source: 'execution:e1', extra: { execution: 'e1', inputs: ['src'] } });

  it('a run output: "<source without extension> · <text args> <field>"', () => {
    expect(exportBaseName(out, 'mask', byId, run)).toBe('coins · otsu mask');
    expect(madeBy(out, { algorithmName: 'tv_denoising', args: { weight: 0.1 } }, 'image')).toBe('tv_denoising');
  });

  it('a prompt mask: "coins · prompt mask", not "coins.png (prompt mask).png"', () => {
    const pm = meta({ id: 'p', name: 'coins.png (prompt mask)', source: 'prompt:emb', extra: { image: 'src', inputs: ['src'] } });
    expect(exportBaseName(pm, 'mask', byId, null)).toBe('coins · prompt mask');
  });

  it('several inputs: the output at position i is named after input i; datasets not from a run keep their name', () => {
    const r2 = { ...run, outputDatasetIds: ['o1', 'o2'], inputDatasetIds: ['a', 'b'] };
    const o2 = meta({ id: 'o2', name: 'n', source: 'execution:e1', extra: { execution: 'e1', inputs: ['a', 'b'] } });
    expect(exportBaseName(o2, 'mask', byId, r2)).toBe('b_p04 · otsu mask');
    expect(exportBaseName(meta({ name: 'photo.JPG' }), 'image', byId, null)).toBe('photo');
    expect(uniqueNames(['a.png', 'a.png', 'b.png'])).toEqual(['a.png', 'a (2).png', 'b.png']);
  });

  it('"Export all outputs": a zip with one entry per output, named as above, PNG masks as 0/255', () => {
    const o2 = meta({ id: 'o2', name: 'n', source: 'execution:e1', extra: { execution: 'e1', inputs: ['src'] } });
    const mask = arr('uint8', [1, 2], [1, 0]);
    const zip = runOutputsZip(
      [
        { meta: out, key: 'mask', array: mask },
        { meta: o2, key: 'mask', array: mask },
      ],
      'png',
      byId,
      { ...run, outputDatasetIds: ['o1', 'o2'] },
    );
    const files = unzipSync(zip);
    expect(Object.keys(files)).toEqual(['coins · otsu mask.png', 'coins · otsu mask (2).png']);
    expect(Array.from(pngDecode(files['coins · otsu mask.png']!).data)).toEqual([255, 0]);
    expect(runZipName(run, byId)).toBe('coins · threshold_segmentation.zip');
    const tz = unzipSync(runOutputsZip([{ meta: out, key: 'mask', array: mask }], 'npy', byId, run));
    expect(Array.from(decodeNpyArray(tz['coins · otsu mask.npy']!).data)).toEqual([1, 0]);
    expect(() => runOutputsZip([{ meta: out, key: 'mask', array: arr('uint8', [2, 1, 1], [0, 1]) }], 'png', byId, run)).toThrow(
      /output “threshold_segmentation e1234567 #1” \(field 'mask', uint8 2×1×1\) cannot be written as PNG/,
    );
  });

  it('"Export all outputs" of a measuring run: its tables as CSV beside the labels, whatever the format', () => {
    const labels = arr('int32', [1, 2], [1, 2]);
    const table = meta({ id: 't1', name: 'coins · measure_objects measurements', schema: 'Table' });
    const csv = 'label,area\r\n1,1\r\n2,1\r\n';
    const zip = unzipSync(
      runOutputsZip(
        [
          { meta: out, key: 'mask', array: labels },
          { meta: table, key: 'values', array: arr('int32', [2, 2], [1, 2, 1, 1]), csv },
        ],
        'tiff',
        byId,
        { ...run, outputDatasetIds: ['o1', 't1'] },
      ),
    );
    expect(Object.keys(zip)).toEqual(['coins · otsu mask.tif', 'coins · measure_objects measurements.csv']);
    expect(new TextDecoder().decode(zip['coins · measure_objects measurements.csv'])).toBe(csv);
  });
});
