/**
 * JPEG blocks (TIFF compression 7, "new-style" JPEG as GDAL/libtiff write it: TIFF Technical Note 2),
 * decoded by sharp (libvips on libjpeg-turbo: the same decoder family, settings and colour conversion as
 * GDAL's libtiff, so samples come out bit-identical to GDAL's — checked on the flavour matrix).
 *
 * A block is an abbreviated JPEG stream; the Huffman and quantisation tables shared by all blocks are in
 * the JPEGTables tag (an SOI, the tables, an EOI). The stream decoded is SOI + an Adobe APP14 marker +
 * the tables + the block after its SOI. The APP14 marker fixes the colour transform as libtiff applies
 * it: YCbCr → RGB for PhotometricInterpretation YCbCr (GDAL's PHOTOMETRIC=YCBCR, with any chroma
 * subsampling, upsampled as libjpeg does), none otherwise (3 or 4 samples are taken as they are stored).
 * One- and two-sample blocks never get a transform.
 *
 * Output cap: the frame header is read first; only baseline or extended sequential Huffman frames of
 * 8-bit samples whose width is the block's and whose height is at most the block's are decoded, so a
 * block never decodes to more than its declared size, and progressive streams (whose decoding time has
 * no bound in the pixel count) are refused. libjpeg warnings (e.g. data that ends early) fail the block.
 */
import type { OutputInfo } from 'sharp';
// sharp loads on the first JPEG block: most rasters are not JPEG.
import { loadSharp } from '../util/load-sharp.js';

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;

export interface JpegFrame {
  width: number;
  height: number;
  components: number;
  precision: number;
}

/**
 * The frame header (SOF) of a JPEG stream, reading the marker segments from the start. Throws when the
 * stream is malformed, has no frame before its first scan, or uses a process other than baseline /
 * extended sequential Huffman (SOF0, SOF1).
 */
export function jpegFrame(stream: Uint8Array): JpegFrame {
  const n = stream.length;
  if (n < 4 || stream[0] !== 0xff || stream[1] !== SOI) throw new Error('JPEG data does not start with SOI');
  let p = 2;
  while (p < n) {
    if (stream[p] !== 0xff) throw new Error(`JPEG marker expected at byte ${p}`);
    while (p < n && stream[p] === 0xff) p++; // fill bytes
    if (p >= n) break;
    const marker = stream[p++]!;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // no length
    if (marker === EOI || marker === SOI) throw new Error(`JPEG stream has ${marker === EOI ? 'EOI' : 'SOI'} before its frame header`);
    if (p + 2 > n) break;
    const length = (stream[p]! << 8) | stream[p + 1]!;
    if (length < 2 || p + length > n) throw new Error(`JPEG marker 0x${marker.toString(16)} segment runs past the end`);
    if (marker === SOS) throw new Error('JPEG scan before its frame header');
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (marker !== 0xc0 && marker !== 0xc1) {
        throw new Error(`JPEG process SOF${marker - 0xc0} is not supported (only baseline and extended sequential Huffman)`);
      }
      if (length < 8) throw new Error('JPEG frame header is truncated');
      return {
        precision: stream[p + 2]!,
        height: (stream[p + 3]! << 8) | stream[p + 4]!,
        width: (stream[p + 5]! << 8) | stream[p + 6]!,
        components: stream[p + 7]!,
      };
    }
    p += length;
  }
  throw new Error('JPEG stream has no frame header');
}

/** Adobe APP14 segment ("Adobe", version 100, no flags) with colour transform 0 (none) or 1 (YCbCr). */
function adobeMarker(transform: 0 | 1): Uint8Array {
  return Uint8Array.from([0xff, 0xee, 0x00, 0x0e, 0x41, 0x64, 0x6f, 0x62, 0x65, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, transform]);
}

/**
 * The complete stream for one block: SOI, [APP14], the JPEGTables' segments (without their SOI and EOI),
 * the block's segments and data (without its SOI). `tables` may be null (tables in every block).
 */
export function jpegBlockStream(tables: Uint8Array | null, block: Uint8Array, transform: 0 | 1 | null): Uint8Array {
  if (block.length < 2 || block[0] !== 0xff || block[1] !== SOI) throw new Error('JPEG block does not start with SOI');
  let tableBody: Uint8Array = new Uint8Array(0);
  if (tables !== null && tables.length >= 4) {
    if (tables[0] !== 0xff || tables[1] !== SOI) throw new Error('JPEGTables does not start with SOI');
    const end = tables[tables.length - 2] === 0xff && tables[tables.length - 1] === EOI ? tables.length - 2 : tables.length;
    tableBody = tables.subarray(2, end);
  }
  const app14 = transform === null ? new Uint8Array(0) : adobeMarker(transform);
  const out = new Uint8Array(2 + app14.length + tableBody.length + block.length - 2);
  out[0] = 0xff;
  out[1] = SOI;
  out.set(app14, 2);
  out.set(tableBody, 2 + app14.length);
  out.set(block.subarray(2), 2 + app14.length + tableBody.length);
  return out;
}

export interface JpegBlock {
  /** pixels per row: the tile width, or the image width for strips */
  width: number;
  /** most rows the block may hold (the tile height, or RowsPerStrip) */
  maxRows: number;
  /** samples per pixel in the block: 1 to 4 (band-interleaved files: 1) */
  components: number;
  /** PhotometricInterpretation YCbCr: convert to RGB as libtiff does for GDAL */
  ycbcr: boolean;
}

/**
 * Decodes one JPEG block to rows × width pixels of `components` interleaved 8-bit samples (rows: as many
 * as the stream holds, at most maxRows). Rejects (asynchronously) when the stream is malformed,
 * truncated or does not fit the block.
 */
export async function decodeJpegBlock(tables: Uint8Array | null, block: Uint8Array, spec: JpegBlock): Promise<Uint8Array> {
  const transform = spec.ycbcr ? 1 : spec.components >= 3 ? 0 : null;
  const stream = jpegBlockStream(tables, block, transform);
  const frame = jpegFrame(stream);
  if (frame.precision !== 8) throw new Error(`${frame.precision}-bit JPEG is not supported (8-bit only)`);
  if (frame.components !== spec.components) throw new Error(`JPEG block has ${frame.components} component(s), ${spec.components} expected`);
  if (frame.width !== spec.width || frame.height < 1 || frame.height > spec.maxRows) {
    throw new Error(`JPEG block is ${frame.width}x${frame.height}, the block is ${spec.width} wide and at most ${spec.maxRows} high`);
  }
  const sharp = await loadSharp();
  let image = sharp(stream, { failOn: 'warning', limitInputPixels: frame.width * frame.height, sequentialRead: true });
  // keep the stored samples: no conversion to sRGB for grey (1) or CMYK-like (4) streams
  if (spec.components === 1) image = image.toColourspace('b-w');
  else if (spec.components === 4) image = image.pipelineColourspace('cmyk').toColourspace('cmyk');
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await image.raw().toBuffer({ resolveWithObject: true });
  } catch (error) {
    // libvips reports every libjpeg message, one a line: the first says what went wrong
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
    throw new Error(`JPEG data is corrupt or truncated (${message})`, { cause: error });
  }
  const { data, info } = decoded;
  if (info.width !== frame.width || info.height !== frame.height || info.channels !== spec.components) {
    throw new Error(`JPEG block decoded to ${info.width}x${info.height}x${info.channels}, expected ${frame.width}x${frame.height}x${spec.components}`);
  }
  const out = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  // libvips reads four-component streams carrying an Adobe marker as inverted CMYK (Photoshop's
  // convention) and inverts them; undo that to get the stored samples
  if (spec.components === 4) for (let i = 0; i < out.length; i++) out[i] = 255 - out[i]!;
  return out;
}
