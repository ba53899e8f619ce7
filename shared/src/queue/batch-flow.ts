import type { FlowJob } from 'bullmq';
import type { DetectTileJob } from '../schemas/jobs.js';
import { jobCatalog } from './job-catalog.js';

/**
 * The BullMQ flow of one ingested batch: finalize-batch waits for one alert-tile per tile, and each
 * alert-tile waits for its detect-tile. Failed children are ignored by their parent (and recorded), so
 * one bad tile cannot hold the batch. Job ids derive from the ingest run, so adding the same run twice
 * is a no-op, while a deliberate re-run gets fresh jobs (and, being idempotent, the same alerts).
 */
export function batchFlow(batchId: string, runId: string, tiles: readonly DetectTileJob[], prefix: string): FlowJob {
  const finalize = jobCatalog['finalize-batch'];
  const alert = jobCatalog['alert-tile'];
  const detect = jobCatalog['detect-tile'];
  return {
    name: 'finalize-batch',
    queueName: finalize.queue,
    prefix,
    data: finalize.schema.parse({ batchId }),
    opts: { ...finalize.options, jobId: `finalize.${runId}` },
    children: tiles.map((tile) => ({
      name: 'alert-tile',
      queueName: alert.queue,
      prefix,
      data: alert.schema.parse({ batchId, tileKey: tile.tileKey }),
      opts: { ...alert.options, jobId: `alert.${runId}.${tile.tileKey}` },
      children: [
        {
          name: 'detect-tile',
          queueName: detect.queue,
          prefix,
          data: detect.schema.parse(tile),
          opts: { ...detect.options, jobId: `detect.${runId}.${tile.tileKey}` },
        },
      ],
    })),
  };
}
