import { z } from 'zod';
import { BandName, IsoDate } from '../schemas/manifest.js';

const GeoTransformSchema = z.tuple([z.number(), z.number(), z.number(), z.number(), z.number(), z.number()]);

export const LatticeSchema = z.object({
  gridId: z.string(),
  epsg: z.number().int(),
  pixelWidth: z.number().positive(),
  pixelHeight: z.number().positive(),
  phaseX: z.number(),
  phaseY: z.number(),
  tileSize: z.number().int().positive(),
});

export const PlacementSchema = z.object({
  lattice: LatticeSchema,
  col0: z.number().int(),
  row0: z.number().int(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});

/** One ingested GeoTIFF: what the catalog knows of it. */
export const SceneRecord = z.object({
  schema: z.literal('shoutu.scene/1'),
  sceneId: z.string(),
  batchId: z.string(),
  regionCode: z.string(),
  acquiredAt: IsoDate,
  platform: z.enum(['satellite', 'drone']),
  sensor: z.string(),
  bands: z.array(BandName),
  file: z.object({ name: z.string(), key: z.string(), sha256: z.string(), bytes: z.number().int() }),
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
  /** What besides nodata makes a pixel unusable (docs/detection.md, "Validity"); absent: type saturation only. */
  validity: z
    .object({
      saturation: z.number().optional(),
      reflectance: z.object({ scale: z.number(), offset: z.number() }).optional(),
      /** Operator cloud mask: the file's last band, or a separate single-band file on the scene's grid. */
      cloudMask: z
        .object({
          band: z.number().int().optional(),
          file: z.object({ name: z.string(), key: z.string(), sha256: z.string(), bytes: z.number().int() }).optional(),
          values: z.array(z.number()).optional(),
        })
        .optional(),
    })
    .optional(),
});
export type SceneRecord = z.infer<typeof SceneRecord>;
