import { describe, expect, it } from 'vitest';
import { mapInOrder } from './map-in-order.js';

/** Resolves after `ms` milliseconds. */
const after = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('mapInOrder', () => {
  it('returns results in the items order whatever order the calls finish in', async () => {
    const delays = [30, 5, 20, 0, 10, 25, 1];
    const finished: number[] = [];
    const out = await mapInOrder(delays, 3, async (ms, i) => {
      await after(ms);
      finished.push(i);
      return `${i}:${ms}`;
    });
    expect(out).toEqual(delays.map((ms, i) => `${i}:${ms}`));
    expect(finished).not.toEqual(delays.map((_, i) => i)); // they did finish out of order
  });

  it('never has more than `limit` calls pending, and reaches the limit', async () => {
    let pending = 0;
    let most = 0;
    await mapInOrder(Array.from({ length: 40 }, (_, i) => i), 4, async (i) => {
      pending++;
      most = Math.max(most, pending);
      await after(i % 3);
      pending--;
    });
    expect(most).toBe(4);
  });

  it('handles no items and a limit above the item count', async () => {
    expect(await mapInOrder([], 8, async () => 1)).toEqual([]);
    expect(await mapInOrder([1, 2], 8, async (x) => x * 10)).toEqual([10, 20]);
  });

  it('after a rejection starts no further call, waits for the started ones, and throws the first error', async () => {
    const started: number[] = [];
    const settled: number[] = [];
    const run = mapInOrder(Array.from({ length: 20 }, (_, i) => i), 3, async (i) => {
      started.push(i);
      await after(i === 1 ? 1 : 15);
      settled.push(i);
      if (i === 1) throw new Error('item 1 failed');
      if (i === 2) throw new Error('item 2 failed later');
      return i;
    });
    await expect(run).rejects.toThrow('item 1 failed');
    expect(started).toEqual([0, 1, 2]);
    expect([...settled].sort((a, b) => a - b)).toEqual([0, 1, 2]); // nothing still running
  });

  it('refuses a limit that is not a positive integer', async () => {
    await expect(mapInOrder([1], 0, async (x) => x)).rejects.toThrow(/limit must be an integer ≥ 1, got 0/);
    await expect(mapInOrder([1], 1.5, async (x) => x)).rejects.toThrow(/got 1.5/);
  });
});
