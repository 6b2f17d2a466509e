/* Unit tests of the face detector's pre- and post-processing: anchors,
 * letterbox and tile regions, sampling from every pixel format, decoding
 * of raw outputs, score clipping and weighted non-maximum suppression,
 * against values worked out by hand.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "detector-private.h"

#include <math.h>
#include <string.h>

/* ---- anchors ------------------------------------------------------- */

static void
test_anchors_short_range (void)
{
  const BlazefaceGrid grids[] = { {16, 2}, {8, 6} };
  float *a = g_new (float, 2 * 900);
  int n = blazeface_anchors (grids, 2, 0.5f, a, 900);

  g_assert_cmpint (n, ==, 896);
  /* two anchors per cell of the 16 × 16 grid, row by row */
  g_assert_cmpfloat (a[0], ==, 0.5f / 16);
  g_assert_cmpfloat (a[1], ==, 0.5f / 16);
  g_assert_cmpfloat (a[2], ==, 0.5f / 16);
  g_assert_cmpfloat (a[4], ==, 1.5f / 16);
  g_assert_cmpfloat (a[2 * 32], ==, 0.5f / 16);       /* row 1, column 0 */
  g_assert_cmpfloat (a[2 * 32 + 1], ==, 1.5f / 16);
  /* then six per cell of the 8 × 8 grid */
  g_assert_cmpfloat (a[2 * 512], ==, 0.5f / 8);
  g_assert_cmpfloat (a[2 * 517], ==, 0.5f / 8);
  g_assert_cmpfloat (a[2 * 518], ==, 1.5f / 8);
  g_assert_cmpfloat (a[2 * 895], ==, 7.5f / 8);
  g_assert_cmpfloat (a[2 * 895 + 1], ==, 7.5f / 8);
  g_free (a);
}

static void
test_anchors_full_range_and_limit (void)
{
  const BlazefaceGrid grid = { 48, 1 };
  float *a = g_new (float, 2 * 2304);

  g_assert_cmpint (blazeface_anchors (&grid, 1, 0.5f, a, 2304), ==, 2304);
  g_assert_cmpfloat (a[2 * 49], ==, 1.5f / 48);
  g_assert_cmpfloat (a[2 * 49 + 1], ==, 1.5f / 48);
  g_assert_cmpfloat (a[2 * 2303], ==, 47.5f / 48);
  /* never writes beyond MAX */
  a[2 * 10] = -7.f;
  g_assert_cmpint (blazeface_anchors (&grid, 1, 0.5f, a, 10), ==, 10);
  g_assert_cmpfloat (a[2 * 10], ==, -7.f);
  g_free (a);
}

/* ---- regions ------------------------------------------------------- */

static void
test_letterbox_region (void)
{
  BlazefaceRegion r;

  blazeface_region_letterbox (640, 480, &r);
  g_assert_cmpfloat (r.side, ==, 640.0);
  g_assert_cmpfloat (r.x0, ==, 0.0);
  g_assert_cmpfloat (r.y0, ==, -80.0);
  blazeface_region_letterbox (300, 500, &r);
  g_assert_cmpfloat (r.side, ==, 500.0);
  g_assert_cmpfloat (r.x0, ==, -100.0);
  g_assert_cmpfloat (r.y0, ==, 0.0);
}

static void
test_tiled_regions (void)
{
  BlazefaceRegion r[25];

  /* one tile is the letterbox */
  g_assert_cmpint (blazeface_regions_tiled (1920, 1080, 1, r), ==, 1);
  g_assert_cmpfloat (r[0].side, ==, 1920.0);
  g_assert_cmpfloat (r[0].y0, ==, -420.0);
  /* two: side 1200; 1920 wide needs 1 + ceil (720 / 900) = 2 columns, at
   * 0 and 720; 1080 high fits one row, centred at (1080 − 1200) / 2 */
  g_assert_cmpint (blazeface_regions_tiled (1920, 1080, 2, r), ==, 2);
  g_assert_cmpfloat (r[0].side, ==, 1200.0);
  g_assert_cmpfloat (r[0].x0, ==, 0.0);
  g_assert_cmpfloat (r[1].x0, ==, 720.0);
  g_assert_cmpfloat (r[1].y0, ==, -60.0);
  /* three: side 800; columns 1 + ceil (1120 / 600) = 3 at 0, 560, 1120;
   * rows 1 + ceil (280 / 600) = 2 at 0 and 280 */
  g_assert_cmpint (blazeface_regions_tiled (1920, 1080, 3, r), ==, 6);
  g_assert_cmpfloat (r[0].side, ==, 800.0);
  g_assert_cmpfloat (r[1].x0, ==, 560.0);
  g_assert_cmpfloat (r[2].x0, ==, 1120.0);
  g_assert_cmpfloat (r[3].y0, ==, 280.0);
  g_assert_cmpfloat (r[5].x0, ==, 1120.0);
}

/* ---- sampling ------------------------------------------------------ */

/* A 4 × 2 RGB frame letterboxed into 8 × 8: the frame fills rows 2 … 5
 * (scale 2), rows 0–1 and 6–7 are black (−1). Output pixel (u, v) of the
 * frame part reads frame point ((u + 0.5)/2 − 0.5, (v − 2 + 0.5)/2 − 0.5);
 * with a frame constant along y and R = 40·x, G = 100, B = 250 inside. */
static void
test_letterbox_rgb_values (void)
{
  guint8 px[2][4 * 3];
  DdamfnImage img = { DDAMFN_PIXEL_RGB, 4, 2, {&px[0][0]}, {12},
    DDAMFN_YUV_BT601
  };
  BlazefaceRegion r;
  float out[3 * 64];

  for (int y = 0; y < 2; y++)
    for (int x = 0; x < 4; x++) {
      px[y][3 * x] = (guint8) (40 * x);
      px[y][3 * x + 1] = 100;
      px[y][3 * x + 2] = 250;
    }
  blazeface_region_letterbox (4, 2, &r);
  blazeface_sample_region (&img, &r, 8, out);
  for (int c = 0; c < 3; c++)
    for (int u = 0; u < 8; u++) {
      g_assert_cmpfloat_with_epsilon (out[c * 64 + 0 * 8 + u], -1.f, 1e-6);
      g_assert_cmpfloat_with_epsilon (out[c * 64 + 7 * 8 + u], -1.f, 1e-6);
    }
  /* row 3: frame y = 0.25 (inside, constant along y); column 3: frame
   * x = 1.25 → R = 50 */
  g_assert_cmpfloat_with_epsilon (out[0 * 64 + 3 * 8 + 3],
      50.f / 127.5f - 1.f, 1e-5);
  g_assert_cmpfloat_with_epsilon (out[1 * 64 + 3 * 8 + 3],
      100.f / 127.5f - 1.f, 1e-5);
  g_assert_cmpfloat_with_epsilon (out[2 * 64 + 3 * 8 + 3],
      250.f / 127.5f - 1.f, 1e-5);
  /* row 2: frame y = −0.25, a quarter of the taps outside (black) */
  g_assert_cmpfloat_with_epsilon (out[1 * 64 + 2 * 8 + 3],
      0.75f * 100.f / 127.5f - 1.f, 1e-5);
}

/* The same grey through RGBx, I420 and NV12 (full-range BT.601, where
 * Y = 90, U = V = 128 is R = G = B = 90) gives the same tensor. */
static void
test_letterbox_formats_agree (void)
{
  enum { W = 6, H = 4 };
  guint8 rgbx[H][W * 4], y[H][W], u[2][3], v[2][3], uv[2][6];
  DdamfnImage packed = { DDAMFN_PIXEL_RGBX, W, H, {&rgbx[0][0]}, {W * 4},
    DDAMFN_YUV_BT601
  };
  DdamfnImage i420 = { DDAMFN_PIXEL_I420, W, H,
    {&y[0][0], &u[0][0], &v[0][0]}, {W, 3, 3}, DDAMFN_YUV_BT601_FULL
  };
  DdamfnImage nv12 = { DDAMFN_PIXEL_NV12, W, H, {&y[0][0], &uv[0][0]},
    {W, 6}, DDAMFN_YUV_BT601_FULL
  };
  BlazefaceRegion r;
  float a[3 * 100], b[3 * 100], c[3 * 100];

  memset (rgbx, 90, sizeof rgbx);
  memset (y, 90, sizeof y);
  memset (u, 128, sizeof u);
  memset (v, 128, sizeof v);
  memset (uv, 128, sizeof uv);
  g_assert_true (ddamfn_image_validate (&packed, NULL));
  g_assert_true (ddamfn_image_validate (&i420, NULL));
  g_assert_true (ddamfn_image_validate (&nv12, NULL));
  blazeface_region_letterbox (W, H, &r);
  blazeface_sample_region (&packed, &r, 10, a);
  blazeface_sample_region (&i420, &r, 10, b);
  blazeface_sample_region (&nv12, &r, 10, c);
  for (int i = 0; i < 300; i++) {
    g_assert_cmpfloat_with_epsilon (a[i], b[i], 1e-5);
    g_assert_cmpfloat_with_epsilon (a[i], c[i], 1e-5);
  }
  /* centre pixel is inside: 90 / 127.5 − 1 */
  g_assert_cmpfloat_with_epsilon (a[5 * 10 + 5], 90.f / 127.5f - 1.f, 1e-5);
}

/* ---- decoding ------------------------------------------------------ */

static void
test_decode_maps_to_frame_pixels (void)
{
  /* two anchors at (0.25, 0.5) and (0.75, 0.5); input size 100; region
   * of a 640 × 480 letterbox (side 640, y0 = −80) */
  const float anchors[4] = { 0.25f, 0.5f, 0.75f, 0.5f };
  float scores[2] = { 2.f, -3.f };
  float reg[2 * BLAZEFACE_N_REGRESSORS] = { 0 };
  BlazefaceRegion r = { 0.0, -80.0, 640.0 };
  BlazefaceCandidate c[2];
  int n;

  /* centre +5 px, +10 px of input; size 20 × 40 px; keypoint k at
   * (k, −k) px from the anchor */
  reg[0] = 5.f;
  reg[1] = 10.f;
  reg[2] = 20.f;
  reg[3] = 40.f;
  for (int k = 0; k < 6; k++) {
    reg[4 + 2 * k] = (float) k;
    reg[5 + 2 * k] = (float) -k;
  }
  n = blazeface_decode (scores, reg, anchors, 2, 100, &r, 0.5f, c, 2);
  g_assert_cmpint (n, ==, 1);
  g_assert_cmpint (c[0].anchor, ==, 0);
  g_assert_cmpfloat_with_epsilon (c[0].score, 1.0 / (1.0 + exp (-2.0)),
      1e-6);
  /* cx = 0.05 + 0.25 = 0.30 → 192 px; w = 0.2 → 128 px;
   * cy = 0.10 + 0.5 = 0.6 → 0.6·640 − 80 = 304; h = 0.4 → 256 px */
  g_assert_cmpfloat_with_epsilon (c[0].xmin, 192.f - 64.f, 1e-3);
  g_assert_cmpfloat_with_epsilon (c[0].xmax, 192.f + 64.f, 1e-3);
  g_assert_cmpfloat_with_epsilon (c[0].ymin, 304.f - 128.f, 1e-3);
  g_assert_cmpfloat_with_epsilon (c[0].ymax, 304.f + 128.f, 1e-3);
  /* keypoint 3: (0.03 + 0.25)·640 = 179.2, (−0.03 + 0.5)·640 − 80 */
  g_assert_cmpfloat_with_epsilon (c[0].keypoints[6], 179.2f, 1e-3);
  g_assert_cmpfloat_with_epsilon (c[0].keypoints[7], 220.8f, 1e-3);
}

static void
test_decode_clips_and_drops_non_finite (void)
{
  const float anchors[8] = { 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f };
  float scores[4] = { 1e30f, -INFINITY, NAN, 50.f };
  float reg[4 * BLAZEFACE_N_REGRESSORS];
  BlazefaceRegion r = { 0.0, 0.0, 128.0 };
  BlazefaceCandidate c[4];
  int n;

  for (int i = 0; i < 4 * BLAZEFACE_N_REGRESSORS; i++)
    reg[i] = 1.f;
  reg[3 * BLAZEFACE_N_REGRESSORS + 7] = NAN;    /* anchor 3: bad keypoint */
  n = blazeface_decode (scores, reg, anchors, 4, 128, &r, 0.5f, c, 4);
  g_assert_cmpint (n, ==, 1);
  g_assert_cmpint (c[0].anchor, ==, 0);
  /* sigmoid (100) is 1 in float */
  g_assert_cmpfloat (c[0].score, ==, 1.f);
  g_assert_true (isfinite (c[0].xmin));
  /* −inf and NaN clip to −100: score ≈ 4e-44, kept at threshold 0 */
  n = blazeface_decode (scores, reg, anchors, 3, 128, &r, 0.f, c, 4);
  g_assert_cmpint (n, ==, 3);
  g_assert_cmpfloat (c[1].score, <, 1e-40f);
  g_assert_cmpfloat (c[2].score, <, 1e-40f);
  /* never more than MAX */
  g_assert_cmpint (blazeface_decode (scores, reg, anchors, 3, 128, &r, 0.f,
          c, 2), ==, 2);
}

/* ---- weighted NMS --------------------------------------------------- */

static BlazefaceCandidate
cand (float score, int anchor, float x0, float y0, float x1, float y1,
    float kp)
{
  BlazefaceCandidate c = { score, anchor, x0, y0, x1, y1, {0} };

  for (int k = 0; k < 12; k++)
    c.keypoints[k] = kp;
  return c;
}

static void
test_iou (void)
{
  BlazefaceCandidate a = cand (1, 0, 0, 0, 10, 10, 0);
  BlazefaceCandidate b = cand (1, 0, 5, 0, 15, 10, 0);
  BlazefaceCandidate e = cand (1, 0, 5, 5, 5, 9, 0);

  /* overlap 50, union 150 */
  g_assert_cmpfloat_with_epsilon (blazeface_iou (&a, &b), 1.f / 3.f, 1e-6);
  g_assert_cmpfloat (blazeface_iou (&a, &e), ==, 0.f);
  g_assert_cmpfloat (blazeface_iou (&a, &a), ==, 1.f);
}

static void
test_weighted_nms_merges_overlaps (void)
{
  BlazefaceCandidate c[4];
  int n;

  /* 0.6 and 0.9 overlap (IoU 0.82); 0.8 far away; 0.3 overlaps the 0.8 by
   * IoU 1/3 < 0.4 */
  c[0] = cand (0.6f, 0, 1, 0, 11, 10, 20);
  c[1] = cand (0.8f, 1, 100, 100, 110, 110, 50);
  c[2] = cand (0.9f, 2, 0, 0, 10, 10, 10);
  c[3] = cand (0.3f, 3, 105, 100, 115, 110, 60);
  n = blazeface_weighted_nms (c, 4, 0.4f);
  g_assert_cmpint (n, ==, 3);
  /* first: the 0.9 group, score kept, box = (0.9·b + 0.6·b') / 1.5 */
  g_assert_cmpfloat (c[0].score, ==, 0.9f);
  g_assert_cmpint (c[0].anchor, ==, 2);
  g_assert_cmpfloat_with_epsilon (c[0].xmin, 0.6f / 1.5f, 1e-6);
  g_assert_cmpfloat_with_epsilon (c[0].xmax, (0.9f * 10 + 0.6f * 11) / 1.5f,
      1e-5);
  g_assert_cmpfloat_with_epsilon (c[0].keypoints[11],
      (0.9f * 10 + 0.6f * 20) / 1.5f, 1e-5);
  g_assert_cmpfloat (c[1].score, ==, 0.8f);
  g_assert_cmpfloat (c[1].xmin, ==, 100.f);
  g_assert_cmpfloat (c[2].score, ==, 0.3f);
  g_assert_cmpfloat (c[2].keypoints[0], ==, 60.f);
  /* at IoU 0.3 the 0.3 joins the 0.8 */
  c[0] = cand (0.6f, 0, 1, 0, 11, 10, 20);
  c[1] = cand (0.8f, 1, 100, 100, 110, 110, 50);
  c[2] = cand (0.9f, 2, 0, 0, 10, 10, 10);
  c[3] = cand (0.3f, 3, 105, 100, 115, 110, 60);
  g_assert_cmpint (blazeface_weighted_nms (c, 4, 0.3f), ==, 2);
  g_assert_cmpfloat_with_epsilon (c[1].xmin, (0.8f * 100 + 0.3f * 105) /
      1.1f, 1e-4);
  g_assert_cmpint (blazeface_weighted_nms (c, 0, 0.3f), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/detector/anchors/short-range", test_anchors_short_range);
  g_test_add_func ("/detector/anchors/full-range-and-limit",
      test_anchors_full_range_and_limit);
  g_test_add_func ("/detector/regions/letterbox", test_letterbox_region);
  g_test_add_func ("/detector/regions/tiles", test_tiled_regions);
  g_test_add_func ("/detector/sample/letterbox-rgb-values",
      test_letterbox_rgb_values);
  g_test_add_func ("/detector/sample/formats-agree",
      test_letterbox_formats_agree);
  g_test_add_func ("/detector/decode/frame-pixels",
      test_decode_maps_to_frame_pixels);
  g_test_add_func ("/detector/decode/clip-and-non-finite",
      test_decode_clips_and_drops_non_finite);
  g_test_add_func ("/detector/nms/iou", test_iou);
  g_test_add_func ("/detector/nms/weighted-merge",
      test_weighted_nms_merges_overlaps);
  return g_test_run ();
}
