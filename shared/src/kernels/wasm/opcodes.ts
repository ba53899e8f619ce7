/**
 * The WebAssembly encodings the kernels use, as named constants, from the WebAssembly Core
 * Specification 2.0: §5.3 types, §5.4 instructions (vector instructions §5.4.8, the fixed-width SIMD
 * proposal as merged), §5.5 modules. Only what is used is listed; adding an opcode means checking its
 * number against the spec's table (and the module still has to pass WebAssembly.validate in the tests).
 */

/** Value types (§5.3.1, §5.3.2). */
export const ValType = {
  i32: 0x7f,
  v128: 0x7b,
} as const;
export type ValTypeName = keyof typeof ValType;

/** Module structure (§5.3.6 function types, §5.3.7 limits, §5.4.1 block types, §5.5). */
export const MAGIC = [0x00, 0x61, 0x73, 0x6d];
export const VERSION = [0x01, 0x00, 0x00, 0x00];
export const FUNC_TYPE = 0x60;
export const BLOCK_TYPE_EMPTY = 0x40;
export const LIMITS_MIN_ONLY = 0x00;
export const IMPORT_MEMORY = 0x02;
export const EXPORT_FUNC = 0x00;
export const Section = {
  type: 1,
  import: 2,
  function: 3,
  export: 7,
  code: 10,
} as const;

/** Single-byte instructions. */
export const Op = {
  // control (§5.4.1)
  loop: 0x03,
  if: 0x04,
  end: 0x0b,
  brIf: 0x0d,
  // variables (§5.4.4)
  localGet: 0x20,
  localSet: 0x21,
  // memory (§5.4.6), each followed by a memarg: alignment exponent, offset
  i32Load: 0x28,
  i32Store: 0x36,
  i32Store8: 0x3a,
  // numeric (§5.4.7)
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32Ne: 0x47,
  i32LtS: 0x48,
  i32LtU: 0x49,
  i32GtS: 0x4a,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32DivU: 0x6e,
  i32RemU: 0x70,
  i32Or: 0x72,
  i32Shl: 0x74,
} as const;

/** Prefix of the vector instructions (§5.4.8): 0xFD, then the instruction's number as a u32 LEB128. */
export const PREFIX_SIMD = 0xfd;

/** Vector instructions (§5.4.8): the number after the 0xFD prefix. */
export const SimdOp = {
  v128Load: 0, // memarg
  v128Load8x8S: 1, // memarg
  v128Load8x8U: 2, // memarg
  v128Load16x4S: 3, // memarg
  v128Load16x4U: 4, // memarg
  v128Load32Splat: 9, // memarg
  v128Store: 11, // memarg
  v128Const: 12, // 16 bytes
  i8x16Shuffle: 13, // 16 lane indices
  i8x16Splat: 15,
  i32x4Splat: 17,
  i16x8Eq: 45,
  i16x8Ne: 46,
  i32x4Eq: 55,
  f32x4Eq: 65,
  f32x4Ne: 66,
  f32x4Ge: 70,
  v128And: 78,
  v128AndNot: 79,
  v128Or: 80,
  v128Store32Lane: 90, // memarg, lane index
  v128Store64Lane: 91, // memarg, lane index
  i8x16NarrowI16x8S: 101,
  i8x16Add: 110,
  i8x16MinU: 119,
  i8x16MaxU: 121,
  i16x8NarrowI32x4S: 133,
  i16x8Add: 142,
  i32x4ExtendLowI16x8S: 167,
  i32x4ExtendHighI16x8S: 168,
  i32x4ExtendLowI16x8U: 169,
  f32x4DemoteF64x2Zero: 94,
  f64x2PromoteLowF32x4: 95,
  f32x4Neg: 225,
  f32x4Sqrt: 227,
  f32x4Add: 228,
  f32x4Sub: 229,
  f32x4Mul: 230,
  f32x4Div: 231,
  f32x4Pmin: 234,
  f64x2Add: 240,
  f64x2Sub: 241,
  f32x4ConvertI32x4S: 250,
} as const;
