import type { BlobStore } from '../storage/index.js';
import type { OpenScene } from '../catalog/open-scene.js';
import type { Patch } from '../detection/extract-patches.js';
import { windowGeoTransform, type LatticeWindow, type Lattice } from '../grid/lattice.js';
import { sha256Hex } from '../util/sha256.js';
import { stableJson } from '../util/stable-json.js';
import type { AlertFeature } from './alert-feature.js';
import { renderEvidence, type EvidenceImageName } from './evidence.js';

/** One evidence file as stored: the manifest's hash and size are of the stored bytes. */
export interface EvidenceFileEntry {
  name: EvidenceImageName;
  key: string;
  contentType: 'image/png';
  bytes: number;
  sha256: string;
  width: number;
  height: number;
  sceneId: string;
  date: string;
  sensor: string;
  /** The pictured extent (the legend is below it), [minX, minY, maxX, maxY] in the lattice CRS. */
  extent: { epsg: number; bbox: [number, number, number, number] };
}

/** evidence/<observation id>/manifest.json: every evidence file of one observation of a 图斑 with its
 *  SHA-256, written once (a 图斑 lists its observations, each with its evidence). */
export interface EvidenceManifest {
  schema: 'shoutu.evidence/2';
  observationId: string;
  batchId: string;
  regionCode: string;
  detector: string;
  beforeDate: string;
  afterDate: string;
  beforeSceneId: string;
  afterSceneId: string;
  platform: string;
  sensor: string;
  /** How the chips' colours were made, so a reader knows they can be compared. */
  display: string;
  files: EvidenceFileEntry[];
}

const DISPLAY =
  'before and after: same extent, one linear 2-98 % stretch per channel computed from both epochs together; ' +
  'overview: after epoch, own 2-98 % stretch, chip extent framed';

function extentOf(lattice: Lattice, window: LatticeWindow): EvidenceFileEntry['extent'] {
  const [x0, dx, , y0, , dy] = windowGeoTransform(lattice, window);
  return { epsg: lattice.epsg, bbox: [x0, y0 + window.height * dy, x0 + window.width * dx, y0] };
}

/**
 * Writes a 图斑's evidence once: the images (putIfAbsent, never overwritten), then the manifest hashing
 * the bytes actually stored. When the manifest exists the evidence is complete and nothing is rendered.
 */
export async function writeEvidence(store: BlobStore, alert: AlertFeature, patch: Patch, before: OpenScene, after: OpenScene): Promise<EvidenceManifest> {
  const links = alert.properties.evidence;
  const existing = await store.getOrNull(links.manifest);
  if (existing) return JSON.parse(Buffer.from(existing).toString('utf8')) as EvidenceManifest;
  const images = await renderEvidence(alert.id, patch, before, after);
  const lattice = after.record.placement.lattice;
  const files = await Promise.all(
    images.map(async (image): Promise<EvidenceFileEntry> => {
      const key = links[image.name];
      // The stored bytes: these when this put wrote them, else those an earlier attempt left.
      const stored = (await store.putIfAbsent(key, image.png, { contentType: 'image/png' })) ? image.png : await store.get(key);
      return {
        name: image.name,
        key,
        contentType: 'image/png',
        bytes: stored.byteLength,
        sha256: sha256Hex(stored),
        width: image.width,
        height: image.height,
        sceneId: image.sceneId,
        date: image.date,
        sensor: image.sensor,
        extent: extentOf(lattice, image.window),
      };
    }),
  );
  const p = alert.properties;
  const manifest: EvidenceManifest = {
    schema: 'shoutu.evidence/2',
    observationId: alert.id,
    batchId: p.batchId,
    regionCode: p.regionCode,
    detector: p.detector,
    beforeDate: p.beforeDate,
    afterDate: p.afterDate,
    beforeSceneId: p.beforeSceneId,
    afterSceneId: p.afterSceneId,
    platform: p.platform,
    sensor: p.sensor,
    display: DISPLAY,
    files,
  };
  await store.putIfAbsent(links.manifest, stableJson(manifest, 2), { contentType: 'application/json' });
  return manifest;
}
