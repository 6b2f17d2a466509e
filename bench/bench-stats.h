/* What the benchmark programs share: the median of a set of timings.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef DDAMFN_BENCH_STATS_H
#define DDAMFN_BENCH_STATS_H

/* The median of the N values of V (N ≥ 1); sorts V in place. */
double bench_median (double *v, int n);

#endif
