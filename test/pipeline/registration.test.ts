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
import { defaultParameters, detectPair } from '@shoutu/shared';
import { fixture } from '../support/fixtures.js';
import { runGdalScript } from '../support/gdal.js';
import { runShoutu } from '../support/cli.js';
import { ingestTaizhouEpochs } from '../support/equivalence.js';
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

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shoutu-registration-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const before = { path: fixture('taizhou', '2000-03-17', 'scene.tif') };
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

  it('measures an after file moved by two columns and one row, warns of it, and records it in summary.json', async () => {
    const after = shifted(2, -1);
    const warnings: string[] = [];
    const r = await detectPair({ before, after, parameters: defaultParameters(), warn: (m) => warnings.push(m) });
    const [dx, dy] = r.summary.registration.shift!;
    expect(Math.abs(dx - 2)).toBeLessThan(0.15);
    expect(Math.abs(dy + 1)).toBeLessThan(0.15);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/after-2--1\.tif looks offset from .*scene\.tif by 1\.\d+ column\(s\) and -[01]\.\d+ row\(s\) \(median of \d+ of \d+ regions of the sampled blocks\): co-register the files/);
    const out = join(dir, 'cli');
    const cli = runShoutu(['detect', '--before', before.path, '--after', after.path, '--out', out]);
    expect(cli.status).toBe(0);
    expect(cli.stderr).toContain('looks offset from');
    expect(JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')).registration).toEqual(r.summary.registration);
  });

  it('says "at least" for an offset beyond the search window', async () => {
    const warnings: string[] = [];
    const r = await detectPair({ before, after: shifted(6, 0), parameters: defaultParameters(), warn: (m) => warnings.push(m) });
    expect(r.summary.registration.beyond).toBe(true);
    expect(r.summary.registration.shift![0]).toBe(3);
    expect(warnings.join('\n')).toContain('by at least 3 column(s)');
  });
});

describe('registration check at ingest', () => {
  it('lists a scene offset from the earlier epoch in the report and the batch status, and not an aligned one', async () => {
    const aligned = await ingestTaizhouEpochs(dir, 'aligned', (date) => fixture('taizhou', date, 'scene.tif'), {});
    expect(aligned.results[1]!.ingest.offsets).toEqual([]);
    expect(ingestReport(aligned.results[1]!.ingest, { files: 1, bytes: 0 })).not.toContain('looks offset');
    const moved = await ingestTaizhouEpochs(dir, 'moved', (date, k) => (k === 0 ? fixture('taizhou', date, 'scene.tif') : shifted(2, 0).path), {});
    const ingest = moved.results[1]!.ingest;
    expect(ingest.offsets).toHaveLength(1);
    const [offset] = ingest.offsets;
    expect(offset!.tiles).toBe(ingest.tiles.length);
    expect(Math.abs(offset!.shift[0] - 2)).toBeLessThan(0.15);
    expect(Math.abs(offset!.shift[1])).toBeLessThan(0.15);
    const status = JSON.parse(new TextDecoder().decode(await moved.store.get(`batches/${ingest.batchId}/status.json`))) as { offsets: unknown };
    expect(status.offsets).toEqual(ingest.offsets);
    expect(ingestReport(ingest, { files: 1, bytes: 0 })).toMatch(
      /\n {2}looks offset from the earlier epoch \(co-register the scenes: an offset reads as change along every edge\)\n {4}scene\.tif against [\w-.]+, \d+ tile\(s\): by 1\.9\d column\(s\) and -?0(\.\d+)? row\(s\)\n/,
    );
  });
});
