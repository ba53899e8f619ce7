/**
 * Issue 4, acceptance 2: one ground pattern delivered in a CGCS2000 Gauss–Krüger zone (EPSG:4549) and in
 * UTM 51N (EPSG:32651) lands on the area's analysis grid at the same place: the bright squares' centroids
 * agree within 0.5 pixel RMS, with each other and with where they were drawn; and the resampled values
 * agree with gdalwarp's bilinear onto the same grid.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, defaultParameters, directorySource, ingestBatch, type BlobStore, type SceneRecord } from '@shoutu/shared';
import { openGeoTiff } from '../../shared/src/raster/index.js';
import { openScene } from '../../shared/src/catalog/open-scene.js';
import { extentOf } from '../../shared/src/grid/lattice.js';
import { reprojectBatch, reprojectTruth, REPROJECT, type ReprojectTruth } from '../support/reproject-fixtures.js';

/** The declared area grid: 8 m Gauss–Krüger pixels with a (3, 5) m phase, so neither delivery lies on it. */
const GRID = { epsg: 4549, pixelSize: 8, origin: [3, 5] };
const RED = 2;

let dir: string;
let store: BlobStore;
let truth: ReprojectTruth;
let gk: SceneRecord;
let utm: SceneRecord;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoutu-reproject-'));
  store = createStore({ kind: 'local', dir: join(dir, 'data') });
  truth = await reprojectTruth();
  const params = defaultParameters();
  gk = (await ingestBatch(store, directorySource(await reprojectBatch(dir, 'rp-gk', '2023-10-01', REPROJECT.gk, { grid: GRID })), params)).scenes[0]!;
  utm = (await ingestBatch(store, directorySource(await reprojectBatch(dir, 'rp-utm', '2024-04-01', REPROJECT.utm)), params)).scenes[0]!;
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Red band of a scene over its whole placement, with the placement's origin in global lattice pixels. */
async function redPlane(record: SceneRecord): Promise<{ col0: number; row0: number; width: number; height: number; values: Float32Array }> {
  const scene = await openScene(store, record);
  try {
    const w = extentOf(record.placement);
    const planar = await scene.readWindow(w);
    return { col0: w.col, row0: w.row, width: w.width, height: w.height, values: planar.subarray(RED * w.width * w.height, (RED + 1) * w.width * w.height) };
  } finally {
    await scene.close();
  }
}

/**
 * Intensity-weighted centroid (global lattice pixel coordinates, pixel corners at integers) of the bright
 * square expected at (col, row): weights are the red values above the median of a window around it.
 */
function centroid(plane: Awaited<ReturnType<typeof redPlane>>, col: number, row: number, radius: number): [number, number] {
  const x0 = Math.floor(col - radius) - plane.col0;
  const y0 = Math.floor(row - radius) - plane.row0;
  const side = Math.ceil(2 * radius) + 1;
  const values: number[] = [];
  for (let y = y0; y < y0 + side; y++) for (let x = x0; x < x0 + side; x++) values.push(plane.values[y * plane.width + x]!);
  const median = [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  let sw = 0, sx = 0, sy = 0;
  values.forEach((v, i) => {
    const w = Math.max(0, v - median);
    sw += w;
    sx += w * (x0 + (i % side) + 0.5 + plane.col0);
    sy += w * (y0 + Math.floor(i / side) + 0.5 + plane.row0);
  });
  return [sx / sw, sy / sw];
}

const rms = (d: number[]) => Math.sqrt(d.reduce((s, v) => s + v * v, 0) / d.length);

describe('a Gauss–Krüger and a UTM delivery of one ground pattern on one area grid', () => {
  it('resamples both onto the declared grid and records how', () => {
    for (const [record, epsg] of [[gk, 4549], [utm, 32651]] as const) {
      expect(record.placement.lattice.gridId).toBe('epsg4549-8x8-p3_5-t512');
      expect(record.raster.epsg).toBe(4549);
      expect(record.file.key).toBe(`batches/${record.batchId}/resampled/scene.tif`);
      expect(record.source?.file.key).toBe(`batches/${record.batchId}/files/scene.tif`);
      expect(record.source?.raster.epsg).toBe(epsg);
      expect(record.source?.resampling.bands).toBe('bilinear');
      expect(record.source?.resampling.masks).toBe('nearest');
    }
    expect(gk.source?.resampling.transform).toEqual({ kind: 'affine' });
    expect(utm.source?.resampling.transform).toEqual({ kind: 'approximate', maxErrorPx: 0.125 });
    // 10 m source pixels onto 8 m grid pixels
    expect(gk.source?.resampling.scale).toEqual([0.8, 0.8]);
    expect(utm.source!.resampling.scale[0]).toBeCloseTo(0.8, 2);
  });

  it('puts the 25 squares at the same place from both deliveries (within 0.5 pixel RMS) and where they were drawn', async () => {
    const [a, b] = await Promise.all([redPlane(gk), redPlane(utm)]);
    const { phaseX, phaseY, pixelWidth, pixelHeight } = gk.placement.lattice;
    const radius = (truth.squareSizeM / 2 + 20) / pixelWidth;
    const between: number[] = [];
    const toTruth: number[] = [];
    for (const [x, y] of truth.squares) {
      const col = (x - phaseX) / pixelWidth;
      const row = (phaseY - y) / pixelHeight;
      const [ca, ra] = centroid(a, col, row, radius);
      const [cb, rb] = centroid(b, col, row, radius);
      between.push(Math.hypot(ca - cb, ra - rb));
      toTruth.push(Math.hypot(ca - col, ra - row), Math.hypot(cb - col, rb - row));
    }
    expect(truth.squares).toHaveLength(25);
    // measured: 0.032 px RMS between the deliveries (largest 0.063), 0.025 px RMS to the drawn positions
    expect(rms(between)).toBeLessThan(0.5);
    expect(Math.max(...between)).toBeLessThan(0.5);
    expect(rms(toTruth)).toBeLessThan(0.5);
    // and far better than the acceptance bound: a wrong datum, axis order or half-pixel shift would not pass this
    expect(rms(between)).toBeLessThan(0.1);
  });

  it('gives the values gdalwarp -r bilinear gives onto the same grid', async () => {
    const [x0, pw, , y0, , ph] = utm.raster.geoTransform;
    const te = [x0, y0 + utm.raster.height * ph, x0 + utm.raster.width * pw, y0].map(String);
    const ref = join(dir, 'gdalwarp.tif');
    execFileSync('gdalwarp', ['-q', '-overwrite', '-r', 'bilinear', '-t_srs', 'EPSG:4549', '-te', ...te, '-tr', '8', '8', '-et', '0', '-srcnodata', '0', '-dstnodata', '0', REPROJECT.utm, ref]);
    const ours = await openGeoTiff({ path: store.localPath(utm.file.key)! }, 'ours');
    const theirs = await openGeoTiff({ path: ref }, 'gdalwarp');
    const { width, height, bands } = ours.info;
    expect([theirs.info.width, theirs.info.height, theirs.info.geoTransform]).toEqual([width, height, ours.info.geoTransform]);
    const [p, q] = await Promise.all([ours.readWindowNative(0, 0, width, height), theirs.readWindowNative(0, 0, width, height)]);
    await Promise.all([ours.close(), theirs.close()]);
    const n = width * height;
    let both = 0, onlyOurs = 0, onlyTheirs = 0, maxDiff = 0, sumDiff = 0;
    for (let i = 0; i < n; i++) {
      const a = p[i] !== 0, b = q[i] !== 0;
      if (a && b) {
        both++;
        for (let k = 0; k < bands; k++) {
          const d = Math.abs(p[k * n + i]! - q[k * n + i]!);
          maxDiff = Math.max(maxDiff, d);
          sumDiff += d;
        }
      } else if (a) onlyOurs++;
      else if (b) onlyTheirs++;
    }
    // measured: 90 972 pixels (the rest is the delivery's rotated nodata corners), the same pixels valid
    // in both, |difference| at most 1 (integer rounding), mean 0.011
    expect(both).toBeGreaterThan(0.85 * n);
    expect(onlyOurs + onlyTheirs).toBe(0);
    expect(maxDiff).toBeLessThanOrEqual(1);
    expect(sumDiff / (both * bands)).toBeLessThan(0.05);
  });
});
