/**
 * GDAL-style affine geotransform: [originX, pixelWidth, rowRotation, originY, colRotation, pixelHeight].
 * Pixel (px, py) = column, row in pixel units; (0, 0) is the outer corner of the top-left pixel.
 *   x = gt[0] + px * gt[1] + py * gt[2]
 *   y = gt[3] + px * gt[4] + py * gt[5]
 * shoutu rasters are north-up: gt[2] = gt[4] = 0 and gt[5] < 0.
 */
export type GeoTransform = [number, number, number, number, number, number];

/** Whether two geotransforms are the same to 1e-6 (relative to each value, absolute below 1): float noise of writers. */
export function sameGeoTransform(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => Math.abs(v - b[i]!) <= 1e-6 * Math.max(1, Math.abs(v)));
}

/** Whether two rasters' pixels are the same ground: same size, CRS and geotransform. */
export function sameGrid(
  a: { width: number; height: number; epsg: number; geoTransform: readonly number[] },
  b: { width: number; height: number; epsg: number; geoTransform: readonly number[] },
): boolean {
  return a.width === b.width && a.height === b.height && a.epsg === b.epsg && sameGeoTransform(a.geoTransform, b.geoTransform);
}

export function pixelToMap(gt: GeoTransform, px: number, py: number): [number, number] {
  return [gt[0] + px * gt[1] + py * gt[2], gt[3] + px * gt[4] + py * gt[5]];
}

export function mapToPixel(gt: GeoTransform, x: number, y: number): [number, number] {
  const dx = x - gt[0];
  const dy = y - gt[3];
  if (gt[2] === 0 && gt[4] === 0) {
    if (gt[1] === 0 || gt[5] === 0) throw new RangeError('degenerate geotransform (zero pixel size)');
    return [dx / gt[1], dy / gt[5]];
  }
  const det = gt[1] * gt[5] - gt[2] * gt[4];
  if (det === 0 || !Number.isFinite(det)) throw new RangeError('degenerate geotransform (not invertible)');
  return [(dx * gt[5] - dy * gt[2]) / det, (dy * gt[1] - dx * gt[4]) / det];
}
