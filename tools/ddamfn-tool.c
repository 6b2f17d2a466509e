/* Process set-up for the tools (see ddamfn-tool.h).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ddamfn-tool.h"

#include <stdlib.h>
#ifdef DDAMFN_BLAS_OPENBLAS
#include <cblas.h>
#endif

void
ddamfn_tool_setup_blas (void)
{
#ifdef DDAMFN_BLAS_OPENBLAS
  /* a program's own main() may set process-wide state: the engine runs
   * its own workers, OpenBLAS's pool would only spin beside them */
  if (getenv ("OPENBLAS_NUM_THREADS") == NULL)
    openblas_set_num_threads (1);
#endif
}
