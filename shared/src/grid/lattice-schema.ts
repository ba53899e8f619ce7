import { z } from 'zod';
import type { Lattice } from './lattice.js';

/** A lattice as the records that name one store it (scene records, area records). */
export const LatticeSchema = z.object({
  gridId: z.string(),
  epsg: z.number().int(),
  pixelWidth: z.number().positive(),
  pixelHeight: z.number().positive(),
  phaseX: z.number(),
  phaseY: z.number(),
  tileSize: z.number().int().positive(),
}) satisfies z.ZodType<Lattice>;
