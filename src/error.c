/* The library's error domain, version and backend description.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ddamfn-private.h"
#include "ddamfn-version.h"
#include "ops/dispatch.h"

G_DEFINE_QUARK (ddamfn-error-quark, ddamfn_error)

const char *
ddamfn_version (void)
{
  return DDAMFN_VERSION;
}

const char *
ddamfn_backend_info (void)
{
  static char *info;
  static gsize once = 0;

  if (g_once_init_enter (&once)) {
    int threads = ddamfn_blas_threads ();
    info = g_strdup_printf ("%s (%d thread%s per call), %s engine kernels",
        ddamfn_blas_name (), threads, threads == 1 ? "" : "s",
        ddamfn_kernels_get ()->name);
    g_once_init_leave (&once, 1);
  }
  return info;
}
