#!/usr/bin/env python3
"""The references of issue 3's speed table, timed on the benchmark's own inputs (scripts/bench.ts).

Usage: reference_kernels.py DIR   (DIR holds inputs.json and the raw arrays it names, written by
scripts/bench/references.ts). Prints one JSON object: Mpx/s per reference, best of at least 5 runs and
0.4 s of runs after one warm-up, single-threaded, plus the library versions.

- numpy: valid mask of both epochs + z-scored change-vector magnitude on the 4-band uint16 pair, float32,
  band by band into preallocated buffers (the issue's "tuned numpy" reference of the change pass; shoutu's
  pass does more: the chi score, the fusion and the 3x3 mean).
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


def main():
    directory = sys.argv[1]
    with open(os.path.join(directory, 'inputs.json')) as f:
        spec = json.load(f)
    pixels = spec['width'] * spec['height']
    out = {'opencv': None, 'mpxPerSec': {}}
    before = load(directory, spec['before'])
    after = load(directory, spec['after'])
    out['mpxPerSec']['numpy valid + CVA'] = best_mpx(numpy_valid_cva(before, after, spec['pass']), pixels)
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
