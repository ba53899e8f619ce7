import { fillRect } from './bitmap-font.js';
import { OUTLINE_RGB, percentileStretch, stretchToRgb } from './render-chip.js';

/**
 * The location overview: a wider view of the after epoch, reduced to at most `targetPx` across by
 * block means (or enlarged by an integer factor when small), with the chip's extent framed and four
 * ticks pointing at it so the 图斑 can be found in the field. Own 2–98 % stretch: it shows a different
 * extent from the chips and is for orientation, not comparison.
 */
export interface OverviewInput {
  planar: Float32Array;
  width: number;
  height: number;
  bands: number;
  rgb: [number, number, number];
  /** 1 where the pixel is valid. */
  valid: Uint8Array;
  /** The chip's extent within the overview window, in source pixels. */
  mark: { col: number; row: number; width: number; height: number };
  targetPx: number;
  /** `planar` is the window already reduced by this factor (read-reduced.ts); default 1. */
  reducedBy?: number;
}

export interface RenderedOverview {
  rgb: Uint8Array;
  width: number;
  height: number;
  /** Source pixels per output pixel (> 1 reduced, < 1 enlarged). */
  sourcePixelsPerOutput: number;
}

const MARK_THICKNESS = 2;
const TICK_LENGTH = 12;
const MAX_ENLARGE = 16;

/** Means of valid pixels over factor × factor blocks (partial blocks at the right/bottom edge). */
export function blockMean(planar: Float32Array, width: number, height: number, bands: number, valid: Uint8Array, factor: number): { planar: Float32Array; valid: Uint8Array; width: number; height: number } {
  const w = Math.ceil(width / factor);
  const h = Math.ceil(height / factor);
  const out = new Float32Array(w * h * bands);
  const outValid = new Uint8Array(w * h);
  const n = width * height;
  for (let by = 0; by < h; by++) {
    for (let bx = 0; bx < w; bx++) {
      let count = 0;
      const y1 = Math.min(height, (by + 1) * factor);
      const x1 = Math.min(width, (bx + 1) * factor);
      for (let b = 0; b < bands; b++) {
        let sum = 0;
        count = 0;
        for (let y = by * factor; y < y1; y++) {
          for (let x = bx * factor; x < x1; x++) {
            const i = y * width + x;
            if (valid[i] !== 1) continue;
            sum += planar[b * n + i]!;
            count++;
          }
        }
        out[b * w * h + by * w + bx] = count > 0 ? sum / count : 0;
      }
      outValid[by * w + bx] = count > 0 ? 1 : 0;
    }
  }
  return { planar: out, valid: outValid, width: w, height: h };
}

export function renderOverview(input: OverviewInput): RenderedOverview {
  const longest = Math.max(input.width, input.height);
  const factor = Math.max(1, Math.ceil(longest / input.targetPx));
  const reduced = factor > 1 ? blockMean(input.planar, input.width, input.height, input.bands, input.valid, factor) : input;
  const enlarge = factor > 1 ? 1 : Math.max(1, Math.min(MAX_ENLARGE, Math.floor(input.targetPx / longest)));
  const n = reduced.width * reduced.height;
  const stretch = percentileStretch([reduced.planar], n, input.rgb, reduced.valid);
  const rgb = stretchToRgb(reduced.planar, reduced.width, reduced.height, input.rgb, reduced.valid, stretch, enlarge);
  const W = reduced.width * enlarge;
  const H = reduced.height * enlarge;
  const pre = input.reducedBy ?? 1;
  const toOut = (v: number): number => Math.floor((v * enlarge) / (factor * pre));
  const x0 = toOut(input.mark.col);
  const y0 = toOut(input.mark.row);
  const x1 = Math.max(x0 + 2 * MARK_THICKNESS, toOut(input.mark.col + input.mark.width));
  const y1 = Math.max(y0 + 2 * MARK_THICKNESS, toOut(input.mark.row + input.mark.height));
  const t = MARK_THICKNESS;
  fillRect(rgb, W, H, 3, x0, y0, x1 - x0, t, OUTLINE_RGB);
  fillRect(rgb, W, H, 3, x0, y1 - t, x1 - x0, t, OUTLINE_RGB);
  fillRect(rgb, W, H, 3, x0, y0, t, y1 - y0, OUTLINE_RGB);
  fillRect(rgb, W, H, 3, x1 - t, y0, t, y1 - y0, OUTLINE_RGB);
  const cx = Math.floor((x0 + x1) / 2);
  const cy = Math.floor((y0 + y1) / 2);
  fillRect(rgb, W, H, 3, cx - 1, y0 - TICK_LENGTH - 2, t, TICK_LENGTH, OUTLINE_RGB);
  fillRect(rgb, W, H, 3, cx - 1, y1 + 2, t, TICK_LENGTH, OUTLINE_RGB);
  fillRect(rgb, W, H, 3, x0 - TICK_LENGTH - 2, cy - 1, TICK_LENGTH, t, OUTLINE_RGB);
  fillRect(rgb, W, H, 3, x1 + 2, cy - 1, TICK_LENGTH, t, OUTLINE_RGB);
  return { rgb, width: W, height: H, sourcePixelsPerOutput: (factor * pre) / enlarge };
}
