/**
 * Resampling a source raster window onto output pixels whose positions in the source are given.
 *
 * Layout: `coords` holds, for each output pixel of a w×h rectangle in row-major order, the source pixel
 * coordinates (u, v) of its centre: (0, 0) is the outer corner of source pixel (0, 0), so source pixel
 * (i, j) spans [i, i+1) × [j, j+1) and its centre is (i + 0.5, j + 0.5). The source window is planar
 * (band b at window pixel (x, y): samples[b*width*height + y*width + x]) with one status byte per pixel.
 * The output is planar too: band b of output pixel (x, y) of the rectangle goes to
 * out[b*outPlane + (outY + y)*outWidth + outX + x].
 *
 * Rules (the same as GDAL's warper, except where noted):
 * - an output pixel whose centre lies outside the source raster, or whose nearest source pixel is
 *   nodata, is nodata (`fill` in every band). (GDAL keeps a pixel when any of its bilinear neighbours
 *   is valid; here validity follows the nearest pixel, so nodata edges and mask classes stay aligned.)
 * - nearest bands (classes, masks) copy the nearest source pixel: floor(u), floor(v). Exact.
 * - other bands: bilinear, i.e. a separable tent of radius 1 source pixel around (u - 0.5, v - 0.5).
 *   Where the grid is coarser than the source the radius is the scale factor (`radiusX`, `radiusY` > 1),
 *   as GDAL widens its kernels when downsampling, so every source pixel contributes. Nodata and fully
 *   saturated neighbours get no weight and the weights are renormalised (the nearest pixel is always
 *   among the neighbours with weight ≥ 1/4, so the sum is never 0).
 * - a pixel whose nearest source pixel is fully saturated is copied from it in every band, so it stays
 *   recognisably saturated.
 * - integers are rounded half away from zero (GDAL rounds the same way) and float32 to the nearest
 *   float32. A resampled (not copied) value that would equal `fill` moves one step away from it (±1
 *   for integers, the next float for floats) so that a valid pixel never reads as nodata.
 * Edges: taps outside the source raster or the window get no weight; the caller reads a window that
 * holds every tap (see `windowFor`).
 */

import { requireDimensions, requireIntegerInRange, requireLength } from './argument-checks.js';

/** Source pixel status: nodata (no weight, makes the output nodata when nearest). */
export const SOURCE_NODATA = 0;
/** Source pixel status: usable. */
export const SOURCE_USABLE = 1;
/** Source pixel status: fully saturated (no weight; copied when nearest). */
export const SOURCE_SATURATED = 2;

export type SampleArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

export interface SourceWindow {
  /** Window position and size in source pixels. */
  x0: number;
  y0: number;
  width: number;
  height: number;
  bands: number;
  samples: SampleArray;
  /** SOURCE_NODATA / SOURCE_USABLE / SOURCE_SATURATED per window pixel. */
  status: Uint8Array;
}

export interface OutputSamples {
  /** Planar output planes (bands × outPlane values). */
  out: SampleArray;
  outWidth: number;
  outPlane: number;
  outX: number;
  outY: number;
  /** Value of nodata output pixels. */
  fill: number;
  /** Integer sample type: round half away from zero and clamp to [min, max]; else float (float32 when `float32`). */
  integer: boolean;
  float32: boolean;
  min: number;
  max: number;
}

/**
 * Status of each source pixel: nodata when any band equals `nodata` (compare as the samples hold it) or
 * is not finite; saturated when each of the first `imageBands` bands equals `saturation`; else usable.
 */
export function sourcePixelStatus(
  samples: SampleArray,
  pixels: number,
  bands: number,
  imageBands: number,
  nodata: number | null,
  saturation: number | null,
  status: Uint8Array,
): void {
  requireIntegerInRange('pixels', pixels, 0, 2 ** 31 - 1);
  requireIntegerInRange('bands', bands, 1, 0xffff);
  requireIntegerInRange('imageBands', imageBands, 1, bands);
  requireLength('samples', samples, bands * pixels);
  requireLength('status', status, pixels);
  status.fill(SOURCE_USABLE, 0, pixels);
  for (let b = 0; b < bands; b++) {
    const p = b * pixels;
    for (let i = 0; i < pixels; i++) {
      const v = samples[p + i]!;
      if (v - v !== 0 || v === nodata) status[i] = SOURCE_NODATA;
    }
  }
  if (saturation === null) return;
  for (let i = 0; i < pixels; i++) {
    if (status[i] === SOURCE_NODATA) continue;
    let b = 0;
    while (b < imageBands && samples[b * pixels + i] === saturation) b++;
    if (b === imageBands) status[i] = SOURCE_SATURATED;
  }
}

/**
 * Marks as SOURCE_NODATA the pixels whose alpha sample (band `alphaBand` of the planar `samples`) is 0:
 * ground a drone orthophoto does not cover. Blending them in would darken the edge of the covered ground.
 */
export function markTransparent(samples: SampleArray, pixels: number, alphaBand: number, status: Uint8Array): void {
  requireIntegerInRange('alphaBand', alphaBand, 0, 0xffff);
  requireLength('samples', samples, (alphaBand + 1) * pixels);
  requireLength('status', status, pixels);
  const p = alphaBand * pixels;
  for (let i = 0; i < pixels; i++) if (samples[p + i] === 0) status[i] = SOURCE_NODATA;
}

/**
 * Marks as SOURCE_NODATA the pixels whose first `imageBands` samples all equal `fill` (0 in every band: the
 * ground a product without a declared nodata does not cover, detection/validity.ts typeFill). Blending
 * them in would darken the edge of the imaged ground.
 */
export function markFill(samples: SampleArray, pixels: number, imageBands: number, fill: number, status: Uint8Array): void {
  requireIntegerInRange('imageBands', imageBands, 1, 0xffff);
  requireLength('samples', samples, imageBands * pixels);
  requireLength('status', status, pixels);
  for (let i = 0; i < pixels; i++) {
    let b = 0;
    while (b < imageBands && samples[b * pixels + i] === fill) b++;
    if (b === imageBands) status[i] = SOURCE_NODATA;
  }
}

/** The source window that holds every tap of the given output coordinates, clamped to the raster; null when none lies inside. */
export function windowFor(
  coords: Float64Array,
  count: number,
  sourceWidth: number,
  sourceHeight: number,
  radiusX: number,
  radiusY: number,
): { x0: number; y0: number; width: number; height: number } | null {
  requireLength('coords', coords, 2 * count);
  let minU = Infinity, maxU = -Infinity, minV = Infinity, maxV = -Infinity;
  for (let i = 0; i < count; i++) {
    const u = coords[2 * i]!;
    const v = coords[2 * i + 1]!;
    if (!(u >= 0 && u < sourceWidth && v >= 0 && v < sourceHeight)) continue;
    if (u < minU) minU = u;
    if (u > maxU) maxU = u;
    if (v < minV) minV = v;
    if (v > maxV) maxV = v;
  }
  if (minU === Infinity) return null;
  const x0 = Math.max(0, Math.floor(minU - 0.5 - radiusX));
  const y0 = Math.max(0, Math.floor(minV - 0.5 - radiusY));
  const x1 = Math.min(sourceWidth - 1, Math.ceil(maxU - 0.5 + radiusX));
  const y1 = Math.min(sourceHeight - 1, Math.ceil(maxV - 0.5 + radiusY));
  return { x0, y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** Rounds and clamps a resampled value to the output type, stepping off `fill`. */
function quantise(value: number, o: OutputSamples): number {
  let q: number;
  if (o.integer) {
    q = value < 0 ? -Math.floor(-value + 0.5) : Math.floor(value + 0.5);
    if (q < o.min) q = o.min;
    else if (q > o.max) q = o.max;
    if (q === o.fill) q = q < o.max ? q + 1 : q - 1;
    return q;
  }
  q = o.float32 ? Math.fround(value) : value;
  if (q === o.fill) q = o.float32 ? nextFloat32Up(q) : nextFloat64Up(q);
  return q;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function nextFloat32Up(x: number): number {
  if (x === 0) return 2 ** -149;
  f32[0] = x;
  u32[0] = x > 0 ? u32[0]! + 1 : u32[0]! - 1;
  return f32[0]!;
}
const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
function nextFloat64Up(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  f64[0] = x;
  u64[0] = x > 0 ? u64[0]! + 1n : u64[0]! - 1n;
  return f64[0]!;
}

/**
 * Resamples a w×h rectangle of output pixels (see the module comment). `nearestBand[b]` = 1 for bands
 * resampled by nearest neighbour. `radiusX`, `radiusY` ≥ 1: the tent radius in source pixels (1 =
 * bilinear). Returns the number of output pixels that are not nodata.
 */
export function resampleRect(
  coords: Float64Array,
  w: number,
  h: number,
  source: SourceWindow,
  sourceWidth: number,
  sourceHeight: number,
  nearestBand: Uint8Array,
  radiusX: number,
  radiusY: number,
  o: OutputSamples,
): number {
  requireDimensions(w, h);
  const count = w * h;
  const { x0, y0, width: ww, height: wh, bands, samples, status } = source;
  requireLength('coords', coords, 2 * count);
  requireLength('source samples', samples, bands * ww * wh);
  requireLength('source status', status, ww * wh);
  requireLength('nearestBand', nearestBand, bands);
  requireLength('out', o.out, (bands - 1) * o.outPlane + (o.outY + h - 1) * o.outWidth + o.outX + w);
  if (!(radiusX >= 1 && radiusY >= 1)) throw new RangeError(`radii must be >= 1, got ${radiusX}, ${radiusY}`);
  const plane = ww * wh;
  const acc = new Float64Array(bands);
  const bilinear = radiusX === 1 && radiusY === 1;
  // Window-and-raster limits of the taps.
  const tx0 = Math.max(0, x0);
  const ty0 = Math.max(0, y0);
  const tx1 = Math.min(sourceWidth, x0 + ww) - 1;
  const ty1 = Math.min(sourceHeight, y0 + wh) - 1;
  let valid = 0;
  for (let y = 0; y < h; y++) {
    const outRow = (o.outY + y) * o.outWidth + o.outX;
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const at = outRow + x;
      const u = coords[2 * i]!;
      const v = coords[2 * i + 1]!;
      const inside = u >= 0 && u < sourceWidth && v >= 0 && v < sourceHeight;
      const nx = Math.floor(u) - x0;
      const ny = Math.floor(v) - y0;
      if (inside && (nx < 0 || ny < 0 || nx >= ww || ny >= wh)) throw new RangeError(`source window does not hold the nearest pixel of output pixel ${x}, ${y}`);
      const nearest = inside ? ny * ww + nx : -1;
      const state = inside ? status[nearest]! : SOURCE_NODATA;
      if (state === SOURCE_NODATA) {
        for (let b = 0; b < bands; b++) o.out[b * o.outPlane + at] = o.fill;
        continue;
      }
      valid++;
      if (state === SOURCE_SATURATED) {
        for (let b = 0; b < bands; b++) o.out[b * o.outPlane + at] = samples[b * plane + nearest]!;
        continue;
      }
      const sx = u - 0.5;
      const sy = v - 0.5;
      if (bilinear) {
        // The four taps; one that is outside or not usable keeps weight 0 and points at the nearest pixel,
        // so that 0 × its (finite) sample adds nothing: the same sums as skipping it.
        const ix = Math.floor(sx);
        const iy = Math.floor(sy);
        const fx = sx - ix;
        const fy = sy - iy;
        let p00 = nearest, p10 = nearest, p01 = nearest, p11 = nearest;
        let w00 = 0, w10 = 0, w01 = 0, w11 = 0;
        const left = ix >= tx0, right = ix + 1 <= tx1, top = iy >= ty0, bottom = iy + 1 <= ty1;
        const row0 = (iy - y0) * ww - x0;
        const row1 = row0 + ww;
        if (top && left && status[row0 + ix] === SOURCE_USABLE) { p00 = row0 + ix; w00 = (1 - fx) * (1 - fy); }
        if (top && right && status[row0 + ix + 1] === SOURCE_USABLE) { p10 = row0 + ix + 1; w10 = fx * (1 - fy); }
        if (bottom && left && status[row1 + ix] === SOURCE_USABLE) { p01 = row1 + ix; w01 = (1 - fx) * fy; }
        if (bottom && right && status[row1 + ix + 1] === SOURCE_USABLE) { p11 = row1 + ix + 1; w11 = fx * fy; }
        const sum = w00 + w10 + w01 + w11;
        for (let b = 0; b < bands; b++) {
          const q = b * plane;
          o.out[b * o.outPlane + at] =
            nearestBand[b] === 1 ? samples[q + nearest]! : quantise((w00 * samples[q + p00]! + w10 * samples[q + p10]! + w01 * samples[q + p01]! + w11 * samples[q + p11]!) / sum, o);
        }
        continue;
      }
      acc.fill(0);
      let sum = 0;
      const cy0 = Math.max(ty0, Math.ceil(sy - radiusY));
      const cy1 = Math.min(ty1, Math.floor(sy + radiusY));
      const cx0 = Math.max(tx0, Math.ceil(sx - radiusX));
      const cx1 = Math.min(tx1, Math.floor(sx + radiusX));
      for (let cy = cy0; cy <= cy1; cy++) {
        const wy = 1 - Math.abs(cy - sy) / radiusY;
        if (wy <= 0) continue;
        for (let cx = cx0; cx <= cx1; cx++) {
          const wx = 1 - Math.abs(cx - sx) / radiusX;
          if (wx <= 0) continue;
          const p = (cy - y0) * ww + (cx - x0);
          if (status[p] !== SOURCE_USABLE) continue;
          const weight = wx * wy;
          sum += weight;
          for (let b = 0; b < bands; b++) acc[b]! += weight * samples[b * plane + p]!;
        }
      }
      for (let b = 0; b < bands; b++) {
        o.out[b * o.outPlane + at] = nearestBand[b] === 1 ? samples[b * plane + nearest]! : quantise(acc[b]! / sum, o);
      }
    }
  }
  return valid;
}
