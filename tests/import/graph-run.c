/* Runs a graph model (TensorFlow.js model.json, ONNX) on raw float32
 * faces and prints every output by name, one JSON object per face:
 *
 *   graph-run MODEL [--plan] [--raw IN.f32] [--session THREADS]
 *
 * With --session the faces go through the public API instead
 * (ddamfn_session_run on THREADS workers) and the first output is printed
 * as the DdamfnResult's expression probabilities. The kernel variant in
 * use goes to stderr ("kernels: NAME").
 *
 * IN.f32 holds N faces in the layout the model's input declares (NHWC for
 * TensorFlow.js, NCHW for ONNX). Errors go to stderr with exit status 1.
 * The parity tests compare its output with the reference runtimes'.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "import/graph-model.h"
#include "ops/dispatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
fail (GError * e)
{
  fprintf (stderr, "graph-run: %s\n", e->message);
  g_error_free (e);
  return 1;
}

static void
print_face (const DdamfnGraphOutputs * o, const float *v)
{
  printf ("{\"outputs\": {");
  for (int k = 0; k < o->n_outputs; k++) {
    const gsize len = (gsize) o->tensors[k].c * o->tensors[k].h
        * o->tensors[k].w;
    printf ("%s\"%s\": [", k ? ", " : "", o->names[k]);
    for (gsize i = 0; i < len; i++)
      printf ("%s%.9g", i ? ", " : "", *v++);
    printf ("]");
  }
  printf ("}}\n");
}

/* The public path: a session's results, the first output as
 * probabilities, written where the raw outputs would be. */
static gboolean
run_session (DdamfnModel * m, const float *in, int n, int threads,
    float *out, GError ** e)
{
  const DdamfnGraphOutputs *o = ddamfn_graph_model_outputs (m);
  DdamfnSession *s = ddamfn_session_new (m, threads, e);
  DdamfnResult *r = g_new0 (DdamfnResult, n);
  gboolean ok = s && ddamfn_session_run (s, in, n, r, e);

  for (int f = 0; ok && f < n; f++) {
    memset (out + (gsize) f * o->floats, 0, o->floats * sizeof (float));
    memcpy (out + (gsize) f * o->floats, r[f].expr_probs,
        r[f].n_expr * sizeof (float));
  }
  ddamfn_session_free (s);
  g_free (r);
  return ok;
}

int
main (int argc, char **argv)
{
  const char *model_path = NULL, *raw = NULL;
  int threads = 0;
  gboolean plan = FALSE;
  GError *e = NULL;
  DdamfnModel *m;
  const DdamfnGraphOutputs *o;

  for (int i = 1; i < argc; i++) {
    if (strcmp (argv[i], "--plan") == 0)
      plan = TRUE;
    else if (strcmp (argv[i], "--raw") == 0 && i + 1 < argc)
      raw = argv[++i];
    else if (strcmp (argv[i], "--session") == 0 && i + 1 < argc)
      threads = atoi (argv[++i]);
    else
      model_path = argv[i];
  }
  if (model_path == NULL) {
    fprintf (stderr, "usage: graph-run MODEL [--plan] [--raw IN.f32]\n");
    return 2;
  }
  m = ddamfn_model_open (model_path, &e);
  if (m == NULL)
    return fail (e);
  o = ddamfn_graph_model_outputs (m);
  if (plan) {
    char *text = ddamfn_model_describe_plan (m);
    fputs (text, stdout);
    g_free (text);
  }
  if (raw && o) {
    const gsize in_floats = (gsize) o->in_c * o->in_h * o->in_w;
    char *data;
    gsize len;
    float *out;
    int n;

    if (!g_file_get_contents (raw, &data, &len, &e))
      return fail (e);
    if (len == 0 || len % (in_floats * sizeof (float))) {
      fprintf (stderr, "graph-run: %s holds %zu bytes, not a whole number "
          "of %zu-float inputs\n", raw, len, in_floats);
      return 1;
    }
    n = len / (in_floats * sizeof (float));
    out = g_new (float, o->floats * n);
    fprintf (stderr, "kernels: %s\n", ddamfn_kernels_get ()->name);
    if (threads > 0) {
      if (!run_session (m, (const float *) data, n, threads, out, &e))
        return fail (e);
    } else if (!ddamfn_graph_model_run (m, (const float *) data, n, out, &e)) {
      return fail (e);
    }
    for (int f = 0; f < n; f++)
      print_face (o, out + (gsize) f * o->floats);
    g_free (out);
    g_free (data);
  }
  ddamfn_model_unref (m);
  return 0;
}
