/**
 * Approval layers are stored like mask layers: by content (approvals/<sha256>.geojson) with a pointer to
 * the current version. Ingest pins the current version on the batch, so the batch's 图斑 are judged
 * against exactly those approvals, also when replayed after the layer changed.
 */
import type { BlobStore } from '../storage/index.js';
import { sha256Hex } from '../util/sha256.js';
import { stableJson } from '../util/stable-json.js';
import { parseApprovalLayer, type ApprovalLayer } from './approval-layer.js';

export interface ApprovalRef {
  sha256: string;
  key: string;
}

const versionKey = (sha256: string) => `approvals/${sha256}.geojson`;
const CURRENT = 'approvals/current.json';

export async function setCurrentApprovals(store: BlobStore, bytes: Uint8Array, name: string): Promise<ApprovalRef & { approvals: number }> {
  const layer = parseApprovalLayer(bytes, name); // refuse a bad layer before it becomes current
  const sha256 = sha256Hex(bytes);
  const key = versionKey(sha256);
  await store.putIfAbsent(key, bytes, { contentType: 'application/geo+json' });
  await store.put(CURRENT, stableJson({ sha256, key, source: name }));
  return { sha256, key, approvals: layer.approvals.length };
}

export async function currentApprovals(store: BlobStore): Promise<ApprovalRef | null> {
  const pointer = await store.getOrNull(CURRENT);
  if (!pointer) return null;
  const { sha256, key } = JSON.parse(Buffer.from(pointer).toString('utf8')) as ApprovalRef;
  return { sha256, key };
}

export async function loadApprovals(store: BlobStore, ref: ApprovalRef): Promise<ApprovalLayer> {
  const bytes = await store.get(ref.key);
  const actual = sha256Hex(bytes);
  if (actual !== ref.sha256) throw new Error(`approvals ${ref.key}: content sha256 ${actual} does not match the pinned ${ref.sha256}`);
  return parseApprovalLayer(bytes, ref.key);
}
