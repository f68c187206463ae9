// The microscopy metadata parsers (src/core/ome): OME-XML of any schema year and namespace prefix, the
// plane → page mapping of DimensionOrder and TiffData, colours and units; the ImageJ description; and
// the storage rule of docs/microscopy.md (axes kept, schema, field, dtype). Pure: no store, no files
// except the OME-XML tifffile writes in this run.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { imagejFields, parseImagej, type ImagejPage } from '../../src/core/ome/imagejMeta';
import { omeColor, parseOmeXml } from '../../src/core/ome/omeXml';
import { storedAxes, storedLayout } from '../../src/core/ome/series';

const PYTHON = '/usr/bin/python3';
const TIFFFILE = spawnSync(PYTHON, ['-c', 'import tifffile'], { stdio: 'ignore' }).status === 0;

/** An OME document around `images` (<Image> elements), in namespace `ns` with an optional prefix. */
function ome(images: string, opts: { year?: string; prefix?: string } = {}): string {
  const p = opts.prefix ? `${opts.prefix}:` : '';
  const xmlns = opts.prefix ? `xmlns:${opts.prefix}` : 'xmlns';
  const body = images.replace(/<(\/?)(Image|Pixels|Channel|TiffData|UUID)\b/g, `<$1${p}$2`);
  return `<?xml version="1.0" encoding="UTF-8"?><${p}OME ${xmlns}="http://www.openmicroscopy.org/Schemas/OME/${opts.year ?? '2016-06'}">${body}</${p}OME>`;
}

const pixels = (attrs: string, inner = '') => `<Image ID="Image:0" Name="cells"><Pixels ID="Pixels:0" ${attrs}>${inner}</Pixels></Image>`;

describe('OME-XML', () => {
  it('reads any schema year and namespace prefix; no TiffData: the pages in DimensionOrder', () => {
    for (const opts of [{}, { year: '2013-06', prefix: 'ome' }, { year: '2008-02', prefix: 'OME' }]) {
      const [s] = parseOmeXml(ome(pixels('DimensionOrder="XYZCT" Type="uint16" SizeX="6" SizeY="5" SizeZ="4" SizeC="3" SizeT="2"'), opts), 'a.ome.tif', 24);
      expect(s!.name).toBe('cells');
      expect(s!.dtype).toBe('uint16');
      expect(s!.sizes).toEqual({ t: 2, c: 3, z: 4, y: 5, x: 6 });
      // XYZCT: Z fastest, then C, then T — the pages in order are (t, c, z) in C order.
      expect(s!.planePages).toEqual(Array.from({ length: 24 }, (_, i) => i));
    }
  });

  it('DimensionOrder XYCZT: C fastest in the file, so plane (t, c, z) is on page (t·Z + z)·C + c', () => {
    const [s] = parseOmeXml(ome(pixels('DimensionOrder="XYCZT" Type="uint8" SizeX="2" SizeY="2" SizeZ="3" SizeC="2" SizeT="1"')), 'a.tif', 6);
    // slots in (t, c, z) order: c=0: z=0,1,2 → pages 0, 2, 4; c=1 → 1, 3, 5
    expect(s!.planePages).toEqual([0, 2, 4, 1, 3, 5]);
  });

  it('TiffData per plane (FirstZ/FirstC/FirstT, IFD, PlaneCount 1 when only IFD is given) and in runs', () => {
    const per = [
      '<TiffData FirstZ="1" FirstC="0" FirstT="0" IFD="0"/>',
      '<TiffData FirstZ="0" FirstC="0" FirstT="0" IFD="3"/>',
      '<TiffData FirstC="1" IFD="1" PlaneCount="2"/>',
    ].join('');
    const [s] = parseOmeXml(ome(pixels('DimensionOrder="XYZCT" Type="int16" SizeX="2" SizeY="2" SizeZ="2" SizeC="2" SizeT="1"', per)), 'a.tif', 4);
    expect(s!.planePages).toEqual([3, 0, 1, 2]);
    expect(s!.tiffData[0]).toEqual({ ifd: 0, firstZ: 1, firstC: 0, firstT: 0, planeCount: null, hasIfd: true });
  });

  it('two Images without TiffData take the pages one after the other', () => {
    const two = [
      '<Image ID="Image:0"><Pixels DimensionOrder="XYZCT" Type="uint8" SizeX="2" SizeY="2" SizeZ="2" SizeC="1" SizeT="1"/></Image>',
      '<Image ID="Image:1" Name="b"><Pixels DimensionOrder="XYZCT" Type="float" SizeX="3" SizeY="3" SizeZ="3" SizeC="1" SizeT="1"/></Image>',
    ].join('');
    const [a, b] = parseOmeXml(ome(two), 'two.tif', 5);
    expect([a!.name, a!.planePages, b!.name, b!.dtype, b!.planePages]).toEqual([null, [0, 1], 'b', 'float32', [2, 3, 4]]);
  });

  it('physical sizes with their units (µm and s when not given), channel names and colours', () => {
    const ch = '<Channel Name="DAPI" Color="-16776961" SamplesPerPixel="1"/><Channel Color="16711935"/>';
    const attrs =
      'DimensionOrder="XYZCT" Type="double" SizeX="2" SizeY="2" SizeZ="2" SizeC="2" SizeT="2" PhysicalSizeX="0.325" PhysicalSizeY="0.5" PhysicalSizeYUnit="nm" PhysicalSizeZ="1.5" PhysicalSizeZUnit="mm" TimeIncrement="30"';
    const [s] = parseOmeXml(ome(pixels(attrs, ch)), 'a.tif', 8);
    const st = storedLayout(s!.sizes, s!.dtype);
    expect(st).toEqual({ axes: ['t', 'c', 'z', 'y', 'x'], shape: [2, 2, 2, 2, 2], dtype: 'float64', schema: null, field: 'image' });
    expect(storedAxes(s!, st)).toEqual({
      axes: [
        { name: 't', type: 'time', unit: 'second', scale: 30, translation: 0 },
        { name: 'c', type: 'channel', unit: null, scale: 1, translation: 0 },
        { name: 'z', type: 'space', unit: 'millimeter', scale: 1.5, translation: 0 },
        { name: 'y', type: 'space', unit: 'nanometer', scale: 0.5, translation: 0 },
        { name: 'x', type: 'space', unit: 'micrometer', scale: 0.325, translation: 0 },
      ],
      channels: [
        { label: 'DAPI', color: 'FF0000', window: null, active: true },
        { label: 'Channel 1', color: '00FF00', window: null, active: true },
      ],
    });
  });

  it('Color is a signed 32-bit RGBA integer', () => {
    expect(['-16776961', '16711935', '65535', '-1', '0', '4294967295', 'x', '4294967296'].map(omeColor)).toEqual([
      'FF0000',
      '00FF00',
      '0000FF',
      'FFFFFF',
      '000000',
      'FFFFFF',
      null,
      null,
    ]);
  });

  it('an RGB Image (one Channel of 3 samples) has red, green and blue channels', () => {
    const [s] = parseOmeXml(
      ome(pixels('DimensionOrder="XYCZT" Type="uint8" SizeX="4" SizeY="4" SizeZ="1" SizeC="3" SizeT="1"', '<Channel SamplesPerPixel="3"/>')),
      'rgb.tif',
      1,
    );
    expect([s!.samples, s!.planePages, s!.channels.map((c) => `${c.label} ${c.color}`)]).toEqual([3, [0], ['Red FF0000', 'Green 00FF00', 'Blue 0000FF']]);
  });

  it('contradictions are errors naming the file, the field and the value', () => {
    const px =
      (attrs: string, inner = '') =>
      () =>
        parseOmeXml(ome(pixels(attrs, inner)), 'bad.ome.tif', 20);
    const base = 'DimensionOrder="XYZCT" Type="uint16" SizeX="6" SizeY="5" SizeZ="4" SizeC="3" SizeT="2"';
    expect(px(base)).toThrow(
      "bad.ome.tif: OME-XML: Image 0 ('cells') Pixels SizeZ=4 × 3 channel plane(s) × SizeT=2 is 24 planes, but the file has 20 page(s) for them.",
    );
    expect(px(base.replace('uint16', 'complex'))).toThrow(
      "bad.ome.tif: OME-XML: Image 0 ('cells') Pixels Type='complex' is not supported (expected one of int8, int16, int32, uint8, uint16, uint32, float, double).",
    );
    expect(px(base.replace('XYZCT', 'XYZZT'))).toThrow(
      "bad.ome.tif: OME-XML: Image 0 ('cells') Pixels DimensionOrder='XYZZT' is not one of XYZCT, XYZTC, XYCTZ, XYCZT, XYTCZ, XYTZC.",
    );
    expect(px(base.replace('SizeZ="4"', 'SizeZ="0"'))).toThrow("bad.ome.tif: OME-XML: Image 0 ('cells') Pixels SizeZ='0' is not an integer ≥ 1.");
    expect(px(base, '<Channel SamplesPerPixel="2"/>')).toThrow(
      "bad.ome.tif: OME-XML: Image 0 ('cells') Pixels SizeC=3 is not a multiple of the channels' SamplesPerPixel=2.",
    );
    expect(px(base, '<TiffData IFD="10" PlaneCount="24"/>')).toThrow(
      "bad.ome.tif: OME-XML: Image 0 ('cells') Pixels TiffData 0 IFD=10 PlaneCount=24 needs pages 11 to 34, but the file has 20 page(s).",
    );
    expect(px(base, '<TiffData FirstZ="4"/>')).toThrow(
      "bad.ome.tif: OME-XML: Image 0 ('cells') Pixels TiffData 0 FirstZ=4 FirstC=0 FirstT=0 lies outside SizeZ=4, 3 channel plane(s), SizeT=2.",
    );
    expect(px(base, '<TiffData IFD="0" PlaneCount="12"/>')).toThrow(
      "bad.ome.tif: OME-XML: Image 0 ('cells') Pixels no TiffData gives the plane Z=0 C=0 T=1 (24 planes, 1 TiffData element(s)).",
    );
    expect(px(base, '<Channel Color="red"/>')).toThrow("bad.ome.tif: OME-XML: Image 0 ('cells') Pixels Channel 0 Color='red' is not a 32-bit RGBA integer.");
    expect(px(base.replace('SizeX="6" ', ''))).toThrow("bad.ome.tif: OME-XML: Image 0 ('cells') Pixels has no SizeX.");
    expect(px(`${base} PhysicalSizeX="-1"`)).toThrow("bad.ome.tif: OME-XML: Image 0 ('cells') Pixels PhysicalSizeX='-1' is not a positive number.");
    expect(() => parseOmeXml('<OME><Image', 'bad.ome.tif', 1)).toThrow(/^bad\.ome\.tif: OME-XML: not well-formed XML/);
    expect(() => parseOmeXml(ome(''), 'bad.ome.tif', 1)).toThrow('bad.ome.tif: OME-XML: the document has no Image element.');
  });

  it('TiffData naming this file’s UUID is read; one naming another file (multi-file OME-TIFF) is an error', () => {
    const doc = (uuid: string) =>
      ome(
        pixels(
          'DimensionOrder="XYZCT" Type="uint8" SizeX="2" SizeY="2" SizeZ="2" SizeC="1" SizeT="1"',
          `<TiffData IFD="1" PlaneCount="1"><UUID FileName="b.ome.tif">${uuid}</UUID></TiffData><TiffData FirstZ="1" IFD="0"><UUID>${uuid}</UUID></TiffData>`,
        ),
      ).replace('<OME ', '<OME UUID="urn:uuid:1111" ');
    expect(parseOmeXml(doc('urn:uuid:1111'), 'a.ome.tif', 2)[0]!.planePages).toEqual([1, 0]);
    expect(() => parseOmeXml(doc('urn:uuid:2222'), 'a.ome.tif', 2)).toThrow(
      "a.ome.tif: OME-XML: Image 0 ('cells') Pixels TiffData 0 refers to file 'b.ome.tif' (UUID urn:uuid:2222, this file is urn:uuid:1111): multi-file OME-TIFF is not supported; import a single-file OME-TIFF (e.g. bfconvert or tifffile).",
    );
  });

  it.skipIf(!TIFFFILE)('reads the OME-XML tifffile writes (TCZYX, channel names)', () => {
    const code = [
      'import tifffile',
      'x = tifffile.OmeXml()',
      "x.addimage('uint16', (2, 3, 4, 5, 6), (24, 1, 1, 5, 6, 1), axes='TCZYX', PhysicalSizeX=0.25, Channel={'Name': ['a', 'b', 'c']})",
      'print(x.tostring())',
    ].join('\n');
    const r = spawnSync(PYTHON, ['-c', code], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const [s] = parseOmeXml(r.stdout, 't.ome.tif', 24);
    expect(s!.sizes).toEqual({ t: 2, c: 3, z: 4, y: 5, x: 6 });
    expect(s!.dimensionOrder).toBe('XYZCT');
    expect(s!.planePages).toEqual(Array.from({ length: 24 }, (_, i) => i));
    expect(s!.channels.map((c) => c.label)).toEqual(['a', 'b', 'c']);
    expect([s!.axes5.x.unit, s!.axes5.x.scale]).toEqual(['micrometer', 0.25]);
  });
});

describe('ImageJ description', () => {
  const page: ImagejPage = { pages: 24, samples: 1, dtype: 'float32', width: 6, height: 5, xResolution: 2, yResolution: 4 };

  it('hyperstack: C fastest, then Z, then T; calibration from unit, resolution, spacing, finterval; min/max as windows', () => {
    const f = imagejFields(
      'ImageJ=1.11a\nimages=24\nchannels=4\nslices=3\nframes=2\nhyperstack=true\nunit=\\u00B5m\nspacing=2.5\nfinterval=3\ntunit=ms\nmin=0.0\nmax=1.0\n',
    )!;
    const s = parseImagej(f, page, 'h.tif');
    expect(s.sizes).toEqual({ t: 2, c: 4, z: 3, y: 5, x: 6 });
    // slot (t, c, z) → page (t·3 + z)·4 + c
    expect(s.planePages.slice(0, 7)).toEqual([0, 4, 8, 1, 5, 9, 2]);
    expect(s.planePages[12]).toBe(12);
    const st = storedLayout(s.sizes, s.dtype);
    expect(storedAxes(s, st).axes.map((a) => [a.name, a.unit, a.scale])).toEqual([
      ['t', 'millisecond', 3],
      ['c', null, 1],
      ['z', 'micrometer', 2.5],
      ['y', 'micrometer', 0.25],
      ['x', 'micrometer', 0.5],
    ]);
    expect(s.channels[3]).toEqual({ label: 'Channel 3', color: 'FF00FF', window: { start: 0, end: 1 }, active: true });
  });

  it('a plain stack (images only) is Z; an RGB page is three channels; not ImageJ: null', () => {
    const z = parseImagej(imagejFields('ImageJ=1.53t\nimages=24\nunit=micron\n')!, page, 's.tif');
    expect([z.sizes.z, z.sizes.c, z.axes5.x.unit]).toEqual([24, 1, 'micrometer']);
    const rgb = parseImagej(imagejFields('ImageJ=1.53t\n')!, { ...page, pages: 1, samples: 3, dtype: 'uint8' }, 'rgb.tif');
    expect([rgb.sizes.c, rgb.channels.map((c) => c.label)]).toEqual([3, ['Red', 'Green', 'Blue']]);
    expect(imagejFields('<OME/>')).toBeNull();
  });

  it('contradictions name the file and the field', () => {
    expect(() => parseImagej(imagejFields('ImageJ=1\nimages=24\nchannels=5\nslices=3')!, page, 'h.tif')).toThrow(
      'h.tif: ImageJ description: channels=5 × slices=3 × frames=1 is 15 planes, but images=24.',
    );
    expect(() => parseImagej(imagejFields('ImageJ=1\nimages=30\nslices=30')!, page, 'h.tif')).toThrow(
      'h.tif: ImageJ description: images=30, but the file has 24 page(s).',
    );
    expect(() => parseImagej(imagejFields('ImageJ=1\nchannels=two')!, page, 'h.tif')).toThrow(
      'h.tif: ImageJ description: channels=two is not a positive integer.',
    );
    expect(() => parseImagej(imagejFields('ImageJ=1\nspacing=-2')!, page, 'h.tif')).toThrow('h.tif: ImageJ description: spacing=-2 is not a positive number.');
  });
});

describe('how a series is stored (docs/microscopy.md)', () => {
  it('axes kept, schema, field and dtype by what is left', () => {
    const at = (t: number, c: number, z: number, dtype: 'uint8' | 'int16' | 'uint32' | 'float32' = 'uint8') => storedLayout({ t, c, z, y: 4, x: 5 }, dtype);
    expect(at(1, 1, 1)).toEqual({ axes: ['y', 'x'], shape: [4, 5], dtype: 'uint8', schema: 'Image', field: 'image' });
    expect(at(1, 3, 1, 'int16')).toEqual({ axes: ['c', 'y', 'x'], shape: [3, 4, 5], dtype: 'float32', schema: 'Image', field: 'image' });
    expect(at(1, 1, 1, 'uint32').dtype).toBe('float64');
    expect(at(1, 2, 1, 'int16')).toEqual({ axes: ['c', 'y', 'x'], shape: [2, 4, 5], dtype: 'int16', schema: null, field: 'image' });
    expect(at(1, 1, 7, 'int16')).toEqual({ axes: ['z', 'y', 'x'], shape: [7, 4, 5], dtype: 'int16', schema: 'Volume', field: 'volume' });
    expect(at(6, 1, 1)).toMatchObject({ axes: ['t', 'y', 'x'], schema: 'Volume', field: 'volume' });
    expect(at(6, 1, 7)).toMatchObject({ axes: ['t', 'z', 'y', 'x'], schema: null, field: 'image' });
    expect(at(1, 3, 7)).toMatchObject({ axes: ['c', 'z', 'y', 'x'], schema: null, field: 'image' });
  });
});
