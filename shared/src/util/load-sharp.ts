/**
 * sharp (libvips), loaded on first use: it decodes JPEG blocks and encodes evidence PNGs, and loading it
 * costs a process or worker thread about 0.1–0.14 s that most runs (no JPEG rasters, no alerts) never need.
 * This module owns sharp's global settings: no operation cache (every image is read or written once).
 */
let loaded: Promise<typeof import('sharp').default> | null = null;

export function loadSharp(): Promise<typeof import('sharp').default> {
  loaded ??= import('sharp').then(({ default: sharp }) => {
    sharp.cache(false);
    return sharp;
  });
  return loaded;
}
