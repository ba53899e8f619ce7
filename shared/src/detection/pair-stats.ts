import { z } from 'zod';
import { StructureSpec } from './structural-change.js';

/**
 * Statistics of one before/after pair over their overlap, computed once per pair so that every tile
 * is scored and thresholded alike (a patch must not change class at a tile edge).
 */
export const PairStats = z.object({
  /** Number of evidence planes the statistics describe: the evidence bands, or their groups. */
  bands: z.number().int().positive(),
  /** Indices (in file band order) of the bands used as change evidence. */
  evidenceBands: z.array(z.number().int().nonnegative()),
  /** With more evidence bands than MAX_EVIDENCE_PLANES (evidence-bands.ts): how many consecutive evidence
   *  bands each evidence plane averages; absent when each band is a plane of its own. */
  evidenceGroups: z.array(z.number().int().positive()).optional(),
  /** Per-band mean and standard deviation of each epoch over pixels valid in both (z-scoring). */
  beforeMean: z.array(z.number()),
  beforeStd: z.array(z.number()),
  afterMean: z.array(z.number()),
  afterStd: z.array(z.number()),
  /** ISFA transformation (isfa.ts) fitted on a regular sample of the overlap: the second cue is
   *  Σ_i (Σ_{j≤i} whiten_ij d_j)² on the z-scored difference d (the change vector's). `whiten` is row-major
   *  bands×bands, lower triangular. */
  transform: z.object({
    method: z.literal('isfa'),
    whiten: z.array(z.number()),
    iterations: z.number().int(),
    converged: z.boolean(),
    samples: z.number().int(),
  }),
  /** Medians of the two cues over the pair: the scale that makes them comparable. */
  cvaMedian: z.number(),
  madMedian: z.number(),
  /** The structural score's segment lengths when the pair is scored by structure (visible bands fine enough
   *  to resolve buildings, structural-change.ts), else null: the spectral score. */
  structure: StructureSpec.nullable().default(null),
  /** Score at or above which a pixel is change (pair-threshold.ts: Otsu on the pair's histogram, or Rosin's
   *  unimodal rule where Otsu's split lies in the bulk): the fused spectral score, or the structural score
   *  when `structure` is set. */
  threshold: z.number(),
  /** Otsu's split when it lay in the bulk of the spectral scores and Rosin's rule set `threshold`; absent
   *  otherwise (and in statistics of detectors before 10). */
  otsuSplit: z.number().optional(),
  validPixels: z.number().int().nonnegative(),
});
export type PairStats = z.infer<typeof PairStats>;
