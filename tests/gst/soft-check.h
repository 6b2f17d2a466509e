/* Checks that report and count a failure instead of aborting, for the
 * plain-main tests (test-pipeline, test-soak) that go on to report every
 * problem of a run; safe to use from several threads.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SOFT_CHECK_H
#define SOFT_CHECK_H

#include <glib.h>

static gint soft_check_failures;

#define CHECK(cond, ...) G_STMT_START {                                  \
  if (!(cond)) {                                                         \
    g_printerr ("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);          \
    g_printerr (__VA_ARGS__);                                            \
    g_printerr ("\n");                                                   \
    g_atomic_int_inc (&soft_check_failures);                             \
  }                                                                      \
} G_STMT_END

/* The process exit status: 1 (after saying how many) when a check failed. */
static inline int
soft_check_exit_status (void)
{
  int n = g_atomic_int_get (&soft_check_failures);
  if (n)
    g_printerr ("%d check(s) failed\n", n);
  return n ? 1 : 0;
}

#endif /* SOFT_CHECK_H */
