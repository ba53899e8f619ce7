/**
 * Turns two co-located planar windows (before/after) into 8-bit RGB chips with one shared linear
 * stretch, upscaled by an integer factor with nearest neighbour, with the patch outline drawn on the
 * pixel edges. The same stretch for both epochs is what makes the pair comparable by eye.
 */

/** Lower and upper percentiles of the shared stretch. */
const STRETCH_LOW = 0.02;
const STRETCH_HIGH = 0.98;
const OUTLINE_RGB = [255, 230, 0] as const;
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
  const { width, height, valid } = input;
  const n = width * height;
  const out: Array<[number, number]> = [];
  for (const band of input.rgb) {
    const values: number[] = [];
    for (const planar of [input.before, input.after]) {
      const offset = band * n;
      for (let i = 0; i < n; i++) if (valid[i] === 1) values.push(planar[offset + i]!);
    }
    if (values.length === 0) {
      out.push([0, 1]);
      continue;
    }
    values.sort((a, b) => a - b);
    const lo = values[Math.floor(STRETCH_LOW * (values.length - 1))]!;
    const hi = values[Math.ceil(STRETCH_HIGH * (values.length - 1))]!;
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
    before: renderOne(input, input.before, stretch, W, H),
    after: renderOne(input, input.after, stretch, W, H),
  };
}

function renderOne(input: ChipInput, planar: Float32Array, stretch: Array<[number, number]>, W: number, H: number): Uint8Array {
  const { width, height, valid, patch, scale: s } = input;
  const n = width * height;
  const rgb = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    const sy = Math.floor(y / s);
    for (let x = 0; x < W; x++) {
      const sx = Math.floor(x / s);
      const i = sy * width + sx;
      const o = (y * W + x) * 3;
      if (valid[i] !== 1) {
        rgb[o] = NODATA_RGB[0];
        rgb[o + 1] = NODATA_RGB[1];
        rgb[o + 2] = NODATA_RGB[2];
        continue;
      }
      for (let c = 0; c < 3; c++) {
        const [lo, hi] = stretch[c]!;
        const v = ((planar[input.rgb[c]! * n + i]! - lo) / (hi - lo)) * 255;
        rgb[o + c] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
      }
    }
  }
  drawOutline(rgb, W, patch, width, height, s);
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
