/* The engine's one matrix product, C = A · B (+ C), on what was chosen at
 * configure time (meson option blas, see meson.build).
 *
 * By default (-Dblas=builtin) the engine's own GEMM (gemm-impl.h) runs it,
 * in the kernel variant the engine uses everywhere (ops/dispatch.c,
 * DDAMFN_CPU): every call on the calling thread (the engine's own workers
 * give the parallelism, as many as n_threads says), no pool of threads
 * that spins beside the calls, nothing shared between threads but the
 * read-only operands, and no library whose settings another user of the
 * process could change.
 *
 * With -Dblas=blis, BLIS's serial build is linked statically into
 * libddamfn with its symbols kept private. BLIS's own CPU detection does
 * not know every current CPU (it falls back to its slow reference kernels
 * on AMD's family 1Ah), so its kernels follow the engine's choice instead:
 * with the engine's AVX2 or AVX-512 kernels, BLIS's "haswell" AVX2/FMA
 * kernels, passed per call as a context; with its generic kernels,
 * whatever BLIS picks. (BLIS's AVX-512 "skx" kernels were slower than its
 * AVX2 ones on most 1x1-conv shapes of the networks on the AMD EPYC this
 * was measured on.)
 *
 * With -Dblas=openblas the system's libopenblas.so.0 runs the products:
 * threaded or serial as Debian's alternatives say (the name below tells
 * which; the serial one is not safe from several threads). The library
 * never changes its settings (the application may).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ops/ops.h"
#include "ops/dispatch.h"

#include <string.h>

#if defined(DDAMFN_BLAS_BUILTIN)
/* The work buffer of the products a thread runs: allocated on its first
 * product, freed when it ends. */
static GPrivate gemm_work = G_PRIVATE_INIT (g_aligned_free);

void
ddamfn_blas_sgemm (int m, int n, int k, const float *a, int lda,
    const float *b, int ldb, float beta, float *c, int ldc)
{
  float *work = g_private_get (&gemm_work);

  if (work == NULL) {
    work = g_aligned_alloc (DDAMFN_GEMM_WORK, sizeof (float), 64);
    g_private_set (&gemm_work, work);
  }
  ddamfn_kernels_get ()->gemm (m, n, k, a, lda, b, ldb, beta, c, ldc, work);
}

int
ddamfn_blas_threads (void)
{
  return 1;
}

const char *
ddamfn_blas_name (void)
{
  static char *name;
  static gsize once = 0;

  if (g_once_init_enter (&once)) {
    name = g_strdup_printf ("the engine's own GEMM, %s kernels",
        ddamfn_kernels_get ()->name);
    g_once_init_leave (&once, 1);
  }
  return name;
}

#elif defined(DDAMFN_BLAS_BLIS)
#include <blis.h>

static const cntx_t *
blis_context (void)
{
  static const cntx_t *cntx;
  static gsize once = 0;

  if (g_once_init_enter (&once)) {
    bli_init ();
    if (strcmp (ddamfn_kernels_get ()->name, "generic") != 0)
      cntx = bli_gks_lookup_nat_cntx (BLIS_ARCH_HASWELL);
    if (cntx == NULL)
      cntx = bli_gks_query_cntx ();
    g_once_init_leave (&once, 1);
  }
  return cntx;
}

void
ddamfn_blas_sgemm (int m, int n, int k, const float *a, int lda,
    const float *b, int ldb, float beta, float *c, int ldc)
{
  float one = 1.f;

  /* with beta 0 BLIS overwrites C without reading it, as OpenBLAS does */
  bli_sgemm_ex (BLIS_NO_TRANSPOSE, BLIS_NO_TRANSPOSE, m, n, k, &one,
      (float *) a, lda, 1, (float *) b, ldb, 1, &beta, c, ldc, 1,
      (cntx_t *) blis_context (), NULL);
}

int
ddamfn_blas_threads (void)
{
  return 1;
}

const char *
ddamfn_blas_name (void)
{
  static char *name;
  static gsize once = 0;

  if (g_once_init_enter (&once)) {
    const cntx_t *cntx = blis_context ();
    const char *kernels = "its own choice of";

    if (cntx == bli_gks_lookup_nat_cntx (BLIS_ARCH_HASWELL))
      kernels = "haswell (AVX2, FMA)";
    name = g_strdup_printf ("BLIS %s, serial, %s kernels",
        bli_info_get_version_str (), kernels);
    g_once_init_leave (&once, 1);
  }
  return name;
}

#else /* OpenBLAS */
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
ddamfn_blas_name (void)
{
  static char *name;
  static gsize once = 0;

  if (g_once_init_enter (&once)) {
    /* openblas_get_parallel: 0 sequential, 1 pthreads, 2 OpenMP */
    name = g_strdup_printf ("OpenBLAS, %s, %s kernels",
        openblas_get_parallel () == 0 ? "serial" : "threaded",
        openblas_get_corename ());
    g_once_init_leave (&once, 1);
  }
  return name;
}
#endif
