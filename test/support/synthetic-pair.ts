import { encodeUint8GeoTiff } from '../../shared/src/raster/write-uint8-geotiff.js';
import { mulberry32 } from '../../shared/src/kernels/test-random.js';
import { encodeMultiBandGeoTiff } from './synthetic-geotiff.js';

/**
 * A synthetic 96×96 pair at 10 m (UTM 51N) with one 12×12 block per kind of change, clouds, a cloud
 * shadow and a nodata strip in the after epoch. Samples are uint8 reflectance × 250 (scale 0.004), six
 * bands: blue, green, red, nir, swir16, swir22. Spectra are typical reflectances of each cover.
 */
export const SIZE = 96;
export const REFLECTANCE_SCALE = 0.004;
export const BANDS6 = ['blue', 'green', 'red', 'nir', 'swir16', 'swir22'] as const;

export const COVER = {
  crop: [0.04, 0.07, 0.05, 0.35, 0.18, 0.09],
  forest: [0.03, 0.05, 0.03, 0.3, 0.14, 0.06],
  soil: [0.08, 0.11, 0.15, 0.2, 0.3, 0.25],
  concrete: [0.2, 0.21, 0.22, 0.24, 0.26, 0.24],
  water: [0.06, 0.07, 0.04, 0.02, 0.01, 0.005],
  sparse: [0.07, 0.09, 0.12, 0.15, 0.14, 0.1],
  yellowing: [0.07, 0.12, 0.12, 0.26, 0.32, 0.24],
  cloud: [0.45, 0.44, 0.43, 0.46, 0.38, 0.29],
  shadow: [0.01, 0.02, 0.015, 0.08, 0.05, 0.03],
} as const;
export type Cover = keyof typeof COVER;

export interface Block {
  name: string;
  x: number;
  y: number;
  size: number;
  before: Cover;
  after: Cover;
}

/** The blocks, top-left corner in pixels; the expected type is in the name. */
export const BLOCKS: Block[] = [
  { name: 'construction', x: 8, y: 8, size: 12, before: 'crop', after: 'concrete' },
  { name: 'bare_soil', x: 32, y: 8, size: 12, before: 'crop', after: 'soil' },
  { name: 'water_gain', x: 56, y: 8, size: 12, before: 'crop', after: 'water' },
  { name: 'water_loss', x: 8, y: 32, size: 12, before: 'water', after: 'soil' },
  { name: 'vegetation_loss', x: 32, y: 32, size: 12, before: 'crop', after: 'sparse' },
  { name: 'seasonal', x: 56, y: 32, size: 12, before: 'crop', after: 'yellowing' },
  { name: 'cloud', x: 8, y: 56, size: 12, before: 'crop', after: 'cloud' },
  { name: 'construction-by-cloud', x: 32, y: 56, size: 12, before: 'crop', after: 'concrete' },
  { name: 'cloud-next-to-construction', x: 44, y: 56, size: 12, before: 'crop', after: 'cloud' },
  { name: 'shadow', x: 62, y: 60, size: 10, before: 'crop', after: 'shadow' },
];
/** After-epoch rows set to nodata (0 in every band). */
export const NODATA_ROWS = [88, 96] as const;

/** Background: 16×16 fields of crop, forest and soil. */
export function background(x: number, y: number): Cover {
  return (['crop', 'forest', 'crop', 'soil'] as const)[((x >> 4) + 2 * (y >> 4)) % 4]!;
}

/**
 * Band-sequential uint8 planes of a SIZE × SIZE epoch: each pixel's reflectances (`spectrumAt`, one per
 * band) / REFLECTANCE_SCALE plus seeded noise of ±1.5, clamped to 1…254 (0 stays free for nodata).
 */
export function renderSpectra(bandCount: number, seed: number, spectrumAt: (x: number, y: number) => readonly number[]): Uint8Array {
  const random = mulberry32(seed);
  const n = SIZE * SIZE;
  const planes = new Uint8Array(bandCount * n);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const spectrum = spectrumAt(x, y);
      for (let k = 0; k < bandCount; k++) {
        const v = Math.round(spectrum[k]! / REFLECTANCE_SCALE + (random() - 0.5) * 3);
        planes[k * n + y * SIZE + x] = Math.max(1, Math.min(254, v));
      }
    }
  }
  return planes;
}

function render(epoch: 'before' | 'after', bands: readonly number[], seed: number, clouds: boolean): Uint8Array {
  const planes = renderSpectra(bands.length, seed, (x, y) => {
    const block = BLOCKS.find((b) => x >= b.x && x < b.x + b.size && y >= b.y && y < b.y + b.size);
    let cover = block ? block[epoch] : background(x, y);
    if (!clouds && (cover === 'cloud' || cover === 'shadow')) cover = block!.before;
    return bands.map((band) => COVER[cover][band]!);
  });
  if (epoch === 'after') for (let k = 0; k < bands.length; k++) planes.fill(0, (k * SIZE + NODATA_ROWS[0]) * SIZE, (k * SIZE + NODATA_ROWS[1]) * SIZE);
  return planes;
}

/** The pair as GeoTIFF bytes; `bands` picks band positions of BANDS6 (e.g. [2, 1, 0] for RGB); without
 *  `clouds` the cloud and shadow blocks keep their before cover. */
export function syntheticPair(
  bands: readonly number[] = [0, 1, 2, 3, 4, 5],
  options: { clouds?: boolean; maskBands?: { before: Uint8Array; after: Uint8Array } } = {},
): { before: Uint8Array; after: Uint8Array } {
  const clouds = options.clouds ?? true;
  const extra = options.maskBands;
  const tif = (planes: Uint8Array, mask: Uint8Array | undefined) => {
    const all = mask ? new Uint8Array(planes.length + mask.length) : planes;
    if (mask) {
      all.set(planes);
      all.set(mask, planes.length);
    }
    return encodeMultiBandGeoTiff({ width: SIZE, height: SIZE, bands: bands.length + (mask ? 1 : 0), planes: all, nodata: 0 });
  };
  return { before: tif(render('before', bands, 1, clouds), extra?.before), after: tif(render('after', bands, 2, clouds), extra?.after) };
}

/** A single-band uint8 mask on the pair's grid, 1 inside the given blocks. */
export function maskPlane(blocks: readonly Block[]): Uint8Array {
  const plane = new Uint8Array(SIZE * SIZE);
  for (const b of blocks) for (let y = b.y; y < b.y + b.size; y++) for (let x = b.x; x < b.x + b.size; x++) plane[y * SIZE + x] = 1;
  return plane;
}

export function maskTif(plane: Uint8Array, width = SIZE): Uint8Array {
  return encodeUint8GeoTiff({ width, height: plane.length / width, data: plane, geoTransform: [500_000, 10, 0, 3_600_000, 0, -10], epsg: 32651 });
}

export const block = (name: string) => BLOCKS.find((b) => b.name === name)!;
