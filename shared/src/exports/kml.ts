/**
 * KML 2.2 (OGC 07-147r2) for Google Earth / 奥维 and other viewers: one Placemark per row with its
 * attributes as ExtendedData (Chinese display names) and its polygon(s); WGS84 lon/lat as KML requires.
 */
import { checkColumns, formatValue, polygonsOf, type ExportTable, type Position } from './export-table.js';

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&apos;');
}

function ring(points: Position[]): string {
  return `<LinearRing><coordinates>${points.map((p) => `${p[0]},${p[1]}`).join(' ')}</coordinates></LinearRing>`;
}

function polygon(rings: Position[][]): string {
  const [outer, ...holes] = rings;
  if (!outer) return '';
  return `<Polygon><outerBoundaryIs>${ring(outer)}</outerBoundaryIs>${holes.map((h) => `<innerBoundaryIs>${ring(h)}</innerBoundaryIs>`).join('')}</Polygon>`;
}

export interface KmlOptions {
  /** Document name. */
  name: string;
  /** Column whose value names each placemark (e.g. the 图斑编号). */
  nameColumn?: string;
}

export function writeKml(table: ExportTable, options: KmlOptions): Uint8Array {
  checkColumns(table.columns);
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', '<kml xmlns="http://www.opengis.net/kml/2.2">', `<Document><name>${escapeXml(options.name)}</name>`];
  for (const row of table.rows) {
    const title = options.nameColumn === undefined ? '' : String(row.values[options.nameColumn] ?? '');
    const data = table.columns
      .map((c) => `<Data name="${escapeXml(c.dbfName)}"><displayName>${escapeXml(c.zh)}</displayName><value>${escapeXml(formatValue(c, row.values[c.key]))}</value></Data>`)
      .join('');
    let geometry = '';
    if (row.geometry) {
      const polygons = polygonsOf(row.geometry).map(polygon);
      geometry = polygons.length === 1 ? polygons[0]! : `<MultiGeometry>${polygons.join('')}</MultiGeometry>`;
    }
    out.push(`<Placemark><name>${escapeXml(title)}</name><ExtendedData>${data}</ExtendedData>${geometry}</Placemark>`);
  }
  out.push('</Document>', '</kml>');
  return new TextEncoder().encode(out.join('\n') + '\n');
}
