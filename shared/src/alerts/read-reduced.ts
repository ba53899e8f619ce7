/**
 * A lattice window of a scene at reduced resolution: means of the valid pixels of factor × factor blocks
 * (render-overview.ts's blockMean), read in strips of `factor` rows (in bands of REDUCED_READ_COLUMNS
 * columns when wider). Memory is one strip and the result, whatever the window's size: the evidence of a
 * large 图斑 in centimetre drone imagery spans tens of thousands of pixels, more than one read may return
 * (MAX_WINDOW_VALUES) and more than an alert worker should hold. With factor 1 it is the window as read,
 * with its valid mask. Valid: a sample in every band, other than nodata, on ground the file covers (its alpha
 * band or internal mask); clouds and saturated pixels are shown as they are.
 */
import { andValidMask } from '../kernels/valid-mask.js';
import type { LatticeWindow } from '../grid/lattice.js';
import type { OpenScene } from '../catalog/open-scene.js';
import { blockMean } from './render-overview.js';

export interface ReducedWindow {
  /** planar, `bands` planes of width × height */
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

export async function readReduced(scene: OpenScene, window: LatticeWindow, factor: number, columns = REDUCED_READ_COLUMNS): Promise<ReducedWindow> {
  if (!Number.isInteger(factor) || factor < 1) throw new RangeError(`reduction factor must be a positive integer, got ${factor}`);
  const { bands, nodata } = scene.record.raster;
  if (factor === 1) {
    const planar = await scene.readWindow(window);
    const valid = new Uint8Array(window.width * window.height).fill(1);
    andValidMask(planar, window.width, window.height, bands, nodata, valid);
    andCovered(valid, await scene.readCovered(window, planar));
    return { planar, valid, width: window.width, height: window.height };
  }
  const width = Math.ceil(window.width / factor);
  const height = Math.ceil(window.height / factor);
  const planar = new Float32Array(width * height * bands);
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
      const strip = await scene.readWindow(stripWindow, false, stripSamples.subarray(0, cols * rows * bands));
      const sv = stripValid.subarray(0, cols * rows).fill(1);
      andValidMask(strip, cols, rows, bands, nodata, sv);
      andCovered(sv, await scene.readCovered(stripWindow, strip));
      const row = blockMean(strip, cols, rows, bands, sv, factor);
      for (let b = 0; b < bands; b++) planar.set(row.planar.subarray(b * row.width, (b + 1) * row.width), (b * height + y) * width + out0);
      valid.set(row.valid, y * width + out0);
    }
  }
  return { planar, valid, width, height };
}

/** Clears `valid` where the scene's file does not cover the ground (OpenScene.readCovered; null: all covered). */
function andCovered(valid: Uint8Array, covered: Uint8Array | null): void {
  if (covered !== null) for (let i = 0; i < valid.length; i++) valid[i]! &= covered[i]!;
}
