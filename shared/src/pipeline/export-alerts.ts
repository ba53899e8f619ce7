import { readJsonAll, type BlobStore } from '../storage/index.js';
import type { AlertFeature } from '../alerts/alert-feature.js';
import { stableJson } from '../util/stable-json.js';

/** Every stored alert as one GeoJSON FeatureCollection, sorted by 图斑编号. */
export async function collectAlerts(store: BlobStore): Promise<AlertFeature[]> {
  const alerts = await readJsonAll<AlertFeature>(store, await store.list('alerts/'));
  return alerts.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Writes alerts.geojson at the top of the store (embedded mode's feed file). */
export async function writeAlertsFile(store: BlobStore, key = 'alerts.geojson'): Promise<AlertFeature[]> {
  const alerts = await collectAlerts(store);
  await store.put(key, stableJson({ type: 'FeatureCollection', features: alerts }), { contentType: 'application/geo+json' });
  return alerts;
}
