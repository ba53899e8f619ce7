import type { LatticeWindow } from '../grid/lattice.js';

/**
 * Windows that tile an area, grouped by row (top to bottom; left to right within a row; every row has
 * the same columns). The streaming passes walk these in raster order.
 */
export type TileRows = LatticeWindow[][];

/** Groups row-major windows (as tilesOf returns them) into rows. */
export function groupRows(windows: readonly LatticeWindow[]): TileRows {
  const rows: TileRows = [];
  for (const w of windows) {
    const last = rows[rows.length - 1];
    if (last && last[0]!.row === w.row) last.push(w);
    else rows.push([w]);
  }
  return rows;
}

/** `area` cut into `size`-pixel squares anchored at its corner (smaller at the right and bottom edges). */
export function blockRows(area: LatticeWindow, size: number): TileRows {
  const rows: TileRows = [];
  for (let row = area.row; row < area.row + area.height; row += size) {
    const cells: LatticeWindow[] = [];
    for (let col = area.col; col < area.col + area.width; col += size) {
      cells.push({ col, row, width: Math.min(size, area.col + area.width - col), height: Math.min(size, area.row + area.height - row) });
    }
    rows.push(cells);
  }
  return rows;
}

/**
 * Splits rows [0, count) into `parts` contiguous ranges of near-equal size, in order. Contiguous, so a
 * worker re-reads only the one row of tiles above and below its range for the halo.
 */
export function splitRanges(count: number, parts: number): Array<[number, number]> {
  const n = Math.max(1, Math.min(parts, count));
  const out: Array<[number, number]> = [];
  for (let k = 0; k < n; k++) out.push([Math.floor((k * count) / n), Math.floor(((k + 1) * count) / n)]);
  return out;
}
