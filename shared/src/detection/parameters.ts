import { z } from 'zod';

/** Identifies the change method; recorded in every run record and alert. */
export const DETECTOR_VERSION = 'cva-zscore-otsu/1';

/** The change score histogram used for the automatic threshold: [0, SCORE_MAX) in z units. */
export const SCORE_HISTOGRAM = { min: 0, max: 8, bins: 512 } as const;

/** Mask layers, in bit order of the class raster (bit 0 = farmland, bit 1 = red line). */
export const MASK_LAYERS = ['farmland', 'redline'] as const;
export type MaskLayerName = (typeof MASK_LAYERS)[number];

/**
 * Parameters of one run. Every one is recorded in the run record, so a replay uses the same values.
 */
export const PipelineParameters = z
  .object({
    /** Tile edge in pixels of the analysis lattice. */
    tileSize: z.number().int().min(64).max(4096).default(512),
    /** Patches smaller than this (m²) are dropped (minimum mapping unit). */
    minAreaM2: z.number().min(0).max(1e9).default(400),
    /** 3×3 morphological opening of the change mask before labelling. */
    opening: z.boolean().default(true),
    /** Which patches become alerts: only those touching a mask layer, or all. */
    alertOn: z.enum(['masks', 'all']).default('masks'),
  })
  .strict();
export type PipelineParameters = z.infer<typeof PipelineParameters>;

export function defaultParameters(overrides: Partial<PipelineParameters> = {}): PipelineParameters {
  return PipelineParameters.parse(overrides);
}
