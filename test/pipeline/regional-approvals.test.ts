/**
 * Approval layers of regions: a batch of county 321202 is judged against the deployment-wide layer and the
 * layers of its province (320000), city (321200) and itself, which add up; another county's layer (321203)
 * does not apply. The pins are recorded on the batch and in its run record, and a replay pins them again,
 * also after a layer was withdrawn. Four synthetic sites of 16 × 16 pixels (10 m, UTM 51N):
 *   S1 covered by the deployment-wide layer;
 *   S2 covered by the province's layer;
 *   S3 its left half covered by the city's layer, its right half by the county's → covered whole;
 *   S4 its left half covered by the county's layer, its right half by the neighbouring county's → half.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  approvalsFor,
  clearRegionalApprovals,
  createStore,
  defaultParameters,
  directorySource,
  keys,
  listRegionalApprovals,
  readBatchStatus,
  replayRun,
  runBatch,
  setCurrentApprovals,
  setRegionalApprovals,
  type AlertFeature,
  type BlobStore,
} from '@shoutu/shared';
import { rectangle, siteScene as scene, SITES_CRS as CRS, tubanAt, type Rect } from '../support/synthetic-sites.js';

const SITES: Record<'S1' | 'S2' | 'S3' | 'S4', Rect> = { S1: [20, 20, 36, 36], S2: [20, 70, 36, 86], S3: [70, 70, 86, 86], S4: [70, 20, 86, 36] };
const COUNTY = '321202';

/** An approval layer of one feature per rectangle (pixels, with the approval's number). */
function layer(...approvals: Array<[number: string, rect: Rect]>): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({
      type: 'FeatureCollection',
      crs: CRS,
      features: approvals.map(([number, [x0, y0, x1, y1]]) => ({
        type: 'Feature',
        properties: { number, kind: 'land_conversion', validFrom: '2024-01-01', validTo: null },
        geometry: { type: 'Polygon', coordinates: rectangle(x0, y0, x1, y1) },
      })),
    }),
  );
}

let dir: string;
let store: BlobStore;
let alerts: AlertFeature[];

async function runEpoch(batchId: string, date: string, built: readonly Rect[]): Promise<AlertFeature[]> {
  const batchDir = join(dir, 'incoming', batchId);
  await mkdir(batchDir, { recursive: true });
  await writeFile(join(batchDir, 'scene.tif'), scene(date, built));
  await writeFile(join(batchDir, 'batch.json'), JSON.stringify({ batchId, acquiredAt: date, platform: 'satellite', sensor: 'synthetic', bands: ['blue', 'green', 'red', 'nir'], regionCode: COUNTY }));
  const { finalize } = await runBatch(store, directorySource(batchDir), defaultParameters({ tileSize: 64, alertOn: 'all' }));
  return finalize.alerts;
}

function siteTuban(site: keyof typeof SITES): AlertFeature {
  const found = tubanAt(alerts, SITES[site]);
  expect(found, site).not.toBeNull();
  return found!;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoutu-regional-approvals-'));
  store = createStore({ kind: 'local', dir: join(dir, 'data') });
  await setCurrentApprovals(store, layer(['全域〔2024〕1号', [18, 18, 38, 38]]), 'deployment.geojson');
  await setRegionalApprovals(store, '320000', layer(['苏政地〔2024〕2号', [18, 68, 38, 88]]), 'province.geojson', 'test');
  await setRegionalApprovals(store, '321200', layer(['泰政地〔2024〕3号', [68, 68, 78, 88]]), 'city.geojson', 'test');
  await setRegionalApprovals(store, COUNTY, layer(['海陵〔2024〕4号', [78, 68, 88, 88]], ['海陵〔2024〕5号', [68, 18, 78, 38]]), 'county.geojson', 'test');
  await setRegionalApprovals(store, '321203', layer(['高港〔2024〕6号', [78, 18, 88, 38]]), 'neighbour.geojson', 'test');
  await runEpoch('regional-2024-01', '2024-01-15', []);
  alerts = await runEpoch('regional-2024-02', '2024-02-15', Object.values(SITES));
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('approval layers of regions', () => {
  it('pins the deployment-wide, province, city and county layers on the batch, in that order', async () => {
    const status = await readBatchStatus(store, 'regional-2024-02');
    const regional = await listRegionalApprovals(store);
    expect(regional.map((l) => l.region)).toEqual(['320000', '321200', COUNTY, '321203']);
    const byRegion = Object.fromEntries(regional.map((l) => [l.region, { region: l.region, sha256: l.sha256, key: l.key }]));
    expect(Array.isArray(status?.approvals)).toBe(true);
    const pins = status!.approvals as Array<{ region?: string; key: string; sha256: string }>;
    expect(pins.map((p) => p.region ?? 'deployment')).toEqual(['deployment', '320000', '321200', COUNTY]);
    expect(pins.slice(1)).toEqual([byRegion['320000'], byRegion['321200'], byRegion[COUNTY]]);
    // The same pins go into the resolution record and the run record (with their regions).
    const resolution = JSON.parse(Buffer.from(await store.get(keys.batchResolution('regional-2024-02'))).toString('utf8'));
    expect(resolution.approvals).toEqual(pins);
    const run = JSON.parse(Buffer.from(await store.get(keys.runRecord('regional-2024-02'))).toString('utf8'));
    const recorded = run.inputs.filter((i: { role: string }) => i.role === 'approvals').map((i: { key: string; region?: string }) => `${i.region ?? 'deployment'} ${i.key}`);
    expect(recorded.sort()).toEqual(pins.map((p) => `${p.region ?? 'deployment'} ${p.key}`).sort());
  });

  it('holds sites covered by the layers together, and ignores the neighbouring county’s layer', () => {
    const s1 = siteTuban('S1').properties;
    expect([s1.likelyLegal, s1.approvals!.map((a) => a.number)]).toEqual([true, ['全域〔2024〕1号']]);
    const s2 = siteTuban('S2').properties;
    expect([s2.likelyLegal, s2.approvals!.map((a) => a.number)]).toEqual([true, ['苏政地〔2024〕2号']]);
    // Half by the city's approval, half by the county's: covered whole by the two together.
    const s3 = siteTuban('S3').properties;
    expect(s3.likelyLegal).toBe(true);
    expect(s3.approvalCover).toBe(1);
    expect(s3.approvals!.map((a) => a.number)).toEqual(['泰政地〔2024〕3号', '海陵〔2024〕4号']);
    // Half by the county's approval; the other half lies under 321203's layer, which is not this county's.
    const s4 = siteTuban('S4').properties;
    expect(s4.likelyLegal).toBe(false);
    expect(s4.approvals!.map((a) => a.number)).toEqual(['海陵〔2024〕5号']);
    expect(s4.approvalCover).toBeGreaterThan(0.4);
    expect(s4.approvalCover).toBeLessThan(0.6);
    expect(s4.dispatch).toBe('dispatch');
  });

  it('replays byte-identically with the recorded pins, also after a layer was withdrawn', async () => {
    const record = await store.get(keys.runRecord('regional-2024-02'));
    expect((await replayRun(store, record, 'run.json')).differences).toEqual([]);
    expect(await clearRegionalApprovals(store, COUNTY)).toBe(true);
    expect(await clearRegionalApprovals(store, COUNTY)).toBe(false);
    const pins = (await approvalsFor(store, COUNTY)) as Array<{ region?: string }>;
    expect(pins.map((p) => p.region ?? 'deployment')).toEqual(['deployment', '320000', '321200']);
    const report = await replayRun(store, record, 'run.json');
    expect(report.differences).toEqual([]);
    expect(report.outputsChecked).toBeGreaterThan(3);
  });

  it('pins the deployment-wide layer alone as a single reference, as batches did before regional layers', async () => {
    const other = createStore({ kind: 'local', dir: join(dir, 'other') });
    expect(await approvalsFor(other, COUNTY)).toBeNull();
    const only = await setCurrentApprovals(other, layer(['全域〔2024〕1号', [18, 18, 38, 38]]), 'deployment.geojson');
    expect(await approvalsFor(other, COUNTY)).toEqual({ sha256: only.sha256, key: only.key });
    // A layer of another county does not change that.
    await setRegionalApprovals(other, '321203', layer(['高港〔2024〕6号', [78, 18, 88, 38]]), 'neighbour.geojson', 'test');
    expect(await approvalsFor(other, COUNTY)).toEqual({ sha256: only.sha256, key: only.key });
    // A region's layer alone is pinned as a list.
    const third = createStore({ kind: 'local', dir: join(dir, 'third') });
    const county = await setRegionalApprovals(third, COUNTY, layer(['海陵〔2024〕4号', [78, 68, 88, 88]]), 'county.geojson', 'test');
    expect(await approvalsFor(third, COUNTY)).toEqual([{ region: COUNTY, sha256: county.sha256, key: county.key }]);
  });

  it('refuses a bad layer before it becomes current, naming the field', async () => {
    const before = await listRegionalApprovals(store);
    const bad = new TextEncoder().encode(JSON.stringify({ type: 'FeatureCollection', crs: CRS, features: [{ type: 'Feature', properties: { number: 'x', kind: 'land_grab', validFrom: '2024-01-01' }, geometry: { type: 'Polygon', coordinates: rectangle(0, 0, 4, 4) } }] }));
    await expect(setRegionalApprovals(store, '321200', bad, 'city-v2.geojson', 'test')).rejects.toMatchObject({ code: 'approvals_invalid', field: 'features[0].properties.kind' });
    expect(await listRegionalApprovals(store)).toEqual(before);
    await expect(setRegionalApprovals(store, '32120', layer(), 'x.geojson', 'test')).rejects.toThrow(/administrative division code/);
  });
});
