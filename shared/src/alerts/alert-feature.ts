import type { Patch } from '../detection/extract-patches.js';
import type { SceneRecord } from '../catalog/scene-record.js';
import type { MaskLayerName } from '../detection/parameters.js';
import { DETECTOR_VERSION } from '../detection/parameters.js';
import { isReported, type ChangeType } from '../detection/change-type.js';
import { keys } from '../catalog/keys.js';
import { severityOf, type Severity } from './severity.js';
import { tubanId } from './tuban-id.js';
import { comparesAllBands, pairBands } from '../detection/pair-bands.js';
import type { BandName } from '../schemas/manifest.js';
import type { DispatchAction, ObservationSummary } from '../tuban/tuban-record.js';
import type { RedispatchCause } from '../lifecycle/transition.js';

/**
 * The sha256 of each mask layer a 图斑 was found against: one version per kind, or, where several layers of
 * a kind applied (the deployment's and its province's, city's or county's), their versions in pin order.
 */
export type MaskVersions = Partial<Record<MaskLayerName, string | string[]>>;

/** The versions of one kind as a list. */
export const maskVersionList = (versions: MaskVersions, layer: MaskLayerName): string[] => {
  const v = versions[layer];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
};

/** A 图斑 alert: a GeoJSON Feature in WGS84 (RFC 7946) with what a county team needs to act on it. */
export interface AlertFeature {
  type: 'Feature';
  id: string;
  geometry: Patch['geometry'];
  bbox: [number, number, number, number];
  properties: {
    tubanId: string;
    regionCode: string;
    batchId: string;
    gridId: string;
    tileId: string;
    beforeDate: string;
    afterDate: string;
    beforeSceneId: string;
    afterSceneId: string;
    platform: string;
    sensor: string;
    /** The earlier epoch's sensor, when it is another. */
    beforeSensor?: string;
    /** When the epochs were compared on only the kinds of band both hold (two sensors): those bands, in the
     *  after scene's order. What the detection rests on (docs/ingest.md, "Report"). */
    comparedBands?: BandName[];
    areaM2: number;
    areaMu: number;
    /** Non-overlapping split of the area: red line, permanent basic farmland outside it, elsewhere. */
    overlap: Record<MaskLayerName, { areaM2: number; areaMu: number }>;
    elsewhere: { areaM2: number; areaMu: number };
    /** Mean change score of the patch's pixels, in the units of the pair's score and threshold (run record,
     *  pairStats): multiples of the cue medians (spectral), or building-index gain in standard deviations of
     *  intensity when pairStats.structure is set (docs/detection.md, step 5a). */
    changeScore: number;
    /** What the change is (construction, bare_soil, water_gain, water_loss, vegetation_loss, …). */
    changeType: ChangeType;
    /** Share of the patch's footprint (the patch and a 3-pixel ring) clear in both epochs. */
    cloudFreeFraction: number;
    /** Mean index values before and after (evidence for the type). */
    indices: Patch['indices'];
    severity: Severity;
    /** Pixel centroid, CGCS2000 (EPSG:4490) longitude and latitude. CGCS2000 and WGS84 agree within a few
     *  centimetres, below the 7-decimal rounding, so the same numbers serve both. */
    centroid: [number, number];
    /** Storage keys of the write-once evidence: chips, location overview and the manifest hashing them. */
    evidence: { before: string; after: string; overview: string; manifest: string };
    maskVersions: MaskVersions;
    detector: string;
    // The fields below belong to a 图斑 (tuban/resolve-tuban.ts); a single observation does not have them.
    /** 1 when the 图斑 is first found, +1 for each later epoch that observes it. */
    version?: number;
    /** Every observation of the site, oldest first; area and geometry above are their union. */
    observations?: ObservationSummary[];
    /** Acquisition dates of the first and the latest observation. */
    firstObserved?: string;
    lastObserved?: string;
    /** Covered by valid approvals (share of the area ≥ the approval-cover parameter): not dispatched. */
    likelyLegal?: boolean;
    /** Valid approvals overlapping the 图斑, by number, and the share of its area they cover. */
    approvals?: ApprovalSummary[];
    approvalCover?: number;
    /** Seen again after a 违法 verdict: severity is one level higher. */
    repeatViolation?: boolean;
    /** What this version did on the feeds (tuban-record.ts DispatchAction). */
    dispatch?: DispatchAction;
    /** With dispatch 'redispatch': why the 图斑 is sent again. */
    redispatchCause?: RedispatchCause;
  };
}

export interface ApprovalSummary {
  number: string;
  kind: string;
  validFrom: string;
  validTo: string | null;
}

export interface AlertContext {
  batchId: string;
  gridId: string;
  tileId: string;
  before: SceneRecord;
  after: SceneRecord;
  maskVersions: MaskVersions;
}

/** Whether a patch becomes an alert: never seasonal change; by default only when it touches a mask layer. */
export function isAlertable(patch: Patch, alertOn: 'masks' | 'all'): boolean {
  if (!isReported(patch.changeType)) return false;
  return alertOn === 'all' || patch.overlap.farmland.pixels > 0 || patch.overlap.redline.pixels > 0;
}

export function buildAlert(patch: Patch, ctx: AlertContext): AlertFeature {
  const id = tubanId(ctx.after.regionCode, ctx.batchId, ctx.gridId, ctx.tileId, patch.outline);
  const bands = pairBands(ctx.before.bands, ctx.after.bands);
  const compared = bands !== null && !comparesAllBands(bands) ? bands.after.map((i) => ctx.after.bands[i]!) : null;
  return {
    type: 'Feature',
    id,
    geometry: patch.geometry,
    bbox: patch.bbox,
    properties: {
      tubanId: id,
      regionCode: ctx.after.regionCode,
      batchId: ctx.batchId,
      gridId: ctx.gridId,
      tileId: ctx.tileId,
      beforeDate: ctx.before.acquiredAt,
      afterDate: ctx.after.acquiredAt,
      beforeSceneId: ctx.before.sceneId,
      afterSceneId: ctx.after.sceneId,
      platform: ctx.after.platform,
      sensor: ctx.after.sensor,
      ...(ctx.before.sensor !== ctx.after.sensor ? { beforeSensor: ctx.before.sensor } : {}),
      ...(compared ? { comparedBands: compared } : {}),
      areaM2: patch.areaM2,
      areaMu: patch.areaMu,
      overlap: {
        farmland: { areaM2: patch.overlap.farmland.areaM2, areaMu: patch.overlap.farmland.areaMu },
        redline: { areaM2: patch.overlap.redline.areaM2, areaMu: patch.overlap.redline.areaMu },
      },
      elsewhere: { areaM2: patch.elsewhere.areaM2, areaMu: patch.elsewhere.areaMu },
      changeScore: patch.meanScore,
      changeType: patch.changeType,
      cloudFreeFraction: patch.cloudFreeFraction,
      indices: patch.indices,
      severity: severityOf(patch),
      centroid: patch.centroid,
      evidence: {
        before: keys.evidence(id, 'before'),
        after: keys.evidence(id, 'after'),
        overview: keys.evidence(id, 'overview'),
        manifest: keys.evidenceManifest(id),
      },
      maskVersions: ctx.maskVersions,
      detector: DETECTOR_VERSION,
    },
  };
}
