/* What the benchmark programs share: a clock, the median of a set of
 * timings, pseudo-random test data.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef DDAMFN_BENCH_STATS_H
#define DDAMFN_BENCH_STATS_H

#include <stddef.h>

/* The median of the N values of V (N ≥ 1); sorts V in place. */
double bench_median (double *v, int n);

/* CLOCK_MONOTONIC in seconds. */
double bench_now_s (void);

/* N floats, 64-byte aligned, pseudo-random in [-1, 1) from SEED (a linear
 * congruential sequence: the same SEED gives the same values); free().
 * Aborts when out of memory. */
float *bench_floats (size_t n, unsigned seed);

#endif
