#!/usr/bin/env python3
"""GDAL decode-only reference for scripts/bench-detect.ts (needs GDAL's Python bindings and numpy).

Usage: gdal_decode_blocks.py <threads> <repeats> <file>...

One round opens every file afresh (cold block cache; GDAL_PAM_ENABLED=NO) and decodes all of its bands,
512x512 window by window in raster order (ReadAsArray of all bands: one uint16 (bands, 512, 512) array
per window, then dropped, so memory stays at one window), like shoutu's tile loop. GDAL_NUM_THREADS is
<threads> (1: GDAL's default single-threaded decoding). Times are taken inside this process (no interpreter
start-up). Prints one JSON line: {"seconds": best round (all files), "rounds": [...], "samples": decoded
samples per round}.
"""
import json
import sys
import time

from osgeo import gdal

gdal.UseExceptions()
gdal.SetConfigOption('GDAL_PAM_ENABLED', 'NO')

WINDOW = 512


def decode(path):
    ds = gdal.Open(path)
    w, h = ds.RasterXSize, ds.RasterYSize
    samples = 0
    for y0 in range(0, h, WINDOW):
        for x0 in range(0, w, WINDOW):
            arr = ds.ReadAsArray(x0, y0, min(WINDOW, w - x0), min(WINDOW, h - y0))
            samples += arr.size
    ds = None
    return samples


def main():
    threads, repeats, paths = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    gdal.SetConfigOption('GDAL_NUM_THREADS', threads)
    rounds = []
    samples = 0
    for _ in range(repeats):
        t0 = time.perf_counter()
        samples = sum(decode(p) for p in paths)
        rounds.append(time.perf_counter() - t0)
    print(json.dumps({'seconds': min(rounds), 'rounds': rounds, 'samples': samples}), flush=True)


if __name__ == '__main__':
    main()
