import { describe, expect, it } from 'vitest';
import { mulberry32, randomInt } from '../kernels/test-random.js';
import { haloOf } from '../detection/classify-change.js';
import { groupRows } from './tile-rows.js';
import { tilesOf, type LatticeWindow, type Placement } from '../grid/lattice.js';
import { CHUNK_PX, HaloWindowCache } from './halo-window-cache.js';
import { arenaBytesInUse } from '../kernels/wasm/arena.js';
import { inThreadMemory } from '../kernels/wasm/runtime.js';

/** Planar window of an in-memory raster (bands × height × width, uint16 values). */
function windowOf(raster: Uint16Array, width: number, height: number, bands: number, w: LatticeWindow): Uint16Array {
  const out = new Uint16Array(w.width * w.height * bands);
  for (let b = 0; b < bands; b++) {
    for (let y = 0; y < w.height; y++) {
      const from = b * width * height + (w.row + y) * width + w.col;
      out.set(raster.subarray(from, from + w.width), b * w.width * w.height + y * w.width);
    }
  }
  return out;
}

/**
 * A random 1300 × 1200 uint16 raster of `bands` bands behind a cache returning `picks`: the cache, the chunks
 * it read (with the planes asked, when some), whether each read was handed an array of the size of what it
 * asked to fill (`reused`), `region` (a
 * window of the raster read directly) and `serveAll`, which serves every 256-pixel tile's halo in raster
 * order and checks each against a direct read of the planes in `expected.planes` (`picks` until changed;
 * `beforeRow(r)` runs before row r, `afterRow(r)` after it).
 */
function cacheOverRandomRaster(seed: number, picks: number[], bands = 2) {
  const width = 1300;
  const height = 1200;
  const random = mulberry32(seed);
  const raster = new Uint16Array(width * height * bands);
  for (let i = 0; i < raster.length; i++) raster[i] = randomInt(random, 0, 65535);
  const area = { col: 0, row: 0, width, height };
  const rows = groupRows(tilesOf({ lattice: { tileSize: 256 }, col0: 0, row0: 0, width, height } as Placement).map((c) => c.window));
  const region = (w: LatticeWindow) => windowOf(raster, width, height, bands, w);
  const reads: string[] = [];
  const reused: boolean[] = [];
  const cache = new HaloWindowCache(
    (w, reuse, _lastUse, planes) => {
      reads.push(`${w.col},${w.row}${planes ? ` [${planes.join(',')}]` : ''}`);
      const whole = region(w);
      const n = w.width * w.height;
      const samples = planes ? new Uint16Array(planes.length * n) : whole;
      planes?.forEach((p, k) => samples.set(whole.subarray(p * n, (p + 1) * n), k * n));
      if (reuse === undefined) return Promise.resolve(samples);
      reused.push(reuse.length === samples.length);
      if (reuse.length !== samples.length) return Promise.resolve(samples);
      reuse.set(samples);
      return Promise.resolve(reuse);
    },
    area,
    bands,
    picks,
  );
  const expected = { planes: picks };
  const serveAll = async (afterRow?: (r: number) => void, beforeRow?: (r: number) => void) => {
    for (let r = 0; r < rows.length; r++) {
      beforeRow?.(r);
      const nextTop = r + 1 < rows.length ? haloOf(rows[r + 1]![0]!, area).row : null;
      for (const tile of rows[r]!) {
        const halo = haloOf(tile, area);
        const got = await cache.window(halo, nextTop);
        const direct = region(halo);
        const n = halo.width * halo.height;
        const want = new Uint16Array(expected.planes.length * n);
        expected.planes.forEach((p, k) => want.set(direct.subarray(p * n, (p + 1) * n), k * n));
        expect(got.length).toBe(want.length);
        expect(Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(Buffer.from(want.buffer)), `halo ${JSON.stringify(halo)}`).toBe(true);
      }
      afterRow?.(r);
    }
  };
  return { cache, reads, reused, region, serveAll, expected, width, height, bands };
}

describe('HaloWindowCache', () => {
  it('serves every halo window as a direct read would, reading each chunk once, in 16 bits when every chunk it touches is', async () => {
    const random = mulberry32(11);
    for (let trial = 0; trial < 8; trial++) {
      const width = randomInt(random, 1, 1100);
      const height = randomInt(random, 1, 1100);
      const bands = randomInt(random, 1, 4);
      const raster = new Uint16Array(width * height * bands);
      for (let i = 0; i < raster.length; i++) raster[i] = randomInt(random, 0, 65535);
      const tileSize = [64, 100, 256, 512][randomInt(random, 0, 3)]!;
      // the raster's pixel (0, 0) sits anywhere on the lattice: tiles do not line up with chunks
      const placement = { lattice: { tileSize }, col0: randomInt(random, -2000, 2000), row0: randomInt(random, -2000, 2000), width, height } as Placement;
      const area = { col: placement.col0, row: placement.row0, width, height };
      const rows = groupRows(tilesOf(placement).map((c) => c.window));
      const picks = bands > 1 ? [bands - 1, 0] : [0];
      const reads = new Map<string, number>();
      // in odd trials some chunks come as float32 (as chunks with masked pixels do)
      const asFloat = (w: LatticeWindow) => trial % 2 === 1 && (Math.floor((w.col - area.col) / CHUNK_PX) + Math.floor((w.row - area.row) / CHUNK_PX)) % 3 === 0;
      const cache = new HaloWindowCache(
        (w) => {
          const key = `${w.col},${w.row}`;
          reads.set(key, (reads.get(key) ?? 0) + 1);
          const samples = windowOf(raster, width, height, bands, { col: w.col - area.col, row: w.row - area.row, width: w.width, height: w.height });
          return Promise.resolve(asFloat(w) ? Float32Array.from(samples) : samples);
        },
        area,
        bands,
        picks,
      );
      for (let r = 0; r < rows.length; r++) {
        const nextTop = r + 1 < rows.length ? haloOf(rows[r + 1]![0]!, area).row : null;
        for (const tile of rows[r]!) {
          const halo = haloOf(tile, area);
          const got = await cache.window(halo, nextTop);
          const direct = windowOf(raster, width, height, bands, { col: halo.col - area.col, row: halo.row - area.row, width: halo.width, height: halo.height });
          const n = halo.width * halo.height;
          // float32 as soon as one chunk under the halo is
          let anyFloat = false;
          const c0 = Math.floor((halo.col - area.col) / CHUNK_PX);
          const c1 = Math.floor((halo.col + halo.width - 1 - area.col) / CHUNK_PX);
          const r0 = Math.floor((halo.row - area.row) / CHUNK_PX);
          const r1 = Math.floor((halo.row + halo.height - 1 - area.row) / CHUNK_PX);
          for (let cy = r0; cy <= r1; cy++) {
            for (let cx = c0; cx <= c1; cx++) anyFloat ||= asFloat({ col: area.col + cx * CHUNK_PX, row: area.row + cy * CHUNK_PX, width: 0, height: 0 });
          }
          const expected = anyFloat ? new Float32Array(n * picks.length) : new Uint16Array(n * picks.length);
          picks.forEach((p, k) => expected.set(direct.subarray(p * n, (p + 1) * n), k * n));
          expect(got.constructor, `trial ${trial}`).toBe(expected.constructor);
          if (!Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(Buffer.from(expected.buffer))) {
            throw new Error(`trial ${trial}: halo ${JSON.stringify(halo)} differs from a direct read`);
          }
        }
      }
      expect(reads.size).toBe(Math.ceil(width / CHUNK_PX) * Math.ceil(height / CHUNK_PX));
      expect([...reads.values()].every((n) => n === 1), `trial ${trial}: a chunk was read twice`).toBe(true);
    }
  });

  it("serves windows as arrays of the thread's WebAssembly arena (the change pass reads them in place), given back by releaseWindows", async () => {
    const before = arenaBytesInUse();
    const { cache, region } = cacheOverRandomRaster(5, [1, 0]);
    const halo = { col: 400, row: 0, width: 300, height: 200 };
    const got = await cache.window(halo, 100);
    expect(inThreadMemory(got)).toBe(true);
    const direct = region(halo);
    expect([...got.subarray(0, 5)]).toEqual([...direct.subarray(halo.width * halo.height, halo.width * halo.height + 5)]); // band 1 first
    expect(arenaBytesInUse()).toBeGreaterThan(before);
    cache.releaseWindows();
    expect(arenaBytesInUse()).toBe(before);
  });

  it('serves adopted chunks without reading them; a window that is not one of its chunks is not adopted', async () => {
    const { cache, reads, region, serveAll } = cacheOverRandomRaster(5, [1, 0]);
    // two chunks (one clipped at the right edge), a misaligned window and a wrongly sized one
    const adopted = [
      { col: 512, row: 512, width: 512, height: 512 },
      { col: 1024, row: 1024, width: 276, height: 176 },
      { col: 100, row: 0, width: 512, height: 512 },
      { col: 0, row: 512, width: 256, height: 256 },
    ];
    for (const w of adopted) cache.adopt(w, region(w));
    await serveAll();
    // 3 × 3 chunks, two of them adopted: each of the other seven read once
    expect(reads.sort()).toEqual(['0,0', '0,1024', '0,512', '1024,0', '1024,512', '512,0', '512,1024']);
  });
  it('takes copies of chunks decoded ahead within a byte budget, never a chunk held or passed, and serves them unread', async () => {
    const { cache, reads, region, serveAll, width, height, bands } = cacheOverRandomRaster(6, [0, 1]);
    const chunk = (col: number, row: number) => ({ col, row, width: Math.min(512, width - col), height: Math.min(512, height - row) });
    const whole = 512 * 512 * bands * 2; // bytes of a whole chunk
    // the reader that decoded a chunk recycles its array: what the cache took must be its own copy
    const first = region(chunk(0, 0));
    expect(cache.adoptCopy(chunk(0, 0), first, 2 * whole)).toBe(true);
    first.fill(0);
    expect(cache.adoptCopy(chunk(0, 0), region(chunk(0, 0)), 2 * whole)).toBe(false); // held
    expect(cache.adoptCopy(chunk(512, 0), region(chunk(512, 0)), 2 * whole)).toBe(true);
    expect(cache.adoptCopy(chunk(1024, 0), region(chunk(1024, 0)), 2 * whole)).toBe(false); // over the budget
    const misaligned = { col: 100, row: 0, width: 512, height: 512 };
    expect(cache.adoptCopy(misaligned, region(misaligned), Infinity)).toBe(false);
    // once the halos have passed a row of chunks, a copy of one of them is not taken
    await serveAll((r) => {
      if (r === 3) expect(cache.adoptCopy(chunk(0, 0), region(chunk(0, 0)), Infinity)).toBe(false);
    });
    expect(reads.sort()).toEqual(['0,1024', '0,512', '1024,0', '1024,1024', '1024,512', '512,1024', '512,512']);
  });

  it('keeps only some planes once told to: the chunks held are cut down, later reads and adopted chunks too, every chunk still read once', async () => {
    const { cache, reads, reused, region, serveAll, expected } = cacheOverRandomRaster(21, [0, 1, 2, 3], 4);
    const adopted = { col: 1024, row: 1024, width: 276, height: 176 };
    await serveAll(undefined, (r) => {
      if (r !== 2) return;
      // after two rows of tiles the second row of chunks is held whole and the first row's cut down to the
      // rows the third row of tiles still reads: both kinds are cut down to the planes, then served
      cache.keepPlanes([1, 3]);
      expected.planes = [1, 3];
      cache.adopt(adopted, region(adopted));
    });
    // 3 × 3 chunks, each read once, the adopted one never; the third row of chunks only of the kept planes
    expect(reads.sort()).toEqual(['0,0', '0,1024 [1,3]', '0,512', '1024,0', '1024,512', '512,0', '512,1024 [1,3]', '512,512']);
    // reads are handed arrays of what they read to fill, also after keepPlanes (of the kept planes then)
    expect(reused.length).toBeGreaterThan(0);
    expect(reused.every((fits) => fits)).toBe(true);
    cache.keepPlanes([1, 3]); // the same planes again: nothing to do
    expect(() => cache.keepPlanes([1])).toThrow(/already keeps planes 1, 3/);
  });

  it('refuses planes that are not ascending band indices, and a cache that does not serve every band in order', () => {
    const read = () => Promise.resolve(new Uint16Array(0));
    const area = { col: 0, row: 0, width: 10, height: 10 };
    const cache = new HaloWindowCache(read, area, 3, [0, 1, 2]);
    expect(() => cache.keepPlanes([2, 1])).toThrow(/ascending/);
    expect(() => cache.keepPlanes([0, 3])).toThrow(/below 3/);
    expect(() => cache.keepPlanes([])).toThrow(/ascending/);
    expect(() => new HaloWindowCache(read, area, 3, [1, 0]).keepPlanes([0])).toThrow(/every band in file order/);
    cache.keepPlanes([0, 1, 2]); // every plane: nothing changes, and it may still be told later
    cache.keepPlanes([0, 2]);
  });

  it('with a row limit (a thread\'s share of the rows), reads the chunks below it only down to it, as their last use', async () => {
    const width = 1100;
    const height = 2048;
    const bands = 2;
    const random = mulberry32(9);
    const raster = new Uint16Array(width * height * bands);
    for (let i = 0; i < raster.length; i++) raster[i] = randomInt(random, 0, 65535);
    const placement = { lattice: { tileSize: 512 }, col0: 0, row0: 0, width, height } as Placement;
    const area = { col: 0, row: 0, width, height };
    const rows = groupRows(tilesOf(placement).map((c) => c.window));
    // the thread's share: the first two rows of tiles; its last halos reach 3 rows into the third
    const share = rows.slice(0, 2);
    const lastHalo = haloOf(share[1]![0]!, area);
    const rowLimit = lastHalo.row + lastHalo.height;
    expect(rowLimit).toBe(1024 + 3);
    const reads: string[] = [];
    const cache = new HaloWindowCache(
      (w, _reuse, lastUse) => {
        reads.push(`${w.col},${w.row} ${w.width}x${w.height}${lastUse ? ' last' : ''}`);
        return Promise.resolve(windowOf(raster, width, height, bands, w));
      },
      area,
      bands,
      [0, 1],
      rowLimit,
    );
    for (let r = 0; r < share.length; r++) {
      const nextTop = r + 1 < share.length ? haloOf(share[r + 1]![0]!, area).row : null;
      for (const tile of share[r]!) {
        const halo = haloOf(tile, area);
        const got = await cache.window(halo, nextTop);
        expect(Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(Buffer.from(windowOf(raster, width, height, bands, halo).buffer)), `halo ${JSON.stringify(halo)}`).toBe(true);
      }
    }
    expect(reads.sort()).toEqual(['0,0 512x512', '0,1024 512x3 last', '0,512 512x512', '1024,0 76x512', '1024,1024 76x3 last', '1024,512 76x512', '512,0 512x512', '512,1024 512x3 last', '512,512 512x512']);
  });
});
