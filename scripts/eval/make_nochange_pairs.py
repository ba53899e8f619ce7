#!/usr/bin/env python3
"""Pairs in which nothing changed, for `npm run eval`: what a detector flags where it should flag nothing.

    make_nochange_pairs.py SRC OUT [--bands red,green,...]

SRC is a folder with before.tif (any labelled pair of ../shared/data). OUT receives one folder per variant,
each with before.tif (SRC's before file), after.tif (the same file changed only in ways that are not land
change), truth.tif (0 everywhere: no change) and bands.txt (from --bands, when given):

- noise05, noise15: plus Gaussian noise of 5 % / 15 % of each band's standard deviation (sensor noise);
- gain: times 1.15 plus 5, plus noise of 5 % (another sensor gain and offset, haze);
- shift: moved half a pixel diagonally (the mean of each 2 x 2 block of pixels), plus noise of 3 %
  (misregistration and resampling).

Values are rounded and clipped to the file's sample type. The noise is seeded (numpy's PCG64, seed 20261202
plus the variant's index), so the same SRC gives the same files. Needs python3-gdal and python3-numpy.
"""

import argparse
import os

import numpy as np
from osgeo import gdal

gdal.UseExceptions()

VARIANTS = [
    # name, gain, offset, noise (share of each band's standard deviation), half-pixel shift
    ('noise05', 1.0, 0.0, 0.05, False),
    ('noise15', 1.0, 0.0, 0.15, False),
    ('gain', 1.15, 5.0, 0.05, False),
    ('shift', 1.0, 0.0, 0.03, True),
]


def write_like(src: gdal.Dataset, path: str, bands: np.ndarray) -> None:
    driver = gdal.GetDriverByName('GTiff')
    out = driver.Create(path, src.RasterXSize, src.RasterYSize, bands.shape[0], src.GetRasterBand(1).DataType, ['COMPRESS=DEFLATE', 'TILED=YES'])
    out.SetGeoTransform(src.GetGeoTransform())
    out.SetProjection(src.GetProjection())
    for b in range(bands.shape[0]):
        band = out.GetRasterBand(b + 1)
        nodata = src.GetRasterBand(b + 1).GetNoDataValue()
        if nodata is not None:
            band.SetNoDataValue(nodata)
        band.WriteArray(bands[b])
    out.FlushCache()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src')
    parser.add_argument('out')
    parser.add_argument('--bands', default=None, help='band order written to bands.txt (comma-separated)')
    args = parser.parse_args()

    src = gdal.Open(os.path.join(args.src, 'before.tif'))
    data = src.ReadAsArray()
    if data.ndim == 2:
        data = data[np.newaxis]
    info = np.iinfo(data.dtype) if np.issubdtype(data.dtype, np.integer) else None
    values = data.astype(np.float64)
    std = values.reshape(values.shape[0], -1).std(axis=1)

    for index, (name, gain, offset, noise, shift) in enumerate(VARIANTS):
        rng = np.random.Generator(np.random.PCG64(20261202 + index))
        after = values * gain + offset
        if shift:
            # half a pixel down and right: each pixel the mean of its 2 x 2 block (the last row and column kept)
            moved = after.copy()
            moved[:, :-1, :-1] = (after[:, :-1, :-1] + after[:, 1:, :-1] + after[:, :-1, 1:] + after[:, 1:, 1:]) / 4
            after = moved
        after = after + rng.standard_normal(after.shape) * (noise * std)[:, np.newaxis, np.newaxis]
        if info is not None:
            after = np.clip(np.rint(after), info.min, info.max)
        after = after.astype(data.dtype)

        folder = os.path.join(args.out, name)
        os.makedirs(folder, exist_ok=True)
        write_like(src, os.path.join(folder, 'before.tif'), data)
        write_like(src, os.path.join(folder, 'after.tif'), after)
        truth = gdal.GetDriverByName('GTiff').Create(os.path.join(folder, 'truth.tif'), src.RasterXSize, src.RasterYSize, 1, gdal.GDT_Byte, ['COMPRESS=DEFLATE'])
        truth.SetGeoTransform(src.GetGeoTransform())
        truth.SetProjection(src.GetProjection())
        truth.GetRasterBand(1).WriteArray(np.zeros((src.RasterYSize, src.RasterXSize), dtype=np.uint8))
        truth.FlushCache()
        if args.bands:
            with open(os.path.join(folder, 'bands.txt'), 'w') as f:
                f.write(args.bands + '\n')


if __name__ == '__main__':
    main()
