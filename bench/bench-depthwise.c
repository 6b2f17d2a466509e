/* bench-depthwise: the depthwise steps of a model's plan, one distinct
 * shape at a time, as the forward pass runs them (with the fusions the plan
 * records: the producer's bias and PReLU on the way in, CoordAtt pooling on
 * the way out; the heads' global conv of attention × features), over a
 * batch. Prints, per shape, the median µs per face of one call, its
 * multiply-add rate, how often the plan runs it, and the plan's total
 * depthwise time per face: where the non-sgemm time goes.
 *
 *   bench-depthwise MODEL.safetensors [--batch 8] [--runs 30]
 *
 * DDAMFN_CPU=generic|avx2|avx512 picks the kernel variant, as everywhere.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ddamfn-private.h"
#include "ops/dispatch.h"

#include "bench-stats.h"
#include "ddamfn-tool.h"

#include <stdio.h>
#include <stdlib.h>

/* A distinct shape: the first step that has it, and how many steps do. */
typedef struct
{
  const DdamfnStep *step;
  int count;
} Shape;

static gboolean
same_shape (const DdamfnStep * a, const DdamfnStep * b)
{
  return a->kind == b->kind && a->in.c == b->in.c && a->in.h == b->in.h
      && a->in.w == b->in.w && a->out.h == b->out.h
      && a->conv->kh == b->conv->kh && a->conv->kw == b->conv->kw
      && a->conv->stride == b->conv->stride
      && (a->aux.c > 0) == (b->aux.c > 0)
      && (a->prologue.act == b->prologue.act);
}

static GArray *
depthwise_shapes (const DdamfnPlan * plan)
{
  GArray *shapes = g_array_new (FALSE, FALSE, sizeof (Shape));

  for (guint i = 0; i < ddamfn_plan_n_steps (plan); i++) {
    const DdamfnStep *s = ddamfn_plan_step (plan, i);
    guint k;
    if (s->kind != DDAMFN_STEP_DEPTHWISE
        && s->kind != DDAMFN_STEP_GLOBAL_DEPTHWISE)
      continue;
    for (k = 0; k < shapes->len; k++)
      if (same_shape (g_array_index (shapes, Shape, k).step, s))
        break;
    if (k == shapes->len) {
      Shape sh = { s, 0 };
      g_array_append_val (shapes, sh);
    }
    g_array_index (shapes, Shape, k).count++;
  }
  return shapes;
}

/* N floats of test data with the row kernels' slack. */
static float *
filled (gsize n, guint32 seed)
{
  return bench_floats (n + DDAMFN_ROW_SLACK, seed);
}

/* Median seconds of one call of step S's kernel over N faces. */
static double
time_step (const DdamfnStep * s, int n, int runs, double *t)
{
  const gsize in = (gsize) s->in.c * n * s->in.h * s->in.w;
  const gsize out = (gsize) s->out.c * n * s->out.h * s->out.w;
  float *x = filled (in, 1), *y = filled (out, 2);
  float *pooled = filled ((gsize) s->out.c * n * (s->out.h + s->out.w), 3);
  float *scratch = filled (ddamfn_op_depthwise_scratch (s->conv, s->in.h,
          s->in.w, s->out.h, s->out.w), 4);
  const gboolean prologue = s->prologue.act != ACT_NONE || s->prologue.bias;

  for (int r = -3; r < runs; r++) {
    double t0 = bench_now_s ();
    if (s->kind == DDAMFN_STEP_GLOBAL_DEPTHWISE)
      ddamfn_op_global_depthwise (s->conv, x, x, y, s->in.c, n);
    else
      ddamfn_op_depthwise (s->conv, x, y, s->out.c, n, s->in.h, s->in.w,
          s->out.h, s->out.w, s->apply_bias, prologue ? &s->prologue : NULL,
          s->aux.c > 0 ? pooled : NULL, scratch);
    if (r >= 0)
      t[r] = bench_now_s () - t0;
  }
  free (x);
  free (y);
  free (pooled);
  free (scratch);
  return bench_median (t, runs);
}

int
main (int argc, char **argv)
{
  int opt_batch = 8, opt_runs = 30;
  GOptionEntry entries[] = {
    {"batch", 'b', 0, G_OPTION_ARG_INT, &opt_batch,
        "Faces per call (default 8)", "N"},
    {"runs", 'r', 0, G_OPTION_ARG_INT, &opt_runs,
        "Timed calls per shape (default 30)", "N"},
    {NULL}
  };
  GOptionContext *ctx = g_option_context_new ("MODEL.safetensors");
  GError *error = NULL;
  DdamfnModel *model;
  GArray *shapes;
  double total = 0, *t;

  g_option_context_set_summary (ctx, "Time the depthwise steps of a "
      "model's plan, shape by shape.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || argc != 2
      || opt_batch < 1 || opt_batch > 64 || opt_runs < 1) {
    fprintf (stderr, "%s\n", error ? error->message :
        "usage: bench-depthwise MODEL [--batch 1..64] [--runs N]");
    return 2;
  }
  g_option_context_free (ctx);
  model = ddamfn_model_open (argv[1], &error);
  if (model == NULL) {
    fprintf (stderr, "bench-depthwise: %s\n", error->message);
    return 1;
  }
  shapes = depthwise_shapes (ddamfn_model_get_plan (model));
  t = g_new (double, opt_runs);

  printf ("kernels: %s, batch %d, median of %d calls\n",
      ddamfn_kernels_get ()->name, opt_batch, opt_runs);
  printf ("%-44s %4s %3s %2s %2s %10s %8s %6s %12s\n", "first step", "ch",
      "h", "k", "s", "us/face", "GMAC/s", "count", "us/face all");
  for (guint i = 0; i < shapes->len; i++) {
    const Shape *sh = &g_array_index (shapes, Shape, i);
    const DdamfnStep *s = sh->step;
    const double macs = ddamfn_step_flops (s) / 2 * opt_batch;
    const double med = time_step (s, opt_batch, opt_runs, t);

    total += med * 1e6 / opt_batch * sh->count;
    printf ("%-44s %4d %3d %2d %2d %10.1f %8.2f %6d %12.1f\n", s->name,
        s->in.c, s->in.h, s->conv->kh, s->conv->stride,
        med * 1e6 / opt_batch, macs / med * 1e-9, sh->count,
        med * 1e6 / opt_batch * sh->count);
  }
  printf ("network depthwise total: %.1f us/face\n", total);
  g_free (t);
  g_array_free (shapes, TRUE);
  ddamfn_model_unref (model);
  return 0;
}
