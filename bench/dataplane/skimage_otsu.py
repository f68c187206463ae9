"""scikit-image's side of bench/dataplane: load + threshold_otsu + mask + save, timed here, prints JSON.

Run with Debian's Python: /usr/bin/python3 bench/dataplane/skimage_otsu.py <image.npy> <out dir> <repeats>
One warm-up, then <repeats> timed runs; the mask is saved as a bool .npy (what `image > t` gives).
"""
import json
import os
import sys
import time

import numpy as np
import skimage
from skimage.filters import threshold_otsu


def once(src, dst):
    image = np.load(src)
    t = threshold_otsu(image)
    mask = image > t
    np.save(dst, mask)
    return t, mask


def main():
    src, out_dir, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
    dst = os.path.join(out_dir, "mask_skimage.npy")
    once(src, dst)  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        t, mask = once(src, dst)
        times.append((time.perf_counter() - t0) * 1000)
    print(
        json.dumps(
            {
                "skimage": skimage.__version__,
                "numpy": np.__version__,
                "python": sys.version.split()[0],
                "times_ms": times,
                "median_ms": float(np.median(times)),
                "threshold": float(t),
                "mask_sum": int(mask.sum()),
            }
        )
    )


main()
