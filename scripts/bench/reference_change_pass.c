/*
 * The C reference of issue 3's change-pass row doing all of shoutu's change pass, not only its first
 * step (reference_cva.c): valid mask of both epochs, z-scored change vector d and its magnitude (CVA),
 * the chi score of the whitened change vector (T·d, T lower triangular), the fused minimum of both
 * scaled by their medians, and the mean of that over the valid pixels of each 3×3 neighbourhood.
 * 4-band uint16 planes, float32 arithmetic, plain loops for the compiler to vectorise
 * (cc -O3, built twice: for the machine's widest vectors and for 128-bit ones). Timed by
 * scripts/bench/references.ts on the benchmark's own pair.
 *
 * Usage: reference_change_pass BEFORE AFTER WIDTH HEIGHT NODATA_B NODATA_A MEAN_B0..3 STD_B0..3
 *          MEAN_A0..3 STD_A0..3 T00..T33 CVA_MEDIAN MAD_MEDIAN [OUT]
 * NODATA_x is a sample value or "none"; T is row-major 4×4, only its lower triangle (j ≤ k) is read.
 * Prints the best Mpx/s of at least 5 timed runs and 0.4 s of them after one warm-up, then the checksum
 * (sum of the scores); with OUT, also writes the scores there (float32, for checking against NumPy).
 */
#include <math.h>
#include <string.h>

#include "reference_support.h"

#define BANDS 4

struct params {
  float nodata_before, nodata_after; /* NaN for none: a comparison with NaN is never equal */
  float mb[BANDS], ib[BANDS], ma[BANDS], ia[BANDS];
  float t[BANDS][BANDS];
  float inv_cva, inv_mad;
};

/* 1/x for a usable positive finite x, else 0 (shoutu's rule for a std or a median of 0) */
static float inverse_or_zero(double x) { return x > 0 && x < INFINITY ? (float)(1 / x) : 0.0f; }

/*
 * One row of fused scores and validity (1 or 0, as float so that the 3×3 counts are float sums too),
 * from the `width` pixels at offset i0 of the planes.
 */
static void fuse_row(const uint16_t *restrict before, const uint16_t *restrict after, size_t n, size_t i0, size_t width,
                     const struct params *p, float *restrict fused, float *restrict valid) {
  const uint16_t *restrict b0 = before + i0, *restrict b1 = b0 + n, *restrict b2 = b1 + n, *restrict b3 = b2 + n;
  const uint16_t *restrict a0 = after + i0, *restrict a1 = a0 + n, *restrict a2 = a1 + n, *restrict a3 = a2 + n;
  const float nb = p->nodata_before, na = p->nodata_after;
  const float m0 = p->mb[0], m1 = p->mb[1], m2 = p->mb[2], m3 = p->mb[3], s0 = p->ib[0], s1 = p->ib[1], s2 = p->ib[2], s3 = p->ib[3];
  const float n0 = p->ma[0], n1 = p->ma[1], n2 = p->ma[2], n3 = p->ma[3], u0 = p->ia[0], u1 = p->ia[1], u2 = p->ia[2], u3 = p->ia[3];
  const float t00 = p->t[0][0];
  const float t10 = p->t[1][0], t11 = p->t[1][1];
  const float t20 = p->t[2][0], t21 = p->t[2][1], t22 = p->t[2][2];
  const float t30 = p->t[3][0], t31 = p->t[3][1], t32 = p->t[3][2], t33 = p->t[3][3];
  const float inv_cva = p->inv_cva, inv_mad = p->inv_mad;
  for (size_t x = 0; x < width; x++) {
    float x0 = b0[x], x1 = b1[x], x2 = b2[x], x3 = b3[x], y0 = a0[x], y1 = a1[x], y2 = a2[x], y3 = a3[x];
    int ok = (x0 != nb) & (x1 != nb) & (x2 != nb) & (x3 != nb) & (y0 != na) & (y1 != na) & (y2 != na) & (y3 != na);
    float d0 = (y0 - n0) * u0 - (x0 - m0) * s0;
    float d1 = (y1 - n1) * u1 - (x1 - m1) * s1;
    float d2 = (y2 - n2) * u2 - (x2 - m2) * s2;
    float d3 = (y3 - n3) * u3 - (x3 - m3) * s3;
    float cva = sqrtf((d0 * d0 + d1 * d1 + d2 * d2 + d3 * d3) * (1.0f / BANDS));
    float f0 = t00 * d0;
    float f1 = t10 * d0 + t11 * d1;
    float f2 = t20 * d0 + t21 * d1 + t22 * d2;
    float f3 = t30 * d0 + t31 * d1 + t32 * d2 + t33 * d3;
    float mad = sqrtf((f0 * f0 + f1 * f1 + f2 * f2 + f3 * f3) * (1.0f / BANDS));
    float c = cva * inv_cva, m = mad * inv_mad;
    fused[x] = ok ? (c < m ? c : m) : 0.0f;
    valid[x] = ok ? 1.0f : 0.0f;
  }
}

/*
 * The whole pass, a row at a time: the fused rows y−1..y+1 sit in a ring of three (so they stay in
 * cache), a row outside the image is a row of zeros, and the 3×3 sums are column sums then sums of three
 * neighbouring columns, padded with a zero column each side. Invalid pixels have fused 0 and valid 0, so
 * the sums are over the valid neighbours inside the image.
 */
static void pass(const uint16_t *before, const uint16_t *after, size_t width, size_t height, const struct params *p,
                 float *ring, float *zeros, float *columns, float *restrict score) {
  size_t n = width * height;
  float *fused[3], *valid[3];
  for (int r = 0; r < 3; r++) fused[r] = ring + 2 * r * width, valid[r] = ring + (2 * r + 1) * width;
  float *restrict sum = columns + 1, *restrict count = columns + width + 3; /* each with a zero either side */
  fuse_row(before, after, n, 0, width, p, fused[0], valid[0]);
  for (size_t y = 0; y < height; y++) {
    if (y + 1 < height) fuse_row(before, after, n, (y + 1) * width, width, p, fused[(y + 1) % 3], valid[(y + 1) % 3]);
    const float *restrict fu = y > 0 ? fused[(y + 2) % 3] : zeros, *restrict vu = y > 0 ? valid[(y + 2) % 3] : zeros;
    const float *restrict fm = fused[y % 3], *restrict vm = valid[y % 3];
    const float *restrict fd = y + 1 < height ? fused[(y + 1) % 3] : zeros, *restrict vd = y + 1 < height ? valid[(y + 1) % 3] : zeros;
    for (size_t x = 0; x < width; x++) {
      sum[x] = fu[x] + fm[x] + fd[x];
      count[x] = vu[x] + vm[x] + vd[x];
    }
    float *restrict out = score + y * width;
    for (size_t x = 0; x < width; x++) {
      float s = sum[x - 1] + sum[x] + sum[x + 1], c = count[x - 1] + count[x] + count[x + 1];
      out[x] = vm[x] != 0.0f ? s / c : 0.0f; /* a valid centre counts itself: c ≥ 1 */
    }
  }
}

struct run {
  const uint16_t *before, *after;
  size_t width, height;
  const struct params *p;
  float *ring, *zeros, *columns, *score;
};

static void run_pass(void *context) {
  struct run *r = context;
  pass(r->before, r->after, r->width, r->height, r->p, r->ring, r->zeros, r->columns, r->score);
}

int main(int argc, char **argv) {
  const int fixed = 7 + 4 * BANDS + BANDS * BANDS + 2;
  if (argc != fixed && argc != fixed + 1) {
    fprintf(stderr, "usage: reference_change_pass BEFORE AFTER WIDTH HEIGHT NODATA_B NODATA_A MEAN_B.. STD_B.. MEAN_A.. STD_A.. T00..T33 CVA_MEDIAN MAD_MEDIAN [OUT]\n");
    return 2;
  }
  size_t width = (size_t)atol(argv[3]), height = (size_t)atol(argv[4]), n = width * height;
  struct params p;
  p.nodata_before = strcmp(argv[5], "none") == 0 ? NAN : strtof(argv[5], 0);
  p.nodata_after = strcmp(argv[6], "none") == 0 ? NAN : strtof(argv[6], 0);
  char **a = argv + 7;
  for (int b = 0; b < BANDS; b++) {
    p.mb[b] = strtof(a[b], 0);
    p.ib[b] = inverse_or_zero(strtod(a[BANDS + b], 0));
    p.ma[b] = strtof(a[2 * BANDS + b], 0);
    p.ia[b] = inverse_or_zero(strtod(a[3 * BANDS + b], 0));
  }
  a += 4 * BANDS;
  for (int k = 0; k < BANDS; k++)
    for (int j = 0; j < BANDS; j++) p.t[k][j] = strtof(a[k * BANDS + j], 0);
  a += BANDS * BANDS;
  p.inv_cva = inverse_or_zero(strtod(a[0], 0));
  p.inv_mad = inverse_or_zero(strtod(a[1], 0));

  uint16_t *before = load(argv[1], n * BANDS), *after = load(argv[2], n * BANDS);
  float *ring = malloc(6 * width * sizeof *ring), *zeros = calloc(width, sizeof *zeros);
  float *columns = calloc(2 * (width + 2), sizeof *columns), *score = malloc(n * sizeof *score);
  if (!ring || !zeros || !columns || !score) { fprintf(stderr, "out of memory\n"); return 1; }
  struct run run = { before, after, width, height, &p, ring, zeros, columns, score };
  double best = best_seconds(run_pass, &run);
  double checksum = 0;
  for (size_t i = 0; i < n; i++) checksum += score[i];
  printf("%f %f\n", n / best / 1e6, checksum);
  if (argc == fixed + 1) {
    FILE *f = fopen(argv[fixed], "wb");
    if (!f || fwrite(score, sizeof *score, n, f) != n || fclose(f) != 0) { perror(argv[fixed]); return 1; }
  }
  return 0;
}
