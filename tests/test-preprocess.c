/* Preprocessing tests: crops, resizes, alignment and pixel formats against
 * values worked out by hand.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ddamfn-private.h"

#include <math.h>
#include <string.h>

#define S DDAMFN_INPUT_SIZE
static const float mean[3] = { 0.485f, 0.456f, 0.406f };
static const float std[3] = { 0.229f, 0.224f, 0.225f };
/* Identity normalisation: the tensor holds pixel / 255. */
static const float zero3[3] = { 0, 0, 0 };
static const float one3[3] = { 1, 1, 1 };

/* Back to 0…255 from a tensor made with identity normalisation. */
static float
px (const float *t, int c, int v, int u)
{
  return t[(gsize) c * S * S + v * S + u] * 255.f;
}

/* An RGB frame with R = x, G = y, B = 77: bilinear sampling of it is exact. */
static guint8 *
gradient_rgb (int w, int h)
{
  guint8 *p = g_malloc ((gsize) w * h * 3);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      p[(y * w + x) * 3 + 0] = (guint8) x;
      p[(y * w + x) * 3 + 1] = (guint8) y;
      p[(y * w + x) * 3 + 2] = 77;
    }
  return p;
}

static DdamfnImage
rgb_image (const guint8 * p, int w, int h)
{
  DdamfnImage img = {.format = DDAMFN_PIXEL_RGB,.width = w,.height = h };
  img.planes[0] = p;
  img.strides[0] = w * 3;
  return img;
}

static void
test_box_identity_copies_pixels (void)
{
  guint8 *p = gradient_rgb (112, 112);
  DdamfnImage img = rgb_image (p, 112, 112);
  DdamfnBox box = { 0, 0, 112, 112 };
  float *t = g_new (float, DDAMFN_INPUT_FLOATS);

  g_assert_true (ddamfn_preprocess_box (&img, &box, 1.f, zero3, one3, t,
          NULL));
  g_assert_cmpfloat_with_epsilon (px (t, 0, 10, 37), 37, 1e-3);
  g_assert_cmpfloat_with_epsilon (px (t, 1, 10, 37), 10, 1e-3);
  g_assert_cmpfloat_with_epsilon (px (t, 2, 111, 111), 77, 1e-3);
  g_free (t);
  g_free (p);
}

static void
test_box_resize_uses_pixel_centres (void)
{
  /* A 56×56 box at (20, 30) resized ×2: output u samples x = 20 + (u +
   * 0.5)/2 − 0.5, so u = 10 → 24.75, v = 4 → y = 31.75. */
  guint8 *p = gradient_rgb (200, 150);
  DdamfnImage img = rgb_image (p, 200, 150);
  DdamfnBox box = { 20, 30, 56, 56 };
  float *t = g_new (float, DDAMFN_INPUT_FLOATS);

  g_assert_true (ddamfn_preprocess_box (&img, &box, 1.f, zero3, one3, t,
          NULL));
  g_assert_cmpfloat_with_epsilon (px (t, 0, 4, 10), 24.75, 1e-3);
  g_assert_cmpfloat_with_epsilon (px (t, 1, 4, 10), 31.75, 1e-3);
  g_free (t);
  g_free (p);
}

static void
test_box_scale_enlarges_about_centre (void)
{
  /* Box 56×56 centred at (100, 80), scale 2 → 112×112 from (44, 24). */
  guint8 *p = gradient_rgb (200, 150);
  DdamfnImage img = rgb_image (p, 200, 150);
  DdamfnBox box = { 72, 52, 56, 56 };
  float *t = g_new (float, DDAMFN_INPUT_FLOATS);

  g_assert_true (ddamfn_preprocess_box (&img, &box, 2.f, zero3, one3, t,
          NULL));
  g_assert_cmpfloat_with_epsilon (px (t, 0, 0, 0), 44, 1e-3);
  g_assert_cmpfloat_with_epsilon (px (t, 1, 0, 0), 24, 1e-3);
  g_assert_cmpfloat_with_epsilon (px (t, 0, 50, 100), 144, 1e-3);
  g_free (t);
  g_free (p);
}

static void
test_outside_frame_is_black_normalised (void)
{
  guint8 *p = gradient_rgb (50, 50);
  DdamfnImage img = rgb_image (p, 50, 50);
  DdamfnBox box = { -500, -500, 100, 100 };
  float *t = g_new (float, DDAMFN_INPUT_FLOATS);

  g_assert_true (ddamfn_preprocess_box (&img, &box, 1.f, mean, std, t, NULL));
  for (int c = 0; c < 3; c++)
    g_assert_cmpfloat_with_epsilon (t[(gsize) c * S * S + 5000],
        -mean[c] / std[c], 1e-5);
  g_free (t);
  g_free (p);
}

static void
test_normalisation_formula (void)
{
  guint8 p[27];
  DdamfnImage img = rgb_image (p, 3, 3);
  DdamfnBox box = { 1, 1, 1, 1 };       /* all taps on uniform pixels */
  float *t = g_new (float, DDAMFN_INPUT_FLOATS);

  for (int i = 0; i < 9; i++) {
    p[3 * i] = 200;
    p[3 * i + 1] = 100;
    p[3 * i + 2] = 50;
  }

  g_assert_true (ddamfn_preprocess_box (&img, &box, 1.f, mean, std, t, NULL));
  /* The centre of the output maps inside the single pixel. */
  g_assert_cmpfloat_with_epsilon (t[56 * S + 56], (200 / 255.f - 0.485f)
      / 0.229f, 1e-5);
  g_assert_cmpfloat_with_epsilon (t[S * S + 56 * S + 56],
      (100 / 255.f - 0.456f) / 0.224f, 1e-5);
  g_assert_cmpfloat_with_epsilon (t[2 * S * S + 56 * S + 56],
      (50 / 255.f - 0.406f) / 0.225f, 1e-5);
  g_free (t);
}

/* The same random picture in every packed layout gives the same tensor. */
static void
test_packed_formats_agree (void)
{
  const int w = 31, h = 23;
  static const struct
  {
    DdamfnPixelFormat f;
    int r, g, b, bpp;
  } layouts[] = {
    {DDAMFN_PIXEL_RGB, 0, 1, 2, 3}, {DDAMFN_PIXEL_BGR, 2, 1, 0, 3},
    {DDAMFN_PIXEL_RGBX, 0, 1, 2, 4}, {DDAMFN_PIXEL_BGRX, 2, 1, 0, 4},
    {DDAMFN_PIXEL_XRGB, 1, 2, 3, 4}, {DDAMFN_PIXEL_XBGR, 3, 2, 1, 4},
    {DDAMFN_PIXEL_RGBA, 0, 1, 2, 4}, {DDAMFN_PIXEL_BGRA, 2, 1, 0, 4},
  };
  GRand *r = g_rand_new_with_seed (5);
  guint8 *rgb = g_malloc (w * h * 3);
  float *ref = g_new (float, DDAMFN_INPUT_FLOATS);
  float *t = g_new (float, DDAMFN_INPUT_FLOATS);
  DdamfnBox box = { 3.5f, -2.f, 20.f, 25.f };

  for (int i = 0; i < w * h * 3; i++)
    rgb[i] = g_rand_int_range (r, 0, 256);
  for (guint l = 0; l < G_N_ELEMENTS (layouts); l++) {
    int stride = w * layouts[l].bpp + 5;        /* padded rows */
    guint8 *p = g_malloc0 ((gsize) stride * h);
    DdamfnImage img = {.format = layouts[l].f,.width = w,.height = h };
    for (int i = 0; i < w * h; i++) {
      guint8 *q = p + (i / w) * stride + (i % w) * layouts[l].bpp;
      if (layouts[l].bpp == 4)
        memset (q, 0xEE, 4);    /* garbage in the unused byte */
      q[layouts[l].r] = rgb[i * 3];
      q[layouts[l].g] = rgb[i * 3 + 1];
      q[layouts[l].b] = rgb[i * 3 + 2];
    }
    img.planes[0] = p;
    img.strides[0] = stride;
    g_assert_true (ddamfn_preprocess_box (&img, &box, 1.3f, mean, std,
            l == 0 ? ref : t, NULL));
    if (l > 0)
      g_assert_cmpmem (ref, DDAMFN_INPUT_FLOATS * 4, t,
          DDAMFN_INPUT_FLOATS * 4);
    g_free (p);
  }
  g_free (rgb);
  g_free (ref);
  g_free (t);
  g_rand_free (r);
}

/* Uniform YUV frames of odd size: Y=81, U=90, V=240 is pure red in BT.601
 * limited range (R = 1.164·65 + 1.596·112 = 254.4 → 254.4, G ≈ 0, B ≈ 0). */
static void
check_uniform_yuv (DdamfnPixelFormat format)
{
  const int w = 7, h = 5, cw = 4, ch = 3;
  guint8 *y = g_malloc (w * h), *u = g_malloc (cw * ch), *v =
      g_malloc (cw * ch), *uv = g_malloc (2 * cw * ch);
  DdamfnImage img = {.format = format,.width = w,.height = h,.yuv_matrix =
        DDAMFN_YUV_BT601
  };
  DdamfnBox box = { 0, 0, w, h };
  float *t = g_new (float, DDAMFN_INPUT_FLOATS);

  memset (y, 81, w * h);
  memset (u, 90, cw * ch);
  memset (v, 240, cw * ch);
  for (int i = 0; i < cw * ch; i++) {
    uv[2 * i] = 90;
    uv[2 * i + 1] = 240;
  }
  img.planes[0] = y;
  img.strides[0] = w;
  if (format == DDAMFN_PIXEL_I420) {
    img.planes[1] = u;
    img.planes[2] = v;
    img.strides[1] = img.strides[2] = cw;
  } else {
    img.planes[1] = uv;
    img.strides[1] = 2 * cw;
  }
  g_assert_true (ddamfn_preprocess_box (&img, &box, 1.f, zero3, one3, t,
          NULL));
  /* Interior samples only: near the frame edge taps blend with black. */
  for (int pix = 20 * S + 20; pix < 90 * S; pix += 97) {
    if (pix % S < 20 || pix % S > 90)
      continue;
    g_assert_cmpfloat_with_epsilon (t[pix] * 255, 254.44, 0.05);
    g_assert_cmpfloat_with_epsilon (t[S * S + pix] * 255, 0, 0.05);
    g_assert_cmpfloat_with_epsilon (t[2 * S * S + pix] * 255, 0, 0.5);
  }
  g_free (t);
  g_free (y);
  g_free (u);
  g_free (v);
  g_free (uv);
}

static void
test_i420_uniform_colour (void)
{
  check_uniform_yuv (DDAMFN_PIXEL_I420);
}

static void
test_nv12_uniform_colour (void)
{
  check_uniform_yuv (DDAMFN_PIXEL_NV12);
}

static void
test_similarity_recovers_known_transform (void)
{
  const double ang = G_PI / 6, s = 1.7, tx = 12.5, ty = -3.25;
  const double a = s * cos (ang), b = s * sin (ang);
  const float src[10] = { 10, 20, 40, 22, 25, 40, 14, 60, 38, 61 };
  float dst[10];
  double m[6];

  for (int i = 0; i < 5; i++) {
    dst[2 * i] = (float) (a * src[2 * i] - b * src[2 * i + 1] + tx);
    dst[2 * i + 1] = (float) (b * src[2 * i] + a * src[2 * i + 1] + ty);
  }
  g_assert_cmpfloat (ddamfn_align_estimate (src, dst, m), <, 1e-3);
  g_assert_cmpfloat_with_epsilon (m[0], a, 1e-5);
  g_assert_cmpfloat_with_epsilon (m[1], -b, 1e-5);
  g_assert_cmpfloat_with_epsilon (m[2], tx, 1e-4);
  g_assert_cmpfloat_with_epsilon (m[3], b, 1e-5);
  g_assert_cmpfloat_with_epsilon (m[4], a, 1e-5);
  g_assert_cmpfloat_with_epsilon (m[5], ty, 1e-4);
}

/* Landmarks that are the frontal template scaled ×2 and shifted by (30, 40)
 * pick the frontal template, and the warp reads the frame at
 * x = 2u + 30, y = 2v + 40. */
static void
test_landmarks_pick_template_and_warp (void)
{
  guint8 *p = gradient_rgb (255, 255);
  DdamfnImage img = rgb_image (p, 255, 255);
  const float *tpl = ddamfn_align_template (2);
  float lm[10];
  float *t = g_new (float, DDAMFN_INPUT_FLOATS);
  int which = -1;

  for (int i = 0; i < 5; i++) {
    lm[2 * i] = tpl[2 * i] * 2 + 30;
    lm[2 * i + 1] = tpl[2 * i + 1] * 2 + 40;
  }
  g_assert_true (ddamfn_preprocess_landmarks (&img, lm, zero3, one3, t,
          &which, NULL));
  g_assert_cmpint (which, ==, 2);
  g_assert_cmpfloat_with_epsilon (px (t, 0, 20, 50), 130, 1e-2);
  g_assert_cmpfloat_with_epsilon (px (t, 1, 20, 50), 80, 1e-2);
  g_free (t);
  g_free (p);
}

static void
test_templates_are_distinct_choices (void)
{
  /* Each template, given as landmarks, selects itself. */
  guint8 p[3] = { 0 };
  DdamfnImage img = rgb_image (p, 1, 1);
  float *t = g_new (float, DDAMFN_INPUT_FLOATS);

  for (int i = 0; i < 5; i++) {
    int which = -1;
    g_assert_true (ddamfn_preprocess_landmarks (&img,
            ddamfn_align_template (i), mean, std, t, &which, NULL));
    g_assert_cmpint (which, ==, i);
  }
  g_assert_null (ddamfn_align_template (5));
  g_free (t);
}

static void
test_degenerate_landmarks_fail (void)
{
  guint8 p[3] = { 0 };
  DdamfnImage img = rgb_image (p, 1, 1);
  float same[10] = { 5, 5, 5, 5, 5, 5, 5, 5, 5, 5 };
  float nan_lm[10] = { NAN, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
  float *t = g_new (float, DDAMFN_INPUT_FLOATS);
  GError *error = NULL;

  g_assert_false (ddamfn_preprocess_landmarks (&img, same, mean, std, t, NULL,
          &error));
  g_assert_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "degenerate"));
  g_clear_error (&error);
  g_assert_false (ddamfn_preprocess_landmarks (&img, nan_lm, mean, std, t,
          NULL, &error));
  g_assert_nonnull (strstr (error->message, "degenerate"));
  g_clear_error (&error);
  g_free (t);
}

static void
test_hostile_boxes (void)
{
  guint8 *p = gradient_rgb (64, 48);
  DdamfnImage img = rgb_image (p, 64, 48);
  float *t = g_new (float, DDAMFN_INPUT_FLOATS);
  const DdamfnBox bad[] = {
    {NAN, 0, 10, 10}, {0, 0, INFINITY, 10}, {0, 0, 0, 10}, {0, 0, 10, -5},
  };
  const DdamfnBox odd_but_valid[] = {
    {1e30f, 1e30f, 10, 10}, {-1e30f, -1e30f, 1e29f, 1e29f}, {63.9f, 47.9f,
        0.01f, 0.01f}, {-10, -10, 1000, 1000}, {-3e38f, 0, 3e38f, 3e38f},
  };
  GError *error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_assert_false (ddamfn_preprocess_box (&img, &bad[i], 1.f, mean, std, t,
            &error));
    g_assert_nonnull (strstr (error->message, "empty or not finite"));
    g_clear_error (&error);
  }
  for (guint i = 0; i < G_N_ELEMENTS (odd_but_valid); i++)
    g_assert_true (ddamfn_preprocess_box (&img, &odd_but_valid[i], 1.f, mean,
            std, t, NULL));
  g_assert_false (ddamfn_preprocess_box (&img, &odd_but_valid[0], NAN, mean,
          std, t, &error));
  g_assert_nonnull (strstr (error->message, "scale"));
  g_clear_error (&error);
  g_free (t);
  g_free (p);
}

static void
test_invalid_images (void)
{
  guint8 p[64 * 3];
  DdamfnImage img = rgb_image (p, 8, 8);
  DdamfnBox box = { 0, 0, 8, 8 };
  float *t = g_new (float, DDAMFN_INPUT_FLOATS);
  GError *error = NULL;

  img.strides[0] = 20;
  g_assert_false (ddamfn_preprocess_box (&img, &box, 1, mean, std, t,
          &error));
  g_assert_nonnull (strstr (error->message, "stride of at least 24"));
  g_clear_error (&error);

  img = rgb_image (NULL, 8, 8);
  g_assert_false (ddamfn_image_validate (&img, &error));
  g_assert_nonnull (strstr (error->message, "NULL"));
  g_clear_error (&error);

  img = rgb_image (p, 0, 8);
  g_assert_false (ddamfn_image_validate (&img, &error));
  g_assert_nonnull (strstr (error->message, "image size 0×8"));
  g_clear_error (&error);

  img = rgb_image (p, 8, 8);
  img.format = DDAMFN_PIXEL_I420;
  img.strides[0] = 8;
  g_assert_false (ddamfn_image_validate (&img, &error));
  g_assert_nonnull (strstr (error->message, "missing a plane"));
  g_clear_error (&error);
  g_free (t);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/preprocess/box/identity", test_box_identity_copies_pixels);
  g_test_add_func ("/preprocess/box/pixel-centres",
      test_box_resize_uses_pixel_centres);
  g_test_add_func ("/preprocess/box/scale", test_box_scale_enlarges_about_centre);
  g_test_add_func ("/preprocess/box/outside-is-black",
      test_outside_frame_is_black_normalised);
  g_test_add_func ("/preprocess/normalisation", test_normalisation_formula);
  g_test_add_func ("/preprocess/formats/packed-agree", test_packed_formats_agree);
  g_test_add_func ("/preprocess/formats/i420-uniform", test_i420_uniform_colour);
  g_test_add_func ("/preprocess/formats/nv12-uniform", test_nv12_uniform_colour);
  g_test_add_func ("/preprocess/align/known-similarity",
      test_similarity_recovers_known_transform);
  g_test_add_func ("/preprocess/align/template-and-warp",
      test_landmarks_pick_template_and_warp);
  g_test_add_func ("/preprocess/align/each-template",
      test_templates_are_distinct_choices);
  g_test_add_func ("/preprocess/align/degenerate", test_degenerate_landmarks_fail);
  g_test_add_func ("/preprocess/hostile-boxes", test_hostile_boxes);
  g_test_add_func ("/preprocess/invalid-images", test_invalid_images);
  return g_test_run ();
}
