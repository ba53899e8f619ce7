/**
 * The WebAssembly engine as the kernels use it: compile a generated module synchronously, instantiate
 * it against this thread's one linear memory, grow that memory as needed.
 *
 * The engine is reached through `globalThis.WebAssembly`, typed here with only what is used (the
 * project compiles without the DOM typings that declare it). Module-level state is per thread: every
 * worker thread loads its own copy of this module, so compiles its own kernels and owns its own memory.
 *
 * The memory grows as the kernels' scratch needs (below ARENA_BASE), until the first arena array (arena.ts:
 * the windows the change pass then reads in place) is asked for: then it grows once to MEMORY_BYTES and
 * never again, because growing a memory detaches every view of its buffer and arena arrays live across
 * kernel calls. Pages take RAM only once written. Where the engine will not give MEMORY_BYTES (a strict
 * limit on committed memory) there is no arena, and every kernel copies its arrays in as before. No view of
 * the memory is posted to another thread: structured cloning a view copies its whole buffer.
 */

import { ModuleBuilder, v128 } from './builder.js';

export const PAGE_BYTES = 65536;

/**
 * First address of the arena (arena.ts). The kernels' scratch stays below it: the largest, the SIMD
 * morphology and line openings, take at most 160 MiB (their MAX_SIMD_BYTES).
 */
export const ARENA_BASE = 256 * 2 ** 20;

/** Size of each thread's memory: the scratch below ARENA_BASE and 768 MiB of arena above it. */
export const MEMORY_BYTES = 1024 * 2 ** 20;

/** The parts of the WebAssembly JS API used here. */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}

const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** WebAssembly.validate: whether the engine accepts `bytes` as a module (false without an engine). */
export function validate(bytes: Uint8Array): boolean {
  return api !== undefined && api.validate(bytes);
}

/** A module with one function holding a v128 constant: valid exactly where the engine has SIMD. */
function simdProbe(): Uint8Array {
  const m = new ModuleBuilder();
  m.function('probe', [], (f) => void f.let(v128.const(new Uint8Array(16))));
  return m.encode();
}

let simdSupported: boolean | undefined;

/** True when the engine validates fixed-width SIMD (checked once). */
export function hasSimd(): boolean {
  simdSupported ??= validate(simdProbe());
  return simdSupported;
}

let memory: WasmMemory | null = null;
/** Whether the memory was grown to MEMORY_BYTES for the arena (null: not tried yet). */
let arenaReady: boolean | null = null;

/**
 * This thread's linear memory, at least `bytes` long; `bytes`: the scratch the calling kernel will address
 * from 0, which must stay below the arena (ARENA_BASE). Growing detaches the views of the old buffer (the
 * callers make theirs after this call); once the arena is there the memory is long enough for any scratch.
 */
export function threadMemory(bytes: number): WasmMemory {
  if (api === undefined) throw new Error('no WebAssembly engine');
  if (bytes > ARENA_BASE) throw new RangeError(`kernel scratch of ${bytes} bytes asked for: the kernels have ${ARENA_BASE} below the arena`);
  const pages = Math.ceil(bytes / PAGE_BYTES);
  if (memory === null) memory = new api.Memory({ initial: Math.max(1, pages) });
  const have = memory.buffer.byteLength / PAGE_BYTES;
  if (have < pages) memory.grow(pages - have);
  return memory;
}

/** The memory grown to MEMORY_BYTES for the arena (once), or null when the engine would not grow it that far. */
export function arenaMemory(): WasmMemory | null {
  if (arenaReady === null) {
    const m = threadMemory(0);
    try {
      const have = m.buffer.byteLength / PAGE_BYTES;
      if (have < MEMORY_BYTES / PAGE_BYTES) m.grow(MEMORY_BYTES / PAGE_BYTES - have);
      arenaReady = true;
    } catch {
      arenaReady = false; // RangeError: the memory stays as it was, the kernels copy as before
    }
  }
  return arenaReady ? memory : null;
}

/** Whether `view` is a view of this thread's linear memory. */
export function inThreadMemory(view: ArrayBufferView): boolean {
  return memory !== null && view.buffer === memory.buffer;
}

/** Whether `view` is an array of the arena (arena.ts), above the kernels' scratch: kernels may read and write it in place. */
export function inArena(view: ArrayBufferView): boolean {
  return inThreadMemory(view) && view.byteOffset >= ARENA_BASE;
}

/** Whether `view` reaches into the kernels' scratch (below ARENA_BASE), which the next kernel call overwrites. */
export function inScratch(view: ArrayBufferView): boolean {
  return inThreadMemory(view) && view.byteOffset < ARENA_BASE;
}

/** Compiles and instantiates `bytes` against this thread's memory; returns its exports. */
export function instantiate(bytes: Uint8Array): Record<string, unknown> {
  if (api === undefined) throw new Error('no WebAssembly engine');
  const module = new api.Module(bytes);
  return new api.Instance(module, { env: { memory: threadMemory(PAGE_BYTES) } }).exports;
}
