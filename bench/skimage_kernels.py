"""Times scikit-image on the inputs bench/kernels.bench.ts wrote (same bytes), prints JSON.

Run with Debian's Python: /usr/bin/python3 bench/skimage_kernels.py <dir>
"""
import json
import os
import sys
import time

import numpy as np
import skimage
from skimage import filters, morphology, registration, restoration
from scipy import ndimage as ndi


def timed(fn, repeats):
    fn()  # warm-up
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    ts.sort()
    return ts[len(ts) // 2] * 1000.0


def main():
    d = sys.argv[1]
    plan = json.load(open(os.path.join(d, "plan.json")))
    out = {"skimage": skimage.__version__, "numpy": np.__version__, "results": {}}
    for case in plan["cases"]:
        arrays = [np.load(os.path.join(d, f)) for f in case["inputs"]]
        k = case["kernel"]
        r = case["repeats"]
        a = arrays[0]
        if k == "threshold_local":
            ms = timed(lambda: a > filters.threshold_local(a, 35), r)
        elif k.startswith("threshold_"):
            method = k[len("threshold_"):]
            fn = {"otsu": filters.threshold_otsu, "yen": filters.threshold_yen, "li": filters.threshold_li,
                  "minimum": filters.threshold_minimum, "mean": filters.threshold_mean,
                  "triangle": filters.threshold_triangle, "isodata": filters.threshold_isodata}[method]
            ms = timed(lambda: a > fn(a), r)
        elif k == "denoise_tv_chambolle":
            ms = timed(lambda: restoration.denoise_tv_chambolle(a, weight=0.1), r)
        elif k.startswith("phase_cross_correlation"):
            up = case["upsample"]
            b = arrays[1]
            ms = timed(lambda: registration.phase_cross_correlation(a, b, upsample_factor=up), r)
        elif k == "remove_small_objects":
            m = a.astype(bool)
            ms = timed(lambda: morphology.remove_small_objects(m, 64), r)
        elif k == "binary_fill_holes":
            m = a.astype(bool)
            ms = timed(lambda: ndi.binary_fill_holes(m), r)
        else:
            raise ValueError(k)
        out["results"][case["id"]] = ms
    print(json.dumps(out))


if __name__ == "__main__":
    main()
