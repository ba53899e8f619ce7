/**
 * Decodes a pixel window straight from the strips/tiles of a validated TIFF layout into planar
 * (band-sequential) arrays of the file's own sample type.
 *
 * For every block the window touches: read its stored bytes (synchronously: the work is synchronous
 * anyway; for uncompressed blocks only the rows and columns the window needs), decompress with a
 * bounded decoder (never more than the block's declared size), fix the byte order, undo the predictor
 * on the needed rows only (for integers fused with the copy), and copy the needed rows into the output
 * planes. Blocks a window uses only in part are kept decoded for the next windows (BLOCK_CACHE_BYTES).
 * All layouts shoutu accepts go through here: strips or tiles, chunky or planar, 8/16/32/64-bit samples,
 * either byte order, compression none/LZW/Deflate/PackBits/ZSTD/LERC/JPEG, predictor 1/2/3. Sparse
 * blocks (byte count 0) read as the GDAL nodata value (or 0), as GDAL does.
 *
 * JPEG blocks are decoded by sharp, which works asynchronously: JPEG layouts are read with readAsync,
 * which decodes the blocks of each row of blocks the window needs (in parallel), then copies them as
 * the synchronous path does. ZSTD and LERC run WebAssembly modules that loadDecoders instantiates.
 *
 * Errors are plain Errors (BlockDecodeError for a block that cannot be decoded); the caller turns them
 * into 'corrupt_raster'.
 */
import {
  BlockInflater,
  HOST_LITTLE_ENDIAN,
  LZW_DICTIONARY_BYTES,
  lzwDecodeInto,
  swapBytes,
  undoFloatPredictor,
  undoHorizontalPredictor,
  unpackBitsInto,
} from './block-decoders.js';
import { type Samples, accumulateLanesToPlanes, accumulateToPlanes, copyLaneToPlane, copyToPlanes } from './copy-kernels.js';
import { decodeJpegBlock } from './jpeg-decoder.js';
import { lercDataType, lercDecodeBlock, loadLerc } from './lerc-decoder.js';
import { type RasterInfo, type RasterLayout, decodeTableEntries, maxStoredBlockBytes, tableItemSize } from './raster-info.js';
import type { ByteReader } from './tiff-structure.js';
import { loadZstd, zstdDecodeBounded } from './zstd-decoder.js';

const JPEG = 7;
/** Why a block whose stored bytes the file does not hold in full cannot be decoded. */
const TRUNCATED = 'truncated (the file ends within its stored bytes)';
const LERC = 34887;
const ZSTD = 50000;

/**
 * Instantiates the WebAssembly decoders a layout needs (ZSTD, LERC), once per thread. Must be awaited
 * before a WindowDecoder reads such a layout.
 */
export async function loadDecoders(layout: Pick<RasterLayout, 'compression' | 'lercAdditional'>): Promise<void> {
  if (layout.compression === ZSTD || (layout.compression === LERC && layout.lercAdditional === 2)) await loadZstd();
  if (layout.compression === LERC) await loadLerc();
}

/** A block that cannot be decoded: which one, and why (`reason` does not name the block; the message does). */
export class BlockDecodeError extends Error {
  constructor(
    readonly block: number,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`block ${block}: ${reason}`, options);
    this.name = 'BlockDecodeError';
  }
}

/** Planar samples in the file's own type (float16 files: Float32Array, the narrowest exact JS type). */
export type NativeSamples = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/** How samples are held while decoding: float16 is kept as raw 16-bit words and converted at the end. */
type StorageKind = 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f16' | 'f32' | 'f64';

function storageKind(info: Pick<RasterInfo, 'sampleFormat' | 'bitsPerSample'>): StorageKind {
  const { sampleFormat: f, bitsPerSample: b } = info;
  if (f === 'float') return b === 16 ? 'f16' : b === 32 ? 'f32' : 'f64';
  if (f === 'int') return b === 8 ? 'i8' : b === 16 ? 'i16' : 'i32';
  return b === 8 ? 'u8' : b === 16 ? 'u16' : 'u32';
}

/** `reuse` when it is a float32 array of `count` values, else a new one. */
function floatTarget(reuse: NativeSamples | undefined, count: number): Float32Array {
  return reuse instanceof Float32Array && reuse.length === count ? reuse : new Float32Array(count);
}

function allocate(kind: StorageKind, n: number): Samples {
  switch (kind) {
    case 'u8': return new Uint8Array(n);
    case 'i8': return new Int8Array(n);
    case 'u16': case 'f16': return new Uint16Array(n);
    case 'i16': return new Int16Array(n);
    case 'u32': return new Uint32Array(n);
    case 'i32': return new Int32Array(n);
    case 'f32': return new Float32Array(n);
    case 'f64': return new Float64Array(n);
  }
}

/** A typed view of `count` samples at `byteOffset` (must be aligned to the sample size). */
function view(kind: StorageKind, buffer: ArrayBufferLike, byteOffset: number, count: number): Samples {
  switch (kind) {
    case 'u8': return new Uint8Array(buffer, byteOffset, count);
    case 'i8': return new Int8Array(buffer, byteOffset, count);
    case 'u16': case 'f16': return new Uint16Array(buffer, byteOffset, count);
    case 'i16': return new Int16Array(buffer, byteOffset, count);
    case 'u32': return new Uint32Array(buffer, byteOffset, count);
    case 'i32': return new Int32Array(buffer, byteOffset, count);
    case 'f32': return new Float32Array(buffer, byteOffset, count);
    case 'f64': return new Float64Array(buffer, byteOffset, count);
  }
}

/** Unsigned view for horizontal differencing (Predictor 2 is defined on 8/16/32-bit words). */
function unsignedView(bytesPerSample: number, bytes: Uint8Array): Uint8Array | Uint16Array | Uint32Array {
  const count = bytes.byteLength / bytesPerSample;
  if (bytesPerSample === 1) return bytes;
  if (bytesPerSample === 2) return new Uint16Array(bytes.buffer, bytes.byteOffset, count);
  if (bytesPerSample === 4) return new Uint32Array(bytes.buffer, bytes.byteOffset, count);
  throw new Error(`Predictor 2 is not defined for ${bytesPerSample * 8}-bit samples`);
}

let halfTable: Float32Array | null = null;
/** float16 bit pattern -> value, for all 65536 patterns. */
function float16Table(): Float32Array {
  if (halfTable === null) {
    const t = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) {
      const sign = h & 0x8000 ? -1 : 1;
      const exp = (h >> 10) & 0x1f;
      const frac = h & 0x3ff;
      if (exp === 0) t[h] = sign * frac * 2 ** -24;
      else if (exp === 31) t[h] = frac === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
      else t[h] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
    }
    halfTable = t;
  }
  return halfTable;
}

/** The raw value to fill sparse blocks with: GDAL nodata if the sample type can hold it, else 0. */
function sparseFill(kind: StorageKind, nodata: number | null): number {
  if (nodata === null) return 0;
  const ranges: Partial<Record<StorageKind, [number, number]>> = {
    u8: [0, 255], i8: [-128, 127], u16: [0, 65535], i16: [-32768, 32767], u32: [0, 4294967295], i32: [-2147483648, 2147483647],
  };
  const range = ranges[kind];
  if (range !== undefined) return Number.isInteger(nodata) && nodata >= range[0] && nodata <= range[1] ? nodata : 0;
  if (kind !== 'f16') return nodata;
  const table = float16Table();
  if (Number.isNaN(nodata)) return 0x7e00;
  const index = table.indexOf(Math.fround(nodata));
  return index >= 0 ? index : 0;
}

/**
 * Decoded blocks kept per open raster. A window that uses only part of a compressed strip or tile
 * (windows narrower than strips, windows not aligned to tiles, halos reaching into the neighbouring
 * tiles) keeps it, so that the next windows in raster order do not decode it again: with 512-pixel
 * windows every strip of a 4096-pixel-wide image would otherwise be decompressed eight times. A window
 * with a halo keeps the tiles it covers whole too (its neighbours' halos reach into them), but not the top
 * rows of a tile below it, which it inflates only as far as it needs (the next row of windows reads that
 * tile whole). When the cache is full, blocks the latest window has passed in raster order go first (rows
 * above it, and blocks left of it that end above its middle: a raster-order sweep does not come back to
 * them), then the oldest. At least this much is kept; a raster whose blocks are small enough gets room for
 * a row of its blocks and a few more (ROW_CACHE_BYTES at most), which a sweep of halo windows needs: at
 * 20000 pixels of 4 × 16-bit samples a row of 512² tiles is 80 MB (measured with 64 MB and no such rules:
 * every tile inflated twice, three times with the lattice's tiles aligned to the file's). Tile-aligned
 * windows without a halo and uncompressed blocks never use it. Freed by close().
 */
export const BLOCK_CACHE_BYTES = 64 * 1024 * 1024;
/**
 * The most a raster's row of blocks may take in the cache: a row of 512² tiles up to about 28,000 pixels of
 * four 16-bit bands or 83,000 of 8-bit RGB (wider rasters keep what fits). Each thread keeps a pair of
 * scenes open, so two threads may hold four such rows.
 */
export const ROW_CACHE_BYTES = 128 * 1024 * 1024;
/** Larger blocks are never kept (a strip of a few rows or a tile is far smaller)… */
const MAX_CACHED_BLOCK = BLOCK_CACHE_BYTES / 8;
/**
 * …except in files whose blocks are large (a whole image stored as one strip, as some writers do): there
 * the budget grows to hold one block of every plane, up to this much, and such blocks are kept — else
 * every window would inflate the strip again from its start (measured: a 6000² RGB pair stored as single
 * Deflate strips took 304 s to detect on, against 5 s tiled).
 */
const LARGE_BLOCK_CACHE_BYTES = 256 * 1024 * 1024;
/** Keep one reusable scratch buffer per raster when blocks are at most this big. */
const MAX_KEPT_SCRATCH = 16 * 1024 * 1024;
/** The window of a check (decodeBlock): nothing is copied into it. */
const NO_SAMPLES: Samples = new Uint8Array(0);
/** Buffers of dropped kept blocks held for the next blocks to keep (see keptBuffer). */
const MAX_SPARE_BUFFERS = 4;
/** Decoded bytes of asynchronously decoded (JPEG) blocks in flight at once (at least one block)… */
const ASYNC_BYTES_IN_FLIGHT = 64 * 1024 * 1024;
/** …and at most this many blocks. */
const MAX_ASYNC_IN_FLIGHT = 16;

/**
 * How many asynchronously decoded (JPEG) blocks of `blockBytes` a read or a check decodes at once: in
 * parallel on sharp's threads, but a row of huge blocks is not held whole.
 */
export function asyncBlocksInFlight(blockBytes: number): number {
  return Math.max(1, Math.min(MAX_ASYNC_IN_FLIGHT, Math.floor(ASYNC_BYTES_IN_FLIGHT / Math.max(1, blockBytes))));
}
/** Offset/byte-count tables up to this many entries are loaded once and kept. */
const MAX_CACHED_TABLE = 1 << 18;
/**
 * Uncompressed file reads span the gaps between the needed parts of rows when a gap is at most this many
 * bytes (or no longer than the part needed): a system call costs about as much as copying that much.
 */
const MAX_READ_GAP = 16 * 1024;

export class WindowDecoder {
  private readonly reader: ByteReader;
  private readonly littleEndian: boolean;
  private readonly layout: RasterLayout;
  private readonly width: number;
  private readonly height: number;
  private readonly bands: number;
  private readonly kind: StorageKind;
  private readonly bytesPerSample: number;
  /** samples per pixel inside one block: all bands (chunky) or 1 (planar) */
  private readonly spp: number;
  private readonly swap: boolean;
  private readonly fill: number;
  private readonly maxStored: number;
  /** whole offset/byte-count tables when small enough to keep (see MAX_CACHED_TABLE) */
  private tableOffsets: Float64Array | null = null;
  private tableCounts: Float64Array | null = null;
  /** the entries loadEntries found last */
  private entryOffsets: Float64Array = new Float64Array(0);
  private entryCounts: Float64Array = new Float64Array(0);
  private scratchBuffer: Uint8Array | null = null;
  /** scratchBuffer viewed as samples */
  private scratchSamples: Samples | null = null;
  /** the last other buffer asSamples saw (an in-memory source), viewed whole as samples */
  private otherBuffer: ArrayBufferLike | null = null;
  private otherSamples: Samples | null = null;
  private rowScratch: Uint8Array | null = null;
  /** native samples of the last readFloat32 window (never handed out) */
  private windowScratch: Samples | null = null;
  /** stored (compressed) bytes of the block being decoded, for file sources */
  private storedBuffer: Uint8Array | null = null;
  /** set between decodeBlock calls and endChecks: scratch memory for blocks over MAX_KEPT_SCRATCH is kept */
  private checking = false;
  /** set during a read({ lastUse }): no later read needs these blocks (see read) */
  private lastUse = false;
  /**
   * Decoded blocks a window used only part of, oldest first (see BLOCK_CACHE_BYTES): `samples` as
   * decoded (pixel-interleaved rows), or, when `planeSamples` is set, one plane
   * per band of `planeSamples` samples (rows of blockWidth): chunky blocks with several bands are kept
   * de-interleaved, so each later window that cuts the block copies plane rows.
   */
  private readonly cache = new Map<number, CachedBlock>();
  private cacheBytes = 0;
  private cacheBudget: number;
  /** The budget of a row of blocks (every band), or null when fixed (the constructor's cacheBytes, large blocks). */
  private readonly rowBudget: number | null;
  /** Bytes of a row of blocks and a few more, every band (what the budget is made from). */
  private readonly blockRow: number;
  /** the largest block kept in the cache */
  private readonly maxKeptBlock: number;
  /** buffers made by keptBuffer (only these are reused once their block is dropped) */
  private readonly ownBuffers = new WeakSet<ArrayBufferLike>();
  private spareBuffers: Uint8Array[] = [];
  /** Deflate: one zlib stream reused for every block (also the Deflate layer of LERC) */
  private inflater: BlockInflater | null = null;
  private readonly lercType: number | null;
  private readonly alphaLast: boolean;
  /** where uncompressedRegion left its result: samples, index of the first needed sample, row stride */
  private regionSamples: Samples | null = null;
  private regionFirst = 0;
  private regionStride = 0;
  /** the latest window read: its left column, top row and middle row (passed) */
  private sweepLeft = 0;
  private sweepTop = 0;
  private sweepMiddle = 0;
  /** kept blocks the current window counts on (blockRanges did not fetch them): never dropped until it is decoded */
  private readonly pinnedBlocks = new Set<number>();
  /** The bands a chunky block kept de-interleaved holds (keepPlanes); null: every band. */
  private keptPlanes: readonly number[] | null = null;
  /** The bands the current read returns, in order (read's `planes`); null: every band in file order. */
  private readPlanes: readonly number[] | null = null;
  /** A chunky block de-interleaved whole, when only some of its planes are kept (see keepPlanes). */
  private planesScratch: Samples | null = null;

  /** `cacheBytes`: budget of the kept blocks (default BLOCK_CACHE_BYTES, more for large blocks; tests use less) */
  constructor(reader: ByteReader, littleEndian: boolean, layout: RasterLayout, info: RasterInfo, cacheBytes?: number) {
    this.reader = reader;
    const planes = layout.planarConfiguration === 2 ? info.bands : 1;
    const largeBlocks = cacheBytes === undefined && layout.blockBytes > MAX_CACHED_BLOCK && planes * layout.blockBytes <= LARGE_BLOCK_CACHE_BYTES;
    const blockRow = (layout.blocksAcross + 8) * planes * layout.blockBytes;
    this.blockRow = blockRow;
    this.rowBudget = cacheBytes === undefined && !largeBlocks ? Math.max(BLOCK_CACHE_BYTES, Math.min(ROW_CACHE_BYTES, blockRow)) : null;
    this.cacheBudget = cacheBytes ?? this.rowBudget ?? Math.max(BLOCK_CACHE_BYTES, planes * layout.blockBytes);
    this.maxKeptBlock = largeBlocks ? layout.blockBytes : MAX_CACHED_BLOCK;
    this.littleEndian = littleEndian;
    this.layout = layout;
    this.width = info.width;
    this.height = info.height;
    this.bands = info.bands;
    this.kind = storageKind(info);
    this.bytesPerSample = layout.bytesPerSample;
    this.spp = layout.planarConfiguration === 2 ? 1 : info.bands;
    this.swap = layout.bytesPerSample > 1 && littleEndian !== HOST_LITTLE_ENDIAN;
    this.fill = sparseFill(this.kind, info.nodata);
    this.maxStored = maxStoredBlockBytes(layout);
    this.lercType = lercDataType(info.sampleFormat, info.bitsPerSample);
    this.alphaLast = layout.alphaLast && layout.bytesPerSample === 1 && this.spp === info.bands && info.bands > 1;
  }

  /**
   * From now on, chunky blocks kept decoded hold only `planes` of their bands (ascending band indices; null:
   * every band again). Why: a tile job of a many-band pair reads a few of its bands (detection/pass-planes.ts),
   * and a row of 13-band blocks is most of what a thread holds. Reads of other planes decode such a block
   * again (and keep these planes of it). Blocks already kept stay until they are dropped. Planar files keep
   * whichever planes were read (a read of some planes decodes only theirs). Either way the cache's budget
   * becomes a row of blocks of those planes: the cache fills up to its budget, so a budget for every band
   * would hold as much memory as before. JPEG files (three bands at most) keep every band.
   */
  keepPlanes(planes: readonly number[] | null): void {
    const chosen = planes === null || this.decodesAsync ? null : this.planesOf(planes, 'keepPlanes');
    this.keptPlanes = this.spp === 1 ? null : chosen;
    // a row of blocks of those planes is what the sweep needs kept (the cache fills up to its budget)
    if (this.rowBudget !== null) {
      const share = chosen === null ? 1 : chosen.length / this.bands;
      this.cacheBudget = Math.max(BLOCK_CACHE_BYTES, Math.min(this.rowBudget, Math.ceil(this.blockRow * share)));
    }
  }

  /** `planes` checked (ascending band indices), or null when they are every band. */
  private planesOf(planes: readonly number[], what: string): readonly number[] | null {
    if (planes.length === 0 || planes.some((b, i) => !Number.isInteger(b) || b < 0 || b >= this.bands || (i > 0 && b <= planes[i - 1]!))) {
      throw new Error(`${what}: planes must be ascending band indices below ${this.bands}, got ${planes.join(', ')}`);
    }
    return planes.length === this.bands ? null : planes;
  }

  /** True for layouts read with readAsync (JPEG); read and readFloat32 refuse them. */
  get decodesAsync(): boolean {
    return this.layout.compression === JPEG;
  }

  /**
   * readAsync: the same window as read (or readFloat32 with `float32`), for every layout; the only way
   * to read JPEG layouts. Windows read concurrently on one decoder do not disturb each other: state
   * shared between calls (the block cache) is only touched between awaits.
   */
  async readAsync(x0: number, y0: number, width: number, height: number, float32: boolean, reuse?: NativeSamples): Promise<NativeSamples> {
    if (!this.decodesAsync) return float32 ? this.readFloat32(x0, y0, width, height, reuse instanceof Float32Array ? reuse : undefined) : this.read(x0, y0, width, height, reuse);
    const count = width * height * this.bands;
    const native = await this.decodeIntoAsync(x0, y0, width, height, this.fits(reuse, count) && (!float32 || this.kind === 'f32') ? (reuse as Samples) : allocate(this.kind, count));
    if (!float32 || native instanceof Float32Array) return native;
    const out = floatTarget(reuse, count);
    out.set(native);
    return out;
  }

  /** Whether `reuse` can receive a window of `count` samples: that many, of this raster's sample type. */
  private fits(reuse: NativeSamples | undefined, count: number): boolean {
    return reuse !== undefined && reuse.length === count && this.kind !== 'f16' && reuse.constructor === allocate(this.kind, 0).constructor;
  }

  /**
   * Reads window [x0, x0+width) x [y0, y0+height) (already checked to lie inside the raster) of all
   * bands, planar: band b at (x, y) is out[b*width*height + y*width + x].
   */
  /**
   * `reuse`, when an array of the window's size and of this raster's sample type, receives the window.
   * `lastUse`: no later read needs the blocks' other rows (a thread's last halo rows): nothing is kept,
   * and a Deflate block read from its top is inflated only down to the window's last row.
   * `planes`: only these bands (ascending indices), planar in that order; planar files decode only their blocks.
   */
  read(x0: number, y0: number, width: number, height: number, reuse?: NativeSamples, lastUse = false, planes?: readonly number[]): NativeSamples {
    const chosen = planes === undefined ? null : this.planesOf(planes, 'read');
    const count = width * height * (chosen === null ? this.bands : chosen.length);
    this.lastUse = lastUse;
    this.readPlanes = chosen;
    try {
      return this.decodeInto(x0, y0, width, height, this.fits(reuse, count) ? (reuse as Samples) : allocate(this.kind, count));
    } finally {
      this.lastUse = false;
      this.readPlanes = null;
    }
  }

  /**
   * The same window as Float32Array: decoded into a reused native buffer, then converted in one pass
   * (no second window-sized allocation per call). `reuse`, when exactly the window's size, receives it.
   */
  readFloat32(x0: number, y0: number, width: number, height: number, reuse?: Float32Array, lastUse = false): Float32Array {
    this.lastUse = lastUse;
    try {
      return this.decodeFloat32(x0, y0, width, height, reuse);
    } finally {
      this.lastUse = false;
    }
  }

  private decodeFloat32(x0: number, y0: number, width: number, height: number, reuse?: Float32Array): Float32Array {
    const count = width * height * this.bands;
    const target = () => floatTarget(reuse, count);
    if (this.kind === 'f32' || this.kind === 'f16' || count * this.bytesPerSample > MAX_KEPT_SCRATCH) {
      const native = this.read(x0, y0, width, height, this.kind === 'f32' ? reuse : undefined, this.lastUse);
      if (native instanceof Float32Array) return native;
      const out = target();
      out.set(native);
      return out;
    }
    if (this.windowScratch === null || this.windowScratch.length < count) {
      this.windowScratch = allocate(this.kind, Math.max(count, Math.floor(MAX_KEPT_SCRATCH / this.bytesPerSample / 4)));
    }
    const native = this.decodeInto(x0, y0, width, height, this.windowScratch.subarray(0, count));
    const out = target();
    out.set(native);
    return out;
  }

  private decodeInto(x0: number, y0: number, width: number, height: number, out: Samples): NativeSamples {
    this.sweepAt(x0, y0, height);
    for (const row of this.blockRowsOf(x0, y0, width, height)) {
      const at = this.loadEntries(row.firstIndex, row.bx1 - row.bx0 + 1);
      const offsets = this.entryOffsets;
      const counts = this.entryCounts;
      for (let bx = row.bx0; bx <= row.bx1; bx++) this.copyBlock(row, bx, offsets[at + bx - row.bx0]!, counts[at + bx - row.bx0]!, x0, y0, width, height, out);
    }
    this.pinnedBlocks.clear();
    return this.finish(out);
  }

  /**
   * Decodes block `index` (plane index / (blocksAcross·blocksDown) when planar) whole, as a window read
   * would, and drops the result: for checking that a file's blocks decode, one block at a time. Throws
   * (BlockDecodeError naming the block) where a window read would; sparse blocks pass without a decode
   * (they hold nothing). What cannot fail — undoing a predictor, copying into a window — is not done, and
   * the decode buffer is kept for the next block whatever its size until endChecks: a file of blocks of
   * up to MAX_BLOCK_BYTES costs one of them, not one per block waiting for the collector. Asynchronous
   * only for layouts read with readAsync (JPEG). `verified`: stored byte ranges already checked (with the
   * block's size), which are not decoded again — a file may point many blocks at the same bytes.
   */
  decodeBlock(index: number, verified?: Set<string>): void | Promise<void> {
    const { blockWidth: bw, blockHeight: bh, blocksAcross, blocksDown } = this.layout;
    const inPlane = index % (blocksAcross * blocksDown);
    const rows = Math.min(bh, this.height - Math.floor(inPlane / blocksAcross) * bh);
    const cols = Math.min(bw, this.width - (inPlane % blocksAcross) * bw);
    const at = this.loadEntries(index, 1);
    const offset = this.entryOffsets[at]!;
    const count = this.entryCounts[at]!;
    if (count === 0) return;
    if (verified !== undefined) {
      const key = `${offset}:${count}:${rows}:${cols}`;
      if (verified.has(key)) return;
      verified.add(key);
    }
    this.checking = true;
    // the whole block is the window (nothing is kept in the block cache), decoded and checked, not copied
    const check = (given: Uint8Array | null) => this.block(index, offset, count, rows, 0, rows, 0, cols, NO_SAMPLES, 0, rows * cols, cols, given, true);
    if (!this.decodesAsync || this.cache.has(index)) return check(null);
    return this.decodeJpeg(index, offset, count).then(check);
  }

  /** After a check with decodeBlock: scratch memory over MAX_KEPT_SCRATCH is let go. */
  endChecks(): void {
    this.checking = false;
    if (this.scratchBuffer !== null && this.scratchBuffer.length > MAX_KEPT_SCRATCH) {
      this.scratchBuffer = null;
      this.scratchSamples = null;
    }
  }

  /** The file planes whose blocks a read of `planes` decodes: those planes when planar, else the one plane of pixels. */
  private planesDecoded(planes: readonly number[] | null): readonly number[] {
    if (this.layout.planarConfiguration !== 2) return [0];
    return planes ?? Array.from({ length: this.bands }, (_, b) => b);
  }

  /** Whether block `index` is kept decoded with every band the current read returns. */
  private holds(index: number, planes: readonly number[] | null = this.readPlanes): boolean {
    const cached = this.cache.get(index);
    return cached !== undefined && covers(cached, this.spp > 1 ? planes : null);
  }

  /** The rows of blocks a window touches, plane by plane: what both decode paths walk. */
  private blockRowsOf(x0: number, y0: number, width: number, height: number): BlockRow[] {
    const { blockWidth: bw, blockHeight: bh, blocksAcross, blocksDown } = this.layout;
    const planes = this.planesDecoded(this.readPlanes);
    const bx0 = Math.floor(x0 / bw);
    const bx1 = Math.floor((x0 + width - 1) / bw);
    const by0 = Math.floor(y0 / bh);
    const by1 = Math.floor((y0 + height - 1) / bh);
    const rows: BlockRow[] = [];
    for (let slot = 0; slot < planes.length; slot++) {
      const p = planes[slot]!;
      for (let by = by0; by <= by1; by++) {
        const top = by * bh;
        const rowsInBlock = Math.min(bh, this.height - top);
        rows.push({
          p,
          slot,
          top,
          rowsInBlock,
          r0: Math.max(y0, top) - top,
          r1: Math.min(y0 + height, top + rowsInBlock) - top,
          firstIndex: p * blocksAcross * blocksDown + by * blocksAcross + bx0,
          bx0,
          bx1,
        });
      }
    }
    return rows;
  }

  /** Copies the window's part of block `bx` of a block row into `out` (decoding it unless `decoded` is given). */
  private copyBlock(row: BlockRow, bx: number, offset: number, count: number, x0: number, y0: number, width: number, height: number, out: Samples, decoded?: Uint8Array): void {
    const bw = this.layout.blockWidth;
    const n = width * height;
    const left = bx * bw;
    const c0 = Math.max(x0, left) - left;
    const c1 = Math.min(x0 + width, left + bw) - left;
    const dst = row.slot * n + (row.top + row.r0 - y0) * width + (left + c0 - x0);
    this.block(row.firstIndex + bx - row.bx0, offset, count, row.rowsInBlock, row.r0, row.r1, c0, c1, out, dst, n, width, decoded);
  }

  /**
   * decodeInto for layouts whose blocks decode asynchronously (JPEG): per row of blocks, the blocks that
   * are neither kept nor sparse are decoded in parallel, then every block is copied as decodeInto does.
   */
  private async decodeIntoAsync(x0: number, y0: number, width: number, height: number, out: Samples): Promise<NativeSamples> {
    this.sweepAt(x0, y0, height);
    for (const row of this.blockRowsOf(x0, y0, width, height)) {
      const at = this.loadEntries(row.firstIndex, row.bx1 - row.bx0 + 1);
      const offsets = this.entryOffsets;
      const counts = this.entryCounts;
      const waiting: number[] = [];
      for (let bx = row.bx0; bx <= row.bx1; bx++) {
        const index = row.firstIndex + bx - row.bx0;
        const k = at + bx - row.bx0;
        if (counts[k] === 0 || this.holds(index)) {
          // kept or sparse: copied now, while the cache still holds it
          this.copyBlock(row, bx, offsets[k]!, counts[k]!, x0, y0, width, height, out);
        } else {
          waiting.push(bx);
        }
      }
      const batch = asyncBlocksInFlight(this.layout.blockBytes);
      for (let first = 0; first < waiting.length; first += batch) {
        const part = waiting.slice(first, first + batch);
        const decoded = await Promise.all(part.map((bx) => this.decodeJpeg(row.firstIndex + bx - row.bx0, offsets[at + bx - row.bx0]!, counts[at + bx - row.bx0]!)));
        part.forEach((bx, i) => {
          const k = at + bx - row.bx0;
          this.copyBlock(row, bx, offsets[k]!, counts[k]!, x0, y0, width, height, out, decoded[i]!);
        });
      }
    }
    this.pinnedBlocks.clear();
    return this.finish(out);
  }

  /** Decodes JPEG block `index` (its stored bytes are read synchronously, before the first await). */
  private decodeJpeg(index: number, offset: number, count: number): Promise<Uint8Array> {
    try {
      this.checkStored(index, offset, count);
      const stored = this.reader.readShared(offset, count);
      if (stored.byteLength !== count) throw new BlockDecodeError(index, TRUNCATED);
      const { blockWidth, blockHeight } = this.layout;
      return decodeJpegBlock(this.layout.jpegTables, stored, { width: blockWidth, maxRows: blockHeight, components: this.spp, ycbcr: this.layout.photometric === 6 }).catch(
        (error: unknown) => {
          throw new BlockDecodeError(index, error instanceof Error ? error.message : String(error), { cause: error });
        },
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private checkStored(index: number, offset: number, count: number): void {
    if (!(count <= this.maxStored) || !(offset + count <= this.reader.size)) {
      throw new BlockDecodeError(index, `its ${count} stored bytes at ${offset} lie outside the file or are implausibly many`);
    }
  }

  /** The window as returned: float16 raw words converted to float32, else `out` itself. */
  private finish(out: Samples): NativeSamples {
    if (this.kind === 'f16') {
      const table = float16Table();
      const raw = out as Uint16Array;
      const f = new Float32Array(raw.length);
      for (let i = 0; i < raw.length; i++) f[i] = table[raw[i]!]!;
      return f;
    }
    return out as NativeSamples;
  }

  /**
   * Makes entryOffsets/entryCounts hold the entries of blocks [first, first+count); returns the index
   * of block `first` in them.
   */
  private loadEntries(first: number, count: number): number {
    const { offsetsEntry, byteCountsEntry, blockCount } = this.layout;
    if (this.tableOffsets === null && blockCount <= MAX_CACHED_TABLE) {
      this.tableOffsets = this.readTable(offsetsEntry, 0, blockCount);
      this.tableCounts = this.readTable(byteCountsEntry, 0, blockCount);
    }
    if (this.tableOffsets !== null && this.tableCounts !== null) {
      this.entryOffsets = this.tableOffsets;
      this.entryCounts = this.tableCounts;
      return first;
    }
    this.entryOffsets = this.readTable(offsetsEntry, first, count);
    this.entryCounts = this.readTable(byteCountsEntry, first, count);
    return 0;
  }

  private readTable(entry: RasterLayout['offsetsEntry'], first: number, count: number): Float64Array {
    const itemSize = tableItemSize(entry);
    const bytes = this.reader.readShared(entry.dataOffset + first * itemSize, count * itemSize);
    if (bytes.byteLength !== count * itemSize) throw new Error('the block offset/byte-count table is truncated');
    return decodeTableEntries(bytes, itemSize, this.littleEndian);
  }

  /** A reusable aligned byte buffer of at least `bytes` bytes (contents undefined). */
  private scratch(bytes: number): Uint8Array {
    if (bytes > MAX_KEPT_SCRATCH && !this.checking) return new Uint8Array(bytes);
    if (this.scratchBuffer === null || this.scratchBuffer.length < bytes) {
      const size = Math.max(bytes, Math.min(MAX_KEPT_SCRATCH, this.layout.blockBytes + LZW_DICTIONARY_BYTES));
      this.scratchBuffer = new Uint8Array(Math.ceil(size / 8) * 8); // whole 8-byte samples, for the sample view
      this.scratchSamples = null;
    }
    return this.scratchBuffer.subarray(0, bytes);
  }

  /**
   * `bytes` (host-order samples at an offset aligned to the sample size) as samples: sets regionSamples
   * to a view of the whole underlying buffer and regionFirst to the index of bytes' first sample. Views
   * of the scratch buffer and of the last other buffer (an in-memory source) are kept, so reading strip
   * after strip creates no new views.
   */
  private asSamples(bytes: Uint8Array): void {
    const buffer = bytes.buffer;
    let samples: Samples;
    if (this.scratchBuffer !== null && buffer === this.scratchBuffer.buffer) {
      if (this.scratchSamples === null) this.scratchSamples = this.wholeView(buffer);
      samples = this.scratchSamples;
    } else if (this.otherSamples !== null && buffer === this.otherBuffer) {
      samples = this.otherSamples;
    } else {
      samples = this.wholeView(buffer);
      this.otherBuffer = buffer;
      this.otherSamples = samples;
    }
    this.regionSamples = samples;
    this.regionFirst = bytes.byteOffset / this.bytesPerSample;
  }

  private wholeView(buffer: ArrayBufferLike): Samples {
    return view(this.kind, buffer, 0, Math.floor(buffer.byteLength / this.bytesPerSample));
  }

  /**
   * Decodes rows [r0, r1) x columns [c0, c1) of block `index` (rowsInBlock rows lie inside the image)
   * into `out` at `dst`. `given`: the block already decompressed (JPEG, by readAsync).
   */
  private block(
    index: number,
    offset: number,
    count: number,
    rowsInBlock: number,
    r0: number,
    r1: number,
    c0: number,
    c1: number,
    out: Samples,
    dst: number,
    planeSize: number,
    dstRowStride: number,
    given: Uint8Array | null = null,
    checkOnly = false,
  ): void {
    const spp = this.spp;
    const rows = r1 - r0;
    const cols = c1 - c0;
    const rowSamples = this.layout.blockWidth * spp;
    // the bands of a chunky block this read returns (planar layouts pick their planes by block)
    const pick = spp > 1 ? this.readPlanes : null;
    const cached = this.cache.size === 0 || given !== null ? undefined : this.cache.get(index);
    if (cached !== undefined && covers(cached, pick)) {
      if (checkOnly) return;
      if (cached.planeSamples !== undefined) this.copyFromPlanes(cached.samples, cached.planeSamples, cached.planes ?? null, r0, c0, out, dst, planeSize, dstRowStride, cols, rows);
      else this.copyBands(cached.samples, r0 * rowSamples + c0 * spp, rowSamples, out, dst, planeSize, dstRowStride, cols, rows);
      return;
    }
    if (count === 0) {
      for (let b = 0; b < (pick?.length ?? spp); b++) {
        for (let r = 0; r < rows; r++) {
          const d = dst + b * planeSize + r * dstRowStride;
          out.fill(this.fill, d, d + cols);
        }
      }
      return;
    }
    this.checkStored(index, offset, count);
    const bps = this.bytesPerSample;
    const rowBytes = rowSamples * bps;
    const needed = rowsInBlock * rowBytes;
    // A compressed block this window uses only part of is likely needed by the next window too: kept
    // decoded. So is one a halo window covers whole: its neighbours' halos reach into it.
    const colsInBlock = Math.min(this.layout.blockWidth, this.width - (index % this.layout.blocksAcross) * this.layout.blockWidth);
    const partial = c0 > 0 || c1 < colsInBlock || r0 > 0 || r1 < rowsInBlock;
    const deflate = this.layout.compression === 8 || this.layout.compression === 32946;
    // The top quarter or less of a Deflate tile, the window ending inside it: a tile below the window (its
    // halo reaches in), which a raster-order sweep reads whole with its next row of windows. Not kept, so
    // the cache holds one row of tiles, not two, and inflated only as far as the window needs.
    const below = deflate && r0 === 0 && r1 < rowsInBlock && 4 * r1 <= rowsInBlock && this.layout.blocksAcross > 1 && given === null;
    const halo = !partial && (dstRowStride > cols || planeSize > rows * dstRowStride);
    const keep = !this.lastUse && !below && (partial || halo) && needed <= this.maxKeptBlock;
    // the top rows of a Deflate block, for the last time or until the next row of windows: the stream is
    // inflated only that far
    const prefix = below || (this.lastUse && r0 === 0 && r1 < rowsInBlock && given === null && deflate);

    if (this.layout.compression === 1) {
      // (never kept: reading just the needed part again costs less than keeping the block)
      if (count < needed) throw new BlockDecodeError(index, `stores ${count} bytes, ${needed} expected (uncompressed)`);
      if (checkOnly) return;
      this.uncompressedRegion(index, offset, rowBytes, r0, r1, c0, c1);
      this.copyBands(this.regionSamples!, this.regionFirst, this.regionStride, out, dst, planeSize, dstRowStride, cols, rows);
      return;
    }

    // A chunky block of integer samples with several bands is kept de-interleaved (predictor undone on the
    // way, on the SIMD kernel where it applies): decoded into scratch memory, then into its planes.
    const keepPlanar = keep && spp > 1 && this.kind !== 'f32' && this.kind !== 'f64' && this.layout.predictor !== 3;
    let decoded: Uint8Array;
    if (given !== null) {
      decoded = given;
    } else {
      const stored = this.readStored(offset, count);
      if (stored.byteLength !== count) throw new BlockDecodeError(index, TRUNCATED);
      try {
        decoded = prefix ? this.inflatePrefix(stored, r1 * rowBytes) : this.decompress(stored, keep && !keepPlanar, rowsInBlock);
      } catch (error) {
        throw new BlockDecodeError(index, error instanceof Error ? error.message : String(error), { cause: error });
      }
    }
    const expected = prefix ? r1 * rowBytes : needed;
    if (decoded.byteLength < expected) throw new BlockDecodeError(index, `decodes to ${decoded.byteLength} bytes, ${expected} expected`);
    if (checkOnly) return;
    if (decoded.byteOffset % bps !== 0) decoded = new Uint8Array(decoded); // aligned copy (our decoders already align)
    // rows to make ready: all of them for a block to keep, else only the window's
    const first = keep ? 0 : r0;
    const region = decoded.subarray(first * rowBytes, (keep ? rowsInBlock : r1) * rowBytes);
    const predictor = this.layout.predictor;
    if (keepPlanar) {
      if (this.swap) swapBytes(region, bps);
      const blockWidth = this.layout.blockWidth;
      const planeSamples = blockWidth * rowsInBlock;
      // every plane into the kept buffer, or, when only some are kept, into scratch memory first
      const keptPlanes = this.planesToKeep(pick);
      const keptBytes = keptPlanes === null ? needed : keptPlanes.length * planeSamples * bps;
      const kept = keptPlanes === null ? this.keptBuffer(keptBytes) : this.keptBuffer(keptBytes, Math.ceil((keptPlanes.length * blockWidth * this.layout.blockHeight * bps) / 8) * 8);
      const keptSamples = view(this.kind, kept.buffer, kept.byteOffset, keptBytes / bps);
      if (predictor === 2 && keptPlanes !== null) {
        // only the planes kept: their differencing undone straight into the kept buffer
        accumulateLanesToPlanes(unsignedView(bps, region), 0, rowSamples, spp, keptPlanes, 0, blockWidth, keptSamples, 0, planeSamples, blockWidth, rowsInBlock);
      } else {
        const planes = keptPlanes === null ? keptSamples : this.wholeBlockPlanes(needed / bps);
        if (predictor === 2) accumulateToPlanes(unsignedView(bps, region), 0, rowSamples, spp, 0, blockWidth, planes, 0, planeSamples, blockWidth, rowsInBlock);
        else copyToPlanes(view(this.kind, region.buffer, region.byteOffset, region.byteLength / bps), 0, rowSamples, spp, planes, 0, planeSamples, blockWidth, blockWidth, rowsInBlock);
        if (keptPlanes !== null) keptPlanes.forEach((b, k) => keptSamples.set(planes.subarray(b * planeSamples, (b + 1) * planeSamples) as never, k * planeSamples));
      }
      this.keepBlock(index, kept, planeSamples, keptPlanes);
      this.copyFromPlanes(keptSamples, planeSamples, keptPlanes, r0, c0, out, dst, planeSize, dstRowStride, cols, rows);
      return;
    }
    if (predictor === 2 && this.kind !== 'f32' && !keep) {
      // integer (or raw float16) samples: undo the differencing while copying, in one pass (of the bands
      // read only, when some are)
      if (this.swap) swapBytes(region, bps);
      if (pick === null) accumulateToPlanes(unsignedView(bps, region), 0, rowSamples, spp, c0, c1, out, dst, planeSize, dstRowStride, rows);
      else accumulateLanesToPlanes(unsignedView(bps, region), 0, rowSamples, spp, pick, c0, c1, out, dst, planeSize, dstRowStride, rows);
      return;
    }
    const readyRows = region.byteLength / rowBytes;
    if (predictor === 3) {
      if (this.rowScratch === null || this.rowScratch.length < rowBytes) this.rowScratch = new Uint8Array(rowBytes);
      undoFloatPredictor(region, 0, readyRows, rowSamples, bps, spp, this.rowScratch);
    } else {
      if (this.swap) swapBytes(region, bps);
      if (predictor === 2) undoHorizontalPredictor(unsignedView(bps, region), 0, readyRows, rowSamples, spp);
    }
    if (keep) this.keepBlock(index, region);
    else this.asSamples(region);
    this.copyBands(this.regionSamples!, this.regionFirst + (r0 - first) * rowSamples + c0 * spp, rowSamples, out, dst, planeSize, dstRowStride, cols, rows);
  }

  /**
   * Pixel-interleaved samples (spp a pixel, rows `rowStride` apart, from `start`) into the planes of `out`: every
   * band, or the bands the current read returns.
   */
  private copyBands(src: Samples, start: number, rowStride: number, out: Samples, dst: number, planeSize: number, dstRowStride: number, cols: number, rows: number): void {
    const pick = this.spp > 1 ? this.readPlanes : null;
    if (pick === null) {
      copyToPlanes(src, start, rowStride, this.spp, out, dst, planeSize, dstRowStride, cols, rows);
      return;
    }
    for (let k = 0; k < pick.length; k++) copyLaneToPlane(src, start + pick[k]!, rowStride, this.spp, out, dst + k * planeSize, dstRowStride, cols, rows);
  }

  /**
   * Rows [r0, r0 + rows) × columns [c0, c0 + cols) of a block kept as planes (planeSamples each; `held`: the
   * bands they are, null: every band) into `out`: every band, or the bands the current read returns.
   */
  private copyFromPlanes(planes: Samples, planeSamples: number, held: readonly number[] | null, r0: number, c0: number, out: Samples, dst: number, planeSize: number, dstRowStride: number, cols: number, rows: number): void {
    const blockWidth = this.layout.blockWidth;
    const pick = this.readPlanes;
    const count = pick === null ? this.spp : pick.length;
    for (let k = 0; k < count; k++) {
      const band = pick === null ? k : pick[k]!;
      const at = held === null ? band : held.indexOf(band);
      copyToPlanes(planes, at * planeSamples + r0 * blockWidth + c0, blockWidth, 1, out, dst + k * planeSize, planeSize, dstRowStride, cols, rows);
    }
  }

  /**
   * The bands a chunky block decoded for a read of `pick` (null: every band) is kept with: those keepPlanes
   * named and those the read asked for (null: every band). Why the read's too: a reader of every band (the
   * alert stage's evidence, between a tile job's windows) then finds the block whole when it reads it
   * again, instead of decoding it anew for each of its windows.
   */
  private planesToKeep(pick: readonly number[] | null): readonly number[] | null {
    const kept = this.keptPlanes;
    if (kept === null || pick === null) return null;
    if (pick.every((b) => kept.includes(b))) return kept;
    const union = [...new Set([...kept, ...pick])].sort((a, b) => a - b);
    return union.length === this.bands ? null : union;
  }

  /** Scratch planes for a whole block of `samples` values (kept for the next block). */
  private wholeBlockPlanes(samples: number): Samples {
    if (this.planesScratch === null || this.planesScratch.length < samples) this.planesScratch = allocate(this.kind, samples);
    return this.planesScratch.subarray(0, samples);
  }

  /** Records the window being read: where a raster-order sweep has got to (see passed). */
  private sweepAt(x0: number, y0: number, height: number): void {
    this.sweepLeft = x0;
    this.sweepTop = y0;
    this.sweepMiddle = y0 + height / 2;
  }

  /**
   * Whether block `index` lies behind the latest window in raster order: above its top, or left of it and
   * ending above its middle (a sweep's next row of windows starts about a window's height lower, below
   * such a block, whatever its halo).
   */
  private passed(index: number): boolean {
    const { blockWidth: bw, blockHeight: bh, blocksAcross, blocksDown } = this.layout;
    const inPlane = index % (blocksAcross * blocksDown);
    const bottom = Math.min(this.height, (Math.floor(inPlane / blocksAcross) + 1) * bh);
    const right = Math.min(this.width, ((inPlane % blocksAcross) + 1) * bw);
    return bottom <= this.sweepTop || (right <= this.sweepLeft && bottom <= this.sweepMiddle);
  }

  /**
   * Adds a ready block (host-order samples, predictor undone; not scratch memory) to the cache: rows as
   * decoded, or planes of `planeSamples` samples.
   */
  private keepBlock(index: number, bytes: Uint8Array, planeSamples?: number, planes: readonly number[] | null = null): void {
    const samples = view(this.kind, bytes.buffer, bytes.byteOffset, bytes.byteLength / this.bytesPerSample);
    // a block kept with fewer planes than a later read wanted is replaced by the one decoded for it
    const replaced = this.cache.get(index);
    if (replaced !== undefined) this.dropKept(index, replaced);
    const entry: CachedBlock = { samples, bytes: bytes.byteLength };
    if (planeSamples !== undefined) entry.planeSamples = planeSamples;
    if (planes !== null) entry.planes = planes;
    this.cache.set(index, entry);
    this.cacheBytes += bytes.byteLength;
    // blocks the sweep has passed first, then the oldest
    for (const passedOnly of [true, false]) {
      for (const [key, entry] of this.cache) {
        if (this.cacheBytes <= this.cacheBudget) break;
        if (this.pinnedBlocks.has(key) || (passedOnly && !this.passed(key))) continue;
        this.dropKept(key, entry);
      }
    }
    this.regionSamples = samples;
    this.regionFirst = 0;
  }

  /** Forgets kept block `key`, holding its buffer for the next block to keep. */
  private dropKept(key: number, entry: CachedBlock): void {
    this.cache.delete(key);
    this.cacheBytes -= entry.bytes;
    const buffer = (entry.samples as unknown as ArrayBufferView).buffer;
    // (large blocks' buffers are not held spare: up to four of them would be a lot of memory)
    // (the latest ones: blocks kept with some of their planes leave buffers of another size)
    if (this.ownBuffers.has(buffer) && entry.bytes <= MAX_CACHED_BLOCK) {
      this.spareBuffers.push(new Uint8Array(buffer));
      if (this.spareBuffers.length > MAX_SPARE_BUFFERS) this.spareBuffers.shift();
    }
  }

  /**
   * For sources that must fetch bytes before the synchronous decode (range reads): the [start, end) file
   * ranges of the offset/byte-count table entries reading this window needs and that are not loaded yet —
   * the whole tables when they are small enough to keep.
   */
  tableRanges(x0: number, y0: number, width: number, height: number, planes?: readonly number[]): Array<[number, number]> {
    const { offsetsEntry, byteCountsEntry, blockCount, blockWidth: bw, blockHeight: bh, blocksAcross, blocksDown } = this.layout;
    if (this.tableOffsets !== null) return [];
    const entries = [offsetsEntry, byteCountsEntry];
    if (blockCount <= MAX_CACHED_TABLE) {
      return entries.map((e) => [e.dataOffset, e.dataOffset + blockCount * tableItemSize(e)] as [number, number]);
    }
    const bx0 = Math.floor(x0 / bw);
    const bx1 = Math.floor((x0 + width - 1) / bw);
    const ranges: Array<[number, number]> = [];
    for (const p of this.planesDecoded(planes === undefined ? null : this.planesOf(planes, 'tableRanges'))) {
      for (let by = Math.floor(y0 / bh); by <= Math.floor((y0 + height - 1) / bh); by++) {
        const first = p * blocksAcross * blocksDown + by * blocksAcross + bx0;
        for (const e of entries) {
          const size = tableItemSize(e);
          ranges.push([e.dataOffset + first * size, e.dataOffset + (first + bx1 - bx0 + 1) * size]);
        }
      }
    }
    return ranges;
  }

  /**
   * The [start, end) file ranges of the stored blocks this window needs, per row of blocks (image rows
   * [y0, y1) of the window): compressed blocks whole, uncompressed ones only the needed rows; blocks kept
   * decoded from an earlier window are left out (and kept until this window is read), sparse and invalid
   * blocks too (the decode fills or refuses them). The table ranges (tableRanges) must be readable.
   */
  blockRanges(x0: number, y0: number, width: number, height: number, planes?: readonly number[]): Array<{ y0: number; y1: number; ranges: Array<[number, number]> }> {
    const { blockWidth: bw, blockHeight: bh, blocksAcross, blocksDown } = this.layout;
    const chosen = planes === undefined ? null : this.planesOf(planes, 'blockRanges');
    const rowBytes = bw * this.spp * this.bytesPerSample;
    const bx0 = Math.floor(x0 / bw);
    const bx1 = Math.floor((x0 + width - 1) / bw);
    const rows: Array<{ y0: number; y1: number; ranges: Array<[number, number]> }> = [];
    for (let by = Math.floor(y0 / bh); by <= Math.floor((y0 + height - 1) / bh); by++) {
      const top = by * bh;
      const r0 = Math.max(y0, top) - top;
      const r1 = Math.min(y0 + height, top + Math.min(bh, this.height - top)) - top;
      const ranges: Array<[number, number]> = [];
      for (const p of this.planesDecoded(chosen)) {
        const firstIndex = p * blocksAcross * blocksDown + by * blocksAcross + bx0;
        const at = this.loadEntries(firstIndex, bx1 - bx0 + 1);
        for (let k = 0; k <= bx1 - bx0; k++) {
          const index = firstIndex + k;
          const offset = this.entryOffsets[at + k]!;
          const count = this.entryCounts[at + k]!;
          if (this.holds(index, chosen)) {
            this.pinnedBlocks.add(index);
            continue;
          }
          if (count === 0 || !(count <= this.maxStored) || !(offset + count <= this.reader.size)) continue;
          if (this.layout.compression === 1) ranges.push([offset + r0 * rowBytes, offset + r1 * rowBytes]);
          else ranges.push([offset, offset + count]);
        }
      }
      rows.push({ y0: top + r0, y1: top + r1, ranges });
    }
    return rows;
  }

  /** Drops the cached blocks and releases the buffers and the zlib stream. */
  clear(): void {
    this.pinnedBlocks.clear();
    this.cache.clear();
    this.cacheBytes = 0;
    this.spareBuffers = [];
    this.inflater?.close();
    this.inflater = null;
    this.scratchBuffer = null;
    this.scratchSamples = null;
    this.otherBuffer = null;
    this.otherSamples = null;
    this.rowScratch = null;
    this.storedBuffer = null;
    this.windowScratch = null;
  }

  /** The stored bytes of a block: a view of in-memory sources, else read into a reusable buffer. */
  private readStored(offset: number, count: number): Uint8Array {
    if (this.reader.sharesMemory) return this.reader.readShared(offset, count);
    let target: Uint8Array;
    if (count > MAX_KEPT_SCRATCH) {
      target = new Uint8Array(count);
    } else {
      if (this.storedBuffer === null || this.storedBuffer.length < count) {
        this.storedBuffer = new Uint8Array(Math.max(count, Math.min(MAX_KEPT_SCRATCH, this.layout.blockBytes)));
      }
      target = this.storedBuffer;
    }
    return target.subarray(0, this.reader.readInto(offset, count, target, 0));
  }

  /**
   * A buffer of at least `bytes` bytes for a block to keep: a dropped kept block's buffer when one of `size` is
   * spare, else a new one of `size` (by default what every block fits in), so that it can be reused in turn.
   */
  private keptBuffer(bytes: number, size = Math.ceil((this.layout.blockBytes + LZW_DICTIONARY_BYTES + 1) / 8) * 8): Uint8Array {
    if (bytes > size) return new Uint8Array(bytes);
    // spares of this size only: a block kept with some of its planes takes a buffer sized for those
    const at = this.spareBuffers.findIndex((spare) => spare.length === size);
    if (at >= 0) return this.spareBuffers.splice(at, 1)[0]!.subarray(0, bytes);
    const buffer = new Uint8Array(size);
    this.ownBuffers.add(buffer.buffer);
    return buffer.subarray(0, bytes);
  }

  /** Inflates a zlib stream into `target`; throws when it holds more than `max` bytes. */
  /** The first `bytes` bytes a Deflate block decodes to (fewer when it holds fewer), into scratch memory. */
  private inflatePrefix(stored: Uint8Array, bytes: number): Uint8Array {
    this.inflater ??= new BlockInflater();
    const target = this.scratch(bytes);
    return target.subarray(0, this.inflater.inflateInto(stored, target, false));
  }

  private inflate(stored: Uint8Array, target: Uint8Array, max: number, what: string): Uint8Array {
    this.inflater ??= new BlockInflater();
    const n = this.inflater.inflateInto(stored, target.subarray(0, max + 1));
    if (n > max) throw new Error(`${what} decodes to more than ${max} bytes`);
    return target.subarray(0, n);
  }

  /**
   * Decompresses one block (at most blockBytes bytes); into scratch memory unless `fresh` (ZSTD and LERC
   * always return fresh memory). `rowsInBlock`: rows of the block inside the image (LERC strips hold
   * just those).
   */
  private decompress(stored: Uint8Array, fresh: boolean, rowsInBlock: number): Uint8Array {
    const max = this.layout.blockBytes;
    switch (this.layout.compression) {
      case 8:
      case 32946:
        return this.inflate(stored, fresh ? this.keptBuffer(max + 1) : this.scratch(max + 1), max, 'Deflate block');
      case 5: {
        const target = fresh ? this.keptBuffer(LZW_DICTIONARY_BYTES + max) : this.scratch(LZW_DICTIONARY_BYTES + max);
        return target.subarray(LZW_DICTIONARY_BYTES, LZW_DICTIONARY_BYTES + lzwDecodeInto(stored, target));
      }
      case 32773: {
        const target = fresh ? this.keptBuffer(max) : this.scratch(max);
        return target.subarray(0, unpackBitsInto(stored, target));
      }
      case ZSTD:
        return zstdDecodeBounded(stored, max);
      case LERC:
        return this.decodeLerc(stored, rowsInBlock);
      default:
        throw new Error(`compression ${this.layout.compression} cannot be decoded synchronously`);
    }
  }

  /** LERC block: the Deflate or ZSTD layer first (if any), then the LERC blob. */
  private decodeLerc(stored: Uint8Array, rowsInBlock: number): Uint8Array {
    const { blockBytes, blockWidth, blockHeight, tiled, lercAdditional } = this.layout;
    if (this.lercType === null) throw new Error('LERC does not hold this sample type');
    // the room libtiff's LERC codec gives the blob under a Deflate or ZSTD layer
    const maxBlob = 256 + blockBytes + Math.floor(blockBytes / 3);
    let blob = stored;
    if (lercAdditional === 1) blob = this.inflate(stored, this.scratch(maxBlob + 1), maxBlob, 'the Deflate layer of a LERC block');
    else if (lercAdditional === 2) blob = zstdDecodeBounded(stored, maxBlob);
    return lercDecodeBlock(blob, {
      width: blockWidth,
      rows: tiled ? blockHeight : rowsInBlock,
      samplesPerPixel: this.spp,
      dataType: this.lercType,
      bytesPerSample: this.bytesPerSample,
      alphaLast: this.alphaLast,
    });
  }

  /**
   * Rows [r0, r1) x columns [c0, c1) of an uncompressed block at `offset` as host-order samples: sets
   * regionSamples, regionFirst (index of sample (r0, c0)) and regionStride (samples from row to row).
   * In-memory sources are used in place; files are read only where the window needs (plus small gaps).
   */
  private uncompressedRegion(index: number, offset: number, rowBytes: number, r0: number, r1: number, c0: number, c1: number): void {
    const bps = this.bytesPerSample;
    const pixelBytes = this.spp * bps;
    const rows = r1 - r0;
    const wantBytes = (c1 - c0) * pixelBytes;
    const start = offset + r0 * rowBytes + c0 * pixelBytes;
    const span = (rows - 1) * rowBytes + wantBytes;
    const gap = rowBytes - wantBytes;
    const reader = this.reader;
    this.regionStride = rowBytes / bps;
    if (reader.sharesMemory) {
      const bytes = reader.readShared(start, span);
      if (bytes.byteLength !== span) throw new BlockDecodeError(index, TRUNCATED);
      if (!this.swap && bytes.byteOffset % bps === 0) {
        this.asSamples(bytes);
        return;
      }
      const copy = this.scratch(span);
      copy.set(bytes);
      if (this.swap) swapBytes(copy, bps);
      this.asSamples(copy);
      return;
    }
    if (rows === 1 || gap <= MAX_READ_GAP || gap <= wantBytes) {
      // one read, gaps included: cheaper than a system call per row while the gaps are small
      const target = this.scratch(span);
      if (reader.readInto(start, span, target, 0) !== span) throw new BlockDecodeError(index, TRUNCATED);
      if (this.swap) swapBytes(target, bps);
      this.asSamples(target);
      return;
    }
    const target = this.scratch(rows * wantBytes);
    for (let r = 0; r < rows; r++) {
      if (reader.readInto(start + r * rowBytes, wantBytes, target, r * wantBytes) !== wantBytes) {
        throw new BlockDecodeError(index, TRUNCATED);
      }
    }
    if (this.swap) swapBytes(target, bps);
    this.asSamples(target);
    this.regionStride = wantBytes / bps;
  }
}

/** One row of blocks of one plane, and the rows [r0, r1) of it a window takes. */
/**
 * A block kept decoded: `samples` as decoded (pixel-interleaved rows), or, with `planeSamples`, one plane of
 * that many samples per band held: every band, or the bands `planes` names (keepPlanes).
 */
interface CachedBlock {
  samples: Samples;
  bytes: number;
  planeSamples?: number;
  planes?: readonly number[];
}

/** Whether a kept block holds every band in `planes` (null: every band of the file). */
function covers(block: CachedBlock, planes: readonly number[] | null): boolean {
  const held = block.planes;
  if (held === undefined) return true;
  return planes !== null && planes.every((b) => held.includes(b));
}

interface BlockRow {
  /** the file plane (planar layouts; 0 for chunky ones) */
  p: number;
  /** the window's plane the row is copied to (its place among the planes read) */
  slot: number;
  top: number;
  rowsInBlock: number;
  r0: number;
  r1: number;
  firstIndex: number;
  bx0: number;
  bx1: number;
}
