/**
 * Typed arrays in this thread's WebAssembly memory, above the kernels' scratch (runtime.ts ARENA_BASE).
 * Once the arena is there the memory no longer grows, so they stay valid until released.
 *
 * Why: a WebAssembly kernel can read only its linear memory. An array that lives there is read and written
 * in place; any other is first copied in, or its rows copied out. The halo windows the change pass scores
 * are assembled from decoded chunks anyway (halo-window-cache.ts), so assembling them here spares the pass
 * that second copy, and detection's workspace keeps the pass's outputs here (classify-change.ts Workspace):
 * together about a fifth of the pass on 4-band uint16 windows (docs/detection.md).
 *
 * Allocation is first fit over the free ranges, in address order, so the same sequence of allocations and
 * releases gives the same addresses (addresses never reach any output anyway). Each array is followed by
 * TAIL_BYTES the kernels may read past its end (their last vector of a row); those bytes belong to no other
 * array. Arrays are released explicitly (releaseArenaArray) or, failing that, when their owner is collected
 * (ArenaOwner).
 */

import { ARENA_BASE, MEMORY_BYTES, arenaMemory, hasSimd, inThreadMemory } from './runtime.js';

/** Bytes after each array that no other array uses (reads past a row's end stay inside). */
export const TAIL_BYTES = 64;
const ALIGN = 64;

type ArenaArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Float32Array;
export type ArenaType<T extends ArenaArray> = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; BYTES_PER_ELEMENT: number };

/** Free ranges [start, end) in address order, below `top`; `top` is where the untouched part starts. */
const free: Array<[number, number]> = [];
let top = ARENA_BASE;
/** Start address → bytes taken (the array, its tail and the alignment) and the array's own byte length, for release. */
const taken = new Map<number, { bytes: number; byteLength: number }>();

const alignUp = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

/**
 * Whether arena arrays can be made here: an engine with WebAssembly SIMD (the kernels that read them in
 * place need it) that gave the memory its full size.
 */
export function arenaAvailable(): boolean {
  return hasSimd() && arenaMemory() !== null;
}

/**
 * An array of `length` elements of `type` in the arena, or null when there is no arena (arenaAvailable)
 * or it cannot hold the array (the caller then uses an ordinary array). Unlike `new type(length)` its
 * contents are whatever the range held before: callers write what they read.
 */
export function arenaArray<T extends ArenaArray>(type: ArenaType<T>, length: number): T | null {
  if (!arenaAvailable() || !(length >= 0) || !Number.isInteger(length)) return null;
  const bytes = alignUp(length * type.BYTES_PER_ELEMENT + TAIL_BYTES);
  let start = -1;
  for (let k = 0; k < free.length; k++) {
    const [from, to] = free[k]!;
    if (to - from < bytes) continue;
    start = from;
    if (to - from === bytes) free.splice(k, 1);
    else free[k] = [from + bytes, to];
    break;
  }
  if (start < 0) {
    if (top + bytes > MEMORY_BYTES) return null;
    start = top;
    top += bytes;
  }
  taken.set(start, { bytes, byteLength: length * type.BYTES_PER_ELEMENT });
  return new type(arenaMemory()!.buffer, start, length);
}

/** Gives an array arenaArray returned back to the arena (a part of it, or any other array: nothing). */
export function releaseArenaArray(array: ArrayBufferView): void {
  const range = taken.get(array.byteOffset);
  if (range === undefined || range.byteLength !== array.byteLength || !inThreadMemory(array)) return;
  taken.delete(array.byteOffset);
  release(array.byteOffset, range.bytes);
}

/** Returns [start, start + bytes) to the free ranges, merged with its neighbours (and into `top`). */
function release(start: number, bytes: number): void {
  let end = start + bytes;
  let at = 0;
  while (at < free.length && free[at]![0] < start) at++;
  let from = start;
  if (at > 0 && free[at - 1]![1] === start) {
    from = free[at - 1]![0];
    free.splice(--at, 1);
  }
  if (at < free.length && free[at]![0] === end) {
    end = free[at]![1];
    free.splice(at, 1);
  }
  if (end === top) top = from;
  else free.splice(at, 0, [from, end]);
}

/** Bytes the arena's arrays take now (with their tails): for tests and memory accounting. */
export function arenaBytesInUse(): number {
  let sum = 0;
  for (const { bytes } of taken.values()) sum += bytes;
  return sum;
}

/** A copy of `array` in the arena, or null where arenaArray gives none. */
export function arenaCopy<T extends ArenaArray>(array: T): T | null {
  const copy = arenaArray(array.constructor as ArenaType<T>, array.length);
  copy?.set(array as never);
  return copy;
}

/**
 * Named scratch arrays in the arena owned by an object: each grown on demand (the old one released),
 * all released by `release()`, or when the owner is collected if it never was (a cache dropped with its
 * pair's work).
 */
export class ArenaOwner {
  private static readonly finalizer = new FinalizationRegistry<Map<string, ArrayBufferView>>((held) => {
    for (const array of held.values()) releaseArenaArray(array);
  });
  private readonly held = new Map<string, ArrayBufferView>();

  constructor(owner: object) {
    ArenaOwner.finalizer.register(owner, this.held, this);
  }

  /**
   * The scratch array `name` of `type` with exactly `length` elements: a view of an arena array kept
   * between calls (an ordinary array when the arena cannot hold it). Its contents are whatever the last
   * call left, or anything when it has just grown: callers write what they read.
   */
  scratch<T extends ArenaArray>(name: string, type: ArenaType<T> & (new (length: number) => T), length: number): T {
    let array = this.held.get(name) as T | undefined;
    if (array === undefined || array.length < length || array.constructor !== type) {
      if (array !== undefined) releaseArenaArray(array);
      array = arenaArray(type, length) ?? new type(length);
      this.held.set(name, array);
    }
    return array.subarray(0, length) as T;
  }

  /** Releases every array this owner holds. */
  release(): void {
    for (const array of this.held.values()) releaseArenaArray(array);
    this.held.clear();
  }
}
