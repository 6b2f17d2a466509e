/* bench-depthwise: the depthwise convolutions of the DDAMFN network, one
 * shape at a time, as the forward pass runs them (the MDConv pieces with
 * the expand conv's bias and PReLU applied on the way in and CoordAtt
 * pooling on the way out; features.1 with PReLU in and out; the heads'
 * global 7×7 conv of attention × features), over a batch. Prints, per shape, the median µs per face of
 * one call, its multiply-add rate, how often the network runs it, and the
 * network's total depthwise time per face: where the non-sgemm time goes.
 *
 *   bench-depthwise [--batch 8] [--runs 30]
 *
 * DDAMFN_CPU=generic|avx2|avx512 picks the kernel variant, as everywhere.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ddamfn-private.h"
#include "ops/dispatch.h"

#include "bench-stats.h"

#include <stdio.h>
#include <time.h>

typedef struct
{
  const char *what;
  int channels, h, k, stride, pad, count;
  gboolean fused;               /* MDConv: PReLU in, pooling out */
  gboolean prelu;               /* features.1: PReLU in and out */
} Shape;

/* shared/docs/ddamfn-network.md: MDConv splits per stage */
static const Shape shapes[] = {
  {"features.1", 64, 56, 3, 1, 1, 1, FALSE, TRUE},
  {"56->28 s2", 64, 56, 3, 2, 1, 1, TRUE, FALSE},
  {"56->28 s2", 32, 56, 5, 2, 2, 1, TRUE, FALSE},
  {"56->28 s2", 32, 56, 7, 2, 3, 1, TRUE, FALSE},
  {"28", 96, 28, 3, 1, 1, 9, TRUE, FALSE},
  {"28", 32, 28, 5, 1, 2, 9, TRUE, FALSE},
  {"28->14 s2", 128, 28, 3, 2, 1, 1, TRUE, FALSE},
  {"28->14 s2", 64, 28, 5, 2, 2, 1, TRUE, FALSE},
  {"28->14 s2", 64, 28, 7, 2, 3, 1, TRUE, FALSE},
  {"14", 192, 14, 3, 1, 1, 16, TRUE, FALSE},
  {"14", 64, 14, 5, 1, 2, 16, TRUE, FALSE},
  {"14->7 s2", 256, 14, 3, 2, 1, 1, TRUE, FALSE},
  {"14->7 s2", 256, 14, 5, 2, 2, 1, TRUE, FALSE},
  {"14->7 s2", 256, 14, 7, 2, 3, 1, TRUE, FALSE},
  {"14->7 s2", 256, 14, 9, 2, 4, 1, TRUE, FALSE},
  {"7", 172, 7, 3, 1, 1, 6, TRUE, FALSE},
  {"7", 170, 7, 5, 1, 2, 6, TRUE, FALSE},
  {"7", 170, 7, 7, 1, 3, 6, TRUE, FALSE},
  {"global 7x7", 512, 7, 7, 1, 0, 1, FALSE, FALSE},
};

static double
now_s (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static float *
filled (gsize n, guint32 seed)
{
  float *v = g_new (float, n + DDAMFN_ROW_SLACK);
  for (gsize i = 0; i < n + DDAMFN_ROW_SLACK; i++) {
    seed = seed * 1664525u + 1013904223u;
    v[i] = (float) (seed >> 8) / (1 << 24) * 2.f - 1.f;
  }
  return v;
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
  GOptionContext *ctx = g_option_context_new ("");
  GError *error = NULL;
  double total = 0, *t;

  g_option_context_set_summary (ctx, "Time the network's depthwise "
      "convolutions, shape by shape.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || argc != 1
      || opt_batch < 1 || opt_batch > 64 || opt_runs < 1) {
    fprintf (stderr, "%s\n", error ? error->message :
        "usage: bench-depthwise [--batch 1..64] [--runs N]");
    return 2;
  }
  g_option_context_free (ctx);
  t = g_new (double, opt_runs);

  printf ("kernels: %s, batch %d, median of %d calls\n",
      ddamfn_kernels->name, opt_batch, opt_runs);
  printf ("%-11s %4s %3s %2s %2s %10s %8s %6s %12s\n", "layer", "ch", "h",
      "k", "s", "us/face", "GMAC/s", "count", "us/face all");
  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++) {
    const Shape *sh = &shapes[i];
    const int n = opt_batch, c = sh->channels, h = sh->h;
    const int oh = (h + 2 * sh->pad - sh->k) / sh->stride + 1;
    const gsize in = (gsize) c * n * h * h, out = (gsize) c * n * oh * oh;
    float *x = filled (in, 1 + i), *y = filled (out, 2);
    float *pooled = filled ((gsize) c * n * 2 * oh, 3);
    float *w = filled ((gsize) c * sh->k * sh->k, 4);
    float *b = filled (c, 5), *slope = filled (c, 6);
    DdamfnConv cv = {.cin = c,.cout = c,.kh = sh->k,.kw = sh->k,
      .stride = sh->stride,.pad_h = sh->pad,.pad_w = sh->pad,.groups = c,
      .act = sh->prelu ? ACT_PRELU : ACT_NONE,.weight = w,.bias = b,
      .slope = sh->prelu ? slope : NULL
    };
    const DdamfnEpilogue prelu_in = { b, slope, ACT_PRELU };
    const gboolean with_in = sh->fused || sh->prelu;
    double med, macs = (double) out * sh->k * sh->k;

    for (int r = -3; r < opt_runs; r++) {
      double t0 = now_s ();
      if (sh->pad == 0 && oh == 1)        /* the heads' global conv */
        ddamfn_op_global_depthwise (&cv, x, x, y, c, n);
      else
        ddamfn_op_depthwise (&cv, x, y, c, n, h, h, oh, oh, !sh->fused,
            with_in ? &prelu_in : NULL, sh->fused ? pooled : NULL);
      if (r >= 0)
        t[r] = now_s () - t0;
    }
    med = bench_median (t, opt_runs);
    total += med * 1e6 / n * sh->count;
    printf ("%-11s %4d %3d %2d %2d %10.1f %8.2f %6d %12.1f\n", sh->what, c,
        h, sh->k, sh->stride, med * 1e6 / n, macs / med * 1e-9, sh->count,
        med * 1e6 / n * sh->count);
    g_free (x);
    g_free (y);
    g_free (pooled);
    g_free (w);
    g_free (b);
    g_free (slope);
  }
  printf ("network depthwise total: %.1f us/face\n", total);
  g_free (t);
  return 0;
}
