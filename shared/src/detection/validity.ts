import { z } from 'zod';
import type { BandName } from '../schemas/manifest.js';
import type { NativeSamples } from '../raster/index.js';
import { andNotEveryBandAtMask } from '../kernels/every-band-at-mask.js';
import { andClearSkyMask, type CloudBands } from '../kernels/cloud-mask.js';
import { andMaskPlane, clearInvalidSamples } from '../kernels/mask-band.js';

/** Raw sample × scale + offset = reflectance (0..1). Known only when the operator states it. */
export const ReflectanceScale = z
  .object({
    scale: z.number().finite().positive(),
    offset: z.number().finite().default(0),
  })
  .strict();
export type ReflectanceScale = z.infer<typeof ReflectanceScale>;

/**
 * What decides, for one scene, that a pixel holds usable data besides nodata (see docs/detection.md,
 * "Validity"): saturation, fill, the spectral cloud test (only with a known reflectance scale and
 * the bands it needs), an operator cloud mask (a band of the file or a separate file) and the file's alpha.
 */
export interface SceneValidity {
  /** Bands of imagery (the mask band, when there is one, is after them). */
  imageBands: number;
  /** Sample value of a clipped sample, or null (float data without a declared value). */
  saturation: number | null;
  /** Value every image band of a fill pixel holds (0: typeFill), or null. */
  fill: number | null;
  /** Reflectance scale and the band positions of the cloud test; null when it does not run. */
  cloud: { scale: number; offset: number; bands: CloudBands } | null;
  /** File band (0-based) holding the operator's cloud mask, or null. */
  maskBand: number | null;
  /** Mask values that mean "masked"; null: any non-zero value. */
  maskedValues: number[] | null;
  /** File band (0-based) of the file's alpha (transparency): 0 there is ground the image does not cover; or null. */
  alphaBand: number | null;
}

/**
 * The default saturation value: the largest value of an integer sample type wider than 8 bits (what a
 * clipped sample of a 12- to 16-bit sensor product reads). 8-bit imagery is left alone unless the
 * operator declares a value: 8-bit products (drone orthophotos, stretched satellite RGB) routinely map
 * bright but valid surfaces such as new white roofs to 255, and masking them would hide construction.
 */
export function typeSaturation(sampleFormat: 'uint' | 'int' | 'float', bitsPerSample: number): number | null {
  if (bitsPerSample <= 8) return null;
  if (sampleFormat === 'uint') return 2 ** bitsPerSample - 1;
  if (sampleFormat === 'int') return 2 ** (bitsPerSample - 1) - 1;
  return null;
}

/**
 * The fill value of a file that declares no nodata: 0, where a pixel 0 in every image band is ground the
 * product does not cover. Sentinel-2 L1C/L2A define 0 as NO_DATA and Landsat Collection 2 as fill; Landsat 7's
 * scan-line gaps, the corners of orthorectified scene frames (GF-1/2/6, SPOT) and the edges of drone
 * orthophotos exported without alpha hold 0 too; files stacked or converted from them often lose the
 * declaration, and those pixels compared with the other epoch's ground would be change along every scene
 * edge. For integers wider than 8 bits whatever the band count (0 is below every sensor's dark signal); for
 * 8-bit samples with 3 bands or more (a stretched band reads 0 in deep shadow or water, all of three or more
 * bands at once almost never: LEVIR's RGB crops hold up to 83 such pixels in 65,536, and leaving them out
 * changes their F1 by at most 0.002). Null when a nodata value is declared, which then says what fill is; for
 * one- or two-band 8-bit files (a stretched panchromatic band is 0 where it is darkest); and for float
 * samples, which mark fill with NaN or a declared value.
 */
export function typeFill(file: { sampleFormat: 'uint' | 'int' | 'float'; bitsPerSample: number; nodata: number | null; imageBands: number }): number | null {
  if (file.nodata !== null || file.sampleFormat === 'float') return null;
  return file.bitsPerSample > 8 || file.imageBands >= 3 ? 0 : null;
}

/** Positions of the cloud test's bands, or null when one it needs is missing. */
export function cloudBandsOf(bands: readonly (BandName | null)[]): CloudBands | null {
  const at = (name: BandName) => bands.indexOf(name);
  const needed = { blue: at('blue'), green: at('green'), red: at('red'), nir: at('nir') >= 0 ? at('nir') : at('nir08'), swir16: at('swir16') };
  if (Object.values(needed).some((i) => i < 0)) return null;
  return { ...needed, swir22: at('swir22') };
}

export interface ValidityOptions {
  sampleFormat: 'uint' | 'int' | 'float';
  bitsPerSample: number;
  saturation?: number | undefined;
  /** typeFill's value for the file (or what the scene record holds), or null */
  fill?: number | null | undefined;
  reflectance?: ReflectanceScale | undefined;
  maskBand?: number | null | undefined;
  maskedValues?: number[] | null | undefined;
  alphaBand?: number | null | undefined;
}

export function sceneValidity(bands: readonly (BandName | null)[], options: ValidityOptions): SceneValidity {
  const cloudBands = options.reflectance ? cloudBandsOf(bands) : null;
  return {
    imageBands: bands.length,
    saturation: options.saturation ?? typeSaturation(options.sampleFormat, options.bitsPerSample),
    fill: options.fill ?? null,
    cloud: cloudBands && options.reflectance ? { scale: options.reflectance.scale, offset: options.reflectance.offset, bands: cloudBands } : null,
    maskBand: options.maskBand ?? null,
    maskedValues: options.maskedValues ?? null,
    alphaBand: options.alphaBand ?? null,
  };
}

/** The value of a transparent pixel's alpha sample (GDAL reads alpha 0 as masked, anything else as valid). */
const TRANSPARENT = Float64Array.of(0);

/**
 * Marks the unusable pixels of a planar window NaN in every band (in place), so the change kernels,
 * which treat non-finite samples as invalid, never score or flag them. `maskPlane` is a window of a
 * separate single-band mask file (same grid), or null; `covered` the file's internal mask over the window
 * (GeoTiffRaster.readMaskWindow: 0 where the image does not cover the ground), or null. Returns the
 * number of pixels masked here.
 */
export function maskUnusablePixels(
  planar: Float32Array,
  width: number,
  height: number,
  fileBands: number,
  validity: SceneValidity,
  maskPlane: Float32Array | null,
  covered: Uint8Array | null = null,
): number {
  const pixels = width * height;
  // A pixel saturated (or fill) in every band is so in the first; most windows hold none, and then (with
  // no cloud test and no mask) nothing is masked: one native scan instead of a mask pass.
  const onlyEveryBand = validity.cloud === null && validity.maskBand === null && validity.alphaBand === null && maskPlane === null && covered === null;
  if (onlyEveryBand && !inFirstBand(planar.subarray(0, pixels), validity, Math.fround)) return 0;
  const valid = new Uint8Array(pixels).fill(1);
  const image = validity.imageBands;
  if (validity.saturation !== null) andNotEveryBandAtMask(planar, width, height, image, validity.saturation, valid);
  if (validity.fill !== null) andNotEveryBandAtMask(planar, width, height, image, validity.fill, valid);
  if (validity.cloud) andClearSkyMask(planar, width, height, image, validity.cloud.bands, validity.cloud.scale, validity.cloud.offset, valid);
  const values = validity.maskedValues ? Float64Array.from(validity.maskedValues) : null;
  if (validity.maskBand !== null) andMaskPlane(planar.subarray(validity.maskBand * pixels, (validity.maskBand + 1) * pixels), pixels, values, valid);
  if (maskPlane) andMaskPlane(maskPlane, pixels, values, valid);
  if (covered) for (let i = 0; i < pixels; i++) valid[i]! &= covered[i]!;
  if (validity.alphaBand !== null) andMaskPlane(planar.subarray(validity.alphaBand * pixels, (validity.alphaBand + 1) * pixels), pixels, TRANSPARENT, valid);
  let masked = 0;
  for (let i = 0; i < pixels; i++) masked += 1 - valid[i]!;
  if (masked > 0) clearInvalidSamples(planar, pixels, fileBands, valid);
  return masked;
}

/** Whether the first band holds the saturation or fill value (`as`: how the samples store a value). */
function inFirstBand(first: { indexOf(value: number): number }, validity: SceneValidity, as: (v: number) => number): boolean {
  return (validity.saturation !== null && first.indexOf(as(validity.saturation)) >= 0) || (validity.fill !== null && first.indexOf(as(validity.fill)) >= 0);
}

/** Samples of a usable window: the file's own 8/16-bit samples, or float32 with unusable pixels NaN. */
export type UsableSamples = Float32Array | Uint16Array | Int16Array | Uint8Array | Int8Array;

/** The typed-array types of UsableSamples. */
export type UsableSampleType = typeof Float32Array | typeof Uint16Array | typeof Int16Array | typeof Uint8Array | typeof Int8Array;

/**
 * Arrays a caller lends a window read instead of new ones: a tile job's workspace, kept from tile to tile.
 * Why: a new window-sized array a tile costs more than decoding into it, for the system maps and clears
 * its pages on their first write (docs/ingest.md, "Windows read into the job's workspace").
 */
export interface WindowBuffers {
  /** An array of `type` (the file's own samples) of exactly `length` values; its contents are overwritten. */
  samples(type: UsableSampleType, length: number): UsableSamples;
  /** A float32 array of exactly `length` values; its contents are overwritten. */
  floats(length: number): Float32Array;
}

/**
 * Whether windows of a file can be used as read, in its own samples, whenever no sample is saturated: no
 * cloud test, mask band or mask file (`hasMaskFile`: also an internal mask) applies, and the samples are
 * 8/16-bit integers (exact in any type).
 */
export function usableAsRead(validity: SceneValidity, hasMaskFile: boolean, sampleFormat: 'uint' | 'int' | 'float', bitsPerSample: number): boolean {
  return validity.cloud === null && validity.maskBand === null && validity.alphaBand === null && !hasMaskFile && sampleFormat !== 'float' && bitsPerSample <= 16;
}

/**
 * Whether a window of a file `usableAsRead` accepts (planar, `pixels` a plane, its first plane the file's
 * first band; any planes after it) is usable as read: 8/16-bit samples, and no pixel saturated or fill
 * (such a pixel is at that value in the first band).
 */
export function usableAsWindow(native: NativeSamples, pixels: number, validity: SceneValidity): native is UsableSamples & NativeSamples {
  const exact = native instanceof Uint8Array || native instanceof Int8Array || native instanceof Uint16Array || native instanceof Int16Array;
  return exact && !inFirstBand(native.subarray(0, pixels), validity, (v) => v);
}

/**
 * The file bands a read of `planes` (ascending) decodes to decide usability as usableAsWindow does: the
 * first band ahead of them when a saturation or fill value applies (`firstBandTells`: a pixel at it in
 * every band is at it there), else the planes themselves.
 */
export function planesWithFirstBand(planes: readonly number[], firstBandTells: boolean): readonly number[] {
  return !firstBandTells || planes[0] === 0 ? planes : [0, ...planes];
}

/**
 * A window read in the file's own samples (of a file `usableAsRead` accepts), as it is when no pixel in it
 * is saturated or fill (such a pixel is at that value in the first band), else as float32 with those
 * pixels NaN (in `floats` when given). The values are the same either way.
 */
export function usableSamples(native: NativeSamples, width: number, height: number, fileBands: number, validity: SceneValidity, floats?: (length: number) => Float32Array): UsableSamples {
  if (usableAsWindow(native, width * height, validity)) return native as UsableSamples;
  const planar = floats ? floats(native.length) : new Float32Array(native.length);
  planar.set(native as ArrayLike<number>);
  maskUnusablePixels(planar, width, height, fileBands, validity, null);
  return planar;
}
