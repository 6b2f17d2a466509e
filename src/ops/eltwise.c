/* Elementwise steps of graph models: a binary operation with broadcasting
 * (residual adds, squeeze-excitation products, swish, constants), an
 * optional clamp (Clip, HardSigmoid) and an activation, in one pass over
 * each channel; and the softmax over channels that ends a classifier.
 * The row loops are the dispatched ones (ops/kernels-impl.h).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ops/ops.h"
#include "ops/dispatch.h"

#include <math.h>

/* One run of COUNT floats of channel CH: y = act (clamp (a OP b)). */
static void
eltwise_run (const DdamfnKernels * k, const DdamfnEltwise * e, float *y,
    const float *a, const float *b, float bs, int ch, int count)
{
  if (e->op == BIN_AFFINE) {
    k->binary_row (y, a, NULL, 0.f, count, BIN_NONE);
    k->clamp_row (y, count, e->scale[ch], e->shift[ch], e->clamp, e->alpha,
        e->beta, e->lo, e->hi);
  } else {
    k->binary_row (y, a, b, bs, count, e->op);
    if (e->clamp)
      k->clamp_row (y, count, 1.f, 0.f, TRUE, e->alpha, e->beta, e->lo,
          e->hi);
  }
  k->act_inplace (y, count, 0.f, e->slope ? e->slope[ch] : 0.f, e->act);
}

/* y = a OP b over one plane of BCAST_PLANES (h × w; each row of a and of
 * b is either w floats or one value), with the loop over a row free of
 * branches so that the compiler vectorises it. */
#define PLANE_LOOP(expr) do {                                               \
    for (int i = 0; i < h; i++) {                                           \
      const float *ar = a + (gsize) (e->ah > 1 ? i : 0) * e->aw;            \
      const float *br = b + (gsize) (e->bh > 1 ? i : 0) * e->bw;            \
      float *yr = y + (gsize) i * w;                                        \
      if (e->aw == w && e->bw == w)                                         \
        for (int j = 0; j < w; j++) { float u = ar[j], v = br[j]; yr[j] = (expr); } \
      else if (e->aw == w)                                                  \
        for (int j = 0; j < w; j++) { float u = ar[j], v = br[0]; yr[j] = (expr); } \
      else if (e->bw == w)                                                  \
        for (int j = 0; j < w; j++) { float u = ar[0], v = br[j]; yr[j] = (expr); } \
      else                                                                  \
        for (int j = 0; j < w; j++) { float u = ar[0], v = br[0]; yr[j] = (expr); } \
    }                                                                       \
  } while (0)

static void
planes_binary (const DdamfnEltwise * e, float *y, const float *a,
    const float *b, int h, int w)
{
  switch (e->op) {
    case BIN_ADD:
      PLANE_LOOP (u + v);
      break;
    case BIN_SUB:
      PLANE_LOOP (u - v);
      break;
    case BIN_MUL:
      PLANE_LOOP (u * v);
      break;
    case BIN_DIV:
      PLANE_LOOP (u / v);
      break;
    case BIN_RSUB:
      PLANE_LOOP (v - u);
      break;
    case BIN_RDIV:
      PLANE_LOOP (v / u);
      break;
    case BIN_MAX:
      PLANE_LOOP (u != u || u >= v ? u : v);    /* as binary_row */
      break;
    case BIN_MIN:
      PLANE_LOOP (u != u || u <= v ? u : v);
      break;
    case BIN_NONE:
    case BIN_AFFINE:
      g_assert_not_reached ();  /* the plan refuses them (plan.c) */
      break;
  }
}

#undef PLANE_LOOP

/* One plane of BCAST_PLANES: the operation, then clamp and activation
 * over the whole plane. */
static void
eltwise_planes (const DdamfnKernels * k, const DdamfnEltwise * e, float *y,
    const float *a, const float *b, int ch)
{
  const int h = MAX (e->ah, e->bh), w = MAX (e->aw, e->bw);

  planes_binary (e, y, a, b, h, w);
  if (e->clamp)
    k->clamp_row (y, h * w, 1.f, 0.f, TRUE, e->alpha, e->beta, e->lo, e->hi);
  k->act_inplace (y, h * w, 0.f, e->slope ? e->slope[ch] : 0.f, e->act);
}

void
ddamfn_op_eltwise (const DdamfnEltwise * e, float *y, const float *a,
    const float *b, int c, int n, gsize plane)
{
  const DdamfnKernels *k = ddamfn_kernels_get ();
  const gsize np = (gsize) n * plane;

  g_assert (np <= G_MAXINT);
  for (int ch = 0; ch < c; ch++) {
    float *yc = y + ch * np;
    const float *ac = a + ch * np;

    switch (e->bcast) {
      case BCAST_FULL:
        eltwise_run (k, e, yc, ac, b ? b + ch * np : NULL, 0.f, ch, (int) np);
        break;
      case BCAST_CHANNEL_FACE:
        /* one value per face: the run is one plane */
        for (int f = 0; f < n; f++)
          eltwise_run (k, e, yc + f * plane, ac + f * plane, NULL,
              b[(gsize) ch * n + f], ch, (int) plane);
        break;
      case BCAST_CHANNEL:
        eltwise_run (k, e, yc, ac, NULL, e->b_const[ch], ch, (int) np);
        break;
      case BCAST_SCALAR:
        eltwise_run (k, e, yc, ac, NULL, e->b_const ? e->b_const[0] : 0.f,
            ch, (int) np);
        break;
      case BCAST_PLANES:
        for (int f = 0; f < n; f++)
          eltwise_planes (k, e, yc + f * plane, a + ((gsize) ch * n + f)
              * e->ah * e->aw, b + ((gsize) ch * n + f) * e->bh * e->bw, ch);
        break;
    }
  }
}

void
ddamfn_op_softmax_channels (float *y, const float *x, int c, int n)
{
  for (int f = 0; f < n; f++) {
    float mx = -INFINITY;
    double sum = 0;

    for (int ch = 0; ch < c; ch++)
      mx = MAX (mx, x[(gsize) ch * n + f]);
    for (int ch = 0; ch < c; ch++) {
      float e = expf (x[(gsize) ch * n + f] - mx);
      y[(gsize) ch * n + f] = e;
      sum += e;
    }
    for (int ch = 0; ch < c; ch++)
      y[(gsize) ch * n + f] = (float) (y[(gsize) ch * n + f] / sum);
  }
}
