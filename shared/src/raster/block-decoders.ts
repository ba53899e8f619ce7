/**
 * Strip/tile decoders with bounded output, handed to geotiff.js through its `pool` hook.
 *
 * geotiff.js's own LZW/PackBits/Deflate decoders grow their output without limit, so a small hostile
 * file could inflate to gigabytes. These decoders never produce more than one full block
 * (blockWidth x blockHeight x bytes per pixel). Horizontal/floating-point prediction is still applied by
 * geotiff.js's BaseDecoder.decode.
 */
import { inflateSync, constants as zlibConstants } from 'node:zlib';
import { BaseDecoder } from 'geotiff';
import type { Pool } from 'geotiff';
import type { RasterLayout } from './raster-info.js';

type DecoderParameters = ConstructorParameters<typeof BaseDecoder>[0];

/** Copies a view into a fresh ArrayBuffer of exactly its length (geotiff.js views the whole buffer). */
function exactBuffer(view: Uint8Array): ArrayBuffer {
  if (view.byteOffset === 0 && view.byteLength === view.buffer.byteLength && view.buffer instanceof ArrayBuffer) {
    return view.buffer;
  }
  const copy = new Uint8Array(view.byteLength);
  copy.set(view);
  return copy.buffer;
}

export function inflateBounded(input: Uint8Array, maxBytes: number): Uint8Array {
  // Z_SYNC_FLUSH: a truncated stream yields what it holds instead of throwing; too little data is
  // caught later when pixels are read.
  const out = inflateSync(input, { maxOutputLength: Math.max(1, maxBytes), finishFlush: zlibConstants.Z_SYNC_FLUSH });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

export function unpackBitsBounded(input: Uint8Array, maxBytes: number): Uint8Array {
  const out = new Uint8Array(maxBytes);
  let i = 0;
  let o = 0;
  const n = input.length;
  while (i < n && o < maxBytes) {
    const h = (input[i++]! << 24) >> 24; // int8
    if (h >= 0) {
      const count = Math.min(h + 1, n - i, maxBytes - o);
      out.set(input.subarray(i, i + count), o);
      i += h + 1;
      o += count;
    } else if (h !== -128) {
      if (i >= n) break;
      const v = input[i++]!;
      const count = Math.min(1 - h, maxBytes - o);
      out.fill(v, o, o + count);
      o += count;
    }
  }
  return o === maxBytes ? out : out.subarray(0, o);
}

/** TIFF LZW (MSB-first codes, "early change" code-width switch). Throws on invalid codes. */
export function lzwDecodeBounded(input: Uint8Array, maxBytes: number): Uint8Array {
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
    // walk back from the end of the string
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
    if (bitCount < width) break; // ran out of input without EOI: keep what we have
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
        return exactBuffer(lzwDecodeBounded(input, this.maxBytes));
      case 8:
      case 32946:
        return exactBuffer(inflateBounded(input, this.maxBytes));
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
