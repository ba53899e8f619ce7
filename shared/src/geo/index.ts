export {
  type CrsErrorContext,
  crsDefinition,
  isGeographic,
  isGeographicEpsg,
  lonLatOf,
  parseGeoJsonCrs,
  registerCrsDefinitions,
  supportedEpsgCodes,
  transformCoords,
} from './crs.js';
