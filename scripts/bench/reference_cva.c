/*
 * The C reference of issue 3's change-pass row ("C auto-vectorised"): valid mask of both epochs and the
 * z-scored change-vector magnitude over 4-band uint16 planes, written plainly for the compiler to
 * vectorise (cc -O3, built twice: for the machine's widest vectors and for 128-bit ones). Timed by
 * scripts/bench/references.ts on the benchmark's own pair.
 *
 * Usage: reference_cva BEFORE AFTER WIDTH HEIGHT MEAN_B0..3 STD_B0..3 MEAN_A0..3 STD_A0..3
 * Prints the best Mpx/s of at least 5 timed runs and 0.4 s of them after one warm-up, then the checksum
 * (sum of the magnitudes).
 */
#include <math.h>

#include "reference_support.h"

#define BANDS 4

static void pass(const uint16_t *restrict before, const uint16_t *restrict after, size_t n, const float *mb, const float *ib,
                 const float *ma, const float *ia, float *restrict out) {
  const uint16_t *restrict b0 = before, *restrict b1 = before + n, *restrict b2 = before + 2 * n, *restrict b3 = before + 3 * n;
  const uint16_t *restrict a0 = after, *restrict a1 = after + n, *restrict a2 = after + 2 * n, *restrict a3 = after + 3 * n;
  const float m0 = mb[0], m1 = mb[1], m2 = mb[2], m3 = mb[3], s0 = ib[0], s1 = ib[1], s2 = ib[2], s3 = ib[3];
  const float n0 = ma[0], n1 = ma[1], n2 = ma[2], n3 = ma[3], t0 = ia[0], t1 = ia[1], t2 = ia[2], t3 = ia[3];
  for (size_t i = 0; i < n; i++) {
    float d0 = ((float)b0[i] - m0) * s0 - ((float)a0[i] - n0) * t0;
    float d1 = ((float)b1[i] - m1) * s1 - ((float)a1[i] - n1) * t1;
    float d2 = ((float)b2[i] - m2) * s2 - ((float)a2[i] - n2) * t2;
    float d3 = ((float)b3[i] - m3) * s3 - ((float)a3[i] - n3) * t3;
    float magnitude = sqrtf((d0 * d0 + d1 * d1 + d2 * d2 + d3 * d3) * (1.0f / BANDS));
    int valid = (b0[i] != 0) & (b1[i] != 0) & (b2[i] != 0) & (b3[i] != 0) & (a0[i] != 0) & (a1[i] != 0) & (a2[i] != 0) & (a3[i] != 0);
    out[i] = valid ? magnitude : 0.0f;
  }
}

struct run {
  const uint16_t *before, *after;
  size_t n;
  const float *mb, *ib, *ma, *ia;
  float *out;
};

static void run_pass(void *context) {
  struct run *r = context;
  pass(r->before, r->after, r->n, r->mb, r->ib, r->ma, r->ia, r->out);
}

int main(int argc, char **argv) {
  if (argc != 5 + 4 * BANDS) { fprintf(stderr, "usage: reference_cva BEFORE AFTER WIDTH HEIGHT MEAN_B.. STD_B.. MEAN_A.. STD_A..\n"); return 2; }
  size_t n = (size_t)atol(argv[3]) * (size_t)atol(argv[4]);
  float mb[BANDS], ib[BANDS], ma[BANDS], ia[BANDS];
  for (int b = 0; b < BANDS; b++) {
    mb[b] = strtof(argv[5 + b], 0);
    ib[b] = 1.0f / strtof(argv[5 + BANDS + b], 0);
    ma[b] = strtof(argv[5 + 2 * BANDS + b], 0);
    ia[b] = 1.0f / strtof(argv[5 + 3 * BANDS + b], 0);
  }
  uint16_t *before = load(argv[1], n * BANDS), *after = load(argv[2], n * BANDS);
  float *out = malloc(n * sizeof *out);
  struct run run = { before, after, n, mb, ib, ma, ia, out };
  double best = best_seconds(run_pass, &run);
  double checksum = 0;
  for (size_t i = 0; i < n; i++) checksum += out[i];
  printf("%f %f\n", n / best / 1e6, checksum);
  return 0;
}
