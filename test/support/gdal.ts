import { spawnSync } from 'node:child_process';

/** A python3 with GDAL bindings and numpy: Debian's (python3-gdal, installed by .ci/run) when another python3 comes first on PATH. */
const PYTHON = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import osgeo, numpy']).status === 0) ?? 'python3';

/** Runs a python script that writes test imagery with GDAL; throws with GDAL's message when it fails. */
export function runGdalScript(script: string, args: string[]): void {
  const made = spawnSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`GDAL (python3-gdal, numpy) is required to build this test's scenes: ${made.stderr}`);
}

/** Writes `out`: a one-band uint8 cloud mask on the grid of `src`, 1 over rows [r0, r1) and columns [c0, c1), 0 elsewhere. */
export function writeCloudMask(src: string, out: string, [r0, r1]: [number, number], [c0, c1]: [number, number]): void {
  runGdalScript(CLOUD_MASK, [src, out, String(r0), String(r1), String(c0), String(c1)]);
}

const CLOUD_MASK = `
import sys
import numpy as np
from osgeo import gdal
src, out = sys.argv[1], sys.argv[2]
r0, r1, c0, c1 = (int(v) for v in sys.argv[3:7])
ds = gdal.Open(src)
o = gdal.GetDriverByName('GTiff').Create(out, ds.RasterXSize, ds.RasterYSize, 1, gdal.GDT_Byte)
o.SetGeoTransform(ds.GetGeoTransform())
o.SetProjection(ds.GetProjection())
m = np.zeros((ds.RasterYSize, ds.RasterXSize), dtype=np.uint8)
m[r0:r1, c0:c1] = 1
o.GetRasterBand(1).WriteArray(m)
o = None
`;
