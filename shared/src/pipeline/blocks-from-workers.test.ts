import { describe, expect, it } from 'vitest';
import type { LatticeWindow } from '../grid/lattice.js';
import type { PairSide } from './compute-pair-stats.js';
import type { TileSamples } from './halo-window-cache.js';
import { windowKey, withBlocksFrom } from './blocks-from-workers.js';

const block = (row: number): LatticeWindow => ({ col: 0, row, width: 2, height: 1 });

/** A side whose reads are counted and give each window's row as its samples. */
function countingSide(): PairSide & { reads: number[] } {
  const reads: number[] = [];
  return {
    bands: 1,
    nodata: null,
    reads,
    readWindow: async (w) => {
      reads.push(w.row);
      return Uint16Array.from([w.row, w.row]);
    },
  };
}

describe('withBlocksFrom', () => {
  it('serves a worker-decoded block once to each epoch, and decodes locally what the workers did not take or read again', async () => {
    const fromWorkers = new Map<string, Promise<[TileSamples, TileSamples]>>([[windowKey(block(5)), Promise.resolve([Uint16Array.of(50, 51), Uint16Array.of(52, 53)])]]);
    const before = countingSide();
    const after = countingSide();
    const b = withBlocksFrom(fromWorkers, before, 0);
    const a = withBlocksFrom(fromWorkers, after, 1);
    expect(Array.from(await b.readWindow(block(5)))).toEqual([50, 51]);
    expect(Array.from(await a.readWindow(block(5)))).toEqual([52, 53]);
    expect(before.reads).toEqual([]);
    expect(after.reads).toEqual([]);
    // read again (blocks the statistics do not keep): decoded here
    expect(Array.from(await b.readWindow(block(5)))).toEqual([5, 5]);
    expect(Array.from(await a.readWindow(block(5)))).toEqual([5, 5]);
    // not the workers' block
    expect(Array.from(await b.readWindow(block(7)))).toEqual([7, 7]);
    expect(before.reads).toEqual([5, 7]);
    expect(after.reads).toEqual([5]);
  });

  it('reads here what a worker failed to read, so the failure is this thread\'s own read\'s', async () => {
    const failed = Promise.reject(new Error('worker thread exited with code 1'));
    failed.catch(() => undefined);
    const fromWorkers = new Map<string, Promise<[TileSamples, TileSamples]>>([[windowKey(block(3)), failed]]);
    const side: PairSide = { bands: 1, nodata: null, readWindow: async (w) => Promise.reject(new Error(`scene.tif: block at row ${w.row} cannot be decoded`)) };
    await expect(withBlocksFrom(fromWorkers, side, 0).readWindow(block(3))).rejects.toThrow('scene.tif: block at row 3 cannot be decoded');
    const good = countingSide();
    expect(Array.from(await withBlocksFrom(fromWorkers, good, 1).readWindow(block(3)))).toEqual([3, 3]);
  });
});
