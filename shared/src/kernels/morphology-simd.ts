/**
 * The 3×3 binary erosion, dilation, opening and closing of morphology.ts in WebAssembly fixed-width
 * SIMD, sixteen pixels per instruction, generated at run time with the emitter in wasm/ and compiled
 * on first use in each thread (each worker thread has its own module state, so its own module and
 * memory), then cached.
 *
 * Why: the JavaScript kernel packs 32 pixels into a word, filters the words and unpacks them again;
 * the packing and unpacking are most of its time. Here the bytes are filtered as they are: the minimum
 * of unsigned bytes is nonzero exactly where every one is (erosion), the maximum where any one is
 * (dilation), so any nonzero sample counts as foreground without a first pass, and the last stage
 * turns what it writes into 0 / 1 with one more minimum against 1.
 *
 * Method (same windows and edge rule as morphology.ts, so the same bytes): a 3×3 minimum or maximum
 * is separable. Per output row: the rows above, at and below (an out-of-array row replaced by the
 * edge row itself, exact for a minimum or maximum since that row is in the clipped window) are
 * combined into a padded row buffer, whose columns −1 and `width` hold the operation's neutral byte
 * (255 for the minimum, 0 for the maximum: columns outside the array are ignored); then each pixel
 * combines its column with the columns either side. The opening and closing run their first stage
 * one row ahead into a ring of three rows, so the intermediate image never exists at full size.
 * Loops run whole vectors from column 0: reads and writes run up to 15 bytes past a row's end; the
 * bytes written there belong to the next row, which is written afterwards, or to the vector of slack
 * after each region.
 *
 * Memory: the thread's one linear memory (wasm/runtime.ts) holds the source and the output images,
 * two padded row buffers and the ring. Masks whose regions exceed MAX_SIMD_BYTES take the JavaScript
 * kernel.
 */

import { type Expr, type FunctionBuilder, type Local, ModuleBuilder, i32, i8x16, storeI8, storeV128, v128 } from './wasm/builder.js';
import { hasSimd, inScratch, instantiate, threadMemory } from './wasm/runtime.js';

/** Largest linear memory the SIMD path uses (beyond it the JavaScript kernel runs, needing no more memory than its caller gave it). */
export const MAX_SIMD_BYTES = 160 * 2 ** 20;

/** The four filters, each a function of the module. */
export type MorphologyFilter = 'erode' | 'dilate' | 'open' | 'close';

type I = Expr<'i32'>;
type V = Expr<'v128'>;
/** (src, out, width, height, firstRow, secondRow, ring, span): byte addresses and sizes. */
type FilterParams = readonly ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'];
const FILTER_PARAMS: FilterParams = ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'];

const VECTOR = 16;

interface Stage {
  op: (a: V, b: V) => V;
  /** the byte that changes nothing under `op` (columns outside the array) */
  neutral: number;
}
const MIN: Stage = { op: i8x16.minU, neutral: 255 };
const MAX: Stage = { op: i8x16.maxU, neutral: 0 };

const STAGES: Record<MorphologyFilter, readonly Stage[]> = {
  erode: [MIN],
  dilate: [MAX],
  open: [MIN, MAX],
  close: [MAX, MIN],
};

/**
 * One filter: `stages` (one or two) applied in turn from src to out, as described in the header.
 * Parameters: src and out images (width × height bytes), the padded row buffer of each stage (address
 * of column 0; columns −1 … span are usable), the ring of three first-stage rows of `span` bytes
 * (span = width rounded up to a vector).
 */
function emitFilter(f: FunctionBuilder<FilterParams>, stages: readonly Stage[]): void {
  const [src, out, width, height, firstRow, secondRow, ring, span] = f.params;
  const get = <T extends 'i32' | 'v128'>(l: Local<T>) => f.get(l);
  const rowBuffers = [firstRow, secondRow];
  const one = f.let(i8x16.splat(i32.const(1)));
  const x = f.local('i32');
  const y = f.local('i32');
  const t = f.local('i32');
  const above = f.local('i32');
  const centre = f.local('i32');
  const below = f.local('i32');
  const left = f.local('i32');
  const dst = f.local('i32');

  /** for x = 0, 16, … < width */
  const columns = (body: () => void) => {
    f.set(x, i32.const(0));
    f.loop((next) => {
      body();
      f.set(x, i32.add(get(x), i32.const(VECTOR)));
      f.brIf(next, i32.ltS(get(x), get(width)));
    });
  };

  /** One output row of `stage` from the rows at above / centre / below into dst; `last` writes 0 / 1. */
  const filterRow = (stage: Stage, row: Local<'i32'>, last: boolean) => {
    const at = (base: Local<'i32'>) => i32.add(get(base), get(x));
    columns(() => f.do(storeV128(at(row), stage.op(stage.op(v128.load(at(above)), v128.load(at(centre))), v128.load(at(below))))));
    f.do(storeI8(i32.add(get(row), get(width)), i32.const(stage.neutral)));
    f.set(left, i32.sub(get(row), i32.const(1)));
    columns(() => {
      const combined = stage.op(stage.op(v128.load(at(left)), v128.load(at(left), 1)), v128.load(at(left), 2));
      f.do(storeV128(at(dst), last ? i8x16.minU(combined, get(one)) : combined));
    });
  };

  /** above / centre / below = the rows t − 1, t, t + 1 of an image (edge rows repeated), from rowAddress(t). */
  const neighbours = (rowAddress: (row: I) => I) => {
    f.set(centre, rowAddress(get(t)));
    f.set(above, get(centre));
    f.when(i32.gtS(get(t), i32.const(0)), () => f.set(above, rowAddress(i32.sub(get(t), i32.const(1)))));
    f.set(below, get(centre));
    f.when(i32.ltS(i32.add(get(t), i32.const(1)), get(height)), () => f.set(below, rowAddress(i32.add(get(t), i32.const(1)))));
  };
  const imageRow = (base: Local<'i32'>) => (row: I) => i32.add(get(base), i32.mul(row, get(width)));
  const ringRow = (row: I) => i32.add(get(ring), i32.mul(i32.remU(row, i32.const(3)), get(span)));

  rowBuffers.forEach((row, s) => {
    if (s < stages.length) f.do(storeI8(i32.sub(get(row), i32.const(1)), i32.const(stages[s]!.neutral)));
  });

  if (stages.length === 1) {
    f.set(y, i32.const(0));
    f.loop((nextRow) => {
      f.set(t, get(y));
      neighbours(imageRow(src));
      f.set(dst, imageRow(out)(get(y)));
      filterRow(stages[0]!, firstRow, true);
      f.set(y, i32.add(get(y), i32.const(1)));
      f.brIf(nextRow, i32.ltS(get(y), get(height)));
    });
    return;
  }

  /** first-stage row t into its ring slot */
  const firstStage = () => {
    neighbours(imageRow(src));
    f.set(dst, ringRow(get(t)));
    filterRow(stages[0]!, firstRow, false);
  };
  f.set(t, i32.const(0));
  firstStage();
  f.set(y, i32.const(0));
  f.loop((nextRow) => {
    f.set(t, i32.add(get(y), i32.const(1)));
    f.when(i32.ltS(get(t), get(height)), firstStage);
    f.set(t, get(y));
    neighbours(ringRow);
    f.set(dst, imageRow(out)(get(y)));
    filterRow(stages[1]!, secondRow, true);
    f.set(y, i32.add(get(y), i32.const(1)));
    f.brIf(nextRow, i32.ltS(get(y), get(height)));
  });
}

/** The module's bytes: one exported function per filter (exported for the tests, which validate it). */
export function morphologyModule(): Uint8Array {
  const m = new ModuleBuilder();
  for (const [name, stages] of Object.entries(STAGES)) m.function(name, FILTER_PARAMS, (f) => emitFilter(f, stages));
  return m.encode();
}

type FilterFunction = (src: number, out: number, width: number, height: number, firstRow: number, secondRow: number, ring: number, span: number) => void;
let kernels: Record<MorphologyFilter, FilterFunction> | null = null;

function filters(): Record<MorphologyFilter, FilterFunction> {
  if (kernels === null) {
    const exports = instantiate(morphologyModule());
    kernels = { erode: exports.erode, dilate: exports.dilate, open: exports.open, close: exports.close } as Record<MorphologyFilter, FilterFunction>;
  }
  return kernels;
}

let simdEnabled = true;

/**
 * Whether the 3×3 filters may use the SIMD kernels (the default, where the engine has SIMD and the mask
 * fits MAX_SIMD_BYTES) or always run the JavaScript kernel. Both write the same bytes; the switch exists
 * for the tests and the benchmark.
 */
export function setMorphologySimd(enabled: boolean): void {
  simdEnabled = enabled;
}

const alignVector = (bytes: number): number => Math.ceil(bytes / VECTOR) * VECTOR;

/**
 * Runs `filter` on the SIMD kernel: out[0 … width·height) from src (arguments already checked by
 * morphology.ts, width and height > 0). Returns false, touching nothing, when the JavaScript kernel
 * must run instead.
 */
export function morphologySimd(filter: MorphologyFilter, src: Uint8Array, width: number, height: number, out: Uint8Array): boolean {
  if (!simdEnabled || !hasSimd()) return false;
  const pixels = width * height;
  const span = alignVector(width);
  const image = alignVector(pixels + VECTOR);
  const rowBytes = span + 3 * VECTOR;
  const srcAt = 0;
  const outAt = image;
  // row buffers: column −1 one byte before the address, vectors up to column span read past it
  const firstRow = 2 * image + VECTOR;
  const secondRow = firstRow + rowBytes;
  const ring = secondRow + rowBytes;
  const end = ring + 3 * span + VECTOR;
  if (end > MAX_SIMD_BYTES) return false;
  // arrays in the kernels' scratch would be overwritten (arena arrays above it are copied in like any other)
  if (inScratch(src) || inScratch(out)) return false;
  const kernel = filters()[filter];
  const memory = new Uint8Array(threadMemory(end).buffer);
  memory.set(src.subarray(0, pixels), srcAt);
  kernel(srcAt, outAt, width, height, firstRow, secondRow, ring, span);
  out.set(memory.subarray(outAt, outAt + pixels));
  return true;
}
