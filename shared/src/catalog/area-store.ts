import type { BlobStore } from '../storage/index.js';
import { AreaRecord } from '../grid/area-grid.js';
import { keys } from './keys.js';
import { stableJson } from '../util/stable-json.js';

/** The stored analysis grid of a region, or null when none is fixed yet. */
export async function getArea(store: BlobStore, regionCode: string): Promise<AreaRecord | null> {
  const bytes = await store.getOrNull(keys.area(regionCode));
  return bytes === null ? null : AreaRecord.parse(JSON.parse(Buffer.from(bytes).toString('utf8')));
}

/**
 * Fixes a region's grid: writes the record unless one exists (write-once, so two batches of a new region
 * ingested at the same time agree on one grid) and returns the record that is stored afterwards.
 */
export async function fixArea(store: BlobStore, record: AreaRecord): Promise<AreaRecord> {
  const written = await store.putIfAbsent(keys.area(record.regionCode), stableJson(record, 2), { contentType: 'application/json' });
  if (written) return record;
  const stored = await getArea(store, record.regionCode);
  if (stored === null) throw new Error(`${keys.area(record.regionCode)}: reported present but cannot be read`);
  return stored;
}
