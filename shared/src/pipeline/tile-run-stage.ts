import { z } from 'zod';
import type { BlobStore } from '../storage/index.js';
import type { DetectTileJob } from '../schemas/jobs.js';
import type { OpenSceneCache } from '../catalog/scene-cache.js';
import { sceneLookup } from '../catalog/scene-catalog.js';
import { isInvalidInput } from '../errors.js';
import { detectTile } from './detect-tile.js';
import { alertTile, recordTileFailure, type TileOutcome } from './alert-tile.js';
import { failureOf, TILES_IN_FLIGHT } from './tile-stage.js';
import { mapInOrder } from '../util/map-in-order.js';
import type { MaskCache } from './mask-store.js';

/** What a detect run returns (its job's return value): tiles detected, their patches, and the tiles recorded failed. */
export const DetectRunResult = z.object({
  tiles: z.number().int(),
  patches: z.number().int(),
  /** tile key → reason, for the tiles of the run that could not be detected */
  failed: z.record(z.string(), z.string()),
});
export type DetectRunResult = z.infer<typeof DetectRunResult>;

export interface RunOptions {
  /** The job's last attempt: a tile that still fails is recorded on the tile instead of failing the run. */
  lastAttempt: boolean;
}

export interface DetectRunOptions extends RunOptions {
  /** Called after each tile: its patches, or why it failed. */
  onTile?(tile: DetectTileJob, outcome: { patches: number } | { reason: string }): void;
}

/**
 * Runs `step` on a tile of a run: its value, or why the tile failed. An InvalidInputError (a block of a
 * stored file that cannot be decoded) is the tile's failure at once, as a tile's job failed without retry
 * before runs; any other fault (storage unreachable, say) fails the run while attempts remain, so the queue
 * tries the run again (steps are idempotent: the same bytes again), and is the tile's failure on the last
 * attempt. Either way one tile cannot cost the others of its run their result.
 */
async function tileStep<T>(step: () => Promise<T>, options: RunOptions): Promise<{ value: T } | { reason: string }> {
  try {
    return { value: await step() };
  } catch (error) {
    if (isInvalidInput(error)) return { reason: `${error.code}: ${error.message}` };
    if (!options.lastAttempt) throw error;
    return { reason: failureOf(error) };
  }
}

/**
 * Queue mode's detect stage for a run of neighbouring tiles (queue/tile-runs.ts), in the run's order,
 * TILES_IN_FLIGHT at a time, so the scenes stay open from tile to tile and the blocks they share are
 * decoded once; the pair's scene records are read once for the run (sceneLookup). A tile that fails is
 * recorded in the result (tileStep) and the run goes on.
 */
export async function detectTileRun(store: BlobStore, tiles: readonly DetectTileJob[], masks: MaskCache, scenes: OpenSceneCache | undefined, options: DetectRunOptions): Promise<DetectRunResult> {
  const sceneOf = sceneLookup(store);
  const steps = await mapInOrder(tiles, TILES_IN_FLIGHT, async (tile) => {
    const step = await tileStep(async () => (await detectTile(store, tile, masks, scenes, sceneOf)).patches.length, options);
    options.onTile?.(tile, 'reason' in step ? step : { patches: step.value });
    return step;
  });
  // assembled in the run's order, whichever tile finished first
  const failed: Record<string, string> = {};
  let patches = 0;
  steps.forEach((step, i) => {
    if ('reason' in step) failed[tiles[i]!.tileKey] = step.reason;
    else patches += step.value;
  });
  return { tiles: tiles.length, patches, failed };
}

/** Why the tiles of a detect run have no detect result, as the run's alert job learns it. */
export interface RunFailures {
  /** the run's own failure (its job failed outright, retries spent): every tile of it failed so */
  run?: string;
  /** tile key → reason, the tiles the run recorded failed */
  tiles: Record<string, string>;
}

/**
 * A detect run's failures from what BullMQ gives its parent: the failures of children it ignored (job
 * key → reason) and the children's return values (job key → DetectRunResult). A value of another shape
 * names no tile.
 */
export function runFailures(ignoredFailures: Record<string, string>, childrenValues: Record<string, unknown>): RunFailures {
  const reasons = Object.keys(ignoredFailures)
    .sort()
    .map((key) => ignoredFailures[key]!);
  const tiles: Record<string, string> = {};
  for (const key of Object.keys(childrenValues).sort()) {
    const value = DetectRunResult.safeParse(childrenValues[key]);
    if (value.success) Object.assign(tiles, value.data.failed);
  }
  return reasons.length > 0 ? { run: reasons.join('; '), tiles } : { tiles };
}

/**
 * Queue mode's alert stage for the tiles of one detect run, in the run's order, TILES_IN_FLIGHT at a time:
 * each tile's observations and evidence (alertTile), or its failure recorded with the reason the run gave;
 * the outcomes in the run's order. A tile whose alert step fails (its evidence windows cut a block that
 * cannot be decoded, say) is recorded failed as tileStep decides, and the run goes on.
 */
export async function alertTileRun(store: BlobStore, batchId: string, tileKeys: readonly string[], failures: RunFailures, scenes: OpenSceneCache | undefined, options: RunOptions): Promise<TileOutcome[]> {
  const sceneOf = sceneLookup(store);
  return mapInOrder(tileKeys, TILES_IN_FLIGHT, async (tileKey) => {
    const job = { batchId, tileKey };
    const step = await tileStep(() => alertTile(store, job, failures.run ?? failures.tiles[tileKey], scenes, sceneOf), options);
    return 'reason' in step ? recordTileFailure(store, job, step.reason) : step.value;
  });
}
