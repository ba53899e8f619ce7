import type { LatticeWindow } from '../grid/lattice.js';
import { blockRows } from './tile-rows.js';

/** Block edge of the statistics sample (and of the in-process score pass). */
export const STATS_BLOCK = 512;

/**
 * At most about this many blocks (≈ 4.2 Mpx at 512²) are decoded for the pair's band statistics, ISFA
 * sample and cue medians; a pair with no more blocks uses all of them (the statistics are then those of
 * every pixel, as before). Why: these are global moments and medians, which a spread sample of a few
 * million pixels pins down to well under the histogram's bin width, while decoding the whole pair for
 * them would cost as much as the detection pass itself.
 */
export const STATS_SAMPLE_BLOCKS = 16;

/**
 * The blocks of `overlap` the statistics read: all of them when there are at most STATS_SAMPLE_BLOCKS,
 * else one block from each cell of a stratification into cells of about blocks / STATS_SAMPLE_BLOCKS
 * blocks (as square as the pair allows), the pick moving one column along per stratum row so the sample
 * does not line up in fixed columns.
 * Deterministic: depends only on the overlap's size. Raster order.
 */
export function sampleBlocks(overlap: LatticeWindow): LatticeWindow[] {
  const rows = blockRows(overlap, STATS_BLOCK);
  const by = rows.length;
  const bx = rows[0]!.length;
  if (bx * by <= STATS_SAMPLE_BLOCKS) return rows.flat();
  const cell = Math.ceil((bx * by) / STATS_SAMPLE_BLOCKS);
  const side = Math.ceil(Math.sqrt(cell));
  // square cells, unless the pair is thinner than a cell: then cells as thick as the pair
  const kx = bx < side ? bx : by < side ? Math.ceil(cell / by) : side;
  const ky = bx < side ? Math.ceil(cell / bx) : by < side ? by : side;
  const picked: LatticeWindow[] = [];
  for (let i = 0; i * ky < by; i++) {
    const r = Math.min(by - 1, i * ky + Math.floor(ky / 2));
    for (let j = 0; j * kx < bx; j++) {
      const c = Math.min(bx - 1, j * kx + ((Math.floor(kx / 2) + i) % kx));
      picked.push(rows[r]![c]!);
    }
  }
  return picked;
}
