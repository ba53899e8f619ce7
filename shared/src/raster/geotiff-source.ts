/**
 * Opening GeoTIFFs (local path or bytes) and reading pixel windows.
 *
 * The header, first IFD, georeferencing and GDAL tags are parsed and checked by shoutu's own defensive
 * reader (tiff-structure.ts, raster-info.ts); pixel windows are decoded by shoutu's own block decoder
 * (window-decoder.ts, block-decoders.ts), whose output never exceeds a block's declared size. Every
 * problem with the file surfaces as an InvalidInputError naming the file and the offending tag.
 */
import { InvalidInputError, NotFoundError, ShoutuError } from '../errors.js';
import {
  type RasterInfo,
  type RasterLayout,
  layoutCompressionName,
  readGdalTags,
  alphaBandOf,
  readGeoreferencing,
  readLayout,
  validateBlockTables,
} from './raster-info.js';
import { type FetchedBytes, type RangeByteReader, type RangeFetcher, type RangeReaderOptions, isRangeByteReader, openRangeReader } from './range-reader.js';
import { type ByteReader, type TiffDirectory, Tag, bytesReader, checkIfdChain, fileReader, readFirstDirectory, readNextDirectory, readNumbers } from './tiff-structure.js';
import { unpackMaskBits } from './mask-bits.js';
import { asyncBlocksInFlight, BlockDecodeError, type NativeSamples, WindowDecoder, loadDecoders } from './window-decoder.js';

export type { RasterInfo } from './raster-info.js';
export type { NativeSamples } from './window-decoder.js';

export interface GeoTiffRaster {
  readonly info: RasterInfo;
  /**
   * Reads window [x0, x0+width) × [y0, y0+height) of all bands as planar Float32Array (band-sequential:
   * band b at (x,y) is out[b*w*h + y*w + x]). Window must be inside the raster (else InvalidInputError
   * field 'window'). Values are exact for 8/16-bit integers and float16/float32; 32-bit integers beyond
   * 2^24 and float64 are rounded to float32. Pixel data that cannot be decoded -> InvalidInputError
   * 'corrupt_raster'.
   * `reuse` (optional): an array of exactly width·height·bands values the caller no longer needs; the
   * window may be written into it instead of a new array. Use the returned array.
   * `lastUse`: see readWindowNative.
   */
  readWindow(x0: number, y0: number, width: number, height: number, reuse?: Float32Array, lastUse?: boolean): Promise<Float32Array>;
  /**
   * Same window, same planar order and errors as readWindow, but in the file's own sample type without
   * conversion: Uint8Array / Int8Array / Uint16Array / Int16Array / Uint32Array / Int32Array /
   * Float32Array / Float64Array for uint8 / int8 / uint16 / int16 / uint32 / int32 / float32 / float64
   * files (see `nativeArrayType`). float16 files, which JavaScript has no array type for, give an exact
   * Float32Array.
   *
   * For local files and bytes both reads decode synchronously before the promise is returned (local
   * files are read with synchronous positional reads), except for JPEG files, whose blocks sharp decodes
   * on its threads; remote sources first fetch the window's blocks (only those), then decode. Missing
   * (sparse) blocks read as the GDAL nodata value, or 0. `reuse` as in readWindow (an array of this
   * raster's native type). `lastUse`: no later read needs the rest of the window's blocks (local files:
   * nothing is kept for later windows, and Deflate blocks read from their top are inflated only as far
   * as the window reaches).
   * `planes`: only these bands (ascending indices), planar in that order; `reuse` then of that many planes.
   */
  readWindowNative(x0: number, y0: number, width: number, height: number, reuse?: NativeSamples, lastUse?: boolean, planes?: readonly number[]): Promise<NativeSamples>;
  /**
   * From now on, blocks kept decoded between windows hold only `planes` of the bands (ascending indices; null:
   * every band again): a reader that asks for only those (readWindowNative's `planes`) keeps less. Reads of
   * other bands still give them, decoding such blocks again. See WindowDecoder.keepPlanes.
   */
  keepPlanes(planes: readonly number[] | null): void;
  /**
   * The internal mask over a window (info.internalMask): 1 where the image covers the ground, 0 where not,
   * one byte a pixel in row order; null for a file without one. Errors as readWindow.
   */
  readMaskWindow(x0: number, y0: number, width: number, height: number): Promise<Uint8Array | null>;
  close(): Promise<void>;
}

/**
 * Where a GeoTIFF is: a local path, bytes in memory, or a remote object read by byte ranges (HTTP(S)
 * URL or S3 key: see remote/open-remote.ts), fetching only the header and the blocks windows need.
 */
export type GeoTiffSource = { path: string } | { bytes: Uint8Array } | { remote: RangeFetcher; options?: RangeReaderOptions };

/** Opens the byte reader of a source (the bytes are not copied). */
export async function openByteReader(source: GeoTiffSource, name: string): Promise<ByteReader> {
  if ('bytes' in source) {
    if (!(source.bytes instanceof Uint8Array)) throw new TypeError('openGeoTiff: bytes must be a Uint8Array');
    return bytesReader(source.bytes);
  }
  if ('remote' in source) return openRangeReader(source.remote, source.options);
  return fileReader(source.path, name);
}

/**
 * Largest window (pixels × bands) one readWindow / readWindowNative call may return: 2^28 values = 1 GiB
 * of Float32 (2 GiB for readWindowNative of float64 files).
 */
export const MAX_WINDOW_VALUES = 1 << 28;

/** verifyBlocks gives the event loop a turn at least this often (ms). */
const VERIFY_YIELD_MS = 50;

/** Name of the typed array readWindowNative returns for a raster with this sample format and size. */
export function nativeArrayType(info: Pick<RasterInfo, 'sampleFormat' | 'bitsPerSample'>): string {
  const { sampleFormat: f, bitsPerSample: b } = info;
  if (f === 'float') return b === 64 ? 'Float64Array' : 'Float32Array';
  return `${f === 'int' ? 'Int' : 'Uint'}${b}Array`;
}

class Raster implements GeoTiffRaster {
  readonly info: RasterInfo;
  private readonly name: string;
  private readonly reader: ByteReader;
  private readonly layout: RasterLayout;
  private readonly decoder: WindowDecoder;
  private closed = false;

  /** the internal mask read as the 8-bit image of its bytes (readLayout's packedBits), sharing the reader */
  private readonly mask: Raster | null;

  constructor(name: string, reader: ByteReader, info: RasterInfo, layout: RasterLayout, littleEndian: boolean, mask: Raster | null = null) {
    this.name = name;
    this.reader = reader;
    this.info = info;
    this.layout = layout;
    this.decoder = new WindowDecoder(reader, littleEndian, layout, info);
    this.mask = mask;
  }

  async readMaskWindow(x0: number, y0: number, width: number, height: number): Promise<Uint8Array | null> {
    const mask = this.mask;
    if (mask === null) return null;
    this.checkWindow(x0, y0, width, height);
    const first = x0 >> 3;
    const rowBytes = ((x0 + width + 7) >> 3) - first;
    const bytes = (await mask.readWindowNative(first, y0, rowBytes, height).catch((error: unknown) => Promise.reject(maskError(error, this.name)))) as Uint8Array;
    const out = new Uint8Array(width * height);
    unpackMaskBits(bytes, rowBytes, x0 & 7, width, height, out);
    return out;
  }

  readWindowNative(x0: number, y0: number, width: number, height: number, reuse?: NativeSamples, lastUse = false, planes?: readonly number[]): Promise<NativeSamples> {
    if (planes !== undefined && !validPlanes(planes, this.info.bands)) {
      return Promise.reject(new RangeError(`${this.name}: planes must be ascending band indices below ${this.info.bands}, got ${planes.join(', ')}`));
    }
    if (planes !== undefined && this.decoder.decodesAsync) return this.readWindowNative(x0, y0, width, height, undefined, lastUse).then((all) => pickPlanes(all, width * height, planes, this.info.bands));
    if (isRangeByteReader(this.reader)) return this.remoteRead(this.reader, x0, y0, width, height, false, reuse, planes);
    if (this.decoder.decodesAsync) return this.decodeAsync(x0, y0, width, height, false, reuse);
    try {
      return Promise.resolve(this.decode(x0, y0, width, height, false, reuse, lastUse, planes));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  keepPlanes(planes: readonly number[] | null): void {
    this.decoder.keepPlanes(planes);
  }

  readWindow(x0: number, y0: number, width: number, height: number, reuse?: Float32Array, lastUse = false): Promise<Float32Array> {
    if (isRangeByteReader(this.reader)) return this.remoteRead(this.reader, x0, y0, width, height, true, reuse) as Promise<Float32Array>;
    if (this.decoder.decodesAsync) return this.decodeAsync(x0, y0, width, height, true, reuse) as Promise<Float32Array>;
    try {
      return Promise.resolve(this.decode(x0, y0, width, height, true, reuse, lastUse) as Float32Array);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * A window of a remote source, fetched into bytes of its own (FetchedBytes) and decoded from them.
   * Windows of layouts that decode synchronously are fetched while other windows of the file are fetched
   * or decoded, their stored bytes counted in reader.budget; the others (JPEG, whose fetched bytes stay
   * held across awaits), and windows needing more than reader.windowFetchBytes of stored bytes, take the
   * whole budget and are read alone, the large ones in bands of block rows of at most that many bytes.
   */
  private async remoteRead(reader: RangeByteReader, x0: number, y0: number, width: number, height: number, float32: boolean, reuse?: NativeSamples, planes?: readonly number[]): Promise<NativeSamples> {
    this.checkWindow(x0, y0, width, height);
    try {
      if (!this.decoder.decodesAsync) {
        const out = await this.fetchAndDecode(reader, x0, y0, width, height, float32, null, true, reuse, planes);
        if (out !== null) return out;
      }
      const giveBack = await reader.budget.acquireAll();
      try {
        return await this.remoteReadAlone(reader, x0, y0, width, height, float32, reuse, planes);
      } finally {
        giveBack();
      }
    } catch (error) {
      throw this.decodeError(error, x0, y0, width, height);
    }
  }

  /** remoteRead holding the whole of reader.budget. */
  private async remoteReadAlone(reader: RangeByteReader, x0: number, y0: number, width: number, height: number, float32: boolean, reuse?: NativeSamples, planes?: readonly number[]): Promise<NativeSamples> {
    // the block tables, then how the window's stored bytes split into bands
    let tables: FetchedBytes | null = null;
    const missing = reader.missingRanges(this.decoder.tableRanges(x0, y0, width, height, planes), null);
    if (missing.length > 0) tables = await reader.fetchRanges(missing, null);
    reader.hold(tables);
    let bands: BlockRows;
    try {
      bands = groupBlockRows(this.decoder.blockRanges(x0, y0, width, height, planes), reader.windowFetchBytes);
    } finally {
      reader.release();
    }
    if (bands.length === 1) return (await this.fetchAndDecode(reader, x0, y0, width, height, float32, tables, false, reuse, planes))!;
    let out: NativeSamples | null = null;
    const planeCount = planes?.length ?? this.info.bands;
    for (const band of bands) {
      const rows = band.y1 - band.y0;
      const part = (await this.fetchAndDecode(reader, x0, band.y0, width, rows, float32, tables, false, undefined, planes))!;
      const Type = part.constructor as new (n: number) => NativeSamples;
      const n = width * height * planeCount;
      out ??= reuse !== undefined && reuse.constructor === Type && reuse.length === n ? reuse : new Type(n);
      for (let b = 0; b < planeCount; b++) {
        out.set(part.subarray(b * width * rows, (b + 1) * width * rows) as never, b * width * height + (band.y0 - y0) * width);
      }
    }
    return out!;
  }

  /**
   * Fetches what a window needs into `start`'s bytes and decodes it. The decoder's state (block tables
   * loaded, blocks kept decoded) is shared with the file's other windows, whose decodes change it between
   * awaits; so what the window needs is worked out again right before the decode, synchronously, and
   * anything missing then is fetched and the check repeated. From that check the decode runs without a
   * break (JPEG's asynchronous decode runs alone). Each round adds bytes and drops none, so the rounds end:
   * one, unless another window's decode dropped a kept block this one counted on.
   * `shared`: count the bytes in reader.budget, and return null instead of fetching more than
   * windowFetchBytes; else the caller holds the whole budget.
   */
  private async fetchAndDecode(
    reader: RangeByteReader,
    x0: number,
    y0: number,
    width: number,
    height: number,
    float32: boolean,
    start: FetchedBytes | null,
    shared: boolean,
    reuse?: NativeSamples,
    planes?: readonly number[],
  ): Promise<NativeSamples | null> {
    let fetched = start;
    let acquired = 0; // bytes of reader.budget this window holds
    const giveBack: Array<() => void> = [];
    try {
      for (let round = 0; ; round++) {
        let missing: Array<[number, number]>;
        let tablesMissing: boolean;
        reader.hold(fetched);
        try {
          // the block tables first: blockRanges reads them
          const tables = this.decoder.tableRanges(x0, y0, width, height, planes);
          missing = reader.missingRanges(tables, fetched);
          tablesMissing = missing.length > 0;
          if (!tablesMissing) missing = reader.missingRanges([...tables, ...this.decoder.blockRanges(x0, y0, width, height, planes).flatMap((row) => row.ranges)], fetched);
          if (missing.length === 0) return this.decoder.decodesAsync ? await this.decodeAsync(x0, y0, width, height, float32, reuse) : this.decode(x0, y0, width, height, float32, reuse, false, planes);
        } finally {
          reader.release();
        }
        if (tablesMissing && round === 0) {
          // through the header cache, which the file's other windows share (later rounds fetch them as the window's own)
          for (const [s, e] of missing) await reader.read(s, e - s);
          continue;
        }
        if (shared) {
          const need = (fetched?.bytes ?? 0) - (start?.bytes ?? 0) + missing.reduce((sum, [s, e]) => sum + (e - s), 0);
          if (need > reader.windowFetchBytes) return null;
          if (acquired === 0) {
            giveBack.push(await reader.budget.acquire(need));
            acquired = need;
            continue; // while it waited, other windows may have fetched and decoded what this one lacks
          }
          // Adding to what it holds never waits: two windows each holding part of the budget would wait on each other.
          if (need > acquired) giveBack.push(reader.budget.takeNow(need - acquired));
          acquired = Math.max(acquired, need);
        }
        fetched = await reader.fetchRanges(missing, fetched);
      }
    } finally {
      for (const give of giveBack) give();
    }
  }

  /** decode, for layouts whose blocks decode asynchronously (WindowDecoder.decodesAsync). */
  private async decodeAsync(x0: number, y0: number, width: number, height: number, float32: boolean, reuse?: NativeSamples): Promise<NativeSamples> {
    this.checkWindow(x0, y0, width, height);
    try {
      return this.checkLength(await this.decoder.readAsync(x0, y0, width, height, float32, reuse), width, height);
    } catch (error) {
      throw this.decodeError(error, x0, y0, width, height);
    }
  }

  private checkLength(out: NativeSamples, width: number, height: number, planes = this.info.bands): NativeSamples {
    const n = width * height * planes;
    if (out.length !== n) throw new Error(`decoder returned ${out.length} values, expected ${n}`);
    return out;
  }

  private checkWindow(x0: number, y0: number, width: number, height: number): void {
    if (this.closed) throw new Error(`${this.name}: raster is closed`);
    const { width: W, height: H, bands } = this.info;
    const ints = [x0, y0, width, height].every((v) => Number.isSafeInteger(v));
    if (!ints || x0 < 0 || y0 < 0 || width < 1 || height < 1 || x0 + width > W || y0 + height > H) {
      throw new InvalidInputError(
        'window_out_of_bounds',
        `${this.name}: window x=${x0} y=${y0} ${width}x${height} is not inside the ${W}x${H} raster`,
        { file: this.name, field: 'window' },
      );
    }
    if (width * height * bands > MAX_WINDOW_VALUES) {
      throw new InvalidInputError('window_too_large', `${this.name}: window ${width}x${height}x${bands} is too large to read at once`, {
        file: this.name,
        field: 'window',
      });
    }
  }

  private decode(x0: number, y0: number, width: number, height: number, float32: boolean, reuse?: NativeSamples, lastUse = false, planes?: readonly number[]): NativeSamples {
    this.checkWindow(x0, y0, width, height);
    try {
      const out = float32 ? this.decoder.readFloat32(x0, y0, width, height, reuse instanceof Float32Array ? reuse : undefined, lastUse) : this.decoder.read(x0, y0, width, height, reuse, lastUse, planes);
      return this.checkLength(out, width, height, planes?.length);
    } catch (error) {
      throw this.decodeError(error, x0, y0, width, height);
    }
  }

  private decodeError(error: unknown, x0: number, y0: number, width: number, height: number): unknown {
    if (error instanceof ShoutuError || error instanceof NotFoundError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new InvalidInputError(
      'corrupt_raster',
      `${this.name}: cannot decode pixels of window x=${x0} y=${y0} ${width}x${height}: ${message}`,
      { file: this.name, field: this.layout.tiled ? 'TileOffsets' : 'StripOffsets', cause: error },
    );
  }

  /** See verifyBlocks. */
  async verifyBlocks(part: BlockPart = { index: 0, of: 1 }): Promise<void> {
    if (this.closed) throw new Error(`${this.name}: raster is closed`);
    if (isRangeByteReader(this.reader)) throw new Error(`${this.name}: verifyBlocks reads local files and bytes, not remote sources`);
    if (!Number.isInteger(part.of) || part.of < 1 || !Number.isInteger(part.index) || part.index < 0 || part.index >= part.of) {
      throw new RangeError(`verifyBlocks: part ${part.index} of ${part.of} is not one of the parts`);
    }
    const { blockCount, blocksAcross, blockBytes } = this.layout;
    const from = Math.floor((part.index * blockCount) / part.of);
    const to = Math.floor(((part.index + 1) * blockCount) / part.of);
    try {
      await this.checkEveryBlock(from, to, blocksAcross, blockBytes);
    } finally {
      this.decoder.endChecks();
    }
    // the internal mask decides which pixels count: its blocks are checked with the image's
    await this.mask?.verifyBlocks(part).catch((error: unknown) => Promise.reject(maskError(error, this.name)));
  }

  private async checkEveryBlock(from: number, to: number, blocksAcross: number, blockBytes: number): Promise<void> {
    const verified = new Set<string>();
    // JPEG blocks decode in parallel, as many at once as in a window read
    const inFlight = asyncBlocksInFlight(blockBytes);
    let lastYield = performance.now();
    let decoding: Array<Promise<void>> = [];
    const settle = async (): Promise<void> => {
      const failed = (await Promise.allSettled(decoding)).find((r) => r.status === 'rejected');
      decoding = [];
      if (failed !== undefined) throw failed.reason;
    };
    for (let index = from; index < to; index++) {
      try {
        const pending = this.decoder.decodeBlock(index, verified);
        if (pending !== undefined) {
          decoding.push(
            pending.catch((error: unknown) => {
              throw this.blockError(error, index);
            }),
          );
        }
      } catch (error) {
        await Promise.allSettled(decoding);
        throw this.blockError(error, index);
      }
      if (decoding.length >= inFlight || (index + 1) % blocksAcross === 0) await settle();
      // Let timers run (a queue worker's lock renewal, heartbeats) during a long check.
      if (performance.now() - lastYield > VERIFY_YIELD_MS) {
        await settle();
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
    }
    await settle();
  }

  /** A block verifyBlocks could not decode, as 'corrupt_raster' naming the block, where it lies and why. */
  private blockError(error: unknown, index: number): unknown {
    if (error instanceof ShoutuError || error instanceof NotFoundError) return error;
    const block = error instanceof BlockDecodeError ? error.block : index;
    const reason = error instanceof BlockDecodeError ? error.reason : error instanceof Error ? error.message : String(error);
    const { tiled, blockWidth, blockHeight, blocksAcross, blocksDown, planarConfiguration } = this.layout;
    const perPlane = blocksAcross * blocksDown;
    const x = ((block % perPlane) % blocksAcross) * blockWidth;
    const y = Math.floor((block % perPlane) / blocksAcross) * blockHeight;
    const band = planarConfiguration === 2 && this.info.bands > 1 ? `, band ${Math.floor(block / perPlane) + 1}` : '';
    const where = tiled ? `tile at x ${x}, y ${y}${band}` : `strip at y ${y}${band}`;
    return new InvalidInputError('corrupt_raster', `${this.name}: block ${block} (${where}) cannot be decoded: ${reason}`, {
      file: this.name,
      field: `${tiled ? 'TileOffsets' : 'StripOffsets'}[${block}]`,
      cause: error,
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.decoder.clear();
    await this.reader.close();
  }
}

/**
 * Decodes every block of the raster (every strip or tile of every plane) once, with the decoders window
 * reads use, and drops the pixels: a file that passes reads without 'corrupt_raster' whatever windows are
 * asked of it later. Memory stays within about two blocks (one row of blocks for JPEG) whatever the
 * raster's size. Sparse blocks (byte count 0) pass: they read as nodata. The first block that cannot be
 * decoded -> InvalidInputError 'corrupt_raster', field `TileOffsets[i]` / `StripOffsets[i]`, with a
 * message naming the file, the block (index, position, band when planar) and the decoder's reason.
 * For rasters opened by openGeoTiff from a local path or bytes.
 * `part`: only part `index` of `of` equal runs of the blocks in file order (threads check a file's parts at
 * once; the first failure in file order is the one of the lowest part that fails).
 */
export function verifyBlocks(raster: GeoTiffRaster, part?: BlockPart): Promise<void> {
  if (!(raster instanceof Raster)) return Promise.reject(new TypeError('verifyBlocks: the raster must come from openGeoTiff'));
  return raster.verifyBlocks(part);
}

/** Part `index` (from 0) of `of` equal runs of a raster's blocks, in file order. */
export interface BlockPart {
  index: number;
  of: number;
}

type BlockRows = Array<{ y0: number; y1: number; ranges: Array<[number, number]> }>;

/** Consecutive block rows joined while their stored bytes stay within `maxBytes` (at least one row each). */
/** Whether `planes` are ascending band indices of a raster of `bands` bands (at least one). */
function validPlanes(planes: readonly number[], bands: number): boolean {
  return planes.length > 0 && planes.every((b, i) => Number.isInteger(b) && b >= 0 && b < bands && (i === 0 || b > planes[i - 1]!));
}

/** `planes` of a planar window of `bands` planes of `pixels` each. */
function pickPlanes(all: NativeSamples, pixels: number, planes: readonly number[], bands: number): NativeSamples {
  if (planes.length === bands) return all;
  const out = new (all.constructor as new (n: number) => NativeSamples)(pixels * planes.length);
  planes.forEach((b, k) => out.set(all.subarray(b * pixels, (b + 1) * pixels) as never, k * pixels));
  return out;
}

function groupBlockRows(rows: BlockRows, maxBytes: number): BlockRows {
  const groups: Array<BlockRows[number] & { bytes: number }> = [];
  for (const row of rows) {
    const bytes = row.ranges.reduce((sum, [s, e]) => sum + (e - s), 0);
    const last = groups[groups.length - 1];
    if (last !== undefined && last.bytes + bytes <= maxBytes) {
      last.y1 = row.y1;
      last.ranges.push(...row.ranges);
      last.bytes += bytes;
    } else {
      groups.push({ y0: row.y0, y1: row.y1, ranges: [...row.ranges], bytes });
    }
  }
  return groups;
}

/**
 * Opens a GeoTIFF from a local path or bytes. `name` is the file name/key used in error messages.
 * The bytes are not copied: do not modify them while the raster is open.
 *
 * Validates: TIFF magic, the first IFD and the IFD chain (bounded, no loops) (code 'not_geotiff'), georeferencing — ModelPixelScale +
 * ModelTiepoint or ModelTransformation, and an EPSG code in the GeoKeys (code 'not_georeferenced') —,
 * north-up grid, supported sample types/compression and sane sizes (code 'unsupported_raster').
 * A local path that does not exist throws NotFoundError.
 */
/**
 * An error about a file's internal mask, said to be about it: "<file>: internal mask: …", the file and field
 * kept (errors name the file first, as every reading error does).
 */
function maskError(error: unknown, name: string): unknown {
  if (!(error instanceof InvalidInputError)) return error;
  const detail = error.message.startsWith(`${name}: `) ? error.message.slice(name.length + 2) : error.message;
  return new InvalidInputError(error.code, `${name}: internal mask: ${detail}`, { file: name, ...(error.field !== undefined ? { field: error.field } : {}), cause: error });
}

/** IFDs after the first looked at for an internal mask (a COG holds its overviews and their masks too). */
const MAX_MASK_SEARCH_IFDS = 64;
const SUBFILE_REDUCED = 1;
const SUBFILE_MASK = 4;

/**
 * The IFD of the file's full-resolution internal mask (NewSubfileType 4 without 1, the image's size), or
 * null. The chain was checked (checkIfdChain: no loop, bounded). A mask in FillOrder 2 is refused.
 */
async function internalMaskDirectory(reader: ByteReader, first: TiffDirectory, name: string, width: number, height: number): Promise<TiffDirectory | null> {
  let dir = first;
  for (let index = 1; index <= MAX_MASK_SEARCH_IFDS; index++) {
    const next = await readNextDirectory(reader, dir, name, index);
    if (next === null) return null;
    dir = next;
    const number = async (tag: number) => {
      const entry = dir.entries.get(tag);
      return entry === undefined || entry.count < 1 ? 0 : (await readNumbers(reader, dir, { ...entry, count: 1, byteLength: entry.byteLength / entry.count }, name))[0]!;
    };
    const type = await number(Tag.NewSubfileType);
    if (!(type & SUBFILE_MASK) || type & SUBFILE_REDUCED) continue;
    if ((await number(Tag.ImageWidth)) !== width || (await number(Tag.ImageLength)) !== height) continue;
    if ((await number(TAG_FILL_ORDER)) === 2) {
      throw new InvalidInputError('unsupported_raster', `${name}: the internal mask is stored with FillOrder 2 (bits reversed), which is not supported`, { file: name, field: 'FillOrder' });
    }
    return dir;
  }
  return null;
}

const TAG_FILL_ORDER = 266;

export async function openGeoTiff(source: GeoTiffSource, name: string): Promise<GeoTiffRaster> {
  const reader = await openByteReader(source, name);
  try {
    const dir = await readFirstDirectory(reader, name);
    await checkIfdChain(reader, dir, name);
    const { layout, width, height, bands, sampleFormat, bitsPerSample } = await readLayout(reader, dir, name);
    const { geoTransform, epsg, crsParameters } = await readGeoreferencing(reader, dir, name);
    await validateBlockTables(reader, dir, layout, name);
    try {
      await loadDecoders(layout);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new InvalidInputError('unsupported_raster', `${name}: the ${layoutCompressionName(layout)} decoder cannot be loaded: ${message}`, {
        file: name,
        field: 'Compression',
        cause: error,
      });
    }
    const gdal = await readGdalTags(reader, dir, bands, name);
    const maskDir = await internalMaskDirectory(reader, dir, name, width, height);
    let mask: Raster | null = null;
    if (maskDir !== null) {
      try {
        const m = await readLayout(reader, maskDir, name, true);
        await validateBlockTables(reader, maskDir, m.layout, name);
        await loadDecoders(m.layout);
        const maskInfo: RasterInfo = { width: m.width, height, bands: 1, sampleFormat: 'uint', bitsPerSample: 8, geoTransform, epsg, nodata: null, bandDescriptions: [null], metadata: {}, alphaBand: null, internalMask: false };
        mask = new Raster(name, reader, maskInfo, m.layout, maskDir.littleEndian);
      } catch (error) {
        throw maskError(error, name);
      }
    }
    const info: RasterInfo = {
      width,
      height,
      bands,
      sampleFormat,
      bitsPerSample,
      geoTransform,
      epsg,
      ...(crsParameters !== undefined ? { crsParameters } : {}),
      nodata: gdal.nodata,
      bandDescriptions: gdal.bandDescriptions,
      metadata: gdal.metadata,
      alphaBand: alphaBandOf(bands, layout.alphaSample, gdal.colorInterpretations),
      internalMask: mask !== null,
    };
    return new Raster(name, reader, info, layout, dir.littleEndian, mask);
  } catch (error) {
    await reader.close().catch(() => undefined);
    if (error instanceof ShoutuError || error instanceof NotFoundError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new InvalidInputError('not_geotiff', `${name}: cannot read TIFF structure: ${message}`, { file: name, cause: error });
  }
}
