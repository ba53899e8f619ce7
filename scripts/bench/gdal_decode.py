#!/usr/bin/env python3
"""GDAL speed reference for scripts/bench-decode.ts (needs GDAL's Python bindings and numpy).

Usage: gdal_decode.py <repeats> <file>...

For each file: opens it afresh (so GDAL's block cache is cold), decodes all bands into one band-sequential
numpy array with ReadAsArray, and keeps the best wall time of <repeats> runs. Single-threaded (GDAL's
default; GDAL_NUM_THREADS unset). Prints one JSON line per file: {"file", "seconds", "sha256"} where
sha256 is over the little-endian samples in band-sequential order.
"""
import hashlib
import json
import sys
import time

from osgeo import gdal

gdal.UseExceptions()
gdal.SetConfigOption('GDAL_PAM_ENABLED', 'NO')
gdal.SetConfigOption('GDAL_NUM_THREADS', '1')


def main():
    repeats = int(sys.argv[1])
    for path in sys.argv[2:]:
        best = float('inf')
        digest = None
        for _ in range(repeats):
            t0 = time.perf_counter()
            ds = gdal.Open(path)
            arr = ds.ReadAsArray()
            ds = None
            best = min(best, time.perf_counter() - t0)
            if digest is None:
                digest = hashlib.sha256(arr.astype(arr.dtype.newbyteorder('<')).tobytes()).hexdigest()
            del arr
        print(json.dumps({'file': path, 'seconds': best, 'sha256': digest}), flush=True)


if __name__ == '__main__':
    main()
