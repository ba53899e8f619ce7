#!/usr/bin/env python3
"""The references of issue 3's speed table, timed on the benchmark's own inputs (scripts/bench.ts).

Usage: reference_kernels.py DIR   (DIR holds inputs.json and the raw arrays it names, written by
scripts/bench/references.ts). Prints one JSON object: Mpx/s per reference, best of at least 5 runs and
0.4 s of runs after one warm-up, single-threaded, plus the library versions.

- numpy: valid mask of both epochs + z-scored change-vector magnitude on the 4-band uint16 pair, float32,
  band by band into preallocated buffers (the issue's "tuned numpy" reference of the change pass; shoutu's
  pass does more: the chi score, the fusion and the 3x3 mean).
- numpy whole pass: all of shoutu's change pass on the same pair (valid mask, CVA, the chi score of the
  whitened change vector, the fusion and the valid 3x3 mean), written the same way (float32, preallocated
  buffers, in-place operators): the valid + CVA row alone understates what the pass costs NumPy
  (scripts/bench/references.ts reports both readings).
- OpenCV: connectedComponentsWithStats (8-connected) and morphologyEx opening / closing with a 3x3
  square, on the benchmark's sparse and noise masks.
Needs numpy (python3-numpy) and, for the OpenCV rows, cv2 (python3-opencv); a missing one is reported as
null, not as an error.
"""
import json
import os
import sys
import time

import numpy as np


def best_mpx(run, pixels, repeats=5, min_seconds=0.4):
    """Best of at least `repeats` timed runs and `min_seconds` of them, after one warm-up (the rule of
    shoutu's bestTimeMs, shared/src/kernels/bench-harness.ts)."""
    run()
    best = float('inf')
    total = 0.0
    count = 0
    while count < repeats or total < min_seconds:
        start = time.perf_counter()
        run()
        elapsed = time.perf_counter() - start
        total += elapsed
        count += 1
        best = min(best, elapsed)
    return pixels / best / 1e6


def load(directory, spec):
    return np.fromfile(os.path.join(directory, spec['file']), dtype=spec['dtype']).reshape(spec['shape'])


def numpy_valid_cva(before, after, p):
    """Valid mask of both epochs and the z-scored change-vector magnitude, band by band in float32 with
    preallocated buffers (the issue's "tuned numpy" change-pass reference)."""
    bands, height, width = before.shape
    mean_before = np.asarray(p['beforeMean'], np.float32)
    mean_after = np.asarray(p['afterMean'], np.float32)
    inv_before = 1 / np.asarray(p['beforeStd'], np.float32)
    inv_after = 1 / np.asarray(p['afterStd'], np.float32)
    nodata_before = p['nodataBefore']
    nodata_after = p['nodataAfter']
    valid = np.empty((height, width), bool)
    total = np.empty((height, width), np.float32)
    x = np.empty((height, width), np.float32)
    y = np.empty((height, width), np.float32)

    def run():
        v, t, xb, xa = valid, total, x, y  # in-place operators on locals (they rebind their name)
        v.fill(True)
        t.fill(0)
        for k in range(bands):
            v &= before[k] != nodata_before
            v &= after[k] != nodata_after
            np.subtract(before[k], mean_before[k], out=xb, dtype=np.float32)
            xb *= inv_before[k]
            np.subtract(after[k], mean_after[k], out=xa, dtype=np.float32)
            xa *= inv_after[k]
            xb -= xa
            xb *= xb
            t += xb
        t *= np.float32(1 / bands)
        np.sqrt(t, out=t)
        t *= v
        return t

    return run


def inverse_or_zero(x):
    """1/x for a usable positive finite x, else 0 (shoutu's rule for a std or a median of 0)."""
    return np.float32(1 / x) if 0 < x < float('inf') else np.float32(0)


BLOCK_ROWS = 128


def numpy_whole_pass(before, after, p):
    """All of shoutu's change pass: valid mask of both epochs, z-scored change vector d and its magnitude
    (CVA), the chi score of the whitened change vector T·d (T lower triangular: B(B+1)/2 products), the
    minimum of both scaled by their medians, and its mean over the valid pixels of each 3×3 neighbourhood
    (pixels outside the image do not count). float32, preallocated, in-place operators; the per-pixel
    steps run on blocks of BLOCK_ROWS rows so that their temporaries stay in the cache (about 1.45× as
    fast as on whole-image temporaries), the 3×3 sums on the whole image."""
    bands, height, width = before.shape
    f32 = np.float32
    mean_before = [f32(m) for m in p['beforeMean']]
    mean_after = [f32(m) for m in p['afterMean']]
    inv_before = [inverse_or_zero(s) for s in p['beforeStd']]
    inv_after = [inverse_or_zero(s) for s in p['afterStd']]
    whiten = [[f32(p['whiten'][k * bands + j]) for j in range(k + 1)] for k in range(bands)]  # lower triangle
    inv_cva = inverse_or_zero(p['cvaMedian'])
    inv_mad = inverse_or_zero(p['madMedian'])
    inv_bands = f32(1 / bands)
    nodata_before = p['nodataBefore']
    nodata_after = p['nodataAfter']
    shape = (height, width)
    valid = np.empty(shape, bool)
    fused, rows, score = (np.empty(shape, f32) for _ in range(3))
    count, count_rows = np.empty(shape, np.uint8), np.empty(shape, np.uint8)  # at most 9: a byte each
    block = (BLOCK_ROWS, width)
    d_block = np.empty((bands,) + block, f32)
    cva_block, chi_block, tmp_block, feature_block = (np.empty(block, f32) for _ in range(4))

    def box_sum(src, scratch, out):
        """3×3 sum with the pixels outside the image left out: three rows, then three columns of that."""
        np.copyto(scratch, src)
        scratch[1:] += src[:-1]
        scratch[:-1] += src[1:]
        np.copyto(out, scratch)
        out[:, 1:] += scratch[:, :-1]
        out[:, :-1] += scratch[:, 1:]

    def per_pixel(r0, r1):
        """valid and fused of rows r0 … r1 − 1."""
        n = r1 - r0
        v, m = valid[r0:r1], fused[r0:r1]
        d, c, z, t, f = d_block[:, :n], cva_block[:n], chi_block[:n], tmp_block[:n], feature_block[:n]
        v.fill(True)
        for k in range(bands):
            b, a = before[k, r0:r1], after[k, r0:r1]
            if nodata_before is not None:
                v &= b != nodata_before
            if nodata_after is not None:
                v &= a != nodata_after
            np.subtract(a, mean_after[k], out=d[k], dtype=f32)
            d[k] *= inv_after[k]
            np.subtract(b, mean_before[k], out=t, dtype=f32)
            t *= inv_before[k]
            d[k] -= t
        c.fill(0)
        z.fill(0)
        for k in range(bands):
            np.multiply(d[k], d[k], out=t)
            c += t
            np.multiply(d[0], whiten[k][0], out=f)
            for j in range(1, k + 1):
                np.multiply(d[j], whiten[k][j], out=t)
                f += t
            f *= f
            z += f
        for x, scale in ((c, inv_cva), (z, inv_mad)):
            x *= inv_bands
            np.sqrt(x, out=x)
            x *= scale
        np.minimum(c, z, out=m)
        m *= v

    def run():
        for r0 in range(0, height, BLOCK_ROWS):
            per_pixel(r0, min(height, r0 + BLOCK_ROWS))
        s, n = score, count  # in-place operators on locals (they rebind their name)
        box_sum(fused, rows, s)
        box_sum(valid.view(np.uint8), count_rows, n)  # the valid mask's bytes are 1/0: the count of valid neighbours
        np.maximum(n, 1, out=n)  # 0 only under an invalid centre, which gets 0 below
        s /= n
        s *= valid
        return s

    return run


def main():
    directory = sys.argv[1]
    with open(os.path.join(directory, 'inputs.json')) as f:
        spec = json.load(f)
    pixels = spec['width'] * spec['height']
    out = {'opencv': None, 'mpxPerSec': {}}
    before = load(directory, spec['before'])
    after = load(directory, spec['after'])
    out['mpxPerSec']['numpy valid + CVA'] = best_mpx(numpy_valid_cva(before, after, spec['pass']), pixels)
    out['mpxPerSec']['numpy whole pass (valid + CVA + chi + fuse + 3×3 mean)'] = best_mpx(numpy_whole_pass(before, after, spec['pass']), pixels)
    try:
        import cv2
    except ImportError:
        print(json.dumps(out))
        return
    cv2.setNumThreads(1)
    out['opencv'] = cv2.__version__
    square = np.ones((3, 3), np.uint8)
    for name in ('sparse', 'noise'):
        mask = load(directory, spec['masks'][name])
        out['mpxPerSec'][f'OpenCV connectedComponentsWithStats {name}'] = best_mpx(
            lambda: cv2.connectedComponentsWithStats(mask, connectivity=8, ltype=cv2.CV_32S), pixels)
        out['mpxPerSec'][f'OpenCV opening 3x3 {name}'] = best_mpx(lambda: cv2.morphologyEx(mask, cv2.MORPH_OPEN, square), pixels)
        out['mpxPerSec'][f'OpenCV closing 3x3 {name}'] = best_mpx(lambda: cv2.morphologyEx(mask, cv2.MORPH_CLOSE, square), pixels)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
