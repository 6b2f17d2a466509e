/* The kernels added for the face detector, each against a plain C
 * definition written differently: the wide depthwise convolution (any
 * plane width, TFLite "same" padding, strides 1 and 2, activations) and
 * 2× bilinear upsampling (with and without half-pixel centres).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ops/ops.h"

#include <math.h>

static float *
random_floats (GRand * r, gsize n)
{
  float *p = g_new (float, n);

  for (gsize i = 0; i < n; i++)
    p[i] = (float) g_rand_double_range (r, -1.0, 1.0);
  return p;
}

/* y[c][f][oy][ox] = act (b[c] + Σ w[c][ky][kx] · x[c][f][oy·s + ky − ph]
 * [ox·s + kx − pw]), taps outside the plane read 0. */
static void
depthwise_definition (const DdamfnConv * cv, const float *x, float *y, int c,
    int n, int h, int w, int oh, int ow)
{
  for (int ch = 0; ch < c; ch++)
    for (int f = 0; f < n; f++)
      for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++) {
          double acc = cv->bias[ch];

          for (int ky = 0; ky < cv->kh; ky++)
            for (int kx = 0; kx < cv->kw; kx++) {
              int iy = oy * cv->stride + ky - cv->pad_h;
              int ix = ox * cv->stride + kx - cv->pad_w;

              if (iy >= 0 && iy < h && ix >= 0 && ix < w)
                acc += (double) cv->weight[(ch * cv->kh + ky) * cv->kw + kx]
                    * x[(((gsize) ch * n + f) * h + iy) * w + ix];
            }
          if (cv->act == ACT_RELU && acc < 0)
            acc = 0;
          if (cv->act == ACT_PRELU && acc < 0)
            acc *= cv->slope[ch];
          y[(((gsize) ch * n + f) * oh + oy) * ow + ox] = (float) acc;
        }
}

typedef struct
{
  int h, w, k, stride, pad, oh, ow;
  DdamfnAct act;
} DwCase;

static void
test_depthwise_wide_matches_definition (void)
{
  /* 96-wide planes of BlazeFace full range (stride 1 and TFLite's
   * stride-2 "same": nothing before, one after), odd sizes, 5 × 5 */
  const DwCase cases[] = {
    {96, 96, 3, 1, 1, 96, 96, ACT_NONE},
    {96, 96, 3, 2, 0, 48, 48, ACT_RELU},
    {37, 101, 5, 1, 2, 37, 101, ACT_PRELU},
    {31, 130, 3, 2, 1, 16, 65, ACT_RELU},
    {8, 9, 3, 2, 0, 4, 5, ACT_NONE},
    /* stride 1 with an interior just over one block, exactly one, and
     * none: the blocked path, its overlapping last block, the fallback */
    {11, 37, 5, 1, 2, 11, 37, ACT_RELU},
    {6, 34, 3, 1, 1, 6, 34, ACT_PRELU},
    {9, 31, 3, 1, 1, 9, 31, ACT_NONE},
    {7, 40, 7, 1, 0, 1, 34, ACT_NONE},
    /* stride 2 by blocks on a row of odd width (its last odd column) */
    {9, 101, 5, 2, 2, 5, 51, ACT_RELU},
  };
  GRand *r = g_rand_new_with_seed (7);

  for (guint t = 0; t < G_N_ELEMENTS (cases); t++) {
    const DwCase *k = &cases[t];
    const int c = 5, n = 2;
    DdamfnConv cv = {.cin = c,.cout = c,.kh = k->k,.kw = k->k,
      .stride = k->stride,.pad_h = k->pad,.pad_w = k->pad,.groups = c,
      .act = k->act
    };
    float *x = random_floats (r, (gsize) c * n * k->h * k->w);
    float *y = g_new (float, (gsize) c * n * k->oh * k->ow);
    float *ref = g_new (float, (gsize) c * n * k->oh * k->ow);
    double worst = 0;

    cv.weight = random_floats (r, (gsize) c * k->k * k->k);
    cv.bias = random_floats (r, c);
    cv.slope = random_floats (r, c);
    ddamfn_op_depthwise_wide (&cv, x, y, c, n, k->h, k->w, k->oh, k->ow);
    depthwise_definition (&cv, x, ref, c, n, k->h, k->w, k->oh, k->ow);
    for (gsize i = 0; i < (gsize) c * n * k->oh * k->ow; i++)
      worst = MAX (worst, fabs ((double) y[i] - ref[i]));
    g_assert_cmpfloat (worst, <, 1e-5);
    g_free (x);
    g_free (y);
    g_free (ref);
    g_free (cv.weight);
    g_free (cv.bias);
    g_free (cv.slope);
  }
  g_rand_free (r);
}

/* Output (i, j) reads input ((i + 0.5)/2 − 0.5, (j + 0.5)/2 − 0.5) with
 * half-pixel centres, (i/2, j/2) without; bilinear, coordinates clamped to
 * the plane. */
static double
upsample_definition (const float *x, int h, int w, int i, int j,
    gboolean half)
{
  double sy = half ? (i + 0.5) / 2 - 0.5 : i / 2.0;
  double sx = half ? (j + 0.5) / 2 - 0.5 : j / 2.0;
  double fy = floor (sy), fx = floor (sx);
  double ay = sy - fy, ax = sx - fx;
  int y0 = CLAMP ((int) fy, 0, h - 1), y1 = CLAMP ((int) fy + 1, 0, h - 1);
  int x0 = CLAMP ((int) fx, 0, w - 1), x1 = CLAMP ((int) fx + 1, 0, w - 1);

  return (1 - ay) * ((1 - ax) * x[y0 * w + x0] + ax * x[y0 * w + x1])
      + ay * ((1 - ax) * x[y1 * w + x0] + ax * x[y1 * w + x1]);
}

static void
test_upsample2_matches_definition (void)
{
  GRand *r = g_rand_new_with_seed (3);
  const int sizes[][2] = { {6, 6}, {12, 12}, {3, 7}, {1, 1} };

  for (int half = 0; half < 2; half++)
    for (guint t = 0; t < G_N_ELEMENTS (sizes); t++) {
      const int h = sizes[t][0], w = sizes[t][1], planes = 3;
      float *x = random_floats (r, (gsize) planes * h * w);
      float *y = g_new (float, (gsize) planes * 4 * h * w);

      ddamfn_op_upsample2 (y, x, planes, h, w, half);
      for (int p = 0; p < planes; p++)
        for (int i = 0; i < 2 * h; i++)
          for (int j = 0; j < 2 * w; j++)
            g_assert_cmpfloat_with_epsilon (y[((gsize) p * 2 * h + i) * 2 * w
                    + j], upsample_definition (x + (gsize) p * h * w, h, w,
                    i, j, half), 1e-6);
      g_free (x);
      g_free (y);
    }
  g_rand_free (r);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ops/depthwise-wide/definition",
      test_depthwise_wide_matches_definition);
  g_test_add_func ("/ops/upsample2/definition",
      test_upsample2_matches_definition);
  return g_test_run ();
}
