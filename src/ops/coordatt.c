/* Coordinate attention: pool along each axis, compute a per-row and a
 * per-column sigmoid gate through a small bottleneck, and apply (backbone
 * CoordAtt) or max-combine (DDAM heads) the product of the two gates.
 *
 * Pooled and gate buffers are [channel][n·h + n·w]: the h values of every
 * face first, then the w values, so each of conv1, conv2 and conv3 is a
 * single sgemm for the whole batch.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ops/dispatch.h"

void
ddamfn_op_coord_pool_linear (const DdamfnConv * lin_h,
    const DdamfnConv * lin_w, const float *x, float *pooled, int c, int n,
    int h, int w)
{
  const gsize ncols = (gsize) n * (h + w);

  /* The heads' LinearBlocks span the whole plane: (1, w) and (h, 1). */
  g_assert (lin_h->kh == 1 && lin_h->kw == w);
  g_assert (lin_w->kh == h && lin_w->kw == 1);

  for (int ch = 0; ch < c; ch++) {
    const float *kh = lin_h->weight + (gsize) ch * w;
    const float *kw = lin_w->weight + (gsize) ch * h;
    float *ph = pooled + ch * ncols;
    float *pw = ph + (gsize) n * h;
    for (int f = 0; f < n; f++) {
      const float *p = x + ((gsize) ch * n + f) * h * w;
      float *col = pw + (gsize) f * w;
      for (int j = 0; j < w; j++)
        col[j] = lin_w->bias[ch];
      for (int i = 0; i < h; i++) {
        const float *row = p + (gsize) i * w;
        float s = lin_h->bias[ch];
        for (int j = 0; j < w; j++) {
          s += kh[j] * row[j];
          col[j] += kw[i] * row[j];
        }
        ph[(gsize) f * h + i] = s;
      }
    }
  }
}

void
ddamfn_op_coord_gates (const DdamfnGate * gate, const float *pooled,
    float *mid, float *gates, int n, int h, int w)
{
  const int nh = n * h, nw = n * w, ncols = nh + nw;

  ddamfn_op_conv1x1 (&gate->conv1, pooled, ncols, mid, ncols, ncols);
  ddamfn_op_conv1x1 (&gate->conv2, mid, ncols, gates, ncols, nh);
  ddamfn_op_conv1x1 (&gate->conv3, mid + nh, ncols, gates + nh, ncols, nw);
}

void
ddamfn_op_coord_apply (float *y, const float *x, const float *gates, int c,
    int n, int h, int w)
{
  const gsize ncols = (gsize) n * (h + w);
  const DdamfnKernels *k = ddamfn_kernels_get ();

  for (int ch = 0; ch < c; ch++) {
    const float *gh = gates + ch * ncols;
    const float *gw = gh + (gsize) n * h;
    for (int f = 0; f < n; f++)
      k->gate_plane (y + ((gsize) ch * n + f) * h * w,
          x + ((gsize) ch * n + f) * h * w, h, w, gh + (gsize) f * h,
          gw + (gsize) f * w);
  }
}

void
ddamfn_op_coord_max_into (float *att, const float *gates, int c, int n,
    int h, int w, gboolean first)
{
  const gsize ncols = (gsize) n * (h + w);

  for (int ch = 0; ch < c; ch++) {
    const float *gh = gates + ch * ncols;
    const float *gw = gh + (gsize) n * h;
    for (int f = 0; f < n; f++) {
      float *p = att + ((gsize) ch * n + f) * h * w;
      const float *gwf = gw + (gsize) f * w;
      for (int i = 0; i < h; i++) {
        const float a = gh[(gsize) f * h + i];
        float *row = p + (gsize) i * w;
        for (int j = 0; j < w; j++) {
          const float v = a * gwf[j];
          row[j] = (first || v > row[j]) ? v : row[j];
        }
      }
    }
  }
}
