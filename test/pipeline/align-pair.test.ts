/**
 * `shoutu detect` (detectPair) on an after file that is not on the before file's grid: on the same pixel
 * lattice with another extent it is read at its offset; on another grid it is resampled onto the before
 * grid first, as ingest resamples onto an area's grid. Either way pixels it does not cover are nodata.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultParameters, detectPair, InvalidInputError, type DetectPairInput } from '@shoutu/shared';
import { openGeoTiff } from '@shoutu/shared/raster/index.js';
import { transformCoords } from '../../shared/src/geo/crs.js';
import { placeRaster } from '../../shared/src/grid/lattice.js';
import { fixture } from '../support/fixtures.js';
import { encodeMultiBandGeoTiff } from '../support/synthetic-geotiff.js';
import { reprojectTruth, REPROJECT, type ReprojectTruth } from '../support/reproject-fixtures.js';

const TAIZHOU_BANDS = ['blue', 'green', 'red', 'nir', 'swir16', 'swir22'] as const;
const TAIZHOU_BEFORE = fixture('taizhou', '2000-03-17', 'scene.tif');
const TAIZHOU_AFTER = fixture('taizhou', '2003-02-06', 'scene.tif');
/** Upper-left corner and pixel size of the Taizhou fixtures (EPSG:32651). */
const TAIZHOU_ORIGIN = [203_325, 3_604_935] as const;
const TAIZHOU_PIXEL = 30;
const TAIZHOU_SIZE = 400;

let work: string;
let scratchRoot: string;
let savedTmpdir: string | undefined;
let taizhouAfter: Uint8Array;
let truth: ReprojectTruth;

/** The Taizhou after scene's samples (planar, uint8). */
async function readTaizhouAfter(): Promise<Uint8Array> {
  const raster = await openGeoTiff({ path: TAIZHOU_AFTER }, 'after');
  try {
    return (await raster.readWindowNative(0, 0, TAIZHOU_SIZE, TAIZHOU_SIZE)) as Uint8Array;
  } finally {
    await raster.close();
  }
}

/**
 * A window of the Taizhou after scene (pixels outside it 0 = nodata) as a file on the same lattice; with
 * `keep`, only the scene's pixels inside that window of the scene ([col, row, width, height]) are kept.
 */
async function taizhouAfterWindow(name: string, col: number, row: number, width: number, height: number, keep?: readonly number[]): Promise<string> {
  const planes = new Uint8Array(6 * width * height);
  const [kc, kr, kw, kh] = keep ?? [0, 0, TAIZHOU_SIZE, TAIZHOU_SIZE];
  for (let b = 0; b < 6; b++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const [sx, sy] = [col + x, row + y];
        const inside = sx >= kc! && sy >= kr! && sx < kc! + kw! && sy < kr! + kh!;
        planes[(b * height + y) * width + x] = inside ? taizhouAfter[(b * TAIZHOU_SIZE + sy) * TAIZHOU_SIZE + sx]! : 0;
      }
    }
  }
  const path = join(work, name);
  const bytes = encodeMultiBandGeoTiff({
    width,
    height,
    bands: 6,
    planes,
    originX: TAIZHOU_ORIGIN[0] + col * TAIZHOU_PIXEL,
    originY: TAIZHOU_ORIGIN[1] - row * TAIZHOU_PIXEL,
    pixelSize: TAIZHOU_PIXEL,
    epsg: 32651,
    nodata: 0,
  });
  await writeFile(path, bytes);
  return path;
}

const taizhou = (after: string, extra: Partial<DetectPairInput> = {}) =>
  detectPair({ before: { path: TAIZHOU_BEFORE }, after: { path: after }, bands: [...TAIZHOU_BANDS], parameters: defaultParameters({ tileSize: 128 }), ...extra });

const reproject = (extra: Partial<DetectPairInput> = {}) =>
  detectPair({ before: { path: REPROJECT.gk }, after: { path: REPROJECT.utmChange }, bands: ['blue', 'green', 'red', 'nir'], parameters: defaultParameters(), ...extra });

async function changeSamples(tif: Uint8Array): Promise<{ width: number; height: number; values: Uint8Array }> {
  const raster = await openGeoTiff({ bytes: tif }, 'change.tif');
  try {
    const { width, height } = raster.info;
    return { width, height, values: (await raster.readWindowNative(0, 0, width, height)) as Uint8Array };
  } finally {
    await raster.close();
  }
}

/** EPSG:4549 metres of a WGS 84 lon, lat. */
function inGk([lon, lat]: readonly number[]): [number, number] {
  const p = new Float64Array([lon!, lat!]);
  transformCoords(4326, 4549, p);
  return [p[0]!, p[1]!];
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shoutu-align-test-'));
  // The scratch folders of the resampled files go under here, so the tests can see that none is left.
  scratchRoot = await mkdtemp(join(tmpdir(), 'shoutu-align-scratch-'));
  savedTmpdir = process.env.TMPDIR;
  process.env.TMPDIR = scratchRoot;
  taizhouAfter = await readTaizhouAfter();
  truth = await reprojectTruth();
});

afterAll(async () => {
  if (savedTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmpdir;
  await rm(work, { recursive: true, force: true });
  await rm(scratchRoot, { recursive: true, force: true });
});

describe('detectPair with the after file on another grid', () => {
  it('gives the co-registered result, byte for byte, when the after file only reaches further on the same lattice', async () => {
    const coRegistered = await taizhou(await taizhouAfterWindow('same.tif', 0, 0, TAIZHOU_SIZE, TAIZHOU_SIZE));
    // 10 columns and 5 rows more on the left and top, 10 and 5 more on the right and bottom
    const larger = await taizhou(await taizhouAfterWindow('larger.tif', -10, -5, TAIZHOU_SIZE + 20, TAIZHOU_SIZE + 10));
    expect(coRegistered.summary.resampled).toBeUndefined();
    expect(coRegistered.summary.shifted).toBeUndefined();
    // read at its offset, not resampled
    expect(larger.summary.resampled).toBeUndefined();
    expect(larger.summary.shifted?.after).toEqual({ grid: 'before', offset: [-10, -5], coveredPixels: TAIZHOU_SIZE * TAIZHOU_SIZE });
    expect(coRegistered.patches.length).toBeGreaterThan(10);
    expect(Buffer.from(larger.changeTif).equals(Buffer.from(coRegistered.changeTif))).toBe(true);
    expect(JSON.stringify(larger.patches)).toBe(JSON.stringify(coRegistered.patches));
    const { shifted: _, ...rest } = larger.summary;
    expect(JSON.stringify(rest)).toBe(JSON.stringify(coRegistered.summary));
  }, 60_000);

  const [PART_COL, PART_ROW, PART_WIDTH, PART_HEIGHT] = [40, 30, 300, 320];

  it('marks the before pixels the after file does not cover as nodata (255), and only those', async () => {
    const [col, row, width, height] = [PART_COL, PART_ROW, PART_WIDTH, PART_HEIGHT];
    const part = await taizhou(await taizhouAfterWindow('part.tif', col, row, width, height));
    expect(part.summary.width).toBe(TAIZHOU_SIZE);
    expect(part.summary.shifted?.after).toEqual({ grid: 'before', offset: [col, row], coveredPixels: width * height });
    expect(part.summary.validPixels).toBe(width * height);
    const change = await changeSamples(part.changeTif);
    let outsideNodata = 0;
    let insideNodata = 0;
    let insideChange = 0;
    for (let y = 0; y < TAIZHOU_SIZE; y++) {
      for (let x = 0; x < TAIZHOU_SIZE; x++) {
        const v = change.values[y * TAIZHOU_SIZE + x]!;
        const inside = x >= col && x < col + width && y >= row && y < row + height;
        if (!inside && v === 255) outsideNodata++;
        if (inside && v === 255) insideNodata++;
        if (inside && v === 1) insideChange++;
      }
    }
    expect(outsideNodata).toBe(TAIZHOU_SIZE * TAIZHOU_SIZE - width * height);
    expect(insideNodata).toBe(0);
    expect(insideChange).toBe(part.summary.changedPixels);
    expect(insideChange).toBeGreaterThan(1000);
  }, 60_000);

  it('reads a partial after file at its offset exactly as the whole grid with nodata beyond it, with 1 and 2 threads', async () => {
    const window = [PART_COL, PART_ROW, PART_WIDTH, PART_HEIGHT] as const;
    const masked = await taizhou(await taizhouAfterWindow('masked.tif', 0, 0, TAIZHOU_SIZE, TAIZHOU_SIZE, window), { parameters: defaultParameters({ tileSize: 64 }) });
    const partPath = await taizhouAfterWindow('part64.tif', ...window);
    for (const threads of [1, 2]) {
      const part = await taizhou(partPath, { parameters: defaultParameters({ tileSize: 64 }), threads });
      expect(masked.patches.length).toBeGreaterThan(10);
      expect(Buffer.from(part.changeTif).equals(Buffer.from(masked.changeTif)), `threads ${threads}`).toBe(true);
      expect(JSON.stringify(part.patches)).toBe(JSON.stringify(masked.patches));
      const { shifted: _, ...rest } = part.summary;
      expect(JSON.stringify(rest)).toBe(JSON.stringify(masked.summary));
    }
  }, 60_000);

  it("reads the after file's cloud mask file at the after file's offset", async () => {
    const [col, row, width, height] = [PART_COL, PART_ROW, PART_WIDTH, PART_HEIGHT];
    const partPath = await taizhouAfterWindow('part-clouded.tif', col, row, width, height);
    const clear = await taizhou(partPath);
    // a cloud over the largest patch, drawn on the after file's own grid
    const target = [...clear.patches].sort((a, b) => b.pixelCount - a.pixelCount)[0]!;
    // pixelBbox is in lattice pixels, end exclusive: made before-grid pixels, end inclusive
    const lattice = placeRaster(32651, [TAIZHOU_ORIGIN[0], TAIZHOU_PIXEL, 0, TAIZHOU_ORIGIN[1], 0, -TAIZHOU_PIXEL], TAIZHOU_SIZE, TAIZHOU_SIZE, 128);
    const [x0, y0, x1, y1] = [target.pixelBbox[0] - lattice.col0, target.pixelBbox[1] - lattice.row0, target.pixelBbox[2] - lattice.col0 - 1, target.pixelBbox[3] - lattice.row0 - 1];
    const planes = new Uint8Array(width * height);
    for (let y = y0 - row; y <= y1 - row; y++) planes.fill(1, y * width + (x0 - col), y * width + (x1 - col) + 1);
    const maskPath = join(work, 'part-clouds.tif');
    await writeFile(maskPath, encodeMultiBandGeoTiff({ width, height, bands: 1, planes, originX: TAIZHOU_ORIGIN[0] + col * TAIZHOU_PIXEL, originY: TAIZHOU_ORIGIN[1] - row * TAIZHOU_PIXEL, pixelSize: TAIZHOU_PIXEL, epsg: 32651 }));
    const cloudy = await taizhou(partPath, { validity: { cloudMask: { after: { path: maskPath } } } });
    const change = await changeSamples(cloudy.changeTif);
    // every pixel of the box (before-grid pixels) is masked, and the patch is gone
    for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) expect(change.values[y * TAIZHOU_SIZE + x]).toBe(255);
    expect(cloudy.summary.validPixels).toBe(clear.summary.validPixels - (x1 - x0 + 1) * (y1 - y0 + 1));
    expect(cloudy.patches.some((p) => p.pixelBbox.join() === target.pixelBbox.join())).toBe(false);
  }, 60_000);

  it('refuses an after file on the same lattice that does not overlap the before file, naming it', async () => {
    const beside = await taizhouAfterWindow('beside.tif', TAIZHOU_SIZE, 0, 64, 64);
    const error = await taizhou(beside).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).code).toBe('outside_area');
    expect((error as InvalidInputError).message).toContain(beside);
  }, 60_000);

  it('resamples a UTM after file onto a Gauss–Krüger before grid and finds the planted changes where they were planted', async () => {
    const result = await reproject();
    expect(result.summary.epsg).toBe(4549);
    expect(result.summary.resampled?.after).toMatchObject({ grid: 'before', transform: { kind: 'approximate' } });
    for (const [type, r] of Object.entries(truth.changes)) {
      const patch = result.patches.find((p) => p.changeType === type);
      expect(patch, type).toBeDefined();
      // as in reproject-detect.test.ts: within 1.5 pixels of the planted rectangle's centre, its area at
      // least 85 % of the planted one and at most that grown by 1.5 pixels on every side
      const [x, y] = inGk(patch!.centroid);
      expect(Math.hypot(x - (r.minX + r.maxX) / 2, y - (r.minY + r.maxY) / 2), type).toBeLessThan(15);
      const [w, h] = [r.maxX - r.minX, r.maxY - r.minY];
      expect(patch!.areaM2, type).toBeGreaterThan(0.85 * w * h);
      expect(patch!.areaM2, type).toBeLessThan((w + 30) * (h + 30));
    }
  }, 60_000);

  it('gives the same bytes with two threads', async () => {
    const one = await reproject({ parameters: defaultParameters({ tileSize: 64 }) });
    const two = await reproject({ parameters: defaultParameters({ tileSize: 64 }), threads: 2 });
    expect(Buffer.from(two.changeTif).equals(Buffer.from(one.changeTif))).toBe(true);
    expect(JSON.stringify(two.patches)).toBe(JSON.stringify(one.patches));
    expect(JSON.stringify(two.summary)).toBe(JSON.stringify(one.summary));
  }, 60_000);

  it("resamples the after file's cloud mask file (on the after file's grid) with it", async () => {
    const after = await openGeoTiff({ path: REPROJECT.utmChange }, 'utm-change.tif');
    const { width, height, geoTransform } = after.info;
    await after.close();
    // cloud over the planted building block, drawn on the UTM grid with a 30 m margin
    const r = truth.changes.construction;
    const corners = new Float64Array([r.minX - 30, r.minY - 30, r.maxX + 30, r.minY - 30, r.minX - 30, r.maxY + 30, r.maxX + 30, r.maxY + 30]);
    transformCoords(4549, 32651, corners);
    const xs = [corners[0]!, corners[2]!, corners[4]!, corners[6]!];
    const ys = [corners[1]!, corners[3]!, corners[5]!, corners[7]!];
    const [c0, c1] = [Math.floor((Math.min(...xs) - geoTransform[0]) / geoTransform[1]), Math.ceil((Math.max(...xs) - geoTransform[0]) / geoTransform[1])];
    const [r0, r1] = [Math.floor((Math.max(...ys) - geoTransform[3]) / geoTransform[5]), Math.ceil((Math.min(...ys) - geoTransform[3]) / geoTransform[5])];
    const planes = new Uint8Array(width * height);
    for (let y = r0; y < r1; y++) planes.fill(1, y * width + c0, y * width + c1);
    const maskPath = join(work, 'utm-clouds.tif');
    await writeFile(maskPath, encodeMultiBandGeoTiff({ width, height, bands: 1, planes, originX: geoTransform[0], originY: geoTransform[3], pixelSize: geoTransform[1], epsg: 32651 }));

    const clear = await reproject();
    const cloudy = await reproject({ validity: { cloudMask: { after: { path: maskPath } } } });
    expect(clear.patches.some((p) => p.changeType === 'construction')).toBe(true);
    expect(cloudy.patches.some((p) => p.changeType === 'construction')).toBe(false);
    expect(cloudy.patches.some((p) => p.changeType === 'water_gain')).toBe(true);
    // the planted block's pixels are masked (255) in change.tif, on the before grid
    const change = await changeSamples(cloudy.changeTif);
    const [gx, gy] = [556_000, 3_466_000];
    const centre = [Math.floor(((r.minX + r.maxX) / 2 - gx) / 10), Math.floor((gy - (r.minY + r.maxY) / 2) / 10)] as const;
    expect(change.values[centre[1] * change.width + centre[0]]).toBe(255);
    expect(cloudy.summary.validPixels).toBeLessThan(clear.summary.validPixels);
  }, 60_000);

  it('refuses an after file that does not overlap the before file, naming it, and leaves no scratch files', async () => {
    const far = join(work, 'far.tif');
    await writeFile(far, encodeMultiBandGeoTiff({ width: 32, height: 32, bands: 4, planes: new Uint8Array(4 * 32 * 32).fill(7), originX: 900_000, originY: 3_000_000, epsg: 32651 }));
    const error = await reproject({ after: { path: far } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).code).toBe('outside_area');
    expect((error as InvalidInputError).message).toContain(far);
    // every run above removed its scratch folder, this failed one too (worker threads' loader may keep its own cache here)
    expect((await readdir(scratchRoot)).filter((f) => f.startsWith('shoutu-'))).toEqual([]);
  }, 60_000);
});
