/**
 * The registration check of `shoutu detect`: a pair whose after file is offset from the before file gets
 * flagged change along every edge, so the offset is measured on the sampled blocks (docs/detection.md,
 * step 0), recorded in summary.json and, from half a pixel, named in a warning.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultParameters, detectPair, stacItemOf } from '@shoutu/shared';
import { fixture } from '../support/fixtures.js';
import { runGdalScript, writeCloudMask } from '../support/gdal.js';
import { runShoutu } from '../support/cli.js';
import { alertGeometry, expectSameDetection as same, ingestTaizhouEpochs, sameEvidence } from '../support/equivalence.js';
import { ingestReport } from '../../cli/ingest-report.js';

/** The after scene's pixels moved by (dx, dy) (np.roll), its georeferencing kept: a misregistered copy. */
const SHIFT = `
import sys
import numpy as np
from osgeo import gdal
src, out, dx, dy = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
ds = gdal.Open(src)
o = gdal.GetDriverByName('GTiff').CreateCopy(out, ds)
for b in range(ds.RasterCount):
    o.GetRasterBand(b + 1).WriteArray(np.roll(ds.GetRasterBand(b + 1).ReadAsArray(), (dy, dx), axis=(0, 1)))
o = None
`;

/** A copy of the file with its geotransform's origin moved by (−dx, −dy) pixels: co-registration by hand. */
const GEOREFERENCE = `
import sys
from osgeo import gdal
src, out, dx, dy = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
o = gdal.GetDriverByName('GTiff').CreateCopy(out, gdal.Open(src))
x0, a, b, y0, d, e = o.GetGeoTransform()
o.SetGeoTransform((x0 - dx * a, a, b, y0 - dy * e, d, e))
o = None
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shoutu-registration-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const before = { path: fixture('taizhou', '2000-03-17', 'scene.tif') };
const georeferenced = (path: string, dx: number, dy: number) => {
  const out = path.replace(/\.tif$/, '-georeferenced.tif');
  runGdalScript(GEOREFERENCE, [path, out, String(dx), String(dy)]);
  return { path: out };
};
const shifted = (dx: number, dy: number) => {
  const path = join(dir, `after-${dx}-${dy}.tif`);
  runGdalScript(SHIFT, [fixture('taizhou', '2003-02-06', 'scene.tif'), path, String(dx), String(dy)]);
  return { path };
};

describe('registration check', () => {
  it('finds the co-registered fixture pair aligned, and says nothing', async () => {
    const warnings: string[] = [];
    const r = await detectPair({ before, after: { path: fixture('taizhou', '2003-02-06', 'scene.tif') }, parameters: defaultParameters(), warn: (m) => warnings.push(m) });
    const { shift, regions, resolved } = r.summary.registration;
    expect(regions).toBeGreaterThanOrEqual(3);
    expect(resolved).toBe(regions);
    expect(Math.abs(shift![0])).toBeLessThan(0.2);
    expect(Math.abs(shift![1])).toBeLessThan(0.2);
    expect(warnings.filter((w) => w.includes('offset'))).toEqual([]);
  });

  it('co-registers an after file moved by two columns and one row: the bytes of the file with its georeferencing corrected, told and recorded', async () => {
    const after = shifted(2, -1);
    const warnings: string[] = [];
    const r = await detectPair({ before, after, parameters: defaultParameters(), warn: (m) => warnings.push(m) });
    const { corrected, shift } = r.summary.registration;
    expect(corrected!.shift).toEqual([2, -1]);
    expect(Math.abs(corrected!.measured[0] - 2)).toBeLessThan(0.15);
    expect(Math.abs(corrected!.measured[1] + 1)).toBeLessThan(0.15);
    // checked again as read: aligned
    expect(Math.abs(shift![0])).toBeLessThan(0.2);
    expect(Math.abs(shift![1])).toBeLessThan(0.2);
    expect(r.summary.shifted).toEqual({ after: { grid: 'before', offset: [-2, 1], coveredPixels: 398 * 399 } });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /after-2--1\.tif looks offset from .*scene\.tif by [12]\.\d+ column\(s\) and -[01]\.\d+ row\(s\): co-registered by reading it 2 column\(s\) and -1 row\(s\) over \(offset left: /,
    );
    // the same as the moved file with its geotransform moved back by hand, compared as delivered
    const mended = georeferenced(after.path, 2, -1);
    const reference = await detectPair({ before, after: mended, parameters: defaultParameters(), coregister: false });
    expect(reference.summary.registration).not.toHaveProperty('corrected');
    same(r, reference);
    // and about as good as the pair as delivered (the two columns and a row the move took out aside)
    const aligned = await detectPair({ before, after: { path: fixture('taizhou', '2003-02-06', 'scene.tif') }, parameters: defaultParameters() });
    expect(Math.abs(r.summary.changedPixels - aligned.summary.changedPixels)).toBeLessThan(0.01 * aligned.summary.changedPixels);
    // --no-coregister compares the files as delivered: change along every edge
    const asDelivered = await detectPair({ before, after, parameters: defaultParameters(), coregister: false, warn: (m) => warnings.push(m) });
    expect(asDelivered.summary.registration).not.toHaveProperty('corrected');
    expect(asDelivered.summary.registration.shift![0]).toBeGreaterThan(1.8);
    expect(asDelivered.summary.changedPixels).toBeGreaterThan(1.3 * aligned.summary.changedPixels);
    expect(warnings[1]).toContain('not corrected (--no-coregister)');

    const out = join(dir, 'cli');
    const cli = runShoutu(['detect', '--before', before.path, '--after', after.path, '--out', out]);
    expect(cli.status).toBe(0);
    expect(cli.stderr).toContain('co-registered by reading it 2 column(s) and -1 row(s) over');
    expect(cli.stdout).toMatch(/after-2--1\.tif: co-registered to .*scene\.tif, read 2 column\(s\) and -1 row\(s\) over \(offset measured /);
    expect(JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')).registration).toEqual(r.summary.registration);
    const plain = runShoutu(['detect', '--before', before.path, '--after', after.path, '--out', join(dir, 'cli-plain'), '--no-coregister']);
    expect(plain.status).toBe(0);
    expect(plain.stderr).toContain('not corrected (--no-coregister)');
  });

  it('reads the after file\'s cloud mask over with it, in every thread: the bytes of both georeferenced by hand', async () => {
    writeCloudMask(fixture('taizhou', '2003-02-06', 'scene.tif'), join(dir, 'clouds.tif'), [150, 190], [200, 260]);
    const after = shifted(1, 2);
    const clouds = { path: join(dir, 'clouds-1-2.tif') };
    runGdalScript(SHIFT, [join(dir, 'clouds.tif'), clouds.path, '1', '2']);
    const parameters = defaultParameters({ tileSize: 128 });
    const run = (a: { path: string }, mask: { path: string }, threads: number, coregister = true) =>
      detectPair({ before, after: a, validity: { cloudMask: { after: mask } }, parameters, threads, coregister });
    const one = await run(after, clouds, 1);
    expect(one.summary.registration.corrected!.shift).toEqual([1, 2]);
    const two = await run(after, clouds, 2);
    expect(two.summary.registration).toEqual(one.summary.registration);
    same(two, one);
    const reference = await run(georeferenced(after.path, 1, 2), georeferenced(clouds.path, 1, 2), 2, false);
    same(one, reference);
    // the cloud is left out where it lies: as many valid pixels as with the mask read in place
    expect(one.summary.validPixels).toBe(reference.summary.validPixels);
  });

  it('finds an offset beyond the fine search at a quarter of the resolution, and corrects it', async () => {
    const warnings: string[] = [];
    const r = await detectPair({ before, after: shifted(-17, 9), parameters: defaultParameters(), warn: (m) => warnings.push(m) });
    const { corrected, shift } = r.summary.registration;
    expect(corrected).toMatchObject({ shift: [-17, 9], coarse: true });
    expect(Math.abs(corrected!.measured[0] + 17)).toBeLessThan(1);
    expect(Math.abs(corrected!.measured[1] - 9)).toBeLessThan(1);
    expect(Math.abs(shift![0])).toBeLessThan(0.2);
    expect(Math.abs(shift![1])).toBeLessThan(0.2);
    expect(warnings.join('\n')).toContain('co-registered by reading it -17 column(s) and 9 row(s) over');
    // the same as the file mended by hand
    same(r, await detectPair({ before, after: georeferenced(shifted(-17, 9).path, -17, 9), parameters: defaultParameters(), coregister: false }));
    // compared as delivered, the coarse check is what names the offset
    const asDelivered = await detectPair({ before, after: shifted(-17, 9), parameters: defaultParameters(), coregister: false, warn: (m) => warnings.push(m) });
    expect(asDelivered.summary.registration.coarse).toEqual(corrected!.measured);
    expect(warnings.at(-1)).toMatch(/by -1\d\.\d+ column\(s\) and [89]\.\d+ row\(s\) \(by the sampled blocks at a quarter of their resolution\); not corrected \(--no-coregister\)/);
  });

  it('claims nothing for an offset beyond both searches: no region agrees', async () => {
    const warnings: string[] = [];
    const r = await detectPair({ before, after: shifted(40, 0), parameters: defaultParameters(), warn: (m) => warnings.push(m) });
    expect(r.summary.registration.shift).toBeNull();
    expect(r.summary.registration).not.toHaveProperty('coarse');
    expect(r.summary.registration).not.toHaveProperty('corrected');
    expect(warnings.filter((w) => w.includes('offset'))).toEqual([]);
  });
});

describe('registration check at ingest', () => {
  it('co-registers a scene offset from the earlier epoch: the 图斑 and evidence of the scene georeferenced by hand, listed in the report and the batch status', async () => {
    const aligned = await ingestTaizhouEpochs(dir, 'aligned', (date) => fixture('taizhou', date, 'scene.tif'), {});
    expect(aligned.results[1]!.ingest.offsets).toEqual([]);
    expect(aligned.results[1]!.ingest.coregistered).toEqual([]);
    expect(aligned.results[1]!.ingest.scenes[0]).not.toHaveProperty('coregistration');
    expect(ingestReport(aligned.results[1]!.ingest, { files: 1, bytes: 0 })).not.toMatch(/looks offset|co-registered/);

    const movedFile = shifted(2, 0).path;
    const moved = await ingestTaizhouEpochs(dir, 'moved', (date, k) => (k === 0 ? fixture('taizhou', date, 'scene.tif') : movedFile), {});
    const ingest = moved.results[1]!.ingest;
    expect(ingest.offsets).toEqual([]);
    expect(ingest.coregistered).toHaveLength(1);
    const [c] = ingest.coregistered;
    const scene = ingest.scenes[0]!;
    expect(c).toMatchObject({ sceneId: scene.sceneId, baselineSceneId: moved.results[0]!.ingest.scenes[0]!.sceneId, shift: [2, 0] });
    expect(Math.abs(c!.measured[0] - 2)).toBeLessThan(0.15);
    expect(Math.abs(c!.measured[1])).toBeLessThan(0.15);
    // the record: placement moved two columns west of where the file's geotransform puts it
    const { sceneId: _id, ...coregistration } = c!;
    expect(scene.coregistration).toEqual(coregistration);
    expect(scene.placement.col0).toBe(aligned.results[1]!.ingest.scenes[0]!.placement.col0 - 2);
    expect(scene.placement.row0).toBe(aligned.results[1]!.ingest.scenes[0]!.placement.row0);
    const status = JSON.parse(new TextDecoder().decode(await moved.store.get(`batches/${ingest.batchId}/status.json`))) as { offsets?: unknown; coregistered: unknown };
    expect(status.coregistered).toEqual(ingest.coregistered);
    expect(status).not.toHaveProperty('offsets');
    expect(ingestReport(ingest, { files: 1, bytes: 0 })).toMatch(
      /\n {2}co-registered to the earlier epoch \(offset by half a pixel or more as delivered: read whole pixels over\)\n {4}scene\.tif against [\w-.]+: offset 1\.9\d column\(s\) and -?0(\.\d+)? row\(s\), read 2 column\(s\) and 0 row\(s\) over\n/,
    );

    // the same 图斑 and evidence as the moved file with its geotransform mended by hand
    const mendedFile = georeferenced(movedFile, 2, 0).path;
    const mended = await ingestTaizhouEpochs(dir, 'mended', (date, k) => (k === 0 ? fixture('taizhou', date, 'scene.tif') : mendedFile), {});
    expect(mended.results[1]!.ingest.coregistered).toEqual([]);
    const alerts = moved.results[1]!.finalize.alerts;
    expect(alerts.length).toBeGreaterThan(0);
    expect(alertGeometry(alerts)).toBe(alertGeometry(mended.results[1]!.finalize.alerts));
    await sameEvidence(moved.store, mended.store, alerts);
    // its STAC Item puts the pixels where they are read, and says why
    const item = stacItemOf(scene);
    const mendedItem = stacItemOf(mended.results[1]!.ingest.scenes[0]!);
    expect(item.geometry).toEqual(mendedItem.geometry);
    expect(item.properties['proj:transform']).toEqual(mendedItem.properties['proj:transform']);
    expect(item.properties['proj:bbox']).toEqual(mendedItem.properties['proj:bbox']);
    expect(item.properties['shoutu:coregistration']).toEqual(scene.coregistration);
  });

  it('with "coregister": false in batch.json, lists the offset scene in the report and the batch status and compares it as delivered', async () => {
    const moved = await ingestTaizhouEpochs(dir, 'as-delivered', (date, k) => (k === 0 ? fixture('taizhou', date, 'scene.tif') : shifted(2, 0).path), { coregister: false });
    const ingest = moved.results[1]!.ingest;
    expect(ingest.coregistered).toEqual([]);
    expect(ingest.scenes[0]).not.toHaveProperty('coregistration');
    expect(ingest.offsets).toHaveLength(1);
    const [offset] = ingest.offsets;
    expect(offset).toMatchObject({ tiles: ingest.tiles.length });
    expect(Math.abs(offset!.shift[0] - 2)).toBeLessThan(0.15);
    expect(Math.abs(offset!.shift[1])).toBeLessThan(0.15);
    expect(ingest.scenes[0]!.placement).toEqual(moved.results[0]!.ingest.scenes[0]!.placement); // where its geotransform puts it: on the earlier scene
    const status = JSON.parse(new TextDecoder().decode(await moved.store.get(`batches/${ingest.batchId}/status.json`))) as { offsets: unknown };
    expect(status.offsets).toEqual(ingest.offsets);
    expect(ingestReport(ingest, { files: 1, bytes: 0 })).toMatch(
      /\n {2}looks offset from the earlier epoch \(co-register the scenes: an offset reads as change along every edge\)\n {4}scene\.tif against [\w-.]+, \d+ tile\(s\): by 1\.9\d column\(s\) and -?0(\.\d+)? row\(s\)\n/,
    );
  });
});
