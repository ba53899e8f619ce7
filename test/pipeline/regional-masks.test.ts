/**
 * Mask layers of regions: a batch of county 321202 is checked against the deployment-wide farmland layer and
 * the farmland layers of its province (320000), city (321200) and itself, which add up, and against its own
 * red line; another county's layer (321203) does not apply. Only 图斑 on farmland or red line are reported
 * (`alertOn: 'masks'`). The pins are recorded on the batch and in its run record, and a replay pins them
 * again, also after a layer was withdrawn. The same sites judged against one deployment-wide layer holding
 * all the applying polygons give the same 图斑, areas and severities. Synthetic sites, 16 × 16 pixels (10 m):
 *   S1 under the deployment-wide farmland and the county's red line;
 *   S2 under the province's farmland;
 *   S3 its left half under the city's farmland, its right half under the county's → farmland whole;
 *   S4 under the neighbouring county's farmland only → not reported.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clearRegionalMask,
  createStore,
  defaultParameters,
  directorySource,
  keys,
  listRegionalMasks,
  masksFor,
  readBatchStatus,
  replayRun,
  runBatch,
  setCurrentMask,
  setRegionalMask,
  type AlertFeature,
  type BlobStore,
} from '@shoutu/shared';
import { rectangle, siteScene as scene, SITES_CRS as CRS, tubanAt, type Rect } from '../support/synthetic-sites.js';
import { runShoutu } from '../support/cli.js';
import { ingestReport } from '../../cli/ingest-report.js';

const SITES: Record<'S1' | 'S2' | 'S3' | 'S4', Rect> = { S1: [20, 20, 36, 36], S2: [20, 70, 36, 86], S3: [70, 70, 86, 86], S4: [70, 20, 86, 36] };
const COUNTY = '321202';
const PLACES: Record<string, Rect[]> = {
  deployment: [[18, 18, 38, 38]],
  '320000': [[18, 68, 38, 88]],
  '321200': [[68, 68, 78, 88]],
  [COUNTY]: [[78, 68, 88, 88]],
  '321203': [[68, 18, 88, 38]],
};
const REDLINE: Rect = [16, 16, 40, 40];

/** A mask layer of one feature per rectangle (pixels). */
function layer(rects: readonly Rect[]): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({ type: 'FeatureCollection', crs: CRS, features: rects.map(([x0, y0, x1, y1]) => ({ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: rectangle(x0, y0, x1, y1) } })) }),
  );
}

let dir: string;

async function runEpochs(store: BlobStore, tag: string): Promise<AlertFeature[]> {
  let alerts: AlertFeature[] = [];
  for (const [batchId, date, built] of [[`${tag}-2024-01`, '2024-01-15', []], [`${tag}-2024-02`, '2024-02-15', Object.values(SITES)]] as const) {
    const batchDir = join(dir, 'incoming', batchId);
    await mkdir(batchDir, { recursive: true });
    await writeFile(join(batchDir, 'scene.tif'), scene(date, built));
    await writeFile(join(batchDir, 'batch.json'), JSON.stringify({ batchId, acquiredAt: date, platform: 'satellite', sensor: 'synthetic', bands: ['blue', 'green', 'red', 'nir'], regionCode: COUNTY }));
    alerts = (await runBatch(store, directorySource(batchDir), defaultParameters({ tileSize: 64, alertOn: 'masks' }))).finalize.alerts;
  }
  return alerts;
}

let store: BlobStore;
let regional: AlertFeature[];
let single: AlertFeature[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoutu-regional-masks-'));
  store = createStore({ kind: 'local', dir: join(dir, 'data') });
  await setCurrentMask(store, 'farmland', layer(PLACES.deployment!), 'deployment.geojson');
  for (const region of ['320000', '321200', COUNTY, '321203']) await setRegionalMask(store, 'farmland', region, layer(PLACES[region]!), `${region}.geojson`, 'test');
  await setRegionalMask(store, 'redline', COUNTY, layer([REDLINE]), 'county-redline.geojson', 'test');
  regional = await runEpochs(store, 'regional');
  // the same polygons that apply to the county, in one deployment-wide layer of each kind
  const other = createStore({ kind: 'local', dir: join(dir, 'single') });
  await setCurrentMask(other, 'farmland', layer([...PLACES.deployment!, ...PLACES['320000']!, ...PLACES['321200']!, ...PLACES[COUNTY]!]), 'all.geojson');
  await setCurrentMask(other, 'redline', layer([REDLINE]), 'redline.geojson');
  single = await runEpochs(other, 'single');
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('mask layers of regions', () => {
  it('pins, for each kind, the deployment-wide, province, city and county layers on the batch, in that order', async () => {
    const listed = await listRegionalMasks(store);
    expect(listed.map((m) => `${m.layer} ${m.region}`)).toEqual(['farmland 320000', 'farmland 321200', `farmland ${COUNTY}`, 'farmland 321203', `redline ${COUNTY}`]);
    const pins = (await readBatchStatus(store, 'regional-2024-02'))!.masks!;
    expect(pins.map((p) => `${p.layer} ${p.region ?? 'deployment'}`)).toEqual(['farmland deployment', 'farmland 320000', 'farmland 321200', `farmland ${COUNTY}`, `redline ${COUNTY}`]);
    expect(await masksFor(store, COUNTY)).toEqual(pins);
    const byRegion = Object.fromEntries(listed.map((m) => [`${m.layer} ${m.region}`, m.sha256]));
    // a 图斑 records every farmland version that applied, in pin order; the red line's single one as before
    const s3 = tubanAt(regional, SITES.S3)!.properties;
    expect(s3.maskVersions).toEqual({ farmland: pins.slice(0, 4).map((p) => p.sha256), redline: byRegion[`redline ${COUNTY}`] });
    const run = JSON.parse(Buffer.from(await store.get(keys.runRecord('regional-2024-02'))).toString('utf8'));
    expect(run.masks).toEqual(pins);
    expect(run.inputs.filter((i: { role: string }) => i.role === 'mask').map((i: { key: string }) => i.key).sort()).toEqual(pins.map((p) => p.key).sort());
  });

  it('says in the ingest report which layers the batch was checked against', async () => {
    const batchDir = join(dir, 'incoming', 'report-2024-03');
    await mkdir(batchDir, { recursive: true });
    await writeFile(join(batchDir, 'scene.tif'), scene('2024-03-15', Object.values(SITES)));
    await writeFile(join(batchDir, 'batch.json'), JSON.stringify({ batchId: 'report-2024-03', acquiredAt: '2024-03-15', platform: 'satellite', sensor: 'synthetic', bands: ['blue', 'green', 'red', 'nir'], regionCode: COUNTY }));
    const { ingest } = await runBatch(store, directorySource(batchDir), defaultParameters({ tileSize: 64, alertOn: 'masks' }));
    expect(ingestReport(ingest, { files: 1, bytes: 0 })).toContain(`  layers checked  farmland: deployment-wide, 320000, 321200, ${COUNTY}; red line: ${COUNTY}\n`);
    const bare = createStore({ kind: 'local', dir: join(dir, 'bare') });
    await runBatch(bare, directorySource(join(dir, 'incoming', 'regional-2024-01')), defaultParameters({ tileSize: 64 }));
    const none = await runBatch(bare, directorySource(batchDir), defaultParameters({ tileSize: 64 }));
    expect(ingestReport(none.ingest, { files: 1, bytes: 0 })).toContain('  layers checked  none: no farmland or red-line layer applies to this county\n');
  });

  it('reports the sites the applying layers cover together, as one layer holding them all would, and not the neighbour’s', () => {
    const figures = (alerts: AlertFeature[]) =>
      (['S1', 'S2', 'S3', 'S4'] as const).map((site) => {
        const t = tubanAt(alerts, SITES[site]);
        return t && { site, areaM2: t.properties.areaM2, overlap: t.properties.overlap, severity: t.properties.severity, changeType: t.properties.changeType };
      });
    const mine = figures(regional);
    expect(mine).toEqual(figures(single));
    expect(mine.map((f) => f?.site ?? null)).toEqual(['S1', 'S2', 'S3', null]);
    const [s1, , s3] = mine;
    expect(s1!.overlap.redline.areaM2).toBe(s1!.areaM2); // on the county's red line
    expect(['high', 'critical']).toContain(s1!.severity);
    expect(s3!.overlap.farmland.areaM2).toBe(s3!.areaM2); // half the city's, half the county's
    expect(regional).toHaveLength(3);
  });

  it('replays byte-identically with the recorded pins, also after a layer was withdrawn', async () => {
    const record = await store.get(keys.runRecord('regional-2024-02'));
    expect((await replayRun(store, record, 'run.json')).differences).toEqual([]);
    expect(await clearRegionalMask(store, 'farmland', COUNTY)).toBe(true);
    expect(await clearRegionalMask(store, 'farmland', COUNTY)).toBe(false);
    expect((await masksFor(store, COUNTY)).map((p) => `${p.layer} ${p.region ?? 'deployment'}`)).toEqual(['farmland deployment', 'farmland 320000', 'farmland 321200', `redline ${COUNTY}`]);
    const report = await replayRun(store, record, 'run.json');
    expect(report.differences).toEqual([]);
    expect(report.outputsChecked).toBeGreaterThan(3);
  });

  it('`shoutu masks --region` sets and withdraws a region’s layer, refusing a bad code', async () => {
    const env = { SHOUTU_DATA_DIR: join(dir, 'cli') };
    const file = join(dir, 'county.geojson');
    await writeFile(file, layer(PLACES[COUNTY]!));
    const set = runShoutu(['masks', '--farmland', file, '--region', COUNTY], env);
    expect(set.status, set.stderr).toBe(0);
    expect(set.stdout).toMatch(new RegExp(`^farmland of ${COUNTY}: ${file} → .*masks/farmland/[0-9a-f]{64}\\.geojson \\(sha256 [0-9a-f]{64}\\)\\n$`));
    const cli = createStore({ kind: 'local', dir: join(dir, 'cli') });
    expect((await masksFor(cli, COUNTY)).map((p) => p.region)).toEqual([COUNTY]);
    expect(await masksFor(cli, '321203')).toEqual([]);
    const list = runShoutu(['masks', '--list'], env);
    expect(list.stdout).toMatch(new RegExp(`^farmland  ${COUNTY}  [0-9a-f]{64}  1 feature\\(s\\), from ${file}\\n$`));
    expect(runShoutu(['masks', '--region', COUNTY, '--clear', 'farmland'], env).stdout).toBe(`farmland: the layer of ${COUNTY} is withdrawn\n`);
    expect(runShoutu(['masks', '--list'], env).stdout).toBe('no mask layer is set\n');
    expect(await masksFor(cli, COUNTY)).toEqual([]);
    const bad = runShoutu(['masks', '--farmland', file, '--region', '32120'], env);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--region: "32120" is not a 6-digit administrative division code');
  });
});
