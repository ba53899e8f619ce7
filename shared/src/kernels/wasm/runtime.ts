/**
 * The WebAssembly engine as the kernels use it: compile a generated module synchronously, instantiate
 * it against this thread's one linear memory, grow that memory as needed.
 *
 * The engine is reached through `globalThis.WebAssembly`, typed here with only what is used (the
 * project compiles without the DOM typings that declare it). Module-level state is per thread: every
 * worker thread loads its own copy of this module, so compiles its own kernels and owns its own memory.
 */

import { ModuleBuilder, v128 } from './builder.js';

export const PAGE_BYTES = 65536;

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

/** This thread's linear memory, grown to at least `bytes` (views of an older buffer are detached). */
export function threadMemory(bytes: number): WasmMemory {
  if (api === undefined) throw new Error('no WebAssembly engine');
  const pages = Math.ceil(bytes / PAGE_BYTES);
  if (memory === null) memory = new api.Memory({ initial: Math.max(1, pages) });
  const have = memory.buffer.byteLength / PAGE_BYTES;
  if (have < pages) memory.grow(pages - have);
  return memory;
}

/** Compiles and instantiates `bytes` against this thread's memory; returns its exports. */
export function instantiate(bytes: Uint8Array): Record<string, unknown> {
  if (api === undefined) throw new Error('no WebAssembly engine');
  const module = new api.Module(bytes);
  return new api.Instance(module, { env: { memory: threadMemory(PAGE_BYTES) } }).exports;
}
