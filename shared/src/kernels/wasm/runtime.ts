/**
 * The WebAssembly engine as the kernels use it: compile a generated module synchronously, instantiate
 * it against this thread's one linear memory, grow that memory as needed.
 *
 * The engine is reached through `globalThis.WebAssembly`, typed here with only what is used (the
 * project compiles without the DOM typings that declare it). Module-level state is per thread: every
 * worker thread loads its own copy of this module, so compiles its own kernels and owns its own memory.
 *
 * The memory has a fixed size, MEMORY_BYTES, set aside when it is made: it never grows, so no view of it
 * is ever detached (growing a memory detaches every view of its buffer), and its pages take RAM only once
 * written. So arrays can live in it across kernel calls (arena.ts: the windows the change pass then reads
 * in place). Addresses below ARENA_BASE are the kernels' scratch, laid out afresh by each call; the arena's
 * arrays lie above. No view of the memory is posted to another thread: structured cloning a view copies its
 * whole buffer, here the whole memory.
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

/**
 * This thread's linear memory (MEMORY_BYTES); `bytes`: the scratch the calling kernel will address from 0,
 * which must stay below the arena (ARENA_BASE).
 */
export function threadMemory(bytes: number): WasmMemory {
  if (api === undefined) throw new Error('no WebAssembly engine');
  if (bytes > ARENA_BASE) throw new RangeError(`kernel scratch of ${bytes} bytes asked for: the kernels have ${ARENA_BASE} below the arena`);
  memory ??= new api.Memory({ initial: MEMORY_BYTES / PAGE_BYTES });
  return memory;
}

/** Whether `view` is a view of this thread's linear memory. */
export function inThreadMemory(view: ArrayBufferView): boolean {
  return memory !== null && view.buffer === memory.buffer;
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
