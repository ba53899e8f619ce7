/**
 * GeoTIFFs read by byte ranges from a real HTTP server: every flavour of the matrix gives the samples
 * GDAL reads; damaged files meet the same structural checks as local ones (same outcome, byte for
 * byte); and a server that ignores Range, cuts bodies short, drops the connection, answers another range
 * or stays silent is an error naming the URL — never a hang.
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { InvalidInputError, NotFoundError, RemoteReadError } from '@shoutu/shared';
import { describeGeoTiff, openGeoTiff, type GeoTiffRaster, type GeoTiffSource } from '@shoutu/shared/raster/index.js';
import { httpRangeFetcher } from '@shoutu/shared/remote/http-range-fetcher.js';
import { runInfo } from '../../cli/commands/info.js';
import { fixture } from '../support/fixtures.js';
import { mulberry32 } from '@shoutu/shared/kernels/test-random.js';
import { startRangeHttpServer, type RangeHttpServer } from '../support/range-http-server.js';

const MATRIX = fixture('raster', 'matrix');
const GDAL = (JSON.parse(await readFile(join(MATRIX, 'gdal-read.json'), 'utf8')) as { files: Record<string, { compression: string; bandSha256: string[] }> }).files;
// every flavour shoutu decodes (all but WebP): JPEG ones included, whose blocks decode asynchronously
const DECODED = Object.keys(GDAL)
  .filter((name) => GDAL[name]!.compression !== 'WEBP')
  .sort();
const SMALL = 'uint16-cog-lzw.tif';

let root: string;
let server: RangeHttpServer;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'shoutu-remote-'));
  for (const name of Object.keys(GDAL)) await copyFile(join(MATRIX, name), join(root, name));
  server = await startRangeHttpServer(root);
});
afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});
beforeEach(() => {
  server.fault = 'none';
  server.failNext = 0;
  server.delayMs = 0;
});

/** A remote source with small chunks, so that header reads span several requests. */
const remote = (name: string, options: Parameters<typeof httpRangeFetcher>[1] = {}): GeoTiffSource => ({
  remote: httpRangeFetcher(server.url(name), options),
  options: { chunkBytes: 512, mergeGapBytes: 256 },
});

/** Runs `body` on `name` opened by ranges (small chunks, `windowFetchBytes` a fetch) and locally; closes both after. */
async function withRemoteAndLocal(name: string, windowFetchBytes: number | undefined, body: (remote: GeoTiffRaster, local: GeoTiffRaster) => Promise<void>): Promise<void> {
  const raster = await openGeoTiff({ remote: httpRangeFetcher(server.url(name)), options: { chunkBytes: 512, mergeGapBytes: 256, windowFetchBytes } }, name);
  const local = await openGeoTiff({ path: join(root, name) }, name);
  try {
    await body(raster, local);
  } finally {
    await raster.close();
    await local.close();
  }
}

describe('every decoded flavour of the matrix, read by ranges', () => {
  it.each(DECODED)('%s: the description and band hashes equal the local file\'s and GDAL\'s', async (name) => {
    const local = await describeGeoTiff({ path: join(root, name) }, name);
    server.reset();
    const viaHttp = await describeGeoTiff(remote(name), name);
    expect(viaHttp).toEqual(local);
    expect(viaHttp.bandSha256).toEqual(GDAL[name]!.bandSha256);
  });

  it('shoutu info URL reads the file by ranges and reports what it reports for the local file', async () => {
    let out = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    try {
      expect(await runInfo([`${server.url(SMALL)}?token=secret`, '--json'])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const description = JSON.parse(out) as { file: string; bandSha256: string[] };
    expect(description.file).toBe(server.url(SMALL)); // the query (a signed URL's secret) is never shown
    expect(description.bandSha256).toEqual(GDAL[SMALL]!.bandSha256);
  });

  it('raster-order windows that cut through tiles and strips fetch each stored block about once', async () => {
    const name = 'int16-lzw-strips.tif';
    const raster = await openGeoTiff(remote(name), name);
    const local = await openGeoTiff({ path: join(root, name) }, name);
    try {
      const { width, height } = raster.info;
      server.reset();
      for (let y = 0; y < height; y += 37) {
        for (let x = 0; x < width; x += 45) {
          const w = Math.min(45, width - x);
          const h = Math.min(37, height - y);
          expect(await raster.readWindowNative(x, y, w, h)).toEqual(await local.readWindowNative(x, y, w, h));
        }
      }
      // partly used strips stay decoded for the next windows: not fetched again for every window
      const size = (await readFile(join(root, name))).byteLength;
      expect(server.bytesServed).toBeLessThan(2 * size);
    } finally {
      await raster.close();
      await local.close();
    }
  });

  it('a window larger than one fetch is fetched and decoded a band of block rows at a time', async () => {
    for (const name of ['int16-lzw-strips.tif', 'float32-deflate-tiled-band.tif', 'uint8-none-strips.tif']) {
      const source: GeoTiffSource = { remote: httpRangeFetcher(server.url(name)), options: { windowFetchBytes: 2048, chunkBytes: 512, mergeGapBytes: 0 } };
      const raster = await openGeoTiff(source, name);
      const local = await openGeoTiff({ path: join(root, name) }, name);
      try {
        const { width, height } = raster.info;
        server.reset();
        expect(await raster.readWindowNative(3, 5, width - 3, height - 7)).toEqual(await local.readWindowNative(3, 5, width - 3, height - 7));
        expect(server.requests, name).toBeGreaterThan(2);
      } finally {
        await raster.close();
        await local.close();
      }
    }
  });

  it.each(['float32-deflate-tiled-band.tif', 'uint8-jpeg-tiled.tif', 'int16-lzw-strips.tif', 'uint16-zstd-pred2-tiled.tif'])(
    'windows read at the same time on one raster each get their own pixels (%s)',
    async (name) => {
      for (const windowFetchBytes of [undefined, 700]) {
        await withRemoteAndLocal(name, windowFetchBytes, async (raster, local) => {
          const { width: W, height: H } = raster.info;
          const windows = [[0, 0, 30, 30], [50, 40, W - 50, 20], [10, H - 30, W - 10, 30], [0, 0, W, H], [33, 17, 20, 40], [1, 1, 2, 2], [W - 5, H - 5, 5, 5]] as const;
          server.delayMs = 5; // answers arrive while the other windows are being fetched and decoded
          const remoteReads = await Promise.all(windows.map(([x, y, w, h]) => raster.readWindow(x, y, w, h)));
          server.delayMs = 0;
          for (const [i, [x, y, w, h]] of windows.entries()) expect(remoteReads[i], `${windowFetchBytes}`).toEqual(await local.readWindow(x, y, w, h));
        });
      }
    },
  );

  it.each(['int16-lzw-strips.tif', 'uint16-zstd-pred2-tiled.tif', 'float32-deflate-tiled-band.tif', 'uint8-jpeg-tiled.tif'])(
    'a window is read into the array the caller lends, locally and by ranges, whole or in bands of block rows (%s)',
    async (name) => {
      // 700 bytes a fetch: the whole raster's window is read in several bands of block rows
      for (const windowFetchBytes of [undefined, 700]) {
        await withRemoteAndLocal(name, windowFetchBytes, async (raster, local) => {
          const { width: W, height: H, bands } = raster.info;
          for (const [x, y, w, h] of [[3, 5, W - 9, H - 7], [0, 0, W, H]] as const) {
            const expected = await local.readWindowNative(x, y, w, h);
            const expectedFloat = await local.readWindow(x, y, w, h);
            const Type = expected.constructor as new (n: number) => typeof expected;
            for (const [source, read] of [['remote', raster], ['local', local]] as const) {
              const lent = new Type(w * h * bands).fill(7);
              const native = await read.readWindowNative(x, y, w, h, lent);
              expect(native, `${source} ${windowFetchBytes}`).toBe(lent);
              expect(native).toEqual(expected);
              const floats = new Float32Array(w * h * bands).fill(7);
              const asFloat = await read.readWindow(x, y, w, h, floats);
              expect(asFloat, `${source} ${windowFetchBytes}`).toBe(floats);
              expect(asFloat).toEqual(expectedFloat);
              // an array of another size is left alone
              const other = new Type(w * h * bands + 1).fill(7);
              const fresh = await read.readWindowNative(x, y, w, h, other);
              expect(fresh).not.toBe(other);
              expect(fresh).toEqual(expected);
              expect(other.every((v) => v === 7)).toBe(true);
            }
          }
        });
      }
    },
  );

  it.each(['int16-lzw-pred2-tiled.tif', 'int16-deflate-tiled-band.tif', 'float32-lzw-pred3-strips-band.tif', 'uint16-zstd-pred2-tiled.tif', 'uint8-jpeg-tiled.tif'])(
    'some planes of a window, read by ranges, are those planes of the local window, the blocks kept with those planes or all (%s)',
    async (name) => {
      for (const windowFetchBytes of [undefined, 700]) {
        await withRemoteAndLocal(name, windowFetchBytes, async (raster, local) => {
          const { width: W, height: H, bands } = raster.info;
          const planes = bands > 2 ? [0, 2] : [bands - 1];
          raster.keepPlanes(planes);
          for (const [x, y, w, h] of [[3, 5, 20, 17], [20, 5, 20, 17], [3, 5, W - 9, H - 7], [0, 0, W, H], [11, 13, 5, 40]] as const) {
            const all = await local.readWindowNative(x, y, w, h);
            const n = w * h;
            const want = Array.from(planes, (b) => Array.from(all.subarray(b * n, (b + 1) * n))).flat();
            expect(Array.from(await raster.readWindowNative(x, y, w, h, undefined, false, planes)), `${windowFetchBytes} ${x},${y}`).toEqual(want);
            // every plane again: blocks kept with some planes are fetched and decoded again
            expect(await raster.readWindowNative(x, y, w, h), `${windowFetchBytes} ${x},${y} every plane`).toEqual(all);
          }
        });
      }
    },
  );

  it('windows of one raster are fetched at the same time, each block once, their stored bytes within windowFetchBytes', async () => {
    const name = 'uint16-zstd-pred2-tiled.tif'; // 80 × 64 pixels, six 32 × 32 tiles
    // one window inside each tile but the first, which the read that loads the block tables keeps decoded
    const windows = [[40, 0, 8, 8], [70, 0, 8, 8], [0, 40, 8, 8], [40, 40, 8, 8], [70, 40, 8, 8]] as const;
    const local = await openGeoTiff({ path: join(root, name) }, name);
    const read = async (windowFetchBytes?: number) => {
      const raster = await openGeoTiff({ remote: httpRangeFetcher(server.url(name)), options: { chunkBytes: 512, mergeGapBytes: 0, windowFetchBytes } }, name);
      try {
        await raster.readWindowNative(0, 0, 1, 1);
        server.reset();
        server.delayMs = 20;
        // every window twice: the second asks for bytes the first is already fetching, and waits for them
        const twice = [...windows, ...windows];
        const reads = await Promise.all(twice.map(([x, y, w, h]) => raster.readWindowNative(x, y, w, h)));
        for (const [i, [x, y, w, h]] of twice.entries()) expect(reads[i]).toEqual(await local.readWindowNative(x, y, w, h));
        return { requests: server.requests, mostInFlight: server.mostInFlight, mostBytesInFlight: server.mostBytesInFlight, tiles: server.ranges.map(([s, e]) => e - s + 1) };
      } finally {
        server.delayMs = 0;
        await raster.close();
      }
    };
    try {
      const free = await read();
      expect(free.requests).toBe(5); // one stored tile each
      expect(free.mostInFlight).toBe(5);
      // a budget that holds the largest tile and not all of them: never more asked at once than it allows
      const budget = Math.max(...free.tiles) + Math.min(...free.tiles) - 1;
      expect(budget).toBeLessThan(free.tiles.reduce((a, b) => a + b, 0));
      const bounded = await read(budget);
      expect(bounded.requests).toBe(5);
      expect(bounded.mostBytesInFlight).toBeLessThanOrEqual(budget);
      expect(bounded.mostInFlight).toBeLessThan(5);
    } finally {
      await local.close();
    }
  });

  it('an internal mask read by ranges, at the same time as the image, gives what the local file gives', async () => {
    const name = 'uint8-mask-deflate.tif';
    const raster = await openGeoTiff(remote(name), name);
    const local = await openGeoTiff({ path: join(root, name) }, name);
    try {
      expect(raster.info.internalMask).toBe(true);
      const { width: W, height: H } = raster.info;
      const windows = [[0, 0, W, H], [3, 5, 41, 17], [W - 9, H - 33, 9, 33]] as const;
      const reads = await Promise.all(windows.flatMap(([x, y, w, h]) => [raster.readMaskWindow(x, y, w, h), raster.readWindow(x, y, w, h)]));
      for (const [i, [x, y, w, h]] of windows.entries()) {
        expect(reads[2 * i]).toEqual(await local.readMaskWindow(x, y, w, h));
        expect(reads[2 * i + 1]).toEqual(await local.readWindow(x, y, w, h));
      }
      expect((await local.readMaskWindow(0, 0, W, H))!.some((v) => v === 0)).toBe(true);
    } finally {
      await raster.close();
      await local.close();
    }
  });
});

/** What opening and reading a file gives: its error code, or its info and a hash of all its samples. */
async function outcome(source: GeoTiffSource, name: string): Promise<string> {
  try {
    const raster = await openGeoTiff(source, name);
    try {
      const { width, height } = raster.info;
      const hash = createHash('sha256');
      for (let y = 0; y < height; y += 64) {
        const samples = await raster.readWindowNative(0, y, width, Math.min(64, height - y));
        hash.update(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength));
      }
      return `ok ${JSON.stringify(raster.info)} ${hash.digest('hex')}`;
    } finally {
      await raster.close();
    }
  } catch (error) {
    if (error instanceof InvalidInputError) return `${error.code} ${error.field ?? ''}`;
    throw error;
  }
}

describe('damaged files meet the same checks remotely as locally', () => {
  it('truncated files and random corruption: the same error (or the same pixels) as from bytes', async () => {
    const random = mulberry32(4);
    const originals = ['uint16-cog-lzw.tif', 'int16-deflate-tiled-band.tif', 'float32-deflate-pred3-bigtiff.tif', 'int16-none-strips.tif'];
    const outcomes = new Set<string>();
    for (let i = 0; i < 48; i++) {
      const original = await readFile(join(root, originals[i % originals.length]!));
      let bytes: Uint8Array;
      if (i % 8 === 0) {
        bytes = original.subarray(0, Math.floor(original.byteLength * random()));
      } else {
        bytes = new Uint8Array(original);
        // most damage where the structure is: header, IFDs and tables
        for (let k = 0; k < 1 + Math.floor(random() * 6); k++) {
          const at = random() < 0.7 ? Math.floor(random() * Math.min(2048, bytes.length)) : Math.floor(random() * bytes.length);
          bytes[at] = Math.floor(random() * 256);
        }
      }
      const name = `damaged-${i}.tif`;
      await writeFile(join(root, name), bytes);
      const expected = await outcome({ bytes }, name);
      expect(await outcome(remote(name), name), name).toBe(expected);
      outcomes.add(expected.split(' ')[0]!);
    }
    expect(outcomes.size).toBeGreaterThan(2); // the damage did hit different checks
  });

  it('the committed hostile set is refused remotely with the same code and field as locally', async () => {
    const hostile = JSON.parse(await readFile(fixture('hostile', 'expected.json'), 'utf8')) as Record<string, { code: string; field: string }>;
    for (const [name, want] of Object.entries(hostile)) {
      await copyFile(fixture('hostile', name), join(root, name));
      expect(await outcome(remote(name), name), name).toBe(`${want.code} ${want.field}`);
    }
  });

  it('an empty object is not a TIFF', async () => {
    await writeFile(join(root, 'empty.tif'), new Uint8Array(0));
    await expect(openGeoTiff(remote('empty.tif', { retries: 0 }), 'empty.tif')).rejects.toMatchObject({ name: 'InvalidInputError' });
  });
});

describe('a misbehaving server is an error naming the URL, never a hang', () => {
  const url = () => server.url(SMALL);

  async function failure(options: Parameters<typeof httpRangeFetcher>[1] = {}): Promise<Error> {
    try {
      const raster = await openGeoTiff(remote(SMALL, { retries: 0, timeoutMs: 300, ...options }), SMALL);
      await raster.readWindow(0, 0, raster.info.width, raster.info.height);
      await raster.close();
    } catch (error) {
      expect((error as Error).message).toContain(url());
      return error as Error;
    }
    throw new Error('expected the read to fail');
  }

  it('ignoring Range (200 with the whole object) is refused', async () => {
    server.fault = 'ignore-range';
    const error = await failure();
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ code: 'range_unsupported' });
    expect(error.message).toMatch(/ignored the Range request/);
  });

  it('answering another range is refused', async () => {
    server.fault = 'wrong-range';
    const error = await failure();
    expect(error).toMatchObject({ name: 'InvalidInputError', code: 'range_unsupported' });
    expect(error.message).toMatch(/asked for bytes 0-511, the server answered 1-511/);
  });

  it('a body shorter than its range', async () => {
    server.fault = 'short-body';
    const error = await failure();
    expect(error).toBeInstanceOf(RemoteReadError);
    expect(error.message).toMatch(/cut short \(256 of 512 bytes\)/);
  });

  it('a connection dropped in the middle of the body', async () => {
    server.fault = 'drop-connection';
    const error = await failure();
    expect(error).toBeInstanceOf(RemoteReadError);
    expect(error.message).toMatch(/request failed|reading the answer failed|cut short/);
  });

  it('a server that never answers, and one that stops sending mid-body, time out', async () => {
    server.fault = 'no-answer';
    expect((await failure()).message).toMatch(/no answer within 300 ms/);
    server.fault = 'stall-body';
    expect((await failure()).message).toMatch(/no body bytes for 300 ms/);
  });

  it('transient server errors are retried; a missing object is NotFoundError', async () => {
    server.reset();
    await (await openGeoTiff(remote(SMALL), SMALL)).close();
    const requests = server.requests;
    server.reset();
    server.failNext = 2;
    await (await openGeoTiff(remote(SMALL, { retries: 2 }), SMALL)).close();
    expect(server.requests).toBe(requests + 2);
    server.failNext = 1;
    expect(await failure({ retries: 0 })).toMatchObject({ name: 'RemoteReadError' });
    await expect(openGeoTiff(remote('missing.tif'), 'missing.tif')).rejects.toBeInstanceOf(NotFoundError);
  });
});
