/* Builds the kernel variants from kernels-impl.h and picks one at load time
 * with __builtin_cpu_supports. DDAMFN_CPU=generic|avx2|avx512 in the
 * environment forces a variant (when the CPU can run it).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ops/dispatch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SUFFIX generic
#define DW_VEC_FLOATS 4         /* SSE2, the x86-64 baseline */
#include "ops/kernels-impl.h"
#undef SUFFIX
#undef DW_VEC_FLOATS

#if defined(__x86_64__) && defined(__GNUC__)
#define DDAMFN_X86_DISPATCH 1

#pragma GCC push_options
#pragma GCC target ("avx2,fma")
#define SUFFIX avx2
#define DW_VEC_FLOATS 8
#include "ops/kernels-impl.h"
#undef SUFFIX
#undef DW_VEC_FLOATS
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target ("avx512f,avx512vl,avx512dq,avx512bw,fma,prefer-vector-width=512")
#define SUFFIX avx512
#define DW_VEC_FLOATS 16
#include "ops/kernels-impl.h"
#undef SUFFIX
#undef DW_VEC_FLOATS
#pragma GCC pop_options
#endif

const DdamfnKernels *ddamfn_kernels = &kernels_generic;

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

gboolean
ddamfn_kernels_use (const char *name)
{
  const DdamfnKernels *k = ddamfn_kernels_lookup (name);
  if (k == NULL)
    return FALSE;
  ddamfn_kernels = k;
  return TRUE;
}

__attribute__ ((constructor))
static void
ddamfn_kernels_init (void)
{
  const char *forced = getenv ("DDAMFN_CPU");
  if (forced && ddamfn_kernels_use (forced))
    return;
  if (!ddamfn_kernels_use ("avx512") && !ddamfn_kernels_use ("avx2"))
    ddamfn_kernels_use ("generic");
}
