/**
 * LERC blocks (TIFF compression 34887, as GDAL writes them: COMPRESS=LERC, LERC_DEFLATE, LERC_ZSTD),
 * decoded by Esri's `lerc` package (the LERC library compiled to WebAssembly).
 *
 * Output cap: the blob's header is checked against the block before anything is decoded or allocated —
 * first the size fields of its first LERC2 header (read here: getBlobInfo itself allocates per value
 * per pixel), then getBlobInfo's width, rows, values per pixel, bands and sample type —, so a blob can
 * never decode to more than its block.
 * The result is what libtiff's LERC codec hands on (GDAL 3.6, frmts/gtiff/libtiff/tif_lerc.c):
 * samples pixel-interleaved; for float samples, pixels the blob's mask marks invalid are NaN (one mask
 * for all samples, or one per sample); 8-bit samples with an unassociated alpha sample that the encoder
 * stored as the mask get alpha = 255 × mask. Like every codec's output, the samples are in the file's
 * byte order (libtiff byte-swaps big-endian data before encoding it, so LERC holds swapped values): the
 * caller swaps them as for the other codecs.
 */
import * as Lerc from 'lerc';

let ready = false;
let loading: Promise<void> | null = null;

/** Instantiates the decoder (once per thread; later calls return at once). */
export function loadLerc(): Promise<void> {
  loading ??= Lerc.load().then(() => {
    ready = true;
  });
  return loading;
}

/** LERC data type codes (Lerc_c_api.h), by TIFF sample format and bits per sample. */
export function lercDataType(sampleFormat: 'uint' | 'int' | 'float', bits: number): number | null {
  if (sampleFormat === 'float') return bits === 32 ? 6 : bits === 64 ? 7 : null;
  const index = [8, 16, 32].indexOf(bits);
  if (index < 0) return null;
  return index * 2 + (sampleFormat === 'uint' ? 1 : 0);
}

export interface LercBlock {
  /** pixels per row (the tile width, or the image width for strips) */
  width: number;
  /** rows the blob must hold: the tile height, or the rows of this strip */
  rows: number;
  /** samples per pixel in the block (all bands when pixel-interleaved, else 1) */
  samplesPerPixel: number;
  /** LERC data type code of the samples (lercDataType) */
  dataType: number;
  bytesPerSample: number;
  /** the last sample is an unassociated alpha (ExtraSamples = 2) of 8-bit samples */
  alphaLast: boolean;
}

type LercArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

/**
 * Decodes one LERC blob to `rows` × `width` pixels of `samplesPerPixel` interleaved samples (in the
 * file's byte order, see above). Throws when the blob is corrupt or does not describe exactly this block.
 */
export function lercDecodeBlock(blob: Uint8Array, block: LercBlock): Uint8Array {
  if (!ready) throw new Error('the LERC decoder is not loaded (loadLerc)');
  const spp = block.samplesPerPixel;
  const header = lerc2Shape(blob);
  if (header.cols !== block.width || header.rows !== block.rows || header.depth > spp) {
    throw new Error(`LERC blob header says ${header.cols}x${header.rows} with ${header.depth} value(s) per pixel; the block is ${block.width}x${block.rows} with ${spp}`);
  }
  const info = Lerc.getBlobInfo(blob);
  const isFloat = block.dataType >= 6;
  const shape = `${info.width}x${info.height}, ${info.depthCount} value(s) per pixel, ${info.bandCount} band(s), type ${info.dataType}`;
  if (info.width !== block.width || info.height !== block.rows || info.dataType !== block.dataType) {
    throw new Error(`LERC blob is ${shape}; the block is ${block.width}x${block.rows}, type ${block.dataType}`);
  }
  if (info.blobSize !== blob.length) throw new Error(`LERC blob declares ${info.blobSize} bytes but holds ${blob.length}`);
  // how the block's samples are laid out in the blob
  let layout: 'depth' | 'bands' | 'alpha';
  if (info.bandCount === 1 && info.depthCount === spp) layout = 'depth';
  else if (isFloat && spp > 1 && info.depthCount === 1 && info.bandCount === spp) layout = 'bands';
  else if (block.alphaLast && info.bandCount === 1 && info.depthCount === spp - 1) layout = 'alpha';
  else throw new Error(`LERC blob is ${shape}; the block has ${spp} sample(s) per pixel`);

  const decoded = Lerc.decode(blob, { returnInterleaved: true });
  const pixels = block.width * block.rows;
  const out = new Uint8Array(pixels * spp * block.bytesPerSample);
  const target = typedView(out, block.dataType);
  if (layout === 'depth') {
    target.set(decoded.pixels[0] as LercArray);
    if (isFloat && decoded.mask !== null) {
      const mask = decoded.mask;
      for (let i = 0; i < pixels; i++) if (mask[i] === 0) target.fill(Number.NaN, i * spp, i * spp + spp);
    }
  } else if (layout === 'bands') {
    for (let b = 0; b < spp; b++) {
      const band = decoded.pixels[b]!;
      const mask = decoded.bandMasks?.[b] ?? decoded.mask;
      for (let i = 0; i < pixels; i++) target[i * spp + b] = mask !== null && mask[i] === 0 ? Number.NaN : band[i]!;
    }
  } else {
    const colour = decoded.pixels[0]!;
    const mask = decoded.mask;
    const n = spp - 1;
    for (let i = 0; i < pixels; i++) {
      for (let c = 0; c < n; c++) target[i * spp + c] = colour[i * n + c]!;
      target[i * spp + n] = mask === null ? 255 : 255 * (mask[i]! === 0 ? 0 : 1);
    }
  }
  return out;
}

/**
 * Size fields of the first LERC2 header (Esri's Lerc2 format, little-endian): "Lerc2 ", version,
 * checksum (version 3 and later), rows, columns, values per pixel (version 4 and later), ...
 */
function lerc2Shape(blob: Uint8Array): { rows: number; cols: number; depth: number } {
  const key = 'Lerc2 ';
  if (blob.length < 30 || String.fromCharCode(...blob.subarray(0, key.length)) !== key) throw new Error('not a LERC2 blob');
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const version = view.getInt32(6, true);
  const at = version >= 3 ? 14 : 10;
  return { rows: view.getInt32(at, true), cols: view.getInt32(at + 4, true), depth: version >= 4 ? view.getInt32(at + 8, true) : 1 };
}

function typedView(bytes: Uint8Array, dataType: number): LercArray {
  const { buffer, byteOffset, byteLength } = bytes;
  switch (dataType) {
    case 0: return new Int8Array(buffer, byteOffset, byteLength);
    case 1: return bytes;
    case 2: return new Int16Array(buffer, byteOffset, byteLength / 2);
    case 3: return new Uint16Array(buffer, byteOffset, byteLength / 2);
    case 4: return new Int32Array(buffer, byteOffset, byteLength / 4);
    case 5: return new Uint32Array(buffer, byteOffset, byteLength / 4);
    case 6: return new Float32Array(buffer, byteOffset, byteLength / 4);
    default: return new Float64Array(buffer, byteOffset, byteLength / 8);
  }
}
