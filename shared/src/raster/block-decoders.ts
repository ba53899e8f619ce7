/**
 * Strip/tile decoders with bounded output, and the predictor / byte-order steps that follow them.
 *
 * Every decoder writes at most one block (blockWidth x blockHeight x bytes per pixel as declared by the
 * file): a small hostile file cannot inflate to gigabytes. The `...Into` forms write into a caller's
 * preallocated buffer and never past its end; they return how many bytes they produced (fewer when the
 * stream ends early; callers check that the rows they need are there). ZSTD, JPEG and LERC have their
 * own modules (zstd-decoder.ts, jpeg-decoder.ts, lerc-decoder.ts).
 *
 * Definitions followed: TIFF 6.0 section 13 (LZW: MSB-first codes, 9-12 bits, CLEAR 256, EOI 257, code
 * width grows one code early), section 9 (PackBits), section 14 (horizontal differencing, Predictor 2),
 * Adobe TIFF Technical Note 3 (floating-point predictor, Predictor 3), RFC 1950/1951 (Deflate).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Inflate, inflateSync, constants as zlibConstants } from 'node:zlib';

type NativeInflate = (input: Uint8Array, out: Uint8Array) => number;

/**
 * libdeflate's zlib decoder (shared/native/inflate.c), built by `npm ci` where libdeflate's header is
 * installed (Debian: libdeflate-dev), else null and node's zlib decodes every block. It inflates Predictor-2
 * imagery tiles about 1.6 times as fast as node's zlib (docs/formats.md). It is only given whole blocks,
 * and a stream it does not decode completely into the buffer (corrupt, truncated, holding more) is decoded
 * again by zlib: pixels and errors are zlib's in every case, since a stream libdeflate decodes is complete
 * and valid and has one decoding.
 */
const nativeInflate: NativeInflate | null = loadNativeInflate();
let nativeInflateOn = nativeInflate !== null;

function loadNativeInflate(): NativeInflate | null {
  try {
    const require = createRequire(import.meta.url);
    // the shared package's folder, from its sources or from the bundle in dist/
    const root = dirname(dirname(require.resolve('@shoutu/shared')));
    const addon = require(join(root, 'native', 'build', 'Release', 'shoutu_inflate.node')) as { inflate?: unknown };
    return typeof addon.inflate === 'function' ? (addon.inflate as NativeInflate) : null;
  } catch {
    return null;
  }
}

/**
 * Whether whole Deflate blocks go to libdeflate (the default where it was built) or to node's zlib only
 * (false; tests compare the two). Returns whether libdeflate is now in use.
 */
export function setNativeInflate(enabled: boolean): boolean {
  nativeInflateOn = enabled && nativeInflate !== null;
  return nativeInflateOn;
}

/** True on little-endian hosts (every platform Node ships for today). */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The parts of a node:zlib Inflate object that BlockInflater drives (Node internals, checked at run time). */
interface ZlibEngine {
  _handle: {
    writeSync(flush: number, input: Uint8Array, inOffset: number, inLength: number, out: Uint8Array, outOffset: number, outLength: number): void;
    reset(): void;
    close(): void;
    onerror: (message: string, errno: number) => void;
  } | null;
  /** [output bytes left, input bytes left] after each writeSync */
  _writeState: Uint32Array;
  /** the public Inflate.close(): closes the handle and forgets it */
  close(): void;
}

function zlibEngine(): ZlibEngine | null {
  const engine = new Inflate() as unknown as Partial<ZlibEngine>;
  const handle = engine._handle;
  const ok = handle != null && typeof handle.writeSync === 'function' && typeof handle.reset === 'function' &&
    typeof handle.close === 'function' && engine._writeState instanceof Uint32Array && engine._writeState.length === 2;
  if (!ok) {
    engine.close?.();
    return null;
  }
  return engine as ZlibEngine;
}

/**
 * Inflates zlib streams (one per block) straight into the caller's buffer with one zlib stream reused
 * from block to block. inflateSync would create and tear down a zlib stream and allocate a new output
 * buffer for every block: for strips of a few rows that costs as much as the inflating itself.
 *
 * Node has no public synchronous API for this, so the zlib binding under a node:zlib Inflate object is
 * driven directly, as inflateSync itself drives it (write into a given output range, then reset for the
 * next stream). Its presence is checked when the first stream is inflated; where it is missing
 * (another Node), every call falls back to inflateSync plus a copy. Same output either way: a
 * truncated stream yields what it holds (Z_SYNC_FLUSH, as libtiff), a corrupt one throws.
 */
export class BlockInflater {
  private engine: ZlibEngine | null = null;
  private available: boolean;
  private error: string | null = null;

  /** `reuseStream` false: always take the inflateSync path (for tests). */
  constructor(reuseStream = true) {
    this.available = reuseStream;
  }

  /** True when the reused zlib stream is in use (false: the inflateSync fallback). */
  get reusesStream(): boolean {
    return this.available && (this.engine !== null || this.start() !== null);
  }

  /**
   * Inflates `input` into out[0 ..]; returns the number of bytes written, at most out.length. A stream
   * holding more returns out.length: callers that must tell "exactly full" from "more than fits" give
   * one byte more room than they accept and refuse a full buffer. Bytes of `out` past the count are
   * unspecified. `whole` false: `out` takes only the first bytes of the block (zlib stops there;
   * libdeflate would decode the whole stream for nothing).
   */
  inflateInto(input: Uint8Array, out: Uint8Array, whole = true): number {
    if (whole && nativeInflateOn) {
      const written = nativeInflate!(input, out);
      if (written >= 0) return written;
    }
    const engine = this.engine ?? this.start();
    if (engine === null) {
      let bytes: Uint8Array;
      try {
        bytes = inflateSync(input, { maxOutputLength: Math.max(1, out.length), finishFlush: zlibConstants.Z_SYNC_FLUSH });
      } catch (error) {
        if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return out.length;
        throw error;
      }
      out.set(bytes);
      return bytes.length;
    }
    const handle = engine._handle!;
    this.error = null;
    handle.writeSync(zlibConstants.Z_SYNC_FLUSH, input, 0, input.length, out, 0, out.length);
    if (this.error !== null) {
      const message = this.error;
      this.close(); // a stream that failed is not reused
      throw new Error(`Deflate data is corrupt (${message})`);
    }
    const written = out.length - engine._writeState[0]!;
    handle.reset();
    return written;
  }

  /** Releases the zlib stream (a later call starts a new one). */
  close(): void {
    this.engine?.close();
    this.engine = null;
  }

  private start(): ZlibEngine | null {
    if (!this.available) return null;
    const engine = zlibEngine();
    if (engine === null) {
      this.available = false;
      return null;
    }
    // errors are reported to us synchronously during writeSync (instead of destroying the stream object)
    engine._handle!.onerror = (message: string) => {
      this.error = message;
    };
    this.engine = engine;
    return engine;
  }
}

/** PackBits into `out`; returns the number of bytes written (never more than out.length). */
export function unpackBitsInto(input: Uint8Array, out: Uint8Array): number {
  const maxBytes = out.length;
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
  return o;
}

export function unpackBitsBounded(input: Uint8Array, maxBytes: number): Uint8Array {
  const out = new Uint8Array(maxBytes);
  const o = unpackBitsInto(input, out);
  return o === maxBytes ? out : out.subarray(0, o);
}

// LZW string table: entry k is the lzwLength[k] bytes starting at lzwStart[k] of the decode buffer.
// The buffer starts with a 256-byte dictionary holding the bytes 0..255, so literal codes are table
// entries like all others; every later entry is a run of output already written (the previous string
// plus the first byte of the one after it), so decoding any code is one copy from earlier in the buffer.
// Module-level: decoding is synchronous, so one table serves every call.
const lzwStart = new Int32Array(4096);
const lzwLength = new Uint16Array(4096);
for (let c = 0; c < 256; c++) {
  lzwStart[c] = c;
  lzwLength[c] = 1;
}

/** Bytes in front of the output that lzwDecodeInto uses as its literal dictionary. */
export const LZW_DICTIONARY_BYTES = 256;

/**
 * TIFF LZW (MSB-first codes, "early change" code-width switch). The output is written to
 * buffer[LZW_DICTIONARY_BYTES ..] and never past the buffer's end (at most buffer.length -
 * LZW_DICTIONARY_BYTES bytes); buffer[0 .. LZW_DICTIONARY_BYTES) is overwritten with the dictionary.
 * Returns the number of output bytes. Throws on invalid codes.
 */
export function lzwDecodeInto(input: Uint8Array, buffer: Uint8Array): number {
  if (buffer.length < LZW_DICTIONARY_BYTES) throw new RangeError('LZW buffer too small');
  if (input.length >= 2 && input[0] === 0 && (input[1]! & 1) === 1) {
    throw new Error('old-style (pre-TIFF 6) LZW is not supported');
  }
  const out = buffer;
  for (let c = 0; c < 256; c++) out[c] = c;
  const start = lzwStart;
  const length = lzwLength;
  const end = out.length;
  const n = input.length;
  let o = LZW_DICTIONARY_BYTES;
  // after CLEAR the first code must not define an entry; starting at 257 (EOI, whose entry is never
  // read) makes it define a harmless dummy instead and keeps the loop free of that special case
  let next = 257;
  let width = 9;
  let mask = 511;
  let prevStart = 0;
  let prevLength = 0;
  let pos = 0; // the next code starts at bit `bit` (0 = most significant) of input[pos]
  let bit = 0;
  const inView = new DataView(input.buffer, input.byteOffset, input.byteLength);
  const outView = new DataView(out.buffer, out.byteOffset, out.byteLength);

  while (o < end) {
    // (stops as soon as the block is full, like libtiff: whatever follows is not looked at)
    let code: number;
    if (pos + 3 < n) {
      code = (inView.getUint32(pos, false) >>> (32 - width - bit)) & mask;
    } else if (pos + 2 < n) {
      code = (((input[pos]! << 16) | (input[pos + 1]! << 8) | input[pos + 2]!) >>> (24 - width - bit)) & mask;
    } else {
      // the last bytes: stop when fewer than `width` bits are left (input ended without EOI)
      if ((n - pos) * 8 - bit < width) break;
      const b1 = pos + 1 < n ? input[pos + 1]! : 0;
      code = (((input[pos]! << 16) | (b1 << 8)) >>> (24 - width - bit)) & mask;
    }
    bit += width;
    pos += bit >> 3;
    bit &= 7;

    if ((code | 1) === 257) {
      if (code === 257) break; // EOI
      next = 257; // CLEAR
      width = 9;
      mask = 511;
      continue;
    }
    // every code defines entry `next`: the previous string plus the first byte of this one, which is
    // the run starting at prevStart (for code === next, the KwKwK case, the copy below writes that
    // byte before reading it)
    if (next < 4096) {
      start[next] = prevStart;
      length[next] = prevLength + 1;
      next++;
      if (next >= mask && width < 12) {
        width++;
        mask = (mask << 1) | 1;
      }
    }
    if (code >= next) throw new Error(`invalid LZW code ${code} (table has ${next} entries)`);
    const s = start[code]!;
    const len = length[code]!;
    if (len <= 4 && o + 4 <= end && code !== next - 1) {
      // short strings (most of them): one 4-byte copy, no loop to mispredict. The source ends before o
      // (only the entry just defined overlaps its destination); bytes past len are overwritten later.
      outView.setUint32(o, outView.getUint32(s, true), true);
    } else if (o + len > end) {
      for (let k = 0; o + k < end; k++) out[o + k] = out[s + k]!;
      o = end;
      break;
    } else if (len <= 16) {
      // in order, byte by byte: right even when the last source byte is out[o] itself (code next - 1)
      for (let k = 0; k < len; k++) out[o + k] = out[s + k]!;
    } else {
      // all but the last byte never overlap the destination; the last byte may be out[o] itself
      out.copyWithin(o, s, s + len - 1);
      out[o + len - 1] = out[s + len - 1]!;
    }
    prevStart = o;
    prevLength = len;
    o += len;
  }
  return o - LZW_DICTIONARY_BYTES;
}

/** TIFF LZW into a new buffer of at most maxBytes bytes. */
export function lzwDecodeBounded(input: Uint8Array, maxBytes: number): Uint8Array {
  const buffer = new Uint8Array(LZW_DICTIONARY_BYTES + maxBytes);
  const n = lzwDecodeInto(input, buffer);
  return buffer.subarray(LZW_DICTIONARY_BYTES, LZW_DICTIONARY_BYTES + n);
}

// --- after decompression -------------------------------------------------------------------------

/** Reverses the byte order of every `bytesPerSample`-byte sample in place (length must be a multiple). */
export function swapBytes(bytes: Uint8Array, bytesPerSample: number): void {
  if (bytesPerSample === 1 || bytes.length === 0) return;
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytesPerSample === 2) b.swap16();
  else if (bytesPerSample === 4) b.swap32();
  else b.swap64();
}

/**
 * Undoes horizontal differencing (Predictor 2) on `rows` rows of `rowSamples` samples each, starting at
 * sample index `first` of `data` (an unsigned view of the samples, already in host byte order):
 * sample i of a row += sample i - stride. Wraps modulo 2^bits, as TIFF defines.
 */
export function undoHorizontalPredictor(
  data: Uint8Array | Uint16Array | Uint32Array,
  first: number,
  rows: number,
  rowSamples: number,
  stride: number,
): void {
  if (rowSamples % stride !== 0) {
    for (let r = 0; r < rows; r++) {
      const rowStart = first + r * rowSamples;
      const end = rowStart + rowSamples;
      for (let i = rowStart + stride; i < end; i++) data[i] = data[i]! + data[i - stride]!; // the store wraps
    }
    return;
  }
  // one running sum per sample of the pixel, kept in registers (no reload of the sample just stored)
  let b = 0;
  for (; b + 4 <= stride; b += 4) accumulateInPlace4(data, first + b, rows, rowSamples, stride);
  for (; b < stride; b++) accumulateInPlace1(data, first + b, rows, rowSamples, stride);
}

// Sums are kept as int32 (| 0): congruent to the true sum modulo 2^32, so the typed-array store gives
// the sum modulo 2^8, 2^16 or 2^32 as Predictor 2 defines.

function accumulateInPlace4(data: Uint8Array | Uint16Array | Uint32Array, first: number, rows: number, rowSamples: number, stride: number): void {
  for (let r = 0; r < rows; r++) {
    const end = first + r * rowSamples + rowSamples;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (let i = first + r * rowSamples; i < end; i += stride) {
      a0 = (a0 + data[i]!) | 0;
      a1 = (a1 + data[i + 1]!) | 0;
      a2 = (a2 + data[i + 2]!) | 0;
      a3 = (a3 + data[i + 3]!) | 0;
      data[i] = a0;
      data[i + 1] = a1;
      data[i + 2] = a2;
      data[i + 3] = a3;
    }
  }
}

function accumulateInPlace1(data: Uint8Array | Uint16Array | Uint32Array, first: number, rows: number, rowSamples: number, stride: number): void {
  for (let r = 0; r < rows; r++) {
    const end = first + r * rowSamples + rowSamples;
    let a = 0;
    for (let i = first + r * rowSamples; i < end; i += stride) {
      a = (a + data[i]!) | 0;
      data[i] = a;
    }
  }
}

/**
 * Undoes the floating-point predictor (Predictor 3) on `rows` rows of `rowSamples` samples of
 * `bytesPerSample` bytes, starting at byte `firstByte` of `bytes`. Each row is stored as byte planes
 * (most significant bytes of all samples first), horizontally differenced byte-wise with stride
 * `stride`. The result is in host byte order whatever the file's byte order.
 * `scratch` must hold at least one row (rowSamples x bytesPerSample bytes).
 */
export function undoFloatPredictor(
  bytes: Uint8Array,
  firstByte: number,
  rows: number,
  rowSamples: number,
  bytesPerSample: number,
  stride: number,
  scratch: Uint8Array,
): void {
  const rowBytes = rowSamples * bytesPerSample;
  if (scratch.length < rowBytes) throw new Error('predictor scratch too small');
  for (let r = 0; r < rows; r++) {
    const rowStart = firstByte + r * rowBytes;
    const end = rowStart + rowBytes;
    for (let i = rowStart + stride; i < end; i++) bytes[i] = bytes[i]! + bytes[i - stride]!; // Uint8 store wraps
    scratch.set(bytes.subarray(rowStart, end));
    // plane p holds the p-th most significant byte of every sample
    for (let p = 0; p < bytesPerSample; p++) {
      const plane = p * rowSamples;
      let d = rowStart + (HOST_LITTLE_ENDIAN ? bytesPerSample - 1 - p : p);
      for (let j = 0; j < rowSamples; j++) {
        bytes[d] = scratch[plane + j]!;
        d += bytesPerSample;
      }
    }
  }
}
