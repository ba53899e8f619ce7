export { type MaskLayer, parseMaskLayer, MAX_MASK_VERTICES } from './parse-mask-layer.js';
export { type MaskGrid, rasterizeMaskLayer } from './rasterize-mask.js';
export { type LayerFile, readLayerFile } from './read-layer-file.js';
