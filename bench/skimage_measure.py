"""Times skimage.measure.label + regionprops_table on the inputs bench/measure.bench.ts wrote, prints JSON.

Run with Debian's Python: /usr/bin/python3 bench/skimage_measure.py <dir>
"""
import json
import os
import sys
import time

import numpy as np
import skimage
from skimage import measure


def timed(fn, repeats):
    fn()  # warm-up
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return min(ts) * 1000.0  # best of: least disturbed by other load


def main():
    d = sys.argv[1]
    plan = json.load(open(os.path.join(d, "plan.json")))
    mask = np.load(os.path.join(d, "mask.npy"))
    inten = np.load(os.path.join(d, "intensity.npy"))
    props = plan["properties"]
    r = plan["repeats"]
    lab, count = measure.label(mask, connectivity=2, return_num=True)
    out = {"skimage": skimage.__version__, "numpy": np.__version__, "count": int(count), "results": {
        "label": timed(lambda: measure.label(mask, connectivity=2), r),
        "regionprops": timed(lambda: measure.regionprops_table(lab, inten, properties=props), r),
        "both": timed(lambda: measure.regionprops_table(measure.label(mask, connectivity=2), inten, properties=props), r),
    }}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
