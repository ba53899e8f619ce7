import { describe, expect, it } from 'vitest';
import { mulberry32, type Random } from './test-random.js';
import {
  markFill,
  markTransparent,
  resampleRect,
  SOURCE_NODATA,
  SOURCE_SATURATED,
  SOURCE_USABLE,
  sourcePixelStatus,
  windowFor,
  type OutputSamples,
  type SampleArray,
} from './resample.js';

/** A random source: W×H, `bands` planar uint16 samples, some pixels nodata (0 in one band) or saturated (65535 in every image band). */
function randomSource(random: Random, W: number, H: number, bands: number, imageBands: number): Uint16Array {
  const n = W * H;
  const s = new Uint16Array(bands * n);
  for (let i = 0; i < s.length; i++) s[i] = 1 + Math.floor(random() * 60000);
  for (let b = imageBands; b < bands; b++) for (let i = 0; i < n; i++) s[b * n + i] = Math.floor(random() * 4); // class band 0..3
  for (let i = 0; i < n; i++) {
    const r = random();
    if (r < 0.05) s[Math.floor(random() * bands) * n + i] = 0;
    else if (r < 0.08) for (let b = 0; b < imageBands; b++) s[b * n + i] = 65535;
  }
  return s;
}

/** Random output coordinates: a rotated, scaled grid over the source, partly outside it. */
function randomCoords(random: Random, w: number, h: number, W: number, H: number, scale: number): Float64Array {
  const angle = (random() - 0.5) * 0.6;
  const [c, s] = [Math.cos(angle) * scale, Math.sin(angle) * scale];
  const u0 = -3 + random() * 4;
  const v0 = -3 + random() * 4;
  const coords = new Float64Array(2 * w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      coords[2 * i] = u0 + (x + 0.5) * c - (y + 0.5) * s;
      coords[2 * i + 1] = v0 + (x + 0.5) * s + (y + 0.5) * c;
    }
  }
  // a few untransformable points
  coords[2 * Math.floor(random() * w * h)] = Number.NaN;
  void W;
  void H;
  return coords;
}

/**
 * The reference: the rules of kernels/resample.ts applied literally, pixel by pixel, on the whole source
 * held in memory (no windows), written independently of the kernel.
 */
function naive(coords: Float64Array, count: number, src: Uint16Array, W: number, H: number, bands: number, imageBands: number, nearestBand: number[], rx: number, ry: number, nodata: number, saturation: number, fill: number): number[][] {
  const n = W * H;
  const state = (i: number, j: number) => {
    let nod = false;
    for (let b = 0; b < bands; b++) if (src[b * n + j * W + i] === nodata) nod = true;
    if (nod) return 'nodata';
    let sat = true;
    for (let b = 0; b < imageBands; b++) if (src[b * n + j * W + i] !== saturation) sat = false;
    return sat ? 'saturated' : 'usable';
  };
  const out: number[][] = Array.from({ length: bands }, () => new Array<number>(count).fill(fill));
  for (let k = 0; k < count; k++) {
    const u = coords[2 * k]!;
    const v = coords[2 * k + 1]!;
    if (!(u >= 0 && u < W && v >= 0 && v < H)) continue;
    const ni = Math.floor(u), nj = Math.floor(v);
    const st = state(ni, nj);
    if (st === 'nodata') continue;
    if (st === 'saturated') {
      for (let b = 0; b < bands; b++) out[b]![k] = src[b * n + nj * W + ni]!;
      continue;
    }
    for (let b = 0; b < bands; b++) {
      if (nearestBand.includes(b)) {
        out[b]![k] = src[b * n + nj * W + ni]!;
        continue;
      }
      let sum = 0, acc = 0;
      for (let j = 0; j < H; j++) {
        const wy = 1 - Math.abs(j - (v - 0.5)) / ry;
        if (wy <= 0) continue;
        for (let i = 0; i < W; i++) {
          const wx = 1 - Math.abs(i - (u - 0.5)) / rx;
          if (wx <= 0 || state(i, j) !== 'usable') continue;
          sum += wx * wy;
          acc += wx * wy * src[b * n + j * W + i]!;
        }
      }
      const value = acc / sum;
      let q = Math.floor(value + 0.5);
      if (q === fill) q = q < 65535 ? q + 1 : q - 1;
      out[b]![k] = q;
    }
  }
  return out;
}

function run(coords: Float64Array, w: number, h: number, src: Uint16Array, W: number, H: number, bands: number, imageBands: number, nearestBand: number[], rx: number, ry: number, nodata: number, saturation: number, fill: number) {
  const count = w * h;
  const win = windowFor(coords, count, W, H, rx, ry);
  expect(win).not.toBeNull();
  // copy the window out of the source, as a windowed read would
  const n = W * H;
  const wn = win!.width * win!.height;
  const samples = new Uint16Array(bands * wn);
  for (let b = 0; b < bands; b++) for (let y = 0; y < win!.height; y++) for (let x = 0; x < win!.width; x++) samples[b * wn + y * win!.width + x] = src[b * n + (win!.y0 + y) * W + win!.x0 + x]!;
  const status = new Uint8Array(wn);
  sourcePixelStatus(samples, wn, bands, imageBands, nodata, saturation, status);
  const out = new Uint16Array(bands * count);
  const o: OutputSamples = { out, outWidth: w, outPlane: count, outX: 0, outY: 0, fill, integer: true, float32: false, min: 0, max: 65535 };
  const nearest = Uint8Array.from({ length: bands }, (_, b) => (nearestBand.includes(b) ? 1 : 0));
  const valid = resampleRect(coords, w, h, { ...win!, bands, samples: samples as SampleArray, status }, W, H, nearest, rx, ry, o);
  return { out, valid };
}

describe('resampleRect against a naive whole-raster reference', () => {
  for (const [name, scale, rx, ry] of [
    ['bilinear, upsampling', 0.7, 1, 1],
    ['bilinear, about equal pixels', 1.02, 1, 1],
    ['widened tent, downsampling', 2.6, 2.6, 2.6],
    ['widened tent, anisotropic', 1.8, 1.8, 1.3],
  ] as const) {
    it(`matches on random inputs: ${name}`, () => {
      for (let seed = 1; seed <= 12; seed++) {
        const random = mulberry32(seed * 7919);
        const W = 20 + Math.floor(random() * 30);
        const H = 20 + Math.floor(random() * 30);
        const bands = 4, imageBands = 3;
        const src = randomSource(random, W, H, bands, imageBands);
        const w = 5 + Math.floor(random() * 20), h = 5 + Math.floor(random() * 20);
        const coords = randomCoords(random, w, h, W, H, scale);
        const fill = 0;
        const { out, valid } = run(coords, w, h, src, W, H, bands, imageBands, [3], rx, ry, 0, 65535, fill);
        const ref = naive(coords, w * h, src, W, H, bands, imageBands, [3], rx, ry, 0, 65535, fill);
        for (let b = 0; b < bands; b++) expect(Array.from(out.subarray(b * w * h, (b + 1) * w * h)), `seed ${seed} band ${b}`).toEqual(ref[b]);
        expect(valid).toBe(ref[0]!.filter((v, k) => v !== fill || ref[1]![k] !== fill).length);
      }
    });
  }

  it('copies nearest bands exactly: every class value comes from the source pixel under the output centre', () => {
    const random = mulberry32(4242);
    const W = 40, H = 30, bands = 2;
    const src = new Uint16Array(bands * W * H);
    for (let i = 0; i < W * H; i++) {
      src[i] = 100 + Math.floor(random() * 1000);
      src[W * H + i] = 1 + (i % 7); // classes, never 0 (nodata)
    }
    const w = 33, h = 27;
    const coords = randomCoords(random, w, h, W, H, 0.9);
    const { out } = run(coords, w, h, src, W, H, bands, 1, [1], 1, 1, 0, 65535, 0);
    let checked = 0;
    for (let k = 0; k < w * h; k++) {
      const u = coords[2 * k]!, v = coords[2 * k + 1]!;
      if (!(u >= 0 && u < W && v >= 0 && v < H)) {
        expect(out[w * h + k]).toBe(0);
        continue;
      }
      expect(out[w * h + k]).toBe(src[W * H + Math.floor(v) * W + Math.floor(u)]);
      checked++;
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('on the identity mapping reproduces the source exactly, nodata and saturated pixels included', () => {
    const random = mulberry32(99);
    const W = 17, H = 13, bands = 3;
    const src = randomSource(random, W, H, bands, bands);
    const coords = new Float64Array(2 * W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) coords.set([x + 0.5, y + 0.5], 2 * (y * W + x));
    const { out } = run(coords, W, H, src, W, H, bands, bands, [], 1, 1, 0, 65535, 0);
    // nodata pixels (a 0 in any band) come out 0 in every band; all others exactly as they were
    for (let i = 0; i < W * H; i++) {
      const nodata = [0, 1, 2].some((b) => src[b * W * H + i] === 0);
      for (let b = 0; b < bands; b++) expect(out[b * W * H + i]).toBe(nodata ? 0 : src[b * W * H + i]);
    }
  });

  it('rounds half away from zero, keeps float32 values float32 and steps a resampled value off the fill', () => {
    const samples = new Float32Array([1, 2, 3, 4]);
    const status = new Uint8Array(4).fill(SOURCE_USABLE);
    const coords = new Float64Array([1, 1]); // between the four pixel centres: the mean 2.5
    const base = { x0: 0, y0: 0, width: 2, height: 2, bands: 1, status };
    const f = new Float32Array(1);
    resampleRect(coords, 1, 1, { ...base, samples }, 2, 2, new Uint8Array(1), 1, 1, { out: f, outWidth: 1, outPlane: 1, outX: 0, outY: 0, fill: Number.NaN, integer: false, float32: true, min: -Infinity, max: Infinity });
    expect(f[0]).toBe(2.5);
    const u = new Uint8Array(1);
    resampleRect(coords, 1, 1, { ...base, samples }, 2, 2, new Uint8Array(1), 1, 1, { out: u, outWidth: 1, outPlane: 1, outX: 0, outY: 0, fill: 255, integer: true, float32: false, min: 0, max: 255 });
    expect(u[0]).toBe(3);
    const i16 = new Int16Array(1);
    resampleRect(coords, 1, 1, { ...base, samples: new Float32Array([-1, -2, -3, -4]) }, 2, 2, new Uint8Array(1), 1, 1, { out: i16, outWidth: 1, outPlane: 1, outX: 0, outY: 0, fill: -32768, integer: true, float32: false, min: -32768, max: 32767 });
    expect(i16[0]).toBe(-3);
    // 2.5 rounds to 3 = fill: moved to 4; a float equal to the fill moves to the next float up
    resampleRect(coords, 1, 1, { ...base, samples }, 2, 2, new Uint8Array(1), 1, 1, { out: u, outWidth: 1, outPlane: 1, outX: 0, outY: 0, fill: 3, integer: true, float32: false, min: 0, max: 255 });
    expect(u[0]).toBe(4);
    resampleRect(coords, 1, 1, { ...base, samples }, 2, 2, new Uint8Array(1), 1, 1, { out: f, outWidth: 1, outPlane: 1, outX: 0, outY: 0, fill: 2.5, integer: false, float32: true, min: -Infinity, max: Infinity });
    expect(f[0]).toBeGreaterThan(2.5);
    expect(f[0]).toBe(Math.fround(f[0]!));
  });

  it('classifies source pixels: nodata in any band or not finite, saturated in every image band', () => {
    const s = new Float32Array([5, 0, 9, 9, Number.NaN, 7, /* band 2 */ 1, 1, 9, 8, 1, 1, /* mask band */ 0, 0, 9, 0, 0, 0]);
    const status = new Uint8Array(6);
    sourcePixelStatus(s, 6, 3, 2, 0, 9, status);
    // nodata 0: any band at 0 (the mask band of pixels 0, 1, 3, 5) or NaN (pixel 4) makes the pixel nodata
    expect(Array.from(status)).toEqual([SOURCE_NODATA, SOURCE_NODATA, SOURCE_SATURATED, SOURCE_NODATA, SOURCE_NODATA, SOURCE_NODATA]);
    sourcePixelStatus(s, 6, 3, 2, null, 9, status);
    expect(Array.from(status)).toEqual([SOURCE_USABLE, SOURCE_USABLE, SOURCE_SATURATED, SOURCE_USABLE, SOURCE_NODATA, SOURCE_USABLE]);
  });

  it('refuses a window that misses the nearest source pixel', () => {
    const o: OutputSamples = { out: new Uint8Array(1), outWidth: 1, outPlane: 1, outX: 0, outY: 0, fill: 0, integer: true, float32: false, min: 0, max: 255 };
    const win = { x0: 0, y0: 0, width: 1, height: 1, bands: 1, samples: new Uint8Array(1), status: new Uint8Array(1).fill(1) };
    expect(() => resampleRect(new Float64Array([3.5, 0.5]), 1, 1, win, 10, 10, new Uint8Array(1), 1, 1, o)).toThrow(RangeError);
  });
});

describe('markTransparent', () => {
  it('marks nodata exactly the pixels whose alpha sample is 0, whatever their status, and leaves the rest', () => {
    const random = mulberry32(7);
    for (const pixels of [1, 5, 64, 257]) {
      const bands = 4;
      const samples = Uint8Array.from({ length: bands * pixels }, () => Math.floor(random() * 256));
      for (let i = 0; i < pixels; i++) if (random() < 0.3) samples[3 * pixels + i] = 0;
      const status = Uint8Array.from({ length: pixels }, () => [SOURCE_NODATA, SOURCE_USABLE, SOURCE_SATURATED][Math.floor(random() * 3)]!);
      const expected = Array.from(status, (s, i) => (samples[3 * pixels + i] === 0 ? SOURCE_NODATA : s));
      markTransparent(samples, pixels, 3, status);
      expect(Array.from(status)).toEqual(expected);
    }
  });

  it('refuses an alpha band the samples do not hold', () => {
    expect(() => markTransparent(new Uint8Array(8), 4, 2, new Uint8Array(4))).toThrow(RangeError);
    expect(() => markTransparent(new Uint8Array(8), 4, 1, new Uint8Array(3))).toThrow(RangeError);
  });
});

describe('markFill', () => {
  it('marks nodata exactly the pixels whose image bands all hold the fill value, whatever their status, and leaves the rest', () => {
    const random = mulberry32(11);
    for (const pixels of [1, 5, 64, 257]) {
      const bands = 3;
      const imageBands = 2; // the third band (a mask band) is not looked at
      const samples = Uint16Array.from({ length: bands * pixels }, () => (random() < 0.4 ? 0 : Math.floor(random() * 4096)));
      const status = Uint8Array.from({ length: pixels }, () => [SOURCE_NODATA, SOURCE_USABLE, SOURCE_SATURATED][Math.floor(random() * 3)]!);
      const expected = Array.from(status, (s, i) => (samples[i] === 0 && samples[pixels + i] === 0 ? SOURCE_NODATA : s));
      markFill(samples, pixels, imageBands, 0, status);
      expect(Array.from(status)).toEqual(expected);
    }
  });

  it('refuses image bands the samples do not hold', () => {
    expect(() => markFill(new Uint16Array(8), 4, 3, 0, new Uint8Array(4))).toThrow(RangeError);
    expect(() => markFill(new Uint16Array(8), 4, 2, 0, new Uint8Array(3))).toThrow(RangeError);
  });
});
