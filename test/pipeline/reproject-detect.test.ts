/**
 * Detection on a resampled pair, end to end: the baseline delivered in a Gauss–Krüger zone fixes the
 * area's grid, the new epoch arrives in UTM with two planted changes, is resampled onto that grid, and the
 * changes are found where they were planted; the run replays byte for byte.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, defaultParameters, directorySource, keys, replayRun, runBatch, RunRecord, type AlertFeature, type BlobStore } from '@shoutu/shared';
import { transformCoords } from '../../shared/src/geo/crs.js';
import { reprojectBatch, reprojectTruth, REPROJECT, type ReprojectTruth } from '../support/reproject-fixtures.js';

let dir: string;
let store: BlobStore;
let truth: ReprojectTruth;
let alerts: AlertFeature[];
/** EPSG:4549 metres of a WGS 84 lon, lat. */
function inGk([lon, lat]: readonly number[]): [number, number] {
  const p = new Float64Array([lon!, lat!]);
  transformCoords(4326, 4549, p);
  return [p[0]!, p[1]!];
}
const json = async <T>(key: string) => JSON.parse(Buffer.from(await store.get(key)).toString('utf8')) as T;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoutu-reproject-detect-'));
  store = createStore({ kind: 'local', dir: join(dir, 'data') });
  truth = await reprojectTruth();
  const params = defaultParameters({ alertOn: 'all' });
  const first = await runBatch(store, directorySource(await reprojectBatch(dir, 'gk-2023-10', '2023-10-01', REPROJECT.gk)), params);
  expect(first.ingest.tiles).toHaveLength(0);
  await runBatch(store, directorySource(await reprojectBatch(dir, 'utm-2024-04', '2024-04-01', REPROJECT.utmChange)), params);
  alerts = (await json<{ features: AlertFeature[] }>(keys.batchAlerts('utm-2024-04'))).features;
}, 180_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('detection on a Gauss–Krüger baseline and a UTM epoch resampled onto its grid', () => {
  it('fixes the area grid from the first scene and resamples the UTM epoch onto it', async () => {
    const area = await json<{ lattice: { gridId: string }; fixedBy: { how: string; batchId: string } }>(keys.area('320505'));
    expect(area.lattice.gridId).toBe('epsg4549-10x10-p0_0-t512');
    expect(area.fixedBy).toMatchObject({ how: 'first-scene', batchId: 'gk-2023-10' });
    const scene = await json<{ file: { key: string }; source?: { raster: { epsg: number } } }>(keys.scene('utm-2024-04.scene'));
    expect(scene.file.key).toBe('batches/utm-2024-04/resampled/scene.tif');
    expect(scene.source?.raster.epsg).toBe(32651);
    const baseline = await json<{ source?: unknown; file: { key: string } }>(keys.scene('gk-2023-10.scene'));
    expect(baseline.source).toBeUndefined();
    expect(baseline.file.key).toBe('batches/gk-2023-10/files/scene.tif');
  });

  it('finds the planted building block and pond where they were planted, with the highest change scores', () => {
    const planted = Object.entries(truth.changes).map(([type, r]) => {
      const alert = alerts.find((a) => a.properties.changeType === type);
      expect(alert, type).toBeDefined();
      // centroid within 1.5 pixels (15 m) of the planted rectangle's centre: the epoch was resampled
      // across CRSs, so each edge of a planted rectangle is a row of mixed pixels, and a mixed pixel that
      // is still vegetated in the after epoch (NDVI of a water/crop mix follows the crop) is seasonal, not
      // change; the pond's patch is the planted rectangle shifted one row (measured: 12.7 m)
      const [x, y] = inGk(alert!.properties.centroid);
      expect(Math.hypot(x - (r.minX + r.maxX) / 2, y - (r.minY + r.maxY) / 2), type).toBeLessThan(15);
      // at least the planted 120 × 90 m, at most that grown by 1.5 pixels on every side (the mixed pixels at its edges)
      const [w, h] = [r.maxX - r.minX, r.maxY - r.minY];
      expect(alert!.properties.areaM2, type).toBeGreaterThan(0.85 * w * h);
      expect(alert!.properties.areaM2, type).toBeLessThan((w + 30) * (h + 30));
      return alert!;
    });
    const others = alerts.filter((a) => !planted.includes(a));
    const weakestPlanted = Math.min(...planted.map((a) => a.properties.changeScore));
    for (const a of others) expect(a.properties.changeScore).toBeLessThan(weakestPlanted / 2);
    // The rest are mixed pixels around the 0.3-reflectance squares: the resampled epoch is smoother at such
    // high-contrast edges than the baseline on its own grid (docs/ingest.md). Each lies on a square's outline.
    for (const a of others) {
      const [x, y] = inGk(a.properties.centroid);
      const nearest = Math.min(...truth.squares.map(([sx, sy]) => Math.hypot(x - sx, y - sy)));
      expect(nearest).toBeLessThan(truth.squareSizeM / 2 + 15);
      expect(a.properties.areaM2).toBeLessThan(10_000);
    }
  });

  it('records the original files as inputs and the resampled file as an output, and replays byte-identically', async () => {
    const recordBytes = await store.get(keys.runRecord('utm-2024-04'));
    const record = RunRecord.parse(JSON.parse(Buffer.from(recordBytes).toString('utf8')));
    const inputs = record.inputs.map((i) => [i.role, i.key]);
    expect(inputs).toContainEqual(['scene', 'batches/utm-2024-04/files/scene.tif']);
    expect(inputs).toContainEqual(['baseline-scene', 'batches/gk-2023-10/files/scene.tif']);
    expect(inputs).toContainEqual(['area', 'areas/320505.json']);
    expect(record.outputs.map((o) => o.key)).toContain('batches/utm-2024-04/resampled/scene.tif');
    const report = await replayRun(store, recordBytes, 'run.json');
    expect(report.differences).toEqual([]);
  }, 120_000);
});
