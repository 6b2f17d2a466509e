/* Convolutions that are matrix products: 1×1 convolutions and dense layers
 * as one sgemm (ops/blas.c) over the whole batch (activations are kept
 * channel-major, [channel][face][h][w], so a batch is just more columns),
 * and other convolutions (the backbone's first 3×3 one, any kernel of a
 * graph model) as im2col + sgemm.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ops/ops.h"

#include <string.h>

void
ddamfn_op_conv1x1 (const DdamfnConv * conv, const float *x, int ldx,
    float *y, int ldy, int cols)
{
  ddamfn_blas_sgemm (conv->cout, cols, conv->cin, conv->weight, conv->cin,
      x, ldx, 0.f, y, ldy);
  ddamfn_op_bias_act (y, conv->cout, cols, ldy, conv->bias, conv->slope,
      conv->act);
}

void
ddamfn_op_conv1x1_product (const DdamfnConv * conv, const float *x, float *y,
    int cols, gboolean accumulate)
{
  ddamfn_blas_sgemm (conv->cout, cols, conv->cin, conv->weight, conv->cin,
      x, cols, accumulate ? 1.f : 0.f, y, cols);
}

void
ddamfn_op_dense (const DdamfnDense * dense, const float *x, float *y, int n,
    DdamfnAct act)
{
  ddamfn_blas_sgemm (dense->out, n, dense->in, dense->weight, dense->in, x,
      n, 0.f, y, n);
  ddamfn_op_bias_act (y, dense->out, n, n, dense->bias, NULL, act);
}

/* One row of output pixels of one tap: dst[ox] = src[ox · stride + off]
 * where that lies inside the row of W samples, else 0. The pixels that
 * read the padding are at the ends, so the middle runs without a test
 * (and, at stride 1, as one copy). */
static void
im2col_row (float *dst, const float *src, int w, int ow, int stride, int off)
{
  /* first ox with ox · stride + off >= 0, first with it >= w */
  int lo = off >= 0 ? 0 : (-off + stride - 1) / stride;
  int hi = w - off <= 0 ? 0 : (w - off + stride - 1) / stride;

  lo = MIN (lo, ow);
  hi = CLAMP (hi, lo, ow);
  for (int ox = 0; ox < lo; ox++)
    dst[ox] = 0.f;
  if (stride == 1)
    memcpy (dst + lo, src + lo + off, (gsize) (hi - lo) * sizeof (float));
  else
    for (int ox = lo; ox < hi; ox++)
      dst[ox] = src[ox * stride + off];
  for (int ox = hi; ox < ow; ox++)
    dst[ox] = 0.f;
}

/* The column matrix of a convolution: row r = (ci, ky, kx) holds, for
 * every face and output pixel, the input sample that tap multiplies (0 in
 * the padding). Input plane (f, ci) is at x + (f · fs + ci · cs) · h · w:
 * face-major NCHW (fs = cin, cs = 1) or channel-major (fs = 1, cs = n). */
static void
im2col (const DdamfnConv * conv, const float *x, gsize fs, gsize cs, int n,
    int h, int w, int oh, int ow, float *cols)
{
  const gsize plane = (gsize) oh * ow;
  const gsize ncols = plane * n;

  for (int ci = 0; ci < conv->cin; ci++)
    for (int ky = 0; ky < conv->kh; ky++)
      for (int kx = 0; kx < conv->kw; kx++) {
        float *row = cols + ((gsize) (ci * conv->kh + ky) * conv->kw + kx)
            * ncols;
        for (int f = 0; f < n; f++) {
          const float *src = x + (f * fs + ci * cs) * h * w;
          for (int oy = 0; oy < oh; oy++) {
            const int iy = oy * conv->stride + ky - conv->pad_h;
            float *dst = row + f * plane + (gsize) oy * ow;
            if (iy < 0 || iy >= h) {
              memset (dst, 0, ow * sizeof (float));
              continue;
            }
            im2col_row (dst, src + (gsize) iy * w, w, ow, conv->stride,
                kx - conv->pad_w);
          }
        }
      }
}

static void
im2col_product (const DdamfnConv * conv, gsize ncols, const float *cols,
    float *y, gboolean epilogue)
{
  const int k = conv->cin * conv->kh * conv->kw;

  ddamfn_blas_sgemm (conv->cout, (int) ncols, k, conv->weight, k, cols,
      (int) ncols, 0.f, y, (int) ncols);
  if (epilogue)
    ddamfn_op_bias_act (y, conv->cout, (int) ncols, (int) ncols, conv->bias,
        conv->slope, conv->act);
}

void
ddamfn_op_conv_im2col (const DdamfnConv * conv, const float *nchw, int n,
    int h, int w, float *cols, float *y, gboolean epilogue)
{
  const int oh = (h + 2 * conv->pad_h - conv->kh) / conv->stride + 1;
  const int ow = (w + 2 * conv->pad_w - conv->kw) / conv->stride + 1;

  im2col (conv, nchw, conv->cin, 1, n, h, w, oh, ow, cols);
  im2col_product (conv, (gsize) oh * ow * n, cols, y, epilogue);
}

void
ddamfn_op_conv_im2col_cm (const DdamfnConv * conv, const float *x, int n,
    int h, int w, int oh, int ow, float *cols, float *y, gboolean epilogue)
{
  im2col (conv, x, 1, n, n, h, w, oh, ow, cols);
  im2col_product (conv, (gsize) oh * ow * n, cols, y, epilogue);
}
