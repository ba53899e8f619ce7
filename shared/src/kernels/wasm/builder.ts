/**
 * A tiny typed builder for WebAssembly modules, so kernels are written as TypeScript expressions and
 * emitted at run time (no toolchain, no committed binaries).
 *
 * An expression is a value of a known type (`Expr<'v128'>`, `Expr<'i32'>`, …) holding the code that
 * pushes it; the operators in the `i32`, `v128`, `i16x8`, `f32x4`, … namespaces combine expressions,
 * so `f32x4.add(a, b)` is a's code, b's code, then the opcode: the stack-machine order of the spec.
 * An expression used twice is emitted twice; keep shared values in locals (`f.let`). A FunctionBuilder
 * collects statements (local sets, stores, loops) and declares locals; ModuleBuilder assembles the
 * module: one imported memory ("env", "memory"), the functions, each exported by name.
 *
 * Only what the kernels use is here. Operand types are checked when the TypeScript compiles, and the
 * whole module again by the engine when it is compiled (the tests also run WebAssembly.validate).
 */

import { ByteWriter, section } from './encoding.js';
import {
  BLOCK_TYPE_EMPTY,
  EXPORT_FUNC,
  FUNC_TYPE,
  IMPORT_MEMORY,
  LIMITS_MIN_ONLY,
  MAGIC,
  Op,
  PREFIX_SIMD,
  Section,
  SimdOp,
  ValType,
  type ValTypeName,
  VERSION,
} from './opcodes.js';

/** Code as a tree of byte runs, flattened once when a function is encoded (so nesting costs nothing). */
export type Code = ReadonlyArray<Code | number>;

/** An expression: the code that pushes one value of type T. */
export interface Expr<T extends ValTypeName> {
  readonly type: T;
  readonly code: Code;
}

/** A statement: code that leaves the stack as it found it. */
export interface Stmt {
  readonly code: Code;
}

function flatten(code: Code, out: number[]): void {
  for (const part of code) {
    if (typeof part === 'number') out.push(part);
    else flatten(part, out);
  }
}

function expr<T extends ValTypeName>(type: T, parts: ReadonlyArray<Expr<ValTypeName> | readonly number[]>): Expr<T> {
  return { type, code: parts.map((part) => ('code' in part ? part.code : part)) };
}

function stmt(parts: ReadonlyArray<Expr<ValTypeName> | readonly number[]>): Stmt {
  return { code: expr('i32', parts).code };
}

const u32 = (value: number): number[] => [...new ByteWriter().u32(value).toBytes()];
const s32 = (value: number): number[] => [...new ByteWriter().i32(value).toBytes()];
const simd = (op: number): number[] => [PREFIX_SIMD, ...u32(op)];
/** memarg (§5.4.6): alignment exponent (a hint; 0 is valid for every access), then the constant offset. */
const memarg = (offset: number): number[] => [0, ...u32(offset)];

type V = Expr<'v128'>;
type I = Expr<'i32'>;

const unaryV = (op: number) => (a: V): V => expr('v128', [a, simd(op)]);
const binaryV = (op: number) => (a: V, b: V): V => expr('v128', [a, b, simd(op)]);
const binaryI = (op: number) => (a: I, b: I): I => expr('i32', [a, b, [op]]);
const loadV = (op: number) => (address: I, offset = 0): V => expr('v128', [address, simd(op), memarg(offset)]);

/** i32 scalars (addresses, counters). */
export const i32 = {
  const: (value: number): I => expr('i32', [[Op.i32Const, ...s32(value | 0)]]),
  /** The 4 bytes at address + offset. */
  load: (address: I, offset = 0): I => expr('i32', [address, [Op.i32Load], memarg(offset)]),
  add: binaryI(Op.i32Add),
  sub: binaryI(Op.i32Sub),
  mul: binaryI(Op.i32Mul),
  /** Unsigned quotient, rounded toward zero (traps on a zero divisor). */
  divU: binaryI(Op.i32DivU),
  /** Unsigned remainder (traps on a zero divisor). */
  remU: binaryI(Op.i32RemU),
  or: binaryI(Op.i32Or),
  shl: binaryI(Op.i32Shl),
  /** 1 when a is 0, else 0. */
  eqz: (a: I): I => expr('i32', [a, [Op.i32Eqz]]),
  eq: binaryI(Op.i32Eq),
  ne: binaryI(Op.i32Ne),
  ltS: binaryI(Op.i32LtS),
  ltU: binaryI(Op.i32LtU),
  gtS: binaryI(Op.i32GtS),
};

/** 128-bit vectors whatever their lanes: loads, constants, bitwise operators, byte shuffles. */
export const v128 = {
  /** 16 bytes at address + offset (no alignment required). */
  load: loadV(SimdOp.v128Load),
  /** 8 bytes, each sign-extended to a 16-bit lane. */
  load8x8S: loadV(SimdOp.v128Load8x8S),
  /** 8 bytes, each zero-extended to a 16-bit lane. */
  load8x8U: loadV(SimdOp.v128Load8x8U),
  /** 4 16-bit integers, each sign-extended to a 32-bit lane. */
  load16x4S: loadV(SimdOp.v128Load16x4S),
  /** 4 16-bit integers, each zero-extended to a 32-bit lane. */
  load16x4U: loadV(SimdOp.v128Load16x4U),
  /** 4 bytes into all four 32-bit lanes. */
  load32Splat: loadV(SimdOp.v128Load32Splat),
  const: (bytes: ArrayLike<number>): V => {
    if (bytes.length !== 16) throw new RangeError('v128.const takes 16 bytes');
    return expr('v128', [simd(SimdOp.v128Const), Array.from(bytes)]);
  },
  and: binaryV(SimdOp.v128And),
  /** a & ~b */
  andNot: binaryV(SimdOp.v128AndNot),
  or: binaryV(SimdOp.v128Or),
  /** Byte i of the result is byte lanes[i] of a (0–15) or of b (16–31). */
  shuffle: (a: V, b: V, lanes: readonly number[]): V => {
    if (lanes.length !== 16 || lanes.some((l) => !Number.isInteger(l) || l < 0 || l > 31)) throw new RangeError('i8x16.shuffle takes 16 lane indices in 0..31');
    return expr('v128', [a, b, simd(SimdOp.i8x16Shuffle), lanes]);
  },
};

/** Stores `value`'s 16 bytes at address + offset. */
export function storeV128(address: I, value: V, offset = 0): Stmt {
  return stmt([address, value, simd(SimdOp.v128Store), memarg(offset)]);
}

/** Stores the low 8 bytes of `value` (64-bit lane 0) at address + offset. */
export function storeLow64(address: I, value: V, offset = 0): Stmt {
  return stmt([address, value, simd(SimdOp.v128Store64Lane), memarg(offset), [0]]);
}

/** Stores the low 4 bytes of `value` (32-bit lane 0) at address + offset. */
export function storeLow32(address: I, value: V, offset = 0): Stmt {
  return stmt([address, value, simd(SimdOp.v128Store32Lane), memarg(offset), [0]]);
}

/** Stores an i32 (4 bytes) at address + offset. */
export function storeI32(address: I, value: I, offset = 0): Stmt {
  return stmt([address, value, [Op.i32Store], memarg(offset)]);
}

/** Stores the low byte of an i32 at address + offset. */
export function storeI8(address: I, value: I, offset = 0): Stmt {
  return stmt([address, value, [Op.i32Store8], memarg(offset)]);
}

/** 16 × 8-bit integer lanes. */
export const i8x16 = {
  splat: (a: I): V => expr('v128', [a, simd(SimdOp.i8x16Splat)]),
  /** The lanes of a, then of b, each saturated to 8 bits (so masks 0 / −1 stay 0 / −1). */
  narrowI16x8S: binaryV(SimdOp.i8x16NarrowI16x8S),
  /** Lane by lane, modulo 2^8. */
  add: binaryV(SimdOp.i8x16Add),
  /** Lane by lane, the smaller as unsigned bytes. */
  minU: binaryV(SimdOp.i8x16MinU),
  /** Lane by lane, the larger as unsigned bytes. */
  maxU: binaryV(SimdOp.i8x16MaxU),
};

/** 8 × 16-bit integer lanes; comparisons give −1 (all bits set) or 0 per lane. */
export const i16x8 = {
  eq: binaryV(SimdOp.i16x8Eq),
  ne: binaryV(SimdOp.i16x8Ne),
  /** The lanes of a, then of b, each saturated to 16 bits (so masks 0 / −1 stay 0 / −1). */
  narrowI32x4S: binaryV(SimdOp.i16x8NarrowI32x4S),
  /** Lane by lane, modulo 2^16. */
  add: binaryV(SimdOp.i16x8Add),
};

/** 4 × 32-bit integer lanes. */
export const i32x4 = {
  splat: (a: I): V => expr('v128', [a, simd(SimdOp.i32x4Splat)]),
  eq: binaryV(SimdOp.i32x4Eq),
  /** 16-bit lanes 0–3, sign-extended. */
  extendLowI16x8S: unaryV(SimdOp.i32x4ExtendLowI16x8S),
  /** 16-bit lanes 4–7, sign-extended. */
  extendHighI16x8S: unaryV(SimdOp.i32x4ExtendHighI16x8S),
  /** 16-bit lanes 0–3, zero-extended. */
  extendLowI16x8U: unaryV(SimdOp.i32x4ExtendLowI16x8U),
};

/**
 * 4 × f32 lanes: IEEE 754 binary32 arithmetic, each result correctly rounded (to nearest, ties to
 * even), no fused multiply-add; comparisons give −1 (all bits set) or 0 per lane.
 */
export const f32x4 = {
  eq: binaryV(SimdOp.f32x4Eq),
  ne: binaryV(SimdOp.f32x4Ne),
  /** a ≥ b (false where either is NaN). */
  ge: binaryV(SimdOp.f32x4Ge),
  add: binaryV(SimdOp.f32x4Add),
  sub: binaryV(SimdOp.f32x4Sub),
  mul: binaryV(SimdOp.f32x4Mul),
  div: binaryV(SimdOp.f32x4Div),
  sqrt: unaryV(SimdOp.f32x4Sqrt),
  /** The sign bit flipped (exactly JavaScript's unary minus on a float32: −0 ↔ +0, NaN stays NaN). */
  neg: unaryV(SimdOp.f32x4Neg),
  /** b < a ? b : a, lane by lane (the spec's fpmin: no NaN propagation, so `x < y ? x : y` is pmin(y, x)). */
  pmin: binaryV(SimdOp.f32x4Pmin),
  /** Lanes 0 and 1 of two f64 lanes, each rounded to float32 (to nearest, ties to even); lanes 2 and 3 are 0. */
  demoteF64x2Zero: unaryV(SimdOp.f32x4DemoteF64x2Zero),
  /** i32 lanes converted to f32 (exact below 2^24 in magnitude). */
  convertI32x4S: unaryV(SimdOp.f32x4ConvertI32x4S),
};

/** 2 × f64 lanes: IEEE 754 binary64 arithmetic, each result correctly rounded (as JavaScript numbers). */
export const f64x2 = {
  /** f32 lanes 0 and 1, widened (exact). */
  promoteLowF32x4: unaryV(SimdOp.f64x2PromoteLowF32x4),
  add: binaryV(SimdOp.f64x2Add),
  sub: binaryV(SimdOp.f64x2Sub),
};

/** A function local (parameters are locals too). */
export interface Local<T extends ValTypeName> {
  readonly type: T;
  readonly index: number;
}

/** The target of a branch: a loop (branching to it starts the next iteration) or an `if` block. */
export interface Label {
  readonly kind: 'loop' | 'if';
}

/** Builds one function body: statements in order, locals declared as needed. */
export class FunctionBuilder<P extends readonly ValTypeName[]> {
  readonly params: { [K in keyof P]: Local<P[K]> };
  private readonly localTypes: ValTypeName[] = [];
  private readonly body: Code[] = [];
  private readonly labels: Label[] = [];

  constructor(
    readonly name: string,
    readonly paramTypes: P,
  ) {
    this.params = paramTypes.map((type, index) => ({ type, index })) as { [K in keyof P]: Local<P[K]> };
  }

  /** A new local of `type` (zero-initialised, as the spec defines). */
  local<T extends ValTypeName>(type: T): Local<T> {
    this.localTypes.push(type);
    return { type, index: this.paramTypes.length + this.localTypes.length - 1 };
  }

  /** A new local holding `value`. */
  let<T extends ValTypeName>(value: Expr<T>): Local<T> {
    const l = this.local(value.type);
    this.set(l, value);
    return l;
  }

  get<T extends ValTypeName>(l: Local<T>): Expr<T> {
    return expr(l.type, [[Op.localGet, ...u32(l.index)]]);
  }

  set<T extends ValTypeName>(l: Local<T>, value: Expr<T>): void {
    if (value.type !== l.type) throw new TypeError(`${this.name}: local of type ${l.type} set to ${value.type}`);
    this.emit(value.code, [Op.localSet, ...u32(l.index)]);
  }

  /** Appends a statement (a store). */
  do(statement: Stmt): void {
    this.emit(statement.code);
  }

  /** `loop … end`: `brIf(label, …)` inside starts the body again. */
  loop(body: (next: Label) => void): void {
    const label: Label = { kind: 'loop' };
    this.emit([Op.loop, BLOCK_TYPE_EMPTY]);
    this.labels.push(label);
    body(label);
    this.labels.pop();
    this.emit([Op.end]);
  }

  /** `if … end`: the body runs when `condition` is non-zero. */
  when(condition: I, body: () => void): void {
    this.emit(condition.code, [Op.if, BLOCK_TYPE_EMPTY]);
    this.labels.push({ kind: 'if' });
    body();
    this.labels.pop();
    this.emit([Op.end]);
  }

  /** `br_if`: branches to `label` when `condition` is non-zero. */
  brIf(label: Label, condition: I): void {
    const i = this.labels.lastIndexOf(label);
    if (i < 0) throw new Error(`${this.name}: branch to a label that is not open`);
    this.emit(condition.code, [Op.brIf, ...u32(this.labels.length - 1 - i)]);
  }

  /** The body as the code section stores it (§5.5.13): locals in runs of one type, the code, `end`. */
  encode(): Uint8Array {
    if (this.labels.length !== 0) throw new Error(`${this.name}: unclosed block`);
    const runs: Array<[number, ValTypeName]> = [];
    for (const type of this.localTypes) {
      const last = runs[runs.length - 1];
      if (last !== undefined && last[1] === type) last[0]++;
      else runs.push([1, type]);
    }
    const w = new ByteWriter().u32(runs.length);
    for (const [count, type] of runs) w.u32(count).byte(ValType[type]);
    const code: number[] = [];
    flatten(this.body, code);
    return w.bytes(code).byte(Op.end).toBytes();
  }

  private emit(...parts: Code[]): void {
    for (const part of parts) this.body.push(part);
  }
}

/** Assembles a module: an imported memory ("env", "memory", at least one page), functions without results, each exported by name. */
export class ModuleBuilder {
  private readonly functions: Array<FunctionBuilder<readonly ValTypeName[]>> = [];

  function<P extends readonly ValTypeName[]>(name: string, params: P, body: (f: FunctionBuilder<P>) => void): void {
    const f = new FunctionBuilder(name, params);
    body(f);
    this.functions.push(f as unknown as FunctionBuilder<readonly ValTypeName[]>);
  }

  encode(): Uint8Array {
    const out = new ByteWriter().bytes(MAGIC).bytes(VERSION);
    // type section (§5.5.4): one function type per distinct parameter list, no results
    const signatures: string[] = [];
    const typeIndex = this.functions.map((f) => {
      const key = f.paramTypes.join(',');
      const i = signatures.indexOf(key);
      return i >= 0 ? i : signatures.push(key) - 1;
    });
    const types = new ByteWriter().u32(signatures.length);
    for (const key of signatures) {
      const params = key === '' ? [] : (key.split(',') as ValTypeName[]);
      types.byte(FUNC_TYPE).u32(params.length);
      for (const p of params) types.byte(ValType[p]);
      types.u32(0);
    }
    section(out, Section.type, types.toBytes());
    // import section (§5.5.5): the memory
    section(out, Section.import, new ByteWriter().u32(1).name('env').name('memory').byte(IMPORT_MEMORY).byte(LIMITS_MIN_ONLY).u32(1).toBytes());
    // function section (§5.5.6): each function's type
    const funcs = new ByteWriter().u32(this.functions.length);
    for (const t of typeIndex) funcs.u32(t);
    section(out, Section.function, funcs.toBytes());
    // export section (§5.5.10)
    const exports = new ByteWriter().u32(this.functions.length);
    this.functions.forEach((f, i) => exports.name(f.name).byte(EXPORT_FUNC).u32(i));
    section(out, Section.export, exports.toBytes());
    // code section (§5.5.13): each body prefixed by its size
    const bodies = new ByteWriter().u32(this.functions.length);
    for (const f of this.functions) {
      const body = f.encode();
      bodies.u32(body.length).bytes(body);
    }
    section(out, Section.code, bodies.toBytes());
    return out.toBytes();
  }
}
