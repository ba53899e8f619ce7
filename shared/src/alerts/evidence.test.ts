import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '../storage/index.js';
import type { BlobStore } from '../storage/index.js';
import type { OpenScene } from '../catalog/open-scene.js';
import type { SceneRecord } from '../catalog/scene-record.js';
import type { Patch } from '../detection/extract-patches.js';
import type { LatticeWindow } from '../grid/lattice.js';
import { sha256Hex } from '../util/sha256.js';
import { keys } from '../catalog/keys.js';
import { chipWindow, metresPerPixelX, renderEvidence } from './evidence.js';
import { legendLayout, TEXT_SCALE } from './chip-legend.js';
import { glyphOf, GLYPH_ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH } from './bitmap-font.js';
import { writeEvidence, type EvidenceManifest } from './write-evidence.js';
import type { AlertFeature } from './alert-feature.js';
import { pickBands } from '../detection/evidence-bands.js';

const LATTICE = { gridId: 'epsg32651-30x30-p15_15-t512', epsg: 32651, pixelWidth: 30, pixelHeight: 30, phaseX: 15, phaseY: 15, tileSize: 512 };
const W = 300;
const H = 280;
const BANDS = 4;

/** A fake scene's readWindow that returns the planes asked for (OpenScene.readWindow's `planes`), noting them in `asked`. */
function withPlanes(read: (w: LatticeWindow) => Promise<Float32Array>, asked: string[] = []) {
  return async (w: LatticeWindow, _lastUse?: boolean, _reuse?: Float32Array, planes?: readonly number[]): Promise<Float32Array> => {
    asked.push(planes === undefined ? 'every' : planes.join(','));
    const all = await read(w);
    return planes === undefined ? all : pickBands(all, w.width * w.height, planes);
  };
}

/** Planes the fake scenes' reads asked for. */
const askedPlanes: string[] = [];

/** A synthetic 4-band scene on the lattice at (1000, 2000); `bright` adds a bright square (the change). */
function fakeScene(sceneId: string, acquiredAt: string, bright: boolean): OpenScene {
  const col0 = 1000;
  const row0 = 2000;
  const planar = new Float32Array(W * H * BANDS);
  for (let b = 0; b < BANDS; b++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const inSquare = bright && x >= 140 && x < 152 && y >= 130 && y < 141;
        planar[b * W * H + y * W + x] = inSquare ? 900 : 200 + ((x * 7 + y * 13 + b * 31) % 97);
      }
    }
  }
  const record = {
    sceneId,
    acquiredAt,
    sensor: 'Landsat 7 ETM+',
    platform: 'satellite',
    bands: ['blue', 'green', 'red', 'nir'],
    raster: { bands: BANDS, nodata: null },
    placement: { lattice: LATTICE, col0, row0, width: W, height: H },
  } as unknown as SceneRecord;
  const readWindow = async (w: LatticeWindow): Promise<Float32Array> => {
    const out = new Float32Array(w.width * w.height * BANDS);
    for (let b = 0; b < BANDS; b++)
      for (let y = 0; y < w.height; y++)
        for (let x = 0; x < w.width; x++) out[b * w.width * w.height + y * w.width + x] = planar[b * W * H + (w.row - row0 + y) * W + (w.col - col0 + x)]!;
    return out;
  };
  return { record, raster: null as never, readWindow: withPlanes(readWindow, askedPlanes), readValidWindow: readWindow, readUsableWindow: readWindow, readCovered: async () => null, keepPlanes: () => {}, close: async () => {} };
}

const PATCH = {
  label: 1,
  pixelBbox: [1140, 2130, 1152, 2141],
  outline: [[1140, 2130, 1152, 2130, 1152, 2141, 1140, 2141]],
} as unknown as Patch;

const ID = '321202-test-2003-02-0123456789ab';
const ALERT = {
  id: ID,
  properties: {
    tubanId: ID,
    batchId: 'test-2003-02',
    regionCode: '321202',
    detector: 'test-detector',
    beforeDate: '2000-03-17',
    afterDate: '2003-02-06',
    beforeSceneId: 'before-scene',
    afterSceneId: 'after-scene',
    platform: 'satellite',
    sensor: 'Landsat 7 ETM+',
    evidence: { before: keys.evidence(ID, 'before'), after: keys.evidence(ID, 'after'), overview: keys.evidence(ID, 'overview'), manifest: keys.evidenceManifest(ID) },
  },
} as unknown as AlertFeature;

const before = fakeScene('before-scene', '2000-03-17', false);
const after = fakeScene('after-scene', '2003-02-06', true);

async function decode(png: Uint8Array): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  expect(info.channels).toBe(3);
  return { data, width: info.width, height: info.height };
}

let dir: string;
let store: BlobStore;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoutu-evidence-'));
  store = createStore({ kind: 'local', dir });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('evidence images', () => {
  it('are byte-identical when rendered twice, and match the pinned hashes (PNG encoding is deterministic)', async () => {
    const first = await renderEvidence(ID, PATCH, before, after);
    const second = await renderEvidence(ID, PATCH, before, after);
    expect(first.map((i) => i.name)).toEqual(['before', 'after', 'overview']);
    for (let k = 0; k < first.length; k++) expect(Buffer.from(second[k]!.png).equals(Buffer.from(first[k]!.png))).toBe(true);
    // Pinned: a change in sharp/zlib output or in the drawing shows up here (REGEN=1 prints new values).
    const hashes = Object.fromEntries(first.map((i) => [i.name, sha256Hex(i.png)]));
    if (process.env.REGEN === '1') console.log(JSON.stringify(hashes));
    expect(hashes).toEqual(PINNED);
  });

  it('caption the date and sensor with the bitmap font and draw a scale bar matching the pixel size', async () => {
    const [beforeChip, afterChip] = await renderEvidence(ID, PATCH, before, after);
    const window = chipWindow(PATCH, before, after);
    const scale = Math.floor(256 / Math.max(window.width, window.height));
    const imageW = window.width * scale;
    const imageH = window.height * scale;
    // Ground metres per output pixel at the chip centre (a UTM pixel is 30 grid metres).
    const mpp = metresPerPixelX(LATTICE, window.col + window.width / 2, window.row + window.height / 2) / scale;
    expect(mpp * scale).toBeGreaterThan(29.9);
    expect(mpp * scale).toBeLessThan(30.2);
    for (const [chip, title] of [[beforeChip!, 'BEFORE 2000-03-17'], [afterChip!, 'AFTER 2003-02-06']] as const) {
      const layout = legendLayout(imageW, imageH, { title, subtitle: 'Landsat 7 ETM+', note: ID }, mpp);
      const { data, width, height } = await decode(chip.png);
      expect([width, height]).toEqual([layout.width, layout.height]);
      const ink = (x: number, y: number) => data[(y * width + x) * 3] === 255 && data[(y * width + x) * 3 + 1] === 255 && data[(y * width + x) * 3 + 2] === 255;
      // Every character of the title, e.g. the digits of the date, sits where the layout puts it.
      [...title].forEach((ch, k) => {
        const glyph = glyphOf(ch);
        for (let gy = 0; gy < GLYPH_HEIGHT; gy++)
          for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
            const x = layout.title.x + k * GLYPH_ADVANCE * TEXT_SCALE + gx * TEXT_SCALE;
            const y = layout.title.y + gy * TEXT_SCALE;
            expect(ink(x, y), `'${ch}' (${gx}, ${gy})`).toBe(glyph[gy * GLYPH_WIDTH + gx] === 1);
          }
      });
      // The 图斑 id is printed small on the last line: its last character at glyph scale.
      const last = glyphOf(ID.at(-1)!);
      for (let gy = 0; gy < GLYPH_HEIGHT; gy++)
        for (let gx = 0; gx < GLYPH_WIDTH; gx++)
          expect(ink(layout.note.x + (ID.length - 1) * GLYPH_ADVANCE + gx, layout.note.y + gy)).toBe(last[gy * GLYPH_WIDTH + gx] === 1);
      // The bar is a white run of exactly round(metres / metres-per-output-pixel) pixels.
      const { bar } = layout;
      expect(bar.lengthPx).toBe(Math.round(bar.metres / mpp));
      const y = bar.y + 2;
      let run = 0;
      while (ink(bar.x + run, y)) run++;
      expect(run).toBe(bar.lengthPx);
      expect(ink(bar.x - 1, y)).toBe(false);
    }
  });

  it('read only the planes they show: red, green and blue of a 4-band scene, not its near infrared', async () => {
    askedPlanes.length = 0;
    await renderEvidence(ID, PATCH, before, after);
    expect(askedPlanes.length).toBeGreaterThan(0);
    expect(new Set(askedPlanes)).toEqual(new Set(['0,1,2']));
  });

  it('show the same extent in both chips and the outline on the after chip', async () => {
    const [b, a, o] = await renderEvidence(ID, PATCH, before, after);
    expect(b!.window).toEqual(a!.window);
    expect(o!.window.width).toBeGreaterThan(a!.window.width);
    const window = a!.window;
    const scale = Math.floor(256 / Math.max(window.width, window.height));
    const { data, width } = await decode(a!.png);
    const x = (PATCH.pixelBbox[0] - window.col) * scale;
    const y = (PATCH.pixelBbox[1] - window.row) * scale + Math.floor(scale / 2);
    expect([...data.subarray((y * width + x) * 3, (y * width + x) * 3 + 3)]).toEqual([255, 230, 0]);
  });
});

describe('evidence of a large 图斑', () => {
  /** A 3-band scene of procedural pixels, 40000² (2 km at 5 cm), with a bright 600 × 550 site in the after epoch; records the largest read. */
  function hugeScene(sceneId: string, acquiredAt: string, bright: boolean): { scene: OpenScene; largestRead: () => number } {
    const [col0, row0, side] = [0, 0, 40_000];
    let largest = 0;
    const readWindow = async (w: LatticeWindow): Promise<Float32Array> => {
      if (w.col < col0 || w.row < row0 || w.col + w.width > side || w.row + w.height > side) throw new Error('window outside the scene');
      const out = new Float32Array(w.width * w.height * 3);
      largest = Math.max(largest, out.length);
      for (let y = 0; y < w.height; y++) {
        for (let x = 0; x < w.width; x++) {
          const [gx, gy] = [w.col + x, w.row + y];
          const site = bright && gx >= 20_000 && gx < 20_600 && gy >= 20_000 && gy < 20_550;
          for (let b = 0; b < 3; b++) out[(b * w.height + y) * w.width + x] = site ? 900 : 200 + ((gx * 7 + gy * 13 + b * 31) % 97);
        }
      }
      return out;
    };
    const record = {
      sceneId,
      acquiredAt,
      sensor: 'UAV RGB',
      platform: 'drone',
      bands: ['red', 'green', 'blue'],
      raster: { bands: 3, nodata: null },
      placement: { lattice: { ...LATTICE, pixelWidth: 0.05, pixelHeight: 0.05 }, col0, row0, width: side, height: side },
    } as unknown as SceneRecord;
    return { scene: { record, raster: null as never, readWindow: withPlanes(readWindow), readValidWindow: readWindow, readUsableWindow: readWindow, readCovered: async () => null, keepPlanes: () => {}, close: async () => {} }, largestRead: () => largest };
  }

  it('reads its windows reduced, in strips, and still shows the site outlined in the after chip', async () => {
    const patch = { label: 1, pixelBbox: [20_000, 20_000, 20_600, 20_550], outline: [[20_000, 20_000, 20_600, 20_000, 20_600, 20_550, 20_000, 20_550]] } as unknown as Patch;
    const b = hugeScene('before-scene', '2026-10-01', false);
    const a = hugeScene('after-scene', '2026-11-01', true);
    const [beforeChip, afterChip, overview] = await renderEvidence(ID, patch, b.scene, a.scene);
    // chip 1200 source pixels across (the site and half its size on each side), overview 4 chips: read
    // whole, each would be 1200² and 4800² pixels × 3 bands
    expect(afterChip!.window).toMatchObject({ col: 19_700, row: 19_700, width: 1200, height: 1150 });
    expect(overview!.window.width).toBe(4800);
    expect(Math.max(b.largestRead(), a.largestRead())).toBeLessThanOrEqual(19 * 4800 * 3);
    // the chip reduced by 2 to 600 pixels, the overview by 19 to at most 256
    expect(afterChip!.width).toBeGreaterThanOrEqual(600);
    expect(afterChip!.width).toBeLessThan(800);
    const { data, width } = await decode(afterChip!.png);
    // the site's centre is bright; its outline passes through its top-left corner, reduced by 2
    const [cx, cy] = [Math.floor((20_300 - 19_700) / 2), Math.floor((20_275 - 19_700) / 2)];
    expect(data[(cy * width + cx) * 3]).toBeGreaterThan(200);
    const [x0, y0] = [(20_000 - 19_700) / 2, (20_000 - 19_700) / 2 + 1];
    expect([...data.subarray((y0 * width + x0) * 3, (y0 * width + x0) * 3 + 3)]).toEqual([255, 230, 0]);
    const before = await decode(beforeChip!.png);
    expect(before.data[(cy * before.width + cx) * 3]).toBeLessThan(200);
    expect(overview!.width).toBeLessThan(600);
  }, 60_000);
});

describe('evidence manifest and write-once storage', () => {
  it('lists every evidence file with the SHA-256 and size of the stored bytes', async () => {
    const manifest = await writeEvidence(store, ALERT, PATCH, before, after);
    const stored = JSON.parse(Buffer.from(await store.get(keys.evidenceManifest(ID))).toString('utf8')) as EvidenceManifest;
    expect(stored).toEqual(manifest);
    expect(stored.files.map((f) => f.key)).toEqual([keys.evidence(ID, 'before'), keys.evidence(ID, 'after'), keys.evidence(ID, 'overview')]);
    for (const f of stored.files) {
      const bytes = await store.get(f.key);
      expect(f.sha256).toBe(sha256Hex(bytes));
      expect(f.bytes).toBe(bytes.byteLength);
    }
    expect(stored).toMatchObject({ observationId: ID, beforeDate: '2000-03-17', afterDate: '2003-02-06', sensor: 'Landsat 7 ETM+', detector: 'test-detector' });
    expect(stored.files[0]!.extent.bbox).toEqual([15 + 30 * 1124, 15 - 30 * (2114 + 43), 15 + 30 * (1124 + 44), 15 - 30 * 2114]);
  });

  it('never overwrites evidence: existing images are kept and hashed as stored, a second run changes nothing', async () => {
    const id = '321202-test-2003-02-ffffffffffff';
    const alert = { ...ALERT, id, properties: { ...ALERT.properties, tubanId: id, evidence: { before: keys.evidence(id, 'before'), after: keys.evidence(id, 'after'), overview: keys.evidence(id, 'overview'), manifest: keys.evidenceManifest(id) } } } as AlertFeature;
    const earlier = new Uint8Array([1, 2, 3]);
    await store.put(keys.evidence(id, 'before'), earlier);
    const manifest = await writeEvidence(store, alert, PATCH, before, after);
    expect([...(await store.get(keys.evidence(id, 'before')))]).toEqual([1, 2, 3]);
    expect(manifest.files[0]!.sha256).toBe(sha256Hex(earlier));
    const snapshot = await Promise.all([...manifest.files.map((f) => f.key), keys.evidenceManifest(id)].map((k) => store.get(k)));
    await writeEvidence(store, { ...alert, properties: { ...alert.properties, detector: 'other' } }, PATCH, before, after);
    const again = await Promise.all([...manifest.files.map((f) => f.key), keys.evidenceManifest(id)].map((k) => store.get(k)));
    expect(again.map((b) => sha256Hex(b))).toEqual(snapshot.map((b) => sha256Hex(b)));
  });
});

const PINNED: Record<string, string> = {
  before: 'b7fbcbe4b9395530402bf2a778a59b28bca207294cd62b26316ed82fd5b6ecfd',
  after: 'b359de966f966716f9d08f536450de6c3feae2505c47fd3f6027b304f70446fb',
  overview: 'a994db0c56f23f363e87778aec3eeee8e9b7e0afa819527e0b9af5c332210e4e',
};
