/* Moves the biases of the residual stream out of the forward pass.
 *
 * Within a stage, block k adds its project conv's output to the stream:
 * x' = x + P·d + b. Keeping, instead of x, the tensor s = x − β, where β is
 * the per-channel sum of the project biases added since the stream was
 * last rebuilt, turns that update into s' = s + P·d: a single sgemm onto
 * the stream in place, with no pass over the tensor to add b (β grows by
 * b). Whoever reads the stream gets β back through its own bias, since
 * each reader is a 1×1 conv: E·x + e = E·s + (e + E·β). A block without a
 * residual starts the stream afresh: s = P·d, β = b.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ddamfn-private.h"

#include <string.h>

/* bias[o] += Σ_i weight[o][i] · beta[i], in double */
static void
absorb (DdamfnConv * reader, const double *beta)
{
  for (int o = 0; o < reader->cout; o++) {
    const float *w = reader->weight + (gsize) o * reader->cin;
    double sum = reader->bias[o];
    for (int i = 0; i < reader->cin; i++)
      sum += (double) w[i] * beta[i];
    reader->bias[o] = (float) sum;
  }
}

void
ddamfn_model_defer_stream_biases (DdamfnModel * m)
{
  double beta[512];
  int width = 0;                /* channels of the stream; 0: β = 0 */

  for (int i = 0; i < DDAMFN_N_MIX_BLOCKS; i++) {
    DdamfnMixBlock *b = &m->blocks[i];
    DdamfnConv *p = &b->project;

    g_assert (p->cout <= (int) G_N_ELEMENTS (beta));
    if (width > 0) {
      g_assert (width == b->expand.cin);
      absorb (&b->expand, beta);
    }
    if (!b->residual) {
      width = p->cout;
      memset (beta, 0, sizeof beta);
    }
    g_assert (width == p->cout);
    for (int c = 0; c < p->cout; c++)
      beta[c] += p->bias[c];
    g_clear_pointer (&p->bias, g_free);
  }
  g_assert (width == m->conv_last.cin);
  absorb (&m->conv_last, beta);
}
