/**
 * The per-pixel cue step of the one-pass change kernels (fuse-scores.ts: changeCues, changeScores),
 * written out for one band count and one pair of sample types by a single template, compiled once per
 * combination and cached.
 *
 * Why generated: with every band in its own local the step runs several times faster than loops over
 * bands (no scratch arrays, constants in registers), and each sample type needs its own compiled copy
 * to keep typed-array loads monomorphic. One template keeps the bit-exact arithmetic in one place
 * instead of a hand-written copy per band count.
 *
 * Each pixel's arithmetic is exactly that of andValidMask + changeVectorMagnitude + whitenedChiScore +
 * fuseMinScaled on float32 samples, operation for operation in the same order (so results are
 * bit-identical): float32 arithmetic, every result rounded with Math.fround (for +, −, ×, ÷ and sqrt of
 * float32 operands the float64 result rounded once is the float32 result), constants rounded once
 * (packConstants). The only rewrites are `0 + t` → `t` where t cannot be −0 or where the sign of a zero
 * cannot survive (it is squared). Samples are taken as float32: 8- and 16-bit integers and float32
 * exactly, other types rounded. Integer samples cannot be NaN or infinite, so their finiteness test is
 * left out; validity compares the samples as given.
 */

/** Sample arrays the change pass reads directly (a raster's own sample type). */
export type ChangeSamples = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/**
 * Row outputs for image row y (pixels p0 … p0+width-1, p0 = y*width), in zero-padded rows for the 3×3
 * step (index x+1 = pixel x; index 0 and width+1 are never written, so they stay 0): validRow (0/1) and
 * fusedRow (the fused minimum, float32-rounded, 0 where invalid). With `withCues`, also cva[p0+x] and
 * mad[p0+x] (the float32 cues, 0 where invalid). `excluded` (when the step was built with it): pixels
 * with a non-zero value there are invalid.
 */
export type CueRowStep = (
  before: ChangeSamples,
  after: ChangeSamples,
  p0: number,
  pixels: number,
  width: number,
  c: Float64Array,
  withCues: boolean,
  cvaOut: Float32Array,
  madOut: Float32Array,
  fusedRow: Float64Array,
  validRow: Uint8Array,
  excluded: Uint8Array | null,
) => void;

/** Packed constants layout (see fuse-scores.ts packConstants). */
export const K_NODATA_BEFORE = 0; // nodata in the sample type's terms, NaN for none (`v === NaN` is never true)
export const K_NODATA_AFTER = 1;
export const K_CVA_SCALE = 2; // 1/cvaMedian or 0
export const K_MAD_SCALE = 3; // 1/madMedian or 0
export const K_INVERSE_BANDS = 4;
export const K_HEADER = 5;

/**
 * Offsets in the packed constants of a pass with n bands (after the header: beforeMean, 1/beforeStd,
 * afterMean, 1/afterStd, n each, then the whitening map's lower triangle row by row, n(n+1)/2).
 */
export function constantOffsets(n: number) {
  return { bm: K_HEADER, bs: K_HEADER + n, am: K_HEADER + 2 * n, as: K_HEADER + 3 * n, T: K_HEADER + 4 * n };
}

/** Index of T_kj (j ≤ k) in the lower triangle, row by row. */
export function triangleIndex(k: number, j: number): number {
  return (k * (k + 1)) / 2 + j;
}

/** Length of the packed constants of a pass with n bands. */
export function constantsLength(n: number): number {
  return K_HEADER + 4 * n + (n * (n + 1)) / 2;
}

/** Largest band count with a generated step (beyond it the locals no longer fit; a looped step is used). */
export const MAX_GENERATED_BANDS = 8;

/** Up to this band count the whitening map's coefficients are kept in locals; above, read from the constants. */
const WHITEN_LOCALS_MAX_BANDS = 4;



/** Finiteness test source for samples `names` of one epoch (empty for integer samples). */
function finitenessTerms(names: string[], kind: 'float32' | 'float64' | 'integer'): string[] {
  if (kind === 'integer') return [];
  // Float32 samples: a sum of up to 16 float32 values is finite exactly when all are (it cannot
  // overflow a double). Float64 samples can, so each is tested on its own.
  if (kind === 'float32') return [`(${names.join(' + ')})`];
  return names.map((v) => `${v} - ${v} !== 0`);
}

function kindOf(a: ChangeSamples): 'float32' | 'float64' | 'integer' {
  return a instanceof Float32Array ? 'float32' : a instanceof Float64Array ? 'float64' : 'integer';
}

/** Whether every sample value of `a` is a float32 value (else the step rounds it first). */
function exactInFloat32(a: ChangeSamples): boolean {
  return a instanceof Float32Array || a instanceof Uint16Array || a instanceof Int16Array || a instanceof Uint8Array || a instanceof Int8Array;
}

/** Math.fround of an expression's source. */
const F = (e: string): string => `Math.fround(${e})`;

/** Left-to-right float32 sum of terms (each partial sum rounded). */
const sumF = (terms: string[]): string => terms.slice(1).reduce((acc, t) => F(`${acc} + ${t}`), terms[0]);

/** Source of the step's body for `n` bands (parameters as CueRowStep). */
function stepSource(
  n: number,
  beforeKind: ReturnType<typeof kindOf>,
  afterKind: ReturnType<typeof kindOf>,
  withExcluded: boolean,
  beforeExact: boolean,
  afterExact: boolean,
): string {
  const range = (f: (i: number) => string): string[] => Array.from({ length: n }, (_, i) => f(i));
  const o = constantOffsets(n);
  const whitenLocals = n <= WHITEN_LOCALS_MAX_BANDS;
  const T = (k: number, j: number): string => (whitenLocals ? `T${k}_${j}` : `c[${o.T + triangleIndex(k, j)}]`);
  const lines: string[] = [];
  lines.push(`const ndB = c[${K_NODATA_BEFORE}], ndA = c[${K_NODATA_AFTER}], f = c[${K_CVA_SCALE}], s = c[${K_MAD_SCALE}], inverseBands = c[${K_INVERSE_BANDS}];`);
  for (const name of ['bm', 'bs', 'am', 'as'] as const) {
    lines.push(`const ${range((b) => `${name}${b} = c[${o[name] + b}]`).join(', ')};`);
  }
  if (whitenLocals) {
    for (let k = 0; k < n; k++) lines.push(`const ${Array.from({ length: k + 1 }, (_, j) => `T${k}_${j} = c[${o.T + triangleIndex(k, j)}]`).join(', ')};`);
  }
  lines.push(`const ${range((b) => `q${b} = p0 + ${b} * pixels`).join(', ')};`);
  lines.push('for (let x = 0; x < width; x++) {');
  lines.push(`  const ${range((b) => `b${b} = before[q${b} + x]`).join(', ')};`);
  lines.push(`  const ${range((b) => `a${b} = after[q${b} + x]`).join(', ')};`);
  const finite = [...finitenessTerms(range((b) => `b${b}`), beforeKind), ...finitenessTerms(range((b) => `a${b}`), afterKind)];
  const invalid: string[] = [];
  if (beforeKind === 'float32' && afterKind === 'float32') {
    // one sum over both epochs, as the hand-written steps did
    lines.push(`  const t = ${range((b) => `b${b}`).join(' + ')} + (${range((b) => `a${b}`).join(' + ')});`);
    invalid.push('t - t !== 0');
  } else {
    for (const term of finite) {
      if (term.startsWith('(')) {
        const name = `t${invalid.length}`;
        lines.push(`  const ${name} = ${term};`);
        invalid.push(`${name} - ${name} !== 0`);
      } else invalid.push(term);
    }
  }
  invalid.push(...range((b) => `b${b} === ndB`), ...range((b) => `a${b} === ndA`));
  if (withExcluded) invalid.push('excluded[p0 + x] !== 0');
  lines.push(`  if (${invalid.join(' || ')}) {`);
  lines.push('    validRow[x + 1] = 0;');
  lines.push('    fusedRow[x + 1] = 0;');
  lines.push('    if (withCues) { cvaOut[p0 + x] = 0; madOut[p0 + x] = 0; }');
  lines.push('    continue;');
  lines.push('  }');
  lines.push('  validRow[x + 1] = 1;');
  // the samples as float32
  const sb = (b: number): string => (beforeExact ? `b${b}` : `sb${b}`);
  const sa = (b: number): string => (afterExact ? `a${b}` : `sa${b}`);
  if (!beforeExact) lines.push(`  const ${range((b) => `sb${b} = ${F(`b${b}`)}`).join(', ')};`);
  if (!afterExact) lines.push(`  const ${range((b) => `sa${b} = ${F(`a${b}`)}`).join(', ')};`);
  // changeVectorMagnitude: Σ_b d_b² over bands in order (its accumulator starts at +0; d² ≥ +0).
  for (let b = 0; b < n; b++) lines.push(`  const d${b} = ${F(`${F(`${F(`${sa(b)} - am${b}`)} * as${b}`)} - ${F(`${F(`${sb(b)} - bm${b}`)} * bs${b}`)}`)};`);
  lines.push(`  const cva = ${F(`Math.sqrt(${F(`${sumF(range((b) => F(`d${b} * d${b}`)))} * inverseBands`)})`)};`);
  // whitenedChiScore: f_k = Σ_{j≤k} T_kj·d_j in j order, Z = Σ_k f_k² in k order.
  for (let k = 0; k < n; k++) {
    lines.push(`  const m${k} = ${sumF(Array.from({ length: k + 1 }, (_, j) => F(`${T(k, j)} * d${j}`)))};`);
  }
  const z = sumF(range((k) => F(`m${k} * m${k}`)));
  lines.push(`  const mad = ${F(`Math.sqrt(${F(`${z} * inverseBands`)})`)};`);
  lines.push('  if (withCues) { cvaOut[p0 + x] = cva; madOut[p0 + x] = mad; }');
  // fuseMinScaled
  lines.push(`  const fx = ${F('cva * f')};`);
  lines.push(`  const fy = ${F('mad * s')};`);
  lines.push('  fusedRow[x + 1] = fx < fy ? fx : fy;');
  lines.push('}');
  return lines.join('\n');
}

const PARAMETERS = ['before', 'after', 'p0', 'pixels', 'width', 'c', 'withCues', 'cvaOut', 'madOut', 'fusedRow', 'validRow', 'excluded'];
const steps = new Map<string, CueRowStep>();

/**
 * The cue step for `bands` (1 … MAX_GENERATED_BANDS) bands and the sample types of `before` and
 * `after`, with or without an `excluded` mask: compiled on first use, then cached.
 */
export function cueRowStep(bands: number, before: ChangeSamples, after: ChangeSamples, withExcluded: boolean): CueRowStep {
  const key = `${bands}:${before.constructor.name}:${after.constructor.name}:${withExcluded}`;
  let step = steps.get(key);
  if (step === undefined) {
    const source = stepSource(bands, kindOf(before), kindOf(after), withExcluded, exactInFloat32(before), exactInFloat32(after));
    // A fresh function per key: its own type feedback, so its loads stay monomorphic.
    step = new Function(...PARAMETERS, `'use strict';\n${source}`) as CueRowStep;
    steps.set(key, step);
  }
  return step;
}


