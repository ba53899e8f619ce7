/**
 * How a file marks ground it does not cover, in words for the CLI's reports: "alpha band 4", "internal
 * mask", or both. `alphaBand` is 0-based, as RasterInfo, the scene record and summary.json hold it. (Fill,
 * 0 in every band of an integer file without nodata, is a convention for every such file, not a mark of
 * the file's own: summary.json and the scene record hold it, the reports do not repeat it.)
 */
export function uncoveredMarks(by: { alphaBand?: number | undefined; internalMask?: boolean | undefined }): string {
  const marks = [by.alphaBand !== undefined ? `alpha band ${by.alphaBand + 1}` : null, by.internalMask ? 'internal mask' : null];
  return marks.filter((m) => m !== null).join(' and ');
}
