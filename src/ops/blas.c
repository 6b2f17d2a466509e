/* The engine's one matrix product, OpenBLAS's cblas_sgemm.
 *
 * By default (meson option blas=serial) OpenBLAS's serial build is linked
 * statically into libddamfn with its symbols kept private: every call runs
 * on the calling thread (the engine's own workers give the parallelism, as
 * many as n_threads says), no pool of OpenBLAS threads exists to spin
 * beside the calls, and another OpenBLAS the host process may load keeps
 * its own settings. The library never changes OpenBLAS's settings; which
 * CPU kernels OpenBLAS runs it chooses itself at load time
 * (OPENBLAS_CORETYPE in the environment overrides it).
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
#ifdef DDAMFN_BLAS_SERIAL
  return 1;
#else
  return openblas_get_num_threads ();
#endif
}

const char *
ddamfn_blas_core (void)
{
  return openblas_get_corename ();
}
