import { z } from 'zod';
import { GridDeclaration } from '../grid/area-grid.js';

/**
 * STAC `eo:common_name` values (STAC EO extension v1.1) that shoutu understands.
 * https://github.com/stac-extensions/eo#common-band-names
 */
export const COMMON_BAND_NAMES = [
  'pan', 'coastal', 'blue', 'green', 'green05', 'yellow', 'red', 'rededge', 'rededge071', 'rededge075',
  'rededge078', 'nir', 'nir08', 'nir09', 'cirrus', 'swir16', 'swir22', 'lwir', 'lwir11', 'lwir12',
] as const;
export const BandName = z.enum(COMMON_BAND_NAMES);
export type BandName = z.infer<typeof BandName>;

/** A safe identifier: used in storage keys and job ids. */
export const Identifier = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be 1-64 characters of letters, digits, "-" or "_", starting with a letter or digit');

/** 6-digit county-level 行政区划代码 (GB/T 2260), e.g. 321202 for 泰州市海陵区. */
export const RegionCode = z.string().regex(/^[1-8]\d{5}$/, 'must be a 6-digit administrative division code (行政区划代码), e.g. "321202"');

/** Calendar date YYYY-MM-DD that exists. */
export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'is not a valid calendar date');

/** A GeoTIFF file name inside the batch (no folders: a batch is flat). */
export const BatchFileName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\.tiff?$/i, 'must be a plain file name ending in .tif or .tiff (no folders)');

/**
 * An operator-supplied cloud (and shadow) mask: either a band of every file (it must be the last band,
 * after the image bands listed in `bands`), or a separate single-band GeoTIFF per scene on the same
 * grid (`files`: scene file → mask file). A sample is masked when it is non-zero, or, with `values`,
 * when it equals one of them (classified masks: Fmask 2 = shadow, 4 = cloud; Sentinel-2 SCL 3, 8, 9, 10).
 */
export const CloudMaskSpec = z
  .object({
    band: z.number().int().min(1).max(65).optional(),
    files: z.record(BatchFileName, BatchFileName).optional(),
    values: z.array(z.number().finite()).min(1).max(64).optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if ((spec.band === undefined) === (spec.files === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of "band" (a mask band in every file) or "files" (a mask file per scene)' });
    }
  });
export type CloudMaskSpec = z.infer<typeof CloudMaskSpec>;

/** `batch.json`: what an operator says about an imagery batch. */
export const BatchManifest = z
  .object({
    batchId: Identifier,
    acquiredAt: IsoDate,
    platform: z.enum(['satellite', 'drone']),
    sensor: z.string().min(1).max(100),
    bands: z.array(BandName).min(1).max(64),
    regionCode: RegionCode,
    /** Files of the batch; default: every .tif/.tiff in the batch folder. */
    files: z.array(BatchFileName).min(1).max(1000).optional(),
    /** Overrides the files' own nodata value. */
    nodata: z.number().finite().optional(),
    /** Sample value of a clipped (saturated) sample; default: the file type's maximum (255 for uint8). */
    saturation: z.number().finite().optional(),
    /** Raw sample × scale + offset = reflectance 0..1; enables the spectral cloud/shadow test. */
    reflectance: z.object({ scale: z.number().finite().positive(), offset: z.number().finite().default(0) }).strict().optional(),
    /** Operator cloud mask: a band of every file or a file per scene. */
    cloudMask: CloudMaskSpec.optional(),
    /**
     * Co-register each scene to the earlier epoch it is compared with when the registration check finds it
     * offset by half a pixel or more (docs/detection.md, step 0). Default true; false compares the scenes as
     * delivered and lists the offsets.
     */
    coregister: z.boolean().optional(),
    /**
     * The analysis grid of the region (CRS, pixel size, origin, tile size, region of interest), fixed for
     * good when the region's first batch is ingested; later batches may repeat it but not change it.
     */
    grid: GridDeclaration.optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    const band = m.cloudMask?.band;
    if (band !== undefined && band !== m.bands.length + 1) {
      ctx.addIssue({ code: 'custom', path: ['cloudMask', 'band'], message: `must be ${m.bands.length + 1}: the mask band is the last band of each file, after the ${m.bands.length} image band(s) listed in "bands"` });
    }
    const masks = Object.entries(m.cloudMask?.files ?? {});
    for (const [scene, mask] of masks) {
      if (scene === mask) ctx.addIssue({ code: 'custom', path: ['cloudMask', 'files', scene], message: 'a scene cannot be its own mask' });
      if (masks.some(([other]) => other === mask)) ctx.addIssue({ code: 'custom', path: ['cloudMask', 'files', scene], message: `"${mask}" is a scene of the batch, not a mask` });
      if (m.files && !m.files.includes(scene)) ctx.addIssue({ code: 'custom', path: ['cloudMask', 'files', scene], message: `"${scene}" is not one of the batch's "files"` });
    }
  });
export type BatchManifest = z.infer<typeof BatchManifest>;
