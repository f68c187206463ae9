#!/usr/bin/python3
"""Generate skimage parity fixtures for src/sdk/image/filters.ts.

Run with Debian's Python (the one that has scikit-image 0.19.3):

    /usr/bin/python3 tools/parity/thresholds.py

Writes tests/fixtures/parity/thresholds.json: for every dtype (uint8, uint16, float32, float64) a set
of small 2-D and 3-D images (fixed seeds), skimage's result for every global threshold method
(value, or the exception skimage raises) with the mask `image > t` as skimage computes it, and for
threshold_local the per-pixel threshold array (float64) and mask for several parameter sets.
Arrays are base64 of raw little-endian bytes; masks are np.packbits of the flattened boolean mask.
"""
import base64
import json
import math
import os
import sys
import warnings

import numpy as np
import scipy
import skimage
import skimage.exposure
import skimage.filters as skif

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tests', 'fixtures', 'parity', 'thresholds.json')

METHODS = ['otsu', 'yen', 'li', 'minimum', 'mean', 'triangle', 'isodata']
DTYPES = ['uint8', 'uint16', 'float32', 'float64']


def b64(arr):
    arr = np.ascontiguousarray(arr)
    if arr.dtype.byteorder == '>':
        arr = arr.byteswap().newbyteorder()
    return base64.b64encode(arr.tobytes()).decode('ascii')


def b64mask(mask):
    return base64.b64encode(np.packbits(np.asarray(mask, dtype=bool).ravel()).tobytes()).decode('ascii')


def jnum(v):
    v = float(v)
    if math.isnan(v):
        return 'nan'
    if math.isinf(v):
        return 'inf' if v > 0 else '-inf'
    return v


def scale(dtype, unit, full16=False):
    """Map values in 'unit' space (0..1) to the dtype's working range (uint16: 12-bit unless full16)."""
    if dtype == 'uint8':
        return np.clip(np.round(unit * 255), 0, 255).astype(np.uint8)
    if dtype == 'uint16':
        top = 65535 if full16 else 4095
        return np.clip(np.round(unit * top), 0, top).astype(np.uint16)
    return unit.astype(dtype)


def disks(rng, shape, n, rmin, rmax):
    m = np.zeros(shape, dtype=bool)
    grids = np.indices(shape)
    for _ in range(n):
        c = [rng.uniform(0, s) for s in shape]
        r = rng.uniform(rmin, rmax)
        d2 = sum((g - ci) ** 2 for g, ci in zip(grids, c))
        m |= d2 <= r * r
    return m


def make_images(dtype, seed):
    rng = np.random.default_rng(seed)
    imgs = []
    # random noise over the working range
    if dtype == 'uint8':
        noise = rng.integers(0, 256, size=(64, 64)).astype(np.uint8)
    elif dtype == 'uint16':
        noise = rng.integers(0, 65536, size=(64, 64)).astype(np.uint16)
    else:
        noise = rng.random((64, 64)).astype(dtype)
    imgs.append(('noise2d', noise))
    # bimodal blobs
    m = disks(rng, (48, 40), 6, 4, 9)
    unit = np.where(m, 0.68, 0.24) + rng.normal(0, 0.06, m.shape)
    imgs.append(('bimodal2d', scale(dtype, np.clip(unit, 0, 1))))
    # constant
    imgs.append(('constant2d', scale(dtype, np.full((16, 16), 0.3))))
    # a few values
    vals = np.array([0.1, 0.5, 0.502, 0.9])
    fv = vals[rng.integers(0, 4, size=(32, 32))]
    imgs.append(('fewvalues2d', scale(dtype, fv, full16=True)))
    # unimodal (single smooth peak)
    uni = np.clip(rng.normal(0.5, 0.12, size=(32, 32)), 0, 1)
    imgs.append(('unimodal2d', scale(dtype, uni)))
    # piecewise-flat regions with noise on one half: exercises ties in threshold_local
    flat = np.full((40, 48), 0.3)
    flat[5:20, 6:30] = 0.7
    flat[25:36, 20:44] = 0.55
    flat[:, 24:] += rng.normal(0, 0.04, size=(40, 24))
    imgs.append(('flat2d', scale(dtype, np.clip(flat, 0, 1))))
    # two 3-D stacks
    m3 = disks(rng, (8, 24, 24), 5, 3, 6)
    unit3 = np.where(m3, 0.72, 0.2) + rng.normal(0, 0.07, m3.shape)
    imgs.append(('bimodal3d', scale(dtype, np.clip(unit3, 0, 1))))
    imgs.append(('noise3d', scale(dtype, rng.random((5, 16, 20)))))
    if dtype.startswith('float'):
        wn = rng.random((16, 16)).astype(dtype)
        wn[3, 4] = np.nan
        wn[10, 11] = np.nan
        imgs.append(('withnan2d', wn))
        wi = rng.random((16, 16)).astype(dtype)
        wi[5, 5] = np.inf
        imgs.append(('withinf2d', wi))
        # bins narrower than the float32 spacing: numpy's float32 bin arithmetic matters
        nb = (1000 + np.where(disks(rng, (24, 24), 3, 3, 6), 0.006, 0.002) + rng.normal(0, 0.001, (24, 24))).astype(dtype)
        imgs.append(('narrow2d', nb))
    return imgs


# skimage's threshold_minimum smooths the histogram in a pure-Python loop (up to 10000 passes over
# every bin): with a 16-bit histogram that takes hours, so those cases are recorded as skipped.
MAX_MINIMUM_BINS = 4096


def run_method(name, img):
    if name == 'minimum' and img.dtype.kind in 'iu' and int(img.max()) - int(img.min()) + 1 > MAX_MINIMUM_BINS:
        return {'skipped': f'threshold_minimum on a {int(img.max()) - int(img.min()) + 1}-bin histogram is too slow in skimage'}
    fn = getattr(skif, 'threshold_' + name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            with np.errstate(all='ignore'):
                t = fn(img)
    except Exception as e:  # noqa: BLE001 - we record what skimage raises
        return {'error': {'type': type(e).__name__, 'message': str(e)}}
    with np.errstate(all='ignore'):
        mask = img > t
    return {'value': jnum(t), 'valueDtype': np.asarray(t).dtype.name, 'mask': b64mask(mask), 'maskCount': int(mask.sum())}


# Non-default arguments, run on each dtype's bimodal2d image.
EXTRA_CALLS = [
    ('otsu', {'nbins': 64}),
    ('yen', {'nbins': 100}),
    ('isodata', {'nbins': 32}),
    ('isodata', {'return_all': True}),
    ('minimum', {'nbins': 64}),
    ('triangle', {'nbins': 128}),
    ('li', {'tolerance': 0.01}),
    ('li', {'initial_guess': 'mid'}),
    ('li', {'initial_guess': 'below'}),
]


def run_extra(img, method, kwargs):
    kw = dict(kwargs)
    lo, hi = float(img.min()), float(img.max())
    if kw.get('initial_guess') == 'mid':
        kw['initial_guess'] = lo + 0.37 * (hi - lo)
    elif kw.get('initial_guess') == 'below':
        kw['initial_guess'] = lo - 1.0
    if method == 'li' and 'tolerance' in kw and img.dtype.kind in 'iu':
        kw['tolerance'] = 0.25
    fn = getattr(skif, 'threshold_' + method)
    out = {'method': method, 'kwargs': {k: jnum(v) if isinstance(v, float) else v for k, v in kw.items()}}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            t = fn(img, **kw)
    except Exception as e:  # noqa: BLE001
        out['error'] = {'type': type(e).__name__, 'message': str(e)}
        return out
    if kw.get('return_all'):
        out['values'] = [jnum(v) for v in np.asarray(t).ravel()]
    else:
        out['value'] = jnum(t)
        out['valueDtype'] = np.asarray(t).dtype.name
    return out


LOCAL_PARAMS = [
    ('defaults', {}),
    ('mean7_offset', {'block_size': 7, 'method': 'mean', 'offset': None}),
    ('median5_nearest', {'block_size': 5, 'method': 'median', 'mode': 'nearest'}),
    ('gauss_param_constant', {'block_size': 9, 'method': 'gaussian', 'param': 1.5, 'mode': 'constant', 'cval': 0.2, 'offset': None}),
    ('gauss_b11_mirror', {'block_size': (5, 11), 'method': 'gaussian', 'mode': 'mirror'}),
]


def main():
    out = {
        'meta': {
            'generator': 'tools/parity/thresholds.py',
            'skimage': skimage.__version__,
            'numpy': np.__version__,
            'scipy': scipy.__version__,
            'python': sys.version.split()[0],
            'maskEncoding': 'np.packbits(mask.ravel()) base64',
            'arrayEncoding': 'raw little-endian bytes, base64',
        },
        'images': [],
        'local': [],
    }
    for di, dtype in enumerate(DTYPES):
        for name, img in make_images(dtype, 1000 + di):
            entry = {'name': name, 'dtype': dtype, 'shape': list(img.shape), 'data': b64(img), 'results': {}}
            for m in METHODS:
                entry['results'][m] = run_method(m, img)
            if name == 'bimodal2d':
                entry['extra'] = [run_extra(img, m, kw) for m, kw in EXTRA_CALLS]
            if dtype.startswith('float') and np.isfinite(img).all():
                counts, centers = skimage.exposure.histogram(img.ravel(), 256, source_range='image')
                entry['histogram'] = {'counts': [int(c) for c in counts], 'centers': b64(centers.astype(np.float64))}
            out['images'].append(entry)
            local_sets = []
            if name == 'flat2d':
                local_sets = LOCAL_PARAMS
            elif name == 'bimodal3d':
                local_sets = [LOCAL_PARAMS[0]]
            for pname, params in local_sets:
                p = dict(params)
                if 'offset' in p:
                    p['offset'] = 2 if dtype.startswith('uint') else 0.01
                if 'cval' in p and dtype == 'uint8':
                    p['cval'] = 51
                elif 'cval' in p and dtype == 'uint16':
                    p['cval'] = 13107
                kwargs = dict(p)
                if 'block_size' in kwargs and isinstance(kwargs['block_size'], tuple):
                    kwargs['block_size'] = tuple(kwargs['block_size'])
                with warnings.catch_warnings():
                    warnings.simplefilter('ignore')
                    t = skif.threshold_local(img, **kwargs)
                mask = img > t
                jp = {k: (list(v) if isinstance(v, tuple) else v) for k, v in p.items()}
                out['local'].append({
                    'image': name, 'dtype': dtype, 'params': jp, 'paramsName': pname,
                    'thresholdDtype': t.dtype.name,
                    'threshold': b64(t.astype(np.float64)),
                    'mask': b64mask(mask), 'maskCount': int(mask.sum()),
                })
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump(out, f, separators=(',', ':'))
    print(f'wrote {os.path.relpath(OUT)} ({os.path.getsize(OUT) / 1024:.0f} KiB, '
          f'{len(out["images"])} images, {len(out["local"])} local cases)')


if __name__ == '__main__':
    main()
