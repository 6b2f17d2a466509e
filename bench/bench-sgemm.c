/* bench-sgemm: how fast the engine's BLAS (and, beside it, the system's
 * OpenBLAS) runs the matrix products of a model's plan, and the "floor"
 * that rate implies for a whole forward pass.
 *
 *   bench-sgemm MODEL.safetensors [--batch 1,8] [--threads 1] [--runs 30]
 *               [--warmup 5] [--shapes] [--blas engine,openblas]
 *
 * From the model's plan (the steps libddamfn runs) the program takes
 *   - the network's FLOPs per face (2 per multiply-add): every 1x1 conv and
 *     dense layer, every depthwise conv, and the first k x k conv;
 *   - the sequence of sgemm calls a batched forward pass makes for its 1x1
 *     convs (CoordAtt's included) and dense layers: C[M x N] = W[M x K] .
 *     X[K x N] row-major with M = cout, K = cin, N = batch * H * W
 *     (activations channel-major with the batch folded into the columns).
 * It times that sequence in plan order (distinct weights per layer) and
 * reports the achieved rate = GEMM FLOPs / median GEMM time, and
 *   floor ms/face = network FLOPs / that rate,
 * i.e. the time the whole network would take if every FLOP, depthwise and
 * first conv included, ran as fast as that BLAS runs the network's own
 * 1x1 products. "engine" is ddamfn_blas_sgemm (the BLAS libddamfn links:
 * meson option blas); "openblas" is the system's libopenblas.so at
 * --threads threads per call. Elementwise work (PReLU, attention
 * products) is not counted.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ddamfn-private.h"
#include "ddamfn-tool.h"

#include "bench-stats.h"

#include <gmodule.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct
{
  int M, K, cols;               /* cols = N per face (H * W, or 1) */
} Gemm;

typedef struct
{
  GArray *gemms;                /* Gemm, in plan order */
  double flops_1x1, flops_other, flops_total;
} Net;

static void
add_gemm (Net * net, int M, int K, int cols)
{
  Gemm g = { M, K, cols };
  g_array_append_val (net->gemms, g);
  net->flops_1x1 += 2.0 * M * K * cols;
}

/* The sgemm calls of PLAN's 1x1 convs, attention gates and dense layers. */
static void
build_net (Net * net, const DdamfnPlan * plan)
{
  memset (net, 0, sizeof *net);
  net->gemms = g_array_new (FALSE, FALSE, sizeof (Gemm));
  for (guint i = 0; i < ddamfn_plan_n_steps (plan); i++) {
    const DdamfnStep *s = ddamfn_plan_step (plan, i);
    const DdamfnGate *g = s->gate;
    switch (s->kind) {
      case DDAMFN_STEP_CONV1X1:
        add_gemm (net, s->conv->cout, s->conv->cin, s->out.h * s->out.w);
        break;
      case DDAMFN_STEP_COORD_GATES:
        add_gemm (net, g->mip, g->channels, s->plane_h + s->plane_w);
        add_gemm (net, g->channels, g->mip, s->plane_h);
        add_gemm (net, g->channels, g->mip, s->plane_w);
        break;
      case DDAMFN_STEP_DENSE:
        add_gemm (net, s->dense->out, s->dense->in, 1);
        break;
      default:
        break;
    }
  }
  net->flops_total = ddamfn_plan_flops (plan);
  net->flops_other = net->flops_total - net->flops_1x1;
}

static void
fill (float *p, gsize n, guint32 * state)
{
  for (gsize i = 0; i < n; i++) {
    *state = *state * 1664525u + 1013904223u;
    p[i] = (float) (*state >> 8) / (1 << 24) * 2.f - 1.f;
  }
}

/* The system's OpenBLAS, loaded at run time (the engine may link another
 * BLAS whose cblas symbols would otherwise be the ones bound). */
typedef void (*SgemmFn) (int order, int ta, int tb, int m, int n, int k,
    float alpha, const float *a, int lda, const float *b, int ldb,
    float beta, float *c, int ldc);
static struct
{
  SgemmFn sgemm;
  void (*set_threads) (int);
  char *(*config) (void);
  char *(*corename) (void);
} openblas;

#define CBLAS_ROW_MAJOR 101
#define CBLAS_NO_TRANS 111

static gboolean
openblas_load (void)
{
  GModule *m = g_module_open ("libopenblas.so.0", G_MODULE_BIND_LOCAL);

  return m && g_module_symbol (m, "cblas_sgemm", (gpointer *) & openblas.sgemm)
      && g_module_symbol (m, "openblas_set_num_threads",
      (gpointer *) & openblas.set_threads)
      && g_module_symbol (m, "openblas_get_config",
      (gpointer *) & openblas.config)
      && g_module_symbol (m, "openblas_get_corename",
      (gpointer *) & openblas.corename);
}

/* Distinct (M, K, cols) shapes, for the per-shape report. */
typedef struct
{
  int M, K, cols, count;
  double *t;                    /* per run: summed seconds over its instances */
} Shape;

/* Times the plan's sgemm sequence on the engine's BLAS (ENGINE) or the
 * system OpenBLAS at NT threads, batch B; appends a row to SUMMARY (and
 * prints the shapes when SHAPES). */
static void
time_config (const Net * net, float **weights, gboolean engine, int nt,
    int b, int opt_runs, int opt_warmup, gboolean opt_shapes,
    GString * summary)
{
  const gsize n_layers = net->gemms->len;
  gsize max_in = 0, max_out = 0;
  float *x, *c;
  double *tot = g_new0 (double, opt_runs);
  GArray *shapes = g_array_new (FALSE, TRUE, sizeof (Shape));
  int *shape_of = g_new (int, n_layers);
  guint32 st = 4242;

  for (gsize i = 0; i < n_layers; i++) {
    Gemm *g = &g_array_index (net->gemms, Gemm, i);
    gsize in = (gsize) g->K * g->cols * b, out = (gsize) g->M * g->cols * b;
    guint s;
    max_in = MAX (max_in, in);
    max_out = MAX (max_out, out);
    for (s = 0; s < shapes->len; s++) {
      Shape *sh = &g_array_index (shapes, Shape, s);
      if (sh->M == g->M && sh->K == g->K && sh->cols == g->cols)
        break;
    }
    if (s == shapes->len) {
      Shape sh = { g->M, g->K, g->cols, 0, g_new0 (double, opt_runs) };
      g_array_append_val (shapes, sh);
    }
    g_array_index (shapes, Shape, s).count++;
    shape_of[i] = s;
  }
  x = g_new (float, max_in);
  c = g_new (float, max_out);
  fill (x, max_in, &st);
  memset (c, 0, max_out * sizeof (float));

  for (int r = 0; r < opt_warmup + opt_runs; r++) {
    for (gsize i = 0; i < n_layers; i++) {
      Gemm *g = &g_array_index (net->gemms, Gemm, i);
      int N = g->cols * b;
      double t0 = bench_now_s (), dt;
      if (engine)
        ddamfn_blas_sgemm (g->M, N, g->K, weights[i], g->K, x, N, 0.f, c, N);
      else
        openblas.sgemm (CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, CBLAS_NO_TRANS,
            g->M, N, g->K, 1.f, weights[i], g->K, x, N, 0.f, c, N);
      dt = bench_now_s () - t0;
      if (r >= opt_warmup) {
        tot[r - opt_warmup] += dt;
        g_array_index (shapes, Shape, shape_of[i]).t[r - opt_warmup] += dt;
      }
    }
  }

  double med = bench_median (tot, opt_runs);
  double rate = net->flops_1x1 * b / med;    /* FLOP/s */
  double floor_ms = net->flops_total / rate * 1e3;

  if (opt_shapes) {
    printf ("\n%s, threads %d, batch %d: per shape (median over %d "
        "passes)\n", engine ? "engine" : "openblas", nt, b, opt_runs);
    printf ("%6s %6s %8s %6s %10s %8s\n", "M", "K", "N", "calls",
        "GFLOP/s", "time %");
    for (guint s = 0; s < shapes->len; s++) {
      Shape *sh = &g_array_index (shapes, Shape, s);
      double m = bench_median (sh->t, opt_runs);
      printf ("%6d %6d %8d %6d %10.2f %7.1f%%\n", sh->M, sh->K,
          sh->cols * b, sh->count,
          2.0 * sh->M * sh->K * sh->cols * b * sh->count / m * 1e-9,
          100.0 * m / med);
    }
  }
  g_string_append_printf (summary, "%-9s %-8d %-6d %14.2f %14.3f %14.3f\n",
      engine ? "engine" : "openblas", nt, b, rate * 1e-9, med * 1e3 / b,
      floor_ms);

  for (guint s = 0; s < shapes->len; s++)
    g_free (g_array_index (shapes, Shape, s).t);
  g_array_free (shapes, TRUE);
  g_free (shape_of);
  g_free (x);
  g_free (c);
  g_free (tot);
}

int
main (int argc, char **argv)
{
  char *opt_batch = NULL, *opt_threads = NULL, *opt_blas = NULL;
  int opt_runs = 30, opt_warmup = 5;
  gboolean opt_shapes = FALSE;
  GOptionEntry entries[] = {
    {"batch", 'b', 0, G_OPTION_ARG_STRING, &opt_batch,
        "Comma list of batch sizes (default 1,8)", "LIST"},
    {"threads", 't', 0, G_OPTION_ARG_STRING, &opt_threads,
        "Comma list of thread counts for the system OpenBLAS (default 1; "
          "the engine's BLAS runs one per call)", "LIST"},
    {"blas", 0, 0, G_OPTION_ARG_STRING, &opt_blas,
        "Comma list of BLAS to time: engine (ddamfn_blas_sgemm), openblas "
          "(the system's libopenblas.so.0); default both", "LIST"},
    {"runs", 'r', 0, G_OPTION_ARG_INT, &opt_runs,
        "Timed passes (default 30)", "N"},
    {"warmup", 'w', 0, G_OPTION_ARG_INT, &opt_warmup,
        "Untimed warm-up passes (default 5)", "N"},
    {"shapes", 's', 0, G_OPTION_ARG_NONE, &opt_shapes,
        "Also print the rate of each distinct GEMM shape", NULL},
    {NULL}
  };
  GOptionContext *ctx = g_option_context_new ("MODEL.safetensors");
  GError *error = NULL;
  Net net;
  DdamfnModel *model;
  char **batches, **threads, **blas;
  gsize n_layers;
  float **weights;

  g_option_context_set_summary (ctx, "sgemm rate on a model "
      "plan's 1x1 conv / dense shapes, and the implied floor per face.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || argc != 2
      || opt_runs < 1 || opt_warmup < 0) {
    fprintf (stderr, "%s\n", error ? error->message :
        "usage: bench-sgemm MODEL [--batch 1,8] [--threads 1] [--runs N]");
    return 2;
  }
  g_option_context_free (ctx);
  model = ddamfn_model_open (argv[1], &error);
  if (model == NULL) {
    fprintf (stderr, "bench-sgemm: %s\n", error->message);
    return 1;
  }

  build_net (&net, ddamfn_model_get_plan (model));
  n_layers = net.gemms->len;

  printf ("engine: %s\n", ddamfn_backend_info ());
  if (openblas_load ())
    printf ("openblas: %s (%s kernels)\n", openblas.config (),
        openblas.corename ());
  else
    printf ("openblas: libopenblas.so.0 not found\n");
  printf ("network FLOPs/face (the model's plan): %.4f G = "
      "1x1 conv/dense %.4f G (%u sgemm calls) + depthwise and first conv "
      "%.4f G\n", net.flops_total * 1e-9, net.flops_1x1 * 1e-9,
      (unsigned) n_layers, net.flops_other * 1e-9);

  /* Distinct weights per layer, as in the real network. */
  weights = g_new (float *, n_layers);
  {
    guint32 st = 777;
    for (gsize i = 0; i < n_layers; i++) {
      Gemm *g = &g_array_index (net.gemms, Gemm, i);
      gsize n = (gsize) g->M * g->K;
      weights[i] = g_new (float, n);
      fill (weights[i], n, &st);
    }
  }

  batches = g_strsplit (opt_batch ? opt_batch : "1,8", ",", -1);
  threads = g_strsplit (opt_threads ? opt_threads : "1", ",", -1);
  blas = g_strsplit (opt_blas ? opt_blas : "engine,openblas", ",", -1);

  GString *summary = g_string_new (NULL);
  g_string_append_printf (summary, "%-9s %-8s %-6s %14s %14s %14s\n", "blas",
      "threads", "batch", "sgemm GFLOP/s", "sgemm ms/face", "floor ms/face");

  for (int li = 0; blas[li]; li++) {
    gboolean engine = strcmp (blas[li], "engine") == 0;

    if (!engine && (strcmp (blas[li], "openblas") != 0 || !openblas.sgemm)) {
      fprintf (stderr, "bench-sgemm: cannot time BLAS '%s'\n", blas[li]);
      return 2;
    }
    for (int ti = 0; threads[ti] && (ti == 0 || !engine); ti++) {
      int nt = engine ? ddamfn_blas_threads () : atoi (threads[ti]);

      if (nt < 1) {
        fprintf (stderr, "bench-sgemm: bad thread count '%s'\n",
            threads[ti]);
        return 2;
      }
      if (!engine)
        openblas.set_threads (nt);
      for (int bi = 0; batches[bi]; bi++) {
        int b = atoi (batches[bi]);

        if (b < 1) {
          fprintf (stderr, "bench-sgemm: bad batch size '%s'\n",
              batches[bi]);
          return 2;
        }
        time_config (&net, weights, engine, nt, b, opt_runs, opt_warmup,
            opt_shapes, summary);
      }
    }
  }
  printf ("\n%s", summary->str);
  g_string_free (summary, TRUE);

  for (gsize i = 0; i < n_layers; i++)
    g_free (weights[i]);
  g_free (weights);
  g_array_free (net.gemms, TRUE);
  g_strfreev (batches);
  g_strfreev (threads);
  g_strfreev (blas);
  g_free (opt_blas);
  g_free (opt_batch);
  g_free (opt_threads);
  ddamfn_model_unref (model);
  return 0;
}
