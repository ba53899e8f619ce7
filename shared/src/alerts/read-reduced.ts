/**
 * A lattice window of a scene at reduced resolution: means of the valid pixels of factor × factor blocks
 * (render-overview.ts's blockMean), read in strips of `factor` rows. Memory is one strip and the result,
 * whatever the window's size: the evidence of a large 图斑 in centimetre drone imagery spans tens of
 * thousands of pixels, more than one read may return (MAX_WINDOW_VALUES) and more than an alert worker
 * should hold. With factor 1 it is the window as read, with its valid mask.
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

export async function readReduced(scene: OpenScene, window: LatticeWindow, factor: number): Promise<ReducedWindow> {
  if (!Number.isInteger(factor) || factor < 1) throw new RangeError(`reduction factor must be a positive integer, got ${factor}`);
  const { bands, nodata } = scene.record.raster;
  if (factor === 1) {
    const planar = await scene.readWindow(window);
    const valid = new Uint8Array(window.width * window.height).fill(1);
    andValidMask(planar, window.width, window.height, bands, nodata, valid);
    return { planar, valid, width: window.width, height: window.height };
  }
  const width = Math.ceil(window.width / factor);
  const height = Math.ceil(window.height / factor);
  const planar = new Float32Array(width * height * bands);
  const valid = new Uint8Array(width * height);
  const stripValid = new Uint8Array(window.width * factor);
  for (let y = 0; y < height; y++) {
    const rows = Math.min(factor, window.height - y * factor);
    const strip = await scene.readWindow({ col: window.col, row: window.row + y * factor, width: window.width, height: rows });
    const sv = stripValid.subarray(0, window.width * rows).fill(1);
    andValidMask(strip, window.width, rows, bands, nodata, sv);
    const row = blockMean(strip, window.width, rows, bands, sv, factor);
    for (let b = 0; b < bands; b++) planar.set(row.planar.subarray(b * width, (b + 1) * width), (b * height + y) * width);
    valid.set(row.valid, y * width);
  }
  return { planar, valid, width, height };
}
