/**
 * Which analysis grid a batch's scenes go on: the region's stored grid (areas/<regionCode>.json); else
 * the grid batch.json declares (stored now); else the lattice of the batch's first usable scene (stored
 * when that scene is placed). A grid, once stored, never changes: a batch that declares another one, or
 * asks for another tile size, is refused.
 */
import type { BlobStore } from '../storage/index.js';
import { InvalidInputError } from '../errors.js';
import { crsDefinition } from '../geo/crs.js';
import { type AreaRecord, type GridExtent, describeLattice, latticeOfDeclaration, sameGrid } from '../grid/area-grid.js';
import { type Lattice, placeRaster } from '../grid/lattice.js';
import type { BatchManifest } from '../schemas/manifest.js';
import type { RasterInfo } from '../raster/index.js';
import { fixArea, getArea } from '../catalog/area-store.js';
import { keys } from '../catalog/keys.js';

export interface AreaGrid {
  lattice: Lattice;
  extent?: GridExtent;
}

export class RegionGrid {
  private record: AreaRecord | null;

  private constructor(
    private readonly store: BlobStore,
    private readonly manifest: BatchManifest,
    private readonly tileSize: number,
    record: AreaRecord | null,
  ) {
    this.record = record;
  }

  /**
   * Loads the region's grid and checks the batch against it; stores a declared grid for a new region.
   * InvalidInputError 'grid_conflict' (field 'grid' or 'tileSize') when the batch disagrees with the
   * stored grid; 'crs_unknown' (field 'grid.epsg') for a declared CRS shoutu does not know.
   */
  static async open(store: BlobStore, manifest: BatchManifest, tileSize: number, manifestFile: string): Promise<RegionGrid> {
    const { regionCode, batchId } = manifest;
    let record = await getArea(store, regionCode);
    if (manifest.grid !== undefined) {
      crsDefinition(manifest.grid.epsg, { file: manifestFile, field: 'grid.epsg' });
      if (manifest.grid.tileSize !== undefined && manifest.grid.tileSize !== tileSize) {
        throw new InvalidInputError('grid_conflict', `${manifestFile}: "grid" declares ${manifest.grid.tileSize}-pixel tiles but this run uses ${tileSize} (--tile-size)`, { file: manifestFile, field: 'grid.tileSize' });
      }
      const declared: AreaRecord = {
        schema: 'shoutu.area/1',
        regionCode,
        lattice: latticeOfDeclaration(manifest.grid, tileSize),
        ...(manifest.grid.extent ? { extent: manifest.grid.extent } : {}),
        fixedBy: { how: 'declared', batchId },
      };
      if (record === null) record = await fixArea(store, declared);
      if (!sameGrid(record, declared)) {
        throw new InvalidInputError(
          'grid_conflict',
          `${manifestFile}: "grid" declares ${describeGrid(declared)} but region ${regionCode} already has ${describeGrid(record)} (${keys.area(regionCode)}, fixed by batch ${record.fixedBy.batchId}); an area's grid never changes`,
          { file: manifestFile, field: 'grid' },
        );
      }
    }
    if (record !== null && record.lattice.tileSize !== tileSize) {
      throw new InvalidInputError(
        'grid_conflict',
        `${manifestFile}: region ${regionCode} is cut into ${record.lattice.tileSize}-pixel tiles (${keys.area(regionCode)}); this run asks for ${tileSize} (--tile-size)`,
        { file: manifestFile, field: 'tileSize' },
      );
    }
    return new RegionGrid(store, manifest, tileSize, record);
  }

  /** The grid for a scene; the first scene of a region without one fixes it (its own lattice). */
  async gridFor(sceneId: string, info: Pick<RasterInfo, 'epsg' | 'geoTransform' | 'width' | 'height'>): Promise<AreaGrid> {
    if (this.record === null) {
      const lattice = placeRaster(info.epsg, info.geoTransform, info.width, info.height, this.tileSize).lattice;
      this.record = await fixArea(this.store, {
        schema: 'shoutu.area/1',
        regionCode: this.manifest.regionCode,
        lattice,
        fixedBy: { how: 'first-scene', batchId: this.manifest.batchId, sceneId },
      });
    }
    return { lattice: this.record.lattice, ...(this.record.extent ? { extent: this.record.extent } : {}) };
  }
}

function describeGrid(record: Pick<AreaRecord, 'lattice' | 'extent'>): string {
  return `${describeLattice(record.lattice)}${record.extent ? `, extent [${record.extent.join(', ')}]` : ''}`;
}
