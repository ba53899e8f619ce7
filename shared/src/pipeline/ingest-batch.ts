import type { BlobStore } from '../storage/index.js';
import { bandOrderConflicts } from '../detection/band-names.js';
import { comparesAllBands, pairBands } from '../detection/pair-bands.js';
import { InvalidInputError, isInvalidInput, ShoutuError } from '../errors.js';
import { BatchManifest } from '../schemas/manifest.js';
import { parseJsonOrThrow, parseOrThrow } from '../schemas/zod-errors.js';
import type { DetectTileJob } from '../schemas/jobs.js';
import type { PipelineParameters } from '../detection/parameters.js';
import { openGeoTiff, sameGrid } from '../raster/index.js';
import { extentOf, intersect, tilesOf } from '../grid/lattice.js';
import { keys, tileKeyOf } from '../catalog/keys.js';
import type { SceneRecord } from '../catalog/scene-record.js';
import { findBaseline, getScene, putScene } from '../catalog/scene-catalog.js';
import { openScenePair } from '../catalog/open-scene.js';
import { sha256Hex } from '../util/sha256.js';
import { stableJson } from '../util/stable-json.js';
import type { BatchSource, LocalFile } from './batch-source.js';
import { hashFile } from '../util/hash-file.js';
import { masksFor } from './mask-store.js';
import { approvalsFor } from '../approvals/approval-store.js';
import { computePairStats } from './compute-pair-stats.js';
import { sampleBlocks } from './sample-blocks.js';
import { coregistrationOf, nextCorrection, offsetFound, offsetWorthReporting, RegistrationCheck, type Registration } from '../detection/registration.js';
import { evidenceBands } from '../detection/evidence-bands.js';
import { pairShadowTest } from '../detection/pair-shadows.js';
import { structureOf } from '../detection/structural-change.js';
import { type BulkThresholdPair, type CoregisteredScene, type OffsetPair, type SharedBandsPair, type SkyTestsNotRun, type UnpairedScene, countFiles, writeBatchStatus, type BatchStatus, type FileOutcome } from './batch-status.js';
import { thresholdInBulk as isBulk } from '../detection/threshold-caution.js';
import { RegionGrid } from './region-grid.js';
import { placeScene, verifyFileBlocks, type SourceFile, type VerifyFile } from './place-scene.js';
import { mapInOrder, STORE_REQUESTS_IN_FLIGHT } from '../util/map-in-order.js';
import { typeFill, typeSaturation } from '../detection/validity.js';
import { pairSkyTests, sceneSkyTests } from './sky-tests-not-run.js';

export const MANIFEST_NAME = 'batch.json';

export interface IngestResult {
  batchId: string;
  manifest: BatchManifest;
  scenes: SceneRecord[];
  rejected: FileOutcome[];
  /** One detect job per tile of an accepted scene that has an earlier epoch; empty for a first epoch. */
  tiles: DetectTileJob[];
  /** Earlier epochs an accepted scene overlaps but is not compared with, and why (no band in common). */
  unpaired: UnpairedScene[];
  /** Earlier epochs of another sensor an accepted scene is compared with on the bands both hold. */
  sharedBands: SharedBandsPair[];
  offsets: OffsetPair[];
  /** pairs whose change threshold lies in the bulk of their scores (threshold-caution.ts) */
  thresholdInBulk: BulkThresholdPair[];
  /** Scenes co-registered to the earlier epoch they are compared with (read whole pixels over). */
  coregistered: CoregisteredScene[];
  /** Scenes and pairs on which a stated reflectance scale cannot run the spectral sky tests. */
  skyTestsNotRun: SkyTestsNotRun[];
}

/**
 * Ingest: validate the manifest and every file, store the originals, register the scenes in the catalog,
 * and plan one detect job per tile that has a baseline. A bad file is recorded on the batch and skipped;
 * the batch fails (InvalidInputError) only when its manifest is bad or no file is usable.
 * `verifyFile`: how a scene's blocks are checked (default: every block in this thread; embedded mode
 * splits a file's blocks between its threads, with the same outcome).
 */
export async function ingestBatch(store: BlobStore, source: BatchSource, parameters: PipelineParameters, verifyFile: VerifyFile = verifyFileBlocks): Promise<IngestResult> {
  // Messages name files relative to the batch, so a status record does not depend on where the batch sat.
  const manifestFile = MANIFEST_NAME;
  const names = await source.list();
  if (!names.includes(MANIFEST_NAME)) {
    throw new InvalidInputError('manifest_missing', `${manifestFile}: the batch has no ${MANIFEST_NAME}`, { file: manifestFile, field: '(file)' });
  }
  const manifestBytes = await source.read(MANIFEST_NAME);
  const raw = parseJsonOrThrow(Buffer.from(manifestBytes).toString('utf8'), 'manifest_invalid', manifestFile);
  let manifest: BatchManifest;
  try {
    manifest = parseOrThrow(BatchManifest, raw, 'manifest_invalid', manifestFile);
  } catch (error) {
    await recordRejectedManifest(store, raw, error as ShoutuError);
    throw error;
  }
  const { batchId } = manifest;

  // A batch id names one set of bytes forever: a different manifest under a used id is refused, so
  // nothing already stored is overwritten.
  const existing = await store.getOrNull(keys.batchManifest(batchId));
  if (existing && sha256Hex(existing) !== sha256Hex(manifestBytes)) {
    throw new InvalidInputError('batch_conflict', `${manifestFile}: batch id "${batchId}" is already stored with a different manifest; use a new batchId`, { file: manifestFile, field: 'batchId' });
  }
  // The region's analysis grid: every scene is placed (or resampled) onto it.
  let grid: RegionGrid;
  try {
    grid = await RegionGrid.open(store, manifest, parameters.tileSize, manifestFile);
  } catch (error) {
    if (isInvalidInput(error)) await recordRejectedManifest(store, raw, error);
    throw error;
  }
  await store.put(keys.batchManifest(batchId), manifestBytes, { contentType: 'application/json' });

  // Cloud mask files travel with their scenes; they are not scenes themselves.
  const maskFiles = new Set(Object.values(manifest.cloudMask?.files ?? {}));
  const wanted = (manifest.files ?? names.filter((n) => /\.tiff?$/i.test(n))).filter((n) => !maskFiles.has(n));
  const outcomes: FileOutcome[] = [];
  const scenes: SceneRecord[] = [];
  for (const name of wanted) {
    try {
      if (!names.includes(name)) {
        throw new InvalidInputError('file_missing', `${name}: listed in ${MANIFEST_NAME} but not in the batch`, { file: name, field: 'files' });
      }
      const scene = await ingestFile(store, source, manifest, name, grid, verifyFile);
      scenes.push(scene);
      outcomes.push({ name, status: 'accepted', sceneId: scene.sceneId });
    } catch (error) {
      if (!isInvalidInput(error)) throw error;
      outcomes.push({ name, status: 'rejected', error: error.toJSON() });
      await quarantine(store, source, batchId, name, names.includes(name), error);
    }
  }
  const rejected = outcomes.filter((o) => o.status === 'rejected');
  if (scenes.length === 0) {
    const status: BatchStatus = { batchId, state: 'rejected', files: outcomes, fileCounts: countFiles(outcomes), error: { code: 'no_usable_file', message: 'no usable GeoTIFF in the batch' } };
    await writeBatchStatus(store, status);
    throw new InvalidInputError('no_usable_file', `no usable GeoTIFF in the batch (${rejected.map((r) => `${r.name}: ${r.error?.message}`).join('; ') || 'no .tif files'})`, { file: MANIFEST_NAME, field: 'files' });
  }

  const masks = await masksFor(store, manifest.regionCode);
  const approvals = await approvalsFor(store, manifest.regionCode);
  const tiles: DetectTileJob[] = [];
  const unpaired: UnpairedScene[] = [];
  const sharedBands: SharedBandsPair[] = [];
  const offsets: OffsetPair[] = [];
  const thresholdInBulk: BulkThresholdPair[] = [];
  const coregistered: CoregisteredScene[] = [];
  const skyTestsNotRun: SkyTestsNotRun[] = [];
  for (const [k, scene] of scenes.entries()) {
    const own = sceneSkyTests(scene);
    if (own) skyTestsNotRun.push(own);
    const planned = manifest.coregister === false ? { ...(await planTiles(store, scene, parameters, masks)), scene } : await planCoregistered(store, scene, parameters, masks);
    // the record as planned: with its placement corrected when it was co-registered
    scenes[k] = planned.scene;
    tiles.push(...planned.jobs);
    unpaired.push(...planned.unpaired);
    sharedBands.push(...planned.sharedBands);
    offsets.push(...planned.offsets);
    thresholdInBulk.push(...planned.thresholdInBulk);
    if (!own) skyTestsNotRun.push(...planned.skyTestsNotRun);
    if (planned.scene.coregistration) coregistered.push({ sceneId: scene.sceneId, ...planned.scene.coregistration });
  }
  // Register after planning, so a scene is never its own baseline.
  for (const scene of scenes) await putScene(store, scene);

  await writeBatchStatus(store, {
    batchId,
    state: tiles.length === 0 ? 'baseline' : 'ingested',
    files: outcomes,
    fileCounts: countFiles(outcomes),
    tiles: { planned: tiles.length },
    parameters,
    masks,
    ...(approvals ? { approvals } : {}),
    ...(unpaired.length > 0 ? { unpaired } : {}),
    ...(sharedBands.length > 0 ? { sharedBands } : {}),
    ...(offsets.length > 0 ? { offsets } : {}),
    ...(coregistered.length > 0 ? { coregistered } : {}),
    ...(skyTestsNotRun.length > 0 ? { skyTestsNotRun } : {}),
    ...(thresholdInBulk.length > 0 ? { thresholdInBulk } : {}),
  });
  return { batchId, manifest, scenes, rejected, tiles, unpaired, sharedBands, offsets, thresholdInBulk, coregistered, skyTestsNotRun };
}

/**
 * Quarantines a rejected file with the batch: its bytes (when the batch holds it) and, beside them, a JSON
 * reason (error code, message, field; size and SHA-256 of the bytes), so the rejection can be inspected
 * and replayed while the batch's other files go on.
 */
async function quarantine(store: BlobStore, source: BatchSource, batchId: string, name: string, present: boolean, error: ShoutuError): Promise<void> {
  let file: { bytes: number; sha256: string } | null = null;
  if (present) {
    const local = await source.localFile(name);
    try {
      await store.putFile(keys.batchRejectedFile(batchId, name), local.path);
      file = await hashFile(local.path);
    } finally {
      await local.release();
    }
  }
  const reason = { batchId, name, error: error.toJSON(), file, quarantined: file === null ? null : keys.batchRejectedFile(batchId, name) };
  await store.put(keys.batchRejectedReason(batchId, name), stableJson(reason, 2), { contentType: 'application/json' });
}

function sceneIdOf(batchId: string, name: string): string {
  return `${batchId}.${name.replace(/\.tiff?$/i, '').replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/** Local copies of batch files taken during one file's ingest, released when it is done. */
class LocalFiles {
  private readonly held: LocalFile[] = [];
  constructor(private readonly source: BatchSource) {}
  /** The file on disk, its SHA-256 and size, read as a stream. */
  async take(name: string): Promise<SourceFile> {
    const local = await this.source.localFile(name);
    this.held.push(local);
    return { path: local.path, ...(await hashFile(local.path)) };
  }
  async release(): Promise<void> {
    await Promise.all(this.held.splice(0).map((f) => f.release()));
  }
}

async function ingestFile(store: BlobStore, source: BatchSource, manifest: BatchManifest, name: string, grid: RegionGrid, verifyFile: VerifyFile): Promise<SceneRecord> {
  const files = new LocalFiles(source);
  try {
    return await ingestLocalFile(store, source, files, manifest, name, grid, verifyFile);
  } finally {
    await files.release();
  }
}

/** Ingests one scene by streaming: validated and read by windows from disk, copied into storage as a file. */
async function ingestLocalFile(store: BlobStore, source: BatchSource, files: LocalFiles, manifest: BatchManifest, name: string, grid: RegionGrid, verifyFile: VerifyFile): Promise<SceneRecord> {
  const delivered = await files.take(name);
  const file = name;
  const raster = await openGeoTiff({ path: delivered.path }, file);
  const info = raster.info;
  await raster.close();
  const maskBands = manifest.cloudMask?.band !== undefined ? 1 : 0;
  // An alpha band (a drone orthophoto's transparency) is the file's last band and not imagery: not listed.
  const alphaBands = info.alphaBand !== null ? 1 : 0;
  if (info.bands !== manifest.bands.length + maskBands + alphaBands) {
    throw new InvalidInputError(
      'band_count_mismatch',
      `${file}: has ${info.bands} band(s) but ${MANIFEST_NAME} lists ${manifest.bands.length} in "bands"${maskBands ? ' plus the cloud mask band (cloudMask.band)' : ''}` +
        (alphaBands ? `; its band ${info.bands} is marked as alpha (transparency), which is not listed: "bands" names the ${info.bands - 1 - maskBands} image band(s) before it` : ''),
      { file: name, field: 'bands' },
    );
  }
  // A file whose own band descriptions name its bands otherwise than the manifest is a stack in another
  // order than the operator believes: every index, the seasonal rule and the typing would read wrong bands.
  const conflict = bandOrderConflicts(manifest.bands, info.bandDescriptions)[0];
  if (conflict !== undefined) {
    throw new InvalidInputError(
      'band_order_mismatch',
      `${file}: band ${conflict.band} is "${conflict.given}" in ${MANIFEST_NAME} "bands" but the file describes it as "${conflict.description}" (${conflict.described}); ` +
        `list the bands in the file's order, or clear the file's band descriptions if they are wrong`,
      { file: name, field: 'bands' },
    );
  }
  const sceneMask = await readCloudMaskFile(source, files, manifest, name, info);
  const sceneId = sceneIdOf(manifest.batchId, name);
  const nodata = manifest.nodata ?? info.nodata;
  const fill = typeFill({ ...info, nodata, imageBands: manifest.bands.length });
  const placed = await placeScene(
    store,
    {
      batchId: manifest.batchId,
      name,
      file: delivered,
      info,
      nodata,
      saturation: manifest.saturation ?? typeSaturation(info.sampleFormat, info.bitsPerSample),
      fill,
      imageBands: manifest.bands.length,
      maskBand: manifest.cloudMask?.band !== undefined ? manifest.cloudMask.band - 1 : null,
      alphaBand: info.alphaBand,
      maskFile: sceneMask,
    },
    await grid.gridFor(sceneId, info),
    verifyFile,
  );
  const maskFile = placed.maskFile;
  const cloudMask = manifest.cloudMask
    ? {
        ...(manifest.cloudMask.band !== undefined ? { band: manifest.cloudMask.band - 1 } : {}),
        ...(maskFile ? { file: maskFile } : {}),
        ...(manifest.cloudMask.values ? { values: manifest.cloudMask.values } : {}),
      }
    : undefined;
  const validity = {
    ...(manifest.saturation !== undefined ? { saturation: manifest.saturation } : {}),
    ...(manifest.reflectance ? { reflectance: { scale: manifest.reflectance.scale, offset: manifest.reflectance.offset } } : {}),
    ...(cloudMask ? { cloudMask } : {}),
    ...(info.alphaBand !== null ? { alphaBand: info.alphaBand } : {}),
    ...(info.internalMask ? { internalMask: true as const } : {}),
    ...(fill !== null ? { fill } : {}),
  };
  return {
    schema: 'shoutu.scene/1',
    sceneId,
    batchId: manifest.batchId,
    regionCode: manifest.regionCode,
    acquiredAt: manifest.acquiredAt,
    platform: manifest.platform,
    sensor: manifest.sensor,
    bands: manifest.bands,
    file: placed.file,
    raster: placed.raster,
    placement: placed.placement,
    // Absent unless the operator said something: records of plain batches keep their bytes.
    ...(Object.keys(validity).length > 0 ? { validity } : {}),
    ...(placed.source ? { source: placed.source } : {}),
  };
}

/**
 * The scene's cloud mask file (cloudMask.files), checked: one band, on exactly the scene's grid. A bad
 * or missing mask rejects the scene (its pixels cannot be trusted to be clear).
 */
async function readCloudMaskFile(
  source: BatchSource,
  files: LocalFiles,
  manifest: BatchManifest,
  sceneName: string,
  scene: { width: number; height: number; epsg: number; geoTransform: readonly number[] },
): Promise<({ name: string } & SourceFile) | null> {
  const name = manifest.cloudMask?.files?.[sceneName];
  if (name === undefined) {
    if (manifest.cloudMask?.files) {
      throw new InvalidInputError('cloud_mask_missing', `${sceneName}: ${MANIFEST_NAME} gives cloud mask files but none for this scene in cloudMask.files`, { file: sceneName, field: 'cloudMask.files' });
    }
    return null;
  }
  const field = `cloudMask.files.${sceneName}`;
  if (!(await source.list()).includes(name)) {
    throw new InvalidInputError('cloud_mask_missing', `${name}: cloud mask of ${sceneName} (${field}) is not in the batch`, { file: name, field });
  }
  const mask = await files.take(name);
  let info;
  try {
    const raster = await openGeoTiff({ path: mask.path }, name);
    info = raster.info;
    await raster.close();
  } catch (error) {
    if (!isInvalidInput(error)) throw error;
    throw new InvalidInputError('cloud_mask_invalid', `${name}: cloud mask of ${sceneName} is not a usable GeoTIFF (${error.message})`, { file: name, field });
  }
  if (info.bands !== 1) {
    throw new InvalidInputError('cloud_mask_invalid', `${name}: cloud mask of ${sceneName} has ${info.bands} bands, expected 1`, { file: name, field });
  }
  if (!sameGrid(info, scene)) {
    throw new InvalidInputError('cloud_mask_invalid', `${name}: cloud mask of ${sceneName} is not on the scene's grid (size, CRS and geotransform must match)`, { file: name, field });
  }
  return { name, ...mask };
}

type PlannedTiles = Awaited<ReturnType<typeof planTiles>>;

/**
 * planTiles with co-registration (docs/detection.md, step 0): when the registration check against the
 * baseline the scene shares the most tiles with finds it offset by half a pixel or more, the scene is
 * planned again read whole pixels over (its placement moved), as `shoutu detect` reads an after file
 * (nextCorrection's rule), and the record returned carries the corrected placement and `coregistration`.
 * A correction the last round does not confirm is abandoned: the scene is planned as delivered, its offset
 * listed in `offsets`.
 */
async function planCoregistered(store: BlobStore, scene: SceneRecord, parameters: PipelineParameters, masks: DetectTileJob['masks']): Promise<PlannedTiles & { scene: SceneRecord }> {
  let applied: [number, number] = [0, 0];
  let first: { baselineSceneId: string; registration: Registration } | null = null;
  let abandoned = false;
  for (let round = 0; ; round++) {
    const moved = movedScene(scene, applied);
    const planned = await planTiles(store, moved, parameters, masks);
    const check: { baselineSceneId: string; registration: Registration } | null = first === null ? planned.main : (planned.checks.get(first.baselineSceneId) ?? null);
    first ??= check;
    let step: ReturnType<typeof nextCorrection> = { accept: true };
    if (!abandoned && first !== null) step = check === null ? { abandon: 'unconfirmed' } : nextCorrection(applied, check.registration, round);
    if ('accept' in step) {
      if (applied[0] === 0 && applied[1] === 0) return { ...planned, scene };
      return { ...planned, scene: { ...moved, coregistration: { baselineSceneId: first!.baselineSceneId, ...coregistrationOf(applied, first!.registration) } } };
    }
    if ('abandon' in step) {
      abandoned = true; // the offset stays listed in `offsets`
      applied = [0, 0];
    } else applied = step.tryShift;
  }
}

/** The scene read `shift` whole pixels over: its pixel (x + dx, y + dy) placed where (x, y) was. */
function movedScene(scene: SceneRecord, [dx, dy]: [number, number]): SceneRecord {
  if (dx === 0 && dy === 0) return scene;
  return { ...scene, placement: { ...scene.placement, col0: scene.placement.col0 - dx, row0: scene.placement.row0 - dy } };
}

/**
 * Detect jobs for each cell of the scene that has a baseline; pair statistics once per baseline. Scene and
 * baseline are compared as comparablePair sees them: band by band of one kind, in the scene's order. A
 * baseline of another sensor is compared on the kinds of band both hold, returned in `sharedBands` with what
 * was left out; one sharing no band that shows the land is not compared at all, returned in `unpaired` with
 * the reason, so the batch says why those tiles were not examined. (`nir` and `nir08` are one kind: a
 * manifest may use either name for a sensor's near-infrared band.)
 */
async function planTiles(
  store: BlobStore,
  scene: SceneRecord,
  parameters: PipelineParameters,
  masks: DetectTileJob['masks'],
): Promise<{
  jobs: DetectTileJob[];
  unpaired: UnpairedScene[];
  sharedBands: SharedBandsPair[];
  offsets: OffsetPair[];
  thresholdInBulk: BulkThresholdPair[];
  /** pairs whose shadow test a stated scale cannot run (sky-tests-not-run.ts) */
  skyTestsNotRun: SkyTestsNotRun[];
  /** the registration check against each baseline compared with */
  checks: Map<string, { baselineSceneId: string; registration: Registration }>;
  /** the check against the baseline with the most tiles (the first of them in id order), or null */
  main: { baselineSceneId: string; registration: Registration } | null;
}> {
  const { gridId } = scene.placement.lattice;
  const byBaseline = new Map<string, ReturnType<typeof tilesOf>>();
  const cells = tilesOf(scene.placement);
  const baselines = await mapInOrder(cells, STORE_REQUESTS_IN_FLIGHT, (cell) => findBaseline(store, gridId, cell.tileId, scene.acquiredAt));
  for (const [i, cell] of cells.entries()) {
    const baseline = baselines[i]!;
    if (baseline === null) continue;
    const list = byBaseline.get(baseline) ?? [];
    list.push(cell);
    byBaseline.set(baseline, list);
  }
  const jobs: DetectTileJob[] = [];
  const unpaired: UnpairedScene[] = [];
  const sharedBands: SharedBandsPair[] = [];
  const offsets: OffsetPair[] = [];
  const thresholdInBulk: BulkThresholdPair[] = [];
  const skyTestsNotRun: SkyTestsNotRun[] = [];
  const checks = new Map<string, { baselineSceneId: string; registration: Registration }>();
  let main: { baselineSceneId: string; registration: Registration; tiles: number } | null = null;
  for (const baselineId of [...byBaseline.keys()].sort()) {
    const before = await getScene(store, baselineId);
    const bands = pairBands(before.bands, scene.bands);
    if (bands === null) {
      unpaired.push({
        sceneId: scene.sceneId,
        baselineSceneId: baselineId,
        tiles: byBaseline.get(baselineId)!.length,
        reason: `its bands (${scene.bands.join(',')}) share no kind of band that shows the land with the earlier epoch's scene (${before.bands.join(',')}); scenes are compared band by band`,
      });
      continue;
    }
    const overlap = intersect(extentOf(before.placement), extentOf(scene.placement));
    if (!overlap) continue;
    const [b, a] = await openScenePair(store, before, scene);
    // The views' records name and count the bands compared; a cloud mask band after them is never evidence.
    const compared = a.record;
    const evidence = evidenceBands(compared.bands, compared.bands.length);
    let pairStats;
    const check = new RegistrationCheck(sampleBlocks(overlap).length);
    try {
      pairStats = await computePairStats(
        { bands: b.record.raster.bands, nodata: before.raster.nodata, readWindow: (w) => b.readUsableWindow(w) },
        { bands: compared.raster.bands, nodata: scene.raster.nodata, readWindow: (w) => a.readUsableWindow(w) },
        overlap,
        evidence,
        {
          structure: structureOf(scene.placement.lattice, overlap, compared.bands, evidence),
          registration: check,
          shadow: pairShadowTest(b.record.bands, compared.bands, before.validity?.reflectance, scene.validity?.reflectance),
        },
      );
    } finally {
      await Promise.all([b.close(), a.close()]);
    }
    const planned = jobs.length;
    for (const cell of byBaseline.get(baselineId)!) {
      const window = intersect(cell.window, overlap);
      if (!window) continue;
      jobs.push({
        batchId: scene.batchId,
        tileKey: tileKeyOf(scene.sceneId, gridId, cell.tileId),
        sceneId: scene.sceneId,
        baselineSceneId: baselineId,
        gridId,
        tileId: cell.tileId,
        window,
        pairStats,
        parameters,
        masks,
      });
    }
    const registration = check.result();
    checks.set(baselineId, { baselineSceneId: baselineId, registration });
    if (main === null || jobs.length - planned > main.tiles) main = { baselineSceneId: baselineId, registration, tiles: jobs.length - planned };
    if (offsetWorthReporting(registration)) {
      const found = offsetFound(registration)!;
      offsets.push({ sceneId: scene.sceneId, baselineSceneId: baselineId, tiles: jobs.length - planned, shift: found.shift, ...(found.beyond ? { beyond: true as const } : {}) });
    }
    if (isBulk(pairStats)) thresholdInBulk.push({ sceneId: scene.sceneId, baselineSceneId: baselineId, tiles: jobs.length - planned, threshold: pairStats.threshold, ...(pairStats.otsuSplit !== undefined ? { otsuSplit: pairStats.otsuSplit } : {}) });
    const sky = pairSkyTests(before, scene, b.record.bands, compared.bands);
    if (sky) skyTestsNotRun.push(sky);
    if (!comparesAllBands(bands)) {
      sharedBands.push({
        sceneId: scene.sceneId,
        baselineSceneId: baselineId,
        tiles: jobs.length - planned,
        compared: compared.bands,
        sceneOnly: bands.afterOnly,
        baselineOnly: bands.beforeOnly,
      });
    }
  }
  return {
    // In raster order (north to south, then west to east): a tile's neighbours read the same file blocks,
    // which the raster's block cache keeps for the next tile and the next row of tiles (window-decoder.ts).
    jobs: jobs.sort((x, y) => x.window.row - y.window.row || x.window.col - y.window.col || (x.tileKey < y.tileKey ? -1 : x.tileKey > y.tileKey ? 1 : 0)),
    unpaired,
    sharedBands,
    offsets,
    thresholdInBulk,
    skyTestsNotRun,
    checks,
    main: main && { baselineSceneId: main.baselineSceneId, registration: main.registration },
  };
}

/** A manifest that fails validation is recorded under its batch id when one can be read from it. */
async function recordRejectedManifest(store: BlobStore, raw: unknown, error: ShoutuError): Promise<void> {
  const id = (raw as { batchId?: unknown } | null)?.batchId;
  if (typeof id !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(id)) return;
  if (await store.exists(keys.batchManifest(id))) return; // never clobber a stored batch's status
  await store.put(keys.batchStatus(id), stableJson({ batchId: id, state: 'rejected', files: [], error: error.toJSON() }, 2));
}
