/* Sessions: a model's plan and a runner with its worker threads and
 * scratch, behind the public API's argument checks.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ddamfn-private.h"
#include "run.h"

#include <math.h>
#include <unistd.h>

/* Most worker threads a session takes. */
#define MAX_THREADS 64

struct _DdamfnSession
{
  DdamfnModel *model;
  DdamfnRunner *runner;
};

DdamfnSession *
ddamfn_session_new (DdamfnModel * model, int n_threads, GError ** error)
{
  DdamfnSession *s;
  DdamfnRunner *runner;

  g_return_val_if_fail (model != NULL, NULL);
  if (n_threads < 0 || n_threads > MAX_THREADS) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "n_threads must be between 0 and %d, got %d", MAX_THREADS,
        n_threads);
    return NULL;
  }
  if (n_threads == 0) {
    long online = sysconf (_SC_NPROCESSORS_ONLN);
    n_threads = online > 0 ? (int) MIN (online, MAX_THREADS) : 1;
  }
  runner = ddamfn_runner_new (model->plan, n_threads, error);
  if (runner == NULL)
    return NULL;
  s = g_new0 (DdamfnSession, 1);
  s->model = ddamfn_model_ref (model);
  s->runner = runner;
  return s;
}

void
ddamfn_session_free (DdamfnSession * session)
{
  if (session == NULL)
    return;
  ddamfn_runner_free (session->runner);
  ddamfn_model_unref (session->model);
  g_free (session);
}

DdamfnModel *
ddamfn_session_get_model (DdamfnSession * session)
{
  g_return_val_if_fail (session != NULL, NULL);
  return session->model;
}

size_t
ddamfn_session_get_scratch_bytes (const DdamfnSession * session)
{
  g_return_val_if_fail (session != NULL, 0);
  return ddamfn_runner_get_scratch_bytes (session->runner);
}

gboolean
ddamfn_session_run (DdamfnSession * s, const float *input, int n,
    DdamfnResult * results, GError ** error)
{
  gsize in_floats;

  g_return_val_if_fail (s != NULL, FALSE);
  in_floats = ddamfn_plan_input_floats (s->model->plan);
  if (input == NULL || results == NULL) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "input and results must not be NULL");
    return FALSE;
  }
  if (n < 1 || n > DDAMFN_RUN_MAX_BATCH) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "batch size must be between 1 and %d, got %d", DDAMFN_RUN_MAX_BATCH,
        n);
    return FALSE;
  }
  for (gsize i = 0; i < (gsize) n * in_floats; i++) {
    if (!isfinite (input[i])) {
      g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
          "input face %d holds a non-finite value", (int) (i / in_floats));
      return FALSE;
    }
  }
  return ddamfn_runner_run (s->runner, input, n, results, error);
}
