/**
 * Drone orthophotos scored by structure on blocks: `shoutu detect` with each tile's blocks computed once
 * (PooledStructure, docs/detection.md step 5a, "Blocks computed once") against the same run reading each
 * tile's whole structural halo, measured in the same run on the same files.
 *
 * Usage: npx tsx scripts/bench-drone.ts [--size 4096] [--repeats 1]
 *
 * Inputs: scripts/bench/make_drone_pair.py (GDAL + numpy) writes a seeded RGB uint8 pair, size x size, JPEG
 * YCbCr in 512² tiles, at 5 cm and at 2.5 cm (pool 4 and 8); cached in the OS temp dir under a key of the
 * generator's hash, size and pixel. Each pixel size is run with 512-pixel tiles (the blocks) and with
 * 510-pixel tiles, which no block size of 4 or more divides, so every tile reads its whole halo (the path
 * queue mode took before, and any tile size not a multiple of the block still takes): one thread, best of
 * `--repeats`, wall time and peak RSS (/usr/bin/time -v). The two change.tif must be byte-identical (change.tif
 * does not depend on the tile size), else the run fails. Not a target of the issue: a ratio read in one run.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findPython, fmt, hasTimeV, measure, runPython, table } from './bench/harness.js';
import { positiveIntOption as option } from './bench/options.js';

const here = dirname(fileURLToPath(import.meta.url));
const SIZE = option('size', 4096);
const REPEATS = option('repeats', 1);
const PIXELS_M = [0.05, 0.025];
const TILES = [
  { size: 512, path: 'blocks once' },
  { size: 510, path: "each tile's halo" },
];

function inputs(python: string, pixel: number): { before: string; after: string } {
  const script = join(here, 'bench', 'make_drone_pair.py');
  const hash = createHash('sha256').update(readFileSync(script)).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), `shoutu-bench-drone-${hash}-${SIZE}-${pixel}`);
  const before = join(dir, 'before.tif');
  const after = join(dir, 'after.tif');
  if (!existsSync(after)) {
    process.stderr.write(`generating the ${SIZE}² drone pair at ${pixel * 100} cm …\n`);
    runPython(python, 'make_drone_pair.py', [dir, String(SIZE), String(pixel)]);
  }
  return { before, after };
}

async function main(): Promise<void> {
  const python = findPython();
  const timeV = hasTimeV();
  const rows: string[][] = [['pixel', 'tiles', 'path', 'seconds', 'peak RSS MB', 'time / blocks once']];
  for (const pixel of PIXELS_M) {
    const { before, after } = inputs(python, pixel);
    const results: Array<{ seconds: number; rss: number | null; change: Buffer }> = [];
    for (const tile of TILES) {
      let best: { seconds: number; rss: number | null; change: Buffer } | null = null;
      for (let r = 0; r < REPEATS; r++) {
        const out = mkdtempSync(join(tmpdir(), 'shoutu-bench-drone-out-'));
        try {
          const run = await measure(
            process.execPath,
            ['bin/shoutu.mjs', 'detect', '--before', before, '--after', after, '--out', out, '--bands', 'red,green,blue', '--tile-size', String(tile.size)],
            timeV,
            25,
            { SHOUTU_THREADS: '1' },
          );
          const change = readFileSync(join(out, 'change.tif'));
          if (best === null || run.seconds < best.seconds) best = { seconds: run.seconds, rss: run.peakRssMb, change };
        } finally {
          rmSync(out, { recursive: true, force: true });
        }
      }
      results.push(best!);
    }
    if (!results[1]!.change.equals(results[0]!.change)) throw new Error(`change.tif differs between the two paths at ${pixel * 100} cm`);
    TILES.forEach((tile, i) => {
      const r = results[i]!;
      rows.push([`${pixel * 100} cm`, String(tile.size), tile.path, fmt(r.seconds, 2), r.rss === null ? '–' : fmt(r.rss), fmt(r.seconds / results[0]!.seconds, 2)]);
    });
  }
  console.log(`shoutu detect on a ${SIZE}² RGB drone pair (scripts/bench/make_drone_pair.py), one thread, best of ${REPEATS}; change.tif byte-identical between the paths`);
  console.log(table(rows, [false, true, false, true, true, true]));
}

await main();
