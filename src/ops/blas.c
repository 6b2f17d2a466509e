/* OpenBLAS, loaded at run time. OpenBLAS 0.3.21 picks its Haswell (AVX2)
 * kernels on AVX-512 CPUs it does not know by name (AMD Zen 4 among them),
 * and reads the core type only once, when it initialises. Loading it
 * ourselves lets us ask for its SkylakeX (AVX-512) kernels when the CPU
 * has AVX-512, which is about 1.4× faster on the network's 1×1
 * convolutions. An OPENBLAS_CORETYPE the user set is respected, and an
 * OpenBLAS the process has already loaded is used as it is.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ddamfn-private.h"

#include <dlfcn.h>
#include <stdlib.h>

#define OPENBLAS_SONAME "libopenblas.so.0"

typedef void (*SgemmFn) (int order, int ta, int tb, int m, int n, int k,
    float alpha, const float *a, int lda, const float *b, int ldb,
    float beta, float *c, int ldc);

static struct
{
  void *handle;
  SgemmFn sgemm;
  void (*set_num_threads) (int);
  int (*get_num_threads) (void);
  char *(*get_corename) (void);
  char *error;
} blas;

static gpointer
blas_load (gpointer data)
{
  gboolean set_core = FALSE;
  (void) data;

#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init ();
  if (getenv ("OPENBLAS_CORETYPE") == NULL
      && dlopen (OPENBLAS_SONAME, RTLD_NOW | RTLD_NOLOAD) == NULL
      && __builtin_cpu_supports ("avx512f")
      && __builtin_cpu_supports ("avx512vl")
      && __builtin_cpu_supports ("avx512bw")
      && __builtin_cpu_supports ("avx512dq")) {
    /* Read by OpenBLAS's initialiser during the dlopen below only. */
    setenv ("OPENBLAS_CORETYPE", "SkylakeX", 0);
    set_core = TRUE;
  }
#endif
  blas.handle = dlopen (OPENBLAS_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (set_core)
    unsetenv ("OPENBLAS_CORETYPE");
  if (blas.handle == NULL) {
    blas.error = g_strdup_printf ("cannot load OpenBLAS (%s): %s",
        OPENBLAS_SONAME, dlerror ());
    return NULL;
  }
  blas.sgemm = (SgemmFn) dlsym (blas.handle, "cblas_sgemm");
  blas.set_num_threads = (void (*)(int)) dlsym (blas.handle,
      "openblas_set_num_threads");
  blas.get_num_threads = (int (*)(void)) dlsym (blas.handle,
      "openblas_get_num_threads");
  blas.get_corename = (char *(*)(void)) dlsym (blas.handle,
      "openblas_get_corename");
  if (!blas.sgemm || !blas.set_num_threads || !blas.get_num_threads) {
    blas.error = g_strdup_printf ("%s lacks cblas_sgemm or the "
        "openblas_*_num_threads functions", OPENBLAS_SONAME);
    blas.sgemm = NULL;
  }
  return NULL;
}

gboolean
ddamfn_blas_init (GError ** error)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, blas_load, NULL);
  if (blas.sgemm == NULL) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_IO, "%s", blas.error);
    return FALSE;
  }
  return TRUE;
}

void
ddamfn_blas_sgemm (int m, int n, int k, const float *a, int lda,
    const float *b, int ldb, float beta, float *c, int ldc)
{
  /* CblasRowMajor = 101, CblasNoTrans = 111 in every CBLAS. */
  blas.sgemm (101, 111, 111, m, n, k, 1.f, a, lda, b, ldb, beta, c, ldc);
}

void
ddamfn_blas_set_threads (int n)
{
  if (blas.get_num_threads () != n)
    blas.set_num_threads (n);
}

const char *
ddamfn_blas_core (void)
{
  return blas.get_corename ? blas.get_corename () : "unknown";
}
