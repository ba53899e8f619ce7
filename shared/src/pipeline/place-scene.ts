/**
 * Puts an accepted scene on its area's grid and stores it: as delivered when its pixels are the grid's
 * pixels, else resampled onto the grid (pipeline/resample-scene.ts) beside the original. Either way the
 * operator's file (and cloud mask file) is stored under batches/<id>/files/ with its SHA-256. Every block
 * of a file stored as delivered is decoded first (resampling decodes the others), so a file detection
 * could not read is refused at ingest, before anything of it is stored.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BlobStore } from '../storage/index.js';
import { InvalidInputError } from '../errors.js';
import { extentWindow } from '../grid/area-grid.js';
import { extentOf, intersect, placeOnLattice, windowGeoTransform, type Placement } from '../grid/lattice.js';
import { openGeoTiff, verifyBlocks, type BlockPart, type RasterInfo } from '../raster/index.js';
import { keys } from '../catalog/keys.js';
import type { SceneRecord, SceneSource } from '../catalog/scene-record.js';
import type { AreaGrid } from './region-grid.js';
import { gridWindowOf, resampleToFile } from './resample-scene.js';

type FileRef = SceneRecord['file'];

export interface SceneToPlace {
  batchId: string;
  name: string;
  /** the delivered file on the local file system, with its SHA-256 and size */
  file: SourceFile;
  info: RasterInfo;
  /** effective nodata: batch.json's, else the file's */
  nodata: number | null;
  /** effective saturation value (validity), or null */
  saturation: number | null;
  /** fill value (validity typeFill: 0 in every band when no nodata is declared), or null */
  fill: number | null;
  /** bands of imagery; a cloud mask band (maskBand, 0-based) comes after them */
  imageBands: number;
  maskBand: number | null;
  /** the file's alpha band (0-based, last), or null: transparent pixels are nodata when resampled */
  alphaBand: number | null;
  /** the scene's cloud mask file (already checked to be on the scene's own grid) */
  maskFile: ({ name: string } & SourceFile) | null;
}

export interface SourceFile {
  path: string;
  sha256: string;
  bytes: number;
}

export interface PlacedScene {
  file: FileRef;
  raster: SceneRecord['raster'];
  placement: Placement;
  maskFile: FileRef | null;
  source?: SceneSource;
}

/**
 * Places and stores the scene. InvalidInputError naming the file: 'outside_area' when it misses the
 * grid's region of interest, 'grid_too_large', 'crs_unknown' for a CRS proj4 cannot transform, any
 * error reading its pixels while resampling, and 'corrupt_raster' naming the block for a scene (or cloud
 * mask file) on the grid with a block that cannot be decoded.
 */
export async function placeScene(store: BlobStore, scene: SceneToPlace, area: AreaGrid, verifyFile: VerifyFile = verifyFileBlocks): Promise<PlacedScene> {
  const { info, name, batchId } = scene;
  const native = placeOnLattice(area.lattice, info.epsg, info.geoTransform, info.width, info.height);
  if (native !== null) {
    if (area.extent !== undefined && intersect(extentOf(native), extentWindow(area.lattice, area.extent)) === null) {
      throw new InvalidInputError('outside_area', `${name}: the scene does not overlap the area grid's region of interest (extent [${area.extent.join(', ')}] in EPSG:${area.lattice.epsg})`, { file: name, field: 'geoTransform' });
    }
    // Stored as delivered, its pixels are first decoded at detect time, after the operator has gone: check
    // now that every block decodes, before anything is stored, so a damaged file is refused and quarantined.
    await verifyFile(scene.file.path, name);
    if (scene.maskFile) await verifyFile(scene.maskFile.path, scene.maskFile.name);
    const maskFile = scene.maskFile ? await storeOriginal(store, batchId, scene.maskFile.name, scene.maskFile) : null;
    const file = await storeOriginal(store, batchId, name, scene.file);
    return {
      file,
      raster: {
        width: info.width,
        height: info.height,
        bands: info.bands,
        epsg: info.epsg,
        geoTransform: info.geoTransform,
        nodata: scene.nodata,
        sampleFormat: info.sampleFormat,
        bitsPerSample: info.bitsPerSample,
      },
      placement: native,
      maskFile,
    };
  }

  const window = gridWindowOf(name, info, area.lattice, area.extent);
  const scratch = await mkdtemp(join(tmpdir(), 'shoutu-resample-'));
  try {
    const sceneRaster = await openGeoTiff({ path: scene.file.path }, name);
    let result;
    try {
      result = await resampleToFile(join(scratch, 'scene.tif'), {
        file: name,
        raster: sceneRaster,
        lattice: area.lattice,
        window,
        nodata: scene.nodata,
        saturation: scene.saturation,
        fill: scene.fill,
        imageBands: scene.imageBands,
        nearestBands: [scene.maskBand, scene.alphaBand].filter((b): b is number => b !== null),
        alphaBand: scene.alphaBand,
      });
    } finally {
      await sceneRaster.close();
    }
    let mask: { resampled: FileRef; original: FileRef } | null = null;
    if (scene.maskFile) {
      const maskRaster = await openGeoTiff({ path: scene.maskFile.path }, scene.maskFile.name);
      let maskResult;
      try {
        maskResult = await resampleToFile(join(scratch, 'mask.tif'), {
          file: scene.maskFile.name,
          raster: maskRaster,
          lattice: area.lattice,
          window,
          nodata: null,
          saturation: null,
          imageBands: 1,
          nearestBands: [0],
          allNearest: true,
        });
      } finally {
        await maskRaster.close();
      }
      const key = keys.batchResampledFile(batchId, scene.maskFile.name);
      await store.putFile(key, join(scratch, 'mask.tif'), { contentType: 'image/tiff' });
      mask = {
        resampled: { name: scene.maskFile.name, key, sha256: maskResult.sha256, bytes: maskResult.bytes },
        original: await storeOriginal(store, batchId, scene.maskFile.name, scene.maskFile),
      };
    }
    const key = keys.batchResampledFile(batchId, name);
    await store.putFile(key, join(scratch, 'scene.tif'), { contentType: 'image/tiff' });
    const original = await storeOriginal(store, batchId, name, scene.file);
    return {
      file: { name, key, sha256: result.sha256, bytes: result.bytes },
      raster: {
        width: window.width,
        height: window.height,
        bands: info.bands,
        epsg: area.lattice.epsg,
        geoTransform: windowGeoTransform(area.lattice, window),
        // NaN (float files) is stored as null: non-finite samples are nodata anyway.
        nodata: Number.isNaN(result.nodata) ? null : result.nodata,
        sampleFormat: result.sampleFormat,
        bitsPerSample: result.bitsPerSample,
      },
      placement: { lattice: area.lattice, col0: window.col, row0: window.row, width: window.width, height: window.height },
      maskFile: mask?.resampled ?? null,
      source: {
        file: original,
        raster: {
          width: info.width,
          height: info.height,
          epsg: info.epsg,
          geoTransform: info.geoTransform,
          nodata: scene.nodata === null || Number.isNaN(scene.nodata) ? null : scene.nodata,
          sampleFormat: info.sampleFormat,
          bitsPerSample: info.bitsPerSample,
        },
        ...(mask ? { cloudMaskFile: mask.original } : {}),
        resampling: result.method,
      },
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Checks that every block of a local GeoTIFF decodes: 'corrupt_raster' naming the first that cannot. */
export type VerifyFile = (path: string, name: string) => Promise<void>;

/** Decodes every block of a local GeoTIFF once (verifyBlocks), or only `part` of them. */
export async function verifyFileBlocks(path: string, name: string, part?: BlockPart): Promise<void> {
  const raster = await openGeoTiff({ path }, name);
  try {
    await verifyBlocks(raster, part);
  } finally {
    await raster.close();
  }
}

/** Copies the operator's file into storage as a stream (putFile: never whole in memory). */
async function storeOriginal(store: BlobStore, batchId: string, name: string, file: SourceFile): Promise<FileRef> {
  const key = keys.batchFile(batchId, name);
  await store.putFile(key, file.path, { contentType: 'image/tiff' });
  return { name, key, sha256: file.sha256, bytes: file.bytes };
}
