/**
 * Argument checks shared by the pixel kernels.
 *
 * The kernels index flat typed arrays directly. An out-of-range typed-array read yields
 * `undefined` (NaN in arithmetic) and an out-of-range write is silently dropped, so a buffer
 * that is too short would not crash: it would quietly produce wrong numbers. Every kernel
 * therefore checks its dimensions and buffer lengths once, before its pixel loop, and throws
 * a RangeError (a programming error, not bad user input).
 */

/** Throws unless `width` and `height` are non-negative integers. */
export function requireDimensions(width: number, height: number): void {
  if (!Number.isInteger(width) || width < 0 || !Number.isInteger(height) || height < 0) {
    throw new RangeError(`width and height must be non-negative integers, got ${width}×${height}`);
  }
}

/** Throws unless `value` is an integer in [min, max]. */
export function requireIntegerInRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

/** Throws unless `array.length >= minLength`. */
export function requireLength(name: string, array: { readonly length: number }, minLength: number): void {
  if (array.length < minLength) {
    throw new RangeError(`${name} has length ${array.length}, needs at least ${minLength}`);
  }
}

/** Throws if the bytes viewed by `a` and `b` overlap (a kernel that reads one while writing the other). */
export function requireNoOverlap(nameA: string, a: ArrayBufferView, nameB: string, b: ArrayBufferView): void {
  if (a.buffer !== b.buffer) return;
  const aEnd = a.byteOffset + a.byteLength;
  const bEnd = b.byteOffset + b.byteLength;
  if (a.byteOffset < bEnd && b.byteOffset < aEnd) {
    throw new RangeError(`${nameA} and ${nameB} must not share memory`);
  }
}

/**
 * Checks a before/after pair of band-sequential planes (`bands` planes of width × height each) and its
 * validity mask, as the change kernels take them; returns the pixel count.
 */
export function requireEpochPair(before: { readonly length: number }, after: { readonly length: number }, valid: { readonly length: number }, width: number, height: number, bands: number, maxBands: number): number {
  requireDimensions(width, height);
  requireIntegerInRange('bands', bands, 1, maxBands);
  const pixels = width * height;
  requireLength('before', before, bands * pixels);
  requireLength('after', after, bands * pixels);
  requireLength('valid', valid, pixels);
  return pixels;
}

/** Checks per-band vectors (each epoch's means, standard deviations, …): at least `bands` values each. */
export function requireBandVectors(bands: number, vectors: Record<string, { readonly length: number }>): void {
  for (const [name, vector] of Object.entries(vectors)) requireLength(name, vector, bands);
}
