import { encodeUint8Strip, uint8GeoTiffRowsPerStrip } from '../raster/index.js';

/** Part of a strip that a range of rows only partly covers: joined with its other parts at the end. */
export interface StripPiece {
  strip: number;
  /** First raster row of the piece. */
  row: number;
  rows: Uint8Array;
}

/** What a run of consecutive raster rows contributes to a strip-encoded uint8 GeoTIFF. */
export interface EncodedRows {
  /** Strips wholly inside the rows, encoded: [strip index, bytes]. */
  strips: Array<[number, Uint8Array]>;
  pieces: StripPiece[];
}

/**
 * Encodes consecutive whole-width rows [from, to) of a width × height uint8 raster into its strips
 * (uint8GeoTiffRowsPerStrip rows each) as they arrive, so no more than one strip is ever buffered. Strips
 * cut by either end of the run are returned as pieces; joinStrips completes them. Deterministic: a strip's
 * bytes depend only on its rows, not on how the rows were split into runs.
 */
export class StripEncoder {
  private readonly rowsPerStrip: number;
  private readonly out: EncodedRows = { strips: [], pieces: [] };
  private buffer: Uint8Array | null = null;
  private bufferStart = 0;
  private next: number;

  constructor(
    private readonly width: number,
    private readonly height: number,
    private readonly compress: 'none' | 'deflate',
    from: number,
    private readonly to: number,
  ) {
    this.rowsPerStrip = uint8GeoTiffRowsPerStrip(width, height);
    this.next = from;
  }

  /** Appends `count` rows (row-major, `width` each) starting at the next expected row. */
  push(rows: Uint8Array, count: number): void {
    const w = this.width;
    let done = 0;
    while (done < count) {
      const row = this.next;
      if (row >= this.to) throw new Error(`StripEncoder: row ${row} is past the end of its run (${this.to})`);
      const strip = Math.floor(row / this.rowsPerStrip);
      const stripStart = strip * this.rowsPerStrip;
      const stripEnd = Math.min(this.height, stripStart + this.rowsPerStrip);
      const take = Math.min(count - done, stripEnd - row, this.to - row);
      if (this.buffer === null) {
        this.buffer = new Uint8Array((Math.min(stripEnd, this.to) - row) * w);
        this.bufferStart = row;
      }
      this.buffer.set(rows.subarray(done * w, (done + take) * w), (row - this.bufferStart) * w);
      done += take;
      this.next += take;
      if (this.next === stripEnd || this.next === this.to) this.flush(strip, stripStart, stripEnd);
    }
  }

  private flush(strip: number, stripStart: number, stripEnd: number): void {
    const rows = this.buffer!;
    if (this.bufferStart === stripStart && this.next === stripEnd) this.out.strips.push([strip, encodeUint8Strip(rows, this.compress)]);
    else this.out.pieces.push({ strip, row: this.bufferStart, rows });
    this.buffer = null;
  }

  finish(): EncodedRows {
    if (this.next !== this.to) throw new Error(`StripEncoder: run ended at row ${this.next}, expected ${this.to}`);
    return this.out;
  }
}

/** All strips of the raster, in order, from the runs' encoded strips and pieces. */
export function joinStrips(width: number, height: number, compress: 'none' | 'deflate', runs: readonly EncodedRows[]): Uint8Array[] {
  const rowsPerStrip = uint8GeoTiffRowsPerStrip(width, height);
  const count = Math.ceil(height / rowsPerStrip);
  const strips: Array<Uint8Array | undefined> = new Array(count);
  const pieces = new Map<number, StripPiece[]>();
  for (const run of runs) {
    for (const [i, bytes] of run.strips) strips[i] = bytes;
    for (const p of run.pieces) pieces.set(p.strip, [...(pieces.get(p.strip) ?? []), p]);
  }
  for (const [i, parts] of [...pieces].sort((a, b) => a[0] - b[0])) {
    parts.sort((a, b) => a.row - b.row);
    const start = i * rowsPerStrip;
    const rows = new Uint8Array((Math.min(height, start + rowsPerStrip) - start) * width);
    for (const p of parts) rows.set(p.rows, (p.row - start) * width);
    strips[i] = encodeUint8Strip(rows, compress);
  }
  for (let i = 0; i < count; i++) if (strips[i] === undefined) throw new Error(`strip ${i} of the change map was never written`);
  return strips as Uint8Array[];
}
