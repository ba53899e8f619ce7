/**
 * Satellite products and orthophotos mark the ground they do not cover with 0 in every band (Sentinel-2's
 * NO_DATA, Landsat's fill and scan-line gaps, the corners of an orthorectified scene frame, the edges of a
 * drone orthophoto without alpha), and files stacked or converted from them often lose the nodata
 * declaration. A file of integers that declares no nodata (16-bit, or 8-bit with three bands or more) has its
 * pixels that are 0 in every band left out, like nodata: checked as equivalences with the same pair stored
 * with nodata 0 declared, in shoutu detect (one thread or two, on one grid or resampled) and through ingest
 * (the same 图斑 and evidence images). Fill of another value is declared with --nodata.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultParameters, detectPair } from '@shoutu/shared';
import { ingestReport } from '../../cli/ingest-report.js';
import { coverageReport } from '../../cli/summary.js';
import { fixture } from '../support/fixtures.js';
import { runGdalScript } from '../support/gdal.js';
import { runShoutu } from '../support/cli.js';
import { alertGeometry as geometry, expectSameDetection as same, ingestTaizhouEpochs, sameEvidence } from '../support/equivalence.js';

/**
 * From a fixture scene, its blue, green, red and nir bands as uint16 (16 × the 8-bit value + 1, so no
 * sample of the imagery is 0), with a region set to 0 in every band: `fill` (no nodata declared),
 * `nodata` (nodata 0 declared) or `declared` (nodata 65535 declared: the zeros are then data). As uint8 (the
 * values clipped to 1…254): `fill8` and `nodata8` the same as `fill` and `nodata`; `white8` and
 * `nodata255` with the region 255 instead, declaring nothing and 255. `srs` other than "same": the bands
 * warped there first (nearest), the region cut in the warped pixels.
 */
const MAKE = `
import sys
import numpy as np
from osgeo import gdal
src, out, kind, srs, region = sys.argv[1:6]
ds = gdal.Translate('/vsimem/four.tif', src, bandList=[1, 2, 3, 4])
if srs != 'same':
    ds = gdal.Warp('/vsimem/warped.tif', ds, dstSRS=srs, resampleAlg='near', dstNodata=0)
eight = kind in ('fill8', 'nodata8', 'white8', 'nodata255')
value = 255 if kind in ('white8', 'nodata255') else 0
bands = np.clip(ds.ReadAsArray(), 1, 254).astype(np.uint8) if eight else ds.ReadAsArray().astype(np.uint16) * 16 + 1
h, w = bands.shape[1:]
yy, xx = np.mgrid[0:h, 0:w]
x0, y0, x1 = [float(v) for v in region.split(',')]
hidden = (xx < x0 * w) | ((yy < y0 * h) & (xx < x1 * w))
if srs != 'same':
    hidden |= (ds.GetRasterBand(1).ReadAsArray() == 0)
bands[:, hidden] = value
o = gdal.GetDriverByName('GTiff').Create(out, w, h, 4, gdal.GDT_Byte if eight else gdal.GDT_UInt16, ['TILED=YES', 'COMPRESS=DEFLATE', 'PREDICTOR=2', 'PHOTOMETRIC=MINISBLACK'])
o.SetGeoTransform(ds.GetGeoTransform())
o.SetProjection(ds.GetProjection())
for b in range(4):
    o.GetRasterBand(b + 1).WriteArray(bands[b])
    if kind in ('nodata', 'nodata8', 'declared', 'nodata255'):
        o.GetRasterBand(b + 1).SetNoDataValue({'declared': 65535, 'nodata255': 255}.get(kind, 0))
o = None
`;

type Kind = 'fill' | 'nodata' | 'declared' | 'fill8' | 'nodata8' | 'white8' | 'nodata255';
let dir: string;
const make = (epoch: string, kind: Kind, region: string, srs = 'same') => {
  const path = join(dir, `${epoch}-${kind}-${srs.replace(':', '')}.tif`);
  runGdalScript(MAKE, [fixture('taizhou', epoch, 'scene.tif'), path, kind, srs, region]);
  return { path };
};
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shoutu-fill-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The before file misses a strip on the west (outside its scene frame), the after file a corner block.
const BEFORE_HIDDEN = '0.1,0,0';
const AFTER_HIDDEN = '0,0.35,0.5';
const BANDS = ['blue', 'green', 'red', 'nir'] as const;

let ingests = 0;
/** A store holding the fixture's two epochs as `kind` files (batch.json's bands: blue, green, red, nir), and each batch's results. */
const ingestAs = (kind: Kind, afterSrs = 'same') =>
  ingestTaizhouEpochs(dir, `${kind}-${++ingests}`, (date, k) => make(date, kind, k === 0 ? BEFORE_HIDDEN : AFTER_HIDDEN, k === 0 ? 'same' : afterSrs).path, { bands: BANDS });

describe('fill: 0 in every band of a file that declares no nodata', () => {
  it('is left out of a pair like nodata: the bytes of the pair with nodata 0 declared, with one thread or two', async () => {
    const parameters = defaultParameters({ tileSize: 128 });
    const fill = await detectPair({ before: make('2000-03-17', 'fill', BEFORE_HIDDEN), after: make('2003-02-06', 'fill', AFTER_HIDDEN), parameters });
    expect(fill.summary.uncovered).toEqual({ before: { fill: 0 }, after: { fill: 0 } });
    const nodata = await detectPair({ before: make('2000-03-17', 'nodata', BEFORE_HIDDEN), after: make('2003-02-06', 'nodata', AFTER_HIDDEN), parameters });
    expect(nodata.summary).not.toHaveProperty('uncovered');
    same(fill, nodata);
    // the fill is a good share of the pair, and none of it is valid
    const { width, height } = fill.summary;
    expect(fill.summary.validPixels).toBeLessThan(0.8 * width * height);
    expect(fill.patches.length).toBeGreaterThan(0);
    same(await detectPair({ before: make('2000-03-17', 'fill', BEFORE_HIDDEN), after: make('2003-02-06', 'fill', AFTER_HIDDEN), parameters, threads: 2 }), nodata);
  });

  it('is compared as data once the file declares another nodata value', async () => {
    const parameters = defaultParameters({ tileSize: 128 });
    const declared = await detectPair({ before: make('2000-03-17', 'declared', BEFORE_HIDDEN), after: make('2003-02-06', 'declared', AFTER_HIDDEN), parameters });
    expect(declared.summary).not.toHaveProperty('uncovered');
    const { width, height } = declared.summary;
    expect(declared.summary.validPixels).toBe(width * height);
    // the zeros of one epoch against the other's ground: change along the frames' edges
    const fill = await detectPair({ before: make('2000-03-17', 'fill', BEFORE_HIDDEN), after: make('2003-02-06', 'fill', AFTER_HIDDEN), parameters });
    expect(declared.summary.changedPixels).toBeGreaterThan(fill.summary.changedPixels + 0.1 * width * height);
  });

  it('an after file on another grid is resampled without blending its fill in', async () => {
    const parameters = defaultParameters();
    const before = make('2000-03-17', 'nodata', BEFORE_HIDDEN);
    const fill = await detectPair({ before, after: make('2003-02-06', 'fill', AFTER_HIDDEN, 'EPSG:4326'), parameters });
    const nodata = await detectPair({ before, after: make('2003-02-06', 'nodata', AFTER_HIDDEN, 'EPSG:4326'), parameters });
    expect(fill.summary.resampled?.after.coveredPixels).toBe(nodata.summary.resampled?.after.coveredPixels);
    same(fill, nodata);
    // summary.json says which file the rule applied to; stdout does not repeat a convention of every such file
    const out = join(dir, 'cli-out');
    const cli = runShoutu(['detect', '--before', make('2000-03-17', 'fill', BEFORE_HIDDEN).path, '--after', make('2003-02-06', 'nodata', AFTER_HIDDEN).path, '--out', out]);
    expect(cli.status).toBe(0);
    expect(JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')).uncovered).toEqual({ before: { fill: 0 } });
    expect(cli.stdout).not.toContain('ground its');
  });

  it('holds for 8-bit files of three bands or more: the bytes of the pair with nodata 0 declared', async () => {
    const parameters = defaultParameters({ tileSize: 128 });
    const fill = await detectPair({ before: make('2000-03-17', 'fill8', BEFORE_HIDDEN), after: make('2003-02-06', 'fill8', AFTER_HIDDEN), parameters, threads: 2 });
    expect(fill.summary.uncovered).toEqual({ before: { fill: 0 }, after: { fill: 0 } });
    same(fill, await detectPair({ before: make('2000-03-17', 'nodata8', BEFORE_HIDDEN), after: make('2003-02-06', 'nodata8', AFTER_HIDDEN), parameters }));
  });

  it('fill of another value is declared with --nodata (--before-nodata / --after-nodata one file each), on one grid or resampled', async () => {
    const parameters = defaultParameters({ tileSize: 128 });
    const white = { before: make('2000-03-17', 'white8', BEFORE_HIDDEN), after: make('2003-02-06', 'white8', AFTER_HIDDEN) };
    const nodata = await detectPair({ before: make('2000-03-17', 'nodata255', BEFORE_HIDDEN), after: make('2003-02-06', 'nodata255', AFTER_HIDDEN), parameters });
    const undeclared = await detectPair({ ...white, parameters });
    expect(undeclared.summary.validPixels).toBe(undeclared.summary.width * undeclared.summary.height);
    const declared = await detectPair({ ...white, parameters, validity: { nodata: { before: 255, after: 255 } }, threads: 2 });
    expect(declared.summary.nodata).toEqual({ before: 255, after: 255 });
    // a declared nodata turns the fill rule off
    expect(declared.summary).not.toHaveProperty('uncovered');
    same(declared, nodata);
    const before = make('2000-03-17', 'nodata255', BEFORE_HIDDEN);
    same(
      await detectPair({ before, after: make('2003-02-06', 'white8', AFTER_HIDDEN, 'EPSG:4326'), parameters: defaultParameters(), validity: { nodata: { after: 255 } }, threads: 2 }),
      await detectPair({ before, after: make('2003-02-06', 'nodata255', AFTER_HIDDEN, 'EPSG:4326'), parameters: defaultParameters() }),
    );
    const out = join(dir, 'cli-nodata');
    const cli = runShoutu(['detect', '--before', white.before.path, '--after', white.after.path, '--nodata', '255', '--out', out, '--tile-size', '128']);
    expect(cli.status).toBe(0);
    expect(Buffer.from(await readFile(join(out, 'change.tif'))).equals(Buffer.from(nodata.changeTif))).toBe(true);
    expect(JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')).nodata).toEqual({ before: 255, after: 255 });
    const bad = runShoutu(['detect', '--before', white.before.path, '--after', white.after.path, '--nodata', 'white', '--out', out]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--nodata: "white" is not a number');
    const both = runShoutu(['detect', '--before', white.before.path, '--after', white.after.path, '--nodata', '255', '--after-nodata', '255', '--out', out]);
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('--nodata declares both files');
  });

  it('ingest records the rule, and the 图斑 and evidence images are those of the epochs with nodata 0 declared', async () => {
    const fill = await ingestAs('fill');
    const nodata = await ingestAs('nodata');
    const [first, second] = fill.results;
    expect(first!.ingest.scenes[0]!.validity).toEqual({ fill: 0 });
    expect(nodata.results[0]!.ingest.scenes[0]!.validity).toBeUndefined();
    expect(ingestReport(first!.ingest, { files: 1, bytes: 0 })).not.toContain('does not cover');
    expect(second!.ingest.tiles.length).toBeGreaterThan(0);
    expect(geometry(second!.finalize.alerts)).toBe(geometry(nodata.results[1]!.finalize.alerts));
    await sameEvidence(fill.store, nodata.store, second!.finalize.alerts);
    // the ground not examined, and which epoch hid it: as with nodata declared, and as shoutu detect finds it
    const figures = (c: { examinedMu: number; beforeUnusableMu: number; afterUnusableMu: number }) => [c.examinedMu, c.beforeUnusableMu, c.afterUnusableMu];
    const [pair] = second!.finalize.coverage;
    expect(figures(pair!)).toEqual(figures(nodata.results[1]!.finalize.coverage[0]!));
    expect(pair!.beforeUnusableMu).toBeGreaterThan(0);
    expect(pair!.afterUnusableMu).toBeGreaterThan(0);
    expect(coverageReport(second!.finalize.coverage, (id) => id)).toContain(
      `; unusable in the before epoch over ${pair!.beforeUnusableMu.toFixed(2)} 亩, in the after epoch over ${pair!.afterUnusableMu.toFixed(2)} 亩\n`,
    );
    const detected = await detectPair({ before: make('2000-03-17', 'fill', BEFORE_HIDDEN), after: make('2003-02-06', 'fill', AFTER_HIDDEN), bands: [...BANDS], parameters: defaultParameters() });
    figures(detected.summary.coverage).forEach((mu, i) => expect(figures(pair!)[i]).toBeCloseTo(mu, 0));
  });

  it('ingest resamples an epoch with fill onto the area grid without blending the fill in: the 图斑 of the epoch with nodata 0 declared', async () => {
    const fill = await ingestAs('fill', 'EPSG:4326');
    const nodata = await ingestAs('nodata', 'EPSG:4326');
    const scene = fill.results[1]!.ingest.scenes[0]!;
    expect(scene.source).toBeDefined(); // resampled onto the first epoch's grid
    expect(scene.validity).toEqual({ fill: 0 });
    expect(fill.results[1]!.finalize.alerts.length).toBeGreaterThan(0);
    expect(geometry(fill.results[1]!.finalize.alerts)).toBe(geometry(nodata.results[1]!.finalize.alerts));
    await sameEvidence(fill.store, nodata.store, fill.results[1]!.finalize.alerts);
  });
});
