/* Unit tests of the preprocessing (box crop, pixel formats, validation)
 * against values worked out by hand: frames are built so that the expected
 * tensor follows from a formula written in the test. Alignment on landmarks
 * is in test-align.c.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-images.h"

/* ---- box path ------------------------------------------------------ */

/* A 56 × 56 box at (20, 30) resized to 112: output u samples
 * x = 20 + (u + 0.5)·56/112 − 0.5, so R = x and G = y exactly. */
static void
test_box_crop_of_gradient_is_exact (void)
{
  guint8 *p = gradient_rgb (200, 150);
  DdamfnImage image = rgb_image (p, 200, 150);
  DdamfnBox box = { 20, 30, 56, 56 };
  float *t = new_tensor ();

  g_assert_true (ddamfn_preprocess_box (&image, &box, 1.f, mean, std, t,
          NULL));
  /* Two samples written out: u = 10 → x = 24.75; v = 4 → y = 31.75. */
  g_assert_cmpfloat_with_epsilon (pixel_at (t, 0, 10, 4), 24.75, 1e-3);
  g_assert_cmpfloat_with_epsilon (pixel_at (t, 1, 10, 4), 31.75, 1e-3);
  g_assert_cmpfloat_with_epsilon (pixel_at (t, 0, 0, 0), 19.75, 1e-3);
  g_assert_cmpfloat_with_epsilon (pixel_at (t, 1, 111, 111), 85.25, 1e-3);
  for (int v = 0; v < S; v++)
    for (int u = 0; u < S; u++) {
      g_assert_cmpfloat_with_epsilon (pixel_at (t, 0, u, v),
          20 + (u + 0.5) * 0.5 - 0.5, 1e-3);
      g_assert_cmpfloat_with_epsilon (pixel_at (t, 1, u, v),
          30 + (v + 0.5) * 0.5 - 0.5, 1e-3);
      g_assert_cmpfloat_with_epsilon (pixel_at (t, 2, u, v), 77, 1e-3);
    }
  g_free (t);
  g_free (p);
}

/* A 112 × 112 box at (0, 0) of a 112 × 112 frame is the frame itself. */
static void
test_box_identity_gives_exact_pixels (void)
{
  GRand *rand = g_rand_new_with_seed (7);
  guint8 *p = g_malloc (S * S * 3);
  DdamfnImage image = rgb_image (p, S, S);
  DdamfnBox box = { 0, 0, S, S };
  float *t = new_tensor ();

  for (int i = 0; i < S * S * 3; i++)
    p[i] = (guint8) g_rand_int_range (rand, 0, 256);
  g_assert_true (ddamfn_preprocess_box (&image, &box, 1.f, mean, std, t,
          NULL));
  for (int v = 0; v < S; v++)
    for (int u = 0; u < S; u++)
      for (int c = 0; c < 3; c++) {
        float expected = (p[(v * S + u) * 3 + c] / 255.f - mean[c]) / std[c];

        g_assert_cmpfloat_with_epsilon (t[(gsize) c * S * S + v * S + u],
            expected, 1e-5);
      }
  g_free (t);
  g_free (p);
  g_rand_free (rand);
}

/* The scale enlarges (or shrinks) the box about its centre. */
static void
test_box_scale_is_about_the_centre (void)
{
  guint8 *p = gradient_rgb (200, 150);
  DdamfnImage image = rgb_image (p, 200, 150);
  /* Centre (100, 80). Scale 2 makes it 112 × 112 from (44, 24): output
   * pixel (u, v) is frame pixel (44 + u, 24 + v). Scale 0.5 makes it
   * 28 × 28 from (86, 66): x = 86 + (u + 0.5)/4 − 0.5. */
  DdamfnBox box = { 72, 52, 56, 56 };
  float *t = new_tensor ();

  g_assert_true (ddamfn_preprocess_box (&image, &box, 2.f, mean, std, t,
          NULL));
  g_assert_cmpfloat_with_epsilon (pixel_at (t, 0, 0, 0), 44, 1e-3);
  g_assert_cmpfloat_with_epsilon (pixel_at (t, 1, 0, 0), 24, 1e-3);
  g_assert_cmpfloat_with_epsilon (pixel_at (t, 0, 100, 50), 144, 1e-3);
  g_assert_cmpfloat_with_epsilon (pixel_at (t, 1, 100, 50), 74, 1e-3);

  g_assert_true (ddamfn_preprocess_box (&image, &box, 0.5f, mean, std, t,
          NULL));
  g_assert_cmpfloat_with_epsilon (pixel_at (t, 0, 0, 0), 85.625, 1e-3);
  g_assert_cmpfloat_with_epsilon (pixel_at (t, 0, 111, 0), 113.375, 1e-3);
  g_assert_cmpfloat_with_epsilon (pixel_at (t, 1, 0, 111), 93.375, 1e-3);
  g_free (t);
  g_free (p);
}

/* A box entirely outside the frame gives black: −mean/std after
 * normalisation. */
static void
test_box_outside_frame_is_black (void)
{
  guint8 *p = gradient_rgb (50, 50);
  DdamfnImage image = rgb_image (p, 50, 50);
  DdamfnBox box = { -500, -500, 100, 100 };
  float *t = new_tensor ();

  g_assert_true (ddamfn_preprocess_box (&image, &box, 1.f, mean, std, t,
          NULL));
  g_assert_cmpfloat_with_epsilon (t[0], -0.485f / 0.229f, 1e-5);
  g_assert_cmpfloat_with_epsilon (t[S * S], -0.456f / 0.224f, 1e-5);
  g_assert_cmpfloat_with_epsilon (t[2 * S * S], -0.406f / 0.225f, 1e-5);
  g_assert_true (tensor_is_black (t));
  g_free (t);
  g_free (p);
}

/* Taps that fall outside the frame contribute 0 (BORDER_CONSTANT 0): the
 * box shifted by half a pixel samples x = u + 0.5, so the last column
 * blends frame pixel 111 with nothing. */
static void
test_box_taps_outside_contribute_zero (void)
{
  guint8 *p = gradient_rgb (S, S);
  DdamfnImage image = rgb_image (p, S, S);
  DdamfnBox box = { 0.5f, 0, S, S };
  float *t = new_tensor ();

  g_assert_true (ddamfn_preprocess_box (&image, &box, 1.f, mean, std, t,
          NULL));
  g_assert_cmpfloat_with_epsilon (pixel_at (t, 0, 110, 5), 110.5, 1e-3);
  g_assert_cmpfloat_with_epsilon (pixel_at (t, 0, 111, 5), 0.5 * 111, 1e-3);
  g_assert_cmpfloat_with_epsilon (pixel_at (t, 1, 111, 5), 0.5 * 5, 1e-3);
  g_assert_cmpfloat_with_epsilon (pixel_at (t, 2, 111, 5), 0.5 * 77, 1e-3);
  g_free (t);
  g_free (p);
}

/* NaN, infinities and empty sizes are errors; absurd but finite boxes
 * give black (or, partly overlapping, some picture), never a crash. */
static void
test_box_hostile_values_fail_or_give_black (void)
{
  guint8 *p = gradient_rgb (64, 48);
  DdamfnImage image = rgb_image (p, 64, 48);
  float *t = new_tensor ();
  const DdamfnBox not_finite[] = {
    {NAN, 0, 10, 10}, {0, NAN, 10, 10}, {0, 0, NAN, 10}, {0, 0, 10, NAN},
    {INFINITY, 0, 10, 10}, {0, -INFINITY, 10, 10}, {0, 0, INFINITY, 10},
    {0, 0, 10, -INFINITY},
  };
  const DdamfnBox empty[] = {
    {0, 0, 0, 10}, {0, 0, 10, 0}, {0, 0, -5, 10}, {10, 10, 10, -5},
    {0, 0, -1e30f, -1e30f},
  };
  const DdamfnBox far_away[] = {
    {1e30f, 1e30f, 10, 10}, {-1e30f, -1e30f, 10, 10},
    {1e30f, -1e30f, 1e30f, 1e30f}, {-3e38f, 3e38f, 3e38f, 3e38f},
    {2e9f, 0, 10, 10}, {0, -2e9f, 10, 10},
  };
  const DdamfnBox odd_but_inside[] = {
    {63.9f, 47.9f, 0.01f, 0.01f}, {-10, -10, 1000, 1000},
    {-1e30f, -1e30f, 2e30f, 2e30f}, {0, 0, 1e-30f, 1e-30f},
  };
  GError *error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (not_finite); i++) {
    g_assert_false (ddamfn_preprocess_box (&image, &not_finite[i], 1.f, mean,
            std, t, &error));
    g_assert_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "not finite"));
    g_clear_error (&error);
  }
  for (guint i = 0; i < G_N_ELEMENTS (empty); i++) {
    g_assert_false (ddamfn_preprocess_box (&image, &empty[i], 1.f, mean, std,
            t, &error));
    g_assert_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "empty"));
    g_clear_error (&error);
  }
  for (guint i = 0; i < G_N_ELEMENTS (far_away); i++) {
    g_assert_true (ddamfn_preprocess_box (&image, &far_away[i], 1.f, mean,
            std, t, NULL));
    g_assert_true (tensor_is_black (t));
  }
  for (guint i = 0; i < G_N_ELEMENTS (odd_but_inside); i++) {
    g_assert_true (ddamfn_preprocess_box (&image, &odd_but_inside[i], 1.f,
            mean, std, t, NULL));
    for (int k = 0; k < DDAMFN_INPUT_FLOATS; k++)
      g_assert_true (isfinite (t[k]));
  }
  /* A huge scale on a normal box only spreads the samples. */
  g_assert_true (ddamfn_preprocess_box (&image, &odd_but_inside[0], 3e38f,
          mean, std, t, NULL));
  g_free (t);
  g_free (p);
}

static void
test_box_invalid_scale_or_normalisation_is_an_error (void)
{
  guint8 *p = gradient_rgb (16, 16);
  DdamfnImage image = rgb_image (p, 16, 16);
  DdamfnBox box = { 2, 2, 8, 8 };
  const float bad_scales[] = { 0.f, -1.f, NAN, INFINITY };
  const float zero_std[3] = { 0.229f, 0.f, 0.225f };
  const float negative_std[3] = { 0.229f, 0.224f, -0.225f };
  const float nan_mean[3] = { NAN, 0.456f, 0.406f };
  float *t = new_tensor ();
  GError *error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad_scales); i++) {
    g_assert_false (ddamfn_preprocess_box (&image, &box, bad_scales[i], mean,
            std, t, &error));
    g_assert_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "scale"));
    g_clear_error (&error);
  }
  g_assert_false (ddamfn_preprocess_box (&image, &box, 1.f, mean, zero_std, t,
          &error));
  g_assert_nonnull (strstr (error->message, "standard deviation of channel G"));
  g_clear_error (&error);
  g_assert_false (ddamfn_preprocess_box (&image, &box, 1.f, mean,
          negative_std, t, &error));
  g_assert_nonnull (strstr (error->message, "standard deviation of channel B"));
  g_clear_error (&error);
  g_assert_false (ddamfn_preprocess_box (&image, &box, 1.f, nan_mean, std, t,
          &error));
  g_assert_nonnull (strstr (error->message, "mean of channel R"));
  g_clear_error (&error);
  g_free (t);
  g_free (p);
}

/* ---- pixel formats ------------------------------------------------- */

/* The same random picture in every packed layout, with padded rows and
 * garbage in the unused byte, gives bitwise the same tensor, on both
 * paths. */
static void
test_packed_formats_give_identical_tensors (void)
{
  const int w = 61, h = 47;
  static const struct
  {
    DdamfnPixelFormat format;
    int r, g, b, bpp;
  } layouts[] = {
    {DDAMFN_PIXEL_RGB, 0, 1, 2, 3}, {DDAMFN_PIXEL_BGR, 2, 1, 0, 3},
    {DDAMFN_PIXEL_RGBX, 0, 1, 2, 4}, {DDAMFN_PIXEL_BGRX, 2, 1, 0, 4},
    {DDAMFN_PIXEL_XRGB, 1, 2, 3, 4}, {DDAMFN_PIXEL_XBGR, 3, 2, 1, 4},
    {DDAMFN_PIXEL_RGBA, 0, 1, 2, 4}, {DDAMFN_PIXEL_BGRA, 2, 1, 0, 4},
  };
  const DdamfnBox box = { 3.5f, -2.f, 40.f, 45.f };
  /* A slightly rotated face that reaches past the frame's right edge. */
  const float landmarks[10] = { 20, 15, 40, 17, 31, 27, 22, 37, 39, 38 };
  GRand *rand = g_rand_new_with_seed (5);
  guint8 *rgb = g_malloc (w * h * 3);
  float *ref_box = new_tensor (), *ref_lm = new_tensor ();
  float *t_box = new_tensor (), *t_lm = new_tensor ();

  for (int i = 0; i < w * h * 3; i++)
    rgb[i] = (guint8) g_rand_int_range (rand, 0, 256);
  for (guint l = 0; l < G_N_ELEMENTS (layouts); l++) {
    const int stride = w * layouts[l].bpp + 5;
    guint8 *p = g_malloc ((gsize) stride * h);
    DdamfnImage image = {.format = layouts[l].format,.width = w,.height = h,
      /* Not a valid matrix: packed formats must ignore it. */
      .yuv_matrix = (DdamfnYuvMatrix) 99
    };

    memset (p, 0xEE, (gsize) stride * h);
    for (int i = 0; i < w * h; i++) {
      guint8 *q = p + (i / w) * stride + (i % w) * layouts[l].bpp;

      q[layouts[l].r] = rgb[i * 3];
      q[layouts[l].g] = rgb[i * 3 + 1];
      q[layouts[l].b] = rgb[i * 3 + 2];
    }
    image.planes[0] = p;
    image.strides[0] = stride;
    g_assert_true (ddamfn_preprocess_box (&image, &box, 1.3f, mean, std,
            l == 0 ? ref_box : t_box, NULL));
    g_assert_true (ddamfn_preprocess_landmarks (&image, landmarks, mean, std,
            l == 0 ? ref_lm : t_lm, NULL, NULL));
    if (l > 0) {
      g_assert_cmpmem (ref_box, DDAMFN_INPUT_FLOATS * sizeof (float), t_box,
          DDAMFN_INPUT_FLOATS * sizeof (float));
      g_assert_cmpmem (ref_lm, DDAMFN_INPUT_FLOATS * sizeof (float), t_lm,
          DDAMFN_INPUT_FLOATS * sizeof (float));
    }
    g_free (p);
  }
  g_free (rgb);
  g_free (ref_box);
  g_free (ref_lm);
  g_free (t_box);
  g_free (t_lm);
  g_rand_free (rand);
}

/* Y = 81, U = 90, V = 240 is pure red in BT.601 limited range:
 *   R = 1.164·(81 − 16) + 1.596·(240 − 128)                     = 254.4
 *   G = 1.164·(81 − 16) − 0.392·(90 − 128) − 0.813·(240 − 128)  = −0.5 → 0
 *   B = 1.164·(81 − 16) + 2.017·(90 − 128)                      = −1.0 → 0
 * (within 1.5 of 255, 0, 0). */
static void
check_uniform_red (DdamfnPixelFormat format)
{
  const double yy = 1.164 * (81 - 16);
  const double r = CLAMP (yy + 1.596 * (240 - 128), 0, 255);
  const double g = CLAMP (yy - 0.392 * (90 - 128) - 0.813 * (240 - 128), 0,
      255);
  const double b = CLAMP (yy + 2.017 * (90 - 128), 0, 255);
  YuvFrame f;
  /* Well inside a 16 × 16 frame: every tap reads the frame. */
  DdamfnBox box = { 2, 2, 12, 12 };
  float *t = new_tensor ();

  yuv_frame_init (&f, format, 16, 16, DDAMFN_YUV_BT601);
  yuv_frame_fill (&f, 81, 90, 240);
  g_assert_true (ddamfn_preprocess_box (&f.image, &box, 1.f, mean, std, t,
          NULL));
  for (int v = 0; v < S; v += 5)
    for (int u = 0; u < S; u += 3) {
      g_assert_cmpfloat_with_epsilon (pixel_at (t, 0, u, v), 255, 1.5);
      g_assert_cmpfloat_with_epsilon (pixel_at (t, 0, u, v), r, 0.5);
      g_assert_cmpfloat_with_epsilon (pixel_at (t, 1, u, v), g, 1.5);
      g_assert_cmpfloat_with_epsilon (pixel_at (t, 2, u, v), b, 1.5);
    }
  g_free (t);
  yuv_frame_clear (&f);
}

static void
test_i420_uniform_colour (void)
{
  check_uniform_red (DDAMFN_PIXEL_I420);
}

static void
test_nv12_uniform_colour (void)
{
  check_uniform_red (DDAMFN_PIXEL_NV12);
}

/* Converted colours are clamped to 0…255 before they are blended:
 * Y = 30, U = 250, V = 20 in BT.601 limited range is
 *   R = 1.164·14 + 1.596·(−108)              = −156.1 → 0
 *   G = 1.164·14 − 0.392·122 − 0.813·(−108)  = 56.3
 *   B = 1.164·14 + 2.017·122                 = 262.4 → 255 */
static void
test_yuv_conversion_clamps (void)
{
  YuvFrame f;
  DdamfnBox box = { 2, 2, 12, 12 };
  float *t = new_tensor ();

  yuv_frame_init (&f, DDAMFN_PIXEL_NV12, 16, 16, DDAMFN_YUV_BT601);
  yuv_frame_fill (&f, 30, 250, 20);
  g_assert_true (ddamfn_preprocess_box (&f.image, &box, 1.f, mean, std, t,
          NULL));
  g_assert_cmpfloat_with_epsilon (pixel_at (t, 0, 40, 70), 0, 1e-3);
  g_assert_cmpfloat_with_epsilon (pixel_at (t, 1, 40, 70), 56.276, 0.2);
  g_assert_cmpfloat_with_epsilon (pixel_at (t, 2, 40, 70), 255, 1e-3);
  g_free (t);
  yuv_frame_clear (&f);
}

/* Each matrix converts Y = 120, U = 100, V = 160 by its own formula:
 *   BT.601 limited: 1.164·104 + (1.596·32, −0.392·(−28) − 0.813·32,
 *                   2.017·(−28))
 *   BT.709 limited: 1.164·104 + (1.793·32, −0.213·(−28) − 0.533·32,
 *                   2.112·(−28))
 *   BT.601 full:    120 + (1.402·32, −0.344·(−28) − 0.714·32,
 *                   1.772·(−28)) */
static void
test_yuv_matrices_follow_their_formulas (void)
{
  static const struct
  {
    DdamfnYuvMatrix matrix;
    double r, g, b;
  } cases[] = {
    {DDAMFN_YUV_BT601, 121.056 + 51.072, 121.056 + 10.976 - 26.016,
        121.056 - 56.476},
    {DDAMFN_YUV_BT709, 121.056 + 57.376, 121.056 + 5.964 - 17.056,
        121.056 - 59.136},
    {DDAMFN_YUV_BT601_FULL, 120 + 44.864, 120 + 9.632 - 22.848, 120 - 49.616},
  };
  DdamfnBox box = { 2, 2, 12, 12 };
  float *t = new_tensor ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    YuvFrame f;

    yuv_frame_init (&f, DDAMFN_PIXEL_I420, 16, 16, cases[i].matrix);
    yuv_frame_fill (&f, 120, 100, 160);
    g_assert_true (ddamfn_preprocess_box (&f.image, &box, 1.f, mean, std, t,
            NULL));
    g_assert_cmpfloat_with_epsilon (pixel_at (t, 0, 50, 60), cases[i].r, 0.2);
    g_assert_cmpfloat_with_epsilon (pixel_at (t, 1, 50, 60), cases[i].g, 0.2);
    g_assert_cmpfloat_with_epsilon (pixel_at (t, 2, 50, 60), cases[i].b, 0.2);
    yuv_frame_clear (&f);
  }
  g_free (t);
}

/* Chroma sample j sits between luma 2j and 2j + 1, so luma x reads chroma
 * at (x + 0.5)/2 − 0.5, the outermost samples extending to the edges. A
 * 112 × 112 full-range I420 frame with Y = 128, V = 72 + 2·column and
 * U = 72 + 2·row, taken whole, gives
 *   R = 128 + 1.402·(V − 128), B = 128 + 1.772·(U − 128),
 *   G = 128 − 0.344136·(U − 128) − 0.714136·(V − 128)
 * at V = 72 + 2·clamp ((u + 0.5)/2 − 0.5, 0, 55), U likewise with v. */
static void
test_chroma_is_read_at_its_sample_positions (void)
{
  YuvFrame f;
  DdamfnBox box = { 0, 0, S, S };
  float *t = new_tensor ();

  yuv_frame_init (&f, DDAMFN_PIXEL_I420, S, S, DDAMFN_YUV_BT601_FULL);
  memset (f.y, 128, S * S);
  for (int j = 0; j < f.ch; j++)
    for (int i = 0; i < f.cw; i++)
      yuv_frame_set_chroma (&f, i, j, (guint8) (72 + 2 * j),
          (guint8) (72 + 2 * i));
  g_assert_true (ddamfn_preprocess_box (&f.image, &box, 1.f, mean, std, t,
          NULL));
  /* Written out: u = 0 and 1 read chroma 0 (clamped) and 0.25. */
  g_assert_cmpfloat_with_epsilon (pixel_at (t, 0, 0, 9),
      128 + 1.402 * (72 - 128), 0.01);
  g_assert_cmpfloat_with_epsilon (pixel_at (t, 0, 1, 9),
      128 + 1.402 * (72.5 - 128), 0.01);
  for (int v = 0; v < S; v++)
    for (int u = 0; u < S; u++) {
      double cu = CLAMP ((u + 0.5) / 2 - 0.5, 0, 55);
      double cv = CLAMP ((v + 0.5) / 2 - 0.5, 0, 55);
      double V = 72 + 2 * cu - 128, U = 72 + 2 * cv - 128;

      g_assert_cmpfloat_with_epsilon (pixel_at (t, 0, u, v),
          128 + 1.402 * V, 0.01);
      g_assert_cmpfloat_with_epsilon (pixel_at (t, 1, u, v),
          128 - 0.344136 * U - 0.714136 * V, 0.01);
      g_assert_cmpfloat_with_epsilon (pixel_at (t, 2, u, v),
          128 + 1.772 * U, 0.01);
    }
  g_free (t);
  yuv_frame_clear (&f);
}

/* I420 and NV12 holding the same samples give bitwise the same tensor. */
static void
test_i420_and_nv12_give_identical_tensors (void)
{
  const int w = 37, h = 29;
  GRand *rand = g_rand_new_with_seed (11);
  YuvFrame a, b;
  DdamfnBox box = { -3.f, 2.5f, 30.f, 33.f };
  const float landmarks[10] = { 12, 10, 25, 11, 19, 17, 14, 24, 24, 24 };
  float *ta = new_tensor (), *tb = new_tensor ();

  yuv_frame_init (&a, DDAMFN_PIXEL_I420, w, h, DDAMFN_YUV_BT709);
  yuv_frame_init (&b, DDAMFN_PIXEL_NV12, w, h, DDAMFN_YUV_BT709);
  for (int i = 0; i < w * h; i++)
    a.y[i] = b.y[i] = (guint8) g_rand_int_range (rand, 0, 256);
  for (int j = 0; j < a.ch; j++)
    for (int i = 0; i < a.cw; i++) {
      guint8 u = (guint8) g_rand_int_range (rand, 0, 256);
      guint8 v = (guint8) g_rand_int_range (rand, 0, 256);

      yuv_frame_set_chroma (&a, i, j, u, v);
      yuv_frame_set_chroma (&b, i, j, u, v);
    }
  g_assert_true (ddamfn_preprocess_box (&a.image, &box, 1.f, mean, std, ta,
          NULL));
  g_assert_true (ddamfn_preprocess_box (&b.image, &box, 1.f, mean, std, tb,
          NULL));
  g_assert_cmpmem (ta, DDAMFN_INPUT_FLOATS * sizeof (float), tb,
      DDAMFN_INPUT_FLOATS * sizeof (float));
  g_assert_true (ddamfn_preprocess_landmarks (&a.image, landmarks, mean, std,
          ta, NULL, NULL));
  g_assert_true (ddamfn_preprocess_landmarks (&b.image, landmarks, mean, std,
          tb, NULL, NULL));
  g_assert_cmpmem (ta, DDAMFN_INPUT_FLOATS * sizeof (float), tb,
      DDAMFN_INPUT_FLOATS * sizeof (float));
  yuv_frame_clear (&a);
  yuv_frame_clear (&b);
  g_free (ta);
  g_free (tb);
  g_rand_free (rand);
}

/* 7 × 5 frames have 4 × 3 chroma planes. Each plane sits between guard
 * bytes that would turn the picture bright or coloured if read (and under
 * valgrind the allocation ends right after the guards): a grey frame must
 * come out as shades of that grey, never brighter, whatever the box. */
static void
check_odd_size_stays_in_bounds (DdamfnPixelFormat format)
{
  enum
  { W = 7, H = 5, CW = 4, CH = 3, GUARD = 64 };
  const DdamfnBox boxes[] = {
    {0, 0, W, H}, {-2, -2, W + 4, H + 4}, {6.9f, 4.9f, 0.1f, 0.1f},
    {-0.5f, -0.5f, 1, 1}, {5, 3, 10, 10}, {-1e6f, -1e6f, 2e6f, 2e6f},
    {3, 2, 1e-3f, 1e-3f},
  };
  const float landmarks[10] = { 1, 1, 5, 1.2f, 3, 2.5f, 1.5f, 4, 5.5f, 3.8f };
  const gsize y_size = W * H, c_size = CW * CH;
  guint8 *buffer = g_malloc (3 * GUARD + y_size + 2 * c_size + GUARD);
  guint8 *y = buffer + GUARD, *u = y + y_size + GUARD, *v = u + c_size;
  DdamfnImage image = {.format = format,.width = W,.height = H,
    .yuv_matrix = DDAMFN_YUV_BT601_FULL
  };
  float *t = new_tensor ();

  /* Guards: luma 255 (white), chroma 0 (strongly coloured). */
  memset (buffer, 0, 3 * GUARD + y_size + 2 * c_size + GUARD);
  memset (buffer, 255, GUARD);
  memset (y + y_size, 255, GUARD);
  memset (y, 100, y_size);
  memset (u, 128, 2 * c_size);
  image.planes[0] = y;
  image.strides[0] = W;
  image.planes[1] = u;
  if (format == DDAMFN_PIXEL_I420) {
    image.planes[2] = v;
    image.strides[1] = image.strides[2] = CW;
  } else {
    image.strides[1] = 2 * CW;
  }

  for (guint i = 0; i <= G_N_ELEMENTS (boxes); i++) {
    gboolean ok = i < G_N_ELEMENTS (boxes) ?
        ddamfn_preprocess_box (&image, &boxes[i], 1.f, mean, std, t, NULL) :
        ddamfn_preprocess_landmarks (&image, landmarks, mean, std, t, NULL,
        NULL);

    g_assert_true (ok);
    for (int p = 0; p < S * S; p++) {
      double r = pixel_at (t, 0, p % S, p / S);
      double g = pixel_at (t, 1, p % S, p / S);
      double b = pixel_at (t, 2, p % S, p / S);

      g_assert_cmpfloat (r, <=, 100.01);
      g_assert_cmpfloat (r, >=, -0.01);
      g_assert_cmpfloat_with_epsilon (g, r, 0.01);
      g_assert_cmpfloat_with_epsilon (b, r, 0.01);
    }
  }
  /* The whole frame taken as the box: its middle is the grey itself. */
  g_assert_true (ddamfn_preprocess_box (&image, &boxes[0], 1.f, mean, std, t,
          NULL));
  g_assert_cmpfloat_with_epsilon (pixel_at (t, 0, 56, 56), 100, 0.01);
  g_free (t);
  g_free (buffer);
}

static void
test_i420_odd_size_stays_in_bounds (void)
{
  check_odd_size_stays_in_bounds (DDAMFN_PIXEL_I420);
}

static void
test_nv12_odd_size_stays_in_bounds (void)
{
  check_odd_size_stays_in_bounds (DDAMFN_PIXEL_NV12);
}

/* ---- validation ---------------------------------------------------- */

/* Asserts that IMAGE is refused with a message containing WANTED, both
 * by ddamfn_image_validate() and by the box path. */
static void
assert_invalid (const DdamfnImage * image, const char *wanted)
{
  DdamfnBox box = { 0, 0, 4, 4 };
  float *t = new_tensor ();
  GError *error = NULL;

  g_assert_false (ddamfn_image_validate (image, &error));
  g_assert_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT);
  if (strstr (error->message, wanted) == NULL)
    g_error ("expected \"%s\" in \"%s\"", wanted, error->message);
  g_clear_error (&error);
  g_assert_false (ddamfn_preprocess_box (image, &box, 1.f, mean, std, t,
          &error));
  g_assert_nonnull (strstr (error->message, wanted));
  g_clear_error (&error);
  g_free (t);
}

static void
test_invalid_images_are_reported (void)
{
  static guint8 p[64 * 64 * 4];
  DdamfnImage image;
  GError *error = NULL;

  assert_invalid (NULL, "image is NULL");

  image = rgb_image (NULL, 8, 8);
  assert_invalid (&image, "plane 0 (pixels) is NULL");

  image = rgb_image (p, 8, 8);
  image.strides[0] = 20;
  assert_invalid (&image, "stride of plane 0 (pixels) is 20 bytes, but a "
      "row needs at least 24");
  image.strides[0] = -24;
  assert_invalid (&image, "negative strides are not supported");

  image = rgb_image (p, 0, 8);
  assert_invalid (&image, "image width 0");
  image = rgb_image (p, -3, 8);
  assert_invalid (&image, "image width -3");
  image = rgb_image (p, 8, 40000);
  assert_invalid (&image, "image height 40000");

  image = rgb_image (p, 8, 8);
  image.format = (DdamfnPixelFormat) 10;
  assert_invalid (&image, "unknown pixel format 10");

  /* I420 without its V plane. */
  image = rgb_image (p, 8, 8);
  image.format = DDAMFN_PIXEL_I420;
  image.strides[0] = 8;
  image.planes[1] = p;
  image.strides[1] = 4;
  image.strides[2] = 4;
  assert_invalid (&image, "plane 2 (V) is NULL");
  image.planes[2] = p;
  g_assert_true (ddamfn_image_validate (&image, NULL));
  image.yuv_matrix = (DdamfnYuvMatrix) 7;
  assert_invalid (&image, "unknown YUV matrix 7");

  /* NV12 7 pixels wide has 4 chroma pairs: 8 bytes per UV row. */
  image = rgb_image (p, 7, 5);
  image.format = DDAMFN_PIXEL_NV12;
  image.strides[0] = 7;
  image.planes[1] = p;
  image.strides[1] = 7;
  assert_invalid (&image, "stride of plane 1 (UV) is 7 bytes, but a row "
      "needs at least 8");
  image.strides[1] = 8;
  g_assert_true (ddamfn_image_validate (&image, &error));
  g_assert_no_error (error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/preprocess/box/crop-of-gradient-is-exact",
      test_box_crop_of_gradient_is_exact);
  g_test_add_func ("/preprocess/box/identity-gives-exact-pixels",
      test_box_identity_gives_exact_pixels);
  g_test_add_func ("/preprocess/box/scale-is-about-the-centre",
      test_box_scale_is_about_the_centre);
  g_test_add_func ("/preprocess/box/outside-frame-is-black",
      test_box_outside_frame_is_black);
  g_test_add_func ("/preprocess/box/taps-outside-contribute-zero",
      test_box_taps_outside_contribute_zero);
  g_test_add_func ("/preprocess/box/hostile-values-fail-or-give-black",
      test_box_hostile_values_fail_or_give_black);
  g_test_add_func ("/preprocess/box/invalid-scale-or-normalisation",
      test_box_invalid_scale_or_normalisation_is_an_error);

  g_test_add_func ("/preprocess/formats/packed-give-identical-tensors",
      test_packed_formats_give_identical_tensors);
  g_test_add_func ("/preprocess/formats/i420-uniform-colour",
      test_i420_uniform_colour);
  g_test_add_func ("/preprocess/formats/nv12-uniform-colour",
      test_nv12_uniform_colour);
  g_test_add_func ("/preprocess/formats/yuv-conversion-clamps",
      test_yuv_conversion_clamps);
  g_test_add_func ("/preprocess/formats/yuv-matrices-follow-their-formulas",
      test_yuv_matrices_follow_their_formulas);
  g_test_add_func ("/preprocess/formats/chroma-read-at-its-sample-positions",
      test_chroma_is_read_at_its_sample_positions);
  g_test_add_func ("/preprocess/formats/i420-and-nv12-give-identical-tensors",
      test_i420_and_nv12_give_identical_tensors);
  g_test_add_func ("/preprocess/formats/i420-odd-size-stays-in-bounds",
      test_i420_odd_size_stays_in_bounds);
  g_test_add_func ("/preprocess/formats/nv12-odd-size-stays-in-bounds",
      test_nv12_odd_size_stays_in_bounds);

  g_test_add_func ("/preprocess/image/invalid-images-are-reported",
      test_invalid_images_are_reported);

  return g_test_run ();
}
