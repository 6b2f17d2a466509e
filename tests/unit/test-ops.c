/* Kernel tests: each kernel of src/ops against a direct, obviously-correct
 * loop over the definition, on random data with awkward sizes.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ddamfn-private.h"
#include "ops/dispatch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static float *
random_floats (GRand * r, gsize n, double lo, double hi)
{
  float *v = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    v[i] = (float) g_rand_double_range (r, lo, hi);
  return v;
}

/* Activation buffers carry DDAMFN_ROW_SLACK floats past their end. */
static float *
random_floats_slack (GRand * r, gsize n, double lo, double hi)
{
  float *v = g_new (float, n + DDAMFN_ROW_SLACK);
  for (gsize i = 0; i < n + DDAMFN_ROW_SLACK; i++)
    v[i] = (float) g_rand_double_range (r, lo, hi);
  return v;
}

static void
assert_close (const float *a, const float *b, gsize n, float tol)
{
  for (gsize i = 0; i < n; i++)
    if (fabsf (a[i] - b[i]) > tol * (1.f + fabsf (b[i])))
      g_error ("element %" G_GSIZE_FORMAT ": %.9g != %.9g", i, a[i], b[i]);
}

/* ddamfn_op_depthwise with a scratch plane of the size it asks for. */
static void
depthwise (const DdamfnConv * cv, const float *x, float *y, int c, int n,
    int h, int w, int oh, int ow, gboolean bias, const DdamfnEpilogue * in,
    float *pooled)
{
  void *scratch = NULL;
  gsize floats = ddamfn_op_depthwise_scratch (cv, h, w, oh, ow);

  g_assert_cmpint (posix_memalign (&scratch, 64, floats * sizeof (float)),
      ==, 0);
  ddamfn_op_depthwise (cv, x, y, c, n, h, w, oh, ow, bias, in, pooled,
      scratch);
  free (scratch);
}

static float
prelu_ref (float v, float a)
{
  return v > 0 ? v : a * v;
}

/* CoordAtt mean pooling by the definition: pooled[c][n·h + n·w]. */
static void
pool_mean_ref (const float *x, float *pooled, int c, int n, int h, int w)
{
  const gsize ncols = (gsize) n * (h + w);
  const float inv_w = 1.f / w, inv_h = 1.f / h;

  for (int ch = 0; ch < c; ch++) {
    float *ph = pooled + ch * ncols;
    float *pw = ph + (gsize) n * h;
    for (int f = 0; f < n; f++) {
      const float *p = x + ((gsize) ch * n + f) * h * w;
      float *col = pw + (gsize) f * w;
      for (int j = 0; j < w; j++)
        col[j] = 0.f;
      for (int i = 0; i < h; i++) {
        const float *row = p + (gsize) i * w;
        float s = 0.f;
        for (int j = 0; j < w; j++) {
          s += row[j];
          col[j] += row[j];
        }
        ph[(gsize) f * h + i] = s * inv_w;
      }
      for (int j = 0; j < w; j++)
        col[j] *= inv_h;
    }
  }
}

/* Depthwise conv over [c][n][h][w] by the definition. */
static void
depthwise_ref (const DdamfnConv * cv, const float *x, float *y, int c, int n,
    int h, int w, int oh, int ow)
{
  for (int ch = 0; ch < c; ch++)
    for (int f = 0; f < n; f++)
      for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++) {
          double s = cv->bias ? cv->bias[ch] : 0;
          for (int ky = 0; ky < cv->kh; ky++)
            for (int kx = 0; kx < cv->kw; kx++) {
              int iy = oy * cv->stride + ky - cv->pad_h;
              int ix = ox * cv->stride + kx - cv->pad_w;
              if (iy >= 0 && iy < h && ix >= 0 && ix < w)
                s += cv->weight[(ch * cv->kh + ky) * cv->kw + kx] *
                    x[(((gsize) ch * n + f) * h + iy) * w + ix];
            }
          float v = (float) s;
          if (cv->act == ACT_PRELU)
            v = prelu_ref (v, cv->slope[ch]);
          y[(((gsize) ch * n + f) * oh + oy) * ow + ox] = v;
        }
}

static void
check_depthwise (int k_h, int k_w, int stride, int pad_h, int pad_w, int h,
    int w, gboolean prelu)
{
  GRand *r = g_rand_new_with_seed (k_h * 100 + k_w * 10 + stride + h);
  const int c = 5, n = 3;
  int oh = (h + 2 * pad_h - k_h) / stride + 1;
  int ow = (w + 2 * pad_w - k_w) / stride + 1;
  DdamfnConv cv = {.cin = c,.cout = c,.kh = k_h,.kw = k_w,.stride =
        stride,.pad_h = pad_h,.pad_w = pad_w,.groups = c,.act =
        prelu ? ACT_PRELU : ACT_NONE
  };
  float *x = random_floats_slack (r, (gsize) c * n * h * w, -2, 2);
  float *y = g_new (float, (gsize) c * n * oh * ow + DDAMFN_ROW_SLACK);
  float *ref = g_new (float, (gsize) c * n * oh * ow);

  cv.weight = random_floats (r, (gsize) c * k_h * k_w, -1, 1);
  cv.bias = random_floats (r, c, -1, 1);
  cv.slope = prelu ? random_floats (r, c, 0, 0.5) : NULL;

  depthwise (&cv, x, y, c, n, h, w, oh, ow, TRUE, NULL, NULL);
  depthwise_ref (&cv, x, ref, c, n, h, w, oh, ow);
  assert_close (y, ref, (gsize) c * n * oh * ow, 1e-5f);

  /* The fused form MDConv uses: the producer's bias and PReLU applied to
   * raw X on the way in, CoordAtt mean pooling of the output. */
  if (!prelu) {
    const gsize pcols = (gsize) n * (oh + ow);
    float *in_bias = random_floats (r, c, -1, 1);
    float *in_slope = random_floats (r, c, 0, 0.5);
    const DdamfnEpilogue in = { in_bias, in_slope, ACT_PRELU };
    float *xa = g_new (float, (gsize) c * n * h * w);
    float *pooled = g_new (float, c * pcols + DDAMFN_ROW_SLACK);
    float *pref = g_new (float, c * pcols);

    for (int ch = 0; ch < c; ch++)
      for (gsize i = 0; i < (gsize) n * h * w; i++)
        xa[ch * n * h * w + i] =
            prelu_ref (x[ch * n * h * w + i] + in_bias[ch], in_slope[ch]);
    depthwise (&cv, x, y, c, n, h, w, oh, ow, TRUE, &in, pooled);
    depthwise_ref (&cv, xa, ref, c, n, h, w, oh, ow);
    assert_close (y, ref, (gsize) c * n * oh * ow, 1e-5f);
    pool_mean_ref (ref, pref, c, n, oh, ow);
    assert_close (pooled, pref, c * pcols, 1e-5f);
    g_free (in_bias);
    g_free (in_slope);
    g_free (xa);
    g_free (pooled);
    g_free (pref);
  }

  g_free (cv.weight);
  g_free (cv.bias);
  g_free (cv.slope);
  g_free (x);
  g_free (y);
  g_free (ref);
  g_rand_free (r);
}

/* Every row shape of the kernels (8 lanes, 16, 2 × 16, 4 × 16), with the
 * network's plane sizes and odd ones. */
static void
test_depthwise_square_kernels_stride1 (void)
{
  static const int sizes[][2] = { {7, 7}, {14, 13}, {14, 14}, {28, 28},
  {5, 30}, {56, 56}, {3, 1}
  };
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    for (int k = 3; k <= 9; k += 2)
      if (k / 2 * 2 + sizes[i][1] >= k)
        check_depthwise (k, k, 1, k / 2, k / 2, sizes[i][0], sizes[i][1],
            FALSE);
}

static void
test_depthwise_square_kernels_stride2 (void)
{
  static const int sizes[][2] = { {14, 14}, {28, 28}, {56, 56}, {15, 9},
  {9, 33}
  };
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    for (int k = 3; k <= 9; k += 2)
      check_depthwise (k, k, 2, k / 2, k / 2, sizes[i][0], sizes[i][1],
          FALSE);
}

/* TFLite's "same" padding of a stride-2 conv on an even plane: the total
 * padding (ow - 1)·2 + k - w is odd, the extra row and column come after
 * the input (pad_h / pad_w are the leading ones). */
static void
test_depthwise_same_padding_stride2 (void)
{
  GRand *r = g_rand_new_with_seed (2024);
  const int c = 3, n = 2;

  for (int h = 8; h <= 64; h *= 2)
    for (int k = 3; k <= 5; k += 2) {
      const int oh = h / 2, total = (oh - 1) * 2 + k - h;
      DdamfnConv cv = {.cin = c,.cout = c,.kh = k,.kw = k,.stride = 2,
        .pad_h = total / 2,.pad_w = total / 2,.groups = c,.act = ACT_RELU
      };
      float *x = random_floats_slack (r, (gsize) c * n * h * h, -2, 2);
      float *y = g_new (float, (gsize) c * n * oh * oh + DDAMFN_ROW_SLACK);
      float *ref = g_new (float, (gsize) c * n * oh * oh);

      cv.weight = random_floats (r, (gsize) c * k * k, -1, 1);
      cv.bias = random_floats (r, c, -1, 1);
      depthwise (&cv, x, y, c, n, h, h, oh, oh, TRUE, NULL, NULL);
      depthwise_ref (&cv, x, ref, c, n, h, h, oh, oh);
      for (gsize i = 0; i < (gsize) c * n * oh * oh; i++)
        ref[i] = ref[i] > 0 ? ref[i] : 0;
      assert_close (y, ref, (gsize) c * n * oh * oh, 1e-5f);
      g_free (x);
      g_free (y);
      g_free (ref);
      g_free (cv.weight);
      g_free (cv.bias);
    }
  g_rand_free (r);
}

/* y = act (a + b) with the shortcut b zero-padded to a's channels, in
 * place and not. */
static void
test_add_padded_shortcut (void)
{
  GRand *r = g_rand_new_with_seed (5);
  const int c = 6, cb = 4;
  const gsize np = 2 * 3 * 5;           /* 2 faces of 3 × 5 */
  float *a = random_floats (r, c * np, -2, 2);
  float *b = random_floats (r, cb * np, -2, 2);
  float *y = g_new (float, c * np), *want = g_new (float, c * np);

  for (gsize i = 0; i < c * np; i++) {
    float v = a[i] + (i < cb * np ? b[i] : 0.f);
    want[i] = v > 0 ? v : 0;
  }
  ddamfn_op_add (y, a, b, c, cb, np, ACT_RELU);
  assert_close (y, want, c * np, 1e-6f);
  ddamfn_op_add (a, a, b, c, cb, np, ACT_RELU);
  assert_close (a, want, c * np, 1e-6f);
  g_free (a);
  g_free (b);
  g_free (y);
  g_free (want);
  g_rand_free (r);
}

/* 2 × 2 max pooling, stride 2, an odd edge pooling what it has. */
static void
test_maxpool2 (void)
{
  const float x[2 * 3 * 3] = {
    1, 5, 2,
    4, 3, -1,
    -7, 0, 6,
    -1, -2, -3,
    -4, -5, -6,
    -7, -8, -9,
  };
  const float want[2 * 2 * 2] = { 5, 2, 0, 6, -1, -3, -7, -9 };
  float y[8];

  ddamfn_op_maxpool2 (y, x, 2, 3, 3);
  assert_close (y, want, 8, 0);
}

static void
test_depthwise_prelu_block (void)
{
  check_depthwise (3, 3, 1, 1, 1, 56, 56, TRUE);
}

static void
test_depthwise_head_shapes (void)
{
  check_depthwise (1, 7, 1, 0, 0, 7, 7, FALSE);
  check_depthwise (7, 1, 1, 0, 0, 7, 7, FALSE);
  check_depthwise (7, 7, 1, 0, 0, 7, 7, FALSE);
}

/* The heads' global 7×7 conv of attention × features, by the definition. */
static void
test_global_depthwise (void)
{
  GRand *r = g_rand_new_with_seed (21);
  const int c = 5, n = 3, taps = 49;
  DdamfnConv cv = {.cin = c,.cout = c,.kh = 7,.kw = 7,.stride = 1,
    .groups = c,.act = ACT_NONE
  };
  float *a = random_floats (r, (gsize) c * n * taps, -2, 2);
  float *b = random_floats (r, (gsize) c * n * taps, -2, 2);
  float y[5 * 3];

  cv.weight = random_floats (r, (gsize) c * taps, -1, 1);
  cv.bias = random_floats (r, c, -1, 1);
  ddamfn_op_global_depthwise (&cv, a, b, y, c, n);
  for (int ch = 0; ch < c; ch++)
    for (int f = 0; f < n; f++) {
      double s = cv.bias[ch];
      for (int i = 0; i < taps; i++)
        s += (double) cv.weight[ch * taps + i] * a[(ch * n + f) * taps + i]
            * b[(ch * n + f) * taps + i];
      g_assert_cmpfloat_with_epsilon (y[ch * n + f], s, 1e-5 * (1 + fabs (s)));
    }
  g_free (a);
  g_free (b);
  g_free (cv.weight);
  g_free (cv.bias);
  g_rand_free (r);
}

static void
test_conv1x1_matches_definition (void)
{
  GRand *r = g_rand_new_with_seed (7);
  const int cin = 13, cout = 11, cols = 37;
  DdamfnConv cv = {.cin = cin,.cout = cout,.kh = 1,.kw = 1,.stride =
        1,.groups = 1,.act = ACT_PRELU };
  float *x = random_floats (r, (gsize) cin * cols, -2, 2);
  float *y = g_new (float, (gsize) cout * cols);
  float *ref = g_new (float, (gsize) cout * cols);

  cv.weight = random_floats (r, (gsize) cout * cin, -1, 1);
  cv.bias = random_floats (r, cout, -1, 1);
  cv.slope = random_floats (r, cout, 0, 0.5);
  ddamfn_op_conv1x1 (&cv, x, cols, y, cols, cols);
  for (int o = 0; o < cout; o++)
    for (int j = 0; j < cols; j++) {
      double s = cv.bias[o];
      for (int i = 0; i < cin; i++)
        s += cv.weight[o * cin + i] * x[i * cols + j];
      ref[o * cols + j] = prelu_ref ((float) s, cv.slope[o]);
    }
  assert_close (y, ref, (gsize) cout * cols, 1e-5f);
  g_free (cv.weight);
  g_free (cv.bias);
  g_free (cv.slope);
  g_free (x);
  g_free (y);
  g_free (ref);
  g_rand_free (r);
}

/* The bare product, written and added onto what Y holds. */
static void
test_conv1x1_product (void)
{
  GRand *r = g_rand_new_with_seed (8);
  const int cin = 9, cout = 6, cols = 23;
  DdamfnConv cv = {.cin = cin,.cout = cout,.kh = 1,.kw = 1,.stride = 1,
    .groups = 1,.act = ACT_PRELU
  };
  float *x = random_floats (r, (gsize) cin * cols, -2, 2);
  float *y0 = random_floats (r, (gsize) cout * cols, -2, 2);
  float *y = g_memdup2 (y0, sizeof (float) * cout * cols);
  float *prod = g_new (float, (gsize) cout * cols);

  cv.weight = random_floats (r, (gsize) cout * cin, -1, 1);
  cv.bias = random_floats (r, cout, -1, 1);
  cv.slope = random_floats (r, cout, 0, 0.5);
  ddamfn_op_conv1x1_product (&cv, x, prod, cols, FALSE);
  ddamfn_op_conv1x1_product (&cv, x, y, cols, TRUE);
  for (int o = 0; o < cout; o++)
    for (int j = 0; j < cols; j++) {
      double s = 0;             /* no bias, no PReLU */
      for (int i = 0; i < cin; i++)
        s += cv.weight[o * cin + i] * x[i * cols + j];
      g_assert_cmpfloat_with_epsilon (prod[o * cols + j], s,
          1e-5 * (1 + fabs (s)));
      g_assert_cmpfloat_with_epsilon (y[o * cols + j], y0[o * cols + j] + s,
          1e-5 * (1 + fabs (s)));
    }
  g_free (x);
  g_free (y0);
  g_free (y);
  g_free (prod);
  g_free (cv.weight);
  g_free (cv.bias);
  g_free (cv.slope);
  g_rand_free (r);
}

static void
test_conv_im2col_matches_definition (void)
{
  GRand *r = g_rand_new_with_seed (11);
  const int n = 2, h = 112, w = 112, oh = 56, ow = 56;
  DdamfnConv cv = {.cin = 3,.cout = 64,.kh = 3,.kw = 3,.stride = 2,.pad_h =
        1,.pad_w = 1,.groups = 1,.act = ACT_NONE };
  float *x = random_floats (r, (gsize) n * 3 * h * w, -2, 2);
  float *cols = g_new (float, (gsize) 27 * n * oh * ow);
  float *y = g_new (float, (gsize) 64 * n * oh * ow);

  cv.weight = random_floats (r, 64 * 27, -1, 1);
  cv.bias = random_floats (r, 64, -1, 1);
  ddamfn_op_conv_im2col (&cv, x, n, h, w, cols, y, TRUE);
  for (int o = 0; o < 64; o += 7)
    for (int f = 0; f < n; f++)
      for (int oy = 0; oy < oh; oy += 5)
        for (int ox = 0; ox < ow; ox += 3) {
          double s = cv.bias[o];
          for (int ci = 0; ci < 3; ci++)
            for (int ky = 0; ky < 3; ky++)
              for (int kx = 0; kx < 3; kx++) {
                int iy = oy * 2 + ky - 1, ix = ox * 2 + kx - 1;
                if (iy >= 0 && iy < h && ix >= 0 && ix < w)
                  s += cv.weight[o * 27 + ci * 9 + ky * 3 + kx] *
                      x[(((gsize) f * 3 + ci) * h + iy) * w + ix];
              }
          float got = y[(((gsize) o * n + f) * oh + oy) * ow + ox];
          g_assert_cmpfloat_with_epsilon (got, s, 1e-4 * (1 + fabs (s)));
        }
  g_free (cv.weight);
  g_free (cv.bias);
  g_free (x);
  g_free (cols);
  g_free (y);
  g_rand_free (r);
}

static void
test_coord_pool_mean_layout (void)
{
  /* 1 channel, 2 faces, 2×3 planes with known values. */
  float x[12 + DDAMFN_ROW_SLACK] = { 1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50,
    60
  };
  float y[12 + DDAMFN_ROW_SLACK], pooled[10 + DDAMFN_ROW_SLACK];
  float one = 1.f;
  /* identity depthwise conv, so the pooling is of X itself */
  const DdamfnConv id = {.cin = 1,.cout = 1,.kh = 1,.kw = 1,.stride = 1,
    .groups = 1,.act = ACT_NONE,.weight = &one
  };
  const float want[10] = {
    2, 5, 20, 50,               /* row means: face 0 then face 1 */
    2.5f, 3.5f, 4.5f, 25, 35, 45        /* column means */
  };
  depthwise (&id, x, y, 1, 2, 2, 3, 2, 3, FALSE, NULL, pooled);
  assert_close (y, x, 12, 0);
  assert_close (pooled, want, 10, 1e-6f);
  pool_mean_ref (x, pooled, 1, 2, 2, 3);
  assert_close (pooled, want, 10, 1e-6f);
}

static void
test_coord_apply_and_max (void)
{
  /* 1 channel, 1 face, 2×2: gates h = (0.5, 2), w = (3, 4). */
  float x[4 + DDAMFN_ROW_SLACK] = { 1, 1, 1, 1 };
  float gated[4 + DDAMFN_ROW_SLACK];
  float gates[4 + DDAMFN_ROW_SLACK] = { 0.5f, 2, 3, 4 };
  const float want[4] = { 1.5f, 2, 6, 8 };
  float att[4] = { 0 };
  const float gates2[4] = { 1, 1, 1, 10 };
  const float want_max[4] = { 1.5f, 10, 6, 10 };

  ddamfn_op_coord_apply (gated, x, gates, 1, 1, 2, 2);
  assert_close (gated, want, 4, 1e-6f);
  ddamfn_op_coord_max_into (att, gates, 1, 1, 2, 2, TRUE);
  assert_close (att, want, 4, 1e-6f);
  ddamfn_op_coord_max_into (att, gates2, 1, 1, 2, 2, FALSE);
  assert_close (att, want_max, 4, 1e-6f);
}

/* coord_apply over every row shape against the definition. */
static void
test_coord_apply_shapes (void)
{
  static const int sizes[][2] = { {7, 7}, {14, 14}, {28, 28}, {56, 56},
  {3, 11}, {1, 1}
  };
  GRand *r = g_rand_new_with_seed (5);
  const int c = 3, n = 2;

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++) {
    const int h = sizes[i][0], w = sizes[i][1];
    const gsize total = (gsize) c * n * h * w, gcols = (gsize) n * (h + w);
    float *x = random_floats_slack (r, total, -2, 2);
    float *gates = random_floats_slack (r, c * gcols, 0, 1);
    float *y = g_new (float, total + DDAMFN_ROW_SLACK);
    float *ref = g_new (float, total);

    for (int ch = 0; ch < c; ch++)
      for (int f = 0; f < n; f++)
        for (int yy = 0; yy < h; yy++)
          for (int xx = 0; xx < w; xx++) {
            gsize at = (((gsize) ch * n + f) * h + yy) * w + xx;
            ref[at] = x[at] * gates[ch * gcols + f * h + yy]
                * gates[ch * gcols + n * h + f * w + xx];
          }
    ddamfn_op_coord_apply (y, x, gates, c, n, h, w);
    assert_close (y, ref, total, 1e-6f);
    g_free (x);
    g_free (gates);
    g_free (y);
    g_free (ref);
  }
  g_rand_free (r);
}

static void
test_activations (void)
{
  float v[6] = { -4, -1, 0, 1, 2.5f, 4 };
  const float hs[6] = { 0, -1.f / 3, 0, 4.f / 6, 2.5f * 5.5f / 6, 4 };
  ddamfn_op_bias_act (v, 1, 6, 6, NULL, NULL, ACT_HARDSWISH);
  assert_close (v, hs, 6, 1e-6f);

  float p[3] = { 1, 2, 3 }, probs[3];
  ddamfn_softmax (p, 3, probs);
  g_assert_cmpfloat_with_epsilon (probs[0], 0.09003057, 1e-6);
  g_assert_cmpfloat_with_epsilon (probs[2], 0.66524096, 1e-6);
}

/* The vectorised sigmoid (polynomial e^x) against double precision. */
static void
test_sigmoid_accuracy (void)
{
  const int n = 4001;
  float *x = g_new (float, n), *y = g_new (float, n);
  double worst = 0, worst_abs = 0;

  for (int i = 0; i < n; i++)
    x[i] = -100.f + 0.05f * i;
  ddamfn_kernels_get ()->act_copy (y, x, n, 0.f, 0.f, ACT_SIGMOID);
  for (int i = 0; i < n; i++) {
    double want = 1.0 / (1.0 + exp (-(double) x[i]));
    worst_abs = MAX (worst_abs, fabs (y[i] - want));
    /* relative where float holds the value normalised */
    if (want > 1e-37)
      worst = MAX (worst, fabs (y[i] - want) / want);
  }
  g_test_message ("sigmoid: worst relative error %.3g, absolute %.3g",
      worst, worst_abs);
  g_assert_cmpfloat (worst, <, 5e-7);
  g_assert_cmpfloat (worst_abs, <, 1e-7);
  g_free (x);
  g_free (y);
}

static const char *const variants[] = { "generic", "avx2", "avx512" };

/* The GEMM of every variant against the definition in double: shapes on
 * both sides of the tile (M by 1..17 and powers of two, N by 1..100 and
 * long), K across the blocks (0, 1, 63..65, 257, 513), pitches wider than the
 * matrix, β 0 (C not read: it holds NaN), 1 and 0.5. */
static void
gemm_case (const DdamfnKernels * v, GRand * r, int m, int n, int k,
    float beta, float *work)
{
  /* one column, contiguous (even M: the GEMV path of dense layers at
   * batch 1) or not (odd M: the tiles) */
  const int lda = k + 3, ldb = n == 1 && m % 2 == 0 ? 1 : n + 5;
  const int ldc = n + 2;
  float *a = random_floats (r, (gsize) m * lda, -1, 1);
  float *b = random_floats (r, (gsize) MAX (k, 1) * ldb, -1, 1);
  float *c = random_floats (r, (gsize) m * ldc, -1, 1);
  float *c0 = g_memdup2 (c, sizeof (float) * m * ldc);

  if (beta == 0.f)
    for (gsize i = 0; i < (gsize) m * ldc; i++)
      c[i] = c0[i] = NAN;
  v->gemm (m, n, k, a, lda, b, ldb, beta, c, ldc, work);
  for (int i = 0; i < m; i++) {
    for (int j = 0; j < ldc; j++) {
      double s = 0, mag = 0;
      float got = c[(gsize) i * ldc + j];

      if (j >= n) {             /* past the columns: untouched */
        g_assert_true (memcmp (&got, &c0[(gsize) i * ldc + j],
                sizeof (float)) == 0);
        continue;
      }
      for (int kk = 0; kk < k; kk++) {
        double t = (double) a[(gsize) i * lda + kk] * b[(gsize) kk * ldb + j];
        s += t;
        mag += fabs (t);
      }
      if (beta != 0.f) {
        s += beta * (double) c0[(gsize) i * ldc + j];
        mag += fabs (c0[(gsize) i * ldc + j]);
      }
      if (!(fabs (got - s) <= 1e-6 * (1 + mag)))
        g_error ("%s gemm m %d n %d k %d beta %g: C[%d][%d] = %.9g, "
            "want %.9g", v->name, m, n, k, beta, i, j, got, s);
    }
  }
  g_free (a);
  g_free (b);
  g_free (c);
  g_free (c0);
}

static void
test_gemm_matches_definition (gconstpointer data)
{
  const DdamfnKernels *v = ddamfn_kernels_lookup (data);
  static const int ms[] = { 1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 17, 64, 200 };
  static const int ns[] = { 1, 3, 8, 15, 16, 17, 24, 31, 32, 47, 48, 49,
    64, 100, 333
  };
  static const int ks[] = { 0, 1, 7, 63, 64, 65, 257, 513 };
  static const float betas[] = { 0.f, 1.f, 0.5f };
  GRand *r = g_rand_new_with_seed (1234);
  float *work;

  if (v == NULL) {
    g_test_skip ("this CPU cannot run the variant");
    g_rand_free (r);
    return;
  }
  work = g_aligned_alloc (DDAMFN_GEMM_WORK, sizeof (float), 64);
  g_assert_cmpint (v->gemm_nr % 4, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (ms); i++)
    for (guint j = 0; j < G_N_ELEMENTS (ns); j++)
      for (guint t = 0; t < G_N_ELEMENTS (ks); t++) {
        /* the big ones once, with β 1 (several K blocks add up) */
        if (ms[i] * ns[j] * ks[t] > 400000) {
          gemm_case (v, r, ms[i], ns[j], ks[t], 1.f, work);
          continue;
        }
        for (guint e = 0; e < G_N_ELEMENTS (betas); e++)
          gemm_case (v, r, ms[i], ns[j], ks[t], betas[e], work);
      }
  /* a block of M rows past GEMM_MC, the products of the networks */
  gemm_case (v, r, 257, 49, 512, 0.f, work);
  gemm_case (v, r, 128, 3136, 64, 0.f, work);
  g_aligned_free (work);
  g_rand_free (r);
}

/* Every vectorised variant computes what the portable one computes. */
static void
test_variant_matches_generic (gconstpointer data)
{
  const char *name = data;
  const DdamfnKernels *g = ddamfn_kernels_lookup ("generic");
  const DdamfnKernels *v = ddamfn_kernels_lookup (name);
  GRand *r = g_rand_new_with_seed (99);
  const int n = 1037;           /* not a multiple of any vector width */
  float *x = random_floats (r, 2 * n, -5, 5);
  float *a = random_floats (r, n, -5, 5);
  float *b = g_memdup2 (a, n * sizeof (float));

  if (v == NULL) {
    g_test_skip ("this CPU cannot run the variant");
    goto out;
  }
  g_assert_cmpstr (v->name, ==, name);
  for (DdamfnAct act = ACT_NONE; act <= ACT_RELU6; act++) {
    g->act_copy (a, x, n, 0.3f, 0.2f, act);
    v->act_copy (b, x, n, 0.3f, 0.2f, act);
    assert_close (b, a, n, 1e-6f);
    g->act_inplace (a, n, -0.1f, 0.3f, act);
    v->act_inplace (b, n, -0.1f, 0.3f, act);
    assert_close (b, a, n, 1e-6f);
  }
out:
  g_free (x);
  g_free (a);
  g_free (b);
  g_rand_free (r);
}

/* Runs test function FUNC with the kernel variant named in DATA. */
typedef struct
{
  const char *variant;
  GTestFunc func;
} VariantCase;

static void
run_with_variant (gconstpointer data)
{
  const VariantCase *vc = data;
  const DdamfnKernels *saved = ddamfn_kernels_get ();
  if (!ddamfn_kernels_use (vc->variant)) {
    g_test_skip ("this CPU cannot run the variant");
    return;
  }
  vc->func ();
  g_assert_true (ddamfn_kernels_use (saved->name));
}

static void
add_for_variants (const char *path, GTestFunc func)
{
  for (guint i = 0; i < G_N_ELEMENTS (variants); i++) {
    VariantCase *vc = g_new (VariantCase, 1);
    char *p = g_strdup_printf ("%s/%s", path, variants[i]);
    vc->variant = variants[i];
    vc->func = func;
    g_test_add_data_func_full (p, vc, run_with_variant, g_free);
    g_free (p);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/ops/dispatch/avx2-matches-generic", "avx2",
      test_variant_matches_generic);
  g_test_add_data_func ("/ops/dispatch/avx512-matches-generic", "avx512",
      test_variant_matches_generic);
  for (guint i = 0; i < G_N_ELEMENTS (variants); i++) {
    char *p = g_strdup_printf ("/ops/gemm/%s", variants[i]);
    g_test_add_data_func (p, variants[i], test_gemm_matches_definition);
    g_free (p);
  }
  add_for_variants ("/ops/depthwise/square-stride1",
      test_depthwise_square_kernels_stride1);
  add_for_variants ("/ops/depthwise/square-stride2",
      test_depthwise_square_kernels_stride2);
  add_for_variants ("/ops/depthwise/same-padding-stride2",
      test_depthwise_same_padding_stride2);
  add_for_variants ("/ops/depthwise/prelu-block", test_depthwise_prelu_block);
  add_for_variants ("/ops/add/padded-shortcut", test_add_padded_shortcut);
  g_test_add_func ("/ops/maxpool2", test_maxpool2);
  add_for_variants ("/ops/depthwise/head-shapes", test_depthwise_head_shapes);
  add_for_variants ("/ops/conv1x1/definition", test_conv1x1_matches_definition);
  g_test_add_func ("/ops/depthwise/global", test_global_depthwise);
  g_test_add_func ("/ops/conv1x1/product", test_conv1x1_product);
  g_test_add_func ("/ops/conv-im2col/definition",
      test_conv_im2col_matches_definition);
  g_test_add_func ("/ops/coordatt/pool-mean-layout",
      test_coord_pool_mean_layout);
  g_test_add_func ("/ops/coordatt/apply-and-max", test_coord_apply_and_max);
  add_for_variants ("/ops/coordatt/apply-shapes", test_coord_apply_shapes);
  add_for_variants ("/ops/activations", test_activations);
  add_for_variants ("/ops/sigmoid-accuracy", test_sigmoid_accuracy);
  return g_test_run ();
}
