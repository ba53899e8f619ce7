import { burnOutline } from './burn-outline.js';
import { labelComponents, labelScratchLength } from '../kernels/label-components.js';
import { traceOutline } from '../kernels/trace-outline.js';
import type { Lattice } from '../grid/lattice.js';
import { describePatch, type Patch, type TilePatches } from './extract-patches.js';
import { pixelAreaM2 } from './pixel-area.js';
import { MASK_LAYERS } from './parameters.js';
import { INDEX_CHANNELS } from './change-evidence.js';
import { joinedFootprint } from './footprint.js';

/** A patch of the batch: one or more tile patches joined across tile edges. */
export interface MergedPatch {
  patch: Patch;
  /** Index (into the tiles given) of the tile whose patch comes first; its tile names the 图斑. */
  firstTile: number;
  members: Array<{ tile: number; patch: number }>;
}

/**
 * Joins the edge-touching patches of neighbouring tiles of one scene pair into whole patches, then
 * applies the minimum area. Two tile patches join when a pixel of one is an 8-neighbour of a pixel of
 * the other across a tile edge, the same connectivity as inside a tile, so a patch comes out the same
 * whichever way the tiles cut it. Output order: by the first member (tile order, then patch order).
 */
export function mergeTilePatches(lattice: Lattice, tiles: readonly TilePatches[], minAreaM2: number): MergedPatch[] {
  // Global id of each edge-touching patch, and where its edge pixels are (numeric keys: these maps hold
  // every edge pixel of every edge patch, and string keys made them most of the merge's time).
  const ids: Array<{ tile: number; patch: number }> = [];
  const owner = new Map<number, Map<number, number>>(); // row → col → patch id
  const ownerAt = (c: number, r: number): number | undefined => owner.get(r)?.get(c);
  tiles.forEach((t, tile) => {
    const idOf = new Map<number, number>(); // patch index in the tile → id
    t.patches.forEach((p, k) => {
      if (!p.touchesEdge) return;
      idOf.set(k, ids.length);
      ids.push({ tile, patch: k });
    });
    const { col, row, width, height } = t.window;
    const mark = (runs: number[], horizontal: boolean, c0: number, r0: number) => {
      for (let r = 0; r < runs.length; r += 3) {
        const id = idOf.get(runs[r + 2]! - 1)!;
        for (let k = runs[r]!; k < runs[r]! + runs[r + 1]!; k++) {
          const c = horizontal ? c0 + k : c0;
          const w = horizontal ? r0 : r0 + k;
          let cols = owner.get(w);
          if (cols === undefined) owner.set(w, (cols = new Map()));
          cols.set(c, id);
        }
      }
    };
    mark(t.edges.top, true, col, row);
    mark(t.edges.bottom, true, col, row + height - 1);
    mark(t.edges.left, false, col, row);
    mark(t.edges.right, false, col + width - 1, row);
  });

  // Union-find over ids: edge pixels of different tiles that are 8-neighbours belong together. Roots are
  // always the smallest id of their set, so the groups do not depend on the order of the unions.
  const parent = ids.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  for (const [r, cols] of owner) {
    for (const [c, id] of cols) {
      for (let dr = -1; dr <= 1; dr++) {
        for (let dc = -1; dc <= 1; dc++) {
          const other = ownerAt(c + dc, r + dr);
          if (other === undefined || ids[other]!.tile === ids[id]!.tile) continue;
          const [a, b] = [find(id), find(other)];
          if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
        }
      }
    }
  }
  const groups = new Map<number, number[]>();
  ids.forEach((_, i) => {
    const root = find(i);
    const list = groups.get(root) ?? [];
    list.push(i);
    groups.set(root, list);
  });

  const merged: MergedPatch[] = [];
  for (const members of [...groups.values()].sort((x, y) => x[0]! - y[0]!)) {
    const parts = members.map((i) => ids[i]!);
    const patches = parts.map((m) => tiles[m.tile]!.patches[m.patch]!);
    const patch = patches.length === 1 ? patches[0]! : joinPatches(lattice, patches);
    if (patch.pixelCount * pixelAreaM2(lattice, patch.sums.col / patch.pixelCount, patch.sums.row / patch.pixelCount) < minAreaM2) continue;
    merged.push({ patch, firstTile: parts[0]!.tile, members: parts });
  }
  return merged;
}

/** One patch from several: sums add up; the outline is traced again from the union of the members. */
function joinPatches(lattice: Lattice, patches: readonly Patch[]): Patch {
  let [c0, r0, c1, r1] = patches[0]!.pixelBbox;
  for (const p of patches) {
    c0 = Math.min(c0, p.pixelBbox[0]);
    r0 = Math.min(r0, p.pixelBbox[1]);
    c1 = Math.max(c1, p.pixelBbox[2]);
    r1 = Math.max(r1, p.pixelBbox[3]);
  }
  const width = c1 - c0;
  const height = r1 - r0;
  const mask = new Uint8Array(width * height);
  for (const p of patches) burnOutline(p.outline, { col: c0, row: r0, width, height }, 1, mask);
  const labels = new Int32Array(width * height);
  const n = labelComponents(mask, width, height, labels, new Int32Array(labelScratchLength(width, height)));
  if (n !== 1) throw new Error(`joined patch is ${n} components, expected 1`);
  const outline = traceOutline(labels, width, height, 1, 0, 0, width - 1, height - 1).map((ring) => ring.map((x, i) => x + (i % 2 === 0 ? c0 : r0)));
  const sum = (f: (p: Patch) => number) => patches.reduce((s, p) => s + f(p), 0);
  const channels = INDEX_CHANNELS.filter((c) => patches[0]!.indices[c] !== undefined);
  return describePatch(lattice, {
    label: patches[0]!.label,
    pixelCount: sum((p) => p.pixelCount),
    sums: {
      col: sum((p) => p.sums.col),
      row: sum((p) => p.sums.row),
      score: sum((p) => p.sums.score),
      index: patches[0]!.sums.index.map((_, k) => sum((p) => p.sums.index[k]!)),
    },
    channels,
    footprint: joinedFootprint(mask, width, height, patches.map((p) => p.footprint)),
    classCounts: MASK_LAYERS.map((layer) => sum((p) => p.overlap[layer].pixels)),
    pixelBbox: [c0, r0, c1, r1],
    outline,
    touchesEdge: true,
  });
}
