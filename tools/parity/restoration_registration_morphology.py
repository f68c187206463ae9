#!/usr/bin/python3
"""Parity fixtures for src/sdk/image/{restoration,registration,morphology}.ts.

Run with Debian's Python (scikit-image 0.19.3, scipy, numpy):

    /usr/bin/python3 tools/parity/restoration_registration_morphology.py

Writes tests/fixtures/parity/{tv,registration,morphology}.json. Arrays are stored as
{"dtype", "shape", "b64"} with the base64 of the raw little-endian C-order bytes. Every random
input comes from numpy.random.default_rng with a fixed seed, so the files are reproducible.
"""

import base64
import json
import os
import platform
import sys

import numpy as np
import scipy
import scipy.ndimage as ndi
import skimage
from skimage.measure import label as sk_label
from skimage.morphology import remove_small_objects
from skimage.registration import phase_cross_correlation
from skimage.restoration import denoise_tv_chambolle

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
OUT_DIR = os.path.join(ROOT, 'tests', 'fixtures', 'parity')

DTYPE_NAMES = {
    np.dtype(np.uint8): 'uint8', np.dtype(np.int8): 'int8',
    np.dtype(np.uint16): 'uint16', np.dtype(np.int16): 'int16',
    np.dtype(np.uint32): 'uint32', np.dtype(np.int32): 'int32',
    np.dtype(np.float32): 'float32', np.dtype(np.float64): 'float64',
    np.dtype(bool): 'bool',
}


def enc(a):
    a = np.ascontiguousarray(a)
    if a.dtype == np.int64:
        a = a.astype(np.int32)
    name = DTYPE_NAMES[a.dtype]
    raw = a.astype(a.dtype.newbyteorder('<'), copy=False).tobytes(order='C')
    return {'dtype': name, 'shape': list(a.shape), 'b64': base64.b64encode(raw).decode('ascii')}


def versions():
    return {
        'skimage': skimage.__version__, 'scipy': scipy.__version__, 'numpy': np.__version__,
        'python': platform.python_version(),
    }


def write(name, obj):
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, name)
    with open(path, 'w') as f:
        json.dump(obj, f, separators=(',', ':'))
    print(f'{path}: {os.path.getsize(path) / 1024:.1f} KiB')


# ------------------------------------------------------------------------------------------------
# TV (Chambolle)

def tv_iterations(image, weight=0.1, eps=2.e-4, max_num_iter=200):
    """Copy of skimage 0.19.3 _denoise_tv_chambolle_nd that also returns the iteration count."""
    ndim = image.ndim
    p = np.zeros((image.ndim, ) + image.shape, dtype=image.dtype)
    g = np.zeros_like(p)
    d = np.zeros_like(image)
    i = 0
    while i < max_num_iter:
        if i > 0:
            d = -p.sum(0)
            slices_d = [slice(None), ] * ndim
            slices_p = [slice(None), ] * (ndim + 1)
            for ax in range(ndim):
                slices_d[ax] = slice(1, None)
                slices_p[ax+1] = slice(0, -1)
                slices_p[0] = ax
                d[tuple(slices_d)] += p[tuple(slices_p)]
                slices_d[ax] = slice(None)
                slices_p[ax+1] = slice(None)
            out = image + d
        else:
            out = image
        E = (d ** 2).sum()
        slices_g = [slice(None), ] * (ndim + 1)
        for ax in range(ndim):
            slices_g[ax+1] = slice(0, -1)
            slices_g[0] = ax
            g[tuple(slices_g)] = np.diff(out, axis=ax)
            slices_g[ax+1] = slice(None)
        norm = np.sqrt((g ** 2).sum(axis=0))[np.newaxis, ...]
        E += weight * norm.sum()
        tau = 1. / (2.*ndim)
        norm *= tau / weight
        norm += 1.
        p -= tau * g
        p /= norm
        E /= float(image.size)
        if i == 0:
            E_init = E
            E_previous = E
        else:
            if np.abs(E_previous - E) < eps * E_init:
                break
            else:
                E_previous = E
        i += 1
    return out, min(i + 1, max_num_iter)


def smooth_field(rng, shape, sigma):
    return ndi.gaussian_filter(rng.standard_normal(shape), sigma)


def tv_fixtures():
    rng = np.random.default_rng(20240601)
    cases = []

    def add(name, img, weight=0.1, eps=2e-4, max_num_iter=200):
        out = denoise_tv_chambolle(img, weight=weight, eps=eps, max_num_iter=max_num_iter)
        as_float = img if img.dtype.kind == 'f' else skimage.img_as_float(img)
        ref, n_iter = tv_iterations(as_float.astype(out.dtype), weight, eps, max_num_iter)
        assert np.array_equal(ref, out), name
        cases.append({
            'name': name, 'weight': weight, 'eps': eps, 'maxNumIter': max_num_iter,
            'input': enc(img), 'output': enc(out), 'iterations': int(n_iter),
        })

    # Piecewise-constant phantom + noise, in [0, 1].
    yy, xx = np.mgrid[:64, :64]
    phantom = 0.2 + 0.5 * (((yy - 30) ** 2 + (xx - 34) ** 2) < 15 ** 2) + 0.2 * (xx > 48)
    noisy = np.clip(phantom + 0.15 * rng.standard_normal(phantom.shape), 0, 1)
    add('2d_f64_default', noisy.astype(np.float64))
    add('2d_f32_default', noisy.astype(np.float32))
    add('2d_f64_w0.3', noisy.astype(np.float64), weight=0.3)
    add('2d_f32_w0.05_eps1e-3', noisy.astype(np.float32), weight=0.05, eps=1e-3)
    add('2d_f64_iter10', noisy.astype(np.float64), weight=0.2, max_num_iter=10)
    add('2d_f64_eps0_iter60', noisy.astype(np.float64), weight=0.1, eps=0.0, max_num_iter=60)
    add('2d_f32_nonsquare', np.clip(0.5 + 0.3 * smooth_field(rng, (37, 53), 2)
                                    + 0.1 * rng.standard_normal((37, 53)), 0, 1).astype(np.float32), weight=0.15)
    add('2d_uint8', (noisy * 255).round().astype(np.uint8), weight=0.1)
    add('2d_uint16', (noisy * 65535).round().astype(np.uint16), weight=0.08)
    add('2d_f64_iter1', noisy.astype(np.float64), max_num_iter=1)
    add('2d_f64_single_row', noisy[:1].astype(np.float64), weight=0.1)
    add('1d_f64', noisy[20].astype(np.float64), weight=0.1)
    # 3-D volume (8 × 32 × 32).
    zz, yy3, xx3 = np.mgrid[:8, :32, :32]
    vol = 0.3 + 0.4 * (((zz - 4) ** 2 * 4 + (yy3 - 15) ** 2 + (xx3 - 17) ** 2) < 10 ** 2)
    vol_noisy = np.clip(vol + 0.12 * rng.standard_normal(vol.shape), 0, 1)
    add('3d_f64_default', vol_noisy.astype(np.float64))
    add('3d_f32_default', vol_noisy.astype(np.float32))
    add('3d_f32_w0.25', vol_noisy.astype(np.float32), weight=0.25)
    add('3d_uint8', (vol_noisy * 255).round().astype(np.uint8), weight=0.1)
    # 4-D (generic path).
    add('4d_f32', np.clip(0.5 + 0.2 * rng.standard_normal((3, 4, 10, 12)), 0, 1).astype(np.float32), weight=0.1)
    write('tv.json', {'generator': 'tools/parity/restoration_registration_morphology.py', 'versions': versions(),
                      'function': 'skimage.restoration.denoise_tv_chambolle', 'cases': cases})


# ------------------------------------------------------------------------------------------------
# Registration

def shifted(img, shift):
    return np.fft.ifftn(ndi.fourier_shift(np.fft.fftn(img), shift)).real


def reg_fixtures():
    rng = np.random.default_rng(7)
    pairs = {}
    cases = []

    def add(name, pair_id, upsample_factor=1, normalization='phase'):
        pr = pairs[pair_id]
        shift, error, phasediff = phase_cross_correlation(
            pr['ref'], pr['mov'], upsample_factor=upsample_factor, normalization=normalization)
        shape = pr['ref'].shape
        wrapped = [min((s - t) % n, (t - s) % n) for s, t, n in zip(shift, pr['trueShift'], shape)]
        cases.append({
            'name': name, 'pair': pair_id, 'upsampleFactor': upsample_factor, 'normalization': normalization,
            'shift': [float(s) for s in shift], 'error': float(error), 'phasediff': float(phasediff),
            # Whether skimage itself lands within 0.1 px of the constructed shift (modulo the size).
            'recoversTrueShift': bool(max(wrapped) <= 0.1),
        })

    def pair(pair_id, img, s, noise=0.01, dtype=np.float64, post=None):
        mov = shifted(img, s) + noise * rng.standard_normal(img.shape)
        ref = img + noise * rng.standard_normal(img.shape)
        if post is not None:
            ref, mov = post(ref), post(mov)
        pairs[pair_id] = {'ref': ref.astype(dtype), 'mov': mov.astype(dtype),
                          # Registration shift implied by construction (moving = reference moved by -trueShift).
                          'trueShift': [-v for v in s]}

    base = smooth_field(rng, (64, 64), 2.0) + 0.3 * smooth_field(rng, (64, 64), 0.7)
    base = (base - base.min()) / (base.max() - base.min())

    for k, s in enumerate([(3.0, -5.0), (7.3, -2.6), (-12.45, 20.8), (0.35, 0.15)]):
        pair(f'p{k}', base, s)
        for up in (1, 20, 100):
            add(f'2d_f64_shift{s}_up{up}', f'p{k}', up)
    # Beyond half the size: the shift wraps (skimage reports the equivalent shift within ±N/2).
    pair('wrap', base, (40.25, -45.5))
    add('2d_f64_wrap_up20', 'wrap', 20)
    add('2d_f64_wrap_up1', 'wrap', 1)
    pair('f32', base, (4.6, -9.3), dtype=np.float32)
    add('2d_f32_up20', 'f32', 20)
    add('2d_f32_up1', 'f32', 1)
    pair('nn', base, (-6.7, 3.35))
    add('2d_f64_nonorm_up10', 'nn', 10, None)
    add('2d_f64_nonorm_up1', 'nn', 1, None)
    add('2d_f64_up3', 'nn', 3)
    # Odd / prime sizes.
    pair('odd', smooth_field(rng, (45, 61), 2.0), (5.55, -17.2))
    add('2d_f64_45x61_up20', 'odd', 20)
    add('2d_f64_45x61_up1', 'odd', 1)
    pair('prime', smooth_field(rng, (53, 37), 1.5), (-10.3, 8.7))
    add('2d_f64_53x37_up50', 'prime', 50)
    # Integer input (uint8).
    pair('u8', base, (2.0, 6.0), noise=0.0, dtype=np.uint8, post=lambda a: (np.clip(a, 0, 1) * 255).round())
    add('2d_uint8_up1', 'u8', 1)
    add('2d_uint8_up10', 'u8', 10)
    # Band-limited periodic texture (few integer frequencies, exact shift): the empty spectrum
    # bins hold only rounding noise. With normalization="phase", skimage's floor 100·eps is
    # float32's for float32 input (noise bins stay small → true peak) but float64's for float64
    # input (noise bins are amplified to unit magnitude → a spurious peak). Both are reproduced.
    yy, xx = np.mgrid[:64, :64].astype(float)
    band = np.zeros((64, 64))
    brng = np.random.default_rng(11)
    for _ in range(12):
        u, v = brng.integers(-4, 5, size=2)
        band += brng.standard_normal() * np.cos(2 * np.pi * (u * xx + v * yy) / 64 + brng.uniform(0, 2 * np.pi))
    def band_at(dy, dx):
        out = np.zeros((64, 64))
        brng2 = np.random.default_rng(11)
        for _ in range(12):
            u, v = brng2.integers(-4, 5, size=2)
            out += brng2.standard_normal() * np.cos(2 * np.pi * (u * (xx - dx) + v * (yy - dy)) / 64 + brng2.uniform(0, 2 * np.pi))
        return out
    b0, b1 = band_at(0, 0), band_at(-3.7, 6.4)
    lo, hi = min(b0.min(), b1.min()), max(b0.max(), b1.max())
    pairs['band32'] = {'ref': ((b0 - lo) / (hi - lo)).astype(np.float32), 'mov': ((b1 - lo) / (hi - lo)).astype(np.float32),
                       'trueShift': [3.7, -6.4]}
    pairs['band64'] = {'ref': pairs['band32']['ref'].astype(np.float64), 'mov': pairs['band32']['mov'].astype(np.float64),
                       'trueShift': [3.7, -6.4]}
    add('2d_bandlimited_f32_up20', 'band32', 20)
    add('2d_bandlimited_f64_up20', 'band64', 20)
    # 3-D.
    vol = smooth_field(rng, (8, 32, 32), 1.5)
    pair('vol', vol, (1.4, -3.3, 6.75))
    add('3d_f64_up20', 'vol', 20)
    add('3d_f64_up1', 'vol', 1)
    pair('vol32', vol, (-2.0, 4.25, -7.5), dtype=np.float32)
    add('3d_f32_up4', 'vol32', 4)
    enc_pairs = {k: {'reference': enc(v['ref']), 'moving': enc(v['mov']), 'trueShift': v['trueShift']}
                 for k, v in pairs.items()}
    write('registration.json', {'generator': 'tools/parity/restoration_registration_morphology.py',
                                'versions': versions(),
                                'function': 'skimage.registration.phase_cross_correlation',
                                'pairs': enc_pairs, 'cases': cases})


# ------------------------------------------------------------------------------------------------
# Morphology

def morph_fixtures():
    rng = np.random.default_rng(99)
    masks = []

    def blobs(shape, sigma, thresh):
        return smooth_field(rng, shape, sigma) > thresh

    masks.append(('2d_blobs', blobs((64, 64), 1.5, 0.05)))
    masks.append(('2d_sparse_noise', rng.random((64, 64)) > 0.7))
    masks.append(('2d_dense_noise', rng.random((48, 40)) > 0.45))
    masks.append(('2d_rings', (lambda yy, xx: ((((yy - 20) ** 2 + (xx - 20) ** 2) // 25) % 3 == 0)
                                | ((np.abs(yy - 45) < 9) & (np.abs(xx - 45) < 9) & ~((np.abs(yy - 45) < 3) & (np.abs(xx - 45) < 3))))
                  (*np.mgrid[:64, :64])))
    masks.append(('3d_blobs', blobs((8, 32, 32), 1.2, 0.05)))
    masks.append(('3d_sparse_noise', rng.random((8, 32, 32)) > 0.75))
    masks.append(('1d_noise', rng.random(200) > 0.5))
    cases = []
    for name, m in masks:
        m = np.ascontiguousarray(m, dtype=bool)
        nd = m.ndim
        case = {'name': name, 'mask': enc(m.astype(np.uint8)), 'label': {}, 'removeSmallObjects': [], 'fillHoles': {}}
        for conn in range(1, nd + 1):
            lab, n = ndi.label(m, ndi.generate_binary_structure(nd, conn))
            lab_sk = sk_label(m, connectivity=conn)
            assert np.array_equal(lab, lab_sk), (name, conn)
            case['label'][str(conn)] = {'labels': enc(lab.astype(np.int32)), 'count': int(n)}
            case['fillHoles'][str(conn)] = enc(ndi.binary_fill_holes(m, ndi.generate_binary_structure(nd, conn)).astype(np.uint8))
            for min_size in (0, 1, 2, 5, 12, 64):
                out = remove_small_objects(m, min_size=min_size, connectivity=conn)
                case['removeSmallObjects'].append({'minSize': min_size, 'connectivity': conn, 'output': enc(out.astype(np.uint8))})
        case['fillHolesDefault'] = enc(ndi.binary_fill_holes(m).astype(np.uint8))
        cases.append(case)
    write('morphology.json', {'generator': 'tools/parity/restoration_registration_morphology.py', 'versions': versions(),
                              'functions': ['skimage.morphology.remove_small_objects', 'scipy.ndimage.binary_fill_holes',
                                            'scipy.ndimage.label'],
                              'cases': cases})


if __name__ == '__main__':
    assert skimage.__version__ == '0.19.3', f'expected scikit-image 0.19.3, found {skimage.__version__} ({sys.executable})'
    tv_fixtures()
    reg_fixtures()
    morph_fixtures()
