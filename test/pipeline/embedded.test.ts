import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { createStore, directorySource, keys, readBatchStatus, replayRun, runBatch, type AlertFeature, type BlobStore, type EvidenceManifest } from '@shoutu/shared';
import { demoParameters, fixture, loadDemoMasks, TAIZHOU_AFTER_BATCH, TAIZHOU_EPOCHS } from '../support/fixtures.js';

const GOLDEN = fixture('out', TAIZHOU_AFTER_BATCH);
const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

let dir: string;
let store: BlobStore;
const text = async (key: string) => Buffer.from(await store.get(key)).toString('utf8');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoutu-embedded-'));
  store = createStore({ kind: 'local', dir });
  await loadDemoMasks(store);
  const first = await runBatch(store, directorySource(TAIZHOU_EPOCHS[0]), demoParameters());
  expect(first.ingest.tiles).toHaveLength(0);
  await runBatch(store, directorySource(TAIZHOU_EPOCHS[1]), demoParameters());
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('embedded pipeline on the Taizhou fixture batch', () => {
  it('stores the first epoch as baseline only', async () => {
    const status = await readBatchStatus(store, 'taizhou-2000-03');
    expect(status?.state).toBe('baseline');
    expect(await store.list('detect/taizhou-2000-03/')).toEqual([]);
  });

  it('writes alerts that touch a mask, each with before/after PNG evidence', async () => {
    const collection = JSON.parse(await text(keys.batchAlerts(TAIZHOU_AFTER_BATCH))) as { features: AlertFeature[] };
    const alerts = collection.features;
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts.map((a) => a.id)).toEqual([...alerts.map((a) => a.id)].sort());
    // 图斑编号: county + monitoring month + a sequence with no gaps.
    expect(alerts.map((a) => a.id)).toEqual(alerts.map((_, i) => `321202-200302-${String(i + 1).padStart(4, '0')}`));
    for (const alert of alerts) {
      const p = alert.properties;
      expect(alert.id).toMatch(/^321202-200302-\d{4}$/);
      expect(p.version).toBe(1);
      expect(p.dispatch).toBe('dispatch');
      expect(p.observations).toHaveLength(1);
      expect(p.observations![0]!.evidence).toEqual(p.evidence);
      expect(p.beforeDate).toBe('2000-03-17');
      expect(p.afterDate).toBe('2003-02-06');
      expect(p.overlap.farmland.areaM2 + p.overlap.redline.areaM2).toBeGreaterThan(0);
      expect(p.areaMu).toBeCloseTo(p.areaM2 / (10000 / 15), 3);
      expect(p.areaM2).toBeGreaterThanOrEqual(400);
      expect(['low', 'medium', 'high', 'critical']).toContain(p.severity);
      expect(alert.geometry.type).toBe('Polygon');
      const [lon, lat] = p.centroid;
      expect(lon).toBeGreaterThan(119.8);
      expect(lon).toBeLessThan(120.0);
      expect(lat).toBeGreaterThan(32.4);
      expect(lat).toBeLessThan(32.6);
      for (const key of [p.evidence.before, p.evidence.after, p.evidence.overview]) {
        const png = await store.get(key);
        expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
      }
      const manifest = JSON.parse(await text(p.evidence.manifest)) as EvidenceManifest;
      expect(manifest).toMatchObject({ observationId: p.observations![0]!.id, beforeDate: p.beforeDate, afterDate: p.afterDate, sensor: p.sensor, detector: p.detector });
      expect(manifest.files.map((f) => f.key)).toEqual([p.evidence.before, p.evidence.after, p.evidence.overview]);
      for (const f of manifest.files) expect(f.sha256).toBe(sha256Hex(await store.get(f.key)));
    }
    const status = await readBatchStatus(store, TAIZHOU_AFTER_BATCH);
    expect(status?.state).toBe('done');
    expect(status?.alerts).toBe(alerts.length);
    expect(status?.tiles?.failed).toEqual([]);
  });

  it('matches the golden alerts and run record byte for byte (REGEN=1 rewrites them)', async () => {
    const files = [
      ['alerts.geojson', keys.batchAlerts(TAIZHOU_AFTER_BATCH)],
      ['run.json', keys.runRecord(TAIZHOU_AFTER_BATCH)],
    ] as const;
    for (const [name, key] of files) {
      const actual = await text(key);
      const path = join(GOLDEN, name);
      if (process.env.REGEN === '1') {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, actual);
      }
      expect(actual).toBe(await readFile(path, 'utf8'));
    }
  });

  it('is idempotent: running the same batch again gives the same alerts, once each', async () => {
    const before = await text(keys.batchAlerts(TAIZHOU_AFTER_BATCH));
    const alertKeys = await store.list('alerts/');
    const record = await text(keys.runRecord(TAIZHOU_AFTER_BATCH));
    await runBatch(store, directorySource(TAIZHOU_EPOCHS[1]), demoParameters());
    expect(await text(keys.batchAlerts(TAIZHOU_AFTER_BATCH))).toBe(before);
    expect(await store.list('alerts/')).toEqual(alertKeys);
    expect(await text(keys.runRecord(TAIZHOU_AFTER_BATCH))).toBe(record);
  });

  it('replays the run record byte-identically, and names an altered output', async () => {
    const record = await store.get(keys.runRecord(TAIZHOU_AFTER_BATCH));
    const clean = await replayRun(store, record, 'run.json');
    expect(clean.differences).toEqual([]);
    expect(clean.outputsChecked).toBeGreaterThan(3);

    const target = keys.batchAlerts(TAIZHOU_AFTER_BATCH);
    const original = await store.get(target);
    await store.put(target, Buffer.concat([Buffer.from(original), Buffer.from(' ')]));
    try {
      const altered = await replayRun(store, record, 'run.json');
      expect(altered.differences.map((d) => [d.kind, d.key])).toEqual([['stored', target]]);
    } finally {
      await store.put(target, original);
    }
  });
});
