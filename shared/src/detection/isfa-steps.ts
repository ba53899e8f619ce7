/**
 * The two per-sample loops of the ISFA fit (isfa.ts), each written out for one band count with every
 * band, accumulator and Cholesky entry in its own local, compiled once per band count and cached.
 *
 * Why generated: a fit runs these loops up to 30 times over up to 250,000 samples while every thread of
 * the detect pass waits for it; with the bands in locals they run several times faster than the loops
 * over bands (no reads and writes of the accumulator array per term). The arithmetic is that of the
 * looped versions operation for operation, in the same order, so the fit is bit-identical
 * (isfa-steps.test.ts checks it against them).
 */

import { TWO_OVER_SQRT_PI } from './irmad/chi-square.js';
import { erfcx } from './irmad/erfcx.js';

/**
 * Weighted second moment of the z-scored differences d of samples [start, end): adds w_k·d_k,i·d_k,j to
 * block[i*p + j] for j ≤ i, in sample order, starting from 0 (block's upper triangle is set to 0), and
 * returns Σ w_k. Samples of weight 0 take no part.
 */
export type MomentStep = (d: Float64Array, weight: Float64Array, start: number, end: number, block: Float64Array) => number;

/**
 * New weights: weight[k] = survival(|L⁻¹ d_k|²) for every usable sample k < samples (L lower triangular,
 * row-major p×p). `survival` must be chiSquareSurvivalFor(p): the generated step writes its closed forms
 * out (integer and half-integer p/2, below).
 */
export type ReweightStep = (d: Float64Array, weight: Float64Array, usable: Uint8Array, samples: number, L: Float64Array, survival: (x: number) => number) => void;

/** Largest band count with generated steps (p(p+1)/2 accumulators must fit in registers). */
export const MAX_GENERATED_BANDS = 8;

const momentSteps = new Map<number, MomentStep>();
const reweightSteps = new Map<number, ReweightStep>();

/** The step for band count p from `cache`, made once: generated up to MAX_GENERATED_BANDS, else looped. */
function stepFor<T>(cache: Map<number, T>, p: number, generated: (p: number) => T, looped: (p: number) => T): T {
  let step = cache.get(p);
  if (step === undefined) cache.set(p, (step = p <= MAX_GENERATED_BANDS ? generated(p) : looped(p)));
  return step;
}

export const momentStep = (p: number): MomentStep => stepFor(momentSteps, p, generatedMoment, loopedMoment);

export const reweightStep = (p: number): ReweightStep => stepFor(reweightSteps, p, generatedReweight, loopedReweight);

/** The reference form of MomentStep (and the one used above MAX_GENERATED_BANDS). */
export function loopedMoment(p: number): MomentStep {
  return (d, weight, start, end, block) => {
    block.fill(0, 0, p * p);
    let bw = 0;
    for (let k = start; k < end; k++) {
      const w = weight[k]!;
      if (w === 0) continue;
      bw += w;
      const o = k * p;
      for (let i = 0; i < p; i++) {
        const wi = w * d[o + i]!;
        for (let j = 0; j <= i; j++) block[i * p + j] = block[i * p + j]! + wi * d[o + j]!;
      }
    }
    return bw;
  };
}

/** The reference form of ReweightStep (and the one used above MAX_GENERATED_BANDS). */
export function loopedReweight(p: number): ReweightStep {
  const y = new Float64Array(p);
  return (d, weight, usable, samples, L, survival) => {
    for (let k = 0; k < samples; k++) {
      if (usable[k] === 0) continue;
      const o = k * p;
      let z = 0;
      for (let i = 0; i < p; i++) {
        let s = d[o + i]!;
        for (let m = 0; m < i; m++) s -= L[i * p + m]! * y[m]!;
        const v = s / L[i * p + i]!;
        y[i] = v;
        z += v * v;
      }
      weight[k] = survival(z);
    }
  };
}

function generatedMoment(p: number): MomentStep {
  const lines: string[] = [];
  const acc = (i: number, j: number) => `b${i}_${j}`;
  for (let i = 0; i < p; i++) for (let j = 0; j <= i; j++) lines.push(`let ${acc(i, j)} = 0;`);
  lines.push('let bw = 0;', 'for (let k = start; k < end; k++) {', '  const w = weight[k];', '  if (w === 0) continue;', '  bw += w;', `  const o = k * ${p};`);
  for (let i = 0; i < p; i++) lines.push(`  const d${i} = d[o + ${i}];`);
  for (let i = 0; i < p; i++) {
    lines.push(`  const w${i} = w * d${i};`);
    for (let j = 0; j <= i; j++) lines.push(`  ${acc(i, j)} = ${acc(i, j)} + w${i} * d${j};`);
  }
  lines.push('}');
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) lines.push(`block[${i * p + j}] = ${j <= i ? acc(i, j) : '0'};`);
  lines.push('return bw;');
  return new Function('d', 'weight', 'start', 'end', 'block', `'use strict';\n${lines.join('\n')}`) as MomentStep;
}

function generatedReweight(p: number): ReweightStep {
  const lines: string[] = [];
  for (let i = 0; i < p; i++) for (let m = 0; m <= i; m++) lines.push(`const l${i}_${m} = L[${i * p + m}];`);
  lines.push('for (let k = 0; k < samples; k++) {', '  if (usable[k] === 0) continue;', `  const o = k * ${p};`, '  let z = 0;');
  for (let i = 0; i < p; i++) {
    lines.push(`  let s${i} = d[o + ${i}];`);
    for (let m = 0; m < i; m++) lines.push(`  s${i} -= l${i}_${m} * y${m};`);
    lines.push(`  const y${i} = s${i} / l${i}_${i};`, `  z += y${i} * y${i};`);
  }
  if (p % 2 === 0) {
    // chiSquareSurvival's closed form for even p, Q(n, x) = e^{−x} Σ_{k<n} x^k / k! with n = p/2 and
    // x = z/2 (chi-square.ts), with its guards and the same operations in the same order: the call
    // was most of the step's time. Outside its range (z ≤ 0, NaN, z > 1200) survival is called.
    lines.push('  if (!(z > 0) || z > 1200) { weight[k] = survival(z); continue; }', '  const x = 0.5 * z;', '  let term = 1;', '  let sum = 1;');
    for (let m = 1; m < p / 2; m++) lines.push(`  term *= x / ${m};`, '  sum += term;');
    lines.push('  weight[k] = Math.exp(-x) * sum;', '}');
  } else {
    // Its half-integer counterpart for odd p, Q(k + ½, x) = e^{−x}·(erfcx(√x) + Σ_{j=1..k} x^{j−½}/Γ(j + ½))
    // (chi-square.ts halfIntegerQ), the same operations in the same order, with the same guards.
    lines.push('  if (!(z > 0) || z > 1200) { weight[k] = survival(z); continue; }', '  const x = 0.5 * z;', '  const root = Math.sqrt(x);', '  let sum = erfcx(root);');
    if (p > 1) lines.push(`  let term = root * ${TWO_OVER_SQRT_PI};`);
    for (let g = 1.5; g <= p / 2; g++) {
      lines.push('  sum += term;');
      if (g + 1 <= p / 2) lines.push(`  term *= x / ${g};`);
    }
    lines.push('  weight[k] = Math.exp(-x) * sum;', '}');
  }
  // erfcx is bound as a closure variable, so the engine can inline it into the loop.
  const make = new Function('erfcx', `'use strict';\nreturn function reweight(d, weight, usable, samples, L, survival) {\n${lines.join('\n')}\n};`);
  return make(erfcx) as ReweightStep;
}
