// The OME export menu's pure parts: the notes (what is written, why an item is unavailable), a
// Segmentation output's source image, the file names.
import { describe, expect, it } from 'vitest';
import { omeExportName, omeExportSupport, segmentationSource } from '../../src/app/datasets/omeExportMenu';
import { axisOf } from '../../src/core/imageAxes';
import type { DatasetMeta, FieldMeta } from '../../src/core/records';

const field = (shape: number[], extra: Partial<FieldMeta> = {}): FieldMeta => ({ kind: 'array', dtype: 'uint16', shape, byteLength: 0, ...extra }) as FieldMeta;
const meta = (id: string, name: string, keys: Record<string, FieldMeta>, extra: Record<string, unknown> = {}): DatasetMeta =>
  ({ id, name, keys, extra, byteLength: 0 }) as unknown as DatasetMeta;

describe('omeExportSupport', () => {
  it('says the axes and planes, conversions, the pyramid and the labels', () => {
    expect(omeExportSupport(field([3, 8, 10]), 'image', 'ome-tiff', { name: 'rgb' }).note).toBe(
      'OME-TIFF (CYX, 3 planes, one page each, XYZCT order). Values, channel names and colours, units and pixel sizes are kept.',
    );
    const big = omeExportSupport(field([2500, 3000], { dtype: 'float16' }), 'image', 'ome-zarr-0.5', { name: 'big', labelsOf: 'cells' });
    expect(big.ok).toBe(true);
    expect(big.note).toContain('OME-Zarr 0.5 (Zarr v3), YX');
    expect(big.note).toContain('float16 is written as float32.');
    expect(big.note).toContain('Planes over 2048 px get a 2×2-mean pyramid.');
    expect(big.note).toContain('Exports its source image “cells” with this mask as labels.');
  });

  it('refuses axes out of t, c, z, y, x order, and fields that are not arrays', () => {
    const odd = field([2, 4, 5], { axes: { axes: [axisOf('y'), axisOf('z'), axisOf('x')], channels: [] } });
    expect(omeExportSupport(odd, 'image', 'ome-tiff', { name: 'odd' })).toEqual({
      ok: false,
      note: "Dataset 'odd': axes (y, z, x) of shape [2, 4, 5] cannot be exported as OME: expected a subset of t, c, z, y, x in that order, ending with y, x.",
    });
    expect(omeExportSupport(null, null, 'ome-tiff', { name: 'x' }).ok).toBe(false);
  });
});

describe('segmentationSource', () => {
  it('a mask whose run input has its Y/X shape (with or without channels) exports that input', () => {
    const img = meta('a', 'cells', { image: field([3, 8, 10]) });
    const other = meta('b', 'other', { image: field([5, 5]) });
    const byId = new Map([img, other].map((m) => [m.id, m]));
    expect(segmentationSource(meta('m', 'mask', { mask: field([8, 10]) }, { inputs: ['b', 'a'] }), byId)?.name).toBe('cells');
    expect(segmentationSource(meta('m', 'mask', { mask: field([8, 10]) }, { inputs: ['b'] }), byId)).toBeNull();
    expect(segmentationSource(meta('m', 'mask', { mask: field([8, 10]) }), byId)).toBeNull();
    expect(segmentationSource(meta('i', 'img', { image: field([8, 10]) }, { inputs: ['a'] }), byId)).toBeNull();
  });

  it('labels measured from a cleaned mask export the image at the start of the chain, not the mask they came from', () => {
    const coins = meta('c', 'coins', { image: field([8, 10]) });
    const otsu = meta('o', 'otsu', { mask: field([8, 10]) }, { madeFrom: 'c', inputs: ['c'] });
    const clean = meta('k', 'clean', { mask: field([8, 10]) }, { madeFrom: 'o', inputs: ['o'] });
    const labels = meta('l', 'labels', { mask: field([8, 10]) }, { madeFrom: 'k', inputs: ['k'] });
    const byId = new Map([coins, otsu, clean, labels].map((m) => [m.id, m]));
    expect(segmentationSource(labels, byId)?.name).toBe('coins');
  });
});

describe('omeExportName', () => {
  it('drops image and .ome extensions, adds .ome.tif / .ome.zarr(.zip)', () => {
    expect(omeExportName('cells.ome.tif', 'ome-tiff', false)).toBe('cells.ome.tif');
    expect(omeExportName('scan.tif [2/3]', 'ome-zarr-0.4', false)).toBe('scan_p2.ome.zarr.zip');
    expect(omeExportName('a/b', 'ome-zarr-0.5', true)).toBe('a_b.ome.zarr');
  });
});
