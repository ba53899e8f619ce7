#!/usr/bin/env python3
"""Writes the before/after GeoTIFF pair of scripts/bench-detect.ts (needs GDAL's Python bindings and numpy).

Usage: make_detect_pair.py <out dir> <size> <seed> <patches>

A seeded synthetic scene, <size> x <size>, 4 bands uint16 (blue, green, red, nir; surface reflectance
x 10000), EPSG:32650 on a 2 m grid, written as DEFLATE (level 6) + horizontal predictor, 512x512 tiles,
pixel-interleaved (GDAL's usual layout for multiband imagery):

  before.tif   fields: a warped grid of parcels (~190 x 160 m), each one land-cover class (water, forest,
               cropland, grass, bare soil, built-up) with its own brightness; smooth illumination
               gradients; within-field texture (bilinear upsampled random grid, 16 px cells); Gaussian
               sensor noise
  after.tif    the same scene under a global per-band gain/offset (another date, another calibration),
               with fresh sensor noise, plus <patches> change patches: rectangles and irregular blobs,
               5-200 px across (log-uniform), filled with another class's spectrum (new roofs, cleared
               soil, ponds, ...) and their own texture
  truth.tif    uint8, 1 inside a change patch, 0 elsewhere (not read by the timed runs)

Everything is computed per 512-row strip from global pixel coordinates, so memory stays around a few
hundred MB whatever the size. Prints one JSON line: {"files": {name: bytes}, "changePixels": n,
"patches": n, "seconds": generation time}.
"""
import json
import os
import sys
import time

import numpy as np
from osgeo import gdal

gdal.UseExceptions()
gdal.SetConfigOption('GDAL_PAM_ENABLED', 'NO')
gdal.SetConfigOption('GDAL_NUM_THREADS', 'ALL_CPUS')  # compression threads while writing only

STRIP = 512
BANDS = 4
PIXEL = 2.0
ORIGIN = (420000.0, 3560000.0)  # UTM zone 50N, around Wuhan
CREATE = ['TILED=YES', 'BLOCKXSIZE=512', 'BLOCKYSIZE=512', 'COMPRESS=DEFLATE', 'PREDICTOR=2', 'ZLEVEL=6', 'INTERLEAVE=PIXEL']
BAND_NAMES = ['blue', 'green', 'red', 'nir']

# land-cover spectra (blue, green, red, nir), reflectance x 10000
CLASSES = np.array([
    [600, 750, 520, 320],      # water
    [280, 560, 330, 3600],     # forest
    [430, 820, 650, 2900],     # cropland
    [520, 900, 820, 2500],     # grass
    [950, 1250, 1550, 2300],   # bare soil
    [1450, 1550, 1650, 1950],  # built-up
], dtype=np.float32)
CLASS_WEIGHTS = np.array([0.06, 0.16, 0.38, 0.18, 0.12, 0.10])
# what change patches are filled with (new roofs, cleared soil, ponds, greenhouses, ...)
CHANGE_SPECTRA = np.array([
    [2300, 2350, 2400, 2600],  # bright metal / concrete roof
    [1450, 1550, 1650, 1950],  # built-up
    [950, 1250, 1550, 2300],   # bare soil
    [600, 750, 520, 320],      # pond
    [1100, 1000, 900, 1100],   # dark roof / asphalt
    [1800, 2000, 2100, 2700],  # greenhouse film
], dtype=np.float32)
GAIN = np.array([1.07, 1.04, 0.95, 0.91], dtype=np.float32)
OFFSET = np.array([-60.0, -25.0, 40.0, 120.0], dtype=np.float32)
NOISE = np.array([28.0, 32.0, 38.0, 60.0], dtype=np.float32)


class Scene:
    """The unchanged scene, as a function of global pixel coordinates."""

    def __init__(self, size, seed):
        rng = np.random.default_rng([seed, 1])
        self.size = size
        self.cell = (96.0, 80.0)  # parcel width, height in pixels
        ncx = int(size / self.cell[0]) + 4
        ncy = int(size / self.cell[1]) + 4
        self.parcel_class = rng.choice(len(CLASSES), size=(ncy, ncx), p=CLASS_WEIGHTS)
        self.parcel_gain = rng.uniform(0.85, 1.15, (ncy, ncx)).astype(np.float32)
        # smooth warps of the parcel grid (field boundaries are not straight lines)
        self.warp = [(rng.uniform(-3, 3, 2) / 1000.0, rng.uniform(0, 2 * np.pi), rng.uniform(8, 22)) for _ in range(6)]
        # low-frequency illumination / haze, per band
        self.waves = [[(rng.uniform(-4, 4, 2) / size, rng.uniform(0, 2 * np.pi), rng.uniform(0.01, 0.03)) for _ in range(3)] for _ in range(BANDS)]
        # within-field texture: coarse random grid, 16 px cells, one per band (correlated across bands)
        self.tcell = 16
        nt = size // self.tcell + 2
        common = rng.normal(0, 1, (nt, nt)).astype(np.float32)
        self.texture = [(0.7 * common + 0.3 * rng.normal(0, 1, (nt, nt))).astype(np.float32) for _ in range(BANDS)]

    def _bilinear(self, grid, y0, h):
        size, c = self.size, self.tcell
        gy = (np.arange(y0, y0 + h, dtype=np.float32) + 0.5) / c
        gx = (np.arange(size, dtype=np.float32) + 0.5) / c
        iy, ix = gy.astype(np.int32), gx.astype(np.int32)
        fy, fx = gy - iy, gx - ix
        rows = grid[iy] * (1 - fy)[:, None] + grid[iy + 1] * fy[:, None]
        return rows[:, ix] * (1 - fx)[None, :] + rows[:, ix + 1] * fx[None, :]

    def strip(self, y0, h):
        """Float32 (BANDS, h, size) of the noiseless scene, rows y0..y0+h."""
        size = self.size
        y = np.arange(y0, y0 + h, dtype=np.float32)[:, None]
        x = np.arange(size, dtype=np.float32)[None, :]
        wx = np.zeros((h, size), dtype=np.float32)
        wy = np.zeros((h, size), dtype=np.float32)
        for k, (f, ph, amp) in enumerate(self.warp):
            s = np.sin(f[0] * x + f[1] * y + ph).astype(np.float32) * amp
            if k % 2 == 0:
                wx += s
            else:
                wy += s
        cx = np.clip(((x + wx) / self.cell[0]).astype(np.int32) + 2, 0, self.parcel_class.shape[1] - 1)
        cy = np.clip(((y + wy) / self.cell[1]).astype(np.int32) + 2, 0, self.parcel_class.shape[0] - 1)
        del wx, wy
        cls = self.parcel_class[cy, cx]
        gain = self.parcel_gain[cy, cx]
        del cx, cy
        out = np.empty((BANDS, h, size), dtype=np.float32)
        for b in range(BANDS):
            band = CLASSES[:, b][cls] * gain
            illum = np.ones((h, size), dtype=np.float32)
            for f, ph, amp in self.waves[b]:
                illum += amp * np.sin(2 * np.pi * (f[0] * x + f[1] * y) + ph).astype(np.float32)
            band *= illum
            band *= 1 + 0.06 * self._bilinear(self.texture[b], y0, h)
            out[b] = band
        return out


def make_patches(size, seed, count):
    rng = np.random.default_rng([seed, 2])
    patches = []
    for _ in range(count):
        d = float(np.exp(rng.uniform(np.log(5), np.log(200))))
        aspect = float(rng.uniform(0.5, 2.0))
        w = max(5, int(round(d * np.sqrt(aspect))))
        h = max(5, int(round(d / np.sqrt(aspect))))
        w, h = min(w, 200), min(h, 200)
        x0 = int(rng.integers(0, size - w))
        y0 = int(rng.integers(0, size - h))
        kind = 'rect' if rng.random() < 0.5 else 'blob'
        spectrum = CHANGE_SPECTRA[rng.integers(len(CHANGE_SPECTRA))] * np.float32(rng.uniform(0.9, 1.1))
        lobes = (int(rng.integers(2, 6)), float(rng.uniform(0, 2 * np.pi)), float(rng.uniform(0.1, 0.3)))
        patches.append({'x0': x0, 'y0': y0, 'w': w, 'h': h, 'kind': kind, 'spectrum': spectrum, 'lobes': lobes,
                        'seed': int(rng.integers(1 << 31))})
    return patches


def patch_mask(p):
    """Boolean (h, w) footprint of a patch inside its bounding box."""
    h, w = p['h'], p['w']
    if p['kind'] == 'rect':
        return np.ones((h, w), dtype=bool)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    dy = (yy + 0.5 - h / 2) / (h / 2)
    dx = (xx + 0.5 - w / 2) / (w / 2)
    r = np.hypot(dx, dy)
    k, ph, amp = p['lobes']
    theta = np.arctan2(dy, dx)
    return r <= (1 - amp) + amp * np.sin(k * theta + ph)


def apply_patches(data, truth, patches, y0, h):
    for p in patches:
        top, bottom = max(p['y0'], y0), min(p['y0'] + p['h'], y0 + h)
        if top >= bottom:
            continue
        mask = patch_mask(p)[top - p['y0']:bottom - p['y0']]
        rng = np.random.default_rng(p['seed'])
        tex = rng.normal(0, 1, (p['h'], p['w'])).astype(np.float32)[top - p['y0']:bottom - p['y0']]
        xs = slice(p['x0'], p['x0'] + p['w'])
        for b in range(BANDS):
            region = data[b, top - y0:bottom - y0, xs]
            region[mask] = (p['spectrum'][b] * (1 + 0.05 * tex))[mask]
        truth[top - y0:bottom - y0, xs][mask] = 1


def create(path, size, bands, dtype, options):
    ds = gdal.GetDriverByName('GTiff').Create(path, size, size, bands, dtype, options=options)
    ds.SetGeoTransform((ORIGIN[0], PIXEL, 0.0, ORIGIN[1], 0.0, -PIXEL))
    ds.SetProjection('EPSG:32650')
    return ds


def main():
    out, size, seed, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    t0 = time.perf_counter()
    scene = Scene(size, seed)
    patches = make_patches(size, seed, count)
    before = create(os.path.join(out, 'before.tif'), size, BANDS, gdal.GDT_UInt16, CREATE)
    after = create(os.path.join(out, 'after.tif'), size, BANDS, gdal.GDT_UInt16, CREATE)
    truth_ds = create(os.path.join(out, 'truth.tif'), size, 1, gdal.GDT_Byte,
                      ['TILED=YES', 'BLOCKXSIZE=512', 'BLOCKYSIZE=512', 'COMPRESS=DEFLATE'])
    for b in range(BANDS):
        before.GetRasterBand(b + 1).SetDescription(BAND_NAMES[b])
        after.GetRasterBand(b + 1).SetDescription(BAND_NAMES[b])
    noise_b = np.random.default_rng([seed, 3])
    noise_a = np.random.default_rng([seed, 4])
    change_pixels = 0
    for y0 in range(0, size, STRIP):
        h = min(STRIP, size - y0)
        base = scene.strip(y0, h)
        b = base.copy()
        for k in range(BANDS):
            b[k] += noise_b.standard_normal((h, size), dtype=np.float32) * NOISE[k]
        before.WriteRaster(0, y0, size, h, np.clip(np.rint(b), 1, 65535).astype('<u2').tobytes(), band_list=list(range(1, BANDS + 1)))
        del b
        truth = np.zeros((h, size), dtype=np.uint8)
        apply_patches(base, truth, patches, y0, h)
        for k in range(BANDS):
            base[k] *= GAIN[k]
            base[k] += OFFSET[k] + noise_a.standard_normal((h, size), dtype=np.float32) * NOISE[k]
        after.WriteRaster(0, y0, size, h, np.clip(np.rint(base), 1, 65535).astype('<u2').tobytes(), band_list=list(range(1, BANDS + 1)))
        truth_ds.GetRasterBand(1).WriteArray(truth, 0, y0)
        change_pixels += int(truth.sum(dtype=np.int64))
        del base
    before = after = truth_ds = None
    files = {n: os.path.getsize(os.path.join(out, n)) for n in ('before.tif', 'after.tif', 'truth.tif')}
    print(json.dumps({'files': files, 'changePixels': change_pixels, 'patches': count, 'seconds': time.perf_counter() - t0}))


if __name__ == '__main__':
    main()
