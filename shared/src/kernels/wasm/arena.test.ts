import { describe, expect, it } from 'vitest';
import { ArenaOwner, TAIL_BYTES, arenaArray, arenaBytesInUse, arenaCopy, releaseArenaArray } from './arena.js';
import { ARENA_BASE, MEMORY_BYTES, inThreadMemory, threadMemory } from './runtime.js';

describe('arena arrays in the thread memory', () => {
  it('lie above the kernels scratch, apart, each with its tail', () => {
    const base = arenaBytesInUse();
    const a = arenaArray(Uint16Array, 1000)!;
    const b = arenaArray(Float32Array, 333)!;
    const c = arenaArray(Uint8Array, 1)!;
    expect(a.length).toBe(1000);
    expect(inThreadMemory(a) && inThreadMemory(b) && inThreadMemory(c)).toBe(true);
    const ranges = [a, b, c].map((x) => [x.byteOffset, x.byteOffset + x.byteLength + TAIL_BYTES] as const).sort((p, q) => p[0] - q[0]);
    expect(ranges[0]![0]).toBeGreaterThanOrEqual(ARENA_BASE);
    for (let k = 1; k < ranges.length; k++) expect(ranges[k]![0]).toBeGreaterThanOrEqual(ranges[k - 1]![1]);
    expect(arenaBytesInUse() - base).toBeGreaterThanOrEqual(2000 + 1332 + 1 + 3 * TAIL_BYTES);
    for (const x of [a, b, c]) releaseArenaArray(x);
    expect(arenaBytesInUse()).toBe(base);
  });

  it('keep their values while kernels use their scratch below them (the memory no longer grows)', () => {
    const a = arenaArray(Int16Array, 4096)!;
    const buffer = a.buffer;
    expect(buffer.byteLength).toBe(MEMORY_BYTES);
    for (let i = 0; i < a.length; i++) a[i] = i - 2048;
    // the top of the largest scratch a kernel may take, next to the arena
    new Uint8Array(threadMemory(ARENA_BASE).buffer, ARENA_BASE - 2 ** 20, 2 ** 20).fill(0xa5);
    expect(a.every((v, i) => v === i - 2048)).toBe(true);
    expect(() => threadMemory(ARENA_BASE + 1)).toThrow(RangeError);
    expect(threadMemory(ARENA_BASE).buffer).toBe(buffer);
    releaseArenaArray(a);
  });

  it('reuse released ranges first fit, merging neighbours, so the same sequence gives the same addresses', () => {
    const sequence = () => {
      const x = arenaArray(Uint8Array, 500)!;
      const y = arenaArray(Uint8Array, 700)!;
      const z = arenaArray(Uint8Array, 300)!;
      releaseArenaArray(y);
      const w = arenaArray(Uint8Array, 100)!; // into y's range
      const offsets = [x, y, z, w].map((v) => v.byteOffset);
      for (const v of [x, z, w]) releaseArenaArray(v);
      return offsets;
    };
    const first = sequence();
    expect(first[3]).toBe(first[1]);
    expect(sequence()).toEqual(first);
  });

  it('release only what the arena gave (subarrays and ordinary arrays are ignored)', () => {
    const base = arenaBytesInUse();
    const a = arenaArray(Uint8Array, 256)!;
    releaseArenaArray(a.subarray(64));
    releaseArenaArray(a.subarray(0, 128));
    releaseArenaArray(new Uint8Array(256));
    expect(arenaBytesInUse()).toBeGreaterThan(base);
    releaseArenaArray(a);
    releaseArenaArray(a); // twice: nothing more
    expect(arenaBytesInUse()).toBe(base);
  });

  it("an owner's scratch arrays grow on demand, the old one released, and all go back on release", () => {
    const base = arenaBytesInUse();
    const owner = new ArenaOwner({});
    const a = owner.scratch('a', Float32Array, 100);
    const b = owner.scratch('b', Uint16Array, 100);
    expect(inThreadMemory(a) && inThreadMemory(b)).toBe(true);
    a.fill(3);
    const again = owner.scratch('a', Float32Array, 50); // smaller: the same array
    expect(again.length).toBe(50);
    expect(again.byteOffset).toBe(a.byteOffset);
    expect(again.every((v) => v === 3)).toBe(true);
    const inUse = arenaBytesInUse();
    const grown = owner.scratch('a', Float32Array, 10_000); // larger: a new array, the old one released
    expect(grown.length).toBe(10_000);
    expect(arenaBytesInUse() - inUse).toBeLessThan(40_000 + 2 * TAIL_BYTES);
    expect(arenaBytesInUse()).toBeGreaterThan(base);
    owner.release();
    expect(arenaBytesInUse()).toBe(base);
  });

  it('copies an array into the arena', () => {
    const source = Int16Array.from([1, -2, 3, -4]);
    const copy = arenaCopy(source)!;
    expect(inThreadMemory(copy) && copy instanceof Int16Array).toBe(true);
    expect([...copy]).toEqual([1, -2, 3, -4]);
    releaseArenaArray(copy);
  });

  it('refuses what the memory cannot hold (null, or an ordinary array from an owner)', () => {
    expect(arenaArray(Float32Array, 2 ** 28)).toBeNull(); // 1 GiB
    const big = new ArenaOwner({}).scratch('big', Uint8Array, 2 ** 30);
    expect(inThreadMemory(big)).toBe(false);
  });
});
