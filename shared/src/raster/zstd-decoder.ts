/**
 * ZSTD (TIFF compression 50000, and the ZSTD layer of LERC_ZSTD) with bounded output.
 *
 * Decoded by zstddec: the reference zstd library compiled to WebAssembly. It decodes into a buffer of
 * the capacity we give and stops with an error as soon as a frame would need more (ZSTD_decompress), so
 * a bomb costs at most one block of output and work in proportion to it. (fzstd, the pure-JS decoder,
 * was not used: given an output buffer it keeps executing sequences past the buffer's end, so a crafted
 * or merely very repetitive stream can run for seconds before it fails.)
 *
 * The WebAssembly module is instantiated once per thread (loadZstd, awaited when a raster that needs it
 * is opened); decoding is synchronous. Frame format: RFC 8878 section 3.1.1.
 */
import { ZSTDDecoder } from 'zstddec';

const decoder = new ZSTDDecoder();
let ready = false;
let loading: Promise<void> | null = null;

/** Instantiates the decoder (once per thread; later calls return at once). */
export function loadZstd(): Promise<void> {
  loading ??= decoder.init().then(() => {
    ready = true;
  });
  return loading;
}

const ZSTD_MAGIC = 0xfd2fb528;

/**
 * Frame_Content_Size from the header of the first frame, or null when the frame does not state it (as
 * streaming encoders such as libtiff's leave it out) or the bytes are not a zstd frame header.
 */
export function zstdDeclaredSize(input: Uint8Array): number | null {
  if (input.length < 6) return null;
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  if (view.getUint32(0, true) !== ZSTD_MAGIC) return null;
  const descriptor = input[4]!;
  const fcsFlag = descriptor >> 6;
  const singleSegment = (descriptor >> 5) & 1;
  const dictIdFlag = descriptor & 3;
  const fcsBytes = fcsFlag === 0 ? singleSegment : 1 << fcsFlag;
  if (fcsBytes === 0) return null;
  const at = 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][dictIdFlag]!;
  if (at + fcsBytes > input.length) return null;
  if (fcsBytes === 1) return view.getUint8(at);
  if (fcsBytes === 2) return view.getUint16(at, true) + 256;
  if (fcsBytes === 4) return view.getUint32(at, true);
  return view.getUint32(at + 4, true) * 0x100000000 + view.getUint32(at, true);
}

/**
 * Decodes a zstd stream (one or more frames) to at most `maxBytes` bytes. Throws when the stream is
 * corrupt or would decode to more; a stream that ends early yields what it holds.
 */
export function zstdDecodeBounded(input: Uint8Array, maxBytes: number): Uint8Array {
  if (!ready) throw new Error('the ZSTD decoder is not loaded (loadZstd)');
  const declared = zstdDeclaredSize(input);
  if (declared !== null && declared > maxBytes) {
    throw new Error(`ZSTD frame declares ${declared} bytes, more than the ${maxBytes}-byte block`);
  }
  const out = decoder.decode(input, Math.max(1, maxBytes));
  // zstddec returns no bytes when ZSTD_decompress reports an error (corrupt data, or more output than
  // the capacity allows)
  if (out.length === 0 && input.length > 0) {
    throw new Error(`ZSTD data is corrupt or decodes to more than the ${maxBytes}-byte block`);
  }
  return out;
}
