import { spawnSync } from 'node:child_process';

/** A python3 with GDAL bindings and numpy: Debian's (python3-gdal, installed by .ci/run) when another python3 comes first on PATH. */
const PYTHON = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import osgeo, numpy']).status === 0) ?? 'python3';

/** Runs a python script that writes test imagery with GDAL; throws with GDAL's message when it fails. */
export function runGdalScript(script: string, args: string[]): void {
  const made = spawnSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`GDAL (python3-gdal, numpy) is required to build this test's scenes: ${made.stderr}`);
}
