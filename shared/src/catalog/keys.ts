/**
 * Every storage key shoutu writes, in one place. The same keys are used on the local data directory
 * and on S3, which is what makes embedded and queue mode produce the same objects.
 */
export const keys = {
  batchManifest: (batchId: string) => `batches/${batchId}/manifest.json`,
  batchFile: (batchId: string, name: string) => `batches/${batchId}/files/${name}`,
  /** a scene (or its cloud mask file) resampled onto its area's analysis grid; the original stays under files/ */
  batchResampledFile: (batchId: string, name: string) => `batches/${batchId}/resampled/${name}`,
  batchRejectedFile: (batchId: string, name: string) => `batches/${batchId}/rejected/${name}`,
  /** why a file was rejected: JSON beside the quarantined bytes */
  batchRejectedReason: (batchId: string, name: string) => `batches/${batchId}/rejected/${name}.reason.json`,
  batchStatus: (batchId: string) => `batches/${batchId}/status.json`,
  batchAlerts: (batchId: string) => `batches/${batchId}/alerts.geojson`,
  /** per tile of each scene pair, the ground detection examined (pipeline/coverage-map.ts) */
  batchCoverage: (batchId: string) => `batches/${batchId}/coverage.geojson`,
  batchTileResult: (batchId: string, tileKey: string) => `batches/${batchId}/tiles/${tileKey}.json`,
  batchTileResults: (batchId: string) => `batches/${batchId}/tiles/`,
  runRecord: (batchId: string) => `runs/${batchId}.json`,
  /** an area's fixed analysis grid (grid/area-grid.ts), written once */
  area: (regionCode: string) => `areas/${regionCode}.json`,
  scene: (sceneId: string) => `catalog/scenes/${sceneId}.json`,
  /** the scene's STAC Item, beside its record (scene ids hold one '.', so no scene id ends in '.stac') */
  stacItem: (sceneId: string) => `catalog/scenes/${sceneId}.stac.json`,
  scenes: () => 'catalog/scenes/',
  cellEntries: (gridId: string, tileId: string) => `catalog/cells/${gridId}/${tileId}/`,
  cellEntry: (gridId: string, tileId: string, acquiredAt: string, sceneId: string) =>
    `catalog/cells/${gridId}/${tileId}/${acquiredAt}.${sceneId}.json`,
  detectResult: (batchId: string, tileKey: string) => `detect/${batchId}/${tileKey}.json`,
  /** Current version of a 图斑 (the feature enforcement sees); rewritten when a new version is made. */
  alert: (tubanId: string) => `alerts/${tubanId}.json`,
  /** One detection of a patch in one batch, written once by the alert stage. */
  observation: (observationId: string) => `observations/${observationId}.json`,
  /** Every version of a 图斑, written once. */
  tubanVersion: (tubanId: string, version: number) => `tuban/${tubanId}/versions/${String(version).padStart(6, '0')}.json`,
  tubanVersions: 'tuban/',
  /** Which 图斑 a batch's observations became, and every input that decision read (write-once). */
  batchResolution: (batchId: string) => `batches/${batchId}/resolution.json`,
  /**
   * The n-th resolution committed to this store (n from 1; the same bytes as the batch's resolution.json).
   * Write-once; the log orders finalisations that run at the same time (tuban/resolution-log.ts).
   */
  resolutionLogEntry: (n: number) => `resolutions/${String(n).padStart(10, '0')}.json`,
  resolutionLog: 'resolutions/',
  /** Write-once evidence images of a 图斑: the two epochs' chips and the location overview. */
  evidence: (tubanId: string, image: 'before' | 'after' | 'overview') => `evidence/${tubanId}/${image}.png`,
  /** Write-once list of a 图斑's evidence files with their SHA-256. */
  evidenceManifest: (tubanId: string) => `evidence/${tubanId}/manifest.json`,
  maskVersion: (layer: string, sha256: string) => `masks/${layer}/${sha256}.geojson`,
  maskCurrent: (layer: string) => `masks/${layer}/current.json`,
  /** the pointers to regions' (province, city, county) current versions of a mask layer: the prefix, and one */
  maskRegions: (layer: string) => `masks/${layer}/regions/`,
  maskRegion: (layer: string, region: string) => `masks/${layer}/regions/${region}.json`,
  upload: (uploadId: string, name: string) => `uploads/${uploadId}/${name}`,
} as const;

/** A tile inside a batch: the grid and the cell, joined so it is one path segment. */
export function tileKeyOf(sceneId: string, gridId: string, tileId: string): string {
  return `${sceneId}.${gridId}.${tileId}`;
}
