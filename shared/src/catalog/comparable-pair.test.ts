import { describe, expect, it } from 'vitest';
import type { LatticeWindow } from '../grid/lattice.js';
import type { SceneRecord } from './scene-record.js';
import { comparablePair, type OpenScene } from './open-scene.js';

/** A scene of `bands` image bands (plus `extra` planes after them, a cloud mask band) whose plane k holds k + 1 in every pixel. */
function fakeScene(sceneId: string, bands: SceneRecord['bands'], extra = 0): OpenScene & { closed: number; planesRead: number[][]; kept: Array<number[] | null> } {
  const planes = bands.length + extra;
  const window = (w: LatticeWindow) => {
    const n = w.width * w.height;
    const out = new Uint16Array(planes * n);
    for (let k = 0; k < planes; k++) out.fill(k + 1, k * n, (k + 1) * n);
    return out;
  };
  const scene = {
    record: { sceneId, bands, raster: { bands: planes } } as unknown as SceneRecord,
    raster: null as unknown as OpenScene['raster'],
    readWindow: async (w: LatticeWindow) => new Float32Array(window(w)),
    readValidWindow: async (w: LatticeWindow) => new Float32Array(window(w)),
    readUsableWindow: async (w: LatticeWindow, _lastUse?: boolean, _buffers?: unknown, some?: readonly number[]) => {
      if (some === undefined) return window(w);
      scene.planesRead.push([...some]);
      const all = window(w);
      const n = w.width * w.height;
      return Uint16Array.from(some.flatMap((p) => Array.from(all.subarray(p * n, (p + 1) * n))));
    },
    readCovered: async () => null,
    keepPlanes: (some: readonly number[] | null) => void scene.kept.push(some === null ? null : [...some]),
    planesRead: [] as number[][],
    kept: [] as Array<number[] | null>,
    closed: 0,
    close: async () => {
      scene.closed++;
    },
  };
  return scene;
}

const W: LatticeWindow = { col: 0, row: 0, width: 2, height: 1 };
/** The first sample of each plane of a window: which file plane it came from (1-based). */
const planesOf = (samples: ArrayLike<number>) => Array.from({ length: samples.length / 2 }, (_, k) => samples[2 * k]);

describe('comparablePair', () => {
  it('leaves a pair of one band order as it is', () => {
    const b = fakeScene('b', ['blue', 'green', 'red']);
    const a = fakeScene('a', ['blue', 'green', 'red']);
    const [vb, va] = comparablePair(b, a);
    expect(vb).toBe(b);
    expect(va).toBe(a);
  });

  it("reads the before scene in the after scene's order, keeping a cloud mask band after the image bands", async () => {
    const [vb, va] = comparablePair(fakeScene('b', ['red', 'green', 'blue', 'nir'], 1), fakeScene('a', ['blue', 'green', 'red', 'nir08']));
    expect(vb.record.bands).toEqual(['blue', 'green', 'red', 'nir']);
    expect(vb.record.raster.bands).toBe(5);
    expect(planesOf(await vb.readUsableWindow(W))).toEqual([3, 2, 1, 4, 5]);
    expect(planesOf(await vb.readValidWindow(W))).toEqual([3, 2, 1, 4, 5]);
    expect(planesOf(await va.readUsableWindow(W))).toEqual([1, 2, 3, 4]);
  });

  it('sees scenes of two sensors as the bands they share, in the after order, without their mask bands', async () => {
    const b = fakeScene('b', ['coastal', 'blue', 'green', 'red', 'nir', 'swir16'], 1);
    const a = fakeScene('a', ['red', 'green', 'blue'], 1);
    const [vb, va] = comparablePair(b, a);
    expect([vb.record.bands, va.record.bands]).toEqual([
      ['red', 'green', 'blue'],
      ['red', 'green', 'blue'],
    ]);
    expect([vb.record.raster.bands, va.record.raster.bands]).toEqual([3, 3]);
    expect(planesOf(await vb.readUsableWindow(W))).toEqual([4, 3, 2]);
    expect(planesOf(await vb.readWindow(W))).toEqual([4, 3, 2]);
    expect(planesOf(await va.readValidWindow(W))).toEqual([1, 2, 3]);
    await Promise.all([vb.close(), va.close()]);
    expect([b.closed, a.closed]).toEqual([1, 1]);
  });

  it("reads and keeps the scene planes behind the view's planes, ascending, and gives them in the view's order", async () => {
    const b = fakeScene('b', ['coastal', 'blue', 'green', 'red', 'nir', 'swir16'], 1);
    const a = fakeScene('a', ['nir', 'red', 'green', 'blue'], 1);
    const [vb] = comparablePair(b, a);
    expect(vb.record.bands).toEqual(['nir', 'red', 'green', 'blue']);
    // view planes 0 (nir) and 3 (blue): the scene's planes 1 (blue) and 4 (nir)
    expect(planesOf(await vb.readUsableWindow(W, false, undefined, [0, 3]))).toEqual([5, 2]);
    expect(b.planesRead).toEqual([[1, 4]]);
    vb.keepPlanes([0, 3]);
    vb.keepPlanes(null);
    expect(b.kept).toEqual([[1, 4], null]);
  });

  it('refuses scenes that share no band that shows the land', () => {
    expect(() => comparablePair(fakeScene('b', ['pan']), fakeScene('a', ['blue', 'green', 'red']))).toThrow('scenes b and a share no band that shows the land (pan / blue,green,red)');
  });
});
