import { z } from 'zod';

/** Per-band statistics of both epochs over their common valid pixels, and the pair's threshold. */
export const PairStats = z.object({
  bands: z.number().int().positive(),
  beforeMean: z.array(z.number()),
  beforeStd: z.array(z.number()),
  afterMean: z.array(z.number()),
  afterStd: z.array(z.number()),
  /** Change score at or above which a pixel is change (Otsu on the pair's score histogram). */
  threshold: z.number(),
  validPixels: z.number().int().nonnegative(),
});
export type PairStats = z.infer<typeof PairStats>;
