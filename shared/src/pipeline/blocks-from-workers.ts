/**
 * The pair statistics' reads of sampled blocks that worker threads decoded (detectPair: each worker decodes
 * the blocks in its own rows, keeps them for its pass and answers with copies), so the calling thread
 * decodes only the rest.
 */
import type { LatticeWindow } from '../grid/lattice.js';
import type { PairSide } from './compute-pair-stats.js';
import type { TileSamples } from './halo-window-cache.js';

/** The key of a window in a map of the blocks worker threads decode for the statistics. */
export function windowKey(w: LatticeWindow): string {
  return `${w.col},${w.row},${w.width},${w.height}`;
}

/**
 * `side` (epoch `index`: 0 before, 1 after) reading the windows a worker decoded from its answer, each once
 * (a block read again, when the statistics do not keep their blocks, is decoded here), and any window the
 * worker failed to read here, which reports the failure as a read in this thread does.
 */
export function withBlocksFrom(fromWorkers: Map<string, Promise<[TileSamples, TileSamples]>>, side: PairSide, index: 0 | 1): PairSide {
  return {
    ...side,
    readWindow: (w, reuse) => {
      const key = windowKey(w);
      const pending = fromWorkers.get(key);
      if (pending === undefined) return side.readWindow(w, reuse);
      if (index === 1) fromWorkers.delete(key); // the statistics read a block's before, then its after
      return pending.then(
        (pair) => pair[index],
        () => side.readWindow(w, reuse),
      );
    },
  };
}
