#!/usr/bin/env python3
"""Sanity check for scripts/bench-detect.ts: compares shoutu's change.tif with the inserted patches.

Usage: score_change.py <change.tif> <truth.tif>

change.tif: 1 change, 0 no change, 255 nodata (counted as no change). truth.tif: 1 inside an inserted
patch, 0 elsewhere. Reads both in 512-row strips. Prints one JSON line: {"tp", "fp", "fn", "tn",
"precision", "recall", "f1"}. Not timed: it only shows that the benchmark's detector found the changes.
"""
import json
import sys

import numpy as np
from osgeo import gdal

gdal.UseExceptions()
gdal.SetConfigOption('GDAL_PAM_ENABLED', 'NO')


def main():
    change, truth = gdal.Open(sys.argv[1]), gdal.Open(sys.argv[2])
    w, h = truth.RasterXSize, truth.RasterYSize
    if (change.RasterXSize, change.RasterYSize) != (w, h):
        raise SystemExit('change.tif and truth.tif differ in size')
    tp = fp = fn = tn = 0
    for y0 in range(0, h, 512):
        rows = min(512, h - y0)
        c = change.GetRasterBand(1).ReadAsArray(0, y0, w, rows) == 1
        t = truth.GetRasterBand(1).ReadAsArray(0, y0, w, rows) == 1
        tp += int(np.count_nonzero(c & t))
        fp += int(np.count_nonzero(c & ~t))
        fn += int(np.count_nonzero(~c & t))
        tn += int(np.count_nonzero(~c & ~t))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(json.dumps({'tp': tp, 'fp': fp, 'fn': fn, 'tn': tn, 'precision': precision, 'recall': recall, 'f1': f1}))


if __name__ == '__main__':
    main()
