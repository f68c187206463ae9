import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AlignmentSchema,
  DATA_SCHEMAS,
  EmbeddingSchema,
  GenericSchema,
  ImageSchema,
  MeshSchema,
  SchemaError,
  SegmentationSchema,
  VolumeSchema,
  imageDTypes,
  schemaNameOf,
  validateItem,
  type DataSchemaName,
} from '../../src/core/dataSchemas';
import { hasFloat16, ndarray, zeros, type DType } from '../../src/core/ndarray';

/** The SchemaError a call throws (fails the test when it does not throw one). */
function schemaError(fn: () => unknown): SchemaError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SchemaError);
    return e as SchemaError;
  }
  throw new Error('expected a SchemaError');
}

const eye3 = () => ndarray('float64', [3, 3], [1, 0, 0, 0, 1, 0, 0, 0, 1]);

describe('registry', () => {
  it('lists the seven built-in schemas and reverse-looks them up', () => {
    expect(Object.keys(DATA_SCHEMAS)).toEqual(['Image', 'Segmentation', 'Alignment', 'Embedding', 'Generic', 'Volume', 'Mesh', 'Table']);
    for (const name of Object.keys(DATA_SCHEMAS) as DataSchemaName[]) expect(schemaNameOf(DATA_SCHEMAS[name])).toBe(name);
    expect(schemaNameOf(z.object({ image: z.any() }))).toBeNull();
    expect(schemaNameOf(ImageSchema)).toBe('Image');
  });

  it('rejects unknown schema names', () => {
    const e = schemaError(() => validateItem('Picture' as DataSchemaName, {}));
    expect(e.message).toBe("Unknown data schema 'Picture'; expected one of Image, Segmentation, Alignment, Embedding, Generic, Volume, Mesh, Table.");
    expect(() => validateItem('toString' as DataSchemaName, {})).toThrow("Unknown data schema 'toString'");
  });

  it('rejects items that are not objects', () => {
    expect(schemaError(() => validateItem('Image', [1, 2, 3])).message).toBe('Image: expected an item object {field: value, …}, got array(3).');
    const e = schemaError(() => validateItem('Generic', null, 4));
    expect(e.message).toBe('Generic item 4: expected an item object {field: value, …}, got null.');
    expect(e.field).toBeNull();
    expect(e.schema).toBe('Generic');
    expect(() => validateItem('Generic', zeros('uint8', [2]).data)).toThrow('got Uint8Array(2)');
  });
});

describe('ImageSchema', () => {
  it('accepts 2-D and channel-first RGB images, fills defaults, drops unknown keys', () => {
    const image = zeros('uint8', [4, 5]);
    const out = validateItem('Image', { image, extra: 1, other: 'x' });
    expect(out).toEqual({ image, mask: null, points: null });
    expect(out.image).toBe(image);
    expect('extra' in out).toBe(false);

    const rgb = zeros('float32', [3, 4, 5]);
    expect(validateItem(ImageSchema, { image: rgb }).image).toBe(rgb);
  });

  it.each(['uint8', 'uint16', 'float32', 'float64'] as DType[])('accepts dtype %s', (dtype) => {
    expect(() => validateItem('Image', { image: zeros(dtype, [2, 2]) })).not.toThrow();
  });

  it.each(['int8', 'int16', 'int32', 'uint32', 'bool'] as DType[])('rejects dtype %s with the reference text', (dtype) => {
    const e = schemaError(() => validateItem('Image', { image: zeros(dtype, [2, 2]) }));
    expect(e.message).toBe(`Image: Image must be uint8, uint16, float64, float32 or float16 (got ${dtype}).`);
    expect(e.field).toBe('image');
  });

  it('lists float16 only where Float16Array exists', () => {
    expect(imageDTypes().includes('float16')).toBe(hasFloat16());
  });

  it('reports dimensions and channels exactly like the reference', () => {
    // H×W×3 (channel-last) reports "got H channels".
    expect(schemaError(() => validateItem('Image', { image: zeros('uint8', [10, 20, 3]) })).message).toBe(
      'Image: Image must be 2D (got 3 dimensions), grayscale or RGB (got 10 channels).',
    );
    expect(schemaError(() => validateItem('Image', { image: zeros('uint8', [4, 2, 2]) })).message).toBe(
      'Image: Image must be 2D (got 3 dimensions), grayscale or RGB (got 4 channels).',
    );
    expect(schemaError(() => validateItem('Image', { image: zeros('uint8', [7]) })).message).toBe(
      'Image: Image must be 2D (got 1 dimensions), grayscale or RGB (got 7 channels).',
    );
    expect(schemaError(() => validateItem('Image', { image: zeros('uint8', [3, 1, 2, 2]) })).message).toBe(
      'Image: Image must be 2D (got 4 dimensions), grayscale or RGB (got 3 channels).',
    );
    expect(schemaError(() => validateItem('Image', { image: zeros('uint8', []) })).message).toBe(
      'Image: Image must be 2D (got 0 dimensions), grayscale or RGB (got 1 channels).',
    );
  });

  it('reports every problem joined into sentences', () => {
    const e = schemaError(() => validateItem('Image', { image: zeros('int32', [5]), mask: 'm', points: [1] }));
    expect(e.message).toBe(
      'Image: Image must be 2D (got 1 dimensions), grayscale or RGB (got 5 channels). ' +
        'Image must be uint8, uint16, float64, float32 or float16 (got int32). ' +
        'Field \'mask\': expected an NDArray {dtype, shape, data}, got string "m". ' +
        "Field 'points[0]': expected an NDArray {dtype, shape, data}, got number 1.",
    );
    expect(e.field).toBe('image');
  });

  it('says expected vs got for non-NDArray values and missing fields', () => {
    expect(schemaError(() => validateItem('Image', { image: [1, 2, 3] })).message).toBe(
      "Image: Field 'image': expected an NDArray {dtype, shape, data}, got array(3).",
    );
    expect(schemaError(() => validateItem('Image', { image: null })).message).toBe("Image: Field 'image': expected an NDArray {dtype, shape, data}, got null.");
    const e = schemaError(() => validateItem('Image', { mask: zeros('bool', [2, 2]) }, 2));
    expect(e.message).toBe("Image item 2: Field 'image' is required.");
    expect(e.field).toBe('image');
    expect(schemaError(() => validateItem('Image', { image: { dtype: 'uint8', shape: [2, 2], data: new Uint8Array(3) } })).message).toBe(
      "Image: Field 'image': data has 3 elements but shape [2, 2] needs 4.",
    );
  });

  it('mask and points are optional, unchecked beyond being NDArrays', () => {
    const mask = zeros('bool', [9]);
    const points = [zeros('float64', [2]), zeros('int32', [5, 2])];
    const out = validateItem('Image', { image: zeros('uint8', [2, 2]), mask, points });
    expect(out.mask).toBe(mask);
    expect(out.points).toEqual(points);
    expect(validateItem('Image', { image: zeros('uint8', [2, 2]), mask: null, points: null })).toMatchObject({ mask: null, points: null });
    expect(schemaError(() => validateItem('Image', { image: zeros('uint8', [2, 2]), points: zeros('uint8', [2]) })).message).toBe(
      "Image: Field 'points': expected a list of NDArrays, got NDArray uint8 [2].",
    );
  });
});

describe('SegmentationSchema', () => {
  it('accepts any shape and dtype, including bool', () => {
    for (const mask of [zeros('bool', [2, 3, 4]), zeros('int32', [5]), zeros('float64', [])]) {
      expect(validateItem('Segmentation', { mask, image: 1 })).toEqual({ mask });
    }
  });
  it('rejects a missing or non-array mask', () => {
    expect(schemaError(() => validateItem(SegmentationSchema, {})).message).toBe("Segmentation: Field 'mask' is required.");
    expect(schemaError(() => validateItem('Segmentation', { mask: [[1, 0]] })).message).toBe(
      "Segmentation: Field 'mask': expected an NDArray {dtype, shape, data}, got array(1).",
    );
  });
});

describe('AlignmentSchema', () => {
  it('fills list defaults (fresh arrays each time) and translation_matrix null', () => {
    const m = eye3();
    const a = validateItem('Alignment', { transform_matrix: m });
    expect(a).toEqual({ points1: [], points2: [], confidence: [], transform_matrix: m, translation_matrix: null });
    const b = validateItem('Alignment', { transform_matrix: m });
    expect(b.points1).not.toBe(a.points1);
  });

  it('accepts full items and integer matrices', () => {
    const item = {
      points1: [zeros('float32', [4, 2])],
      points2: [zeros('float32', [4, 2])],
      confidence: [0.5, 1, 0],
      transform_matrix: ndarray('int32', [3, 3], [1, 0, 0, 0, 1, 0, 0, 0, 1]),
      translation_matrix: eye3(),
    };
    expect(validateItem(AlignmentSchema, item)).toEqual(item);
  });

  it('requires transform_matrix, 3×3, numeric', () => {
    expect(schemaError(() => validateItem('Alignment', {})).message).toBe("Alignment: Field 'transform_matrix' is required.");
    expect(schemaError(() => validateItem('Alignment', { transform_matrix: zeros('float64', [2, 3]) })).message).toBe(
      "Alignment: Field 'transform_matrix': expected a 3×3 matrix, got shape [2, 3].",
    );
    expect(schemaError(() => validateItem('Alignment', { transform_matrix: zeros('float64', [9]) })).message).toBe(
      "Alignment: Field 'transform_matrix': expected a 3×3 matrix, got shape [9].",
    );
    expect(schemaError(() => validateItem('Alignment', { transform_matrix: zeros('bool', [3, 3]) })).message).toBe(
      "Alignment: Field 'transform_matrix': expected an integer or float dtype, got bool.",
    );
    expect(schemaError(() => validateItem('Alignment', { transform_matrix: eye3(), translation_matrix: zeros('float32', [3, 4]) })).message).toBe(
      "Alignment: Field 'translation_matrix': expected a 3×3 matrix, got shape [3, 4].",
    );
  });

  it('checks lists and confidences', () => {
    expect(schemaError(() => validateItem('Alignment', { transform_matrix: eye3(), points1: null })).message).toBe(
      "Alignment: Field 'points1': expected a list of NDArrays, got null.",
    );
    expect(schemaError(() => validateItem('Alignment', { transform_matrix: eye3(), points2: [zeros('uint8', [1]), [1, 2]] })).message).toBe(
      "Alignment: Field 'points2[1]': expected an NDArray {dtype, shape, data}, got array(2).",
    );
    expect(schemaError(() => validateItem('Alignment', { transform_matrix: eye3(), confidence: [1, NaN] })).message).toBe(
      "Alignment: Field 'confidence[1]': expected a finite number, got number NaN.",
    );
    expect(schemaError(() => validateItem('Alignment', { transform_matrix: eye3(), confidence: [1, '2'] })).message).toBe(
      'Alignment: Field \'confidence[1]\': expected a finite number, got string "2".',
    );
    expect(schemaError(() => validateItem('Alignment', { transform_matrix: eye3(), confidence: 0.5 })).message).toBe(
      "Alignment: Field 'confidence': expected a list of finite numbers, got number 0.5.",
    );
  });
});

describe('EmbeddingSchema', () => {
  it('accepts features with sizes', () => {
    const item = { features: zeros('float32', [1, 256, 64, 64]), input_size: [1024, 1024], original_size: [480, 640] };
    expect(validateItem(EmbeddingSchema, item)).toEqual(item);
  });
  it('requires all three fields', () => {
    expect(schemaError(() => validateItem('Embedding', { features: zeros('float32', [2]) })).message).toBe(
      "Embedding: Field 'input_size' is required. Field 'original_size' is required.",
    );
  });
  it('sizes must be lists of non-negative integers', () => {
    const features = zeros('float32', [2]);
    expect(schemaError(() => validateItem('Embedding', { features, input_size: [2, -1], original_size: [1.5] })).message).toBe(
      "Embedding: Field 'input_size[1]': expected a non-negative integer, got number -1. " +
        "Field 'original_size[0]': expected a non-negative integer, got number 1.5.",
    );
    expect(schemaError(() => validateItem('Embedding', { features, input_size: '2x2', original_size: [] })).message).toBe(
      'Embedding: Field \'input_size\': expected a list of non-negative integers (e.g. [height, width]), got string "2x2".',
    );
  });
});

describe('GenericSchema', () => {
  it('takes one NDArray under data', () => {
    const data = zeros('int8', [3]);
    expect(validateItem(GenericSchema, { data, meta: {} })).toEqual({ data });
    expect(schemaError(() => validateItem('Generic', { array: data })).message).toBe("Generic: Field 'data' is required.");
  });
});

describe('VolumeSchema', () => {
  it('accepts 3-D volumes with defaults', () => {
    const volume = zeros('uint16', [2, 3, 4]);
    expect(validateItem('Volume', { volume })).toEqual({ volume, mask: null, points: null, stats: null });
    expect(validateItem(VolumeSchema, { volume, stats: 'mean=1' }).stats).toBe('mean=1');
  });
  it('rejects other dimensions and non-string stats', () => {
    expect(schemaError(() => validateItem('Volume', { volume: zeros('uint8', [2, 2]) })).message).toBe(
      'Volume: Volume must be a 3 dimensional array (got 2 dimensions).',
    );
    expect(schemaError(() => validateItem('Volume', { volume: zeros('uint8', [1, 1, 1]), stats: 3 })).message).toBe(
      "Volume: Field 'stats': expected a string or null, got number 3.",
    );
  });
});

describe('MeshSchema', () => {
  const vertices = ndarray('float32', [3, 3], [0, 0, 0, 1, 0, 0, 0, 1, 0]);
  const faces = ndarray('int32', [1, 3], [0, 1, 2]);

  it('accepts float vertices and integer faces (float32/int32 too)', () => {
    expect(validateItem('Mesh', { vertices, faces })).toEqual({ vertices, faces, stats: null });
    const v64 = ndarray('float64', [3, 3], Array.from(vertices.data));
    expect(() => validateItem(MeshSchema, { vertices: v64, faces: ndarray('uint8', [1, 3], [2, 1, 0]) })).not.toThrow();
  });

  it('rejects bad vertices', () => {
    expect(schemaError(() => validateItem('Mesh', { vertices: zeros('float64', [4, 2]), faces })).message).toBe(
      'Mesh: Mesh vertices must be an Nx3 array of floats (got shape [4, 2], dtype float64).',
    );
    expect(schemaError(() => validateItem('Mesh', { vertices: zeros('int32', [3, 3]), faces })).message).toBe(
      'Mesh: Mesh vertices must be an Nx3 array of floats (got shape [3, 3], dtype int32).',
    );
  });

  it('rejects bad faces, naming faces (not "vertices" as the reference did)', () => {
    expect(schemaError(() => validateItem('Mesh', { vertices, faces: zeros('float32', [1, 3]) })).message).toBe(
      'Mesh: Mesh faces must be an Nx3 array of integers pointing into the vertices array (got shape [1, 3], dtype float32).',
    );
    expect(schemaError(() => validateItem('Mesh', { vertices, faces: zeros('int32', [3]) })).message).toBe(
      'Mesh: Mesh faces must be an Nx3 array of integers pointing into the vertices array (got shape [3], dtype int32).',
    );
  });

  it('face indices must point into the vertices', () => {
    const e = schemaError(() => validateItem('Mesh', { vertices, faces: ndarray('int32', [2, 3], [0, 1, 2, 2, 3, 0]) }));
    expect(e.message).toBe('Mesh: Mesh faces must point into the vertices array: face 1 refers to vertex 3, but there are 3 vertices (valid indices 0 to 2).');
    expect(e.field).toBe('faces');
    expect(schemaError(() => validateItem('Mesh', { vertices, faces: ndarray('int8', [1, 3], [0, -1, 1]) })).message).toBe(
      'Mesh: Mesh faces must point into the vertices array: face 0 refers to vertex -1, but there are 3 vertices (valid indices 0 to 2).',
    );
    expect(schemaError(() => validateItem('Mesh', { vertices: zeros('float32', [0, 3]), faces })).message).toBe(
      'Mesh: Mesh faces must point into the vertices array: face 0 refers to vertex 0, but there are 0 vertices.',
    );
    // An empty mesh is fine.
    expect(() => validateItem('Mesh', { vertices: zeros('float32', [0, 3]), faces: zeros('uint32', [0, 3]) })).not.toThrow();
  });

  it('reports missing fields without a cross-field check', () => {
    expect(schemaError(() => validateItem('Mesh', { vertices })).message).toBe("Mesh: Field 'faces' is required.");
  });
});

describe('custom zod schemas', () => {
  it('validates with the given schema, names it by description, formats paths', () => {
    const Points = z.object({ label: z.string(), xs: z.array(z.number()) }).describe('Points');
    expect(validateItem(Points, { label: 'a', xs: [1], junk: 2 })).toEqual({ label: 'a', xs: [1] });
    const e = schemaError(() => validateItem(Points, { xs: [1, 'x'] }, 0));
    expect(e.message).toBe("Points item 0: Field 'label' is required. Field 'xs[1]': Invalid input: expected number, received string");
    expect(e.schema).toBe('Points');
    expect(e.field).toBe('label');
  });

  it('falls back to "Schema" and keeps custom refinement messages', () => {
    const S = z.object({ n: z.number() }).refine((v) => v.n > 0, { message: 'n must be positive', path: ['n'] });
    expect(schemaError(() => validateItem(S, { n: -1 })).message).toBe("Schema: Field 'n': n must be positive");
  });

  it('built-in schema objects passed directly are named by the registry', () => {
    expect(schemaError(() => validateItem(DATA_SCHEMAS.Volume, {})).message).toBe("Volume: Field 'volume' is required.");
  });
});
