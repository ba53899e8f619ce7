/**
 * How a file marks ground it does not cover, in words for the CLI's reports: "alpha band 4", "internal
 * mask", or both. `alphaBand` is 0-based, as RasterInfo, the scene record and summary.json hold it.
 */
export function uncoveredMarks(by: { alphaBand?: number | undefined; internalMask?: boolean | undefined }): string {
  const marks = [by.alphaBand !== undefined ? `alpha band ${by.alphaBand + 1}` : null, by.internalMask ? 'internal mask' : null];
  return marks.filter((m) => m !== null).join(' and ');
}
