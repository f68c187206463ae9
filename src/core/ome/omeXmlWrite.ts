// The OME-XML of an exported OME-TIFF (OME 2016-06 schema): one Image whose Pixels say the sizes,
// pixel type, physical sizes (units as the schema's symbols: 'µm', 'nm', 's'), time increment, the
// channels (name, colour as a signed 32-bit RGBA integer) and one TiffData per plane (XYZCT order,
// IFD i = plane i). Built with fast-xml-parser's XMLBuilder (escaping included).
import { XMLBuilder } from 'fast-xml-parser';
import { unitSymbol, type Axis, type ImageAxes } from '../imageAxes';
import type { DType } from '../ndarray';
import { planeZct, type OmeDims } from './omeDims';

export const OME_NAMESPACE = 'http://www.openmicroscopy.org/Schemas/OME/2016-06';

const PIXEL_TYPE: Record<Exclude<DType, 'float16' | 'bool'>, string> = {
  uint8: 'uint8',
  int8: 'int8',
  uint16: 'uint16',
  int16: 'int16',
  uint32: 'uint32',
  int32: 'int32',
  float32: 'float',
  float64: 'double',
};

/** UnitsLength and UnitsTime symbols of the OME 2016-06 schema that algobox's unit names map to. */
const OME_LENGTH = new Set(['Å', 'pm', 'nm', 'µm', 'mm', 'cm', 'm', 'km', 'in', 'ft']);
const OME_TIME = new Set(['ns', 'µs', 'ms', 's', 'min', 'h', 'd']);

export interface OmeXmlImage {
  name: string;
  /** The exported dtype (see omeExportDType). */
  dtype: Exclude<DType, 'float16' | 'bool'>;
  dims: OmeDims;
  axes: ImageAxes;
  /** 'urn:uuid:…' */
  uuid: string;
}

/** A channel colour 'RRGGBB' as OME's Color: RGBA packed in a signed 32-bit integer (alpha 255). */
export function omeColor(rrggbb: string): number {
  return (Number.parseInt(rrggbb, 16) << 8) | 0xff | 0;
}

/** PhysicalSize{X,Y,Z} (or TimeIncrement) and its unit attribute, when the axis has a unit the schema knows. */
function physical(ax: Axis | undefined, attr: string, units: ReadonlySet<string>): Record<string, string | number> {
  if (!ax || !ax.unit) return {};
  const sym = unitSymbol(ax.unit);
  if (!units.has(sym)) return {};
  return { [`@_${attr}`]: ax.scale, [`@_${attr}Unit`]: sym };
}

/** The OME-XML document (with its XML declaration) describing one exported image. */
export function omeXml(img: OmeXmlImage): string {
  const { dims, axes } = img;
  const byName = (n: string) => axes.axes.find((a) => a.name === n);
  const channels = Array.from({ length: dims.size.c }, (_, c) => {
    const ch = axes.channels[c];
    return {
      '@_ID': `Channel:0:${c}`,
      '@_SamplesPerPixel': 1,
      ...(ch ? { '@_Name': ch.label, '@_Color': omeColor(ch.color) } : {}),
    };
  });
  const tiffData = Array.from({ length: dims.planes }, (_, i) => {
    const { z, c, t } = planeZct(dims, i);
    return { '@_IFD': i, '@_FirstZ': z, '@_FirstC': c, '@_FirstT': t, '@_PlaneCount': 1 };
  });
  const doc = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    OME: {
      '@_xmlns': OME_NAMESPACE,
      '@_xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
      '@_xsi:schemaLocation': `${OME_NAMESPACE} ${OME_NAMESPACE}/ome.xsd`,
      '@_UUID': img.uuid,
      '@_Creator': 'algobox',
      Image: {
        '@_ID': 'Image:0',
        '@_Name': img.name,
        Pixels: {
          '@_ID': 'Pixels:0',
          '@_DimensionOrder': 'XYZCT',
          '@_Type': PIXEL_TYPE[img.dtype],
          '@_Interleaved': 'false',
          '@_BigEndian': 'false',
          '@_SizeX': dims.size.x,
          '@_SizeY': dims.size.y,
          '@_SizeZ': dims.size.z,
          '@_SizeC': dims.size.c,
          '@_SizeT': dims.size.t,
          ...physical(byName('x'), 'PhysicalSizeX', OME_LENGTH),
          ...physical(byName('y'), 'PhysicalSizeY', OME_LENGTH),
          ...physical(byName('z'), 'PhysicalSizeZ', OME_LENGTH),
          ...physical(byName('t'), 'TimeIncrement', OME_TIME),
          Channel: channels,
          TiffData: tiffData,
        },
      },
    },
  };
  const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: true, format: false });
  return builder.build(doc) as string;
}
