import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { InvalidInputError } from '../errors.js';
import { BlockInflater, LZW_DICTIONARY_BYTES, lzwDecodeBounded, lzwDecodeInto, unpackBitsInto } from './block-decoders.js';
import { legacyLzwDecodeBounded, openGeotiffJsReference } from './geotiff-js-reference.js';
import { type GeoTiffRaster, type NativeSamples, nativeArrayType, openGeoTiff } from './index.js';
import { setPredictorSimd } from './predictor-simd.js';
import { TiledGeoTiffWriter } from './write-tiled-geotiff.js';

const decodeDir = (rel: string) => fileURLToPath(new URL(`../../../fixtures/raster/decode/${rel}`, import.meta.url));

interface Entry {
  file: string;
  expected: string;
  type: 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float16' | 'float32' | 'float64';
  bands: number;
  width: number;
  height: number;
  sparse?: boolean;
}
const manifest = JSON.parse(readFileSync(decodeDir('manifest.json'), 'utf8')) as Entry[];

const ARRAY_TYPES = {
  uint8: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  float16: Float32Array,
  float32: Float32Array,
  float64: Float64Array,
} as const;

/** The samples GDAL read back from the file (band-sequential), in the type readWindowNative returns. */
function expected(entry: Entry): NativeSamples {
  const bytes = readFileSync(decodeDir(entry.expected));
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new ARRAY_TYPES[entry.type](copy.buffer);
}

/** Planar window [x0, x0+w) x [y0, y0+h) cut out of a planar full image. */
function cut(full: NativeSamples, entry: Entry, x0: number, y0: number, w: number, h: number): number[] {
  const out: number[] = [];
  for (let b = 0; b < entry.bands; b++) {
    for (let y = y0; y < y0 + h; y++) {
      for (let x = x0; x < x0 + w; x++) out.push(full[b * entry.width * entry.height + y * entry.width + x]!);
    }
  }
  return out;
}

/** Exact comparison (-0 vs 0 and NaN included); reports the first difference. */
function expectSame(got: ArrayLike<number>, want: ArrayLike<number>, label: string): void {
  expect(got.length, `${label}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) throw new Error(`${label}: value ${i} is ${got[i]}, expected ${want[i]}`);
  }
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1103515245 + 12345) >>> 0;
    return s / 2 ** 32;
  };
}

describe('readWindowNative / readWindow: full images equal what GDAL reads', () => {
  it('covers every layout the decoder handles', () => {
    const names = manifest.map((e) => e.file).join(' ');
    for (const part of ['deflate', 'lzw', 'packbits', 'none', 'pred2', 'pred3', 'planar', 'bigendian', 'strips', 'tiled', 'sparse']) {
      expect(names).toContain(part);
    }
    expect(new Set(manifest.map((e) => e.type)).size).toBe(9);
  });

  for (const entry of manifest) {
    it(entry.file, async () => {
      const want = expected(entry);
      const r = await openGeoTiff({ path: decodeDir(entry.file) }, entry.file);
      expect(r.info).toMatchObject({ width: entry.width, height: entry.height, bands: entry.bands });
      const native = await r.readWindowNative(0, 0, entry.width, entry.height);
      expect(native).toBeInstanceOf(ARRAY_TYPES[entry.type]);
      expect(native.constructor.name).toBe(nativeArrayType(r.info));
      expectSame(native, want, `${entry.file} native`);
      // Float32: the same values converted once (exact for these types except large 32-bit ints / float64)
      expectSame(await r.readWindow(0, 0, entry.width, entry.height), Float32Array.from(want), `${entry.file} float32`);
      await r.close();

      // from bytes, at an odd offset of a larger buffer (unaligned: samples must be copied, not viewed)
      const file = readFileSync(decodeDir(entry.file));
      const big = new Uint8Array(file.length + 3);
      big.set(file, 1);
      const fromBytes = await openGeoTiff({ bytes: big.subarray(1, 1 + file.length) }, entry.file);
      expectSame(await fromBytes.readWindowNative(0, 0, entry.width, entry.height), want, `${entry.file} from bytes`);
      await fromBytes.close();
    });
  }
});

describe('Predictor 2 undone by the JavaScript loops (SIMD switched off) equals GDAL too', () => {
  afterAll(() => setPredictorSimd(true));
  for (const entry of manifest.filter((e) => e.file.includes('pred2'))) {
    it(entry.file, async () => {
      const want = expected(entry);
      for (const simd of [false, true]) {
        setPredictorSimd(simd);
        const r = await openGeoTiff({ path: decodeDir(entry.file) }, entry.file);
        expectSame(await r.readWindowNative(0, 0, entry.width, entry.height), want, `${entry.file} simd ${simd}`);
        await r.close();
      }
    });
  }
});

describe('windows of every layout equal the same part of the full image', () => {
  for (const entry of manifest) {
    it(entry.file, async () => {
      const want = expected(entry);
      const { width: W, height: H } = entry;
      const open = (bytes: boolean): Promise<GeoTiffRaster> =>
        bytes ? openGeoTiff({ bytes: new Uint8Array(readFileSync(decodeDir(entry.file))) }, entry.file) : openGeoTiff({ path: decodeDir(entry.file) }, entry.file);
      for (const bytes of [false, true]) {
        const r = await open(bytes);
        // raster order, windows not aligned to tiles or strips (exercises the block cache)
        for (const size of [13, 20]) {
          for (let y0 = 0; y0 < H; y0 += size) {
            for (let x0 = 0; x0 < W; x0 += size) {
              const w = Math.min(size, W - x0);
              const h = Math.min(size, H - y0);
              expectSame(await r.readWindowNative(x0, y0, w, h), cut(want, entry, x0, y0, w, h), `${entry.file} ${x0},${y0} ${w}x${h}`);
            }
          }
        }
        // random windows in random order, single pixels, rows and columns
        const rand = seeded(W * 7919 + H + (bytes ? 1 : 0));
        const windows: [number, number, number, number][] = [[0, 0, 1, 1], [W - 1, H - 1, 1, 1], [0, H - 1, W, 1], [W - 1, 0, 1, H], [0, 0, W, H]];
        for (let k = 0; k < 25; k++) {
          const x0 = Math.floor(rand() * W);
          const y0 = Math.floor(rand() * H);
          windows.push([x0, y0, 1 + Math.floor(rand() * (W - x0)), 1 + Math.floor(rand() * (H - y0))]);
        }
        for (const [x0, y0, w, h] of windows) {
          const part = cut(want, entry, x0, y0, w, h);
          expectSame(await r.readWindowNative(x0, y0, w, h), part, `${entry.file} ${x0},${y0} ${w}x${h}`);
          expectSame(await r.readWindow(x0, y0, w, h), Float32Array.from(part), `${entry.file} ${x0},${y0} ${w}x${h} float32`);
        }
        await r.close();
      }
    });
  }
});

describe('lastUse reads (nothing kept, Deflate blocks inflated only down to the window) give the same samples', () => {
  for (const entry of manifest) {
    it(entry.file, async () => {
      const want = expected(entry);
      const { width: W, height: H } = entry;
      const r = await openGeoTiff({ path: decodeDir(entry.file) }, entry.file);
      // windows over the top rows of blocks (block heights in the fixtures are 1–64 rows), then random
      // ones, each read with and without lastUse, in turn, so a lastUse read between ordinary ones shows
      // if it disturbed the block cache
      const windows: [number, number, number, number][] = [];
      for (const y0 of [0, 8, 16, 32, 64]) for (const h of [1, 3, 7]) if (y0 + h <= H) windows.push([0, y0, W, h], [Math.floor(W / 3), y0, Math.max(1, Math.floor(W / 3)), h]);
      const rand = seeded(W * 31 + H);
      for (let k = 0; k < 20; k++) {
        const x0 = Math.floor(rand() * W);
        const y0 = Math.floor(rand() * H);
        windows.push([x0, y0, 1 + Math.floor(rand() * (W - x0)), 1 + Math.floor(rand() * Math.min(20, H - y0))]);
      }
      for (const [x0, y0, w, h] of windows) {
        const part = cut(want, entry, x0, y0, w, h);
        expectSame(await r.readWindowNative(x0, y0, w, h, undefined, true), part, `${entry.file} ${x0},${y0} ${w}x${h} lastUse`);
        expectSame(await r.readWindowNative(x0, y0, w, h), part, `${entry.file} ${x0},${y0} ${w}x${h}`);
        expectSame(await r.readWindow(x0, y0, w, h, undefined, true), Float32Array.from(part), `${entry.file} ${x0},${y0} ${w}x${h} float32 lastUse`);
      }
      await r.close();
    });
  }
});

describe('reads of some planes equal those planes of the full image, whatever planes the block cache keeps', () => {
  /** Planar window of `planes` only, cut out of a planar full image. */
  const cutPlanes = (full: NativeSamples, entry: Entry, planes: readonly number[], x0: number, y0: number, w: number, h: number): number[] => {
    const all = cut(full, entry, x0, y0, w, h);
    return planes.flatMap((b) => all.slice(b * w * h, (b + 1) * w * h));
  };
  for (const entry of manifest.filter((e) => e.bands > 1)) {
    it(entry.file, async () => {
      const want = expected(entry);
      const { width: W, height: H, bands } = entry;
      const last = bands - 1;
      const selections: number[][] = [[0], [last], [0, last], Array.from({ length: bands - 1 }, (_, b) => b + 1)];
      // kept planes: none set, the planes read, fewer than those read, others than those read
      for (const kept of [null, [0, last], [last], [1]] as const) {
        for (const bytes of [false, true]) {
          const r = bytes ? await openGeoTiff({ bytes: new Uint8Array(readFileSync(decodeDir(entry.file))) }, entry.file) : await openGeoTiff({ path: decodeDir(entry.file) }, entry.file);
          r.keepPlanes(kept === null ? null : [...kept]);
          // the whole image as a last use: blocks decoded for the window only, none kept (then from the cache)
          for (const planes of selections) {
            const fresh = await openGeoTiff({ path: decodeDir(entry.file) }, entry.file);
            fresh.keepPlanes(kept === null ? null : [...kept]);
            expectSame(await fresh.readWindowNative(0, 0, W, H, undefined, true, planes), cutPlanes(want, entry, planes, 0, 0, W, H), `${entry.file} kept ${kept} whole image planes ${planes}, last use`);
            await fresh.close();
          }
          // a raster-order sweep of windows that cut blocks, each read of some planes then of every plane,
          // so that blocks kept for one are read for the other
          let k = 0;
          for (let y0 = 0; y0 < H; y0 += 13) {
            for (let x0 = 0; x0 < W; x0 += 13) {
              const w = Math.min(13, W - x0);
              const h = Math.min(13, H - y0);
              const planes = selections[k++ % selections.length]!;
              const label = `${entry.file} kept ${kept} ${x0},${y0} ${w}x${h} planes ${planes}`;
              expectSame(await r.readWindowNative(x0, y0, w, h, undefined, false, planes), cutPlanes(want, entry, planes, x0, y0, w, h), label);
              if (k % 3 === 0) expectSame(await r.readWindowNative(x0, y0, w, h), cut(want, entry, x0, y0, w, h), `${label}, then every plane`);
            }
          }
          // random windows, some read as a last use, into lent arrays of the planes' size
          const rand = seeded(W * 131 + H + bands);
          for (let n = 0; n < 20; n++) {
            const x0 = Math.floor(rand() * W);
            const y0 = Math.floor(rand() * H);
            const w = 1 + Math.floor(rand() * (W - x0));
            const h = 1 + Math.floor(rand() * (H - y0));
            const planes = selections[n % selections.length]!;
            const reuse = n % 2 === 0 ? undefined : (await r.readWindowNative(x0, y0, w, h, undefined, false, planes)).fill(0);
            const got = await r.readWindowNative(x0, y0, w, h, reuse, n % 5 === 0, planes);
            if (reuse !== undefined && entry.type !== 'float16') expect(got).toBe(reuse);
            expectSame(got, cutPlanes(want, entry, planes, x0, y0, w, h), `${entry.file} kept ${kept} random ${x0},${y0} ${w}x${h} planes ${planes}`);
          }
          await r.close();
        }
      }
    });
  }

  it('refuses planes that are not ascending band indices of the file, naming it', async () => {
    const entry = manifest.find((e) => e.bands === 4)!;
    const r = await openGeoTiff({ path: decodeDir(entry.file) }, entry.file);
    for (const planes of [[], [4], [1, 1], [2, 1], [-1], [0.5]]) {
      await expect(r.readWindowNative(0, 0, 2, 2, undefined, false, planes)).rejects.toThrow(`${entry.file}: planes must be ascending band indices below 4`);
    }
    expect(() => r.keepPlanes([3, 0])).toThrow('planes must be ascending band indices below 4');
    await r.close();
  });
});

describe('the new decoder agrees with the previous geotiff.js path', () => {
  // geotiff.js undoes Predictor 2 without swapping big-endian samples first: compare little-endian files
  const files = [
    ...manifest.filter((e) => !e.file.includes('bigendian') && e.type !== 'int8').map((e) => `decode/${e.file}`),
    'uint16-lzw-predictor2.tif',
    'int16-deflate-predictor2.tif',
    'float32-tiled-deflate-predictor3.tif',
    'uint8-tiled-packbits.tif',
    'uint8-lzw-bigtiff.tif',
    'uint8-lzw-one-strip.tif',
    'uint8-band-interleaved.tif',
  ];
  for (const rel of files) {
    it(rel, async () => {
      const path = fileURLToPath(new URL(`../../../fixtures/raster/${rel}`, import.meta.url));
      const r = await openGeoTiff({ path }, rel);
      const ref = await openGeotiffJsReference({ path }, rel);
      const { width: W, height: H } = r.info;
      for (const [x0, y0, w, h] of [[0, 0, W, H], [1, 2, W - 3, H - 5], [W >> 1, H >> 2, W - (W >> 1), 1]] as const) {
        expectSame(await r.readWindow(x0, y0, w, h), await ref.readWindow(x0, y0, w, h), `${rel} ${x0},${y0} ${w}x${h}`);
      }
      await r.close();
      await ref.close();
    });
  }
});

describe('readWindowNative', () => {
  it('returns the file type, and readWindow rounds 32-bit integers as documented', async () => {
    const entry = manifest.find((e) => e.file === 'u32-3b-lzw-pred2-tiled32.tif')!;
    const want = expected(entry);
    const r = await openGeoTiff({ path: decodeDir(entry.file) }, entry.file);
    const native = await r.readWindowNative(0, 0, entry.width, entry.height);
    expect(native).toBeInstanceOf(Uint32Array);
    expect(Math.max(...native)).toBe(4294967295); // the extremes survive natively
    const f = await r.readWindow(0, 0, entry.width, entry.height);
    await r.close();
    expect(f[0]).toBe(Math.fround(want[0]!));
  });

  it('fills missing (sparse) tiles with the nodata value, as GDAL does', async () => {
    const r = await openGeoTiff({ path: decodeDir('u16-4b-sparse-deflate-tiled32.tif') }, 'sparse.tif');
    expect(r.info.nodata).toBe(7);
    const w = await r.readWindowNative(32, 32, 13, 5); // inside a missing tile
    await r.close();
    expect(Array.from(new Set(w))).toEqual([7]);
  });

  it('rejects bad windows and a closed raster like readWindow', async () => {
    const r = await openGeoTiff({ path: decodeDir('u16-4b-none-tiled32.tif') }, 'w.tif');
    await expect(r.readWindowNative(-1, 0, 1, 1)).rejects.toMatchObject({ code: 'window_out_of_bounds', field: 'window' });
    await expect(r.readWindowNative(0, 0, 46, 1)).rejects.toBeInstanceOf(InvalidInputError);
    await r.close();
    await expect(r.readWindowNative(0, 0, 1, 1)).rejects.toThrow(/closed/);
    await expect(r.readWindow(0, 0, 1, 1)).rejects.toThrow(/closed/);
  });

  it('names the native array type of every sample format', () => {
    expect(nativeArrayType({ sampleFormat: 'uint', bitsPerSample: 8 })).toBe('Uint8Array');
    expect(nativeArrayType({ sampleFormat: 'int', bitsPerSample: 16 })).toBe('Int16Array');
    expect(nativeArrayType({ sampleFormat: 'uint', bitsPerSample: 32 })).toBe('Uint32Array');
    expect(nativeArrayType({ sampleFormat: 'float', bitsPerSample: 16 })).toBe('Float32Array');
    expect(nativeArrayType({ sampleFormat: 'float', bitsPerSample: 64 })).toBe('Float64Array');
  });
});

// --- codecs ------------------------------------------------------------------------------------

/**
 * A TIFF LZW encoder for the tests: MSB-first codes, CLEAR first, code width one code early, CLEAR when
 * the table is nearly full (or, with `freeze`, a table that simply stops growing at 4096 entries).
 */
function lzwEncode(data: Uint8Array, freeze = false): Uint8Array {
  const bytes: number[] = [];
  let acc = 0;
  let accBits = 0;
  let width = 9;
  const put = (code: number) => {
    acc = (acc << width) | code;
    accBits += width;
    while (accBits >= 8) {
      bytes.push((acc >>> (accBits - 8)) & 0xff);
      accBits -= 8;
    }
    acc &= (1 << accBits) - 1;
  };
  let dict = new Map<number, number>();
  let next = 258;
  put(256);
  if (data.length > 0) {
    let w = data[0]!;
    for (let i = 1; i < data.length; i++) {
      const c = data[i]!;
      const key = w * 256 + c;
      const found = dict.get(key);
      if (found !== undefined) {
        w = found;
        continue;
      }
      put(w);
      if (next < 4096) {
        dict.set(key, next++);
        if (next >= 2048) width = 12;
        else if (next >= 1024) width = 11;
        else if (next >= 512) width = 10;
      }
      if (!freeze && next >= 4094) {
        put(256);
        dict = new Map();
        next = 258;
        width = 9;
      }
      w = c;
    }
    put(w);
    next++;
    if (next >= 2048) width = 12;
    else if (next >= 1024) width = 11;
    else if (next >= 512) width = 10;
  }
  put(257);
  if (accBits > 0) bytes.push((acc << (8 - accBits)) & 0xff);
  return new Uint8Array(bytes);
}

function sampleData(kind: 'random' | 'runs' | 'mixed' | 'ramp', n: number, seed: number): Uint8Array {
  const rand = seeded(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (kind === 'random') out[i] = Math.floor(rand() * 256);
    else if (kind === 'runs') out[i] = Math.floor(i / 700) % 3 === 0 ? 0 : Math.floor(i / 13) & 0xff;
    else if (kind === 'ramp') out[i] = (i * 7) & 0xff;
    else out[i] = rand() < 0.1 ? Math.floor(rand() * 256) : (i >> 5) & 0x0f;
  }
  return out;
}

describe('LZW decoder', () => {
  const cases: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['one byte', new Uint8Array([42])],
    ['aaaa (KwKwK)', new Uint8Array(5000).fill(97)],
    ['random 100k', sampleData('random', 100_000, 1)],
    ['runs 200k (long strings)', sampleData('runs', 200_000, 2)],
    ['mixed 150k', sampleData('mixed', 150_000, 3)],
    ['ramp 50k', sampleData('ramp', 50_000, 4)],
  ];
  for (const [name, data] of cases) {
    it(`round-trips ${name}`, () => {
      for (const freeze of [false, true]) {
        const encoded = lzwEncode(data, freeze);
        expectSame(lzwDecodeBounded(encoded, data.length), data, name);
        expectSame(legacyLzwDecodeBounded(encoded, data.length), data, `${name} (legacy)`);
        // a larger bound changes nothing; EOI ends the output
        expectSame(lzwDecodeBounded(encoded, data.length + 100), data, `${name} +100`);
      }
    });
  }

  it('never writes past the buffer, and stops there', () => {
    const data = sampleData('runs', 60_000, 5);
    const encoded = lzwEncode(data);
    for (const max of [0, 1, 3, 4, 5, 17, 1000, 59_999]) {
      const buffer = new Uint8Array(LZW_DICTIONARY_BYTES + max + 64).fill(0xee);
      const n = lzwDecodeInto(encoded, buffer.subarray(0, LZW_DICTIONARY_BYTES + max));
      expect(n).toBe(max);
      expectSame(buffer.subarray(LZW_DICTIONARY_BYTES, LZW_DICTIONARY_BYTES + n), data.subarray(0, max), `max ${max}`);
      expect(buffer.subarray(LZW_DICTIONARY_BYTES + max).every((v) => v === 0xee), `bytes after max ${max}`).toBe(true);
    }
  });

  it('keeps what it decoded when the input ends without EOI', () => {
    const data = sampleData('mixed', 20_000, 6);
    const encoded = lzwEncode(data);
    const cut = lzwDecodeBounded(encoded.subarray(0, encoded.length >> 1), data.length);
    expect(cut.length).toBeGreaterThan(1000);
    expect(cut.length).toBeLessThan(data.length);
    expectSame(cut, data.subarray(0, cut.length), 'prefix');
  });

  it('rejects invalid codes and old-style LZW', () => {
    // CLEAR then code 300 (undefined): 9-bit codes 100000000 100101100
    expect(() => lzwDecodeBounded(new Uint8Array([0x80, 0x4b, 0x00, 0x00]), 100)).toThrow(/invalid LZW code/);
    // CLEAR, 'A', code 259 (next is 258)
    expect(() => lzwDecodeBounded(new Uint8Array([0x80, 0x10, 0x60, 0x60, 0x00]), 100)).toThrow(/invalid LZW code 259/);
    expect(() => lzwDecodeBounded(new Uint8Array([0x00, 0x01, 0x02]), 100)).toThrow(/old-style/);
  });

  it('agrees with the previous decoder on damaged streams', () => {
    const rand = seeded(99);
    const originals = [lzwEncode(sampleData('mixed', 30_000, 7)), lzwEncode(sampleData('runs', 30_000, 8))];
    for (let iter = 0; iter < 400; iter++) {
      const b = originals[iter % 2]!.slice();
      for (let k = 0; k < 1 + Math.floor(rand() * 6); k++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      const max = 30_000 - (iter % 3) * 7000;
      let ours: Uint8Array | string;
      let theirs: Uint8Array | string;
      try {
        ours = lzwDecodeBounded(b, max);
      } catch (e) {
        ours = (e as Error).message;
      }
      try {
        theirs = legacyLzwDecodeBounded(b, max);
      } catch (e) {
        theirs = (e as Error).message;
      }
      if (typeof ours === 'string' || typeof theirs === 'string') expect(typeof ours, `iteration ${iter}`).toBe(typeof theirs);
      else expectSame(ours, theirs, `iteration ${iter}`);
    }
  });
});

describe('PackBits decoder', () => {
  it('never writes past the buffer', () => {
    // literal run of 5, then a repeat of 0x33 x 100
    const input = new Uint8Array([4, 1, 2, 3, 4, 5, 0x9d, 0x33]);
    for (const max of [0, 3, 5, 50, 105, 200]) {
      const buffer = new Uint8Array(max + 16).fill(0xee);
      const n = unpackBitsInto(input, buffer.subarray(0, max));
      expect(n).toBe(Math.min(max, 105));
      expect(buffer.subarray(max).every((v) => v === 0xee)).toBe(true);
    }
  });
});

describe('hostile pixel data', () => {
  /** Locates block `index`'s byte count and stored bytes in a classic TIFF (either byte order). */
  function blockEntry(bytes: Uint8Array, index: number): { offset: number; count: number; setCount(n: number): void } {
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const le = v.getUint16(0, false) === 0x4949;
    const ifd = v.getUint32(4, le);
    const n = v.getUint16(ifd, le);
    const read = (at: number, size: number) => (size === 2 ? v.getUint16(at, le) : v.getUint32(at, le));
    let offset = -1;
    let count = -1;
    let setCount = (_: number) => undefined as void;
    for (let i = 0; i < n; i++) {
      const p = ifd + 2 + i * 12;
      const tag = v.getUint16(p, le);
      const size = v.getUint16(p + 2, le) === 3 ? 2 : 4;
      const values = v.getUint32(p + 4, le);
      const at = (values * size <= 4 ? p + 8 : v.getUint32(p + 8, le)) + index * size;
      if (tag === 273 || tag === 324) offset = read(at, size);
      if (tag === 279 || tag === 325) {
        count = read(at, size);
        setCount = (c) => (size === 2 ? v.setUint16(at, c, le) : v.setUint32(at, c, le));
      }
    }
    return { offset, count, setCount };
  }

  for (const file of ['u16-4b-lzw-pred2-tiled32.tif', 'u16-4b-deflate-pred2-strips.tif', 'u16-4b-packbits-tiled32.tif', 'u16-4b-none-strips7.tif']) {
    it(`${file}: a block cut short is corrupt_raster, never garbage`, async () => {
      const bytes = new Uint8Array(readFileSync(decodeDir(file)));
      const block = blockEntry(bytes, 0);
      block.setCount(Math.floor(block.count / 3));
      const r = await openGeoTiff({ bytes }, 'short.tif');
      await expect(r.readWindowNative(0, 0, 5, 5)).rejects.toMatchObject({ code: 'corrupt_raster', file: 'short.tif' });
      // blocks not touched by the window still read
      const entry = manifest.find((e) => e.file === file)!;
      expectSame(await r.readWindowNative(0, 36, 45, 1), cut(expected(entry), entry, 0, 36, 45, 1), 'last row');
    });
  }

  it('survives random damage to compressed blocks: only InvalidInputError (or success)', async () => {
    const files = ['u16-4b-lzw-pred2-tiled32.tif', 'u16-4b-deflate-pred2-bigendian-tiled32.tif', 'f32-3b-lzw-pred3-tiled32.tif', 'u8-6b-lzw-pred2-planar-tiled32.tif', 'u8-1b-lzw-runs-one-strip.tif'];
    const originals = files.map((f) => new Uint8Array(readFileSync(decodeDir(f))));
    const rand = seeded(4242);
    let decoded = 0;
    let rejected = 0;
    for (let iter = 0; iter < 300; iter++) {
      const b = originals[iter % originals.length]!.slice();
      const { offset, count } = blockEntry(b, 0);
      for (let k = 0; k < 1 + Math.floor(rand() * 5); k++) b[offset + Math.floor(rand() * count)] = Math.floor(rand() * 256);
      const r = await openGeoTiff({ bytes: b }, `damaged-${iter}.tif`);
      try {
        const w = await r.readWindowNative(0, 0, Math.min(r.info.width, 40), Math.min(r.info.height, 30));
        expect(w.length).toBe(Math.min(r.info.width, 40) * Math.min(r.info.height, 30) * r.info.bands);
        decoded++;
      } catch (e) {
        if (!(e instanceof InvalidInputError)) throw new Error(`iteration ${iter}: ${String(e)}`);
        expect(e.code).toBe('corrupt_raster');
        rejected++;
      }
    }
    expect(decoded + rejected).toBe(300);
    expect(rejected).toBeGreaterThan(10);
  });
});

describe('a file whose blocks are larger than the block cache keeps (one Deflate strip or tile of the whole image)', () => {
  it('inflates the block once for all the windows that read it, and they give the image', async () => {
    // 3000 × 3000 uint8, one tile of 3008² (9 MB: over the 8 MiB a block may normally be kept at)
    const [W, T] = [3000, 3008];
    const image = new Uint8Array(W * W).map((_, i) => (i * 13 + Math.floor(i / W) * 7) % 251);
    const dir = mkdtempSync(join(tmpdir(), 'shoutu-large-block-'));
    try {
      const path = join(dir, 'one-tile.tif');
      const writer = await TiledGeoTiffWriter.create(path, { width: W, height: W, bands: 1, sampleFormat: 'uint', bitsPerSample: 8, geoTransform: [500_000, 1, 0, 3_600_000, 0, -1], epsg: 32651, nodata: null, tileSize: T });
      const tile = new Uint8Array(T * T);
      for (let y = 0; y < W; y++) tile.set(image.subarray(y * W, (y + 1) * W), y * T);
      await writer.writeTile(0, 0, tile);
      await writer.finish();
      const raster = await openGeoTiff({ path }, 'one-tile.tif');
      // a spy on the inflater (it calls through), counting inflations
      const inflations = vi.spyOn(BlockInflater.prototype, 'inflateInto');
      try {
        for (let y = 0; y < W; y += 500) {
          for (let x = 0; x < W; x += 500) {
            const got = (await raster.readWindowNative(x, y, 500, 500)) as Uint8Array;
            for (let r = 0; r < 500; r += 99) expect(Array.from(got.subarray(r * 500, r * 500 + 500))).toEqual(Array.from(image.subarray((y + r) * W + x, (y + r) * W + x + 500)));
          }
        }
        expect(inflations).toHaveBeenCalledTimes(1);
      } finally {
        inflations.mockRestore();
        await raster.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a sweep of halo windows in raster order over a wide raster', () => {
  // 20480 × 1536, 4 bands of uint16 in 512² tiles (planar): a row of blocks decodes to 80 MB, more than the
  // 64 MB the block cache held before it was sized by the raster's width.
  const [W, H, T, BANDS] = [20480, 1536, 512, 4];
  const value = (b: number, x: number, y: number) => (x * 7 + y * 13 + b * 1000) & 0xffff;
  const dir = mkdtempSync(join(tmpdir(), 'shoutu-wide-sweep-'));
  const path = join(dir, 'wide.tif');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['tiles aligned with the blocks', 0],
    ['tiles offset from the blocks', 100],
  ])('inflates each block once, %s, and the windows hold the image', async (_, offset) => {
    if (!existsSync(path)) {
      const writer = await TiledGeoTiffWriter.create(path, { width: W, height: H, bands: BANDS, sampleFormat: 'uint', bitsPerSample: 16, geoTransform: [500_000, 1, 0, 3_600_000, 0, -1], epsg: 32651, nodata: null, tileSize: T, deflateLevel: 1 });
      const tile = new Uint16Array(BANDS * T * T);
      for (let ty = 0; ty < H / T; ty++) {
        for (let tx = 0; tx < W / T; tx++) {
          for (let b = 0; b < BANDS; b++) for (let y = 0; y < T; y++) for (let x = 0; x < T; x++) tile[(b * T + y) * T + x] = value(b, tx * T + x, ty * T + y);
          await writer.writeTile(tx, ty, tile);
        }
      }
      await writer.finish();
    }
    const raster = await openGeoTiff({ path }, 'wide.tif');
    const inflations = vi.spyOn(BlockInflater.prototype, 'inflateInto');
    try {
      // the windows of a detect sweep: 512² tiles of a lattice `offset` pixels up and left of the file's
      // blocks, each with a 3-pixel halo, in raster order
      const halo = 3;
      for (let ty = -offset; ty < H; ty += T) {
        for (let tx = -offset; tx < W; tx += T) {
          const [x0, y0] = [Math.max(0, tx - halo), Math.max(0, ty - halo)];
          const [x1, y1] = [Math.min(W, tx + T + halo), Math.min(H, ty + T + halo)];
          if (x1 <= x0 || y1 <= y0) continue;
          const [w, h] = [x1 - x0, y1 - y0];
          const got = (await raster.readWindowNative(x0, y0, w, h)) as Uint16Array;
          for (const [b, x, y] of [[0, 0, 0], [3, w - 1, h - 1], [2, w >> 1, h - 1], [1, w - 1, 0]] as const) {
            expect(got[(b * h + y) * w + x]).toBe(value(b, x0 + x, y0 + y));
          }
        }
      }
      // Each tile inflated whole once; the top rows of a tile below a window's row are inflated only as far
      // as its halo reaches (with aligned tiles: 3 of 512 rows), and the tile whole with the next row.
      const whole = inflations.mock.calls.filter((call) => call[2] !== false);
      const tops = inflations.mock.calls.filter((call) => call[2] === false);
      expect(whole.length).toBe((W / T) * (H / T) * BANDS);
      for (const call of tops) expect(call[1].length).toBeLessThanOrEqual((halo + 1) * T * 2);
      expect(tops.length).toBe(offset === 0 ? 3 * (W / T) * (H / T - 1) * BANDS - 2 * (H / T - 1) * BANDS : 0);
    } finally {
      inflations.mockRestore();
      await raster.close();
    }
  });
});
