/* bench-steps: where a forward pass spends its time, step by step. Runs a
 * model's whole plan on a batch of pseudo-random inputs, timing every step
 * on its real input (the tensors the steps before it wrote), and prints the
 * median µs per face of each step kind, then of the slowest steps.
 *
 *   bench-steps MODEL.safetensors [--batch 8] [--runs 30] [--top 15]
 *
 * MODEL: a DDAMFN model, a graph model (.onnx, model.json) or a face
 * detector model (BlazeFace).
 *
 * DDAMFN_CPU=generic|avx2|avx512 picks the kernel variant, as everywhere.
 * The input is pseudo-random; the per-step clock reads add a little to the total (printed beside the
 * sum of the steps).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ddamfn-private.h"
#include "run.h"
#include "ops/dispatch.h"

#include "bench-stats.h"
#include "ddamfn-tool.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct
{
  guint step;
  double us;                    /* median µs per face */
} StepTime;

static int
by_time_desc (gconstpointer a, gconstpointer b)
{
  const double d = ((const StepTime *) b)->us - ((const StepTime *) a)->us;
  return (d > 0) - (d < 0);
}

int
main (int argc, char **argv)
{
  int opt_batch = 8, opt_runs = 30, opt_top = 15;
  GOptionEntry entries[] = {
    {"batch", 'b', 0, G_OPTION_ARG_INT, &opt_batch,
        "Faces per pass (default 8, at most one chunk)", "N"},
    {"runs", 'r', 0, G_OPTION_ARG_INT, &opt_runs,
        "Timed passes (default 30)", "N"},
    {"top", 't', 0, G_OPTION_ARG_INT, &opt_top,
        "Slowest steps to list (default 15)", "N"},
    {NULL}
  };
  GOptionContext *ctx = g_option_context_new ("MODEL.safetensors");
  GError *error = NULL;
  DdamfnModel *model;
  DdamfnDetectorModel *detector = NULL;
  const DdamfnPlan *plan;
  DdamfnScratch scratch = { { NULL }, NULL, 0, 0 };
  float *input;
  guint n_steps;
  double *t, *pass, kind_us[DDAMFN_STEP_N_KINDS] = { 0 };
  int kind_count[DDAMFN_STEP_N_KINDS] = { 0 };
  double sum = 0;
  StepTime *times;

  g_option_context_set_summary (ctx, "Time every step of a model's plan on "
      "its real inputs.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || argc != 2
      || opt_batch < 1 || opt_batch > DDAMFN_RUN_CHUNK || opt_runs < 1
      || opt_top < 0) {
    fprintf (stderr, "%s\n", error ? error->message :
        "usage: bench-steps MODEL [--batch 1..8] [--runs N] [--top N]");
    return 2;
  }
  g_option_context_free (ctx);
  /* a DDAMFN model, else a face detector model */
  model = ddamfn_model_open (argv[1], &error);
  if (model != NULL) {
    plan = ddamfn_model_get_plan (model);
  } else {
    GError *detector_error = NULL;
    detector = ddamfn_detector_model_open (argv[1], &detector_error);
    if (detector == NULL) {
      fprintf (stderr, "bench-steps: %s (as a face detector model: %s)\n",
          error->message, detector_error->message);
      return 1;
    }
    g_clear_error (&error);
    plan = ddamfn_detector_model_get_plan (detector);
  }
  n_steps = ddamfn_plan_n_steps (plan);
  if (!ddamfn_scratch_reserve (&scratch, plan, opt_batch, &error)) {
    fprintf (stderr, "bench-steps: %s\n", error->message);
    return 1;
  }
  input = bench_floats (ddamfn_plan_input_floats (plan) * opt_batch, 1);
  t = g_new (double, (gsize) n_steps * opt_runs);
  pass = g_new (double, opt_runs);

  for (int r = -3; r < opt_runs; r++) {
    const double p0 = bench_now_s ();
    for (guint i = 0; i < n_steps; i++) {
      const double t0 = bench_now_s ();
      ddamfn_run_step (ddamfn_plan_step (plan, i), input, opt_batch,
          scratch.slots, scratch.kernel);
      if (r >= 0)
        t[(gsize) i * opt_runs + r] = bench_now_s () - t0;
    }
    if (r >= 0)
      pass[r] = bench_now_s () - p0;
  }

  times = g_new (StepTime, n_steps);
  for (guint i = 0; i < n_steps; i++) {
    const DdamfnStep *s = ddamfn_plan_step (plan, i);
    times[i].step = i;
    times[i].us = bench_median (t + (gsize) i * opt_runs, opt_runs) * 1e6
        / opt_batch;
    kind_us[s->kind] += times[i].us;
    kind_count[s->kind]++;
    sum += times[i].us;
  }
  printf ("kernels: %s, batch %d, median of %d passes\n",
      ddamfn_kernels_get ()->name, opt_batch, opt_runs);
  printf ("%-20s %6s %12s %7s\n", "step kind", "steps", "us/face", "share");
  for (int k = 0; k < DDAMFN_STEP_N_KINDS; k++)
    if (kind_count[k] > 0)
      printf ("%-20s %6d %12.1f %6.1f%%\n", ddamfn_step_kind_name (k),
          kind_count[k], kind_us[k], 100 * kind_us[k] / sum);
  printf ("sum of the steps: %.1f us/face; whole pass (median): %.1f "
      "us/face\n", sum, bench_median (pass, opt_runs) * 1e6 / opt_batch);

  qsort (times, n_steps, sizeof *times, by_time_desc);
  printf ("\n%-44s %-16s %9s %8s\n", "slowest steps", "kind", "us/face",
      "GFLOP/s");
  for (guint i = 0; i < MIN ((guint) opt_top, n_steps); i++) {
    const DdamfnStep *s = ddamfn_plan_step (plan, times[i].step);
    printf ("%-44s %-16s %9.1f %8.2f\n", s->name,
        ddamfn_step_kind_name (s->kind), times[i].us,
        ddamfn_step_flops (s) / (times[i].us * 1e3));
  }

  g_free (times);
  g_free (t);
  g_free (pass);
  ddamfn_scratch_release (&scratch);
  free (input);
  if (model)
    ddamfn_model_unref (model);
  if (detector)
    ddamfn_detector_model_unref (detector);
  return 0;
}
