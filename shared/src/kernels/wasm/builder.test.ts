import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../test-random.js';
import { type Expr, type Label, ModuleBuilder, f32x4, i16x8, i32, i32x4, i8x16, storeI32, storeI8, storeLow32, storeLow64, storeV128, v128 } from './builder.js';
import { hasSimd, instantiate, threadMemory, validate } from './runtime.js';

// Memory map of these tests: inputs from IN, outputs from OUT.
const IN = 1024;
const OUT = 8192;

/** Compiles a module whose function run() stores, for k = 0, 1, …, op(input k) as 16 bytes at OUT + 16k. */
function vectorFunction(count: number, op: (input: (offset: number) => Expr<'v128'>, k: number) => Expr<'v128'>): () => void {
  const m = new ModuleBuilder();
  m.function('run', [], (f) => {
    for (let k = 0; k < count; k++) f.do(storeV128(i32.const(OUT + 16 * k), op((offset) => v128.load(i32.const(IN), offset), k)));
  });
  const bytes = m.encode();
  expect(validate(bytes)).toBe(true);
  return instantiate(bytes).run as () => void;
}

const memory = () => threadMemory(65536).buffer;

/** Float32 values that stress rounding: signed zeros, infinities, NaN, subnormals, the largest finite, ties, random magnitudes. */
function awkwardFloats(count: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  const fixed = [0, -0, Infinity, -Infinity, NaN, 2 ** -149, -(2 ** -149), 2 ** -126, 3.4028234663852886e38, -3.4028234663852886e38, 1 + 2 ** -23, 1 - 2 ** -24, 16777216, 16777215, 3];
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = i < fixed.length ? fixed[i] : (random() - 0.5) * 10 ** (60 * random() - 30);
  return out;
}

describe('wasm module builder', () => {
  it('finds SIMD in this engine (every kernel test below runs the SIMD code)', () => {
    expect(hasSimd()).toBe(true);
  });

  it('builds modules the engine validates, one type per distinct signature', () => {
    const m = new ModuleBuilder();
    m.function('a', ['i32', 'i32'], (f) => {
      const [x, y] = f.params;
      f.do(storeV128(f.get(x), i32x4.splat(f.get(y))));
    });
    m.function('b', ['i32', 'i32'], () => {});
    m.function('c', [], () => {});
    const bytes = m.encode();
    expect(validate(bytes)).toBe(true);
    expect(validate(bytes.subarray(0, bytes.length - 1))).toBe(false);
    const run = instantiate(bytes) as { a: (x: number, y: number) => void };
    run.a(IN, 0x01020304);
    expect([...new Uint32Array(memory(), IN, 4)]).toEqual([0x01020304, 0x01020304, 0x01020304, 0x01020304]);
  });

  it('checks what it can before the engine does', () => {
    const m = new ModuleBuilder();
    expect(() =>
      m.function('bad', ['i32'], (f) => {
        const v = f.local('v128');
        f.set(v as never, f.get(f.params[0]) as never);
      }),
    ).toThrow(/local of type v128 set to i32/);
    expect(() => v128.shuffle(v128.const(new Uint8Array(16)), v128.const(new Uint8Array(16)), [32, ...new Array<number>(15).fill(0)])).toThrow(RangeError);
    expect(() => v128.const([1, 2, 3])).toThrow(RangeError);
    m.function('loops', [], (f) => {
      let escaped: Label | undefined;
      f.loop((next) => {
        escaped = next;
      });
      expect(() => f.brIf(escaped!, i32.const(1))).toThrow(/not open/);
    });
  });

  it('loops and branches: fills 1 … n into memory', () => {
    const m = new ModuleBuilder();
    m.function('fill', ['i32'], (f) => {
      const [n] = f.params;
      const i = f.local('i32');
      f.when(i32.gtS(f.get(n), i32.const(0)), () => {
        f.loop((next) => {
          f.set(i, i32.add(f.get(i), i32.const(1)));
          f.do(storeV128(i32.add(i32.const(IN - 16), i32.shl(f.get(i), i32.const(4))), i32x4.splat(f.get(i))));
          f.brIf(next, i32.ltS(f.get(i), f.get(n)));
        });
      });
    });
    const bytes = m.encode();
    expect(validate(bytes)).toBe(true);
    const fill = instantiate(bytes).fill as (n: number) => void;
    new Uint32Array(memory(), IN, 32).fill(0);
    fill(5);
    expect([...new Uint32Array(memory(), IN, 24)].filter((_, k) => k % 4 === 0)).toEqual([1, 2, 3, 4, 5, 0]);
    fill(0);
  });

  it('f32x4 arithmetic is float64 arithmetic on float32 values rounded with Math.fround, bit for bit', () => {
    const n = 1024;
    const a = awkwardFloats(n, 1);
    const b = awkwardFloats(n, 2).reverse();
    type V = Expr<'v128'>;
    const fr = Math.fround;
    const ops: Array<[string, (x: V, y: V) => V, (x: number, y: number) => number]> = [
      ['add', f32x4.add, (x, y) => fr(x + y)],
      ['sub', f32x4.sub, (x, y) => fr(x - y)],
      ['mul', f32x4.mul, (x, y) => fr(x * y)],
      ['div', f32x4.div, (x, y) => fr(x / y)],
      ['sqrt', (x) => f32x4.sqrt(x), (x) => fr(Math.sqrt(x))],
      // the change pass's `fx < fy ? fx : fy`
      ['x < y ? x : y', (x, y) => f32x4.pmin(y, x), (x, y) => (x < y ? x : y)],
    ];
    for (const [name, op, js] of ops) {
      const run = vectorFunction(1, (input) => op(input(0), input(16)));
      const out = new Float32Array(memory(), OUT, 4);
      const input = new Float32Array(memory(), IN, 8);
      for (let i = 0; i < n; i += 4) {
        input.set(a.subarray(i, i + 4));
        input.set(b.subarray(i, i + 4), 4);
        run();
        for (let l = 0; l < 4; l++) {
          const expected = js(a[i + l], b[i + l]);
          // NaN payloads are the engine's choice; every other result must match exactly (±0 included)
          if (Number.isNaN(expected)) expect(out[l], name).toBeNaN();
          else expect(Object.is(out[l], expected), `${name}(${a[i + l]}, ${b[i + l]}) = ${out[l]}, expected ${expected}`).toBe(true);
        }
      }
    }
  });

  it('loads and widens integers exactly, and narrows lane masks keeping 0 / −1', () => {
    const samples = Int16Array.of(-32768, -1, 0, 1, 32767, 12345, -2, 7);
    new Int16Array(memory(), IN, 8).set(samples);
    const zero = () => v128.const(new Uint8Array(16));
    const run = vectorFunction(7, (input, k) =>
      [
        f32x4.convertI32x4S(v128.load16x4U(i32.const(IN))),
        f32x4.convertI32x4S(v128.load16x4S(i32.const(IN))),
        f32x4.convertI32x4S(i32x4.extendLowI16x8S(v128.load8x8S(i32.const(IN)))),
        f32x4.convertI32x4S(i32x4.extendLowI16x8U(v128.load8x8U(i32.const(IN)))),
        // −1 where the 16-bit lane equals 0 or 1 (mask), narrowed to bytes
        i8x16.narrowI16x8S(v128.or(i16x8.eq(input(0), zero()), i16x8.eq(input(0), v128.const(new Uint8Array(new Int16Array(8).fill(1).buffer)))), zero()),
        v128.andNot(i8x16.splat(i32.const(1)), i8x16.narrowI16x8S(i16x8.narrowI32x4S(i32x4.eq(input(0), input(0)), zero()), input(0))),
        i32x4.extendHighI16x8S(i16x8.ne(input(0), zero())),
      ][k],
    );
    run();
    const out = (k: number) => new Float32Array(memory(), OUT + 16 * k, 4);
    expect([...out(0)]).toEqual([32768, 65535, 0, 1]);
    expect([...out(1)]).toEqual([-32768, -1, 0, 1]);
    expect([...out(2)]).toEqual([0, -128, -1, -1]); // bytes 0x00, 0x80, 0xff, 0xff of −32768, −1
    expect([...out(3)]).toEqual([0, 128, 255, 255]);
    expect([...new Int8Array(memory(), OUT + 64, 8)]).toEqual([0, 0, -1, -1, 0, 0, 0, 0]);
    expect([...new Uint8Array(memory(), OUT + 80, 8)]).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect([...new Int32Array(memory(), OUT + 96, 4)]).toEqual([-1, -1, -1, -1]);
  });

  it('adds 8- and 16-bit lanes modulo 2^8 and 2^16 (wrapping, not saturating)', () => {
    const a = Uint16Array.of(65535, 65535, 1, 32767, 40000, 0, 12345, 65534);
    const b = Uint16Array.of(1, 65535, 2, 1, 40000, 0, 54321, 3);
    new Uint16Array(memory(), IN, 16).set([...a, ...b]);
    const run = vectorFunction(2, (input, k) => (k === 0 ? i16x8.add(input(0), input(16)) : i8x16.add(input(0), input(16))));
    run();
    expect([...new Uint16Array(memory(), OUT, 8)]).toEqual([...a].map((x, i) => (x + b[i]!) % 65536));
    const bytesA = new Uint8Array(a.buffer);
    const bytesB = new Uint8Array(b.buffer);
    expect([...new Uint8Array(memory(), OUT + 16, 16)]).toEqual([...bytesA].map((x, i) => (x + bytesB[i]!) % 256));
  });

  it('takes the smaller and the larger of 8-bit lanes as unsigned bytes', () => {
    const a = Uint8Array.of(0, 255, 128, 127, 1, 0, 200, 13, 255, 0, 64, 65, 129, 3, 2, 250);
    const b = Uint8Array.of(255, 0, 127, 128, 1, 0, 100, 14, 255, 1, 65, 64, 1, 3, 250, 2);
    new Uint8Array(memory(), IN, 32).set([...a, ...b]);
    const run = vectorFunction(2, (input, k) => (k === 0 ? i8x16.minU(input(0), input(16)) : i8x16.maxU(input(0), input(16))));
    run();
    expect([...new Uint8Array(memory(), OUT, 16)]).toEqual([...a].map((x, i) => Math.min(x, b[i]!)));
    expect([...new Uint8Array(memory(), OUT + 16, 16)]).toEqual([...a].map((x, i) => Math.max(x, b[i]!)));
  });

  it('stores 4 bytes, 1 byte, and splats 4 bytes from memory', () => {
    new Float32Array(memory(), IN, 1)[0] = 2.5;
    const m = new ModuleBuilder();
    m.function('run', [], (f) => {
      f.do(storeV128(i32.const(OUT), v128.load32Splat(i32.const(IN))));
      f.do(storeI32(i32.const(OUT + 16), i32.const(-2)));
      f.do(storeI8(i32.const(OUT + 20), i32.const(0x1ff)));
    });
    (instantiate(m.encode()).run as () => void)();
    expect([...new Float32Array(memory(), OUT, 4)]).toEqual([2.5, 2.5, 2.5, 2.5]);
    expect(new Int32Array(memory(), OUT + 16, 1)[0]).toBe(-2);
    expect(new Uint8Array(memory(), OUT + 20, 1)[0]).toBe(0xff);
  });

  it('shuffles bytes from both operands and stores the low half alone', () => {
    const bytes = Uint8Array.from({ length: 32 }, (_, i) => i + 100);
    new Uint8Array(memory(), IN, 32).set(bytes);
    const lanes = [31, 0, 17, 3, 8, 9, 10, 11, 16, 16, 16, 16, 15, 14, 13, 12];
    const m = new ModuleBuilder();
    m.function('run', [], (f) => {
      f.do(storeV128(i32.const(OUT), i32x4.splat(i32.const(-1))));
      f.do(storeLow64(i32.const(OUT), v128.shuffle(v128.load(i32.const(IN)), v128.load(i32.const(IN), 16), lanes)));
    });
    (instantiate(m.encode()).run as () => void)();
    expect([...new Uint8Array(memory(), OUT, 16)]).toEqual([...lanes.slice(0, 8).map((l) => bytes[l]), ...new Array<number>(8).fill(255)]);
  });

  it('compares float32 lanes as JavaScript compares their values (NaN equals nothing, −0 equals 0)', () => {
    const a = Float32Array.of(NaN, -0, 1.5, Infinity);
    const b = Float32Array.of(NaN, 0, 1.5, -Infinity);
    new Float32Array(memory(), IN, 8).set([...a, ...b]);
    vectorFunction(1, (input) => f32x4.eq(input(0), input(16)))();
    expect([...new Int32Array(memory(), OUT, 4)]).toEqual([0, -1, -1, 0]);
  });

  it('compares float32 lanes with ≥ as JavaScript does (false where either is NaN)', () => {
    const a = Float32Array.of(NaN, -0, 1.5, Infinity, 2, 1, -Infinity, 3);
    const b = Float32Array.of(1, 0, 1.5, Infinity, NaN, 2, -Infinity, -Infinity);
    new Float32Array(memory(), IN, 8).set(a.subarray(0, 4));
    new Float32Array(memory(), IN + 16, 4).set(b.subarray(0, 4));
    vectorFunction(1, (input) => f32x4.ge(input(0), input(16)))();
    expect([...new Int32Array(memory(), OUT, 4)]).toEqual([0, -1, -1, -1]);
    new Float32Array(memory(), IN, 4).set(a.subarray(4));
    new Float32Array(memory(), IN + 16, 4).set(b.subarray(4));
    vectorFunction(1, (input) => f32x4.ge(input(0), input(16)))();
    expect([...new Int32Array(memory(), OUT, 4)]).toEqual([0, 0, -1, -1]);
  });

  it('stores the low 4 bytes of a vector alone', () => {
    const bytes = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
    new Uint8Array(memory(), IN, 16).set(bytes);
    const m = new ModuleBuilder();
    m.function('run', [], (f) => {
      f.do(storeV128(i32.const(OUT), i32x4.splat(i32.const(-1))));
      f.do(storeLow32(i32.const(OUT), v128.load(i32.const(IN))));
    });
    (instantiate(m.encode()).run as () => void)();
    expect([...new Uint8Array(memory(), OUT, 8)]).toEqual([1, 2, 3, 4, 255, 255, 255, 255]);
  });
});
