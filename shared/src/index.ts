/**
 * @shoutu/shared — the library every shoutu service uses: kernels, raster I/O, schemas, storage,
 * the job catalog and the pipeline stages. Services import from here; this package imports no service.
 */
export * from './errors.js';
export { SHOUTU_VERSION } from './version.js';
export * from './schemas/manifest.js';
export * from './schemas/jobs.js';
export * from './config/env.js';
export * from './storage/index.js';
export * from './detection/parameters.js';
export type { Patch } from './detection/extract-patches.js';
export { keys } from './catalog/keys.js';
export type { SceneRecord } from './catalog/scene-record.js';
export { OpenSceneCache } from './catalog/scene-cache.js';
export { stacItemOf, platformOfSensor, STAC_EXTENSIONS, type StacItem } from './catalog/stac-item.js';
export { queryScenes, parseBbox, parseQueryDate, type SceneQuery } from './catalog/scene-query.js';
export { coveredAreaM2, windowAreaM2, placementFootprint } from './catalog/scene-footprint.js';
export { isRemoteLocation, parseS3Url, remoteFetcher, storeRangeFetcher, type S3Access } from './remote/open-remote.js';
export { httpRangeFetcher, type HttpRangeOptions } from './remote/http-range-fetcher.js';
export * from './queue/job-catalog.js';
export { batchFlow } from './queue/batch-flow.js';
export { submitBatch } from './queue/submit-batch.js';
export type { AlertFeature } from './alerts/alert-feature.js';
export { writeEvidence, type EvidenceManifest, type EvidenceFileEntry } from './alerts/write-evidence.js';
export { redisStreamSink, storageOnlySink, type AlertSink } from './alerts/alert-sink.js';
export { directorySource, storeSource, s3BatchSource, openBatchSource, type BatchSource } from './pipeline/batch-source.js';
export { ingestBatch, type IngestResult } from './pipeline/ingest-batch.js';
export { detectTile, type DetectResult } from './pipeline/detect-tile.js';
export { alertTile, type TileOutcome } from './pipeline/alert-tile.js';
export { finalizeBatch, type FinalizeResult } from './pipeline/finalize-batch.js';
export { runBatch, type RunProgress } from './pipeline/run-batch.js';
export { MaskCache, setCurrentMask, currentMasks } from './pipeline/mask-store.js';
export { readBatchStatus, type BatchStatus, type PairCoverage } from './pipeline/batch-status.js';
export { RunRecord } from './run-record/run-record.js';
export { replayRun, type ReplayReport } from './run-record/replay.js';
export { configOrExit, closeOnSignals } from './queue/service-lifecycle.js';
export { detectPair, inferBands, threadsFromEnv, CHANGE_NODATA, type DetectPairInput, type DetectPairOutput, type AfterResampling, type UncoveredBy } from './pipeline/detect-pair.js';
export { collectAlerts, writeAlertsFile } from './pipeline/export-alerts.js';
export * from './webhooks/index.js';
export * from './access/index.js';
export * from './exports/index.js';
export * from './lifecycle/index.js';
export * from './feed/index.js';
export { stableJson } from './util/stable-json.js';
export * from './cases/index.js';
export * from './uploads/index.js';
export * from './approvals/index.js';
export * from './tuban/index.js';
