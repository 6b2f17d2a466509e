/* The engine's one matrix product, OpenBLAS's cblas_sgemm, linked the
 * ordinary way. The library never changes OpenBLAS's settings: how many
 * threads one call may use and which CPU kernels it runs are the
 * application's choice (OPENBLAS_NUM_THREADS, OPENBLAS_CORETYPE in the
 * environment before the process starts; see the README's Speed section).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ops/ops.h"

#include <cblas.h>

void
ddamfn_blas_sgemm (int m, int n, int k, const float *a, int lda,
    const float *b, int ldb, float beta, float *c, int ldc)
{
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.f, a,
      lda, b, ldb, beta, c, ldc);
}

int
ddamfn_blas_threads (void)
{
  return openblas_get_num_threads ();
}

const char *
ddamfn_blas_core (void)
{
  return openblas_get_corename ();
}
