/**
 * How a file marks ground it does not cover, in words for the CLI's reports: "alpha band 4", "internal
 * mask", "0 in every band (no nodata declared)", or several. `alphaBand` is 0-based, as RasterInfo, the
 * scene record and summary.json hold it.
 */
export function uncoveredMarks(by: { alphaBand?: number | undefined; internalMask?: boolean | undefined; fill?: number | undefined }): string {
  const marks = [
    by.alphaBand !== undefined ? `alpha band ${by.alphaBand + 1}` : null,
    by.internalMask ? 'internal mask' : null,
    by.fill !== undefined ? `fill (${by.fill} in every band; no nodata declared)` : null,
  ];
  return marks.filter((m) => m !== null).join(' and ');
}
