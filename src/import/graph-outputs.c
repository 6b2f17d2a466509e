/* Reading a graph plan's outputs when a batch is done: every output of a
 * face in graph order (ddamfn-infer --print-outputs), and the DdamfnResult
 * of the first output as expression scores (the plan's finisher).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "import/graph.h"

#include <string.h>

void
ddamfn_graph_outputs_copy (const DdamfnGraphOutputs * o, float *const *slots,
    int n, int f, float *dst)
{
  for (int k = 0; k < o->n_outputs; k++) {
    const DdamfnTensor *t = &o->tensors[k];
    const gsize plane = (gsize) t->h * t->w;
    const float *base = slots[t->slot] + (gsize) t->c0 * n * plane;
    for (int c = 0; c < t->c; c++)
      for (gsize p = 0; p < plane; p++)
        *dst++ = base[((gsize) c * n + f) * plane + p];
  }
}

/* DdamfnResult per face: the first output as expression scores
 * (probabilities when the graph ends in a softmax, else softmaxed here),
 * at most DDAMFN_MAX_EXPRESSIONS of them. */
void
ddamfn_graph_finish (gconstpointer data, float *const *slots, int n,
    gpointer results)
{
  const DdamfnGraphOutputs *o = data;
  const DdamfnTensor *t = &o->tensors[0];
  const int k = MIN (t->c * t->h * t->w, DDAMFN_MAX_EXPRESSIONS);
  DdamfnResult *r = results;

  const gsize plane = (gsize) t->h * t->w;
  const float *base = slots[t->slot] + (gsize) t->c0 * n * plane;

  for (int f = 0; f < n; f++) {
    float v[DDAMFN_MAX_EXPRESSIONS];
    memset (&r[f], 0, sizeof r[f]);
    for (int i = 0; i < k; i++)
      v[i] = base[((gsize) (i / plane) * n + f) * plane + i % plane];
    r[f].n_expr = k;
    if (o->softmaxed[0])
      memcpy (r[f].expr_probs, v, k * sizeof (float));
    else
      ddamfn_softmax (v, k, r[f].expr_probs);
    r[f].expr_index = 0;
    for (int c = 1; c < k; c++)
      if (r[f].expr_probs[c] > r[f].expr_probs[r[f].expr_index])
        r[f].expr_index = c;
  }
}
