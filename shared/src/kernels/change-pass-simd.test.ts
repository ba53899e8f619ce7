import { afterAll, describe, expect, it } from 'vitest';
import type { ChangeSamples } from './change-pass-rows.js';
import { MAX_SIMD_BANDS, changePassModule, decisionThreshold, simdPassAvailable, type SimdSampleKind } from './change-pass-simd.js';
import { changeCues, changeScores, setChangePassSimd, type ChangePassParams } from './fuse-scores.js';
import { type Random, mulberry32 } from './test-random.js';
import { arenaArray, arenaCopy, releaseArenaArray } from './wasm/arena.js';
import { validate } from './wasm/runtime.js';

type Kind = SimdSampleKind | 'f64' | 'i32';
const ARRAY = { u8: Uint8Array, i8: Int8Array, u16: Uint16Array, i16: Int16Array, f32: Float32Array, f64: Float64Array, i32: Int32Array } as const;
const RANGE: Record<Kind, [number, number]> = { u8: [0, 255], i8: [-128, 127], u16: [0, 65535], i16: [-32768, 32767], f32: [-3000, 9000], f64: [-3000, 9000], i32: [-(2 ** 20), 2 ** 20] };

interface Case {
  width: number;
  height: number;
  bands: number;
  before: Kind;
  after: Kind;
  /** nodata of each epoch: as the raster declares it (may be out of the type's range, fractional, NaN) */
  nodataBefore: number | null;
  nodataAfter: number | null;
  excluded: boolean;
  /** rows whose every sample is nodata (or NaN for float samples without nodata) */
  invalidRows?: number[];
}

function samples(random: Random, kind: Kind, length: number, nodata: number | null): ChangeSamples {
  const [lo, hi] = RANGE[kind];
  const out = new ARRAY[kind](length);
  const float = kind === 'f32' || kind === 'f64';
  for (let i = 0; i < length; i++) {
    const r = random();
    if (float && r < 0.01) out[i] = NaN;
    else if (float && r < 0.02) out[i] = random() < 0.5 ? Infinity : -Infinity;
    else if (nodata !== null && r < 0.05) out[i] = nodata;
    else out[i] = float ? lo + random() * (hi - lo) : Math.floor(lo + random() * (hi - lo + 1));
  }
  return out;
}

function params(random: Random, c: Case): ChangePassParams {
  const n = c.bands;
  const vec = (length: number, f: () => number) => Float64Array.from({ length }, f);
  return {
    bands: n,
    nodataBefore: c.nodataBefore,
    nodataAfter: c.nodataAfter,
    beforeMean: vec(n, () => random() * 2000),
    beforeStd: vec(n, () => (random() < 0.1 ? 0 : 1 + random() * 500)),
    afterMean: vec(n, () => random() * 2000),
    afterStd: vec(n, () => (random() < 0.1 ? NaN : 1 + random() * 500)),
    // a full matrix: the entries above the diagonal must be ignored alike by both paths
    whiten: vec(n * n, () => (random() - 0.5) * 4),
    cvaMedian: random() < 0.1 ? 0 : random() * 2,
    madMedian: random() < 0.1 ? 0 : random() * 2,
  };
}

function makeCase(seed: number, c: Case) {
  const random = mulberry32(seed);
  const n = c.width * c.height;
  const before = samples(random, c.before, n * c.bands, c.nodataBefore);
  const after = samples(random, c.after, n * c.bands, c.nodataAfter);
  for (const y of c.invalidRows ?? []) {
    for (let b = 0; b < c.bands; b++) {
      const from = b * n + y * c.width;
      const fill = c.nodataBefore ?? NaN;
      before.fill(fill as never, from, from + c.width);
    }
  }
  const excluded = c.excluded ? Uint8Array.from({ length: n }, () => (random() < 0.1 ? 1 + Math.floor(random() * 255) : 0)) : null;
  return { before, after, excluded, params: params(random, c), n };
}

/** Output arrays: ordinary ones, or the thread's arena's (written in place by the SIMD pass; released after the run). */
type Outputs = 'ordinary' | 'arena';

/** Everything both one-pass kernels write, on the path chosen. */
function run(simd: boolean, c: Case, input: ReturnType<typeof makeCase>, outputs: Outputs = 'ordinary') {
  setChangePassSimd(simd);
  const { before, after, excluded, params: p, n } = input;
  const made: ArrayBufferView[] = [];
  const bytesOf = (length: number) => (outputs === 'arena' ? made[made.push(arenaArray(Uint8Array, length)!) - 1] as Uint8Array : new Uint8Array(length));
  const floatsOf = (length: number) => (outputs === 'arena' ? made[made.push(arenaArray(Float32Array, length)!) - 1] as Float32Array : new Float32Array(length));
  try {
    return runInto(c, before, after, excluded, p, n, bytesOf, floatsOf);
  } finally {
    for (const a of made) releaseArenaArray(a);
  }
}

function runInto(c: Case, before: ChangeSamples, after: ChangeSamples, excluded: Uint8Array | null, p: ChangePassParams, n: number, bytesOf: (n: number) => Uint8Array, floatsOf: (n: number) => Float32Array) {
  // outputs pre-filled with garbage: every element must be written
  const valid = bytesOf(n).fill(7);
  const score = floatsOf(n).fill(-1);
  changeScores(before, after, c.width, c.height, p, valid, score, excluded);
  // The decision in the same pass, at thresholds on a score of the window (ties), just above one (between
  // two float32s: decisionThreshold) and at 0 (invalid pixels score 0 and must stay 0).
  const finite = score.filter((v, i) => valid[i] === 1 && Number.isFinite(v));
  const pick = finite.length > 0 ? finite[finite.length >> 1]! : 1;
  const decisions: Uint8Array[] = [];
  for (const threshold of [pick, pick + Math.abs(pick) * 1e-12 + 1e-300, 0]) {
    const v2 = bytesOf(n).fill(7);
    const s2 = floatsOf(n).fill(-1);
    const out = bytesOf(n).fill(7);
    changeScores(before, after, c.width, c.height, p, v2, s2, excluded, { threshold, out });
    expect(bytes(v2).equals(bytes(valid)) && bytes(s2).equals(bytes(score))).toBe(true);
    expect([...out].every((d, i) => d === (valid[i] === 1 && score[i]! >= threshold ? 1 : 0)), `decision at ${threshold}`).toBe(true);
    decisions.push(out);
  }
  const cueValid = bytesOf(n).fill(7);
  const cva = floatsOf(n).fill(-1);
  const mad = floatsOf(n).fill(-1);
  changeCues(before, after, c.width, c.height, p, cueValid, cva, mad, excluded);
  // copies: arena outputs are released after the run
  const copy = <T extends Uint8Array | Float32Array>(a: T): T => a.slice() as T;
  return { valid: copy(valid), score: copy(score), cueValid: copy(cueValid), cva: copy(cva), mad: copy(mad), decision: Buffer.concat(decisions) };
}

const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** A copy of `samples` in the thread's arena (read in place by the SIMD pass), or null for a type it does not hold. */
function inArena(samples: ChangeSamples): ChangeSamples | null {
  if (samples instanceof Float64Array || samples instanceof Int32Array || samples instanceof Uint32Array) return null;
  return arenaCopy(samples);
}

function expectSameBytes(c: Case, seed: number) {
  const input = makeCase(seed, c);
  const scalar = run(false, c, input);
  const simd = run(true, c, input);
  for (const key of ['valid', 'score', 'cueValid', 'cva', 'mad', 'decision'] as const) {
    expect(bytes(simd[key]).equals(bytes(scalar[key])), `${key} differs`).toBe(true);
  }
  // the same inputs as arena arrays, which the SIMD pass reads in place instead of copying in
  const before = inArena(input.before);
  const after = inArena(input.after);
  if (before !== null && after !== null) {
    try {
      for (const outputs of ['ordinary', 'arena'] as const) {
        const inPlace = run(true, c, { ...input, before, after }, outputs);
        for (const key of ['valid', 'score', 'cueValid', 'cva', 'mad', 'decision'] as const) {
          expect(bytes(inPlace[key]).equals(bytes(scalar[key])), `${key} differs, inputs read in place, ${outputs} outputs`).toBe(true);
        }
      }
      // arena outputs from ordinary inputs (copied in)
      const written = run(true, c, input, 'arena');
      for (const key of ['valid', 'score', 'cueValid', 'cva', 'mad', 'decision'] as const) {
        expect(bytes(written[key]).equals(bytes(scalar[key])), `${key} differs, outputs written in place`).toBe(true);
      }
    } finally {
      releaseArenaArray(before);
      releaseArenaArray(after);
    }
  }
  return scalar;
}

describe('decisionThreshold', () => {
  it('gives the float32 that a float32 reaches exactly when it reaches the float64 threshold', () => {
    const random = mulberry32(5);
    const f32 = (x: number) => Math.fround(x);
    const thresholds = [0, -0, 1e-300, -1e-300, 2 ** -149, 2 ** -150, 3.4028235677973366e38, 3.5e38, -3.5e38, Infinity, -Infinity, NaN, 1, -1, 6.688, -6.688];
    for (let k = 0; k < 200; k++) thresholds.push((random() - 0.5) * 10 ** Math.floor(random() * 20 - 10));
    for (const t of thresholds) {
      const d = decisionThreshold(t);
      expect(Number.isNaN(d) ? Number.isNaN(t) : d === f32(d), `${t}`).toBe(true);
      const f = f32(t);
      const bits = new Int32Array(new Float32Array([f]).buffer)[0]!;
      const neighbours = [f, ...[-2, -1, 1, 2].map((k) => new Float32Array(new Int32Array([bits + k]).buffer)[0]!)];
      for (const s of [...neighbours, 0, -0, 2 ** -149, -(2 ** -149), Infinity, -Infinity, NaN, 3.4028234663852886e38]) {
        expect(s >= d, `s ${s}, threshold ${t}, decided at ${d}`).toBe(s >= t);
      }
    }
  });
});

describe('change pass: WebAssembly SIMD and scalar paths write the same bytes', () => {
  afterAll(() => setChangePassSimd(true));
  let seed = 1;
  const kinds: SimdSampleKind[] = ['u8', 'i8', 'u16', 'i16', 'f32'];
  const nodataOf: Record<SimdSampleKind, number> = { u8: 0, i8: -128, u16: 65535, i16: -9999, f32: -9999 };

  it('runs the SIMD kernels for 1–16 bands of 8/16-bit integer and float32 samples, and only those', () => {
    expect(MAX_SIMD_BANDS).toBe(16);
    for (const kind of kinds) {
      expect(simdPassAvailable(new ARRAY[kind](1), new ARRAY[kind](1), 1)).toBe(true);
      expect(simdPassAvailable(new ARRAY[kind](1), new Float32Array(1), 16)).toBe(true);
      expect(simdPassAvailable(new ARRAY[kind](1), new ARRAY[kind](1), 17)).toBe(false);
    }
    expect(simdPassAvailable(new Float64Array(1), new Float32Array(1), 4)).toBe(false);
    expect(simdPassAvailable(new Uint16Array(1), new Int32Array(1), 4)).toBe(false);
  });

  it('generates modules the engine validates, for every band count, sample type and option', () => {
    for (const bands of [1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 16]) {
      for (const kind of kinds) {
        for (const flags of [0, 1, 2, 3, 4, 5, 6, 7, 8, 15]) {
          const spec = { bands, before: kind, after: kinds[(kinds.indexOf(kind) + flags) % kinds.length], nodataBefore: (flags & 1) !== 0, nodataAfter: (flags & 2) !== 0, excluded: (flags & 4) !== 0, cues: (flags & 8) !== 0 };
          expect(validate(changePassModule(spec)), JSON.stringify(spec)).toBe(true);
        }
      }
    }
  });

  for (const kind of kinds) {
    for (const bands of [1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 16]) {
      const s = seed++;
      it(`${kind}, ${bands} bands, widths 1–17 and around a segment, nodata, exclusion mask (seed ${s})`, () => {
        for (const width of [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 255, 257]) {
          for (const height of width > 100 ? [2] : [1, 3]) {
            expectSameBytes({ width, height, bands, before: kind, after: kind, nodataBefore: nodataOf[kind], nodataAfter: null, excluded: width % 2 === 1 }, s * 1000 + width * 10 + height);
            expectSameBytes({ width, height, bands, before: kind, after: kind, nodataBefore: null, nodataAfter: nodataOf[kind], excluded: width % 2 === 0 }, s * 1000 + width * 10 + height + 5);
          }
        }
      });
    }
  }

  it('mixed sample types in the two epochs', () => {
    for (const [before, after] of [['u16', 'f32'], ['f32', 'u8'], ['i8', 'i16'], ['u8', 'u16']] as const) {
      for (const bands of [1, 4, 8]) {
        expectSameBytes({ width: 21, height: 6, bands, before, after, nodataBefore: nodataOf[before], nodataAfter: nodataOf[after], excluded: true }, seed++);
      }
    }
  });

  it('nodata that no sample can equal (out of range, fractional, NaN), −0, and ±inf', () => {
    const cases: Array<[SimdSampleKind, number | null]> = [
      ['u16', 70000],
      ['u16', -1],
      ['u8', 256],
      ['i16', 0.5],
      ['i8', 200],
      ['f32', NaN],
      ['f32', -0],
      ['f32', 0.1], // compared as float32
      ['f32', Infinity],
      ['f32', 1e39], // float32 infinity
      ['u16', -0],
    ];
    for (const [kind, nodata] of cases) {
      expectSameBytes({ width: 13, height: 4, bands: 3, before: kind, after: kind, nodataBefore: nodata, nodataAfter: nodata, excluded: false }, seed++);
    }
  });

  it('NaN and infinite cues (infinite whitening, overflowing scales): the fusion keeps `fx < fy ? fx : fy`', () => {
    for (const kind of ['u16', 'f32'] as const) {
      const c: Case = { width: 40, height: 6, bands: 3, before: kind, after: kind, nodataBefore: null, nodataAfter: null, excluded: false };
      const input = makeCase(seed++, c);
      const p = input.params;
      p.beforeStd[1] = 1e-300; // d₁ overflows: cva = Infinity
      p.whiten[1 * 3 + 0] = Infinity; // f₁ = ∞·d₀ + T₁₁·d₁: ∞ − ∞ = NaN where the signs differ
      for (const [cvaMedian, madMedian] of [[0, 1], [1, 0], [1, 1]]) {
        p.cvaMedian = cvaMedian; // scale 0: fx = Infinity · 0 = NaN
        p.madMedian = madMedian;
        const scalar = run(false, c, input);
        const simd = run(true, c, input);
        expect(scalar.mad.some(Number.isNaN) && scalar.cva.some((v) => v === Infinity)).toBe(true);
        for (const key of ['valid', 'score', 'cueValid', 'cva', 'mad'] as const) expect(bytes(simd[key]).equals(bytes(scalar[key])), `${key} differs`).toBe(true);
      }
    }
  });

  it('rows with no valid pixel, and a raster with none at all', () => {
    const c: Case = { width: 19, height: 7, bands: 4, before: 'u16', after: 'u16', nodataBefore: 0, nodataAfter: 0, excluded: false, invalidRows: [0, 3, 4, 6] };
    const out = expectSameBytes(c, seed++);
    expect(out.valid.subarray(3 * 19, 5 * 19).every((v) => v === 0)).toBe(true);
    expect(out.valid.some((v) => v === 1)).toBe(true);
    expectSameBytes({ ...c, before: 'f32', after: 'f32', nodataBefore: null, nodataAfter: null, invalidRows: [0, 1, 2, 3, 4, 5, 6] }, seed++);
    expectSameBytes({ ...c, height: 1, invalidRows: [0] }, seed++);
  });

  it('rasters of many chunks and segments (rows copied in by chunks; rows wider than a segment)', () => {
    expectSameBytes({ width: 1000, height: 37, bands: 8, before: 'f32', after: 'f32', nodataBefore: -9999, nodataAfter: -9999, excluded: true }, seed++);
    expectSameBytes({ width: 2001, height: 40, bands: 4, before: 'u16', after: 'u16', nodataBefore: 0, nodataAfter: 0, excluded: false }, seed++);
    expectSameBytes({ width: 600, height: 1, bands: 2, before: 'i16', after: 'i16', nodataBefore: -9999, nodataAfter: null, excluded: true }, seed++);
  });

  it('passes that follow one another in the same memory (a wide raster, then narrow ones)', () => {
    for (const width of [513, 3, 64, 1, 130]) {
      expectSameBytes({ width, height: 5, bands: 4, before: 'u16', after: 'f32', nodataBefore: 0, nodataAfter: -9999, excluded: width > 60 }, seed++);
    }
  });

  it('falls back to the scalar step for 17+ bands and other sample types (same bytes either way)', () => {
    expectSameBytes({ width: 11, height: 3, bands: 17, before: 'u16', after: 'u16', nodataBefore: 0, nodataAfter: 0, excluded: true }, seed++);
    expectSameBytes({ width: 11, height: 3, bands: 4, before: 'f64', after: 'i32', nodataBefore: -9999, nodataAfter: 0, excluded: true }, seed++);
  });
});
