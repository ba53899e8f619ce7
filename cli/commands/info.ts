import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { InvalidInputError } from '@shoutu/shared/errors.js';
import { type GeoTiffDescription, describeGeoTiff } from '@shoutu/shared/raster/index.js';
import { bandNameOfDescription, bandsOfDescriptions } from '@shoutu/shared/detection/band-names.js';
import { typeFill } from '@shoutu/shared/detection/validity.js';
import { formatLayerInfo, isLayerFile, layerInfo } from './info-layer.js';

const USAGE = 'usage: shoutu info FILE|URL|LAYER [--json]';

/**
 * `shoutu info FILE [--json]`: what shoutu reads from a GeoTIFF, with per-band sample hashes to check
 * against GDAL. FILE may be an http(s):// URL or s3://bucket/key, read by byte ranges. A polygon layer
 * (GeoJSON, a shapefile, a zip of one) is described as a layer instead (info-layer.ts).
 */
export async function runInfo(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean', default: false } }, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new InvalidInputError('argument_invalid', USAGE, { field: 'FILE' });
  const path = positionals[0]!;
  if (!/^(https?|s3):\/\//i.test(path) && (await isLayerFile(path))) {
    const info = await layerInfo(path);
    process.stdout.write(values.json ? `${JSON.stringify(info, null, 2)}\n` : formatLayerInfo(info));
    return 0;
  }
  const description = /^(https?|s3):\/\//i.test(path) ? await describeRemote(path) : await describeGeoTiff({ path }, basename(path));
  process.stdout.write(values.json ? `${JSON.stringify(description, null, 2)}\n` : formatDescription(description));
  return 0;
}

/** A remote GeoTIFF; the S3 client (and its SDK) loads only for s3:// locations. */
async function describeRemote(location: string): Promise<GeoTiffDescription> {
  const { remoteFetcher } = await import('@shoutu/shared/remote/open-remote.js');
  let s3;
  if (/^s3:/i.test(location)) {
    const { parseEnv, s3AccessFromEnv, storageEnv } = await import('@shoutu/shared/config/env.js');
    const { z } = await import('zod');
    s3 = s3AccessFromEnv(parseEnv(z.object(storageEnv)));
  }
  const fetcher = remoteFetcher(location, { s3 });
  return describeGeoTiff({ remote: fetcher }, fetcher.location); // the URL without its query (signed URLs carry secrets there)
}

/** The fill value detection applies to the file (typeFill: 0 for integers without nodata), or null. */
function fillOf(d: GeoTiffDescription): number | null {
  const type = /^(uint|int|float)(\d+)$/.exec(d.sampleType);
  if (type === null || d.nodata !== null) return null;
  return typeFill({ sampleFormat: type[1] as 'uint' | 'int' | 'float', bitsPerSample: Number(type[2]), nodata: null, imageBands: d.bands - (d.alphaBand === null ? 0 : 1) });
}

export function formatDescription(d: GeoTiffDescription): string {
  const [x0, pw, , y0, , ph] = d.geoTransform;
  const lines = [
    `${d.file} (${d.fileBytes} bytes)`,
    `  size           ${d.width} × ${d.height}, ${d.bands} band(s) of ${d.sampleType}`,
    `  CRS            EPSG:${d.crs.epsg}${d.crs.parameters !== undefined ? ` (user-defined GeoKeys, the same grid: ${d.crs.parameters})` : ''}`,
    `  geotransform   origin (${x0}, ${y0}), pixel ${pw} × ${-ph}  [${d.geoTransform.join(', ')}]`,
    `  nodata         ${d.nodata ?? 'none'}${fillOf(d) === null ? '' : ` (pixels ${fillOf(d)} in every band are fill: left out like nodata)`}`,
    `  compression    ${d.compression}${d.predictor === 'none' ? '' : `, ${d.predictor} predictor`}`,
    `  layout         ${d.tiled ? `tiles of ${d.blockSize[0]} × ${d.blockSize[1]}` : `strips of ${d.blockSize[1]} row(s)`}, ${d.interleave}-interleaved, ${d.bigTiff ? 'BigTIFF' : 'classic TIFF'}, ${d.byteOrder}`,
    `  overviews      ${d.overviews.length === 0 ? 'none' : d.overviews.map(([w, h]) => `${w} × ${h}`).join(', ')}`,
    `  internal mask  ${d.internalMask ? 'yes (0: ground the image does not cover, left out like nodata)' : 'no'}`,
    `  alpha band     ${d.alphaBand === null ? 'none' : `${d.alphaBand} (transparency: 0 is ground the image does not cover; not imagery, not listed in "bands")`}`,
    ...bandLines(d.alphaBand === null ? d.bandDescriptions : d.bandDescriptions.slice(0, d.alphaBand - 1)),
    '  band SHA-256 of samples (little-endian, row-major):',
    ...d.bandSha256.map((h, i) => `    ${String(i + 1).padStart(2)}  ${h}`),
    ...d.warnings.map((w) => `  warning: ${w}`),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * The bands' descriptions and the common name shoutu reads from each (what `shoutu detect` uses without
 * --bands, and what a batch.json "bands" list must agree with); the order to give when every band has one.
 */
function bandLines(descriptions: (string | null)[]): string[] {
  if (descriptions.every((d) => d === null)) return ['  band names     none in the file'];
  const names = descriptions.map((d) => (d === null ? null : bandNameOfDescription(d)));
  const lines = ['  band descriptions (and the common name shoutu reads from each):'];
  descriptions.forEach((d, i) => lines.push(`    ${String(i + 1).padStart(2)}  ${d === null ? '(none)' : JSON.stringify(d)}${names[i] ? `  → ${names[i]}` : ''}`));
  const order = bandsOfDescriptions(descriptions);
  if (order !== null) lines.push(`  band order     ${order.join(',')}`);
  return lines;
}
