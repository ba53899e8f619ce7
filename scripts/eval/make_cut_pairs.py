#!/usr/bin/env python3
"""Variants of a labelled pair for `npm run eval`: other sensors' band sets, and the pair without its change.

    make_cut_pairs.py SRC OUT --bands blue,green,red,...

SRC is a folder with before.tif, after.tif and truth.tif (a labelled pair of ../shared/data); --bands names
its bands in file order. OUT receives one folder per variant, each a pair folder as `npm run eval` reads it:

- rgbafter: the after file cut to red, green and blue (a drone or RGB camera's epoch against a multispectral
  one; after-bands.txt says so);
- 4band: both files cut to blue, green, red and nir (a GaoFen-1/2/6- or ZY-3-like pair);
- nochange: the labelled change, grown by 3 pixels, made fill (0 in every band of both epochs) and
  unlabelled, so what is flagged is flagged on ground the labels call unchanged. Only for a pair with
  labelled change, and a pair without change only where every pixel is labelled (OSCD's cities; Taizhou
  labels a sample, and its unlabelled change stays).

Files are written as DEFLATE-compressed, tiled GeoTIFFs of the source's sample type, without alpha. Needs
python3-gdal, python3-numpy and python3-scipy.
"""

import argparse
import os

import numpy as np
from osgeo import gdal
from scipy.ndimage import binary_dilation

gdal.UseExceptions()

GROW_PX = 3


def read(path: str) -> tuple[gdal.Dataset, np.ndarray]:
    ds = gdal.Open(path)
    data = ds.ReadAsArray()
    return ds, data[np.newaxis] if data.ndim == 2 else data


def write(path: str, like: gdal.Dataset, bands: np.ndarray) -> None:
    options = ['COMPRESS=DEFLATE', 'TILED=YES', 'PHOTOMETRIC=MINISBLACK', 'ALPHA=NO']
    out = gdal.GetDriverByName('GTiff').Create(path, like.RasterXSize, like.RasterYSize, bands.shape[0], like.GetRasterBand(1).DataType, options)
    out.SetGeoTransform(like.GetGeoTransform())
    out.SetProjection(like.GetProjection())
    for b in range(bands.shape[0]):
        out.GetRasterBand(b + 1).WriteArray(bands[b])
    out.FlushCache()


def variant(out: str, name: str, before: tuple[gdal.Dataset, np.ndarray], after: tuple[gdal.Dataset, np.ndarray],
            truth: tuple[gdal.Dataset, np.ndarray], bands: list[str], after_bands: list[str] | None = None) -> None:
    folder = os.path.join(out, name)
    os.makedirs(folder, exist_ok=True)
    write(os.path.join(folder, 'before.tif'), *before)
    write(os.path.join(folder, 'after.tif'), *after)
    write(os.path.join(folder, 'truth.tif'), *truth)
    with open(os.path.join(folder, 'bands.txt'), 'w') as f:
        f.write(','.join(bands) + '\n')
    if after_bands is not None:
        with open(os.path.join(folder, 'after-bands.txt'), 'w') as f:
            f.write(','.join(after_bands) + '\n')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src')
    parser.add_argument('out')
    parser.add_argument('--bands', required=True, help='the source files\' band order (comma-separated)')
    args = parser.parse_args()
    bands = args.bands.split(',')

    b_ds, b = read(os.path.join(args.src, 'before.tif'))
    a_ds, a = read(os.path.join(args.src, 'after.tif'))
    t_ds, t = read(os.path.join(args.src, 'truth.tif'))
    if len(bands) != b.shape[0] or len(bands) != a.shape[0]:
        raise SystemExit(f'--bands names {len(bands)} bands; the files hold {b.shape[0]} and {a.shape[0]}')

    def at(name: str) -> int:
        if name not in bands:
            raise SystemExit(f'--bands has no {name}')
        return bands.index(name)

    rgb = [at('red'), at('green'), at('blue')]
    variant(args.out, 'rgbafter', (b_ds, b), (a_ds, a[rgb]), (t_ds, t), bands, ['red', 'green', 'blue'])
    four = [at('blue'), at('green'), at('red'), at('nir')]
    variant(args.out, '4band', (b_ds, b[four]), (a_ds, a[four]), (t_ds, t), ['blue', 'green', 'red', 'nir'])

    changed = t[0] == 1
    if changed.any():
        grown = binary_dilation(changed, iterations=GROW_PX)
        b_fill, a_fill = b.copy(), a.copy()
        b_fill[:, grown] = 0
        a_fill[:, grown] = 0
        no_change = np.where(grown | (t[0] == 255), 255, 0).astype(np.uint8)[np.newaxis]
        variant(args.out, 'nochange', (b_ds, b_fill), (a_ds, a_fill), (t_ds, no_change), bands)


if __name__ == '__main__':
    main()
