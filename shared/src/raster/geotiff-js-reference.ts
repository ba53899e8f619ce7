/**
 * The previous pixel path, kept as a reference for tests and scripts/bench-decode.ts only (not used by
 * openGeoTiff): geotiff.js's readRasters over shoutu's bounded block decoders. Not exported from index.ts.
 *
 * Only open files that openGeoTiff accepted: geotiff.js trusts the counts and offsets it reads.
 */
import { inflateSync, constants as zlibConstants } from 'node:zlib';
import { BaseDecoder, GeoTIFF } from 'geotiff';
import type { GeoTIFFImage, Pool } from 'geotiff';
import { unpackBitsBounded } from './block-decoders.js';
import { readLayout, type RasterLayout } from './raster-info.js';
import { type ByteReader, bytesReader, fileReader, readFirstDirectory } from './tiff-structure.js';

type DecoderParameters = ConstructorParameters<typeof BaseDecoder>[0];
type GeoTiffByteSource = Parameters<typeof GeoTIFF.fromSource>[0];

/** Copies a view into a fresh ArrayBuffer of exactly its length (geotiff.js views the whole buffer). */
function exactBuffer(view: Uint8Array): ArrayBuffer {
  if (view.byteOffset === 0 && view.byteLength === view.buffer.byteLength && view.buffer instanceof ArrayBuffer) {
    return view.buffer;
  }
  const copy = new Uint8Array(view.byteLength);
  copy.set(view);
  return copy.buffer;
}

// The previous Deflate and LZW decoders, unchanged, so that the reference measures the old path.

function legacyInflateBounded(input: Uint8Array, maxBytes: number): Uint8Array {
  const out = inflateSync(input, { maxOutputLength: Math.max(1, maxBytes), finishFlush: zlibConstants.Z_SYNC_FLUSH });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

export function legacyLzwDecodeBounded(input: Uint8Array, maxBytes: number): Uint8Array {
  if (input.length >= 2 && input[0] === 0 && (input[1]! & 1) === 1) {
    throw new Error('old-style (pre-TIFF 6) LZW is not supported');
  }
  const CLEAR = 256;
  const EOI = 257;
  const prefix = new Uint16Array(4096);
  const suffix = new Uint8Array(4096);
  const length = new Uint16Array(4096);
  for (let c = 0; c < 256; c++) {
    suffix[c] = c;
    length[c] = 1;
  }
  const out = new Uint8Array(maxBytes);
  let o = 0;
  let next = 258;
  let width = 9;
  let old = -1;
  let bitBuf = 0;
  let bitCount = 0;
  let pos = 0;
  const n = input.length;

  // writes the string for `code` at o (truncated at maxBytes); returns its first byte
  const emit = (code: number): number => {
    const len = length[code]!;
    let c = code;
    for (let k = len - 1; k >= 0; k--) {
      if (o + k < maxBytes) out[o + k] = suffix[c]!;
      if (k > 0) c = prefix[c]!;
    }
    o = Math.min(o + len, maxBytes);
    return suffix[c]!;
  };

  while (o < maxBytes) {
    while (bitCount < width && pos < n) {
      bitBuf = ((bitBuf << 8) | input[pos++]!) >>> 0;
      bitCount += 8;
    }
    if (bitCount < width) break;
    const code = (bitBuf >>> (bitCount - width)) & ((1 << width) - 1);
    bitCount -= width;
    bitBuf &= (1 << bitCount) - 1;

    if (code === EOI) break;
    if (code === CLEAR) {
      next = 258;
      width = 9;
      old = -1;
      continue;
    }
    if (old === -1) {
      if (code > 255) throw new Error(`invalid LZW code ${code} after clear`);
      emit(code);
      old = code;
      continue;
    }
    let first: number;
    if (code < next) {
      first = emit(code);
    } else if (code === next) {
      const oldFirst = emit(old);
      if (o < maxBytes) out[o++] = oldFirst;
      first = oldFirst;
    } else {
      throw new Error(`invalid LZW code ${code} (table has ${next} entries)`);
    }
    if (next < 4096) {
      prefix[next] = old;
      suffix[next] = first;
      length[next] = length[old]! + 1;
      next++;
    }
    old = code;
    if (next >= (1 << width) - 1 && width < 12) width++;
  }
  return o === maxBytes ? out : out.subarray(0, o);
}

class BoundedDecoder extends BaseDecoder {
  private readonly compression: number;
  private readonly maxBytes: number;

  constructor(parameters: DecoderParameters, compression: number, maxBytes: number) {
    super(parameters);
    this.compression = compression;
    this.maxBytes = maxBytes;
  }

  override decodeBlock(buffer: ArrayBufferLike): ArrayBufferLike {
    const input = new Uint8Array(buffer);
    switch (this.compression) {
      case 1:
        return exactBuffer(input.byteLength > this.maxBytes ? input.subarray(0, this.maxBytes) : input);
      case 5:
        return exactBuffer(legacyLzwDecodeBounded(input, this.maxBytes));
      case 8:
      case 32946:
        return exactBuffer(legacyInflateBounded(input, this.maxBytes));
      case 32773:
        return exactBuffer(unpackBitsBounded(input, this.maxBytes));
      default:
        throw new Error(`compression ${this.compression} is not supported`);
    }
  }
}

/** An object that geotiff.js accepts as `pool` and that decodes every block with a bounded decoder. */
export function boundedDecoderPool(layout: RasterLayout, bands: number, bitsPerSample: number): Pool {
  const parameters: DecoderParameters = {
    tileWidth: layout.blockWidth,
    tileHeight: layout.blockHeight,
    predictor: layout.predictor,
    bitsPerSample: new Array<number>(layout.planarConfiguration === 2 ? 1 : bands).fill(bitsPerSample),
    planarConfiguration: layout.planarConfiguration,
  };
  const pool = {
    bindParameters: () => new BoundedDecoder(parameters, layout.compression, layout.blockBytes),
    destroy: () => Promise.resolve(),
  };
  return pool as unknown as Pool;
}

/** Adapts a ByteReader to geotiff.js's source interface (exact-length ArrayBuffers, clipped at EOF). */
function geotiffSource(reader: ByteReader): GeoTiffByteSource {
  const fetchSlice = async (slice: { offset: number; length: number }) => {
    const bytes = await reader.read(slice.offset, slice.length);
    return { offset: slice.offset, length: bytes.byteLength, data: bytes.buffer as ArrayBuffer };
  };
  const source = {
    fetch: (slices: { offset: number; length: number }[]) => Promise.all(slices.map(async (s) => (await fetchSlice(s)).data)),
    fetchSlice,
    get fileSize() {
      return reader.size;
    },
    close: () => Promise.resolve(),
  };
  return source as unknown as GeoTiffByteSource;
}

export interface ReferenceRaster {
  readonly bands: number;
  /** Planar Float32Array window, exactly as the previous GeoTiffRaster.readWindow produced it. */
  readWindow(x0: number, y0: number, width: number, height: number): Promise<Float32Array>;
  close(): Promise<void>;
}

export async function openGeotiffJsReference(source: { path: string } | { bytes: Uint8Array }, name = 'reference.tif'): Promise<ReferenceRaster> {
  const reader = 'bytes' in source ? bytesReader(source.bytes) : await fileReader(source.path, name);
  const dir = await readFirstDirectory(reader, name);
  const { layout, bands, bitsPerSample } = await readLayout(reader, dir, name);
  const image: GeoTIFFImage = await (await GeoTIFF.fromSource(geotiffSource(reader))).getImage(0);
  const pool = boundedDecoderPool(layout, bands, bitsPerSample);
  return {
    bands,
    async readWindow(x0, y0, width, height) {
      const n = width * height;
      const out = new Float32Array(n * bands);
      const arrays = await image.readRasters({ window: [x0, y0, x0 + width, y0 + height], interleave: false, pool });
      for (let b = 0; b < bands; b++) out.set(arrays[b]!, b * n);
      return out;
    },
    close: () => reader.close(),
  };
}
