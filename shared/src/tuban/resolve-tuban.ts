/**
 * Identity across epochs: which 图斑 each of a batch's observations belongs to, and what the new version of
 * every touched 图斑 says and does. A pure function of its inputs (the observations, the latest version and
 * case state of nearby 图斑, the last sequence numbers issued, the approval and mask layers), so a batch's
 * resolution can be recorded and replayed byte for byte.
 *
 * Matching: an observation continues a 图斑 of the same county on the same lattice when its pixels overlap
 * or 8-touch the 图斑's footprint (the union of its observations): a site that grew, changed type or is
 * still changing. Among several, the one it overlaps most (then touches most, then the lowest number) wins.
 */
import type { Lattice, LatticeWindow } from '../grid/lattice.js';
import { windowGeoTransform } from '../grid/lattice.js';
import type { MaskLayer } from '../masks/index.js';
import { rasterizeMaskLayer } from '../masks/index.js';
import { traceOutline } from '../kernels/trace-outline.js';
import { describePatch } from '../detection/extract-patches.js';
import { MASK_LAYERS, type MaskLayerName } from '../detection/parameters.js';
import type { ChangeType } from '../detection/change-type.js';
import { severityOf, SEVERITIES } from '../alerts/severity.js';
import { maskVersionList, type AlertFeature, type ApprovalSummary } from '../alerts/alert-feature.js';
import { validApprovals, type ApprovalLayer } from '../approvals/approval-layer.js';
import type { Status, Verdict } from '../lifecycle/states.js';
import type { RedispatchCause } from '../lifecycle/transition.js';
import { round } from '../util/round.js';
import { bboxesNear, burnShape, countBoth, countSet, touchingPixels, windowAround, type LatticeShape } from './lattice-footprint.js';
import { numberingPeriod, tubanNumber } from './tuban-number.js';
import type { DispatchAction, ObservationRecord, ObservationSummary, TubanVersion } from './tuban-record.js';

/** The case of a 图斑 as far as dispatching is concerned. */
export interface CaseSnapshot {
  status: Status;
  verdict: Verdict | null;
  /** The 图斑's area when it was last judged (recorded with the verdict), if known. */
  judgedAreaM2: number | null;
}

export interface ResolveParameters {
  /** A 图斑 judged legal or a false alarm is dispatched again only when its area exceeds this multiple
   *  of the area that was judged. */
  regrowthFactor: number;
  /** Share of a 图斑's area that valid approvals must cover for it to be likely legal. */
  approvalCover: number;
}

export interface ResolveInput {
  batchId: string;
  observations: readonly ObservationRecord[];
  /** Latest version of every existing 图斑 that an observation could continue, with its case. */
  prior: readonly { version: TubanVersion; case: CaseSnapshot | null }[];
  /** Last sequence issued per numbering period (`<county>-<yyyymm>`). */
  lastSequence: Readonly<Record<string, number>>;
  /** The approval layers the batch pinned (deployment-wide, then province, city, county); they add up. */
  approvals: readonly ApprovalLayer[];
  /** Mask layers by content hash (the versions the observations pinned), for the area split of a union. */
  masks: ReadonlyMap<string, MaskLayer>;
  parameters: ResolveParameters;
}

interface Working {
  tubanId: string;
  prior: { version: TubanVersion; case: CaseSnapshot | null } | null;
  regionCode: string;
  lattice: Lattice;
  shape: LatticeShape;
  pixelCount: number;
  added: ObservationRecord[];
}

const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function resolveTuban(input: ResolveInput): TubanVersion[] {
  const lastSequence = { ...input.lastSequence };
  const working: Working[] = input.prior
    .map((p) => ({
      tubanId: p.version.tubanId,
      prior: p,
      regionCode: p.version.feature.properties.regionCode,
      lattice: p.version.lattice,
      shape: p.version.shape,
      pixelCount: p.version.pixelCount,
      added: [] as ObservationRecord[],
    }))
    .sort((a, b) => (a.tubanId < b.tubanId ? -1 : 1));

  for (const obs of [...input.observations].sort(byId)) {
    const region = obs.feature.properties.regionCode;
    let best: { w: Working; overlap: number; touch: number; joined: Uint8Array; window: LatticeWindow } | null = null;
    for (const w of working) {
      if (w.regionCode !== region || w.lattice.gridId !== obs.lattice.gridId || !bboxesNear(w.shape.pixelBbox, obs.shape.pixelBbox)) continue;
      const window = windowAround([w.shape, obs.shape], 1);
      const mine = new Uint8Array(window.width * window.height);
      const theirs = new Uint8Array(window.width * window.height);
      burnShape(obs.shape, window, 1, mine);
      burnShape(w.shape, window, 1, theirs);
      const touch = touchingPixels(mine, theirs, window.width, window.height);
      if (touch === 0) continue;
      const overlap = countBoth(mine, theirs);
      if (!best || overlap > best.overlap || (overlap === best.overlap && touch > best.touch)) {
        for (let i = 0; i < mine.length; i++) mine[i] |= theirs[i]!;
        best = { w, overlap, touch, joined: mine, window };
      }
    }
    if (best) {
      const { w, joined, window } = best;
      w.shape = shapeOf(joined, window);
      w.pixelCount = countSet(joined);
      w.added.push(obs);
    } else {
      const period = numberingPeriod(region, obs.feature.properties.afterDate);
      const sequence = (lastSequence[period] ?? 0) + 1;
      lastSequence[period] = sequence;
      working.push({ tubanId: tubanNumber(region, obs.feature.properties.afterDate, sequence), prior: null, regionCode: region, lattice: obs.lattice, shape: obs.shape, pixelCount: obs.pixelCount, added: [obs] });
    }
  }

  return working
    .filter((w) => w.added.length > 0)
    .sort((a, b) => (a.tubanId < b.tubanId ? -1 : 1))
    .map((w) => buildVersion(w, input));
}

/** The exact outline and pixel bbox of the set pixels of a window bitmap (one 8-connected component). */
function shapeOf(bitmap: Uint8Array, window: LatticeWindow): LatticeShape {
  const { width, height } = window;
  let minX = width, minY = height, maxX = -1, maxY = -1;
  const labels = new Int32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!bitmap[y * width + x]) continue;
      labels[y * width + x] = 1;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  const rings = traceOutline(labels, width, height, 1, minX, minY, maxX, maxY);
  return {
    outline: rings.map((ring) => ring.map((v, i) => v + (i % 2 === 0 ? window.col : window.row))),
    pixelBbox: [window.col + minX, window.row + minY, window.col + maxX + 1, window.row + maxY + 1],
  };
}

function summaryOf(obs: ObservationRecord): ObservationSummary {
  const p = obs.feature.properties;
  return {
    id: obs.id,
    batchId: p.batchId,
    beforeDate: p.beforeDate,
    afterDate: p.afterDate,
    beforeSceneId: p.beforeSceneId,
    afterSceneId: p.afterSceneId,
    platform: p.platform,
    sensor: p.sensor,
    changeType: p.changeType,
    changeScore: p.changeScore,
    areaM2: p.areaM2,
    areaMu: p.areaMu,
    cloudFreeFraction: p.cloudFreeFraction,
    evidence: p.evidence,
  };
}

const byDateThenId = (a: ObservationSummary, b: ObservationSummary) => (a.afterDate !== b.afterDate ? (a.afterDate < b.afterDate ? -1 : 1) : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function buildVersion(w: Working, input: ResolveInput): TubanVersion {
  const added = [...w.added].sort((a, b) => byDateThenId(summaryOf(a), summaryOf(b)));
  const latest = added[added.length - 1]!;
  const observations = [...(w.prior?.version.feature.properties.observations ?? []), ...added.map(summaryOf)].sort(byDateThenId);
  const base = latest.feature;
  const geometry = observations.length === 1 ? ownFigures(latest) : unionFigures(w, latest, input.masks);
  const window = windowAround([w.shape]);
  const cover = approvalCover(w, window, base.properties.afterDate, input.approvals);
  const likelyLegal = cover.covered >= input.parameters.approvalCover;
  const snapshot = w.prior?.case ?? null;
  const repeatViolation = snapshot?.verdict === 'illegal';
  const { action, cause } = dispatchAction(w, snapshot, likelyLegal, geometry.areaM2, input.parameters.regrowthFactor);
  const severity = severityOf({ areaMu: geometry.areaMu, overlap: geometry.overlapPixels, changeType: base.properties.changeType as ChangeType, cloudFreeFraction: base.properties.cloudFreeFraction });
  const version = (w.prior?.version.version ?? 0) + 1;
  const feature: AlertFeature = {
    type: 'Feature',
    id: w.tubanId,
    geometry: geometry.geometry,
    bbox: geometry.bbox,
    properties: {
      ...base.properties,
      tubanId: w.tubanId,
      areaM2: geometry.areaM2,
      areaMu: geometry.areaMu,
      overlap: geometry.overlap,
      elsewhere: geometry.elsewhere,
      severity: repeatViolation ? SEVERITIES[Math.min(SEVERITIES.length - 1, SEVERITIES.indexOf(severity) + 1)]! : severity,
      centroid: geometry.centroid,
      version,
      observations,
      firstObserved: observations[0]!.afterDate,
      lastObserved: observations[observations.length - 1]!.afterDate,
      likelyLegal,
      approvals: cover.approvals,
      approvalCover: round(cover.covered, 4),
      repeatViolation,
      dispatch: action,
      ...(cause ? { redispatchCause: cause } : {}),
    },
  };
  return {
    schema: 'shoutu.tuban/1',
    tubanId: w.tubanId,
    version,
    batchId: input.batchId,
    action,
    lattice: w.lattice,
    shape: w.shape,
    pixelCount: w.pixelCount,
    observationIds: observations.map((o) => o.id),
    feature,
  };
}

/**
 * What the new version does, from the case of the 图斑 (see DispatchAction). A legal or false-alarm verdict
 * holds until the site grows beyond `regrowthFactor` times the judged area; a 违法 site seen again is sent
 * again (its severity raised); an approved site that no longer fits its approvals is dispatched.
 */
function dispatchAction(w: Working, snapshot: CaseSnapshot | null, likelyLegal: boolean, areaM2: number, regrowthFactor: number): { action: DispatchAction; cause?: RedispatchCause } {
  if (!w.prior) return { action: likelyLegal ? 'hold' : 'dispatch' };
  if (!snapshot) return { action: 'update' };
  const judgedArea = snapshot.judgedAreaM2 ?? w.prior.version.feature.properties.observations?.[0]?.areaM2 ?? w.prior.version.feature.properties.areaM2;
  const regrowth = areaM2 > regrowthFactor * judgedArea ? ({ action: 'redispatch', cause: 'regrowth' } as const) : ({ action: 'record' } as const);
  switch (snapshot.status) {
    case 'likely_legal':
      return likelyLegal ? { action: 'record' } : { action: 'redispatch', cause: 'approval_exceeded' };
    case 'dispatched':
    case 'in_review':
      return { action: 'update' };
    case 'judged':
    case 'rectifying':
      return snapshot.verdict === 'illegal' ? { action: 'update' } : regrowth;
    case 'closed':
      return snapshot.verdict === 'illegal' ? { action: 'redispatch', cause: 'repeat_violation' } : regrowth;
  }
}

interface Figures {
  geometry: AlertFeature['geometry'];
  bbox: AlertFeature['bbox'];
  centroid: [number, number];
  areaM2: number;
  areaMu: number;
  overlap: AlertFeature['properties']['overlap'];
  elsewhere: AlertFeature['properties']['elsewhere'];
  overlapPixels: Record<MaskLayerName, { pixels: number }>;
}

/** A 图斑 of one observation has exactly that observation's figures. */
function ownFigures(obs: ObservationRecord): Figures {
  const p = obs.feature.properties;
  const pixels = (layer: MaskLayerName) => (p.overlap[layer].areaM2 > 0 ? 1 : 0);
  return {
    geometry: obs.feature.geometry,
    bbox: obs.feature.bbox,
    centroid: p.centroid,
    areaM2: p.areaM2,
    areaMu: p.areaMu,
    overlap: p.overlap,
    elsewhere: p.elsewhere,
    overlapPixels: { farmland: { pixels: pixels('farmland') }, redline: { pixels: pixels('redline') } },
  };
}

/** Area, split, centroid and outline of the union footprint, with the latest observation's mask versions. */
function unionFigures(w: Working, latest: ObservationRecord, masks: ReadonlyMap<string, MaskLayer>): Figures {
  const window = windowAround([w.shape]);
  const n = window.width * window.height;
  const union = new Uint8Array(n);
  burnShape(w.shape, window, 1, union);
  const classes = new Uint8Array(n);
  const grid = { epsg: w.lattice.epsg, geoTransform: windowGeoTransform(w.lattice, window), width: window.width, height: window.height };
  MASK_LAYERS.forEach((layer, bit) => {
    for (const sha of maskVersionList(latest.feature.properties.maskVersions, layer)) {
      const mask = masks.get(sha);
      if (!mask) throw new Error(`mask layer ${layer} version ${sha} is needed for 图斑 ${w.tubanId} but was not loaded`);
      rasterizeMaskLayer(mask, grid, 1 << bit, classes);
    }
  });
  const redlineBit = 1 << MASK_LAYERS.indexOf('redline');
  const farmlandBit = 1 << MASK_LAYERS.indexOf('farmland');
  let count = 0, sumCol = 0, sumRow = 0, redline = 0, farmland = 0;
  for (let y = 0; y < window.height; y++) {
    for (let x = 0; x < window.width; x++) {
      const i = y * window.width + x;
      if (!union[i]) continue;
      count++;
      sumCol += window.col + x + 0.5;
      sumRow += window.row + y + 0.5;
      if (classes[i]! & redlineBit) redline++;
      else if (classes[i]! & farmlandBit) farmland++;
    }
  }
  const classCounts = MASK_LAYERS.map((layer) => (layer === 'redline' ? redline : farmland));
  const patch = describePatch(w.lattice, {
    label: 1,
    pixelCount: count,
    sums: { col: sumCol, row: sumRow, score: 0, index: [] },
    channels: [],
    footprint: { pixels: 1, clear: 1 },
    classCounts,
    pixelBbox: w.shape.pixelBbox,
    outline: w.shape.outline,
    touchesEdge: false,
  });
  return {
    geometry: patch.geometry,
    bbox: patch.bbox,
    centroid: patch.centroid,
    areaM2: patch.areaM2,
    areaMu: patch.areaMu,
    overlap: { farmland: { areaM2: patch.overlap.farmland.areaM2, areaMu: patch.overlap.farmland.areaMu }, redline: { areaM2: patch.overlap.redline.areaM2, areaMu: patch.overlap.redline.areaMu } },
    elsewhere: { areaM2: patch.elsewhere.areaM2, areaMu: patch.elsewhere.areaMu },
    overlapPixels: { farmland: { pixels: farmland }, redline: { pixels: redline } },
  };
}

/** Share of the footprint that approvals valid on `date` cover (in any of the layers), and which approvals touch it. */
function approvalCover(w: Working, window: LatticeWindow, date: string, layers: readonly ApprovalLayer[]): { covered: number; approvals: ApprovalSummary[] } {
  const valid = layers.map((layer) => ({ layer, ...validApprovals(layer, date) })).filter((v) => v.features.length > 0);
  if (valid.length === 0) return { covered: 0, approvals: [] };
  const n = window.width * window.height;
  const footprint = new Uint8Array(n);
  burnShape(w.shape, window, 1, footprint);
  const grid = { epsg: w.lattice.epsg, geoTransform: windowGeoTransform(w.lattice, window), width: window.width, height: window.height };
  const all = new Uint8Array(n);
  const touching: ApprovalSummary[] = [];
  for (const { layer, geometry, features } of valid) {
    rasterizeMaskLayer(geometry, grid, 1, all);
    for (const f of features) {
      const one = new Uint8Array(n);
      const polygons = geometry.polygons.filter((_, k) => geometry.polygonFeatures[k] === f);
      rasterizeMaskLayer({ ...geometry, polygons, polygonFeatures: polygons.map(() => f) }, grid, 1, one);
      if (countBoth(one, footprint) > 0) {
        const a = layer.approvals[f]!;
        touching.push({ number: a.number, kind: a.kind, validFrom: a.validFrom, validTo: a.validTo });
      }
    }
  }
  touching.sort((a, b) => (a.number < b.number ? -1 : a.number > b.number ? 1 : 0));
  return { covered: countBoth(all, footprint) / Math.max(1, countSet(footprint)), approvals: touching };
}
