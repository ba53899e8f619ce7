import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore, type BlobStore } from '../storage/index.js';
import { sha256Hex } from '../util/sha256.js';
import { RunRecord } from './run-record.js';
import { parseOrThrow } from '../schemas/zod-errors.js';
import { directorySource } from '../pipeline/batch-source.js';
import { ingestBatch } from '../pipeline/ingest-batch.js';
import { runBatch } from '../pipeline/run-batch.js';
import { setCurrentMask, setRegionalMask } from '../pipeline/mask-store.js';
import { setCurrentApprovals, setRegionalApprovals } from '../approvals/approval-store.js';
import { keys } from '../catalog/keys.js';
import { SHOUTU_VERSION } from '../version.js';
import { DETECTOR_VERSION } from '../detection/parameters.js';

export interface ReplayDifference {
  key: string;
  /** stored: the stored output no longer matches the record; recomputed: the re-run gives other bytes; input: an input changed; missing / extra: present on one side only. */
  kind: 'stored' | 'recomputed' | 'input' | 'missing' | 'extra';
  expected?: string;
  actual?: string;
}

export interface ReplayReport {
  batchId: string;
  outputsChecked: number;
  differences: ReplayDifference[];
  warnings: string[];
}

/**
 * Replays a run record: checks that the stored inputs and outputs still have the recorded SHA-256,
 * then re-runs the batch from its inputs alone in a scratch data directory (baselines first) and
 * checks that every recomputed output is byte-identical to the record.
 */
export async function replayRun(store: BlobStore, recordBytes: Uint8Array, recordName: string): Promise<ReplayReport> {
  const record = parseOrThrow(RunRecord, JSON.parse(Buffer.from(recordBytes).toString('utf8')), 'run_record_invalid', recordName);
  const differences: ReplayDifference[] = [];
  const warnings: string[] = [];
  if (record.code.version !== SHOUTU_VERSION || record.code.detector !== DETECTOR_VERSION) {
    warnings.push(`recorded with shoutu ${record.code.version} (${record.code.detector}); replaying with ${SHOUTU_VERSION} (${DETECTOR_VERSION})`);
  }

  const inputs = new Map<string, Uint8Array>();
  for (const input of record.inputs) {
    const bytes = await store.getOrNull(input.key);
    const actual = bytes ? sha256Hex(bytes) : undefined;
    if (!bytes || actual !== input.sha256) {
      differences.push({ key: input.key, kind: 'input', expected: input.sha256, ...(actual ? { actual } : {}) });
    } else inputs.set(input.key, bytes);
  }
  for (const output of record.outputs) {
    const bytes = await store.getOrNull(output.key);
    const actual = bytes ? sha256Hex(bytes) : undefined;
    if (actual !== output.sha256) differences.push({ key: output.key, kind: bytes ? 'stored' : 'missing', expected: output.sha256, ...(actual ? { actual } : {}) });
  }
  if (differences.some((d) => d.kind === 'input')) {
    return { batchId: record.batchId, outputsChecked: record.outputs.length, differences, warnings };
  }

  const scratch = await mkdtemp(join(tmpdir(), 'shoutu-replay-'));
  try {
    const replayStore = createStore({ kind: 'local', dir: join(scratch, 'data') });
    for (const input of record.inputs.filter((i) => i.role === 'mask')) {
      // each pinned version current again where it was: deployment-wide, or its region's
      for (const ref of record.masks.filter((m) => m.key === input.key)) {
        if (ref.region) await setRegionalMask(replayStore, ref.layer, ref.region, inputs.get(input.key)!, input.key, 'replay');
        else await setCurrentMask(replayStore, ref.layer, inputs.get(input.key)!, input.key);
      }
    }
    for (const input of record.inputs.filter((i) => i.role === 'resolution' || i.role === 'prior-tuban')) {
      await replayStore.put(input.key, inputs.get(input.key)!);
    }
    // The approval layers current when the batch was ingested are current again, so ingest pins the same.
    for (const input of record.inputs.filter((i) => i.role === 'approvals')) {
      const bytes = inputs.get(input.key)!;
      if (input.region) await setRegionalApprovals(replayStore, input.region, bytes, input.key, 'replay');
      else await setCurrentApprovals(replayStore, bytes, input.key);
    }
    for (const input of record.inputs.filter((i) => i.role === 'area')) await replayStore.put(input.key, inputs.get(input.key)!, { contentType: 'application/json' });
    for (const batchId of record.baselineBatches) {
      const dir = await materialiseBatch(scratch, batchId, record, inputs, 'baseline-manifest', 'baseline-scene');
      await ingestBatch(replayStore, directorySource(dir), record.parameters);
    }
    const dir = await materialiseBatch(scratch, record.batchId, record, inputs, 'manifest', 'scene');
    await runBatch(replayStore, directorySource(dir), record.parameters);

    const recomputed = await replayStore.getOrNull(keys.runRecord(record.batchId));
    const replayed = recomputed ? RunRecord.parse(JSON.parse(Buffer.from(recomputed).toString('utf8'))) : null;
    const actualByKey = new Map((replayed?.outputs ?? []).map((o) => [o.key, o.sha256]));
    for (const output of record.outputs) {
      const actual = actualByKey.get(output.key);
      if (actual === undefined) differences.push({ key: output.key, kind: 'missing', expected: output.sha256 });
      else if (actual !== output.sha256) differences.push({ key: output.key, kind: 'recomputed', expected: output.sha256, actual });
      actualByKey.delete(output.key);
    }
    for (const [key, actual] of actualByKey) differences.push({ key, kind: 'extra', actual });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return { batchId: record.batchId, outputsChecked: record.outputs.length, differences, warnings };
}

/** Writes a batch's recorded manifest and scene files into a folder, as an operator delivered them. */
async function materialiseBatch(
  scratch: string,
  batchId: string,
  record: RunRecord,
  inputs: Map<string, Uint8Array>,
  manifestRole: 'manifest' | 'baseline-manifest',
  sceneRole: 'scene' | 'baseline-scene',
): Promise<string> {
  const dir = join(scratch, 'batches', batchId);
  await mkdir(dir, { recursive: true });
  const prefix = `batches/${batchId}/`;
  for (const input of record.inputs) {
    if (!input.key.startsWith(prefix)) continue;
    if (input.role === manifestRole) await writeFile(join(dir, 'batch.json'), inputs.get(input.key)!);
    if (input.role === sceneRole) await writeFile(join(dir, input.key.slice(`${prefix}files/`.length)), inputs.get(input.key)!);
    if (input.role === 'rejected-file' && sceneRole === 'scene') await writeFile(join(dir, input.key.slice(`${prefix}rejected/`.length)), inputs.get(input.key)!);
  }
  return dir;
}
