/**
 * Equivalence checks between two runs of the same imagery stored two ways (an alpha band against nodata,
 * fill against nodata, two sensors against one): the same bytes out of `shoutu detect`, the same 图斑 and
 * evidence images out of ingest.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createStore, directorySource, runBatch, type BlobStore, type DetectPairOutput } from '@shoutu/shared';
import { demoParameters, loadDemoMasks, TAIZHOU_EPOCHS } from './fixtures.js';

type Alerts = Awaited<ReturnType<typeof runBatch>>['finalize']['alerts'];

/** change.tif, the patches, the pair statistics and the valid pixel count are the same. */
export function expectSameDetection(x: DetectPairOutput, y: DetectPairOutput): void {
  expect(Buffer.from(x.changeTif).equals(Buffer.from(y.changeTif))).toBe(true);
  expect(JSON.stringify(x.patches)).toBe(JSON.stringify(y.patches));
  expect(x.summary.pairStats).toEqual(y.summary.pairStats);
  expect(x.summary.validPixels).toBe(y.summary.validPixels);
}

/** What the 图斑 of a batch are: geometry, area, type, score and cloud-free fraction. */
export const alertGeometry = (alerts: Alerts): string =>
  JSON.stringify(alerts.map((a) => [a.geometry, a.properties.areaM2, a.properties.changeType, a.properties.changeScore, a.properties.cloudFreeFraction]));

/** Every evidence image of the 图斑 (before, after, overview) has the same bytes in both stores. */
export async function sameEvidence(store: BlobStore, reference: BlobStore, alerts: Alerts): Promise<void> {
  expect(alerts.length).toBeGreaterThan(0);
  for (const alert of alerts) {
    const evidence = alert.properties.evidence as Record<string, string>;
    for (const image of ['before', 'after', 'overview']) {
      const [x, y] = await Promise.all([store.get(evidence[image]!), reference.get(evidence[image]!)]);
      expect(Buffer.from(x).equals(Buffer.from(y)), `${alert.id} ${image}.png`).toBe(true);
    }
  }
}

/**
 * Ingests the Taizhou fixture's two epochs into a new store under `dir/label`, epoch k's scene being
 * `sceneOf(date, k)` and its batch.json the fixture's with `manifest` over it; each batch's results.
 */
export async function ingestTaizhouEpochs(dir: string, label: string, sceneOf: (date: string, k: number) => string, manifest: Record<string, unknown>) {
  const store = createStore({ kind: 'local', dir: join(dir, `store-${label}`) });
  await loadDemoMasks(store);
  const results = [];
  for (const [k, epoch] of TAIZHOU_EPOCHS.entries()) {
    const date = epoch.slice(-10);
    const folder = join(dir, `batch-${label}-${date}`);
    await mkdir(folder);
    await writeFile(join(folder, 'scene.tif'), await readFile(sceneOf(date, k)));
    const fixtureManifest = JSON.parse(await readFile(join(epoch, 'batch.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(folder, 'batch.json'), JSON.stringify({ ...fixtureManifest, ...manifest }));
    results.push(await runBatch(store, directorySource(folder), demoParameters()));
  }
  return { store, results };
}
