/* Builds the kernel variants from kernels-impl.h and picks one, once, on
 * first use, with __builtin_cpu_supports. DDAMFN_CPU=generic|avx2|avx512 in
 * the environment forces a variant (when the CPU can run it).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ops/dispatch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* GEMM tiles: GEMM_MR rows × GEMM_NV vectors, as many accumulators as the
 * registers hold beside the vectors of B and the broadcast of A (16 SSE or
 * AVX2 registers, 32 AVX-512 ones). */
#define SUFFIX generic
#define DW_VEC_FLOATS 4         /* SSE2, the x86-64 baseline */
#define GEMM_VF 4
#define GEMM_MR 4
#define GEMM_NV 2
#include "ops/kernels-impl.h"
#undef SUFFIX
#undef DW_VEC_FLOATS
#undef GEMM_VF
#undef GEMM_MR
#undef GEMM_NV

#if defined(__x86_64__) && defined(__GNUC__)
#define DDAMFN_X86_DISPATCH 1

#pragma GCC push_options
#pragma GCC target ("avx2,fma")
#define SUFFIX avx2
#define DW_VEC_FLOATS 8
#define GEMM_VF 8
#define GEMM_MR 4
#define GEMM_NV 3
#include "ops/kernels-impl.h"
#undef SUFFIX
#undef DW_VEC_FLOATS
#undef GEMM_VF
#undef GEMM_MR
#undef GEMM_NV
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target ("avx512f,avx512vl,avx512dq,avx512bw,fma,prefer-vector-width=512")
#define SUFFIX avx512
#define DW_VEC_FLOATS 16
#define GEMM_VF 16
#define GEMM_MR 8
#define GEMM_NV 3
#include "ops/kernels-impl.h"
#undef SUFFIX
#undef DW_VEC_FLOATS
#undef GEMM_VF
#undef GEMM_MR
#undef GEMM_NV
#pragma GCC pop_options
#endif

static const DdamfnKernels *selected = &kernels_generic;

const DdamfnKernels *
ddamfn_kernels_lookup (const char *name)
{
  if (strcmp (name, "generic") == 0)
    return &kernels_generic;
#ifdef DDAMFN_X86_DISPATCH
  __builtin_cpu_init ();
  if (strcmp (name, "avx2") == 0 && __builtin_cpu_supports ("avx2")
      && __builtin_cpu_supports ("fma"))
    return &kernels_avx2;
  if (strcmp (name, "avx512") == 0 && __builtin_cpu_supports ("avx512f")
      && __builtin_cpu_supports ("avx512vl")
      && __builtin_cpu_supports ("avx512dq")
      && __builtin_cpu_supports ("avx512bw"))
    return &kernels_avx512;
#endif
  return NULL;
}

static gpointer
select_default (gpointer data)
{
  const char *forced = getenv ("DDAMFN_CPU");
  const DdamfnKernels *k = forced ? ddamfn_kernels_lookup (forced) : NULL;
  (void) data;

  if (k == NULL)
    k = ddamfn_kernels_lookup ("avx512");
  if (k == NULL)
    k = ddamfn_kernels_lookup ("avx2");
  if (k == NULL)
    k = &kernels_generic;
  g_atomic_pointer_set (&selected, k);
  return NULL;
}

const DdamfnKernels *
ddamfn_kernels_get (void)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, select_default, NULL);
  return g_atomic_pointer_get (&selected);
}

gboolean
ddamfn_kernels_use (const char *name)
{
  const DdamfnKernels *k = ddamfn_kernels_lookup (name);

  ddamfn_kernels_get ();        /* the default choice must not come later */
  if (k == NULL)
    return FALSE;
  g_atomic_pointer_set (&selected, k);
  return TRUE;
}
