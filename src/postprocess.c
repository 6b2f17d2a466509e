/* From embedding to DdamfnResult: the output heads (single-task fc or the
 * multitask custom_classifier), softmax, tanh, sigmoid and per-AU
 * thresholds.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ddamfn-private.h"

#include <math.h>
#include <string.h>

void
ddamfn_softmax (const float *logits, int k, float *probs)
{
  float max = logits[0];
  double sum = 0.0;

  for (int i = 1; i < k; i++)
    if (logits[i] > max)
      max = logits[i];
  for (int i = 0; i < k; i++) {
    probs[i] = expf (logits[i] - max);
    sum += probs[i];
  }
  for (int i = 0; i < k; i++)
    probs[i] = (float) (probs[i] / sum);
}

void
ddamfn_postprocess (const DdamfnModel * m, const float *emb, float *hidden,
    float *out, int n, DdamfnResult * results)
{
  for (int f = 0; f < n; f++) {
    memset (&results[f], 0, sizeof (DdamfnResult));
    results[f].expr_index = -1;
  }

  if (!m->multitask) {
    float logits[DDAMFN_MAX_EXPRESSIONS];
    ddamfn_op_dense (&m->fc, emb, out, n, ACT_NONE);
    for (int f = 0; f < n; f++) {
      for (int k = 0; k < m->n_expr; k++)
        logits[k] = out[k * n + f];
      results[f].n_expr = m->n_expr;
      ddamfn_softmax (logits, m->n_expr, results[f].expr_probs);
    }
  } else {
    ddamfn_op_dense (&m->dense, emb, hidden, n, ACT_RELU);
    if (m->has_va) {
      ddamfn_op_dense (&m->va, hidden, out, n, ACT_TANH);
      for (int f = 0; f < n; f++) {
        results[f].has_va = TRUE;
        results[f].valence = out[f];
        results[f].arousal = out[n + f];
      }
    }
    if (m->has_expr) {
      float logits[DDAMFN_MAX_EXPRESSIONS];
      ddamfn_op_dense (&m->emotions, hidden, out, n, ACT_NONE);
      for (int f = 0; f < n; f++) {
        for (int k = 0; k < m->n_expr; k++)
          logits[k] = out[k * n + f];
        results[f].n_expr = m->n_expr;
        ddamfn_softmax (logits, m->n_expr, results[f].expr_probs);
      }
    }
    if (m->has_au) {
      ddamfn_op_dense (&m->actions, hidden, out, n, ACT_SIGMOID);
      for (int f = 0; f < n; f++) {
        results[f].n_au = DDAMFN_N_AU;
        for (int k = 0; k < DDAMFN_N_AU; k++) {
          float p = out[k * n + f];
          results[f].au_probs[k] = p;
          if (p >= m->au_thresholds[k])
            results[f].au_active |= 1u << k;
        }
      }
    }
  }

  for (int f = 0; f < n; f++) {
    int best = -1;
    for (int k = 0; k < results[f].n_expr; k++)
      if (best < 0 || results[f].expr_probs[k] > results[f].expr_probs[best])
        best = k;
    results[f].expr_index = best;
  }
}

