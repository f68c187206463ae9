#!/usr/bin/python3
"""Parity fixtures for src/sdk/image/transform.ts (skimage.transform.resize).

    /usr/bin/python3 tools/parity/transform.py

Writes tests/fixtures/parity/transform.json (same array encoding as the other parity scripts).
"""
import base64
import json
import os
import platform

import numpy as np
import scipy
import skimage
from skimage.transform import resize

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
OUT = os.path.join(ROOT, 'tests', 'fixtures', 'parity', 'transform.json')


def enc(a):
    a = np.ascontiguousarray(a)
    name = {np.dtype(np.float64): 'float64', np.dtype(np.uint8): 'uint8'}[a.dtype]
    return {'dtype': name, 'shape': list(a.shape), 'b64': base64.b64encode(a.astype(a.dtype.newbyteorder('<')).tobytes()).decode()}


rng = np.random.default_rng(20261122)
cases = []
img2 = rng.random((23, 37)) * 100
rgb = (rng.random((19, 26, 3)) * 255).astype(np.uint8)
vol = rng.random((5, 9, 11))
for name, image, shape, order, aa in [
    ('down 2-D', img2, (7, 12), 1, True),
    ('down 2-D no aa', img2, (7, 12), 1, False),
    ('up 2-D', img2, (50, 81), 1, False),
    ('mixed 2-D', img2, (40, 15), 1, True),
    ('nearest up', img2, (46, 74), 0, False),
    ('nearest down', img2, (10, 13), 0, False),
    ('rgb to 320', rgb, (32, 32), 1, True),
    ('3-D', vol, (3, 14, 6), 1, True),
]:
    out = resize(image, shape, order=order, mode='reflect', anti_aliasing=aa, preserve_range=True)
    cases.append({'name': name, 'image': enc(image), 'shape': list(shape), 'order': order, 'antiAliasing': aa, 'expected': enc(out.astype(np.float64))})

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, 'w') as f:
    json.dump({'versions': {'skimage': skimage.__version__, 'scipy': scipy.__version__, 'numpy': np.__version__, 'python': platform.python_version()}, 'cases': cases}, f, separators=(',', ':'))
print(OUT, os.path.getsize(OUT))
