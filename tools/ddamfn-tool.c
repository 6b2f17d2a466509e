/* Process set-up for the tools (see ddamfn-tool.h).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ddamfn-tool.h"

#include <stdlib.h>
#include <unistd.h>

static gboolean
cpu_has_avx512 (void)
{
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init ();
  return __builtin_cpu_supports ("avx512f")
      && __builtin_cpu_supports ("avx512vl")
      && __builtin_cpu_supports ("avx512bw")
      && __builtin_cpu_supports ("avx512dq");
#else
  return FALSE;
#endif
}

void
ddamfn_tool_setup_blas (char **argv)
{
  if (getenv ("OPENBLAS_CORETYPE") == NULL && cpu_has_avx512 ()) {
    setenv ("OPENBLAS_CORETYPE", "SkylakeX", 1);
    execv ("/proc/self/exe", argv);
    /* not fatal: OpenBLAS keeps the kernels it chose */
  }
}
