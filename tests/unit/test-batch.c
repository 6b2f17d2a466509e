/* Large batches run in bounded memory: a session given 256 faces runs them
 * in chunks, holds no more scratch than a chunk needs, and gives each face
 * what it gives that face alone.
 *
 *   test-batch MODEL.safetensors
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <ddamfn/ddamfn.h>

#include <math.h>
#include <string.h>

#define N_FACES 256
/* The runner's chunk (src/run.h). */
#define CHUNK 8

static const char *model_path;

static float *
faces (int n)
{
  float *x = g_new (float, (gsize) n * DDAMFN_INPUT_FLOATS);
  guint32 s = 777;

  for (gsize i = 0; i < (gsize) n * DDAMFN_INPUT_FLOATS; i++) {
    s = s * 1664525u + 1013904223u;
    x[i] = (float) (s >> 8) / (1 << 24) * 4.f - 2.f;
  }
  return x;
}

static DdamfnSession *
session (int threads)
{
  GError *error = NULL;
  DdamfnModel *m = ddamfn_model_open (model_path, &error);
  DdamfnSession *s;

  g_assert_no_error (error);
  s = ddamfn_session_new (m, threads, &error);
  g_assert_no_error (error);
  ddamfn_model_unref (m);
  return s;
}

static double
result_diff (const DdamfnResult * a, const DdamfnResult * b)
{
  double d = fabs (a->valence - b->valence) + fabs (a->arousal - b->arousal);

  g_assert_cmpint (a->n_expr, ==, b->n_expr);
  g_assert_cmpint (a->n_au, ==, b->n_au);
  g_assert_cmpint (a->has_va, ==, b->has_va);
  for (int k = 0; k < a->n_expr; k++)
    d = MAX (d, fabs (a->expr_probs[k] - b->expr_probs[k]));
  for (int k = 0; k < a->n_au; k++)
    d = MAX (d, fabs (a->au_probs[k] - b->au_probs[k]));
  return d;
}

/* 256 faces at once against each face on its own; scratch against that of
 * one chunk. */
static void
test_chunks_bounded_and_equal (gconstpointer data)
{
  const int threads = GPOINTER_TO_INT (data);
  DdamfnSession *big = session (threads), *one = session (1);
  DdamfnSession *chunk = session (threads);
  float *x = faces (N_FACES);
  DdamfnResult *all = g_new0 (DdamfnResult, N_FACES), r, *c;
  GError *error = NULL;
  double worst = 0;

  g_assert_true (ddamfn_session_run (big, x, N_FACES, all, &error));
  g_assert_no_error (error);
  c = g_new0 (DdamfnResult, CHUNK * threads);
  g_assert_true (ddamfn_session_run (chunk, x, CHUNK * threads, c, &error));
  g_test_message ("scratch: %" G_GSIZE_FORMAT " bytes after %d faces, %"
      G_GSIZE_FORMAT " after %d", ddamfn_session_get_scratch_bytes (big),
      N_FACES, ddamfn_session_get_scratch_bytes (chunk), CHUNK * threads);
  g_assert_cmpuint (ddamfn_session_get_scratch_bytes (big), ==,
      ddamfn_session_get_scratch_bytes (chunk));
  /* a chunk's scratch is tens of MiB, not the ~0.9 GB of 256 faces */
  g_assert_cmpuint (ddamfn_session_get_scratch_bytes (big), <,
      (gsize) threads * 40 * 1024 * 1024);

  for (int f = 0; f < N_FACES; f++) {
    g_assert_true (ddamfn_session_run (one,
            x + (gsize) f * DDAMFN_INPUT_FLOATS, 1, &r, &error));
    worst = MAX (worst, result_diff (&all[f], &r));
    g_assert_cmpint (all[f].expr_index, ==, r.expr_index);
    g_assert_cmpuint (all[f].au_active, ==, r.au_active);
  }
  g_test_message ("worst difference batch vs one by one: %.3g", worst);
  g_assert_cmpfloat (worst, <=, 1e-6);
  g_free (x);
  g_free (all);
  g_free (c);
  ddamfn_session_free (big);
  ddamfn_session_free (one);
  ddamfn_session_free (chunk);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (argc != 2)
    g_error ("usage: test-batch MODEL.safetensors");
  model_path = argv[1];
  g_test_add_data_func ("/session/chunks/1-thread", GINT_TO_POINTER (1),
      test_chunks_bounded_and_equal);
  g_test_add_data_func ("/session/chunks/2-threads", GINT_TO_POINTER (2),
      test_chunks_bounded_and_equal);
  return g_test_run ();
}
