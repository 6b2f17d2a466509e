/* Elementwise joins and pooling of whole tensors: a residual add with an
 * activation (the shortcut may have fewer channels, the rest read as 0),
 * 2 × 2 max pooling, and the general max / average pooling of graph
 * models (any window, stride and padding; global average pooling is the
 * window that covers the plane).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ops/ops.h"
#include "ops/dispatch.h"


void
ddamfn_op_add (float *y, const float *a, const float *b, int c, int cb,
    gsize n_plane, DdamfnAct act)
{
  const DdamfnKernels *k = ddamfn_kernels_get ();

  g_assert (cb <= c);
  for (int ch = 0; ch < c; ch++) {
    float *yc = y + (gsize) ch * n_plane;
    const float *ac = a + (gsize) ch * n_plane;
    if (ch < cb) {
      const float *bc = b + (gsize) ch * n_plane;
      for (gsize i = 0; i < n_plane; i++)
        yc[i] = ac[i] + bc[i];
      k->act_inplace (yc, (int) n_plane, 0.f, 0.f, act);
    } else if (yc == ac) {
      k->act_inplace (yc, (int) n_plane, 0.f, 0.f, act);
    } else {
      k->act_copy (yc, ac, (int) n_plane, 0.f, 0.f, act);
    }
  }
}

/* The larger of A and B: a compare and select, which the compiler turns
 * into vector max instructions (fmaxf is a library call per element). Of
 * a NaN and a number it returns the number when the NaN is A. */
static inline float
max2 (float a, float b)
{
  return a > b ? a : b;
}

void
ddamfn_op_maxpool2 (float *y, const float *x, int planes, int h, int w)
{
  const int oh = (h + 1) / 2, ow = (w + 1) / 2;
  /* output rows and columns whose 2 × 2 window is inside the plane */
  const int fh = h / 2, fw = w / 2;

  for (int p = 0; p < planes; p++) {
    const float *src = x + (gsize) p * h * w;
    float *dst = y + (gsize) p * oh * ow;
    for (int oy = 0; oy < oh; oy++) {
      const float *r0 = src + (gsize) (2 * oy) * w;
      const float *r1 = oy < fh ? r0 + w : r0;  /* odd height: the row alone */
      float *d = dst + (gsize) oy * ow;
      for (int ox = 0; ox < fw; ox++)
        d[ox] = max2 (max2 (r0[2 * ox], r0[2 * ox + 1]),
            max2 (r1[2 * ox], r1[2 * ox + 1]));
      if (fw < ow)              /* odd width: the last column alone */
        d[fw] = max2 (r0[2 * fw], r1[2 * fw]);
    }
  }
}

/* One output of a pooling window: rows [y0, y1) × columns [x0, x1) of the
 * plane, already clipped to it. */
static inline float
pool_window (const float *src, int w, int y0, int y1, int x0, int x1,
    gboolean is_max)
{
  if (y0 >= y1 || x0 >= x1)
    return 0.f;
  if (is_max) {
    float m = src[(gsize) y0 * w + x0];
    for (int iy = y0; iy < y1; iy++)
      for (int ix = x0; ix < x1; ix++)
        m = max2 (m, src[(gsize) iy * w + ix]);
    return m;
  } else {
    float s = 0.f;
    for (int iy = y0; iy < y1; iy++)
      for (int ix = x0; ix < x1; ix++)
        s += src[(gsize) iy * w + ix];
    return s / (float) ((y1 - y0) * (x1 - x0));
  }
}

/* The average of every column of each plane (a window of one whole
 * column: a mean over H), summed row after row so that the loop runs along
 * the rows' contiguous floats; the same sums, in the same order, as
 * pool_window's. */
static void
column_means (float *y, const float *x, int planes, int h, int w)
{
  for (int pl = 0; pl < planes; pl++) {
    const float *src = x + (gsize) pl * h * w;
    float *dst = y + (gsize) pl * w;

    for (int j = 0; j < w; j++)
      dst[j] = 0.f;
    for (int i = 0; i < h; i++)
      for (int j = 0; j < w; j++)
        dst[j] += src[(gsize) i * w + j];
    for (int j = 0; j < w; j++)
      dst[j] /= (float) h;
  }
}

/* The average of every row of the PLANES · H rows (a mean over W): four
 * rows at a time, each summed left to right as pool_window does, so that
 * four independent sums are in flight instead of one. */
static void
row_means (float *y, const float *x, gsize rows, int w)
{
  gsize r = 0;

  for (; r + 4 <= rows; r += 4) {
    const float *a = x + r * w;
    float s0 = 0.f, s1 = 0.f, s2 = 0.f, s3 = 0.f;

    for (int j = 0; j < w; j++) {
      s0 += a[j];
      s1 += a[w + j];
      s2 += a[2 * w + j];
      s3 += a[3 * w + j];
    }
    y[r] = s0 / (float) w;
    y[r + 1] = s1 / (float) w;
    y[r + 2] = s2 / (float) w;
    y[r + 3] = s3 / (float) w;
  }
  for (; r < rows; r++) {
    float s = 0.f;

    for (int j = 0; j < w; j++)
      s += x[r * w + j];
    y[r] = s / (float) w;
  }
}

/* Max pooling of windows of at most this many columns in two passes
 * (below); wider ones window by window. */
#define SEPARABLE_MAX_W 4096

/* One output row of max pooling in two passes: the maximum down the
 * window's rows Y0 … Y1 − 1 for every column into COLMAX, then across each
 * window's columns (max is associative and exact: pool_window's values). */
static void
max_row_separable (const DdamfnPool * p, float *dst, const float *src, int w,
    int y0, int y1, int ow, float *colmax)
{
  for (int j = 0; j < w; j++)
    colmax[j] = src[(gsize) y0 * w + j];
  for (int iy = y0 + 1; iy < y1; iy++)
    for (int j = 0; j < w; j++)
      colmax[j] = max2 (colmax[j], src[(gsize) iy * w + j]);
  for (int ox = 0; ox < ow; ox++) {
    const int xs = ox * p->sw - p->pad_l;
    const int x0 = MAX (xs, 0), x1 = MIN (xs + p->kw, w);
    float m = x0 < x1 ? colmax[x0] : 0.f;

    for (int ix = x0 + 1; ix < x1; ix++)
      m = max2 (m, colmax[ix]);
    dst[ox] = m;
  }
}

void
ddamfn_op_pool (const DdamfnPool * p, float *y, const float *x, int planes,
    int h, int w, int oh, int ow)
{
  /* taller max windows in two passes (wider planes window by window) */
  const gboolean separable = p->max && w <= SEPARABLE_MAX_W && p->kh > 1;
  float colmax[SEPARABLE_MAX_W];

  if (!p->max && p->kh == 1 && p->kw == w && p->sh == 1 && oh == h
      && ow == 1 && p->pad_t == 0 && p->pad_l == 0) {
    row_means (y, x, (gsize) planes * h, w);
    return;
  }
  if (!p->max && p->kh == h && p->kw == 1 && p->sw == 1 && oh == 1
      && ow == w && p->pad_t == 0 && p->pad_l == 0) {
    column_means (y, x, planes, h, w);
    return;
  }
  for (int pl = 0; pl < planes; pl++) {
    const float *src = x + (gsize) pl * h * w;
    float *dst = y + (gsize) pl * oh * ow;

    for (int oy = 0; oy < oh; oy++) {
      const int ys = oy * p->sh - p->pad_t;
      const int y0 = MAX (ys, 0), y1 = MIN (ys + p->kh, h);

      if (separable && y0 < y1) {
        max_row_separable (p, dst + (gsize) oy * ow, src, w, y0, y1, ow,
            colmax);
        continue;
      }
      for (int ox = 0; ox < ow; ox++) {
        const int xs = ox * p->sw - p->pad_l;
        dst[(gsize) oy * ow + ox] = pool_window (src, w, y0, y1, MAX (xs, 0),
            MIN (xs + p->kw, w), p->max);
      }
    }
  }
}
