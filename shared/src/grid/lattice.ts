/**
 * The analysis lattice: scenes that share a CRS, pixel size and pixel phase (origin modulo pixel size)
 * share one global pixel lattice, and the lattice is cut into fixed square tiles. A tile is therefore the
 * same ground area in every epoch, which is what lets the catalog say "which scenes cover this cell".
 *
 * Global pixel column g of a map x: g = (x - phaseX) / pixelWidth; global row r of map y:
 * r = (phaseY - y) / pixelHeight (rows grow southwards). Tile (tx, ty) covers global columns
 * [tx*T, (tx+1)*T) and rows [ty*T, (ty+1)*T).
 */

export type GeoTransform = [number, number, number, number, number, number];

export interface Lattice {
  /** Stable text id, safe in storage keys, e.g. `epsg32651-30x30-p15_15-t512`. */
  gridId: string;
  epsg: number;
  pixelWidth: number;
  pixelHeight: number;
  phaseX: number;
  phaseY: number;
  tileSize: number;
}

/** Where a raster sits on its lattice. */
export interface Placement {
  lattice: Lattice;
  /** Global column and row of the raster's pixel (0, 0). */
  col0: number;
  row0: number;
  width: number;
  height: number;
}

/** A window in global lattice pixels: [col, col+width) × [row, row+height). */
export interface LatticeWindow {
  col: number;
  row: number;
  width: number;
  height: number;
}

const PHASE_DECIMALS = 6;

function roundTo(value: number, decimals: number): number {
  const f = 10 ** decimals;
  const r = Math.round(value * f) / f;
  return Object.is(r, -0) ? 0 : r;
}

function phaseOf(origin: number, size: number): number {
  const p = roundTo(((origin % size) + size) % size, PHASE_DECIMALS);
  return p >= size ? 0 : p;
}

function formatNumber(value: number): string {
  return String(roundTo(value, PHASE_DECIMALS)).replace('-', 'm').replace('.', 'd');
}

/**
 * The lattice of pixels `pixelWidth` × `pixelHeight` in EPSG:`epsg` that has a pixel corner at
 * (originX, originY) — any corner: only the phase (origin modulo pixel size) matters — cut into
 * `tileSize` tiles.
 */
export function makeLattice(epsg: number, pixelWidth: number, pixelHeight: number, originX: number, originY: number, tileSize: number): Lattice {
  const phaseX = phaseOf(originX, pixelWidth);
  const phaseY = phaseOf(originY, pixelHeight);
  return {
    gridId: `epsg${epsg}-${formatNumber(pixelWidth)}x${formatNumber(pixelHeight)}-p${formatNumber(phaseX)}_${formatNumber(phaseY)}-t${tileSize}`,
    epsg,
    pixelWidth: roundTo(pixelWidth, 9),
    pixelHeight: roundTo(pixelHeight, 9),
    phaseX,
    phaseY,
    tileSize,
  };
}

/** Places a north-up raster on its own lattice (its CRS, pixel size and phase). */
export function placeRaster(epsg: number, geoTransform: GeoTransform, width: number, height: number, tileSize: number): Placement {
  const [originX, pixelWidth, , originY, , negPixelHeight] = geoTransform;
  const pixelHeight = -negPixelHeight;
  const lattice = makeLattice(epsg, pixelWidth, pixelHeight, originX, originY, tileSize);
  return {
    lattice,
    col0: Math.round((originX - lattice.phaseX) / pixelWidth),
    row0: Math.round((lattice.phaseY - originY) / pixelHeight),
    width,
    height,
  };
}

/**
 * Where a north-up raster sits on `lattice` when its pixels are the lattice's pixels (same CRS, pixel
 * size and phase, to the precision of the grid id), else null: the raster must be resampled first.
 */
export function placeOnLattice(lattice: Lattice, epsg: number, geoTransform: GeoTransform, width: number, height: number): Placement | null {
  const own = placeRaster(epsg, geoTransform, width, height, lattice.tileSize);
  return own.lattice.gridId === lattice.gridId ? own : null;
}

/** Tile id within a lattice, e.g. `13_m236`. */
export function tileId(tx: number, ty: number): string {
  return `${formatNumber(tx)}_${formatNumber(ty)}`;
}

export interface TileCell {
  tx: number;
  ty: number;
  tileId: string;
  /** The part of the tile that the placement covers. */
  window: LatticeWindow;
}

/** Tiles touched by a placement, in row-major order (ty, then tx), with the covered part of each. */
export function tilesOf(placement: Placement): TileCell[] {
  const T = placement.lattice.tileSize;
  const tx0 = Math.floor(placement.col0 / T);
  const ty0 = Math.floor(placement.row0 / T);
  const tx1 = Math.floor((placement.col0 + placement.width - 1) / T);
  const ty1 = Math.floor((placement.row0 + placement.height - 1) / T);
  const cells: TileCell[] = [];
  for (let ty = ty0; ty <= ty1; ty++) {
    for (let tx = tx0; tx <= tx1; tx++) {
      const window = intersect(
        { col: tx * T, row: ty * T, width: T, height: T },
        { col: placement.col0, row: placement.row0, width: placement.width, height: placement.height },
      );
      if (window) cells.push({ tx, ty, tileId: tileId(tx, ty), window });
    }
  }
  return cells;
}

/** Intersection of two windows, or null when they do not overlap. */
export function intersect(a: LatticeWindow, b: LatticeWindow): LatticeWindow | null {
  const col = Math.max(a.col, b.col);
  const row = Math.max(a.row, b.row);
  const colEnd = Math.min(a.col + a.width, b.col + b.width);
  const rowEnd = Math.min(a.row + a.height, b.row + b.height);
  if (colEnd <= col || rowEnd <= row) return null;
  return { col, row, width: colEnd - col, height: rowEnd - row };
}

/** The placement's full extent as a lattice window. */
export function extentOf(placement: Placement): LatticeWindow {
  return { col: placement.col0, row: placement.row0, width: placement.width, height: placement.height };
}

/** GDAL geotransform of a lattice window. */
export function windowGeoTransform(lattice: Lattice, window: LatticeWindow): GeoTransform {
  return [
    lattice.phaseX + window.col * lattice.pixelWidth,
    lattice.pixelWidth,
    0,
    lattice.phaseY - window.row * lattice.pixelHeight,
    0,
    -lattice.pixelHeight,
  ];
}
