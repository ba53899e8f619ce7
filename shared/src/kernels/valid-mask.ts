/**
 * Pixel validity mask, built one epoch at a time.
 *
 * Layout: `planar` is band-sequential (planar) Float32: the sample of band b at (x, y) is
 * `planar[b*width*height + y*width + x]`. `valid` is Uint8Array(width*height), 1 = valid, 0 = invalid.
 * Units: whatever the imagery carries (DN or reflectance); only equality with nodata and
 * finiteness are tested, never magnitudes.
 * Nodata: `nodata` is rounded to float32 (Math.fround) before comparing, because the samples
 * are float32: a GeoTIFF nodata tag of "0.1" must match the stored 0.1f, which as a double is
 * not 0.1. NaN and ±Infinity are always invalid (`v - v` is 0 for finite v and NaN otherwise,
 * so one comparison covers both).
 * Edges: purely per-pixel, there is no neighbourhood and no edge handling.
 * Why AND: a change score is only meaningful where both epochs have every band, so the caller
 * fills `valid` with 1 and ANDs each epoch in. Each band plane is read in order, four planes a sweep.
 */

import { requireDimensions, requireIntegerInRange, requireLength } from './argument-checks.js';

/**
 * ANDs pixel validity of one epoch into `valid` (Uint8Array(width*height), 1 valid / 0 invalid;
 * the caller fills it with 1 first, then calls this once per epoch). A pixel is invalid when any
 * band's sample equals `nodata` (if nodata is not null) or is NaN/±Infinity.
 *
 * @param planar band-sequential samples, length >= bands*width*height
 * @param nodata nodata value of the source raster (compared as float32), or null for none
 * @param valid in/out mask; pixels are only ever cleared to 0, never set to 1
 */
export function andValidMask(
  planar: Float32Array,
  width: number,
  height: number,
  bands: number,
  nodata: number | null,
  valid: Uint8Array,
): void {
  requireDimensions(width, height);
  requireIntegerInRange('bands', bands, 1, 0xffff);
  const pixels = width * height;
  requireLength('planar', planar, bands * pixels);
  requireLength('valid', valid, pixels);

  // Compared as float32; with no nodata, NaN (which equals nothing). A NaN nodata is harmless too: NaN
  // samples are invalid anyway.
  const nd = nodata === null ? Number.NaN : Math.fround(nodata);
  // Four band planes a sweep (each read in order): a quarter of the passes over `valid`.
  let b = 0;
  for (; b + 3 < bands; b += 4) clearInvalidFour(planar, b * pixels, pixels, nd, valid);
  for (; b < bands; b++) clearInvalidOne(planar, b * pixels, pixels, nd, valid);
}

/** Clears valid[i] where the band plane at `plane` is non-finite or nd at i. */
function clearInvalidOne(planar: Float32Array, plane: number, pixels: number, nd: number, valid: Uint8Array): void {
  for (let i = 0; i < pixels; i++) {
    const v = planar[plane + i];
    if (v - v !== 0 || v === nd) valid[i] = 0;
  }
}

/** clearInvalidOne of four band planes from `plane` at once (v − v is 0 for finite v, so the sum is 0
 *  unless a sample is NaN or ±Infinity). */
function clearInvalidFour(planar: Float32Array, plane: number, pixels: number, nd: number, valid: Uint8Array): void {
  const p1 = plane + pixels;
  const p2 = p1 + pixels;
  const p3 = p2 + pixels;
  for (let i = 0; i < pixels; i++) {
    const v0 = planar[plane + i];
    const v1 = planar[p1 + i];
    const v2 = planar[p2 + i];
    const v3 = planar[p3 + i];
    if (v0 - v0 + (v1 - v1) + (v2 - v2) + (v3 - v3) !== 0 || v0 === nd || v1 === nd || v2 === nd || v3 === nd) valid[i] = 0;
  }
}

/** Integer sample arrays: never NaN or infinite, so their validity is the nodata test alone. */
export type IntegerSamples = Uint8Array | Int8Array | Uint16Array | Int16Array;

/** Whether `samples` holds integers of 8 or 16 bits (the types andIntegerValidMask takes). */
export function isIntegerSamples(samples: ArrayBufferView): samples is IntegerSamples {
  return samples instanceof Uint8Array || samples instanceof Uint16Array || samples instanceof Int16Array || samples instanceof Int8Array;
}

/**
 * andValidMask for integer samples: clears valid[i] where any of the `bands` planes (`pixels` apart) holds
 * `nodata` at i (compared as given, `===`, as the change pass compares integer samples); with no nodata it
 * changes nothing, since an integer is always finite.
 *
 * Why: a window of a file's own 8/16-bit samples needs no finiteness test, and where nodata is rare the
 * engine's native indexOf finds each occurrence far faster than a comparison per sample in script (a
 * pooled drone tile's validity was a tenth of its detect run through the whole change pass).
 */
export function andIntegerValidMask(samples: IntegerSamples, pixels: number, bands: number, nodata: number | null, valid: Uint8Array): void {
  requireIntegerInRange('pixels', pixels, 0, 0x7fffffff);
  requireIntegerInRange('bands', bands, 1, 0xffff);
  requireLength('samples', samples, bands * pixels);
  requireLength('valid', valid, pixels);
  if (nodata === null) return;
  for (let b = 0; b < bands; b++) {
    const plane = samples.subarray(b * pixels, (b + 1) * pixels);
    // indexOf compares by strict equality, as `===` does (−0 equals 0; a nodata no sample can hold, such as
    // 0.5 or NaN, is never found)
    for (let i = plane.indexOf(nodata); i !== -1; i = plane.indexOf(nodata, i + 1)) valid[i] = 0;
  }
}
