import { andValidMask } from '../kernels/valid-mask.js';
import { fillPolygon } from '../kernels/rasterize-polygon.js';
import { intersect, extentOf, type LatticeWindow } from '../grid/lattice.js';
import type { OpenScene } from '../catalog/open-scene.js';
import type { BandName } from '../schemas/manifest.js';
import type { Patch } from '../detection/extract-patches.js';
import { renderChips } from './render-chip.js';
import { encodeRgbPng } from './encode-png.js';

/** Chips show at least this much context around the patch, in source pixels. */
const MIN_MARGIN_PX = 16;
/** Chips are upscaled to about this many output pixels across. */
const TARGET_CHIP_PX = 256;
const MAX_SCALE = 16;

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

/** Marks the patch's pixels in the chip window by filling its outline (pixel centres inside). */
function patchMask(patch: Patch, window: LatticeWindow): Uint8Array {
  let vertices = 0;
  for (const ring of patch.outline) vertices += ring.length / 2;
  const coords = new Float64Array(vertices * 2);
  const ringStarts = new Uint32Array(patch.outline.length + 1);
  let v = 0;
  patch.outline.forEach((ring, k) => {
    ringStarts[k] = v;
    for (let i = 0; i < ring.length; i += 2) {
      coords[2 * v] = ring[i]! - window.col;
      coords[2 * v + 1] = ring[i + 1]! - window.row;
      v++;
    }
  });
  ringStarts[patch.outline.length] = v;
  const mask = new Uint8Array(window.width * window.height);
  fillPolygon(coords, ringStarts, patch.outline.length, window.width, window.height, 1, mask, new Float64Array(vertices));
  return mask;
}

/** Before/after PNG chips of a patch: same extent, same stretch, outline drawn. */
export async function renderEvidence(patch: Patch, before: OpenScene, after: OpenScene): Promise<{ before: Uint8Array; after: Uint8Array }> {
  const window = chipWindow(patch, before, after);
  const [b, a] = await Promise.all([before.readWindow(window), after.readWindow(window)]);
  const bands = after.record.raster.bands;
  const valid = new Uint8Array(window.width * window.height).fill(1);
  andValidMask(b, window.width, window.height, bands, before.record.raster.nodata, valid);
  andValidMask(a, window.width, window.height, bands, after.record.raster.nodata, valid);
  const scale = Math.max(1, Math.min(MAX_SCALE, Math.floor(TARGET_CHIP_PX / Math.max(window.width, window.height))));
  const chips = renderChips({
    before: b,
    after: a,
    width: window.width,
    height: window.height,
    bands,
    rgb: displayBands(after.record.bands),
    valid,
    patch: patchMask(patch, window),
    scale,
  });
  const [beforePng, afterPng] = await Promise.all([
    encodeRgbPng(chips.before, chips.width, chips.height),
    encodeRgbPng(chips.after, chips.width, chips.height),
  ]);
  return { before: beforePng, after: afterPng };
}
