import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createStore, defaultParameters, directorySource, keys, runBatch, storageOnlySink, withCaseOpening, setCurrentMask, threadsFromEnv, writeAlertsFile, type StoreConfig } from '@shoutu/shared';
import { parseCliEnv } from '../env.js';
import { tileProgressBar } from '../progress.js';
import { alertSummary, coverageReport } from '../summary.js';
import { FIXTURES_DIR } from '../paths.js';

const FIXTURES = FIXTURES_DIR;
/** The demo's two epochs, oldest first: the first becomes the baseline of the second. */
export const DEMO_EPOCHS = ['taizhou/2000-03-17', 'taizhou/2003-02-06'] as const;

/** Embedded run of the fixture batch: demo masks, two epochs, summary table. */
export async function runDemo(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { 'data-dir': { type: 'string' } }, strict: true });
  const env = parseCliEnv();
  const dataDir = resolve(values['data-dir'] ?? env.SHOUTU_DATA_DIR);
  const storeConfig: StoreConfig = { kind: 'local', dir: dataDir };
  const store = createStore(storeConfig);
  const out = process.stdout;

  out.write(`shoutu demo — Taizhou, Jiangsu: Landsat 7 ETM+ 2000-03-17 → 2003-02-06 (masks are demo data)\n`);
  for (const layer of ['farmland', 'redline'] as const) {
    const path = join(FIXTURES, 'masks', `${layer}.geojson`);
    await setCurrentMask(store, layer, new Uint8Array(await readFile(path)), `fixtures/masks/${layer}.geojson`);
  }
  const parameters = defaultParameters();
  let lastBatch = '';
  for (const epoch of DEMO_EPOCHS) {
    const bar = tileProgressBar(epoch);
    const { ingest, finalize } = await runBatch(store, directorySource(join(FIXTURES, epoch)), parameters, { progress: bar, sink: withCaseOpening(storageOnlySink, store), threads: threadsFromEnv(), storeConfig });
    bar.stop();
    lastBatch = ingest.batchId;
    const what = ingest.tiles.length === 0 ? 'stored as baseline (first epoch of this area)' : `${ingest.tiles.length} tiles, ${finalize.alerts.length} alerts`;
    out.write(`  batch ${ingest.batchId}: ${ingest.scenes.length} scene(s), ${what}\n`);
    out.write(coverageReport(finalize.coverage, (id) => ingest.scenes.find((s) => s.sceneId === id)?.file.name ?? id).replace(/^ {2}/gm, '    '));
  }
  const alerts = (await writeAlertsFile(store)).filter((a) => a.properties.batchId === lastBatch);
  out.write(`\n${alertSummary(alerts)}\n\n`);
  out.write(`alerts:      ${store.describe(keys.batchAlerts(lastBatch))}\n`);
  out.write(`all alerts:  ${store.describe('alerts.geojson')}\n`);
  out.write(`evidence:    ${store.describe('evidence')}\n`);
  out.write(`coverage:    ${store.describe(keys.batchCoverage(lastBatch))}  (ground examined, tile by tile)\n`);
  out.write(`run record:  ${store.describe(keys.runRecord(lastBatch))}  (npx shoutu replay ${store.describe(keys.runRecord(lastBatch))})\n`);
  return 0;
}
