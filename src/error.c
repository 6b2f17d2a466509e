/* The library's error domain and version.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ddamfn-private.h"
#include "ddamfn-version.h"

G_DEFINE_QUARK (ddamfn-error-quark, ddamfn_error)

const char *
ddamfn_version (void)
{
  return DDAMFN_VERSION;
}
