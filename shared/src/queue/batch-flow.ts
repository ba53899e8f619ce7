import type { FlowJob } from 'bullmq';
import type { DetectTileJob } from '../schemas/jobs.js';
import { jobCatalog } from './job-catalog.js';
import { planTileRuns, RUN_SIDE } from './tile-runs.js';

/**
 * The BullMQ flow of one ingested batch: finalize-batch waits for one alert-tiles job per run of tiles
 * (planTileRuns: up to `runSide` × `runSide` neighbouring tiles of one scene pair), and each alert-tiles job waits for
 * the detect-tiles job of its run. A detect run that fails outright is ignored by its parent (and its
 * tiles recorded failed), so one bad run cannot hold the batch. Job ids derive from the ingest run and
 * the run's first tile, so adding the same run twice is a no-op, while a deliberate re-run gets fresh
 * jobs (and, being idempotent, the same alerts).
 */
export function batchFlow(batchId: string, runId: string, tiles: readonly DetectTileJob[], prefix: string, runSide = RUN_SIDE): FlowJob {
  const finalize = jobCatalog['finalize-batch'];
  const alert = jobCatalog['alert-tiles'];
  const detect = jobCatalog['detect-tiles'];
  return {
    name: 'finalize-batch',
    queueName: finalize.queue,
    prefix,
    data: finalize.schema.parse({ batchId }),
    opts: { ...finalize.options, jobId: `finalize.${runId}` },
    children: planTileRuns(tiles, runSide).map((run) => ({
      name: 'alert-tiles',
      queueName: alert.queue,
      prefix,
      data: alert.schema.parse({ batchId, tileKeys: run.map((tile) => tile.tileKey) }),
      opts: { ...alert.options, jobId: `alert.${runId}.${run[0]!.tileKey}` },
      children: [
        {
          name: 'detect-tiles',
          queueName: detect.queue,
          prefix,
          data: detect.schema.parse({ batchId, tiles: run }),
          opts: { ...detect.options, jobId: `detect.${runId}.${run[0]!.tileKey}` },
        },
      ],
    })),
  };
}
