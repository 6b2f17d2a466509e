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

/* Columns of the column matrix go in bands of whole output rows: a band
 * of about this many floats stays in the cache between im2col writing it
 * and the product reading it (the whole matrix of a 3×3 convolution on a
 * batch of 56 × 56 planes is tens of MB), and has at least BAND_MIN_COLS
 * columns to keep the product's tiles full. */
#define BAND_FLOATS (128 * 1024)
#define BAND_MIN_COLS 256

/* Columns [U0 · OW, U1 · OW) of the column matrix of a convolution, where
 * unit u is output row u mod OH of face u / OH, into COLS (rows of LD
 * floats): row r = (ci, ky, kx) holds, for each of those output pixels,
 * the input sample that tap multiplies (0 in the padding). Input plane
 * (f, ci) is at x + (f · fs + ci · cs) · h · w: face-major NCHW (fs = cin,
 * cs = 1) or channel-major (fs = 1, cs = n). */
static void
im2col_band (const DdamfnConv * conv, const float *x, gsize fs, gsize cs,
    int h, int w, int oh, int ow, int u0, int u1, float *cols, gsize ld)
{
  for (int ci = 0; ci < conv->cin; ci++)
    for (int ky = 0; ky < conv->kh; ky++)
      for (int kx = 0; kx < conv->kw; kx++) {
        float *row = cols + ((gsize) (ci * conv->kh + ky) * conv->kw + kx)
            * ld;
        for (int u = u0; u < u1; u++) {
          const int f = u / oh, oy = u % oh;
          const int iy = oy * conv->stride + ky - conv->pad_h;
          const float *src = x + (f * fs + ci * cs) * h * w;
          float *dst = row + (gsize) (u - u0) * ow;
          if (iy < 0 || iy >= h) {
            memset (dst, 0, ow * sizeof (float));
            continue;
          }
          im2col_row (dst, src + (gsize) iy * w, w, ow, conv->stride,
              kx - conv->pad_w);
        }
      }
}

/* y [cout][n · oh · ow] = W · columns, band by band, with the bias and
 * activation applied to each band while it is in the cache. */
static void
conv_bands (const DdamfnConv * conv, const float *x, gsize fs, gsize cs,
    int n, int h, int w, int oh, int ow, float *cols, float *y,
    gboolean epilogue)
{
  const int k = conv->cin * conv->kh * conv->kw;
  const gsize ncols = (gsize) n * oh * ow;
  const int units = n * oh;
  int per = MAX (BAND_FLOATS / k, BAND_MIN_COLS);

  per = CLAMP ((per + ow - 1) / ow, 1, units);
  for (int u0 = 0; u0 < units; u0 += per) {
    const int u1 = MIN (u0 + per, units);
    const gsize c0 = (gsize) u0 * ow, nb = (gsize) (u1 - u0) * ow;

    im2col_band (conv, x, fs, cs, h, w, oh, ow, u0, u1, cols, nb);
    ddamfn_blas_sgemm (conv->cout, (int) nb, k, conv->weight, k, cols,
        (int) nb, 0.f, y + c0, (int) ncols);
    if (epilogue)
      ddamfn_op_bias_act (y + c0, conv->cout, (int) nb, (int) ncols,
          conv->bias, conv->slope, conv->act);
  }
}

void
ddamfn_op_conv_im2col (const DdamfnConv * conv, const float *nchw, int n,
    int h, int w, float *cols, float *y, gboolean epilogue)
{
  const int oh = (h + 2 * conv->pad_h - conv->kh) / conv->stride + 1;
  const int ow = (w + 2 * conv->pad_w - conv->kw) / conv->stride + 1;

  conv_bands (conv, nchw, conv->cin, 1, n, h, w, oh, ow, cols, y, epilogue);
}

void
ddamfn_op_conv_im2col_cm (const DdamfnConv * conv, const float *x, int n,
    int h, int w, int oh, int ow, float *cols, float *y, gboolean epilogue)
{
  conv_bands (conv, x, 1, n, n, h, w, oh, ow, cols, y, epilogue);
}
