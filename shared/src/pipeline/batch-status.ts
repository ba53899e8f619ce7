import type { BlobStore } from '../storage/index.js';
import { keys } from '../catalog/keys.js';
import { stableJson } from '../util/stable-json.js';
import type { PipelineParameters } from '../detection/parameters.js';
import type { MaskRef } from '../schemas/jobs.js';
import type { ApprovalPin } from '../approvals/approval-store.js';
import type { BandName } from '../schemas/manifest.js';
import type { CoverageSummary } from '../detection/coverage.js';

export interface FileOutcome {
  name: string;
  status: 'accepted' | 'rejected';
  sceneId?: string;
  error?: { name: string; code: string; message: string; file?: string; field?: string };
}

/** An earlier epoch's scene that an accepted scene overlaps but is not compared with. */
export interface UnpairedScene {
  sceneId: string;
  baselineSceneId: string;
  /** lattice tiles of the scene that have that baseline and so were not examined */
  tiles: number;
  reason: string;
}

/**
 * A scene compared with an earlier epoch of another sensor on the kinds of band both hold (pairBands): what
 * was compared and what was left out, so an operator knows what the change evidence rests on.
 */
export interface SharedBandsPair {
  sceneId: string;
  baselineSceneId: string;
  /** lattice tiles of the scene compared with that baseline */
  tiles: number;
  /** the bands compared, as the scene names them, in its order */
  compared: BandName[];
  /** the scene's bands the earlier epoch holds no band of that kind for */
  sceneOnly: BandName[];
  /** the earlier epoch's bands the scene holds no band of that kind for */
  baselineOnly: BandName[];
}

/**
 * A scene that looks offset from the earlier epoch it is compared with (the registration check,
 * docs/detection.md, step 0): an offset reads as change along every edge, so the operator co-registers.
 */
export interface OffsetPair {
  sceneId: string;
  baselineSceneId: string;
  /** lattice tiles of the scene compared with that baseline */
  tiles: number;
  /** the scene's offset from the earlier epoch in pixels of the grid [columns, rows] */
  shift: [number, number];
  /** the offset is at least `shift` (beyond the check's search window) */
  beyond?: true;
}

/**
 * A scene pair whose change threshold lies in the bulk of its scores (detection/threshold-caution.ts): the
 * pair may hold no distinct change, and its 图斑 be unchanged ground.
 */
export interface BulkThresholdPair {
  sceneId: string;
  baselineSceneId: string;
  /** lattice tiles of the scene compared with that baseline */
  tiles: number;
  /** the pair's threshold, in multiples of the median of its fused score */
  threshold: number;
  /** Otsu's split of the scores, which lay in their bulk (the threshold is then Rosin's; detection/pair-threshold.ts) */
  otsuSplit?: number;
}

/**
 * A scene co-registered to the earlier epoch it is compared with (docs/detection.md, step 0): the check found
 * it offset by half a pixel or more, so it is read whole pixels over (its placement corrected).
 */
export interface CoregisteredScene {
  sceneId: string;
  baselineSceneId: string;
  /** [columns, rows]: the scene's pixel (x + dx, y + dy) is read as the grid's (x, y) was before */
  shift: [number, number];
  /** the offset the first check measured, in pixels of the grid */
  measured: [number, number];
  /** the first check found the offset only to be at least `measured` */
  beyond?: true;
  /** the first check's offset is the coarse check's (measured at a quarter of the resolution) */
  coarse?: true;
}

/**
 * A stated reflectance scale whose spectral sky tests do not run (docs/detection.md, step 1): without them a
 * cloud, or a cloud's shadow, reads as change, so the operator supplies a cloud mask or knows to expect it.
 * Without `baselineSceneId`: the scene's own bands cannot run the cloud and shadow tests (four-band
 * imagery has no swir16). With it: the pair's shadow test does not run, and with `cloud` in `tests` one
 * epoch's cloud test neither (that scene states no scale while the other does), or the bands both are
 * compared on lack one the shadow test needs. `tests`: the tests that do not run.
 */
export interface SkyTestsNotRun {
  sceneId: string;
  baselineSceneId?: string;
  tests: Array<'cloud' | 'shadow'>;
  reason: string;
}

/**
 * How much of a scene pair's tiles detection examined (usable in both epochs), in 亩, in all and within each
 * pinned mask layer (detection/coverage.ts): where it was not, no 图斑 means nothing was looked at.
 */
export type PairCoverage = { sceneId: string; baselineSceneId: string; tiles: number } & CoverageSummary;

/** What happened to a batch: files accepted or rejected (with reasons), tiles, alerts. */
export interface BatchStatus {
  batchId: string;
  /** baseline: first epoch, stored only; ingested: tiles planned; done: alerts written; rejected. */
  state: 'baseline' | 'ingested' | 'done' | 'rejected';
  files: FileOutcome[];
  /** how many of `files` were accepted and rejected (rejected files are quarantined with their reason) */
  fileCounts?: { accepted: number; rejected: number };
  tiles?: { planned: number; done?: number; failed?: Array<{ tileKey: string; reason: string }> };
  alerts?: number;
  /** Parameters and pinned mask versions the batch was (or will be) processed with. */
  parameters?: PipelineParameters;
  masks?: MaskRef[];
  /** Approval layer versions pinned at ingest (absent when none applied; see ApprovalPin). */
  approvals?: ApprovalPin;
  /** Absent when every overlapped earlier epoch was compared. */
  unpaired?: UnpairedScene[];
  /** Scenes compared with an earlier epoch on only the bands both hold; absent when none. */
  sharedBands?: SharedBandsPair[];
  /** Scenes that look offset from the earlier epoch they are compared with by half a pixel or more; absent when none. */
  offsets?: OffsetPair[];
  /** Scenes co-registered to the earlier epoch (read whole pixels over); absent when none. */
  coregistered?: CoregisteredScene[];
  /** Scenes and pairs on which a stated reflectance scale cannot run the spectral sky tests; absent when none. */
  skyTestsNotRun?: SkyTestsNotRun[];
  /** Scene pairs whose change threshold lies in the bulk of their scores; absent when none. */
  thresholdInBulk?: BulkThresholdPair[];
  /** Per scene pair compared, the ground examined (written when the batch is finalized); absent when none. */
  coverage?: PairCoverage[];
  error?: { code: string; message: string };
}

/** The fileCounts of a list of file outcomes. */
export function countFiles(files: FileOutcome[]): { accepted: number; rejected: number } {
  const rejected = files.filter((f) => f.status === 'rejected').length;
  return { accepted: files.length - rejected, rejected };
}

export async function writeBatchStatus(store: BlobStore, status: BatchStatus): Promise<void> {
  await store.put(keys.batchStatus(status.batchId), stableJson(status, 2), { contentType: 'application/json' });
}

export async function readBatchStatus(store: BlobStore, batchId: string): Promise<BatchStatus | null> {
  const bytes = await store.getOrNull(keys.batchStatus(batchId));
  return bytes ? (JSON.parse(Buffer.from(bytes).toString('utf8')) as BatchStatus) : null;
}
