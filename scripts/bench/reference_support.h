/*
 * What the C references (reference_cva.c, reference_change_pass.c) share: reading the benchmark's sample
 * files, and the timing rule of shoutu's bestTimeMs (shared/src/kernels/bench-harness.ts), so every row of
 * the in-run references is timed alike.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* `count` uint16 samples from `path`; exits with a message naming the file when it cannot. */
static uint16_t *load(const char *path, size_t count) {
  FILE *f = fopen(path, "rb");
  if (!f) { perror(path); exit(1); }
  uint16_t *data = malloc(count * sizeof *data);
  if (!data || fread(data, sizeof *data, count, f) != count) { fprintf(stderr, "%s: short read\n", path); exit(1); }
  fclose(f);
  return data;
}

/* Best seconds of run(context): one warm-up, then at least 5 timed runs and 0.4 s of them. */
static double best_seconds(void (*run)(void *), void *context) {
  double best = 1e30, total = 0;
  for (int r = 0; r < 6 || total < 0.4; r++) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    run(context);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
    if (r > 0) {
      total += s;
      if (s < best) best = s;
    }
  }
  return best;
}
