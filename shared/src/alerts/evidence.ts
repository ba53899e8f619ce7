import { burnOutline } from '../detection/burn-outline.js';
import { intersect, extentOf, type Lattice, type LatticeWindow } from '../grid/lattice.js';
import { isGeographic, transformCoords } from '../geo/crs.js';
import type { OpenScene } from '../catalog/open-scene.js';
import type { BandName } from '../schemas/manifest.js';
import type { Patch } from '../detection/extract-patches.js';
import { renderChips } from './render-chip.js';
import { renderOverview } from './render-overview.js';
import { readReduced } from './read-reduced.js';
import { withLegend, type LegendText } from './chip-legend.js';
import { encodeRgbPng } from './encode-png.js';

/** Chips show at least this much context around the patch, in source pixels. */
const MIN_MARGIN_PX = 16;
/**
 * Chips wider than this many source pixels are read reduced (block means) to at most this width: a chip
 * is for seeing what changed, and the chips of a 2 km site in 5 cm drone imagery would be 80,000 pixels wide.
 */
const MAX_CHIP_SOURCE_PX = 1024;
/** Chips are upscaled to about this many output pixels across. */
const TARGET_CHIP_PX = 256;
const MAX_SCALE = 16;
/** The overview shows at least this many source pixels across, and OVERVIEW_CONTEXT chip widths. */
const OVERVIEW_MIN_SIDE_PX = 256;
const OVERVIEW_CONTEXT = 4;
/** The overview is reduced or enlarged to about this many output pixels across. */
const TARGET_OVERVIEW_PX = 256;
/** GRS80 semi-major axis (m) and squared eccentricity. */
const GRS80_A = 6378137;
const GRS80_E2 = (1 / 298.257222101) * (2 - 1 / 298.257222101);
const RAD = Math.PI / 180;

/** True colour where the bands allow, else colour infrared, else the first bands (grey if one). */
export function displayBands(bands: readonly BandName[]): [number, number, number] {
  const idx = (name: BandName) => bands.indexOf(name);
  const [r, g, b, nir] = [idx('red'), idx('green'), idx('blue'), idx('nir')];
  if (r >= 0 && g >= 0 && b >= 0) return [r, g, b];
  if (nir >= 0 && r >= 0 && g >= 0) return [nir, r, g];
  if (bands.length >= 3) return [0, 1, 2];
  return [0, 0, 0];
}

/** The chip's lattice window: the patch bbox plus a margin, clipped to where both epochs exist. */
export function chipWindow(patch: Patch, before: OpenScene, after: OpenScene): LatticeWindow {
  const [c0, r0, c1, r1] = patch.pixelBbox;
  const margin = Math.max(MIN_MARGIN_PX, Math.ceil(Math.max(c1 - c0, r1 - r0) / 2));
  const wanted = { col: c0 - margin, row: r0 - margin, width: c1 - c0 + 2 * margin, height: r1 - r0 + 2 * margin };
  const both = intersect(extentOf(before.record.placement), extentOf(after.record.placement));
  const window = both && intersect(wanted, both);
  if (!window) throw new Error(`patch ${patch.label} lies outside the common extent of ${before.record.sceneId} and ${after.record.sceneId}`);
  return window;
}

/**
 * Marks the patch's pixels in the chip window by filling its outline (pixel centres inside); on a chip
 * reduced by `factor`, the outline scaled down with it.
 */
function patchMask(patch: Patch, window: LatticeWindow, factor: number): Uint8Array {
  if (factor === 1) {
    const mask = new Uint8Array(window.width * window.height);
    burnOutline(patch.outline, window, 1, mask);
    return mask;
  }
  const reduced = { col: 0, row: 0, width: Math.ceil(window.width / factor), height: Math.ceil(window.height / factor) };
  const outline = patch.outline.map((ring) => ring.map((v, i) => (i % 2 === 0 ? v - window.col : v - window.row) / factor));
  const mask = new Uint8Array(reduced.width * reduced.height);
  burnOutline(outline, reduced, 1, mask);
  return mask;
}

/**
 * Ground metres per lattice pixel east–west at lattice point (col, row), on the GRS80/CGCS2000
 * ellipsoid, like the areas (pixel-area.ts): the pixel's two side midpoints are taken to lon/lat and the
 * distance between them is N·cos φ·Δλ along the parallel (N: prime-vertical radius of curvature).
 * So the scale bar is true for geographic lattices and for projected ones with a scale factor
 * (UTM 0.9996 at the central meridian, Web Mercator sec φ).
 */
export function metresPerPixelX(lattice: Lattice, col: number, row: number): number {
  const x0 = lattice.phaseX + (col - 0.5) * lattice.pixelWidth;
  const y = lattice.phaseY - row * lattice.pixelHeight;
  const ends = new Float64Array([x0, y, x0 + lattice.pixelWidth, y]);
  if (!isGeographic(lattice.epsg)) transformCoords(lattice.epsg, 4326, ends);
  const latitude = ((ends[1]! + ends[3]!) / 2) * RAD;
  const s = Math.sin(latitude);
  const primeVertical = GRS80_A / Math.sqrt(1 - GRS80_E2 * s * s);
  return primeVertical * Math.cos(latitude) * Math.abs(ends[2]! - ends[0]!) * RAD;
}

/** The overview's lattice window: a square around the chip, at least OVERVIEW_MIN_SIDE_PX, clipped to the after scene. */
export function overviewWindow(chip: LatticeWindow, after: OpenScene): LatticeWindow {
  const side = Math.max(OVERVIEW_MIN_SIDE_PX, OVERVIEW_CONTEXT * Math.max(chip.width, chip.height));
  const col = chip.col + Math.floor(chip.width / 2) - Math.floor(side / 2);
  const row = chip.row + Math.floor(chip.height / 2) - Math.floor(side / 2);
  return intersect({ col, row, width: side, height: side }, extentOf(after.record.placement))!;
}

export type EvidenceImageName = 'before' | 'after' | 'overview';

/** One rendered evidence image with what its manifest entry records about it. */
export interface EvidenceImage {
  name: EvidenceImageName;
  png: Uint8Array;
  width: number;
  height: number;
  /** The lattice window the picture shows (the legend is below it). */
  window: LatticeWindow;
  sceneId: string;
  date: string;
  sensor: string;
}

function caption(label: string, scene: OpenScene, observationId: string): LegendText {
  return { title: `${label} ${scene.record.acquiredAt}`, subtitle: scene.record.sensor, note: observationId };
}

/**
 * The evidence images of a 图斑: before and after chips (same extent, same stretch, outline, captions
 * with the observation id, scale bar, north arrow) and a location overview of the after epoch. Deterministic bytes.
 */
export async function renderEvidence(observationId: string, patch: Patch, before: OpenScene, after: OpenScene): Promise<EvidenceImage[]> {
  const window = chipWindow(patch, before, after);
  const overview = overviewWindow(window, after);
  // Large windows are read reduced, in strips (read-reduced.ts): the overview by the factor it is shown at,
  // the chips when wider than MAX_CHIP_SOURCE_PX.
  const chipFactor = Math.ceil(Math.max(window.width, window.height) / MAX_CHIP_SOURCE_PX);
  const overviewFactor = Math.max(1, Math.ceil(Math.max(overview.width, overview.height) / TARGET_OVERVIEW_PX));
  // only the planes shown are returned (read-reduced.ts: a many-band scene's evidence then decodes no more
  // of its blocks than its tile jobs kept)
  const shown = displayBands(after.record.bands);
  const planes = [...new Set(shown)].sort((x, y) => x - y);
  const rgb = shown.map((p) => planes.indexOf(p)) as [number, number, number];
  const bands = planes.length;
  const [b, a, o] = await Promise.all([
    readReduced(before, window, chipFactor, undefined, planes),
    readReduced(after, window, chipFactor, undefined, planes),
    readReduced(after, overview, overviewFactor, undefined, planes),
  ]);
  const valid = b.valid;
  for (let i = 0; i < valid.length; i++) valid[i]! &= a.valid[i]!;
  const scale = Math.max(1, Math.min(MAX_SCALE, Math.floor(TARGET_CHIP_PX / Math.max(b.width, b.height))));
  const chips = renderChips({ before: b.planar, after: a.planar, width: b.width, height: b.height, bands, rgb, valid, patch: patchMask(patch, window, chipFactor), scale });
  const lattice = after.record.placement.lattice;
  const chipMetres = (metresPerPixelX(lattice, window.col + window.width / 2, window.row + window.height / 2) * chipFactor) / scale;
  const view = renderOverview({
    planar: o.planar,
    width: o.width,
    height: o.height,
    bands,
    rgb,
    valid: o.valid,
    mark: { col: window.col - overview.col, row: window.row - overview.row, width: window.width, height: window.height },
    targetPx: TARGET_OVERVIEW_PX,
    reducedBy: overviewFactor,
  });
  const overviewMetres = metresPerPixelX(lattice, overview.col + overview.width / 2, overview.row + overview.height / 2) * view.sourcePixelsPerOutput;
  const pictures = [
    { name: 'before' as const, scene: before, rgb: chips.before, width: chips.width, height: chips.height, metres: chipMetres, window, label: 'BEFORE' },
    { name: 'after' as const, scene: after, rgb: chips.after, width: chips.width, height: chips.height, metres: chipMetres, window, label: 'AFTER' },
    { name: 'overview' as const, scene: after, rgb: view.rgb, width: view.width, height: view.height, metres: overviewMetres, window: overview, label: 'OVERVIEW' },
  ];
  return Promise.all(
    pictures.map(async (p) => {
      const canvas = withLegend(p.rgb, p.width, p.height, caption(p.label, p.scene, observationId), p.metres);
      return {
        name: p.name,
        png: await encodeRgbPng(canvas.rgb, canvas.width, canvas.height),
        width: canvas.width,
        height: canvas.height,
        window: p.window,
        sceneId: p.scene.record.sceneId,
        date: p.scene.record.acquiredAt,
        sensor: p.scene.record.sensor,
      };
    }),
  );
}
