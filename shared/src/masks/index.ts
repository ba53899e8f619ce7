export { type MaskLayer, parseMaskLayer, MAX_MASK_VERTICES } from './parse-mask-layer.js';
export { type MaskGrid, rasterizeMaskLayer } from './rasterize-mask.js';
export { type LayerFile, layerOfBytes, readLayerFile } from './read-layer-file.js';
export { isZipArchive, MAX_LAYER_ARCHIVE_BYTES } from './read-layer-archive.js';
