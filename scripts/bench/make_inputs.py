#!/usr/bin/env python3
"""Writes the GeoTIFF inputs of scripts/bench-decode.ts (needs GDAL's Python bindings and numpy).

Usage: make_inputs.py <out dir> <size> <seed>

One seeded synthetic image, <size> x <size>, 4 bands uint16, that compresses roughly like surface
reflectance: per band a smooth field (a few random plane waves plus a bilinearly upsampled coarse random
grid, i.e. "parcels" and gradients) in the 300..6000 range plus Gaussian sensor noise. It is written in
seven layouts:

  deflate-pred2-tiled512.tif   DEFLATE (level 6) + horizontal predictor, 512x512 tiles, pixel-interleaved
  lzw-pred2-tiled512.tif       LZW + horizontal predictor, 512x512 tiles, pixel-interleaved
  none-tiled512.tif            uncompressed, 512x512 tiles, pixel-interleaved
  none-strips.tif              uncompressed, GDAL's default strips (one row each at this width), pixel-interleaved
  deflate-pred2-strips.tif     DEFLATE + horizontal predictor, GDAL's default strips (what gdal_translate
                               -co COMPRESS=DEFLATE writes without TILED=YES), pixel-interleaved
  zstd-pred2-tiled512.tif      ZSTD (GDAL's default level 9) + horizontal predictor, 512x512 tiles
  lerc-tiled512.tif            LERC, lossless (MAX_Z_ERROR=0), 512x512 tiles

and prints one JSON line: {"files": {...name: size in bytes}, "sha256": sha256 of the band-sequential
little-endian uint16 samples}, which every decoder in the benchmark must reproduce.
"""
import hashlib
import json
import os
import sys

import numpy as np
from osgeo import gdal

gdal.UseExceptions()
gdal.SetConfigOption('GDAL_PAM_ENABLED', 'NO')

FLAVOURS = {
    'deflate-pred2-tiled512.tif': ['TILED=YES', 'BLOCKXSIZE=512', 'BLOCKYSIZE=512', 'COMPRESS=DEFLATE', 'PREDICTOR=2', 'ZLEVEL=6'],
    'lzw-pred2-tiled512.tif': ['TILED=YES', 'BLOCKXSIZE=512', 'BLOCKYSIZE=512', 'COMPRESS=LZW', 'PREDICTOR=2'],
    'none-tiled512.tif': ['TILED=YES', 'BLOCKXSIZE=512', 'BLOCKYSIZE=512'],
    'none-strips.tif': [],
    'deflate-pred2-strips.tif': ['COMPRESS=DEFLATE', 'PREDICTOR=2', 'ZLEVEL=6'],
    'zstd-pred2-tiled512.tif': ['TILED=YES', 'BLOCKXSIZE=512', 'BLOCKYSIZE=512', 'COMPRESS=ZSTD', 'PREDICTOR=2'],
    'lerc-tiled512.tif': ['TILED=YES', 'BLOCKXSIZE=512', 'BLOCKYSIZE=512', 'COMPRESS=LERC', 'MAX_Z_ERROR=0'],
}


def synthetic(size, seed):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) / size
    bands = []
    for b in range(4):
        field = np.full((size, size), 1500.0 + 600.0 * b, dtype=np.float32)
        for _ in range(6):
            fx, fy = rng.uniform(-12, 12, 2)
            field += rng.uniform(100, 500) * np.sin(2 * np.pi * (fx * x + fy * y) + rng.uniform(0, 2 * np.pi)).astype(np.float32)
        # coarse random grid, upsampled bilinearly: patchy "parcels" with soft edges
        cells = 64
        grid = rng.uniform(-800, 800, (cells + 1, cells + 1)).astype(np.float32)
        g = np.linspace(0, cells, size, endpoint=False, dtype=np.float32)
        i = g.astype(np.int32)
        f = g - i
        rows = grid[i] * (1 - f)[:, None] + grid[i + 1] * f[:, None]           # (size, cells+1)
        field += rows[:, i] * (1 - f)[None, :] + rows[:, i + 1] * f[None, :]
        field += rng.normal(0, 6 + 8 * b, (size, size)).astype(np.float32)   # sensor noise
        bands.append(np.clip(np.rint(field), 300, 6000).astype(np.uint16))
    return np.stack(bands)


def main():
    out, size, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    data = synthetic(size, seed)
    mem = gdal.GetDriverByName('MEM').Create('', size, size, 4, gdal.GDT_UInt16)
    mem.SetGeoTransform((500000.0, 10.0, 0.0, 3600000.0, 0.0, -10.0))
    mem.SetProjection('EPSG:32651')
    for b in range(4):
        mem.GetRasterBand(b + 1).WriteArray(data[b])
    files = {}
    for name, options in FLAVOURS.items():
        path = os.path.join(out, name)
        gdal.GetDriverByName('GTiff').CreateCopy(path, mem, options=options + ['INTERLEAVE=PIXEL'])
        files[name] = os.path.getsize(path)
    digest = hashlib.sha256(data.astype('<u2').tobytes()).hexdigest()
    print(json.dumps({'files': files, 'sha256': digest}))


if __name__ == '__main__':
    main()
