/* What the benchmark programs share.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "bench-stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

double
bench_median (double *v, int n)
{
  qsort (v, n, sizeof (double), cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double
bench_now_s (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

float *
bench_floats (size_t n, unsigned seed)
{
  float *v = NULL;

  if (posix_memalign ((void **) &v, 64, (n ? n : 1) * sizeof (float)) != 0) {
    fprintf (stderr, "out of memory allocating %zu floats\n", n);
    abort ();
  }
  for (size_t i = 0; i < n; i++) {
    seed = seed * 1664525u + 1013904223u;
    v[i] = (float) (seed >> 8) / (1 << 24) * 2.f - 1.f;
  }
  return v;
}
