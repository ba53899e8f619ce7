import { regionsAbove } from '../access/region-scope.js';
import type { BlobStore } from '../storage/index.js';
import { parseMaskLayer, type MaskLayer } from '../masks/index.js';
import { keys } from '../catalog/keys.js';
import { MASK_LAYERS, type MaskLayerName } from '../detection/parameters.js';
import type { MaskRef } from '../schemas/jobs.js';
import { RegionCode } from '../schemas/manifest.js';
import { sha256Hex } from '../util/sha256.js';
import { stableJson } from '../util/stable-json.js';

/**
 * Mask layers are stored by content (masks/<layer>/<sha256>.geojson) with pointers to the current versions:
 * one deployment-wide layer of each kind (`shoutu masks`), and one per region (行政区划代码: province, city
 * or county; `shoutu masks --region CODE`), as counties keep their farmland and provinces their red line.
 * Ingest pins the versions that apply to the batch's county into each detect job (masksFor), so a run names
 * the exact bytes it used and a later mask update cannot change a replay. Layers of one kind add up: a
 * pixel is farmland when any of them covers it.
 */
export async function setCurrentMask(store: BlobStore, layer: MaskLayerName, bytes: Uint8Array, name: string): Promise<MaskRef> {
  const { sha256, key, features } = await storeMaskVersion(store, layer, bytes, name);
  await store.put(keys.maskCurrent(layer), stableJson({ layer, sha256, key, source: name, features }));
  return { layer, sha256, key };
}

/** What a deployment-wide pointer records (`features` since 2026-12; older pointers lack it). */
export interface DeploymentMask extends MaskRef {
  source: string;
  features?: number;
}

/** The deployment-wide layers with where they came from, one per kind at most, in MASK_LAYERS order. */
export async function listDeploymentMasks(store: BlobStore): Promise<DeploymentMask[]> {
  const found: DeploymentMask[] = [];
  for (const layer of MASK_LAYERS) {
    const pointer = await store.getOrNull(keys.maskCurrent(layer));
    if (!pointer) continue;
    const { sha256, key, source, features } = JSON.parse(Buffer.from(pointer).toString('utf8')) as DeploymentMask;
    found.push({ layer, sha256, key, source, ...(features === undefined ? {} : { features }) });
  }
  return found;
}

/** What a regional pointer records: the version, and where it came from. */
export interface RegionalMask extends MaskRef {
  region: string;
  source: string;
  features: number;
}

/** Makes `bytes` the current `layer` of `region` (refused, naming `name`'s field, when it does not parse). */
export async function setRegionalMask(store: BlobStore, layer: MaskLayerName, region: string, bytes: Uint8Array, name: string, source: string): Promise<RegionalMask> {
  const { sha256, key, features } = await storeMaskVersion(store, layer, bytes, name);
  const pointer: RegionalMask = { layer, region, sha256, key, source, features };
  await store.put(keys.maskRegion(layer, region), stableJson(pointer), { contentType: 'application/json' });
  return pointer;
}

/** The current `layer` of `region`, or null. */
export async function regionalMask(store: BlobStore, layer: MaskLayerName, region: string): Promise<RegionalMask | null> {
  const pointer = await store.getOrNull(keys.maskRegion(layer, region));
  return pointer ? (JSON.parse(Buffer.from(pointer).toString('utf8')) as RegionalMask) : null;
}

/** Withdraws a region's layer (its versions stay stored: batches that pinned them replay); false when it had none. */
export async function clearRegionalMask(store: BlobStore, layer: MaskLayerName, region: string): Promise<boolean> {
  const key = keys.maskRegion(layer, region);
  if (!(await store.exists(key))) return false;
  await store.delete(key);
  return true;
}

/** Every region's current layers, by layer kind then region code. */
export async function listRegionalMasks(store: BlobStore): Promise<RegionalMask[]> {
  const found: RegionalMask[] = [];
  for (const layer of MASK_LAYERS) {
    const prefix = keys.maskRegions(layer);
    const regions = (await store.list(prefix))
      .map((key) => key.slice(prefix.length).replace(/\.json$/, ''))
      .filter((code) => RegionCode.safeParse(code).success)
      .sort();
    for (const region of regions) {
      const mask = await regionalMask(store, layer, region);
      if (mask) found.push(mask);
    }
  }
  return found;
}

async function storeMaskVersion(store: BlobStore, layer: MaskLayerName, bytes: Uint8Array, name: string): Promise<{ sha256: string; key: string; features: number }> {
  const { featureCount } = parseMaskLayer(bytes, name); // refuse a bad layer before it becomes current
  const sha256 = sha256Hex(bytes);
  const key = keys.maskVersion(layer, sha256);
  await store.putIfAbsent(key, bytes, { contentType: 'application/geo+json' });
  return { sha256, key, features: featureCount };
}

/** The deployment-wide layers, one per kind at most. */
export async function currentMasks(store: BlobStore): Promise<MaskRef[]> {
  return (await listDeploymentMasks(store)).map(({ layer, sha256, key }) => ({ layer, sha256, key }));
}

/**
 * The layers a batch of `county` is judged against: for each kind, the deployment-wide layer, then the
 * layers of its province, city and itself (regionsAbove), in that order. Without regional layers this is
 * currentMasks, as pinned before they existed.
 */
export async function masksFor(store: BlobStore, county: string): Promise<MaskRef[]> {
  const global = await currentMasks(store);
  const refs: MaskRef[] = [];
  for (const layer of MASK_LAYERS) {
    refs.push(...global.filter((r) => r.layer === layer));
    for (const region of regionsAbove(county)) {
      const mask = await regionalMask(store, layer, region);
      if (mask) refs.push({ layer, sha256: mask.sha256, key: mask.key, region });
    }
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
