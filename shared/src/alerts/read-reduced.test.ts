import { describe, expect, it } from 'vitest';
import type { OpenScene } from '../catalog/open-scene.js';
import type { SceneRecord } from '../catalog/scene-record.js';
import type { LatticeWindow } from '../grid/lattice.js';
import { andValidMask } from '../kernels/valid-mask.js';
import { blockMean } from './render-overview.js';
import { readReduced } from './read-reduced.js';

const BANDS = 3;
const NODATA = 0;

/** A scene of procedural pixels at lattice (col0, row0), nodata (0) in a diagonal band; records its reads. */
function proceduralScene(col0: number, row0: number, width: number, height: number): { scene: OpenScene; reads: LatticeWindow[] } {
  const reads: LatticeWindow[] = [];
  const value = (b: number, x: number, y: number) => ((x + y) % 37 < 3 ? NODATA : 1 + ((x * 7 + y * 13 + b * 31) % 997) + b * 0.25);
  const readWindow = async (w: LatticeWindow): Promise<Float32Array> => {
    if (w.col < col0 || w.row < row0 || w.col + w.width > col0 + width || w.row + w.height > row0 + height) throw new Error('window outside the scene');
    reads.push(w);
    const out = new Float32Array(w.width * w.height * BANDS);
    for (let b = 0; b < BANDS; b++) for (let y = 0; y < w.height; y++) for (let x = 0; x < w.width; x++) out[(b * w.height + y) * w.width + x] = value(b, w.col - col0 + x, w.row - row0 + y);
    return out;
  };
  const record = { raster: { bands: BANDS, nodata: NODATA }, placement: { col0, row0, width, height } } as unknown as SceneRecord;
  return { scene: { record, raster: null as never, readWindow, readValidWindow: readWindow, readUsableWindow: readWindow, readCovered: async () => null, keepPlanes: () => {}, close: async () => {} }, reads };
}

describe('readReduced', () => {
  it('gives the block means of the whole window, bit for bit, reading strips of `factor` rows', async () => {
    const window = { col: 105, row: 203, width: 301, height: 157 };
    const { scene, reads } = proceduralScene(100, 200, 420, 380);
    const whole = await scene.readWindow(window);
    const valid = new Uint8Array(window.width * window.height).fill(1);
    andValidMask(whole, window.width, window.height, BANDS, NODATA, valid);
    for (const factor of [2, 3, 7, 16, 400]) {
      const expected = blockMean(whole, window.width, window.height, BANDS, valid, factor);
      reads.length = 0;
      const got = await readReduced(scene, window, factor);
      expect([got.width, got.height]).toEqual([expected.width, expected.height]);
      expect(Buffer.from(got.planar.buffer).equals(Buffer.from(expected.planar.buffer)), `factor ${factor}`).toBe(true);
      expect([...got.valid]).toEqual([...expected.valid]);
      // strips of `factor` rows (the last one shorter), never more
      expect(reads.length).toBe(Math.ceil(window.height / factor));
      expect(Math.max(...reads.map((r) => r.height))).toBe(Math.min(factor, window.height));
      // the same in bands of about 50 columns (whole blocks each), read band by band, top to bottom
      reads.length = 0;
      const banded = await readReduced(scene, window, factor, 50);
      expect(Buffer.from(banded.planar.buffer).equals(Buffer.from(expected.planar.buffer)), `factor ${factor}, bands of columns`).toBe(true);
      expect([...banded.valid]).toEqual([...expected.valid]);
      const bandColumns = factor * Math.max(1, Math.floor(50 / factor));
      expect(Math.max(...reads.map((r) => r.width))).toBe(Math.min(bandColumns, window.width));
      expect(reads.map((r) => r.col)).toEqual([...reads.map((r) => r.col)].sort((a, b) => a - b));
    }
    expect(valid.includes(0)).toBe(true); // the nodata band lies in the window
  });

  it('reads the window as it is with factor 1, with its valid mask, and refuses other factors', async () => {
    const window = { col: 110, row: 210, width: 50, height: 40 };
    const { scene } = proceduralScene(100, 200, 420, 380);
    const got = await readReduced(scene, window, 1);
    expect(got.planar).toEqual(await scene.readWindow(window));
    expect(got.valid[0]).toBe(1);
    expect(got.valid.includes(0)).toBe(true);
    await expect(readReduced(scene, window, 0)).rejects.toThrow(/positive integer/);
    await expect(readReduced(scene, window, 1.5)).rejects.toThrow(/positive integer/);
  });

  it('leaves out the ground the file does not cover (readCovered), at any factor, as if it were nodata', async () => {
    const window = { col: 105, row: 203, width: 301, height: 157 };
    const { scene } = proceduralScene(100, 200, 420, 380);
    // uncovered: a disc, in scene coordinates
    const coveredAt = (x: number, y: number) => ((x - 150) ** 2 + (y - 80) ** 2 < 60 ** 2 ? 0 : 1);
    const readCovered = async (w: LatticeWindow) => Uint8Array.from({ length: w.width * w.height }, (_, i) => coveredAt(w.col - 100 + (i % w.width), w.row - 200 + Math.floor(i / w.width)));
    const covered = { ...scene, readCovered };
    const whole = await scene.readWindow(window);
    const valid = new Uint8Array(window.width * window.height).fill(1);
    andValidMask(whole, window.width, window.height, BANDS, NODATA, valid);
    const cover = await readCovered(window);
    for (let i = 0; i < valid.length; i++) valid[i]! &= cover[i]!;
    expect(cover.includes(0)).toBe(true);
    for (const factor of [1, 3, 16]) {
      const expected = blockMean(whole, window.width, window.height, BANDS, valid, factor);
      const got = await readReduced(covered, window, factor, 50);
      expect([...got.valid]).toEqual([...expected.valid]);
      if (factor > 1) expect(Buffer.from(got.planar.buffer).equals(Buffer.from(expected.planar.buffer)), `factor ${factor}`).toBe(true);
    }
  });
});
