/* From the head outputs to DdamfnResult: softmax over the expression
 * logits, the valence / arousal and AU activations the plan's dense steps
 * already applied (tanh, sigmoid), and the per-AU thresholds.
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

static void
finish_face (const DdamfnHeads * hd, const float *out, int n, int f,
    DdamfnResult * r)
{
  memset (r, 0, sizeof *r);
  r->expr_index = -1;
  if (hd->has_va) {
    r->has_va = TRUE;
    r->valence = out[f];
    r->arousal = out[n + f];
  }
  if (hd->has_expr) {
    float logits[DDAMFN_MAX_EXPRESSIONS];
    for (int k = 0; k < hd->n_expr; k++)
      logits[k] = out[(gsize) (hd->expr_c0 + k) * n + f];
    r->n_expr = hd->n_expr;
    ddamfn_softmax (logits, hd->n_expr, r->expr_probs);
    r->expr_index = 0;
    for (int k = 1; k < hd->n_expr; k++)
      if (r->expr_probs[k] > r->expr_probs[r->expr_index])
        r->expr_index = k;
  }
  if (hd->has_au) {
    r->n_au = DDAMFN_N_AU;
    for (int k = 0; k < DDAMFN_N_AU; k++) {
      float p = out[(gsize) (hd->au_c0 + k) * n + f];
      r->au_probs[k] = p;
      if (p >= hd->au_thresholds[k])
        r->au_active |= 1u << k;
    }
  }
}

void
ddamfn_heads_finish (gconstpointer heads, float *const *slots, int n,
    gpointer results)
{
  const DdamfnHeads *hd = heads;
  DdamfnResult *r = results;

  for (int f = 0; f < n; f++)
    finish_face (hd, slots[hd->out_slot], n, f, &r[f]);
}
