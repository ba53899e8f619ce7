/**
 * GeoTIFF reading and writing.
 *
 * Errors from untrusted files are InvalidInputError with `file` = the name passed to openGeoTiff and
 * `field` = the TIFF tag / GeoKey at fault:
 *  - 'not_geotiff'        not a TIFF, or its structure is broken (field 'header', 'IFD' or a tag name)
 *  - 'not_georeferenced'  no geotransform or no EPSG code (ModelTiepointTag, ModelPixelScaleTag,
 *                         GeoKeyDirectoryTag, ProjectedCSTypeGeoKey, GeographicTypeGeoKey, ...)
 *  - 'unsupported_raster' valid but not supported: rotation/shear, GCPs, compression, bit depth, size caps
 *  - 'corrupt_raster'     pixel data cannot be decoded (from readWindow; from verifyBlocks, field
 *                         'TileOffsets[i]' / 'StripOffsets[i]' naming the block)
 *  - 'window_out_of_bounds' / 'window_too_large'  bad readWindow arguments (field 'window')
 * A local path that does not exist throws NotFoundError.
 */
export { type GeoTransform, pixelToMap, mapToPixel, sameGeoTransform, sameGrid } from './geotransform.js';
export {
  type GeoTiffRaster,
  type GeoTiffSource,
  type NativeSamples,
  type RasterInfo,
  openGeoTiff,
  verifyBlocks,
  type BlockPart,
  nativeArrayType,
  MAX_WINDOW_VALUES,
} from './geotiff-source.js';
export { declareNodata } from './declare-nodata.js';
export { shiftGeoreference } from './shift-georeference.js';
export { MAX_RASTER_SIDE, MAX_RASTER_BANDS, MAX_BLOCK_BYTES, SUPPORTED_COMPRESSION, COMPRESSION_NAMES } from './raster-info.js';
export { type GeoTiffDescription, describeGeoTiff, hashBands } from './describe-geotiff.js';
export { type EncodeUint8GeoTiffOptions, encodeUint8GeoTiff, encodeUint8Strip, assembleUint8GeoTiff, uint8GeoTiffRowsPerStrip } from './write-uint8-geotiff.js';
