export * from './export-table.js';
export { writeCsv, type HeaderLanguage } from './csv.js';
export { writeKml, type KmlOptions } from './kml.js';
export { writeShapefileZip, WGS84_ESRI_WKT, type ShapefileOptions } from './shapefile.js';
