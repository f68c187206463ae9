#!/usr/bin/python3
"""Parity fixtures for src/sdk/image/measure.ts (skimage.measure.label, regionprops_table).

    /usr/bin/python3 tools/parity/measure.py

Writes tests/fixtures/parity/measure.json (same array encoding as the other parity scripts).
"""
import base64
import json
import os
import platform

import numpy as np
import scipy
import skimage
from scipy import ndimage as ndi
from skimage import data
from skimage.measure import label, regionprops_table

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
OUT = os.path.join(ROOT, 'tests', 'fixtures', 'parity', 'measure.json')

NAMES = {np.dtype(t): n for t, n in [(np.uint8, 'uint8'), (np.uint16, 'uint16'), (np.int32, 'int32'), (np.float64, 'float64'), (np.float32, 'float32')]}


def enc(a):
    a = np.ascontiguousarray(a)
    if a.dtype == bool:
        a = a.astype(np.uint8)
    if a.dtype == np.int64:
        a = a.astype(np.int32)
    return {'dtype': NAMES[a.dtype], 'shape': list(a.shape), 'b64': base64.b64encode(a.astype(a.dtype.newbyteorder('<')).tobytes()).decode()}


PROPS_2D = ['label', 'area', 'bbox', 'centroid', 'weighted_centroid', 'orientation', 'major_axis_length', 'minor_axis_length',
            'eccentricity', 'perimeter', 'equivalent_diameter', 'extent', 'solidity', 'euler_number', 'intensity_mean',
            'intensity_min', 'intensity_max']
PROPS_3D = ['label', 'area', 'bbox', 'centroid', 'weighted_centroid', 'major_axis_length', 'minor_axis_length',
            'equivalent_diameter', 'extent', 'euler_number', 'area_convex', 'solidity', 'intensity_mean', 'intensity_min',
            'intensity_max']
ONLY_2D = ['orientation', 'eccentricity', 'perimeter']

rng = np.random.default_rng(20261207)


def blobs(shape, sigma, q):
    f = ndi.gaussian_filter(rng.random(shape), sigma)
    return f > np.quantile(f, q)


def table(lab, inten, props):
    t = regionprops_table(lab, inten, properties=props)
    # JSON has no inf/nan: those are written as the strings 'inf', '-inf', 'nan' (flat 3-D regions: solidity inf).
    return {k: (v.tolist() if v.dtype.kind in 'iu' else [float(x) if np.isfinite(x) else str(float(x)) for x in v]) for k, v in t.items()}


cases = []


def add(name, image, labelings, intensity, props=None):
    """labelings: list of (connectivity, background) for measure.label; props measured on the first labelling."""
    c = {'name': name, 'image': enc(image), 'label': []}
    first = None
    for conn, bg in labelings:
        lab, n = label(image, background=bg, connectivity=conn, return_num=True)
        c['label'].append({'connectivity': conn, 'background': bg, 'count': int(n), 'labels': enc(lab.astype(np.uint16))})
        if first is None:
            first = lab.astype(np.int32)
    if intensity is not None:
        c['intensity'] = enc(intensity)
    if props is None:
        props = PROPS_2D if image.ndim == 2 else PROPS_3D
    if intensity is None:
        props = [p for p in props if 'intensity' not in p and 'weighted' not in p]
    c['props'] = props
    c['table'] = table(first, intensity, props)
    if image.ndim == 3:
        c['errors'] = {}
        for p in ONLY_2D:
            try:
                regionprops_table(first, properties=[p])
                c['errors'][p] = None
            except Exception as e:  # noqa: BLE001
                c['errors'][p] = f'{type(e).__name__}: {e}'
    cases.append(c)


coins = data.coins()[50:110, 40:110]
add('coins crop > 110', coins > 110, [(2, None), (1, None)], coins)
add('random blobs 2-D', blobs((40, 50), 2.0, 0.6), [(None, None), (1, None), (2, 1)], (rng.random((40, 50)) * 1000).astype(np.uint16))
add('random blobs 3-D', blobs((8, 14, 16), 1.5, 0.7), [(None, None), (1, None), (2, None)], rng.random((8, 14, 16)))
add('random blobs 2-D, float32 intensity', blobs((20, 24), 1.5, 0.5), [(2, None)], (rng.random((20, 24)) * 1000).astype(np.float32))
# Touching labels with background value 3 and value images (values compared, not foreground).
vals = np.kron(rng.integers(0, 5, (6, 8)), np.ones((4, 3), dtype=np.int64)).astype(np.int32)
vals[rng.random(vals.shape) < 0.05] = 7
add('value image, background 3', vals, [(None, 3), (1, 3), (1, None), (2, 0)], (rng.random(vals.shape) * 255).astype(np.uint8))
vol_vals = rng.integers(0, 3, (6, 7, 8)).astype(np.uint8)
add('value volume', vol_vals, [(None, None), (1, None), (2, 2)], None)
# Shapes: a ring (hole), a square with two holes, single pixels, lines (minor axis 0, eccentricity 1), a diagonal, an L.
s = np.zeros((40, 44), np.uint8)
yy, xx = np.mgrid[:40, :44]
r2 = (yy - 10) ** 2 + (xx - 10) ** 2
s[(r2 < 64) & (r2 >= 16)] = 1
s[2:14, 24:38] = 1
s[5:8, 27:30] = 0
s[9:11, 33:35] = 0
s[20, 3] = 1
s[20, 6] = 1
s[25, 2:20] = 1
s[28:39, 5] = 1
for k in range(10):
    s[28 + k, 10 + k] = 1
s[22:36, 25:28] = 1
s[33:36, 25:40] = 1
s[38, 42] = 1
add('shapes: ring, holes, pixels, lines, L', s, [(2, None), (1, None)], (yy * 3 + xx).astype(np.float64))
# A 3-D shell (a cavity: euler 2) and a tunnel.
v = np.zeros((9, 12, 12), np.uint8)
v[1:8, 1:6, 1:6] = 1
v[3:5, 2:4, 2:4] = 0
v[1:8, 7:11, 7:11] = 1
v[1:8, 8:10, 8:10] = 0
v[0, 0, 11] = 1
add('3-D cavity and tunnel', v, [(None, None), (1, None)], None)
# Symmetric shapes: inertia tensors with a = c and b = ±0 (orientation ±π/4), a diagonal line (λ2 = 0).
sym = np.zeros((34, 40), np.uint8)
yy, xx = np.mgrid[:34, :40]
sym[(yy - 8) ** 2 + (xx - 8) ** 2 <= 36] = 1
sym[2:9, 20:27] = 1
sym[20:31, 4] = 1
sym[25, 0:9] = 1
for k in range(9):
    sym[20 + k, 14 + k] = 1
    sym[20 + k, 36 - k] = 1
add('symmetric shapes: disc, square, cross, diagonals', sym, [(2, None), (1, None)], None)
# Labels given directly (touching), as regionprops input.
touching = np.zeros((30, 30), np.int32)
touching[3:15, 3:15] = 4
touching[3:15, 15:27] = 2
touching[15:28, 5:20] = 9
touching[20:24, 10:14] = 0
add('touching labels', touching, [(1, None)], None)

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, 'w') as f:
    json.dump({'versions': {'skimage': skimage.__version__, 'scipy': scipy.__version__, 'numpy': np.__version__, 'python': platform.python_version()}, 'cases': cases}, f, separators=(',', ':'))
print(OUT, os.path.getsize(OUT))
