/**
 * An area's fixed analysis grid: the one lattice (CRS, pixel size, pixel phase, tile size) that every
 * scene of a region (county, `regionCode`) is compared on, and optionally the region of interest on it.
 * Declared by the operator (`grid` in batch.json) or fixed by the first scene ingested for the region;
 * stored once as `areas/<regionCode>.json` and never changed afterwards.
 */
import { z } from 'zod';
import { type Lattice, type LatticeWindow, makeLattice } from './lattice.js';
import { LatticeSchema } from './lattice-schema.js';

const Finite = z.number().finite();

/** [minX, minY, maxX, maxY] in the grid's CRS. */
export const GridExtent = z
  .tuple([Finite, Finite, Finite, Finite])
  .refine(([minX, minY, maxX, maxY]) => minX < maxX && minY < maxY, 'must be [minX, minY, maxX, maxY] with minX < maxX and minY < maxY');
export type GridExtent = z.infer<typeof GridExtent>;

/** `grid` in batch.json: the analysis grid an operator declares for the batch's region. */
export const GridDeclaration = z
  .object({
    /** CRS of the grid (an EPSG code shoutu knows: CGCS2000 and its Gauss–Krüger zones, UTM, Web Mercator, WGS 84). */
    epsg: z.number().int().positive(),
    /** Pixel size in CRS units: one number (square pixels) or [width, height]. */
    pixelSize: z.union([z.number().finite().positive(), z.tuple([z.number().finite().positive(), z.number().finite().positive()])]),
    /** Any pixel corner of the grid (only its phase matters); default [0, 0]. */
    origin: z.tuple([Finite, Finite]).optional(),
    /** Tile edge in pixels; default: the run's tile size. */
    tileSize: z.number().int().min(64).max(4096).optional(),
    /** Region of interest in the grid's CRS: scenes outside it are rejected, resampled scenes are cut to it. */
    extent: GridExtent.optional(),
  })
  .strict();
export type GridDeclaration = z.infer<typeof GridDeclaration>;

/** `areas/<regionCode>.json`. */
export const AreaRecord = z.object({
  schema: z.literal('shoutu.area/1'),
  regionCode: z.string(),
  lattice: LatticeSchema,
  extent: GridExtent.optional(),
  /** How the grid was fixed: declared in a batch's manifest, or taken from the first scene of the region. */
  fixedBy: z.object({ how: z.enum(['declared', 'first-scene']), batchId: z.string(), sceneId: z.string().optional() }),
});
export type AreaRecord = z.infer<typeof AreaRecord>;

/** The lattice a declaration describes (tile size: the declaration's, else `tileSize`). */
export function latticeOfDeclaration(grid: GridDeclaration, tileSize: number): Lattice {
  const [w, h] = typeof grid.pixelSize === 'number' ? [grid.pixelSize, grid.pixelSize] : grid.pixelSize;
  const [x, y] = grid.origin ?? [0, 0];
  return makeLattice(grid.epsg, w, h, x, y, grid.tileSize ?? tileSize);
}

/** Whether two area records describe the same grid and region of interest (how they were fixed aside). */
export function sameGrid(a: Pick<AreaRecord, 'lattice' | 'extent'>, b: Pick<AreaRecord, 'lattice' | 'extent'>): boolean {
  const extent = (e: GridExtent | undefined) => (e === undefined ? '' : e.join(','));
  return a.lattice.gridId === b.lattice.gridId && extent(a.extent) === extent(b.extent);
}

/** The lattice pixels whose area meets the extent (a pixel only touched at its edge is left out). */
export function extentWindow(lattice: Lattice, extent: GridExtent): LatticeWindow {
  const [minX, minY, maxX, maxY] = extent;
  // 1e-9 pixel of slack so an extent on pixel edges (the usual case) is not widened by rounding.
  const col = Math.floor((minX - lattice.phaseX) / lattice.pixelWidth + 1e-9);
  const colEnd = Math.ceil((maxX - lattice.phaseX) / lattice.pixelWidth - 1e-9);
  const row = Math.floor((lattice.phaseY - maxY) / lattice.pixelHeight + 1e-9);
  const rowEnd = Math.ceil((lattice.phaseY - minY) / lattice.pixelHeight - 1e-9);
  return { col, row, width: Math.max(0, colEnd - col), height: Math.max(0, rowEnd - row) };
}

/** A short human description of a grid, for messages: `EPSG:4549, 10 × 10 m pixels, phase (0, 0), 512-pixel tiles`. */
export function describeLattice(lattice: Lattice): string {
  return `EPSG:${lattice.epsg}, ${lattice.pixelWidth} × ${lattice.pixelHeight} pixels, phase (${lattice.phaseX}, ${lattice.phaseY}), ${lattice.tileSize}-pixel tiles`;
}
