#!/usr/bin/env python3
"""Writes a synthetic drone orthophoto pair for timing the structural score on blocks (needs GDAL's Python
bindings and numpy; docs/detection.md, step 5a, "Blocks computed once").

Usage: make_drone_pair.py <out dir> <size> <pixel m> [seed]

<size> x <size> pixels, RGB uint8, CGCS2000 / 3-degree Gauss-Kruger CM 114E (EPSG:4547) at <pixel m>,
JPEG YCbCr quality 90 in 512 x 512 tiles (how drone orthophotos are usually delivered):

  before.tif   fields of 512 x 512 pixels, each one colour; 150 flat roofs (150-600 pixels a side, bright)
               with a shadow along their south side; Gaussian noise (sigma 6)
  after.tif    the same with 40 more roofs and fresh noise

Seeded: the same arguments give the same files. Written in strips of 1024 rows.
"""
import os
import sys

import numpy as np
from osgeo import gdal, osr


def main():
    out, size, pixel = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    rng = np.random.default_rng(seed)
    cells = rng.integers(60, 180, (size // 512 + 1, size // 512 + 1, 3)).astype(np.float32)

    def roof():
        return (int(rng.integers(0, size - 700)), int(rng.integers(0, size - 700)), int(rng.integers(150, 600)), int(rng.integers(150, 600)), float(rng.integers(190, 240)))

    old = [roof() for _ in range(150)]
    new = [roof() for _ in range(40)]
    os.makedirs(out, exist_ok=True)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4547)
    driver = gdal.GetDriverByName('GTiff')
    for name, roofs, noise_seed in [('before', old, 11), ('after', old + new, 12)]:
        ds = driver.Create(os.path.join(out, f'{name}.tif'), size, size, 3, gdal.GDT_Byte,
                           ['TILED=YES', 'BLOCKXSIZE=512', 'BLOCKYSIZE=512', 'COMPRESS=JPEG', 'PHOTOMETRIC=YCBCR', 'JPEG_QUALITY=90'])
        ds.SetGeoTransform([500000, pixel, 0, 3600000, 0, -pixel])
        ds.SetProjection(srs.ExportToWkt())
        noise = np.random.default_rng(noise_seed)
        for y0 in range(0, size, 1024):
            rows = min(1024, size - y0)
            strip = np.repeat(np.repeat(cells[y0 // 512:(y0 + rows - 1) // 512 + 1], 512, 0), 512, 1)[(y0 % 512):(y0 % 512) + rows, :size].copy()
            for (y, x, h, w, v) in roofs:
                top, bottom = max(y, y0), min(y + h, y0 + rows)
                if top < bottom:
                    strip[top - y0:bottom - y0, x:x + w] = v
                shadow_top, shadow_bottom = max(y + h, y0), min(y + h + 40, y0 + rows)
                if shadow_top < shadow_bottom:
                    strip[shadow_top - y0:shadow_bottom - y0, x:x + w] *= 0.45
            strip += noise.normal(0, 6, strip.shape).astype(np.float32)
            strip = np.clip(strip, 0, 255).astype(np.uint8)
            for b in range(3):
                ds.GetRasterBand(b + 1).WriteArray(strip[:, :, b], 0, y0)
        ds = None


if __name__ == '__main__':
    main()
