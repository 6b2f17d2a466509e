/* bench-engine: median milliseconds per face of ddamfn_session_run at given
 * batch sizes and thread counts.
 *
 *   bench-engine MODEL [--batch 1,8] [--threads 1] [--runs 30]
 *
 * MODEL is a DDAMFN model (.safetensors) or a graph model (.onnx,
 * model.json): its faces are as many floats as its input declares.
 *
 * Inputs are a fixed pseudo-random pattern; the figures do not depend on
 * the weights' values, so a model of random weights in the released layout
 * (bench/make-bench-model.py) measures the same work as a trained one.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <ddamfn/ddamfn.h>

#include "bench-stats.h"
#include "ddamfn-tool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main (int argc, char **argv)
{
  char *opt_batch = NULL, *opt_threads = NULL;
  int opt_runs = 30, opt_warmup = 3;
  GOptionEntry entries[] = {
    {"batch", 'b', 0, G_OPTION_ARG_STRING, &opt_batch,
        "Comma list of batch sizes (default 1,8)", "LIST"},
    {"threads", 't', 0, G_OPTION_ARG_STRING, &opt_threads,
        "Comma list of thread counts (default 1)", "LIST"},
    {"runs", 'r', 0, G_OPTION_ARG_INT, &opt_runs, "Timed runs (default 30)",
        "N"},
    {"warmup", 'w', 0, G_OPTION_ARG_INT, &opt_warmup,
        "Untimed warm-up runs (default 3)", "N"},
    {NULL}
  };
  GOptionContext *ctx;
  GError *error = NULL;
  DdamfnModel *model;
  char **batches, **threads;

  ctx = g_option_context_new ("MODEL.safetensors");

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || argc != 2
      || opt_runs < 1) {
    fprintf (stderr, "%s\n", error ? error->message :
        "usage: bench-engine MODEL.safetensors [--batch 1,8] [--threads 1]");
    return 2;
  }
  g_option_context_free (ctx);

  model = ddamfn_model_open (argv[1], &error);
  if (model == NULL) {
    fprintf (stderr, "bench-engine: %s\n", error->message);
    return 1;
  }
  batches = g_strsplit (opt_batch ? opt_batch : "1,8", ",", -1);
  threads = g_strsplit (opt_threads ? opt_threads : "1", ",", -1);

  printf ("backend: %s\n", ddamfn_backend_info ());
  printf ("%-8s %-6s %12s %12s %14s\n", "threads", "batch", "ms/face",
      "ms/batch", "scratch MiB");
  for (int ti = 0; threads[ti]; ti++) {
    int nt = atoi (threads[ti]);
    for (int bi = 0; batches[bi]; bi++) {
      int n = atoi (batches[bi]);
      DdamfnSession *s = ddamfn_session_new (model, nt, &error);
      float *input;
      DdamfnResult *res;
      double *t;
      guint32 state = 12345;
      const gsize in_floats = ddamfn_model_get_input_floats (model);

      if (s == NULL || n < 1) {
        fprintf (stderr, "bench-engine: %s\n",
            error ? error->message : "bad batch size");
        return 1;
      }
      input = g_new (float, (gsize) n * in_floats);
      for (gsize i = 0; i < (gsize) n * in_floats; i++) {
        state = state * 1664525u + 1013904223u;
        input[i] = (float) (state >> 8) / (1 << 24) * 4.f - 2.f;
      }
      res = g_new (DdamfnResult, n);
      t = g_new (double, opt_runs);
      for (int r = 0; r < opt_warmup + opt_runs; r++) {
        gint64 t0 = g_get_monotonic_time ();
        if (!ddamfn_session_run (s, input, n, res, &error)) {
          fprintf (stderr, "bench-engine: %s\n", error->message);
          return 1;
        }
        if (r >= opt_warmup)
          t[r - opt_warmup] = (g_get_monotonic_time () - t0) / 1000.0;
      }
      double med = bench_median (t, opt_runs);
      printf ("%-8d %-6d %12.2f %12.2f %14.1f\n", nt, n, med / n, med,
          ddamfn_session_get_scratch_bytes (s) / 1048576.0);
      fflush (stdout);
      g_free (t);
      g_free (res);
      g_free (input);
      ddamfn_session_free (s);
    }
  }
  g_strfreev (batches);
  g_strfreev (threads);
  g_free (opt_batch);
  g_free (opt_threads);
  ddamfn_model_unref (model);
  return 0;
}
