/* What the fuzz harnesses share.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz.h"

#include <glib.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void
fuzz_fail (const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  fprintf (stderr, "FUZZ CHECK FAILED: ");
  vfprintf (stderr, fmt, ap);
  fprintf (stderr, "\n");
  va_end (ap);
  abort ();
}

void
fuzz_init_once (void)
{
  static int done;

  if (done)
    return;
  done = 1;
  /* A GLib warning or critical (a GError set twice, a failed
   * g_return_if_fail) is a bug like any other: make it a crash. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_WARNING
      | G_LOG_LEVEL_CRITICAL);
}
