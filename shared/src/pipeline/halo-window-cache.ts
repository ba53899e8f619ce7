import type { LatticeWindow } from '../grid/lattice.js';
import { copyToPlanes } from '../raster/copy-kernels.js';
import { ArenaOwner } from '../kernels/wasm/arena.js';

/** Samples whose conversion to float32 is exact (what a chunk read may return). */
export type TileSamples = Float32Array | Uint16Array | Int16Array | Uint8Array | Int8Array;

/** Reads one window of an epoch, all bands, planar; `reuse` is a released chunk of the same size the read
 *  may fill instead of allocating (when it is of the type the read returns); `lastUse`: no later read
 *  needs the rest of the file blocks under the window (see GeoTiffRaster.readWindowNative). With `planes`
 *  (ascending indices of the reader's bands), only those bands, planar in that order. */
export type TileReader = (window: LatticeWindow, reuse?: TileSamples, lastUse?: boolean, planes?: readonly number[]) => Promise<TileSamples>;

/**
 * Edge of the chunks an epoch is read in: square windows anchored at the area's corner. 512 is a multiple
 * of the usual GeoTIFF tile sizes (256, 512), so on such files every chunk covers whole file blocks and
 * each block is decompressed exactly once.
 */
export const CHUNK_PX = 512;

interface Held {
  samples: TileSamples;
  /** The chunk's window; rows above `top` (lattice row) have been released. */
  window: LatticeWindow;
  top: number;
}

/**
 * Serves halo windows (tiles grown by HALO_PX, see haloOf) of one epoch, visited in raster order of
 * their tiles, reading every chunk of the area once: a chunk is read whole when a halo first needs it,
 * cut down to the rows the next row of tiles needs once the current row has passed it, and dropped when
 * no later halo can reach it. Memory is about two rows of chunks, never the scene. Windows come back as
 * float32 planes of the chosen bands only.
 */
export class HaloWindowCache {
  private readonly held = new Map<number, Held>();
  /** Samples of dropped chunks, handed back to the reader: whole-chunk arrays are not reallocated chunk
   *  after chunk (they are megabytes each, and their churn was a large share of the collector's time). */
  private readonly spare: TileSamples[] = [];
  /** Arrays of dropped cut chunks (the rows a chunk keeps for the next row of tiles), reused by later cuts. */
  private readonly spareCuts: TileSamples[] = [];
  /** The file bands each held chunk keeps (keepPlanes), in order, and later reads ask for; null: every band. */
  private kept: readonly number[] | null = null;
  private readonly across: number;
  /** The windows' arrays, one per sample type, in the thread's WebAssembly arena (the change pass reads them in place). */
  private readonly scratch = new ArenaOwner(this);
  /** Top row of the latest halo served: chunks starting above it may have been dropped already. */
  private passed = -Infinity;

  constructor(
    private readonly read: TileReader,
    /** The area chunks tile (halos lie inside it). */
    private readonly area: LatticeWindow,
    /** Bands in each read (the file's bands). */
    private readonly fileBands: number,
    /** Bands to return, in this order (indices into the file's bands). */
    private picks: readonly number[],
    /**
     * Lattice row below the last halo this cache will serve (a thread's share of the rows): chunks reaching
     * below it are read only down to it, the last time their blocks are read (the next thread's first
     * rows; its own read decodes them whole).
     */
    private readonly rowLimit: number = Infinity,
  ) {
    this.across = Math.ceil(area.width / CHUNK_PX);
  }

  /**
   * The halo window `halo`; `nextTop` is the first row of the next tile row's halos (null on the last
   * row), which tells what to keep. The window comes in the chunks' own 8/16-bit sample type when every
   * chunk it touches holds that type (nothing unusable in them), else as float32 (unusable pixels NaN);
   * the values are the same either way. The array is reused by the next call: use it before then.
   */
  async window(halo: LatticeWindow, nextTop: number | null): Promise<TileSamples> {
    this.release(halo, nextTop);
    const chunks: Held[] = [];
    for (const [cy, cx] of this.chunksUnder(halo)) chunks.push(await this.chunk(cy, cx));
    const type = chunks[0]!.samples.constructor as new (n: number) => TileSamples;
    const native = type !== Float32Array && chunks.every((c) => c.samples.constructor === type);
    const n = halo.width * halo.height;
    const out = this.scratchFor(native ? type : Float32Array, n * this.picks.length);
    for (const chunk of chunks) {
      const w = chunk.window;
      const x0 = Math.max(w.col, halo.col);
      const y0 = Math.max(w.row, halo.row);
      const x1 = Math.min(w.col + w.width, halo.col + halo.width);
      const y1 = Math.min(w.row + w.height, halo.row + halo.height);
      if (y0 < chunk.top) throw new Error(`halo window needs rows of a chunk at ${w.col},${w.row} that were already released`);
      const plane = w.width * (w.row + w.height - chunk.top); // values per plane of the held samples
      for (let k = 0; k < this.picks.length; k++) {
        const from = this.picks[k]! * plane + (y0 - chunk.top) * w.width + (x0 - w.col);
        const to = k * n + (y0 - halo.row) * halo.width + (x0 - halo.col);
        copyToPlanes(chunk.samples, from, w.width, 1, out, to, 0, halo.width, x1 - x0, y1 - y0);
      }
    }
    return out;
  }

  /** A scratch array of `type` with exactly `length` values (the view of an arena array kept between calls). */
  private scratchFor(type: new (n: number) => TileSamples, length: number): TileSamples {
    return this.scratch.scratch(type.name, type as typeof Float32Array, length);
  }

  /** Gives the windows' arrays back to the arena (the last window served must no longer be in use). */
  releaseWindows(): void {
    this.scratch.release();
  }

  /**
   * From now on holds only `planes` of the file's bands (ascending indices) and serves windows of those
   * planes, in that order: the chunks held are cut down to them, and later reads ask only for them. Why: the
   * detect pass of a many-band pair reads a few of its bands (detection/pass-planes.ts); the chunks held
   * are most of a thread's memory, and a band-interleaved file then decodes only those planes. Only for a
   * cache serving every band in file order; told again, only the same planes.
   */
  keepPlanes(planes: readonly number[]): void {
    if (this.kept !== null) {
      if (planes.length === this.kept.length && planes.every((b, i) => b === this.kept![i])) return;
      throw new Error(`keepPlanes: the cache already keeps planes ${this.kept.join(', ')} only`);
    }
    if (this.picks.length !== this.fileBands || this.picks.some((b, i) => b !== i)) throw new Error('keepPlanes: only for a cache serving every band in file order');
    if (planes.length === 0 || planes.some((b, i) => !Number.isInteger(b) || b < 0 || b >= this.fileBands || (i > 0 && b <= planes[i - 1]!))) {
      throw new Error(`keepPlanes: planes must be ascending band indices below ${this.fileBands}, got ${planes.join(', ')}`);
    }
    if (planes.length === this.fileBands) return;
    this.kept = [...planes];
    for (const [key, held] of this.held) this.held.set(key, { ...held, samples: this.keptPlanesOf(held.samples, null) });
    // the arrays kept for reuse are of every band: the wrong size now
    this.spare.length = 0;
    this.spareCuts.length = 0;
    this.picks = planes.map((_, i) => i);
  }

  /** Bands each held chunk holds. */
  private get heldBands(): number {
    return this.kept === null ? this.fileBands : this.kept.length;
  }

  /** The kept planes of `samples` (every file band, planar), in `into` when given (of the right size), else in a new array. */
  private keptPlanesOf(samples: TileSamples, into: TileSamples | null): TileSamples {
    const kept = this.kept!;
    const plane = samples.length / this.fileBands;
    const out = into ?? new (samples.constructor as new (n: number) => TileSamples)(plane * kept.length);
    for (let k = 0; k < kept.length; k++) out.set(samples.subarray(kept[k]! * plane, (kept[k]! + 1) * plane) as never, k * plane);
    return out;
  }

  /**
   * Decodes every chunk the halos touch ahead of their window() calls (a thread waiting for the pair's
   * statistics starts on its first row of tiles). The halos must be the next ones served, in order.
   */
  async preload(halos: readonly LatticeWindow[]): Promise<void> {
    for (const halo of halos) for (const [cy, cx] of this.chunksUnder(halo)) await this.chunk(cy, cx);
  }

  /**
   * Takes a chunk decoded elsewhere (a sampled block of the pair statistics, read by this cache's reader):
   * `window` must be exactly one of this cache's chunks, else the samples are not used. A chunk already
   * held, or one whose rows were already passed, is left as it is.
   */
  adopt(window: LatticeWindow, samples: TileSamples): void {
    const key = this.chunkKey(window, samples);
    if (key === null || this.held.has(key) || window.row < this.passed) return;
    const held = this.kept === null ? samples : this.keptPlanesOf(samples, null);
    this.held.set(key, { samples: held, window: this.chunkWindow(Math.floor(key / this.across), key % this.across), top: window.row });
  }

  /**
   * Takes a copy of a chunk another reader of the same file decoded ahead of this cache (the blocks pass of
   * a pooled pair reads the tiles before the tiles are scored), as adopt does, when `window` is one of this
   * cache's chunks not yet held or passed and the chunks held (this one included) stay within `budgetBytes`.
   * Returns whether it took it; `samples` itself is never kept (its reader recycles it).
   */
  adoptCopy(window: LatticeWindow, samples: TileSamples, budgetBytes: number): boolean {
    const key = this.chunkKey(window, samples);
    if (key === null || this.held.has(key) || window.row < this.passed) return false;
    const length = (samples.length / this.fileBands) * this.heldBands;
    let bytes = length * samples.BYTES_PER_ELEMENT;
    for (const held of this.held.values()) bytes += held.samples.byteLength;
    if (bytes > budgetBytes) return false;
    // into a whole-chunk array a dropped chunk left, when one fits (as a read would fill it)
    const at = this.spare.findIndex((s) => s.length === length && s.constructor === samples.constructor);
    const into = at >= 0 ? this.spare.splice(at, 1)[0]! : null;
    let copy: TileSamples;
    if (this.kept !== null) copy = this.keptPlanesOf(samples, into);
    else if (into !== null) (copy = into).set(samples as never);
    else copy = samples.slice();
    this.held.set(key, { samples: copy, window: this.chunkWindow(Math.floor(key / this.across), key % this.across), top: window.row });
    return true;
  }

  /** The key of the chunk `window` is exactly, holding `samples` (every file band), or null. */
  private chunkKey(window: LatticeWindow, samples: TileSamples): number | null {
    const { area } = this;
    const cx = (window.col - area.col) / CHUNK_PX;
    const cy = (window.row - area.row) / CHUNK_PX;
    if (!Number.isInteger(cx) || !Number.isInteger(cy) || cx < 0 || cy < 0 || cx >= this.across) return null;
    const chunk = this.chunkWindow(cy, cx);
    if (chunk.width !== window.width || chunk.height !== window.height || samples.length !== chunk.width * chunk.height * this.fileBands) return null;
    return cy * this.across + cx;
  }

  /** Chunk coordinates (row, column of chunks) a window touches, in raster order. */
  private chunksUnder(window: LatticeWindow): Array<[number, number]> {
    const { area } = this;
    const cy0 = Math.floor((window.row - area.row) / CHUNK_PX);
    const cy1 = Math.floor((window.row + window.height - 1 - area.row) / CHUNK_PX);
    const cx0 = Math.floor((window.col - area.col) / CHUNK_PX);
    const cx1 = Math.floor((window.col + window.width - 1 - area.col) / CHUNK_PX);
    const out: Array<[number, number]> = [];
    for (let cy = cy0; cy <= cy1; cy++) for (let cx = cx0; cx <= cx1; cx++) out.push([cy, cx]);
    return out;
  }

  /** The window of chunk (cy, cx): CHUNK_PX squares anchored at the area's corner, clipped to it and to rowLimit. */
  private chunkWindow(cy: number, cx: number): LatticeWindow {
    const { area } = this;
    const col = area.col + cx * CHUNK_PX;
    const row = area.row + cy * CHUNK_PX;
    return { col, row, width: Math.min(CHUNK_PX, area.col + area.width - col), height: Math.min(CHUNK_PX, area.row + area.height - row, this.rowLimit - row) };
  }

  /** Whether rowLimit cut the chunk short (its rows below are another thread's). */
  private cutByLimit(window: LatticeWindow): boolean {
    return window.row + window.height === this.rowLimit && this.rowLimit < this.area.row + this.area.height;
  }

  private async chunk(cy: number, cx: number): Promise<Held> {
    const key = cy * this.across + cx;
    let held = this.held.get(key);
    if (held === undefined) {
      const window = this.chunkWindow(cy, cx);
      const size = window.width * window.height * this.heldBands;
      const at = this.spare.findIndex((s) => s.length === size);
      const reuse = at >= 0 ? this.spare.splice(at, 1)[0] : undefined;
      const samples = await this.read(window, reuse, this.cutByLimit(window), this.kept ?? undefined);
      if (samples.length !== size) throw new Error(`chunk read returned ${samples.length} values, expected ${size}`);
      held = { samples, window, top: window.row };
      this.held.set(key, held);
    }
    return held;
  }

  /**
   * Before serving `halo`: chunks ending above it are dropped (later halos start no higher); chunks left
   * of it are no longer needed by this row of tiles, so they keep only rows from `nextTop` on (or go).
   */
  private release(halo: LatticeWindow, nextTop: number | null): void {
    this.passed = Math.max(this.passed, halo.row);
    for (const [key, held] of this.held) {
      const w = held.window;
      const bottom = w.row + w.height;
      if (bottom <= halo.row) {
        this.drop(key, held);
        continue;
      }
      if (w.col + w.width > halo.col) continue;
      if (nextTop === null || bottom <= nextTop) {
        this.drop(key, held);
        continue;
      }
      if (held.top >= nextTop) continue;
      const oldPlane = w.width * (bottom - held.top);
      const keep = w.width * (bottom - nextTop);
      const skip = (nextTop - held.top) * w.width;
      const bands = this.heldBands;
      const cut = this.cutBuffer(held.samples.constructor as new (n: number) => TileSamples, keep * bands);
      for (let b = 0; b < bands; b++) cut.set(held.samples.subarray(b * oldPlane + skip, (b + 1) * oldPlane), b * keep);
      this.drop(key, held);
      this.held.set(key, { samples: cut, window: w, top: nextTop });
    }
  }

  /** Forgets a chunk, keeping its whole-chunk samples for the next read (a few at most), and the rows
   *  kept of a cut chunk for the next cut. */
  private drop(key: number, held: Held): void {
    this.held.delete(key);
    if (held.top === held.window.row) {
      if (!this.cutByLimit(held.window) && this.spare.length < 4) this.spare.push(held.samples);
    } else if (this.spareCuts.length < 2 * this.across) {
      this.spareCuts.push(held.samples);
    }
  }

  /**
   * An array for the rows kept of a cut chunk: one a dropped cut left, or a new one. Why: fresh arrays
   * cost far more than their copy here (a new backing store is zeroed and its pages faulted in: about
   * 0.4 ms per cut of 3 rows on one virtual machine, against microseconds to reuse one).
   */
  private cutBuffer(type: new (n: number) => TileSamples, length: number): TileSamples {
    const at = this.spareCuts.findIndex((s) => s.length === length && s.constructor === type);
    return at >= 0 ? this.spareCuts.splice(at, 1)[0]! : new type(length);
  }
}

