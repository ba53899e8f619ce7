/**
 * The ZSTD, JPEG and LERC block decoders and the reused Deflate stream, on their own and inside files
 * (GDAL-written fixtures of fixtures/raster/matrix, damaged here): output caps, bombs, truncated and
 * forged blocks fail alone as corrupt_raster; sample equality with GDAL is the flavour matrix's test.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { deflateSync, inflateSync, constants as zlibConstants } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors.js';
import { BlockInflater, setNativeInflate } from './block-decoders.js';
import { openGeoTiff } from './index.js';
import { jpegBlockStream, jpegFrame } from './jpeg-decoder.js';
import { readLayout } from './raster-info.js';
import { bytesReader, readFirstDirectory } from './tiff-structure.js';
import { WindowDecoder } from './window-decoder.js';
import { loadZstd, zstdDeclaredSize, zstdDecodeBounded } from './zstd-decoder.js';

const matrix = (name: string) => new Uint8Array(readFileSync(fileURLToPath(new URL(`../../../fixtures/raster/matrix/${name}`, import.meta.url))));

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
}

/** Block `index`'s offset/byte-count entries of a classic little-endian TIFF, with setters. */
function blockEntry(bytes: Uint8Array, index: number) {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ifd = v.getUint32(4, true);
  const n = v.getUint16(ifd, true);
  const at: Record<number, [number, number]> = {};
  for (let i = 0; i < n; i++) {
    const p = ifd + 2 + i * 12;
    const tag = v.getUint16(p, true);
    if (tag !== 273 && tag !== 279 && tag !== 324 && tag !== 325) continue;
    const size = v.getUint16(p + 2, true) === 3 ? 2 : 4;
    const count = v.getUint32(p + 4, true);
    at[tag] = [(count * size <= 4 ? p + 8 : v.getUint32(p + 8, true)) + index * size, size];
  }
  const get = ([p, size]: [number, number]) => (size === 2 ? v.getUint16(p, true) : v.getUint32(p, true));
  const put = ([p, size]: [number, number], value: number) => {
    if (size === 4) v.setUint32(p, value, true);
    else if (value < 65536) v.setUint16(p, value, true);
    else throw new Error(`${value} does not fit a SHORT entry`);
  };
  const offsetAt = at[273] ?? at[324]!;
  const countAt = at[279] ?? at[325]!;
  return {
    offset: get(offsetAt),
    count: get(countAt),
    set(offset: number, count: number) {
      put(offsetAt, offset);
      put(countAt, count);
    },
  };
}

/** `file` with block `index`'s stored bytes replaced by `data` (appended at the end of the file). */
function withBlock(file: Uint8Array, index: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(file.length + data.length);
  out.set(file);
  out.set(data, file.length);
  blockEntry(out, index).set(file.length, data.length);
  return out;
}

async function expectCorrupt(bytes: Uint8Array, name: string, message: RegExp, window: [number, number, number, number] = [0, 0, 8, 8]) {
  const r = await openGeoTiff({ bytes }, name);
  try {
    const error = await r.readWindowNative(...window).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).code).toBe('corrupt_raster');
    expect((error as InvalidInputError).file).toBe(name);
    expect((error as InvalidInputError).message).toMatch(message);
  } finally {
    await r.close();
  }
}

describe('BlockInflater', () => {
  const rand = seeded(7);
  const samples = [0, 1, 100, 4096, 65_537, 300_000].map((n) => {
    const data = new Uint8Array(n);
    for (let i = 0; i < n; i++) data[i] = (i % 97) + (rand() < 0.2 ? Math.floor(rand() * 50) : 0);
    return data;
  });

  for (const reuse of [true, false]) {
    it(`inflates into the caller's buffer as inflateSync does (${reuse ? 'reused zlib stream' : 'inflateSync fallback'})`, () => {
      const inflater = new BlockInflater(reuse);
      expect(inflater.reusesStream).toBe(reuse);
      for (const data of samples) {
        for (const level of [1, 6, 9]) {
          const out = new Uint8Array(data.length + 1).fill(0xee);
          const n = inflater.inflateInto(deflateSync(data, { level }), out);
          expect(n).toBe(data.length);
          expect(Buffer.from(out.subarray(0, n)).equals(Buffer.from(data))).toBe(true);
          expect(out[n]).toBe(0xee);
        }
      }
    });

    it(`yields what a truncated stream holds, refuses a corrupt one and goes on (${reuse ? 'reused' : 'fallback'})`, () => {
      const inflater = new BlockInflater(reuse);
      const data = samples[4]!;
      const stream = deflateSync(data);
      const cut = stream.subarray(0, stream.length >> 1);
      const expected = inflateSync(cut, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
      const out = new Uint8Array(data.length + 1);
      const n = inflater.inflateInto(cut, out);
      expect(n).toBe(expected.length);
      expect(Buffer.from(out.subarray(0, n)).equals(expected)).toBe(true);
      const corrupt = new Uint8Array(stream); // (a copy: Buffer.slice would be a view)
      corrupt[0] = 0x00; // not a zlib header
      expect(() => inflater.inflateInto(corrupt, out)).toThrow(reuse ? /Deflate data is corrupt/ : /header/);
      expect(inflater.inflateInto(stream, out)).toBe(data.length);
    });

    it(`stops a bomb at the buffer's end (${reuse ? 'reused' : 'fallback'})`, () => {
      const inflater = new BlockInflater(reuse);
      const bomb = deflateSync(new Uint8Array(50_000_000));
      expect(bomb.length).toBeLessThan(60_000);
      expect(inflater.inflateInto(bomb, new Uint8Array(1001))).toBe(1001);
      expect(inflater.inflateInto(deflateSync(samples[2]!), new Uint8Array(101))).toBe(100);
    });
  }
});

describe('libdeflate (shared/native) next to node\'s zlib', () => {
  afterEach(() => {
    setNativeInflate(true);
  });

  it('is built wherever libdeflate\'s header is installed', () => {
    const header = existsSync('/usr/include/libdeflate.h') || existsSync('/usr/local/include/libdeflate.h');
    expect(setNativeInflate(true), header ? 'libdeflate.h is installed but the addon is not built: node shared/native/build.mjs (npm ci runs it)' : 'no libdeflate.h, yet an addon was found').toBe(header);
  });

  it('gives what zlib gives for every stream: whole, truncated, corrupted, with trailing bytes, or too large', () => {
    const rand = seeded(11);
    const data = new Uint8Array(200_000);
    for (let i = 0; i < data.length; i++) data[i] = (i % 251) ^ (rand() < 0.3 ? Math.floor(rand() * 256) : 0);
    const streams: Uint8Array[] = [];
    for (const level of [0, 1, 6, 9]) {
      const stream = new Uint8Array(deflateSync(data, { level }));
      streams.push(stream, stream.subarray(0, stream.length - 1), stream.subarray(0, stream.length >> 1), stream.subarray(0, 3));
      for (let k = 0; k < 12; k++) {
        const flipped = new Uint8Array(stream);
        flipped[Math.floor(rand() * flipped.length)]! ^= 1 << Math.floor(rand() * 8);
        streams.push(flipped);
      }
      streams.push(new Uint8Array([...stream, 1, 2, 3]));
    }
    const outcome = (native: boolean, stream: Uint8Array, room: number): string => {
      setNativeInflate(native);
      const out = new Uint8Array(room).fill(0xa5);
      try {
        const n = new BlockInflater().inflateInto(stream, out);
        // (bytes past n are scratch: a failed libdeflate decode may have written there)
        return `${n}:${createHash('sha256').update(out.subarray(0, n)).digest('hex')}`;
      } catch (error) {
        return `error: ${(error as Error).message}`;
      }
    };
    let decodedByBoth = 0;
    for (const stream of streams) {
      for (const room of [data.length + 1, data.length, 1000]) {
        const zlib = outcome(false, stream, room);
        expect(outcome(true, stream, room), `stream of ${stream.length} bytes into ${room}`).toBe(zlib);
        if (!zlib.startsWith('error')) decodedByBoth++;
      }
    }
    expect(decodedByBoth).toBeGreaterThan(20);
  });
});

// --- ZSTD ----------------------------------------------------------------------------------------

/**
 * A zstd frame of `blocks` RLE blocks of 128 KiB (RFC 8878: window descriptor 128 KiB, or with
 * `declare` the single-segment form stating the content size): a legitimate stream that decodes to
 * blocks × 128 KiB from 4 bytes per block.
 */
function rleFrame(blocks: number, declare: boolean): Uint8Array {
  const header = declare ? [0x28, 0xb5, 0x2f, 0xfd, 0xa0, 0, 0, 0, 0] : [0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38];
  const out = new Uint8Array(header.length + blocks * 4);
  out.set(header);
  if (declare) new DataView(out.buffer).setUint32(5, blocks * 131072, true);
  for (let b = 0; b < blocks; b++) {
    const last = b === blocks - 1 ? 1 : 0;
    const word = (131072 << 3) | (1 << 1) | last;
    out.set([word & 0xff, (word >> 8) & 0xff, (word >> 16) & 0xff, 0x2a], header.length + b * 4);
  }
  return out;
}

describe('ZSTD with bounded output', () => {
  it('decodes a stream of the block size, refuses more and truncated streams', async () => {
    await loadZstd();
    const two = rleFrame(2, false);
    expect(zstdDeclaredSize(two)).toBeNull();
    const out = zstdDecodeBounded(two, 262144);
    expect(out.length).toBe(262144);
    expect(out.every((v) => v === 0x2a)).toBe(true);
    expect(() => zstdDecodeBounded(two, 262143)).toThrow(/corrupt or decodes to more than the 262143-byte block/);
    expect(() => zstdDecodeBounded(two.subarray(0, two.length - 3), 262144)).toThrow(/corrupt/);
    const declared = rleFrame(2, true);
    expect(zstdDeclaredSize(declared)).toBe(262144);
    expect(zstdDecodeBounded(declared, 262144).length).toBe(262144);
    expect(() => zstdDecodeBounded(declared, 1000)).toThrow(/declares 262144 bytes, more than the 1000-byte block/);
  });

  it('a ZSTD bomb in a strip fails alone: one 2560-byte strip whose 9 kB stream would give 290 MB', async () => {
    const file = matrix('uint8-zstd-strips.tif');
    // 2300 RLE blocks: within the stored-size check (2 × 2560 + 4096 bytes), not within the block
    const bomb = rleFrame(2300, false);
    expect(bomb.length).toBeLessThan(2 * 2560 + 4096);
    const hostile = withBlock(file, 0, bomb);
    await expectCorrupt(hostile, 'zstd-bomb.tif', /block 0: ZSTD data is corrupt or decodes to more than the 2560-byte block/);
    const declaring = withBlock(file, 0, rleFrame(2300, true));
    await expectCorrupt(declaring, 'zstd-bomb-declared.tif', /block 0: ZSTD frame declares 301465600 bytes, more than the 2560-byte block/);
    // the other strips still read
    const r = await openGeoTiff({ bytes: hostile }, 'zstd-bomb.tif');
    const good = await openGeoTiff({ bytes: file }, 'good.tif');
    expect(Array.from(await r.readWindowNative(0, 8, 80, 56))).toEqual(Array.from(await good.readWindowNative(0, 8, 80, 56)));
    await r.close();
    await good.close();
  });
});

// --- JPEG ----------------------------------------------------------------------------------------

describe('JPEG blocks', () => {
  const file = matrix('uint8-rgb-jpeg-ycbcr.tif');

  it('reads the frame header of the merged stream and refuses what is not baseline 8-bit', () => {
    const tile = file.subarray(blockEntry(file, 0).offset, blockEntry(file, 0).offset + blockEntry(file, 0).count);
    const stream = jpegBlockStream(null, tile, 1);
    expect(jpegFrame(stream)).toEqual({ width: 32, height: 32, components: 3, precision: 8 });
    const sof = stream.indexOf(0xc0, 2);
    const progressive = stream.slice();
    progressive[sof] = 0xc2;
    expect(() => jpegFrame(progressive)).toThrow(/SOF2 is not supported/);
    expect(() => jpegFrame(stream.subarray(0, sof + 3))).toThrow(/runs past the end|no frame header/);
    expect(() => jpegFrame(new Uint8Array([0xff, 0xd8, 0xff, 0xda, 0, 2]))).toThrow(/scan before its frame header/);
    expect(() => jpegBlockStream(null, new Uint8Array([1, 2, 3]), null)).toThrow(/does not start with SOI/);
  });

  it('a truncated JPEG tile fails alone; the other tiles read', async () => {
    const hostile = file.slice();
    const tile = blockEntry(hostile, 0);
    tile.set(tile.offset, Math.floor(tile.count / 2));
    await expectCorrupt(hostile, 'jpeg-truncated.tif', /block 0: .*(premature end|VipsJpeg)/i);
    const r = await openGeoTiff({ bytes: hostile }, 'jpeg-truncated.tif');
    const good = await openGeoTiff({ bytes: file }, 'good.tif');
    expect(Array.from(await r.readWindowNative(32, 0, 48, 64))).toEqual(Array.from(await good.readWindowNative(32, 0, 48, 64)));
    await r.close();
    await good.close();
  });

  it('a JPEG tile claiming a larger image than its tile, or a progressive one, is refused before decoding', async () => {
    const big = file.slice();
    const tile = blockEntry(big, 0);
    const sof = big.indexOf(0xc0, tile.offset + 2) + 1; // length (2), precision (1), height (2), width (2)
    expect(big[sof - 2]).toBe(0xff);
    new DataView(big.buffer).setUint16(sof + 3, 60000, false);
    new DataView(big.buffer).setUint16(sof + 5, 60000, false);
    await expectCorrupt(big, 'jpeg-huge.tif', /JPEG block is 60000x60000, the block is 32 wide and at most 32 high/);
    const progressive = file.slice();
    progressive[progressive.indexOf(0xc0, blockEntry(progressive, 0).offset + 2)] = 0xc2;
    await expectCorrupt(progressive, 'jpeg-progressive.tif', /SOF2 is not supported/);
  });

  it('survives random damage to a tile: only corrupt_raster (or success)', async () => {
    const rand = seeded(99);
    const tile = blockEntry(file, 1);
    for (let iter = 0; iter < 40; iter++) {
      const b = file.slice();
      for (let k = 0; k < 1 + Math.floor(rand() * 6); k++) b[tile.offset + Math.floor(rand() * tile.count)] = Math.floor(rand() * 256);
      const r = await openGeoTiff({ bytes: b }, `damaged-${iter}.tif`);
      await r.readWindowNative(32, 0, 32, 32).then(
        (w) => expect(w.length).toBe(32 * 32 * 3),
        (e: unknown) => {
          expect(e).toBeInstanceOf(InvalidInputError);
          expect((e as InvalidInputError).code).toBe('corrupt_raster');
        },
      );
      await r.close();
    }
  });

  it('windows read at the same time on one raster give what they give one after the other', async () => {
    const r = await openGeoTiff({ bytes: file }, 'rgb.tif');
    const windows: Array<[number, number, number, number]> = [[0, 0, 80, 64], [5, 7, 40, 33], [31, 31, 2, 2], [48, 0, 32, 64], [0, 40, 80, 24]];
    const together = await Promise.all(windows.map((w) => r.readWindow(...w)));
    await r.close();
    const fresh = await openGeoTiff({ bytes: file }, 'rgb.tif');
    for (const [i, w] of windows.entries()) expect(Array.from(together[i]!)).toEqual(Array.from(await fresh.readWindow(...w)));
    await fresh.close();
  });
});

// --- LERC ----------------------------------------------------------------------------------------

describe('LERC blocks', () => {
  const file = matrix('uint16-lerc-tiled.tif');

  it('a blob whose header does not describe its tile is refused before decoding', async () => {
    const forged = file.slice();
    const tile = blockEntry(forged, 0);
    const view = new DataView(forged.buffer);
    expect(view.getInt32(tile.offset + 6, true)).toBeGreaterThanOrEqual(4); // LERC2 version 4+: rows at 14
    view.setInt32(tile.offset + 14, 1 << 20, true);
    await expectCorrupt(forged, 'lerc-rows.tif', /block 0: LERC blob header says 32x1048576 with 4 value\(s\) per pixel; the block is 32x32 with 4/);
    const deep = file.slice();
    new DataView(deep.buffer).setInt32(blockEntry(deep, 0).offset + 22, 1 << 28, true);
    await expectCorrupt(deep, 'lerc-depth.tif', /268435456 value\(s\) per pixel/);
  });

  it('a truncated or damaged LERC tile fails alone', async () => {
    const cut = file.slice();
    const tile = blockEntry(cut, 0);
    tile.set(tile.offset, tile.count >> 1);
    await expectCorrupt(cut, 'lerc-cut.tif', /lerc|LERC/);
    const rand = seeded(5);
    for (let iter = 0; iter < 30; iter++) {
      const b = file.slice();
      const t = blockEntry(b, 3);
      for (let k = 0; k < 1 + Math.floor(rand() * 4); k++) b[t.offset + 60 + Math.floor(rand() * (t.count - 60))] = Math.floor(rand() * 256);
      const r = await openGeoTiff({ bytes: b }, `lerc-damaged-${iter}.tif`);
      await r.readWindowNative(32, 32, 32, 32).then(
        (w) => expect(w.length).toBe(32 * 32 * 4),
        (e: unknown) => expect((e as InvalidInputError).code).toBe('corrupt_raster'),
      );
      await r.close();
    }
  });
});

// --- kept blocks ---------------------------------------------------------------------------------

describe('kept Deflate strips reuse the buffers of dropped ones', () => {
  it('narrow windows in raster order through a small block cache read what one window reads', async () => {
    const bytes = matrix('uint16-deflate-pred2-strips-band.tif');
    const reader = bytesReader(bytes);
    const dir = await readFirstDirectory(reader, 'strips.tif');
    const { layout, width, height, bands, sampleFormat, bitsPerSample } = await readLayout(reader, dir, 'strips.tif');
    const info = { width, height, bands, sampleFormat, bitsPerSample, geoTransform: [0, 1, 0, 0, 0, -1] as [number, number, number, number, number, number], epsg: 32651, nodata: null, bandDescriptions: [], metadata: {}, alphaBand: null, internalMask: false };
    const whole = new WindowDecoder(reader, dir.littleEndian, layout, info).read(0, 0, width, height);
    // room for three kept strips: every window after the first few drops strips and reuses their buffers
    const small = new WindowDecoder(reader, dir.littleEndian, layout, info, 3 * layout.blockBytes);
    for (let y = 0; y < height; y += 12) {
      for (let x = 0; x < width; x += 20) {
        const w = Math.min(20, width - x);
        const h = Math.min(12, height - y);
        const win = small.read(x, y, w, h);
        for (let b = 0; b < bands; b++) {
          for (let r = 0; r < h; r++) {
            const got = Array.from(win.subarray(b * w * h + r * w, b * w * h + r * w + w));
            const start = b * width * height + (y + r) * width + x;
            expect(got).toEqual(Array.from(whole.subarray(start, start + w)));
          }
        }
      }
    }
    small.clear();
  });
});
