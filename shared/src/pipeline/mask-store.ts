import type { BlobStore } from '../storage/index.js';
import { parseMaskLayer, type MaskLayer } from '../masks/index.js';
import { keys } from '../catalog/keys.js';
import { MASK_LAYERS, type MaskLayerName } from '../detection/parameters.js';
import type { MaskRef } from '../schemas/jobs.js';
import { sha256Hex } from '../util/sha256.js';
import { stableJson } from '../util/stable-json.js';

/**
 * Mask layers are stored by content (masks/<layer>/<sha256>.geojson) with a pointer to the current
 * version. Ingest pins the current versions into each detect job, so a run names the exact bytes it
 * used and a later mask update cannot change a replay.
 */
export async function setCurrentMask(store: BlobStore, layer: MaskLayerName, bytes: Uint8Array, name: string): Promise<MaskRef> {
  parseMaskLayer(bytes, name); // refuse a bad layer before it becomes current
  const sha256 = sha256Hex(bytes);
  const key = keys.maskVersion(layer, sha256);
  await store.putIfAbsent(key, bytes, { contentType: 'application/geo+json' });
  await store.put(keys.maskCurrent(layer), stableJson({ layer, sha256, key, source: name }));
  return { layer, sha256, key };
}

export async function currentMasks(store: BlobStore): Promise<MaskRef[]> {
  const refs: MaskRef[] = [];
  for (const layer of MASK_LAYERS) {
    const pointer = await store.getOrNull(keys.maskCurrent(layer));
    if (!pointer) continue;
    const { sha256, key } = JSON.parse(Buffer.from(pointer).toString('utf8')) as { sha256: string; key: string };
    refs.push({ layer, sha256, key });
  }
  return refs;
}

/** Parsed mask layers by content hash; layers are immutable, so the cache never goes stale. */
export class MaskCache {
  private readonly layers = new Map<string, MaskLayer>();

  async load(store: BlobStore, ref: MaskRef): Promise<MaskLayer> {
    const cached = this.layers.get(ref.sha256);
    if (cached) return cached;
    const bytes = await store.get(ref.key);
    const actual = sha256Hex(bytes);
    if (actual !== ref.sha256) throw new Error(`mask ${ref.key}: content sha256 ${actual} does not match the pinned ${ref.sha256}`);
    const layer = parseMaskLayer(bytes, ref.key);
    this.layers.set(ref.sha256, layer);
    return layer;
  }
}
