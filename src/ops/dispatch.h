/* Runtime CPU dispatch of the innermost loops. One source
 * (kernels-impl.h) is compiled for a portable baseline, for AVX2+FMA and for
 * AVX-512; the best one the CPU supports is chosen once, at load time.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef DDAMFN_DISPATCH_H
#define DDAMFN_DISPATCH_H

#include "ddamfn-private.h"

typedef struct
{
  const char *name;
  /* y[i] = v */
  void (*fill) (float *y, float v, int n);
  /* y[i] += a · x[i] */
  void (*axpy) (float *y, float a, const float *x, int n);
  /* y[i] = x[2i] */
  void (*gather_stride2) (float *y, const float *x, int n);
  /* y[i] = act (y[i] + bias), PReLU with SLOPE */
  void (*act_row) (float *y, int n, float bias, float slope, DdamfnAct act);
} DdamfnKernels;

/* The kernels in use. */
extern const DdamfnKernels *ddamfn_kernels;

/* The variant named NAME ("generic", "avx2", "avx512"), or NULL when it is
 * unknown or this CPU cannot run it. */
const DdamfnKernels *ddamfn_kernels_lookup (const char *name);

/* Switches to variant NAME; FALSE (and nothing changes) when unavailable.
 * For tests and benchmarks; not thread-safe against running sessions. */
gboolean ddamfn_kernels_use (const char *name);

#endif /* DDAMFN_DISPATCH_H */
