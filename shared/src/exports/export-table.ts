/**
 * What every export format writes: rows of attributes with a WGS84 polygon each. The alert layer
 * turns 图斑 into a table once; CSV, KML and Shapefile writers only serialise it, so the same filtered
 * set reads the same in every format.
 */
export type ColumnType = 'string' | 'number' | 'integer';

export interface ExportColumn {
  /** Property key in each row's values. */
  key: string;
  /** Header in English and Chinese (CSV, KML). */
  en: string;
  zh: string;
  /** dBase field name: ASCII, at most 10 bytes, unique (Shapefile attribute names are cut at 10). */
  dbfName: string;
  type: ColumnType;
  /** Digits after the decimal point for 'number' (fixed, so values read the same everywhere). */
  decimals?: number;
}

export type ExportValue = string | number | null;

export type Position = [number, number] | number[];
export type ExportGeometry = { type: 'Polygon'; coordinates: Position[][] } | { type: 'MultiPolygon'; coordinates: Position[][][] };

export interface ExportRow {
  values: Readonly<Record<string, ExportValue>>;
  geometry: ExportGeometry | null;
}

export interface ExportTable {
  columns: readonly ExportColumn[];
  rows: readonly ExportRow[];
}

/** Checks column definitions once, naming the bad column. */
export function checkColumns(columns: readonly ExportColumn[]): void {
  const seen = new Set<string>();
  for (const c of columns) {
    if (!/^[A-Za-z][A-Za-z0-9_]{0,9}$/.test(c.dbfName)) throw new Error(`export column ${c.key}: dbfName "${c.dbfName}" must be 1–10 ASCII letters, digits or _`);
    const upper = c.dbfName.toUpperCase();
    if (seen.has(upper)) throw new Error(`export column ${c.key}: dbfName "${c.dbfName}" is used twice`);
    seen.add(upper);
    if (c.type === 'number' && (c.decimals === undefined || !Number.isInteger(c.decimals) || c.decimals < 0 || c.decimals > 15)) {
      throw new Error(`export column ${c.key}: number columns need decimals 0–15`);
    }
  }
}

/** A value as text: numbers with their column's fixed decimals, null as empty. */
export function formatValue(column: ExportColumn, value: ExportValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return '';
  if (column.type === 'integer') return Math.round(value).toFixed(0);
  if (column.type === 'number') return value.toFixed(column.decimals ?? 0);
  return String(value);
}

/** Polygons of a geometry (a Polygon is one). */
export function polygonsOf(geometry: ExportGeometry): Position[][][] {
  return geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
}
