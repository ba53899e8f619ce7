import { z } from 'zod';

/** Identifies the change method; recorded in every run record and alert. */
export const DETECTOR_VERSION = 'cva-isfa-mbi-otsu/10';

/**
 * Histogram of change scores for medians and the automatic threshold. Both cues are in standard
 * deviations (≈ 1 for typical unchanged pixels) and the fused score in multiples of the median, so a
 * fixed range covers every sensor; larger values land in the last bin.
 */
export const SCORE_HISTOGRAM = { min: 0, max: 16, bins: 1024 } as const;

/** The ISFA transform is fitted on a regular grid sample of at most this many pixels per scene pair: enough for a stable second moment of up to 16 bands, and it bounds the fit to a fraction of a second. */
export const TRANSFORM_MAX_SAMPLES = 250_000;

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
    minAreaM2: z.number().min(0).max(1e9).default(200),
    /** 3×3 morphological opening of the change mask before labelling. */
    opening: z.boolean().default(true),
    /** Which patches become alerts: only those touching a mask layer, or all. */
    alertOn: z.enum(['masks', 'all']).default('masks'),
    /** A 图斑 judged legal or a false alarm is sent again only when it grows beyond this multiple of the
     *  area that was judged. */
    regrowthFactor: z.number().min(1).max(100).default(1.5),
    /** Share of a 图斑's area that valid approvals must cover for it to be held as likely legal. */
    approvalCover: z.number().gt(0).max(1).default(0.9),
  })
  .strict();
export type PipelineParameters = z.infer<typeof PipelineParameters>;

export function defaultParameters(overrides: Partial<PipelineParameters> = {}): PipelineParameters {
  return PipelineParameters.parse(overrides);
}
