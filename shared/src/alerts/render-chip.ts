/**
 * Turns two co-located planar windows (before/after) into 8-bit RGB chips with one shared linear
 * stretch, upscaled by an integer factor with nearest neighbour, with the patch outline drawn on the
 * pixel edges.
 *
 * Why one stretch computed from both epochs together (rather than each epoch by its own percentiles):
 * with a shared stretch the same recorded value has the same colour in both chips, so a brighter or
 * darker patch in the after chip is a change in the data, not an artefact of the display. Per-epoch
 * stretches would equalise exactly the brightness changes (bare soil, new roofs) enforcement looks for.
 * The cost, a hazier epoch looking duller, is honest: it is what the sensor saw.
 */

import { selectKth } from '../kernels/select-kth.js';

/** Lower and upper percentiles of the shared stretch. */
const STRETCH_LOW = 0.02;
const STRETCH_HIGH = 0.98;
export const OUTLINE_RGB = [255, 230, 0] as const;
const NODATA_RGB = [0, 0, 0] as const;

export interface ChipInput {
  before: Float32Array;
  after: Float32Array;
  width: number;
  height: number;
  bands: number;
  /** Band indices shown as red, green and blue. */
  rgb: [number, number, number];
  /** 1 where the pixel is valid in both epochs. */
  valid: Uint8Array;
  /** 1 where the pixel belongs to the patch. */
  patch: Uint8Array;
  /** Upscale factor (≥ 1). */
  scale: number;
}

export interface RenderedChips {
  width: number;
  height: number;
  before: Uint8Array;
  after: Uint8Array;
}

/** Per displayed channel, [low, high] percentiles over the valid pixels of both epochs together. */
export function sharedStretch(input: ChipInput): Array<[number, number]> {
  return percentileStretch([input.before, input.after], input.width * input.height, input.rgb, input.valid);
}

/** Per displayed channel, [low, high] percentiles over the valid pixels of all the given planar images. */
export function percentileStretch(planars: readonly Float32Array[], n: number, rgb: readonly number[], valid: Uint8Array): Array<[number, number]> {
  let count = 0;
  for (let i = 0; i < n; i++) if (valid[i] === 1) count++;
  // The two order statistics by selection (linear time) rather than a sort of every value: the same values.
  const values = new Float32Array(count * planars.length);
  const out: Array<[number, number]> = [];
  for (const band of rgb) {
    if (values.length === 0) {
      out.push([0, 1]);
      continue;
    }
    let k = 0;
    let nan = false;
    for (const planar of planars) {
      const offset = band * n;
      for (let i = 0; i < n; i++) {
        if (valid[i] !== 1) continue;
        const v = planar[offset + i]!;
        nan ||= v !== v;
        values[k++] = v;
      }
    }
    const low = Math.floor(STRETCH_LOW * (values.length - 1));
    const high = Math.ceil(STRETCH_HIGH * (values.length - 1));
    // (a NaN among valid samples would break the comparisons: sorted, NaN goes last)
    if (nan) values.sort();
    const lo = nan ? values[low]! : selectKth(values, low);
    const hi = nan ? values[high]! : selectKth(values, high, low, values.length);
    out.push([lo, hi > lo ? hi : lo + 1]);
  }
  return out;
}

export function renderChips(input: ChipInput): RenderedChips {
  const stretch = sharedStretch(input);
  const s = input.scale;
  const W = input.width * s;
  const H = input.height * s;
  return {
    width: W,
    height: H,
    before: renderOne(input, input.before, stretch, W),
    after: renderOne(input, input.after, stretch, W),
  };
}

function renderOne(input: ChipInput, planar: Float32Array, stretch: Array<[number, number]>, W: number): Uint8Array {
  const rgb = stretchToRgb(planar, input.width, input.height, input.rgb, input.valid, stretch, input.scale);
  drawOutline(rgb, W, input.patch, input.width, input.height, input.scale);
  return rgb;
}

/** Stretched 8-bit RGB of a planar image, upscaled s times with nearest neighbour; invalid pixels black. */
export function stretchToRgb(planar: Float32Array, width: number, height: number, bandsRgb: readonly number[], valid: Uint8Array, stretch: Array<[number, number]>, s: number): Uint8Array {
  const n = width * height;
  // Stretch each source pixel once, then replicate it s × s: the upscale is nearest neighbour.
  const source = new Uint8Array(n * 3);
  for (let c = 0; c < 3; c++) {
    const [lo, hi] = stretch[c]!;
    const range = hi - lo;
    const offset = bandsRgb[c]! * n;
    for (let i = 0; i < n; i++) {
      if (valid[i] !== 1) {
        source[i * 3 + c] = NODATA_RGB[c]!;
        continue;
      }
      const v = ((planar[offset + i]! - lo) / range) * 255;
      source[i * 3 + c] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
    }
  }
  if (s === 1) return source;
  const W = width * s;
  const rgb = new Uint8Array(W * height * s * 3);
  for (let sy = 0; sy < height; sy++) {
    const rowStart = sy * s * W * 3;
    for (let sx = 0; sx < width; sx++) {
      const i = (sy * width + sx) * 3;
      for (let dx = 0; dx < s; dx++) {
        const o = rowStart + (sx * s + dx) * 3;
        rgb[o] = source[i]!;
        rgb[o + 1] = source[i + 1]!;
        rgb[o + 2] = source[i + 2]!;
      }
    }
    for (let dy = 1; dy < s; dy++) rgb.copyWithin(rowStart + dy * W * 3, rowStart, rowStart + W * 3);
  }
  return rgb;
}

/** Colours the inner edge of every patch pixel side that borders a non-patch pixel (or the chip edge). */
function drawOutline(rgb: Uint8Array, W: number, patch: Uint8Array, width: number, height: number, s: number): void {
  const t = Math.max(1, Math.floor(s / 4));
  const paint = (x0: number, y0: number, x1: number, y1: number): void => {
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const o = (y * W + x) * 3;
        rgb[o] = OUTLINE_RGB[0];
        rgb[o + 1] = OUTLINE_RGB[1];
        rgb[o + 2] = OUTLINE_RGB[2];
      }
    }
  };
  const inside = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < width && y < height && patch[y * width + x] === 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!inside(x, y)) continue;
      const X = x * s;
      const Y = y * s;
      if (!inside(x, y - 1)) paint(X, Y, X + s, Y + t);
      if (!inside(x, y + 1)) paint(X, Y + s - t, X + s, Y + s);
      if (!inside(x - 1, y)) paint(X, Y, X + t, Y + s);
      if (!inside(x + 1, y)) paint(X + s - t, Y, X + s, Y + s);
    }
  }
}
