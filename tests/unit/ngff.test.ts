// OME-NGFF metadata (src/core/ome/ngff.ts) and how an image with named axes is stored
// (src/core/ome/storedLayout.ts): pure, no files.
import { describe, expect, it } from 'vitest';
import { hasMultiscales, ngffLevelAxes, parseLabelsGroup, parseNgffImage } from '../../src/core/ome/ngff';
import { storedLayout } from '../../src/core/ome/storedLayout';
import { axisOf, defaultAxes } from '../../src/core/imageAxes';

const v04 = {
  multiscales: [
    {
      version: '0.4',
      name: 'cells',
      axes: [
        { name: 'c', type: 'channel' },
        { name: 'z', type: 'space', unit: 'micrometer' },
        { name: 'y', type: 'space', unit: 'µm' },
        { name: 'x', type: 'space', unit: 'micron' },
      ],
      datasets: [
        {
          path: '0',
          coordinateTransformations: [
            { type: 'scale', scale: [1, 2, 0.5, 0.5] },
            { type: 'translation', translation: [0, 1, 3, 4] },
          ],
        },
        { path: '1', coordinateTransformations: [{ type: 'scale', scale: [1, 2, 1, 1] }] },
      ],
      coordinateTransformations: [{ type: 'scale', scale: [1, 1.5, 0.25, 0.25] }],
    },
  ],
  omero: {
    channels: [
      { label: 'DAPI', color: '0000ff', window: { start: 10, end: 900, min: 0, max: 65535 }, active: true },
      { label: 'GFP', color: '#00FF00', active: false },
    ],
  },
};

describe('NGFF 0.4 (.zattrs)', () => {
  it('composes the dataset and multiscale transforms per level, normalises units, keeps omero channels', () => {
    const img = parseNgffImage(v04, 2, 'cells.zarr/.zattrs');
    expect(img.version).toBe('0.4');
    expect(img.name).toBe('cells');
    expect(img.levels.map((l) => l.path)).toEqual(['0', '1']);
    const ax0 = ngffLevelAxes(img, 0, [2, 5, 64, 64], 'f');
    expect(ax0.axes).toEqual([
      { name: 'c', type: 'channel', unit: null, scale: 1, translation: 0 },
      { name: 'z', type: 'space', unit: 'micrometer', scale: 3, translation: 1.5 },
      { name: 'y', type: 'space', unit: 'micrometer', scale: 0.125, translation: 0.75 },
      { name: 'x', type: 'space', unit: 'micrometer', scale: 0.125, translation: 1 },
    ]);
    expect(ax0.channels).toEqual([
      { label: 'DAPI', color: '0000FF', window: { start: 10, end: 900 }, active: true },
      { label: 'GFP', color: '00FF00', window: null, active: false },
    ]);
    expect(ngffLevelAxes(img, 1, [2, 5, 32, 32], 'f').axes.map((a) => a.scale)).toEqual([1, 3, 0.25, 0.25]);
  });

  it('accepts axes given as bare names (files written before 0.4)', () => {
    const img = parseNgffImage({ multiscales: [{ version: '0.4', axes: ['y', 'x'], datasets: [{ path: 's0' }] }] }, 2, 'a/.zattrs');
    expect(ngffLevelAxes(img, 0, [4, 5], 'f')).toEqual({ axes: [axisOf('y'), axisOf('x')], channels: [] });
  });

  it('gives default channels when omero lists a different number', () => {
    const img = parseNgffImage(v04, 2, 'f');
    expect(ngffLevelAxes(img, 0, [3, 5, 8, 8], 'f').channels.map((c) => c.label)).toEqual(['Channel 0', 'Channel 1', 'Channel 2']);
  });

  it('refuses other versions, naming the file and the versions read', () => {
    const old = { multiscales: [{ ...v04.multiscales[0], version: '0.3' }] };
    expect(() => parseNgffImage(old, 2, 'old.zarr/.zattrs')).toThrow(
      `old.zarr/.zattrs: OME-NGFF version "0.3" is not supported on Zarr v2: algobox reads 0.4 (Zarr v2) and 0.5 (Zarr v3).`,
    );
    expect(() => parseNgffImage({ ome: { version: '0.6', multiscales: v04.multiscales } }, 3, 'n.zarr/zarr.json')).toThrow(/version "0.6" is not supported/);
    expect(() => parseNgffImage({ multiscales: [{ axes: ['y', 'x'], datasets: [{ path: '0' }] }] }, 2, 'x/.zattrs')).toThrow(
      "x/.zattrs: the OME-NGFF version is missing (expected multiscales[0].version '0.4').",
    );
  });

  it('names the problem of malformed metadata', () => {
    const bad = { multiscales: [{ version: '0.4', axes: ['y', 'x'], datasets: [{ path: '0', coordinateTransformations: [{ type: 'scale', scale: [1] }] }] }] };
    expect(() => parseNgffImage(bad, 2, 'b/.zattrs')).toThrow("b/.zattrs: multiscales[0].datasets[0] ('0'): a scale of 1 values for 2 axes.");
    expect(() => parseNgffImage({ multiscales: [{ version: '0.4', axes: ['y', 'x'], datasets: [] }] }, 2, 'c/.zattrs')).toThrow(
      /c\/.zattrs: invalid OME-NGFF 0.4 metadata: multiscales.0.datasets/,
    );
  });
});

describe('NGFF 0.5 (zarr.json attributes under ome)', () => {
  it('reads the multiscales, labels and image-label', () => {
    const attrs = { ome: { version: '0.5', multiscales: [{ axes: v04.multiscales[0]!.axes, datasets: [{ path: '0' }] }], omero: v04.omero } };
    expect(hasMultiscales(attrs, 3)).toBe(true);
    expect(hasMultiscales(attrs, 2)).toBe(false);
    const img = parseNgffImage(attrs, 3, 'n/zarr.json');
    expect(img.version).toBe('0.5');
    expect(img.zarrFormat).toBe(3);
    expect(ngffLevelAxes(img, 0, [2, 1, 4, 4], 'f').channels[1]!.label).toBe('GFP');
    const label = parseNgffImage(
      {
        ome: {
          version: '0.5',
          multiscales: [{ axes: ['y', 'x'], datasets: [{ path: '0' }] }],
          'image-label': { colors: [{ 'label-value': 1, rgba: [255, 128, 0, 200] }], source: { image: '../../' } },
        },
      },
      3,
      'l/zarr.json',
    );
    expect(label.imageLabel).toEqual({ colors: [{ value: 1, color: 'FF8000', alpha: 200 }], source: '../../' });
    expect(parseLabelsGroup({ ome: { version: '0.5', labels: ['cells', 'nuclei'] } }, 3)).toEqual(['cells', 'nuclei']);
    expect(parseLabelsGroup({ labels: ['cells'] }, 2)).toEqual(['cells']);
  });
});

describe('storedLayout (docs/microscopy.md "How an image is stored")', () => {
  const names = (ns: string[]) => ({ axes: ns.map((n) => axisOf(n)), channels: [] });
  it('drops singleton t, c, z and picks the schema by what is left', () => {
    const five = defaultAxes([1, 2, 5, 8, 8]);
    expect(storedLayout(five, [1, 2, 5, 8, 8], 'f')).toMatchObject({ kept: [1, 2, 3, 4], shape: [2, 5, 8, 8], schema: null, field: 'image' });
    expect(storedLayout(defaultAxes([1, 1, 1, 8, 9]), [1, 1, 1, 8, 9], 'f')).toMatchObject({ kept: [3, 4], shape: [8, 9], schema: 'Image', field: 'image' });
    const rgb = storedLayout(defaultAxes([1, 3, 1, 8, 9]), [1, 3, 1, 8, 9], 'f');
    expect(rgb).toMatchObject({ shape: [3, 8, 9], schema: 'Image' });
    expect(rgb.axes.channels).toHaveLength(3);
    expect(storedLayout(defaultAxes([2, 1, 1, 8, 9]), [2, 1, 1, 8, 9], 'f')).toMatchObject({ shape: [2, 8, 9], schema: 'Volume', field: 'volume' });
    expect(storedLayout(names(['z', 'y', 'x']), [4, 8, 9], 'f')).toMatchObject({ schema: 'Volume', field: 'volume' });
    const one = storedLayout(defaultAxes([1, 1, 8, 9]), [1, 1, 8, 9], 'f'); // c, z of 1
    expect(one.axes).toEqual({ axes: [axisOf('y'), axisOf('x')], channels: [] });
    expect(storedLayout(defaultAxes([2, 1, 8, 9]), [2, 1, 8, 9], 'f')).toMatchObject({ shape: [2, 8, 9], schema: null });
  });
  it('refuses axes out of the canonical order', () => {
    expect(() => storedLayout(names(['z', 'c', 'y', 'x']), [2, 2, 4, 4], 'a.zarr')).toThrow('a.zarr: axes z, c, y, x are not in the order t, c, z, y, x.');
  });
});
