/* Unit tests of the landmark alignment: the similarity fit, the five
 * DDAMFN++ templates, the least-error choice and the warp, for five
 * points (mouth corners) and for BlazeFace's mouth centre.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-images.h"
#include "align-private.h"

/* ---- alignment ----------------------------------------------------- */

/* Points moved by a known similarity (rotation 30°, scale 1.7, translation
 * (12.5, −3.25)) give that similarity back, with ~0 residual. */
static void
test_similarity_recovers_known_transform (void)
{
  const double angle = G_PI / 6, scale = 1.7, tx = 12.5, ty = -3.25;
  const double a = scale * cos (angle), b = scale * sin (angle);
  const float src[10] = { 10, 20, 40, 22, 25, 40, 14, 60, 38, 61 };
  float dst[10];
  double m[6];

  for (int i = 0; i < 5; i++) {
    dst[2 * i] = (float) (a * src[2 * i] - b * src[2 * i + 1] + tx);
    dst[2 * i + 1] = (float) (b * src[2 * i] + a * src[2 * i + 1] + ty);
  }
  g_assert_cmpfloat (ddamfn_align_estimate (src, dst, m), >=, 0);
  g_assert_cmpfloat (ddamfn_align_estimate (src, dst, m), <, 1e-4);
  g_assert_cmpfloat_with_epsilon (m[0], a, 1e-6);
  g_assert_cmpfloat_with_epsilon (m[1], -b, 1e-6);
  g_assert_cmpfloat_with_epsilon (m[2], tx, 1e-4);
  g_assert_cmpfloat_with_epsilon (m[3], b, 1e-6);
  g_assert_cmpfloat_with_epsilon (m[4], a, 1e-6);
  g_assert_cmpfloat_with_epsilon (m[5], ty, 1e-4);
}

/* The residual is the summed Euclidean distance: moving one destination
 * point of an exact fit away adds a known amount in a known case. */
static void
test_similarity_error_is_summed_distance (void)
{
  /* A square onto itself with one corner pushed out along its diagonal:
   * by symmetry the fit is a pure scale about the centre. */
  const float src[10] = { -1, -1, 1, -1, 1, 1, -1, 1, 0, 0 };
  float dst[10];
  double m[6], e;

  memcpy (dst, src, sizeof dst);
  g_assert_cmpfloat_with_epsilon (ddamfn_align_estimate (src, dst, m), 0,
      1e-12);
  /* Scale every point by 2: residual 0, a = 2. */
  for (int i = 0; i < 10; i++)
    dst[i] = 2 * src[i];
  e = ddamfn_align_estimate (src, dst, m);
  g_assert_cmpfloat_with_epsilon (e, 0, 1e-9);
  g_assert_cmpfloat_with_epsilon (m[0], 2, 1e-12);
  g_assert_cmpfloat_with_epsilon (m[3], 0, 1e-12);
  /* Centre point moved by (0, 3): least squares shifts by 3/5 and the
   * residuals are 4 × 0.6 + 2.4 = 4.8. */
  dst[9] = 3;
  e = ddamfn_align_estimate (src, dst, m);
  g_assert_cmpfloat_with_epsilon (m[5], 0.6, 1e-9);
  g_assert_cmpfloat_with_epsilon (e, 4.8, 1e-9);
}

static void
test_similarity_of_coincident_points_is_degenerate (void)
{
  const float same[10] = { 5, 5, 5, 5, 5, 5, 5, 5, 5, 5 };
  const float with_nan[10] = { NAN, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
  const float with_inf[10] = { 0, 1, 2, 3, 4, 5, 6, INFINITY, 8, 9 };
  double m[6];

  g_assert_cmpfloat (ddamfn_align_estimate (same, ddamfn_align_template (2),
          m), <, 0);
  g_assert_cmpfloat (ddamfn_align_estimate (with_nan,
          ddamfn_align_template (2), m), <, 0);
  g_assert_cmpfloat (ddamfn_align_estimate (with_inf,
          ddamfn_align_template (2), m), <, 0);
  /* Collinear but distinct points are fine: two points fix a similarity. */
  {
    const float line[10] = { 0, 0, 1, 1, 2, 2, 3, 3, 4, 4 };

    g_assert_cmpfloat (ddamfn_align_estimate (line, line, m), >=, 0);
    g_assert_cmpfloat_with_epsilon (m[0], 1, 1e-12);
  }
}

static void
test_templates_are_the_published_numbers (void)
{
  const float *frontal = ddamfn_align_template (2);
  const float *left_profile = ddamfn_align_template (0);
  const float *right_profile = ddamfn_align_template (4);

  g_assert_nonnull (frontal);
  g_assert_cmpfloat (frontal[0], ==, 33.566f);
  g_assert_cmpfloat (frontal[1], ==, 40.559f);
  g_assert_cmpfloat (frontal[8], ==, 73.591f);
  g_assert_cmpfloat (frontal[9], ==, 90.276f);
  g_assert_cmpfloat (left_profile[4], ==, 38.075f);
  g_assert_cmpfloat (right_profile[4], ==, 74.266f);
  g_assert_cmpfloat (ddamfn_align_template (1)[2], ==, 72.887f);
  g_assert_cmpfloat (ddamfn_align_template (3)[7], ==, 94.353f);
  g_assert_null (ddamfn_align_template (-1));
  g_assert_null (ddamfn_align_template (5));
}

/* Each template, given as landmarks, selects itself. */
static void
test_each_template_selects_itself (void)
{
  guint8 black[3] = { 0, 0, 0 };
  DdamfnImage image = rgb_image (black, 1, 1);
  float *t = new_tensor ();

  for (int i = 0; i < 5; i++) {
    int which = -1;

    g_assert_true (ddamfn_preprocess_landmarks (&image,
            ddamfn_align_template (i), mean, std, t, &which, NULL));
    g_assert_cmpint (which, ==, i);
  }
  g_free (t);
}

/* DST = T (SRC) for N points, T (x, y) = (a·x − b·y + tx, b·x + a·y + ty). */
static void
similarity_points (double a, double b, double tx, double ty,
    const float *src, float *dst, int n)
{
  for (int i = 0; i < n; i++) {
    dst[2 * i] = (float) (a * src[2 * i] - b * src[2 * i + 1] + tx);
    dst[2 * i + 1] = (float) (b * src[2 * i] + a * src[2 * i + 1] + ty);
  }
}

/* Crop T reads the R = x, G = y gradient at T (u, v) at every pixel. */
static void
assert_crop_is_warp (const float *t, double a, double b, double tx,
    double ty)
{
  for (int v = 0; v < S; v++)
    for (int u = 0; u < S; u++) {
      g_assert_cmpfloat_with_epsilon (pixel_at (t, 0, u, v),
          a * u - b * v + tx, 0.01);
      g_assert_cmpfloat_with_epsilon (pixel_at (t, 1, u, v),
          b * u + a * v + ty, 0.01);
    }
}

/* Landmarks that are the "right" template moved by a known similarity T
 * (rotation 20°, scale 1.5, translation (70, 20)) choose that template, and
 * the warp reads the frame at T(u, v): on the R = x, G = y gradient every
 * output pixel is known. */
static void
test_landmarks_choose_template_and_warp (void)
{
  const double angle = 20 * G_PI / 180, scale = 1.5, tx = 70, ty = 20;
  const double a = scale * cos (angle), b = scale * sin (angle);
  const float *right = ddamfn_align_template (3);
  guint8 *p = gradient_rgb (256, 256);
  DdamfnImage image = rgb_image (p, 256, 256);
  float landmarks[10];
  float *t = new_tensor ();
  int which = -1;

  similarity_points (a, b, tx, ty, right, landmarks, 5);
  g_assert_true (ddamfn_preprocess_landmarks (&image, landmarks, mean, std, t,
          &which, NULL));
  g_assert_cmpint (which, ==, 3);
  /* Written out: (u, v) = (0, 0) → (70, 20); (111, 0) → T = (70 + 111a,
   * 20 + 111b). */
  g_assert_cmpfloat_with_epsilon (pixel_at (t, 0, 0, 0), 70, 0.01);
  g_assert_cmpfloat_with_epsilon (pixel_at (t, 1, 0, 0), 20, 0.01);
  g_assert_cmpfloat_with_epsilon (pixel_at (t, 0, 111, 0), 70 + 111 * a,
      0.01);
  assert_crop_is_warp (t, a, b, tx, ty);
  for (int v = 0; v < S; v++)
    for (int u = 0; u < S; u++)
      g_assert_cmpfloat_with_epsilon (pixel_at (t, 2, u, v), 77, 0.01);
  g_free (t);
  g_free (p);
}

/* A detector with the mouth centre only (BlazeFace) passes it as both
 * mouth corners. Points that are the "left" template's eyes, nose and
 * mouth-corner midpoint moved by a known similarity T (rotation −15°,
 * scale 1.3, translation (40, 50)) choose that template, and the crop is
 * the warp onto it: pixel (u, v) reads the frame at T(u, v). */
static void
test_mouth_centre_aligns_on_four_points (void)
{
  const double angle = -15 * G_PI / 180, scale = 1.3, tx = 40, ty = 50;
  const double a = scale * cos (angle), b = scale * sin (angle);
  const float *left = ddamfn_align_template (1);
  float four[8], landmarks[10];
  guint8 *p = gradient_rgb (256, 256);
  DdamfnImage image = rgb_image (p, 256, 256);
  float *t = new_tensor ();
  int which = -1;

  memcpy (four, left, 6 * sizeof (float));
  four[6] = 0.5f * (left[6] + left[8]);
  four[7] = 0.5f * (left[7] + left[9]);
  similarity_points (a, b, tx, ty, four, landmarks, 4);
  landmarks[8] = landmarks[6];
  landmarks[9] = landmarks[7];
  g_assert_true (ddamfn_preprocess_landmarks (&image, landmarks, mean, std, t,
          &which, NULL));
  g_assert_cmpint (which, ==, 1);
  assert_crop_is_warp (t, a, b, tx, ty);
  g_free (t);
  g_free (p);
}

/* With the mouth given once, each template's four points select it, with
 * zero error; the five-point fit of the same numbers (the mouth centre
 * against both corners) would weigh the mouth twice and not be exact. */
static void
test_mouth_centre_each_template_selects_itself (void)
{
  for (int i = 0; i < 5; i++) {
    const float *tp = ddamfn_align_template (i);
    float lm[10];
    double m[6], err = -1, five;

    memcpy (lm, tp, 6 * sizeof (float));
    lm[6] = lm[8] = 0.5f * (tp[6] + tp[8]);
    lm[7] = lm[9] = 0.5f * (tp[7] + tp[9]);
    g_assert_cmpint (ddamfn_align_choose_template (lm, m, &err), ==, i);
    g_assert_cmpfloat (err, <, 1e-4);
    g_assert_cmpfloat_with_epsilon (m[0], 1.0, 1e-6);
    g_assert_cmpfloat_with_epsilon (m[2], 0.0, 1e-4);
    five = ddamfn_align_estimate (lm, tp, m);
    g_assert_cmpfloat (five, >, err + 5.0);
  }
}

/* The warp is black where it leaves the frame, like cv2.warpAffine with
 * BORDER_CONSTANT 0, and far-away landmarks give a black crop. */
static void
test_landmarks_outside_frame_are_black (void)
{
  guint8 *p = gradient_rgb (64, 64);
  DdamfnImage image = rgb_image (p, 64, 64);
  const float *frontal = ddamfn_align_template (2);
  float landmarks[10];
  float *t = new_tensor ();

  /* The frontal template itself, shifted 40 px left: output u reads frame
   * x = u − 40, so u < 39 is black and u = 50 reads x = 10. */
  for (int i = 0; i < 5; i++) {
    landmarks[2 * i] = frontal[2 * i] - 40;
    landmarks[2 * i + 1] = frontal[2 * i + 1];
  }
  g_assert_true (ddamfn_preprocess_landmarks (&image, landmarks, mean, std, t,
          NULL, NULL));
  g_assert_cmpfloat_with_epsilon (pixel_at (t, 0, 10, 10), 0, 1e-3);
  g_assert_cmpfloat_with_epsilon (pixel_at (t, 2, 10, 10), 0, 1e-3);
  g_assert_cmpfloat_with_epsilon (pixel_at (t, 0, 50, 10), 10, 1e-3);
  g_assert_cmpfloat_with_epsilon (pixel_at (t, 2, 50, 10), 77, 1e-3);

  for (int i = 0; i < 10; i++)
    landmarks[i] = frontal[i] + 1e6f;
  g_assert_true (ddamfn_preprocess_landmarks (&image, landmarks, mean, std, t,
          NULL, NULL));
  g_assert_true (tensor_is_black (t));
  for (int i = 0; i < 10; i++)
    landmarks[i] = frontal[i] * 1e30f;
  g_assert_true (ddamfn_preprocess_landmarks (&image, landmarks, mean, std, t,
          NULL, NULL));
  g_assert_true (tensor_is_black (t));
  g_free (t);
  g_free (p);
}

static void
test_degenerate_landmarks_are_an_error (void)
{
  guint8 *p = gradient_rgb (16, 16);
  DdamfnImage image = rgb_image (p, 16, 16);
  const float same[10] = { 5, 5, 5, 5, 5, 5, 5, 5, 5, 5 };
  const float nan_nose[10] = { 1, 1, 9, 1, NAN, 5, 2, 9, 8, 9 };
  const float inf_mouth[10] = { 1, 1, 9, 1, 5, 5, 2, 9, 8, -INFINITY };
  float *t = new_tensor ();
  int which = 42;
  GError *error = NULL;

  g_assert_false (ddamfn_preprocess_landmarks (&image, same, mean, std, t,
          &which, &error));
  g_assert_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "degenerate"));
  g_assert_nonnull (strstr (error->message, "coincide"));
  g_assert_cmpint (which, ==, 42);
  g_clear_error (&error);

  g_assert_false (ddamfn_preprocess_landmarks (&image, nan_nose, mean, std, t,
          NULL, &error));
  g_assert_nonnull (strstr (error->message, "nose tip"));
  g_assert_nonnull (strstr (error->message, "not finite"));
  g_clear_error (&error);

  g_assert_false (ddamfn_preprocess_landmarks (&image, inf_mouth, mean, std, t,
          NULL, &error));
  g_assert_nonnull (strstr (error->message, "right mouth corner"));
  g_clear_error (&error);
  g_free (t);
  g_free (p);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/preprocess/align/similarity-recovers-known-transform",
      test_similarity_recovers_known_transform);
  g_test_add_func ("/preprocess/align/error-is-summed-distance",
      test_similarity_error_is_summed_distance);
  g_test_add_func ("/preprocess/align/coincident-points-are-degenerate",
      test_similarity_of_coincident_points_is_degenerate);
  g_test_add_func ("/preprocess/align/templates-are-the-published-numbers",
      test_templates_are_the_published_numbers);
  g_test_add_func ("/preprocess/align/each-template-selects-itself",
      test_each_template_selects_itself);
  g_test_add_func ("/preprocess/landmarks/choose-template-and-warp",
      test_landmarks_choose_template_and_warp);
  g_test_add_func ("/preprocess/landmarks/mouth-centre-four-points",
      test_mouth_centre_aligns_on_four_points);
  g_test_add_func ("/preprocess/landmarks/mouth-centre-templates",
      test_mouth_centre_each_template_selects_itself);
  g_test_add_func ("/preprocess/landmarks/outside-frame-is-black",
      test_landmarks_outside_frame_are_black);
  g_test_add_func ("/preprocess/landmarks/degenerate-is-an-error",
      test_degenerate_landmarks_are_an_error);

  return g_test_run ();
}
