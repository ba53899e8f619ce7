/**
 * A lattice window of a scene at reduced resolution: means of the valid pixels of factor × factor blocks
 * (render-overview.ts's blockMean), read in strips of `factor` rows (in bands of REDUCED_READ_COLUMNS
 * columns when wider). Memory is one strip and the result, whatever the window's size: the evidence of a
 * large 图斑 in centimetre drone imagery spans tens of thousands of pixels, more than one read may return
 * (MAX_WINDOW_VALUES) and more than an alert worker should hold. With factor 1 it is the window as read,
 * with its valid mask. Valid: a sample in every band read (every band, or the planes asked for: see
 * readReduced), other than nodata, on ground the file covers (its alpha band or internal mask, the fill
 * test); clouds and saturated pixels are shown as they are.
 */
import { andValidMask } from '../kernels/valid-mask.js';
import type { LatticeWindow } from '../grid/lattice.js';
import type { OpenScene } from '../catalog/open-scene.js';
import { blockMean } from './render-overview.js';
import { pickBands } from '../detection/evidence-bands.js';

export interface ReducedWindow {
  /** planar, the scene's planes (or those asked for) of width × height */
  planar: Float32Array;
  /** 1 where the (block of the) pixel has a valid sample */
  valid: Uint8Array;
  width: number;
  height: number;
}

/**
 * Source columns read at once: windows wider than this are read in bands of columns, each top to bottom,
 * so the blocks under a band stay in the raster's block cache for the strips after it and are decoded
 * (or fetched) once, however wide the window.
 */
export const REDUCED_READ_COLUMNS = 2048;

/**
 * `planes`: only these planes of the scene (ascending), e.g. the three an evidence image shows, with the
 * validity of what they show: a pixel is valid where each of them holds a sample other than nodata (and
 * finite), on ground the file covers — its alpha band, its internal mask, and the fill test, which the first
 * band tells (a pixel 0 in every band is 0 there), are read with them. Why: a picture's gaps are where its
 * own bands have none, as detection judges a pixel on the bands it scores; and a many-band scene's evidence
 * then reads four or five planes, not its 13 bands: the tile jobs' block caches keep only the planes their
 * pass reads, and a read of every band decodes such a block again. (A Sentinel-2 stack that declares nodata
 * 0 has its 60 m bands' gaps a few pixels wider at a swath edge: its pictures show the 10 m bands there.)
 */
export async function readReduced(scene: OpenScene, window: LatticeWindow, factor: number, columns = REDUCED_READ_COLUMNS, planes?: readonly number[]): Promise<ReducedWindow> {
  if (!Number.isInteger(factor) || factor < 1) throw new RangeError(`reduction factor must be a positive integer, got ${factor}`);
  const { bands: fileBands, nodata } = scene.record.raster;
  // what is read: the planes and those validity needs of them (see above), else every plane
  const alphaBand = scene.record.validity?.alphaBand ?? null;
  const fill = (scene.record.validity?.fill ?? null) !== null;
  const read = planes === undefined ? undefined : planesWithValidity(planes, fill, alphaBand !== null && alphaBand < fileBands ? alphaBand : null);
  const bands = read?.length ?? fileBands;
  // where the planes returned lie among those read
  const kept = planes === undefined ? null : planes.map((p) => (read === undefined ? p : read.indexOf(p)));
  const outBands = kept?.length ?? bands;
  const validOf = async (w: LatticeWindow, strip: Float32Array, valid: Uint8Array) => {
    andValidMask(strip, w.width, w.height, bands, nodata, valid.fill(1));
    andCovered(valid, await scene.readCovered(w, strip, read));
  };
  if (factor === 1) {
    const strip = await scene.readWindow(window, false, undefined, read);
    const valid = new Uint8Array(window.width * window.height);
    await validOf(window, strip, valid);
    return { planar: kept === null ? strip : pickBands(strip, window.width * window.height, kept), valid, width: window.width, height: window.height };
  }
  const width = Math.ceil(window.width / factor);
  const height = Math.ceil(window.height / factor);
  const planar = new Float32Array(width * height * outBands);
  const valid = new Uint8Array(width * height);
  // bands of whole blocks of columns, so every block lies in one band
  const bandColumns = factor * Math.max(1, Math.floor(columns / factor));
  const stripValid = new Uint8Array(Math.min(bandColumns, window.width) * factor);
  // one strip's samples, read into again strip after strip (a new array each would have its pages mapped
  // and cleared each time)
  const stripSamples = new Float32Array(Math.min(bandColumns, window.width) * factor * bands);
  for (let x0 = 0; x0 < window.width; x0 += bandColumns) {
    const cols = Math.min(bandColumns, window.width - x0);
    const out0 = x0 / factor;
    for (let y = 0; y < height; y++) {
      const rows = Math.min(factor, window.height - y * factor);
      const stripWindow = { col: window.col + x0, row: window.row + y * factor, width: cols, height: rows };
      const strip = await scene.readWindow(stripWindow, false, stripSamples.subarray(0, cols * rows * bands), read);
      const sv = stripValid.subarray(0, cols * rows);
      await validOf(stripWindow, strip, sv);
      const row = blockMean(strip, cols, rows, bands, sv, factor);
      for (let k = 0; k < outBands; k++) {
        const b = kept === null ? k : kept[k]!;
        planar.set(row.planar.subarray(b * row.width, (b + 1) * row.width), (k * height + y) * width + out0);
      }
      valid.set(row.valid, y * width + out0);
    }
  }
  return { planar, valid, width, height };
}

/** `planes` with the first band when the fill test applies, and the alpha band, ascending. */
function planesWithValidity(planes: readonly number[], fill: boolean, alphaBand: number | null): number[] {
  return [...new Set([...(fill ? [0] : []), ...planes, ...(alphaBand === null ? [] : [alphaBand])])].sort((a, b) => a - b);
}

/** Clears `valid` where the scene's file does not cover the ground (OpenScene.readCovered; null: all covered). */
function andCovered(valid: Uint8Array, covered: Uint8Array | null): void {
  if (covered !== null) for (let i = 0; i < valid.length; i++) valid[i]! &= covered[i]!;
}
