import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LatticeWindow } from '../grid/lattice.js';

/**
 * Per-pixel validity and fused change score of a whole pair, kept in a temporary file (never in memory)
 * between the pass that scores every tile (and histograms the scores for the threshold) and the pass that
 * classifies, cleans and labels them, so the imagery is decoded once. Layout over `area`, raster order:
 * validity as bytes, then the scores as float32 (host byte order: the file never leaves the process).
 * Rows are written and read as whole-width strips; several threads may write disjoint strips.
 */
export class ScoreSpill {
  private fd: number;
  private readonly scoresAt: number;

  private constructor(
    readonly path: string,
    readonly area: LatticeWindow,
    private readonly dir: string | null,
  ) {
    this.fd = openSync(path, dir === null ? 'r+' : 'w+');
    const pixels = area.width * area.height;
    this.scoresAt = Math.ceil(pixels / 4) * 4;
  }

  /** A new, empty spill in its own temporary directory (removed by dispose). */
  static create(area: LatticeWindow): ScoreSpill {
    const dir = mkdtempSync(join(tmpdir(), 'shoutu-scores-'));
    return new ScoreSpill(join(dir, 'scores.bin'), area, dir);
  }

  /** The same spill opened again (another thread); close() it, the creator disposes of it. */
  static open(path: string, area: LatticeWindow): ScoreSpill {
    return new ScoreSpill(path, area, null);
  }

  /** Writes rows [row, row + valid.length / width) of the area (lattice rows). */
  writeRows(row: number, valid: Uint8Array, score: Float32Array): void {
    const first = (row - this.area.row) * this.area.width;
    this.writeAll(valid, first);
    this.writeAll(new Uint8Array(score.buffer, score.byteOffset, score.byteLength), this.scoresAt + first * 4);
  }

  /** Reads `height` rows from lattice row `row`. */
  readRows(row: number, height: number): { valid: Uint8Array; score: Float32Array } {
    const first = (row - this.area.row) * this.area.width;
    const n = height * this.area.width;
    const valid = new Uint8Array(n);
    const score = new Float32Array(n);
    this.readAll(valid, first);
    this.readAll(new Uint8Array(score.buffer), this.scoresAt + first * 4);
    return { valid, score };
  }

  private writeAll(bytes: Uint8Array, position: number): void {
    let done = 0;
    while (done < bytes.byteLength) done += writeSync(this.fd, bytes, done, bytes.byteLength - done, position + done);
  }

  private readAll(bytes: Uint8Array, position: number): void {
    let done = 0;
    while (done < bytes.byteLength) {
      const got = readSync(this.fd, bytes, done, bytes.byteLength - done, position + done);
      if (got === 0) throw new Error(`${this.path}: score spill ends at ${position + done}, expected ${position + bytes.byteLength}`);
      done += got;
    }
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  /** Closes and deletes the spill (creator only). */
  dispose(): void {
    this.close();
    if (this.dir !== null) rmSync(this.dir, { recursive: true, force: true });
  }
}
