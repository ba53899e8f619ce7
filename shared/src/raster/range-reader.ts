/**
 * A ByteReader over a remote object that is read only by byte ranges (HTTP Range requests, S3 GetObject
 * with Range): a GeoTIFF on a web server or in a bucket is opened without downloading it.
 *
 * Two kinds of bytes are held:
 *  - header bytes (TIFF header, IFDs, tag data, block tables), read through the async `read` in whole
 *    chunks (16 KiB by default, the first chunk at open) and kept in a bounded LRU cache, so the many
 *    small reads of the TIFF parser cost one request per chunk;
 *  - block bytes, fetched for one window by `fetchRanges` (ranges sorted, adjacent ones merged into one
 *    request, a few requests in flight) into a `FetchedBytes` of that window's own, and served while it is
 *    held (`hold` … `release`). The pixel decoder is synchronous: `readShared` / `readInto` only serve
 *    bytes held or cached, and name the range otherwise. Several windows can be fetching at once; a
 *    window is held only from its last check to the end of its (synchronous) decode, and `budget` bounds
 *    the fetched bytes all windows keep at once.
 *
 * Every answer is checked against the range asked and the object's size (an object that changes size
 * between requests is refused): the fetcher guarantees exact lengths and time limits.
 */
import { InvalidInputError } from '../errors.js';
import { ByteBudget } from '../util/byte-budget.js';
import { mapInOrder } from '../util/map-in-order.js';
import type { ByteReader } from './tiff-structure.js';

/** Fetches byte ranges of one remote object. */
export interface RangeFetcher {
  /** Where the object is, for messages: the URL or s3://bucket/key. */
  readonly location: string;
  /**
   * Bytes [start, end) of the object — fewer only when `end` lies past its end — and the object's total
   * size. Implementations never return more than asked, never wait forever (time limits) and throw an
   * error naming `location` when the server answers anything but the range asked.
   */
  fetch(start: number, end: number): Promise<{ bytes: Uint8Array; size: number }>;
  /** Releases connections (called when the reader closes). */
  close?(): void;
}

export interface RangeReaderOptions {
  /** Bytes read at open (the TIFF header and, for COGs, all IFDs) and unit of later header reads. Default 16 KiB. */
  chunkBytes?: number;
  /** Header chunks kept (LRU), in bytes. Default 16 MiB: holds the block tables of any raster the decoder keeps whole. */
  cacheBytes?: number;
  /** Needed ranges this close together are fetched as one request, gap included. Default 32 KiB. */
  mergeGapBytes?: number;
  /** Requests in flight at once for one window's fetch (fetchRanges). Default 4. */
  concurrency?: number;
  /**
   * Stored bytes the windows being read hold at once, all of them together (`budget`): windows fit in
   * it side by side, and one that needs more is read alone, fetched and decoded a band of block rows
   * of at most this many bytes at a time. Default 64 MiB.
   */
  windowFetchBytes?: number;
}

export interface RangeReadStats {
  /** requests answered */
  requests: number;
  /** bytes received */
  bytes: number;
}

export interface RangeByteReader extends ByteReader {
  readonly location: string;
  /**
   * The parts of these [start, end) ranges (clipped to the object) that neither `fetched` nor the header
   * cache holds, as the requests that would fetch them: sorted, ranges closer than mergeGapBytes joined.
   */
  missingRanges(ranges: Iterable<readonly [number, number]>, fetched: FetchedBytes | null): Array<[number, number]>;
  /** Fetches these ranges (as missingRanges returns them) and returns them with `into`'s bytes. */
  fetchRanges(runs: ReadonlyArray<readonly [number, number]>, into: FetchedBytes | null): Promise<FetchedBytes>;
  /**
   * Serves `fetched` to readShared / readInto until the matching release(). Holds nest: release() serves
   * again what was held before. A hold that spans an await is the only one of the reader that does (the
   * others open and close without awaiting), so the nesting stays matched.
   */
  hold(fetched: FetchedBytes | null): void;
  /** Ends the latest hold (header chunks stay cached). */
  release(): void;
  /** Bounds the fetched bytes the windows being read keep at once (windowFetchBytes). */
  readonly budget: ByteBudget;
  /** Requests made and bytes received so far. */
  readonly stats: Readonly<RangeReadStats>;
  /** See RangeReaderOptions.windowFetchBytes. */
  readonly windowFetchBytes: number;
}

export function isRangeByteReader(reader: ByteReader): reader is RangeByteReader {
  return typeof (reader as Partial<RangeByteReader>).fetchRanges === 'function';
}

const DEFAULTS = { chunkBytes: 16 * 1024, cacheBytes: 16 * 1024 * 1024, mergeGapBytes: 32 * 1024, concurrency: 4, windowFetchBytes: 64 * 1024 * 1024 };

interface Segment {
  start: number;
  bytes: Uint8Array;
}

/** Bytes fetched for one window: segments sorted by start, not overlapping; `bytes` their total length. */
export interface FetchedBytes {
  readonly segments: readonly Segment[];
  readonly bytes: number;
}

/**
 * Opens a remote object for range reads: fetches its first chunk (which also tells its size).
 * An empty object is refused (InvalidInputError 'not_geotiff').
 */
export async function openRangeReader(fetcher: RangeFetcher, options: RangeReaderOptions = {}): Promise<RangeByteReader> {
  const chunkBytes = options.chunkBytes ?? DEFAULTS.chunkBytes;
  const cacheBytes = Math.max(options.cacheBytes ?? DEFAULTS.cacheBytes, chunkBytes);
  const mergeGap = options.mergeGapBytes ?? DEFAULTS.mergeGapBytes;
  const concurrency = Math.max(1, options.concurrency ?? DEFAULTS.concurrency);
  if (!(Number.isSafeInteger(chunkBytes) && chunkBytes >= 16)) throw new RangeError(`chunkBytes must be an integer >= 16, got ${chunkBytes}`);

  const windowFetchBytes = options.windowFetchBytes ?? DEFAULTS.windowFetchBytes;
  try {
    return await openWith(fetcher, chunkBytes, cacheBytes, mergeGap, concurrency, windowFetchBytes);
  } catch (error) {
    fetcher.close?.();
    throw error;
  }
}

async function openWith(fetcher: RangeFetcher, chunkBytes: number, cacheBytes: number, mergeGap: number, concurrency: number, windowFetchBytes: number): Promise<RangeByteReader> {
  const location = fetcher.location;
  const stats: RangeReadStats = { requests: 0, bytes: 0 };
  const first = await fetcher.fetch(0, chunkBytes);
  const size = first.size;
  if (!(Number.isSafeInteger(size) && size >= 0)) {
    throw new InvalidInputError('range_unsupported', `${location}: the server reported an invalid object size (${size})`, { file: location });
  }
  if (size === 0) throw new InvalidInputError('not_geotiff', `${location}: not a TIFF file (the object is empty)`, { file: location, field: 'header' });

  /** checks an answer and counts it */
  const checked = (start: number, end: number, answer: { bytes: Uint8Array; size: number }): Uint8Array => {
    stats.requests += 1;
    stats.bytes += answer.bytes.byteLength;
    if (answer.size !== size) {
      throw new InvalidInputError('remote_changed', `${location}: the object changed while being read (size ${size}, now ${answer.size})`, { file: location });
    }
    const expected = Math.min(end, size) - start;
    if (answer.bytes.byteLength !== expected) {
      throw new InvalidInputError('range_unsupported', `${location}: asked for ${expected} bytes at ${start}, received ${answer.bytes.byteLength}`, { file: location });
    }
    return answer.bytes;
  };

  const chunks = new Map<number, Uint8Array>(); // chunk index -> bytes, least recently used first
  let chunkCacheBytes = 0;
  const keepChunk = (index: number, bytes: Uint8Array): void => {
    const old = chunks.get(index);
    if (old !== undefined) {
      chunks.delete(index);
      chunkCacheBytes -= old.byteLength;
    }
    chunks.set(index, bytes);
    chunkCacheBytes += bytes.byteLength;
    for (const [key, value] of chunks) {
      if (chunkCacheBytes <= cacheBytes) break;
      chunks.delete(key);
      chunkCacheBytes -= value.byteLength;
    }
  };
  const storeChunks = (firstChunk: number, bytes: Uint8Array): Uint8Array[] => {
    const parts: Uint8Array[] = [];
    for (let at = 0, index = firstChunk; at < bytes.byteLength; at += chunkBytes, index++) {
      // a copy per chunk: a chunk must not keep a larger response buffer alive after eviction
      const part = bytes.slice(at, Math.min(at + chunkBytes, bytes.byteLength));
      parts.push(part);
      keepChunk(index, part);
    }
    return parts;
  };
  storeChunks(0, checked(0, chunkBytes, first));

  let pinned: readonly Segment[] = []; // the held window's bytes: sorted by start, not overlapping
  const outerHolds: Array<readonly Segment[]> = []; // what the holds around the latest one serve
  let closed = false;
  const ensureOpen = () => {
    if (closed) throw new Error(`${location}: reader already closed`);
  };
  const clip = (offset: number, length: number): [number, number] => {
    const start = Math.max(0, Math.min(offset, size));
    return [start, Math.max(start, Math.min(offset + length, size))];
  };

  /** The segment of `segments` (the held ones by default) containing [start, end), if any. */
  const pinnedSegment = (start: number, end: number, segments: readonly Segment[] = pinned): Segment | undefined => {
    let lo = 0;
    let hi = segments.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = segments[mid]!;
      if (s.start > start) hi = mid - 1;
      else if (s.start + s.bytes.byteLength < end) lo = mid + 1;
      else return s;
    }
    return undefined;
  };

  /** Bytes [start, end) from held segments or cached chunks without fetching: a view when possible; null if not all held. */
  const heldBytes = (start: number, end: number): Uint8Array | null => {
    if (end === start) return new Uint8Array(0);
    const segment = pinnedSegment(start, end);
    if (segment !== undefined) return segment.bytes.subarray(start - segment.start, end - segment.start);
    const c0 = Math.floor(start / chunkBytes);
    const c1 = Math.floor((end - 1) / chunkBytes);
    if (c0 === c1) {
      const chunk = chunks.get(c0);
      return chunk === undefined ? null : chunk.subarray(start - c0 * chunkBytes, end - c0 * chunkBytes);
    }
    const out = new Uint8Array(end - start);
    for (let c = c0; c <= c1; c++) {
      const chunk = chunks.get(c);
      if (chunk === undefined) return null;
      const from = Math.max(start, c * chunkBytes);
      const to = Math.min(end, c * chunkBytes + chunk.byteLength);
      out.set(chunk.subarray(from - c * chunkBytes, to - c * chunkBytes), from - start);
    }
    return out;
  };

  /**
   * Requests in flight, so that a window needing bytes another window is already fetching waits for that
   * answer instead of asking again (windows of adjacent tiles share blocks).
   */
  const inFlight = new Set<{ start: number; end: number; bytes: Promise<Uint8Array> }>();
  const fetchRun = async (start: number, end: number): Promise<Segment> => {
    for (const request of inFlight) {
      if (request.start <= start && end <= request.end) return { start, bytes: (await request.bytes).subarray(start - request.start, end - request.start) };
    }
    const request = { start, end, bytes: fetcher.fetch(start, end).then((answer) => checked(start, end, answer)) };
    inFlight.add(request);
    try {
      return { start, bytes: await request.bytes };
    } finally {
      inFlight.delete(request);
    }
  };

  const notFetched = (start: number, end: number) => new Error(`${location}: bytes ${start}-${end} were not fetched before decoding`);

  const reader: RangeByteReader = {
    location,
    size,
    sharesMemory: true, // readShared returns views of held bytes, which the decoder never modifies
    stats,
    windowFetchBytes,
    budget: new ByteBudget(windowFetchBytes),

    async read(offset, length) {
      ensureOpen();
      const [start, end] = clip(offset, length);
      if (end === start) return new Uint8Array(0);
      const held = pinnedSegment(start, end);
      if (held !== undefined) return held.bytes.slice(start - held.start, end - held.start);
      const c0 = Math.floor(start / chunkBytes);
      const c1 = Math.floor((end - 1) / chunkBytes);
      const parts = new Map<number, Uint8Array>();
      for (let c = c0; c <= c1; c++) {
        const chunk = chunks.get(c);
        if (chunk !== undefined) {
          keepChunk(c, chunk); // most recently used
          parts.set(c, chunk);
        }
      }
      // each run of missing chunks in one request
      for (let c = c0; c <= c1; c++) {
        if (parts.has(c)) continue;
        let last = c;
        while (last + 1 <= c1 && !parts.has(last + 1)) last++;
        const from = c * chunkBytes;
        const to = Math.min((last + 1) * chunkBytes, size);
        const fetched = storeChunks(c, checked(from, to, await fetcher.fetch(from, to)));
        fetched.forEach((part, i) => parts.set(c + i, part));
        c = last;
      }
      const out = new Uint8Array(end - start);
      for (let c = c0; c <= c1; c++) {
        const chunk = parts.get(c)!;
        const from = Math.max(start, c * chunkBytes);
        const to = Math.min(end, c * chunkBytes + chunk.byteLength);
        out.set(chunk.subarray(from - c * chunkBytes, to - c * chunkBytes), from - start);
      }
      return out;
    },

    readShared(offset, length) {
      ensureOpen();
      const [start, end] = clip(offset, length);
      const bytes = heldBytes(start, end);
      if (bytes === null) throw notFetched(start, end);
      return bytes;
    },

    readInto(offset, length, target, targetOffset) {
      ensureOpen();
      const [start, end] = clip(offset, length);
      const bytes = heldBytes(start, end);
      if (bytes === null) throw notFetched(start, end);
      target.set(bytes, targetOffset);
      return bytes.byteLength;
    },

    missingRanges(ranges, fetched) {
      ensureOpen();
      const wanted: Array<[number, number]> = [];
      for (const [offset, end] of ranges) {
        const [s, e] = clip(offset, end - offset);
        if (e > s && !(fetched !== null && pinnedSegment(s, e, fetched.segments) !== undefined) && heldBytes(s, e) === null) wanted.push([s, e]);
      }
      wanted.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      const runs: Array<[number, number]> = [];
      for (const [s, e] of wanted) {
        const last = runs[runs.length - 1];
        if (last !== undefined && s <= last[1] + mergeGap) last[1] = Math.max(last[1], e);
        else runs.push([s, e]);
      }
      return runs;
    },

    async fetchRanges(runs, into) {
      ensureOpen();
      const fetched = await mapInOrder(runs, concurrency, async ([s, e]) => fetchRun(s, e));
      ensureOpen();
      const segments = mergeSegments([...(into?.segments ?? []), ...fetched]);
      return { segments, bytes: segments.reduce((sum, s) => sum + s.bytes.byteLength, 0) };
    },

    hold(fetched) {
      ensureOpen();
      outerHolds.push(pinned);
      pinned = fetched?.segments ?? [];
    },

    release() {
      pinned = outerHolds.pop() ?? [];
    },

    async close() {
      if (!closed) fetcher.close?.();
      closed = true;
      pinned = [];
      outerHolds.length = 0;
      chunks.clear();
      chunkCacheBytes = 0;
    },
  };
  return reader;
}

/** Sorts segments and joins overlapping or touching ones, so that a range is found in one segment. */
function mergeSegments(segments: Segment[]): Segment[] {
  segments.sort((a, b) => a.start - b.start);
  const out: Segment[] = [];
  let group: Segment[] = [];
  let groupEnd = -1;
  const flush = () => {
    if (group.length === 0) return;
    if (group.length === 1) {
      out.push(group[0]!);
    } else {
      const start = group[0]!.start;
      const bytes = new Uint8Array(groupEnd - start);
      for (const s of group) bytes.set(s.bytes, s.start - start);
      out.push({ start, bytes });
    }
    group = [];
  };
  for (const s of segments) {
    if (group.length > 0 && s.start > groupEnd) flush();
    if (group.length === 0) groupEnd = s.start + s.bytes.byteLength;
    else groupEnd = Math.max(groupEnd, s.start + s.bytes.byteLength);
    group.push(s);
  }
  flush();
  return out;
}
