import { drawText, fillRect, GLYPH_HEIGHT, textWidth } from './bitmap-font.js';

/**
 * The legend under every evidence image: caption lines (what, date, sensor, observation id), a scale bar of a round
 * number of metres and a north arrow. Everything is drawn as pixels (bitmap font, rectangles), so the
 * result is byte-identical on every machine. Images are north-up on the lattice, so the arrow points up.
 */

/** Caption glyphs are drawn at this integer scale (5×7 → 10×14 px). */
export const TEXT_SCALE = 2;
/** The note line is drawn at glyph size (5×7 px). */
export const NOTE_SCALE = 1;
const PAD = 6;
const LINE_HEIGHT = GLYPH_HEIGHT * TEXT_SCALE + 4;
const BAR_HEIGHT = 6;
const ARROW_WIDTH = 15;
const ARROW_HEIGHT = 16;
/** The bar takes at most this share of the image width. */
const MAX_BAR_SHARE = 0.5;
const BACKGROUND = [24, 24, 24] as const;
const INK = [255, 255, 255] as const;

export interface LegendText {
  /** First line, e.g. "BEFORE 2000-03-17". */
  title: string;
  /** Second line, e.g. "Landsat 7 ETM+". */
  subtitle: string;
  /** Small last line, e.g. the 图斑 id, so a printed image says which case it belongs to. */
  note: string;
}

export interface ScaleBar {
  metres: number;
  /** Bar length in output pixels. */
  lengthPx: number;
  label: string;
}

export interface LegendLayout {
  width: number;
  height: number;
  /** Top-left corners of the caption lines. */
  title: { x: number; y: number };
  subtitle: { x: number; y: number };
  note: { x: number; y: number };
  bar: ScaleBar & { x: number; y: number; height: number };
  barLabel: { x: number; y: number };
  arrow: { x: number; y: number; width: number; height: number };
}

/** Largest 1, 2 or 5 × 10^k metres whose bar fits in maxPx output pixels (at least one pixel long). */
export function chooseScaleBar(metresPerPixel: number, maxPx: number): ScaleBar {
  if (!(metresPerPixel > 0) || !Number.isFinite(metresPerPixel)) throw new Error(`scale bar: metres per pixel must be positive, got ${metresPerPixel}`);
  const limit = Math.max(1, maxPx) * metresPerPixel;
  let exponent = Math.floor(Math.log10(limit));
  let best: number | null = null;
  while (best === null) {
    for (const mantissa of [5, 2, 1]) {
      // Integer arithmetic on each side of 10^0 keeps labels such as 0.2 exact.
      const metres = exponent >= 0 ? mantissa * 10 ** exponent : mantissa / 10 ** -exponent;
      if (metres <= limit) {
        best = metres;
        break;
      }
    }
    exponent--;
  }
  const lengthPx = Math.max(1, Math.round(best / metresPerPixel));
  const label = best >= 1000 ? `${best / 1000} km` : `${best} m`;
  return { metres: best, lengthPx, label };
}

/** Where everything goes in a legend under an image `imageWidth` wide (the canvas may be wider). */
export function legendLayout(imageWidth: number, imageHeight: number, text: LegendText, metresPerPixel: number): LegendLayout {
  const bar = chooseScaleBar(metresPerPixel, Math.floor(imageWidth * MAX_BAR_SHARE));
  const labelWidth = textWidth(bar.label, TEXT_SCALE);
  const textColumn = Math.max(textWidth(text.title, TEXT_SCALE), textWidth(text.subtitle, TEXT_SCALE), bar.lengthPx + PAD + labelWidth);
  const width = Math.max(imageWidth, PAD + textColumn + 2 * PAD + ARROW_WIDTH + PAD, PAD + textWidth(text.note, NOTE_SCALE) + PAD);
  const top = imageHeight + PAD;
  const barY = top + 2 * LINE_HEIGHT + 2;
  const noteY = barY + GLYPH_HEIGHT * TEXT_SCALE + PAD;
  const height = noteY + GLYPH_HEIGHT * NOTE_SCALE + PAD;
  return {
    width,
    height,
    title: { x: PAD, y: top },
    subtitle: { x: PAD, y: top + LINE_HEIGHT },
    note: { x: PAD, y: noteY },
    bar: { ...bar, x: PAD, y: barY + (GLYPH_HEIGHT * TEXT_SCALE - BAR_HEIGHT), height: BAR_HEIGHT },
    barLabel: { x: PAD + bar.lengthPx + PAD, y: barY },
    arrow: { x: width - PAD - ARROW_WIDTH, y: top, width: ARROW_WIDTH, height: ARROW_HEIGHT },
  };
}

/** Solid triangle pointing up, then an 'N' under it. */
function drawNorthArrow(rgb: Uint8Array, W: number, H: number, a: LegendLayout['arrow']): void {
  const centre = a.x + (a.width - 1) / 2;
  for (let dy = 0; dy < a.height; dy++) {
    const half = Math.floor(((dy + 1) * (a.width / 2)) / a.height);
    const x0 = Math.ceil(centre - half);
    fillRect(rgb, W, H, 3, x0, a.y + dy, Math.floor(centre + half) - x0 + 1, 1, INK);
  }
  drawText(rgb, W, H, 3, a.x + Math.floor((a.width - textWidth('N', TEXT_SCALE)) / 2), a.y + a.height + 3, 'N', INK, TEXT_SCALE);
}

/**
 * Puts an RGB image on a canvas with the legend underneath. The image keeps its pixel scale, so the
 * scale bar (drawn at that scale) measures it; the canvas is widened when the captions need it.
 */
export function withLegend(image: Uint8Array, imageWidth: number, imageHeight: number, text: LegendText, metresPerPixel: number): { rgb: Uint8Array; width: number; height: number; layout: LegendLayout } {
  const layout = legendLayout(imageWidth, imageHeight, text, metresPerPixel);
  const { width: W, height: H } = layout;
  const rgb = new Uint8Array(W * H * 3);
  fillRect(rgb, W, H, 3, 0, 0, W, H, BACKGROUND);
  for (let y = 0; y < imageHeight; y++) rgb.set(image.subarray(y * imageWidth * 3, (y + 1) * imageWidth * 3), y * W * 3);
  drawText(rgb, W, H, 3, layout.title.x, layout.title.y, text.title, INK, TEXT_SCALE);
  drawText(rgb, W, H, 3, layout.subtitle.x, layout.subtitle.y, text.subtitle, INK, TEXT_SCALE);
  drawText(rgb, W, H, 3, layout.note.x, layout.note.y, text.note, INK, NOTE_SCALE);
  const { bar } = layout;
  fillRect(rgb, W, H, 3, bar.x, bar.y, bar.lengthPx, bar.height, INK);
  // End ticks make the bar's extent unambiguous.
  fillRect(rgb, W, H, 3, bar.x, bar.y - 4, 1, bar.height + 4, INK);
  fillRect(rgb, W, H, 3, bar.x + bar.lengthPx - 1, bar.y - 4, 1, bar.height + 4, INK);
  drawText(rgb, W, H, 3, layout.barLabel.x, layout.barLabel.y, bar.label, INK, TEXT_SCALE);
  drawNorthArrow(rgb, W, H, layout.arrow);
  return { rgb, width: W, height: H, layout };
}
