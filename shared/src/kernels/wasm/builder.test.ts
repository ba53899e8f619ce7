import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../test-random.js';
import { type Expr, type Label, ModuleBuilder, f32x4, f64x2, i16x8, i32, i32x4, i8x16, storeLow64, storeV128, v128 } from './builder.js';
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

/** Doubles that stress rounding: signed zeros, infinities, NaN, subnormals, float32 ties and overflow, random magnitudes. */
function awkwardDoubles(count: number, seed: number): Float64Array {
  const random = mulberry32(seed);
  const fixed = [0, -0, Infinity, -Infinity, NaN, 5e-324, -5e-324, 2 ** -149, 2 ** -150, 3 * 2 ** -151, 3.4028235677973366e38, 3.4028236e38, 1 + 2 ** -24, 1 + 3 * 2 ** -24, 16777217];
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = i < fixed.length ? fixed[i] : (random() - 0.5) * 10 ** (80 * random() - 40);
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

  it('f64x2 arithmetic is JavaScript double arithmetic, bit for bit', () => {
    const n = 512;
    const a = awkwardDoubles(n, 1);
    const b = awkwardDoubles(n, 2).reverse();
    type V = Expr<'v128'>;
    const ops: Array<[string, (x: V, y: V) => V, (x: number, y: number) => number]> = [
      ['add', f64x2.add, (x, y) => x + y],
      ['sub', f64x2.sub, (x, y) => x - y],
      ['mul', f64x2.mul, (x, y) => x * y],
      ['div', f64x2.div, (x, y) => x / y],
      ['sqrt', (x) => f64x2.sqrt(x), (x) => Math.sqrt(x)],
      ['fround', (x) => f64x2.promoteLowF32x4(f32x4.demoteF64x2Zero(x)), (x) => Math.fround(x)],
      // the change pass's `fx < fy ? fx : fy`
      ['x < y ? x : y', (x, y) => f64x2.pmin(y, x), (x, y) => (x < y ? x : y)],
    ];
    for (const [name, op, js] of ops) {
      const run = vectorFunction(1, (input) => op(input(0), input(16)));
      const out = new Float64Array(memory(), OUT, 2);
      const input = new Float64Array(memory(), IN, 4);
      for (let i = 0; i < n; i += 2) {
        input.set([a[i], a[i + 1], b[i], b[i + 1]]);
        run();
        for (let l = 0; l < 2; l++) {
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
    const run = vectorFunction(6, (input, k) =>
      [
        f64x2.convertLowI32x4S(v128.load16x4U(i32.const(IN))),
        f64x2.convertLowI32x4S(v128.load16x4S(i32.const(IN))),
        f64x2.convertLowI32x4S(i32x4.extendLowI16x8S(v128.load8x8S(i32.const(IN)))),
        f64x2.convertLowI32x4S(i32x4.extendLowI16x8U(v128.load8x8U(i32.const(IN)))),
        // −1 where the 16-bit lane equals 0 or 1 (mask), narrowed twice to bytes
        i8x16.narrowI16x8S(v128.or(i16x8.eq(input(0), v128.const(new Uint8Array(16))), i16x8.eq(input(0), v128.const(new Uint8Array(new Int16Array(8).fill(1).buffer)))), v128.const(new Uint8Array(16))),
        v128.andNot(i8x16.splat(i32.const(1)), i8x16.narrowI16x8S(i16x8.narrowI32x4S(i32x4.eq(input(0), input(0)), v128.const(new Uint8Array(16))), input(0))),
      ][k],
    );
    run();
    const out = (k: number) => new Float64Array(memory(), OUT + 16 * k, 2);
    expect([...out(0)]).toEqual([32768, 65535]);
    expect([...out(1)]).toEqual([-32768, -1]);
    expect([...out(2)]).toEqual([0, -128]); // bytes 0x00, 0x80 of −32768
    expect([...out(3)]).toEqual([0, 128]);
    expect([...new Int8Array(memory(), OUT + 64, 8)]).toEqual([0, 0, -1, -1, 0, 0, 0, 0]);
    expect([...new Uint8Array(memory(), OUT + 80, 8)]).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
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
});
