import { z } from 'zod';
import { MASK_LAYERS, PipelineParameters } from '../detection/parameters.js';
import { PairStats } from '../detection/pair-stats.js';
import { RegionCode } from './manifest.js';

/**
 * A pinned version of a mask layer: detection always names the exact bytes it used. `region`: the province,
 * city or county whose layer it is; absent for the deployment-wide layer.
 */
export const MaskRef = z.object({
  layer: z.enum(MASK_LAYERS),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  key: z.string(),
  region: RegionCode.optional(),
});
export type MaskRef = z.infer<typeof MaskRef>;

/** Where a batch's files are: a local folder (embedded mode) or a prefix in storage (queue mode). */
export const BatchSourceRef = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('dir'), path: z.string().min(1) }),
  z.object({ kind: z.literal('store'), prefix: z.string().min(1).regex(/\/$/, 'must end with "/"') }),
]);
export type BatchSourceRef = z.infer<typeof BatchSourceRef>;

export const LatticeWindowSchema = z.object({
  col: z.number().int(),
  row: z.number().int(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});

export const IngestBatchJob = z.object({
  source: BatchSourceRef,
  parameters: PipelineParameters,
});
export type IngestBatchJob = z.infer<typeof IngestBatchJob>;

/** One tile of one scene against its baseline: everything detect needs, so the job replays alone. */
export const DetectTileJob = z.object({
  batchId: z.string(),
  tileKey: z.string(),
  sceneId: z.string(),
  baselineSceneId: z.string(),
  gridId: z.string(),
  tileId: z.string(),
  window: LatticeWindowSchema,
  pairStats: PairStats,
  parameters: PipelineParameters,
  masks: z.array(MaskRef),
});
export type DetectTileJob = z.infer<typeof DetectTileJob>;

export const AlertTileJob = z.object({
  batchId: z.string(),
  tileKey: z.string(),
});
export type AlertTileJob = z.infer<typeof AlertTileJob>;

/**
 * Queue mode's detect job: a run of neighbouring tiles of one batch (queue/tile-runs.ts), detected one
 * after the other by one worker, so the file blocks they share are decoded once.
 */
export const DetectTilesJob = z
  .object({
    batchId: z.string(),
    tiles: z.array(DetectTileJob).min(1),
  })
  .superRefine((job, ctx) => {
    job.tiles.forEach((tile, i) => {
      if (tile.batchId !== job.batchId) ctx.addIssue({ code: 'custom', path: ['tiles', i, 'batchId'], message: `tile of batch "${tile.batchId}" in a job of batch "${job.batchId}"` });
    });
  });
export type DetectTilesJob = z.infer<typeof DetectTilesJob>;

/** Queue mode's alert job: the tiles of one detect run, waiting for it. */
export const AlertTilesJob = z.object({
  batchId: z.string(),
  tileKeys: z.array(z.string()).min(1),
});
export type AlertTilesJob = z.infer<typeof AlertTilesJob>;

export const FinalizeBatchJob = z.object({
  batchId: z.string(),
});
export type FinalizeBatchJob = z.infer<typeof FinalizeBatchJob>;
