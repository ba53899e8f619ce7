/**
 * Approval layers are stored like mask layers: by content (approvals/<sha256>.geojson) with a pointer to
 * the current version. There is one deployment-wide layer (`shoutu approvals FILE`) and one layer per
 * region (行政区划代码: province, city or county), which the region's operators keep current over the API.
 * Ingest pins the layers that apply to the batch's county on the batch, so its 图斑 are judged against
 * exactly those approvals, also when replayed after a layer changed.
 */
import type { BlobStore } from '../storage/index.js';
import { regionsAbove } from '../access/region-scope.js';
import { RegionCode } from '../schemas/manifest.js';
import { sha256Hex } from '../util/sha256.js';
import { stableJson } from '../util/stable-json.js';
import { parseApprovalLayer, type ApprovalLayer } from './approval-layer.js';

export interface ApprovalRef {
  sha256: string;
  key: string;
  /** The region whose layer this is; absent for the deployment-wide layer. */
  region?: string;
}

/**
 * The approvals a batch is judged against: the deployment-wide layer alone (as recorded before regional
 * layers existed), or every layer that applies, deployment-wide first, then province, city, county.
 */
export type ApprovalPin = ApprovalRef | ApprovalRef[];

/** What a regional pointer records besides the version: who set it and from what. */
export interface RegionalApprovals extends ApprovalRef {
  region: string;
  source: string;
  approvals: number;
}

const versionKey = (sha256: string) => `approvals/${sha256}.geojson`;
const CURRENT = 'approvals/current.json';
const REGIONS = 'approvals/regions/';
const regionKey = (region: string) => `${REGIONS}${RegionCode.parse(region)}.json`;

/** Stores a layer's bytes by content after checking them; the layer is refused before anything is written. */
async function storeVersion(store: BlobStore, bytes: Uint8Array, name: string): Promise<{ sha256: string; key: string; approvals: number }> {
  const layer = parseApprovalLayer(bytes, name);
  const sha256 = sha256Hex(bytes);
  const key = versionKey(sha256);
  await store.putIfAbsent(key, bytes, { contentType: 'application/geo+json' });
  return { sha256, key, approvals: layer.approvals.length };
}

/** Sets the deployment-wide layer. */
export async function setCurrentApprovals(store: BlobStore, bytes: Uint8Array, name: string): Promise<ApprovalRef & { approvals: number }> {
  const { sha256, key, approvals } = await storeVersion(store, bytes, name);
  await store.put(CURRENT, stableJson({ sha256, key, source: name }));
  return { sha256, key, approvals };
}

/** The deployment-wide layer, or null. */
export async function currentApprovals(store: BlobStore): Promise<ApprovalRef | null> {
  const pointer = await store.getOrNull(CURRENT);
  if (!pointer) return null;
  const { sha256, key } = JSON.parse(Buffer.from(pointer).toString('utf8')) as ApprovalRef;
  return { sha256, key };
}

/** Sets (replaces) the layer of one region; `source` says where it came from (a file, a team). */
export async function setRegionalApprovals(store: BlobStore, region: string, bytes: Uint8Array, name: string, source: string): Promise<RegionalApprovals> {
  const pointerKey = regionKey(region);
  const { sha256, key, approvals } = await storeVersion(store, bytes, name);
  const pointer: RegionalApprovals = { region, sha256, key, source, approvals };
  await store.put(pointerKey, stableJson(pointer), { contentType: 'application/json' });
  return pointer;
}

/** The current layer of one region, or null. */
export async function regionalApprovals(store: BlobStore, region: string): Promise<RegionalApprovals | null> {
  const pointer = await store.getOrNull(regionKey(region));
  return pointer ? (JSON.parse(Buffer.from(pointer).toString('utf8')) as RegionalApprovals) : null;
}

/** Withdraws a region's layer: later batches no longer see it (its versions stay for replay). */
export async function clearRegionalApprovals(store: BlobStore, region: string): Promise<boolean> {
  const key = regionKey(region);
  if (!(await store.exists(key))) return false;
  await store.delete(key);
  return true;
}

/** Every region's current layer, by region code. */
export async function listRegionalApprovals(store: BlobStore): Promise<RegionalApprovals[]> {
  const regions = (await store.list(REGIONS))
    .map((key) => key.slice(REGIONS.length).replace(/\.json$/, ''))
    .filter((code) => RegionCode.safeParse(code).success)
    .sort();
  const layers: RegionalApprovals[] = [];
  for (const region of regions) {
    const layer = await regionalApprovals(store, region);
    if (layer) layers.push(layer);
  }
  return layers;
}


/** What a batch of `county` is judged against now (see ApprovalPin); null when no layer applies. */
export async function approvalsFor(store: BlobStore, county: string): Promise<ApprovalPin | null> {
  const global = await currentApprovals(store);
  const regional: ApprovalRef[] = [];
  for (const region of regionsAbove(county)) {
    const layer = await regionalApprovals(store, region);
    if (layer) regional.push({ region, sha256: layer.sha256, key: layer.key });
  }
  if (regional.length === 0) return global;
  return global ? [global, ...regional] : regional;
}

/** The pinned layers as a list (deployment-wide first). */
export function approvalRefs(pin: ApprovalPin | null | undefined): ApprovalRef[] {
  if (!pin) return [];
  return Array.isArray(pin) ? pin : [pin];
}

/** Loads one pinned version, checking its content against the pin. */
export async function loadApprovals(store: BlobStore, ref: ApprovalRef): Promise<ApprovalLayer> {
  const bytes = await store.get(ref.key);
  const actual = sha256Hex(bytes);
  if (actual !== ref.sha256) throw new Error(`approvals ${ref.key}: content sha256 ${actual} does not match the pinned ${ref.sha256}`);
  return parseApprovalLayer(bytes, ref.key);
}

/** Loads every pinned layer, in the pin's order. */
export async function loadApprovalLayers(store: BlobStore, pin: ApprovalPin | null | undefined): Promise<ApprovalLayer[]> {
  const layers: ApprovalLayer[] = [];
  for (const ref of approvalRefs(pin)) layers.push(await loadApprovals(store, ref));
  return layers;
}
