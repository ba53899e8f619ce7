import { z } from 'zod';
import { LatticeSchema } from '../grid/lattice-schema.js';
import { BandName, IsoDate } from '../schemas/manifest.js';

const GeoTransformSchema = z.tuple([z.number(), z.number(), z.number(), z.number(), z.number(), z.number()]);

export const PlacementSchema = z.object({
  lattice: LatticeSchema,
  col0: z.number().int(),
  row0: z.number().int(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});

const FileRef = z.object({ name: z.string(), key: z.string(), sha256: z.string(), bytes: z.number().int() });

/**
 * What a resampled scene was made from and how: the operator's original file (still stored under
 * batches/<id>/files/) and its georeferencing, the original cloud mask file, and the resampling.
 */
export const SceneSource = z.object({
  file: FileRef,
  raster: z.object({
    width: z.number().int(),
    height: z.number().int(),
    epsg: z.number().int(),
    geoTransform: GeoTransformSchema,
    nodata: z.number().nullable(),
    sampleFormat: z.enum(['uint', 'int', 'float']),
    bitsPerSample: z.number().int(),
  }),
  cloudMaskFile: FileRef.optional(),
  resampling: z.object({
    bands: z.literal('bilinear'),
    masks: z.literal('nearest'),
    scale: z.tuple([z.number(), z.number()]),
    transform: z.union([z.object({ kind: z.literal('affine') }), z.object({ kind: z.literal('approximate'), maxErrorPx: z.number() })]),
  }),
});
export type SceneSource = z.infer<typeof SceneSource>;

/**
 * One ingested GeoTIFF: what the catalog knows of it. `file`, `raster` and `placement` describe what the
 * pipeline reads: the operator's file when it lies on its area's grid, else the file resampled onto the
 * grid (batches/<id>/resampled/), and then `source` names the original.
 */
export const SceneRecord = z.object({
  schema: z.literal('shoutu.scene/1'),
  sceneId: z.string(),
  batchId: z.string(),
  regionCode: z.string(),
  acquiredAt: IsoDate,
  platform: z.enum(['satellite', 'drone']),
  sensor: z.string(),
  bands: z.array(BandName),
  file: FileRef,
  raster: z.object({
    width: z.number().int(),
    height: z.number().int(),
    bands: z.number().int(),
    epsg: z.number().int(),
    geoTransform: GeoTransformSchema,
    nodata: z.number().nullable(),
    sampleFormat: z.enum(['uint', 'int', 'float']),
    bitsPerSample: z.number().int(),
  }),
  placement: PlacementSchema,
  /** What besides nodata makes a pixel unusable (docs/detection.md, "Validity"); absent: type saturation only
   *  (and no fill rule: scenes ingested before it keep their results on replay). */
  validity: z
    .object({
      saturation: z.number().optional(),
      reflectance: z.object({ scale: z.number(), offset: z.number() }).optional(),
      /** Operator cloud mask: the file's last band, or a separate single-band file on the scene's grid. */
      cloudMask: z
        .object({
          band: z.number().int().optional(),
          file: FileRef.optional(),
          values: z.array(z.number()).optional(),
        })
        .optional(),
      /** The file's alpha band (0-based, after the image bands and any cloud mask band): 0 there marks ground
       *  the image does not cover (RasterInfo.alphaBand). */
      alphaBand: z.number().int().optional(),
      /** The delivered file carries a GDAL internal mask: 0 there marks ground it does not cover. */
      internalMask: z.literal(true).optional(),
      /** The delivered file declares no nodata and holds integers (typeFill): a pixel at this value (0)
       *  in every image band is fill, ground the product does not cover (validity.ts typeFill). */
      fill: z.number().optional(),
    })
    .optional(),
  /** Present when the scene was resampled onto its area's grid. */
  source: SceneSource.optional(),
  /**
   * Present when ingest co-registered the scene to the earlier epoch it is compared with (docs/detection.md,
   * step 0): `placement` is then the file's own placement moved by `shift` whole pixels ([columns, rows]: the
   * file's pixel (x + dx, y + dy) stands where its pixel (x, y) stood), `measured` the offset first found.
   */
  coregistration: z
    .object({
      baselineSceneId: z.string(),
      shift: z.tuple([z.number().int(), z.number().int()]),
      measured: z.tuple([z.number(), z.number()]),
      beyond: z.literal(true).optional(),
      coarse: z.literal(true).optional(),
    })
    .optional(),
});
export type SceneRecord = z.infer<typeof SceneRecord>;
