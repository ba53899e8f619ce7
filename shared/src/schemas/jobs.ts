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

export const FinalizeBatchJob = z.object({
  batchId: z.string(),
});
export type FinalizeBatchJob = z.infer<typeof FinalizeBatchJob>;
