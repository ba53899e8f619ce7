/**
 * Issue 4, acceptance 6: reading one 512×512 window of a large Cloud-Optimized GeoTIFF over HTTP range
 * requests — and from S3 — fetches only the header and that window's tiles, and gives GDAL's pixels.
 *
 * The COG (8192×8192 uint16, DEFLATE, 512² tiles, overviews; ~120 MB) is built with GDAL's COG driver
 * into a temp dir for the run and never committed. The HTTP server is a real one that counts the body
 * bytes it sends; S3 is the test s3rver behind a proxy that counts the body bytes it passes on.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3BlobStore } from '@shoutu/shared';
import { openGeoTiff } from '@shoutu/shared/raster/index.js';
import { httpRangeFetcher } from '@shoutu/shared/remote/http-range-fetcher.js';
import { remoteFetcher } from '@shoutu/shared/remote/open-remote.js';
import { startCountingProxy, type CountingProxy } from '../support/counting-proxy.js';
import { startRangeHttpServer, type RangeHttpServer } from '../support/range-http-server.js';
import { startS3Server, type S3TestServer } from '../support/s3-server.js';

const SIZE = 8192;
const TILE = 512;
/** The range reader's first read (TIFF header and every IFD of the COG). */
const HEADER_BYTES = 16 * 1024;

const MAKE_COG = `
import sys
import numpy as np
from osgeo import gdal, osr
gdal.UseExceptions()
n, path = ${SIZE}, sys.argv[1]
ds = gdal.GetDriverByName('MEM').Create('', n, n, 1, gdal.GDT_UInt16)
ds.SetGeoTransform([500000, 10, 0, 3600000, 0, -10])
srs = osr.SpatialReference(); srs.ImportFromEPSG(32650); ds.SetProjection(srs.ExportToWkt())
rng = np.random.default_rng(7)
x = np.arange(n, dtype=np.uint16)
band = ds.GetRasterBand(1)
for y0 in range(0, n, 1024):
    y = np.arange(y0, y0 + 1024, dtype=np.uint16)[:, None]
    band.WriteArray(((x[None, :] * 7 + y * 3) % 4096 + rng.integers(0, 16, size=(1024, n), dtype=np.uint16)).astype(np.uint16), 0, y0)
gdal.GetDriverByName('COG').CreateCopy(path, ds, options=['COMPRESS=DEFLATE', 'BLOCKSIZE=${TILE}'])
`;

/** GDAL's pixels of a window (little-endian uint16, row-major) and the stored bytes of the tiles it covers. */
const GDAL_WINDOW = `
import sys, json
from osgeo import gdal
gdal.UseExceptions()
path, out, x, y, w, h = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:7])
ds = gdal.Open(path)
band = ds.GetRasterBand(1)
band.ReadAsArray(x, y, w, h).astype('<u2').tofile(out)
tiles = []
for ty in range(y // ${TILE}, (y + h - 1) // ${TILE} + 1):
    for tx in range(x // ${TILE}, (x + w - 1) // ${TILE} + 1):
        tiles.append([int(band.GetMetadataItem('BLOCK_OFFSET_%d_%d' % (tx, ty), 'TIFF')), int(band.GetMetadataItem('BLOCK_SIZE_%d_%d' % (tx, ty), 'TIFF'))])
print(json.dumps({'tiles': tiles, 'overviews': band.GetOverviewCount()}))
`;

const bytesOf = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

function python(script: string, args: string[]): string {
  const run = spawnSync('/usr/bin/python3', ['-c', script, ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (run.status !== 0) throw new Error(`python failed: ${run.stderr}`);
  return run.stdout;
}

let work: string;
let cog: string;
let cogBytes: number;
let http: RangeHttpServer;
let s3: S3TestServer;
let proxy: CountingProxy;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shoutu-cog-'));
  cog = join(work, 'big-cog.tif');
  python(MAKE_COG, [cog]);
  cogBytes = (await stat(cog)).size;
  http = await startRangeHttpServer(work);
  s3 = await startS3Server();
  const store = new S3BlobStore(s3.config);
  await store.putFile('scenes/big-cog.tif', cog, { contentType: 'image/tiff' });
  store.destroy();
  proxy = await startCountingProxy(s3.endpoint);
}, 180_000);

afterAll(async () => {
  await http?.close();
  await proxy?.close();
  await s3?.close();
  await rm(work, { recursive: true, force: true });
});

/** GDAL's reading of a window, and the tiles it covers as [offset, stored bytes]. */
async function gdalWindow(x: number, y: number, w: number, h: number): Promise<{ pixels: Uint16Array; tiles: Array<[number, number]>; overviews: number }> {
  const out = join(work, `gdal-${x}-${y}.raw`);
  const meta = JSON.parse(python(GDAL_WINDOW, [cog, out, String(x), String(y), String(w), String(h)])) as { tiles: Array<[number, number]>; overviews: number };
  const raw = await readFile(out);
  return { pixels: new Uint16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2), ...meta };
}

describe('a 512×512 window of an 8192×8192 COG over range requests', () => {
  it('HTTP: the header and that one tile are all that is fetched, and the pixels are GDAL\'s', async () => {
    const x = 3 * TILE;
    const y = 5 * TILE;
    const reference = await gdalWindow(x, y, TILE, TILE);
    expect(reference.overviews).toBeGreaterThan(0); // a real COG: overview IFDs sit in the header too
    expect(reference.tiles).toHaveLength(1);
    const [[, tileBytes]] = reference.tiles as [[number, number]];

    http.reset();
    const raster = await openGeoTiff({ remote: httpRangeFetcher(http.url('big-cog.tif')) }, 'big-cog.tif');
    try {
      expect(raster.info).toMatchObject({ width: SIZE, height: SIZE, bands: 1, sampleFormat: 'uint', bitsPerSample: 16, epsg: 32650 });
      const atOpen = http.bytesServed;
      expect(atOpen).toBeLessThanOrEqual(HEADER_BYTES);
      const pixels = await raster.readWindowNative(x, y, TILE, TILE);
      expect(pixels).toBeInstanceOf(Uint16Array);
      expect(bytesOf(pixels).equals(bytesOf(reference.pixels))).toBe(true);
      // exactly the tile's stored bytes, in one request
      expect(http.bytesServed - atOpen).toBe(tileBytes);
      expect(http.requests).toBe(2);
      expect(http.bytesServed).toBeLessThanOrEqual(HEADER_BYTES + tileBytes + 1024);
      expect(http.bytesServed).toBeLessThan(cogBytes / 100);
    } finally {
      await raster.close();
    }
  });

  it('HTTP: a window across four tiles fetches those four (adjacent ones in one request), and float32 reads agree', async () => {
    const x = 7 * TILE + 100;
    const y = 9 * TILE + 300;
    const reference = await gdalWindow(x, y, TILE, TILE);
    expect(reference.tiles).toHaveLength(4);
    const tileBytes = reference.tiles.reduce((sum, [, n]) => sum + n, 0);
    const raster = await openGeoTiff({ remote: httpRangeFetcher(http.url('big-cog.tif')) }, 'big-cog.tif');
    try {
      http.reset();
      const values = await raster.readWindow(x, y, TILE, TILE);
      const expected = Float32Array.from(reference.pixels);
      expect(bytesOf(values).equals(bytesOf(expected))).toBe(true);
      // tiles side by side in the file are merged; between them only GDAL's 4-byte tile leader and trailer
      expect(http.requests).toBe(2);
      expect(http.bytesServed).toBeGreaterThanOrEqual(tileBytes);
      expect(http.bytesServed).toBeLessThanOrEqual(tileBytes + 64);
    } finally {
      await raster.close();
    }
  });

  it('S3: the same window through GetObject ranges transfers only the header and the tile', async () => {
    const x = 3 * TILE;
    const y = 5 * TILE;
    const reference = await gdalWindow(x, y, TILE, TILE);
    const [[, tileBytes]] = reference.tiles as [[number, number]];
    const location = `s3://${s3.bucket}/scenes/big-cog.tif`;
    const { bucket: _bucket, prefix: _prefix, ...access } = s3.config;
    proxy.reset();
    const raster = await openGeoTiff({ remote: remoteFetcher(location, { s3: { ...access, endpoint: proxy.endpoint } }) }, location);
    try {
      const pixels = await raster.readWindowNative(x, y, TILE, TILE);
      expect(Array.from(pixels.subarray(0, 8))).toEqual(Array.from(reference.pixels.subarray(0, 8)));
      expect(bytesOf(pixels).equals(bytesOf(reference.pixels))).toBe(true);
      expect(proxy.requests.filter((r) => r.startsWith('GET '))).toHaveLength(2);
      expect(proxy.bytes).toBeLessThanOrEqual(HEADER_BYTES + tileBytes + 1024);
      expect(proxy.bytes).toBeLessThan(cogBytes / 100);
    } finally {
      await raster.close();
    }
  });
});
