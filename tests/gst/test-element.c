/* Element tests of ddamfnfilter, results: synthetic frames with injected
 * ROIs in every supported format, compared with the engine run directly on
 * the same crops; hostile ROIs; tracking, inference interval and
 * smoothing; a single-task model. State, stream and meta behaviour are in
 * test-element-stream.c.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Environment: DDAMFN_TEST_MODEL (multitask model: VA, 8 expressions, AUs)
 * and DDAMFN_TEST_MODEL_SINGLE (7-class single-task model), written by
 * make-test-model.py with weights whose outputs depend on the face;
 * GST_PLUGIN_PATH must reach the built plugin. Exits 77 (skipped) without
 * the models.
 */
#include "element-common.h"
/* ------------------------------------------------------------------ */
/* Formats                                                              */
/* ------------------------------------------------------------------ */

static const struct
{
  GstVideoFormat format;
  gint width, height;
  const gchar *colorimetry;
} format_cases[] = {
  {GST_VIDEO_FORMAT_RGB, 320, 240, NULL},
  {GST_VIDEO_FORMAT_BGR, 320, 240, NULL},
  {GST_VIDEO_FORMAT_RGBx, 320, 240, NULL},
  {GST_VIDEO_FORMAT_BGRx, 320, 240, NULL},
  {GST_VIDEO_FORMAT_xRGB, 320, 240, NULL},
  {GST_VIDEO_FORMAT_xBGR, 320, 240, NULL},
  {GST_VIDEO_FORMAT_RGBA, 320, 240, NULL},
  {GST_VIDEO_FORMAT_BGRA, 320, 240, NULL},
  {GST_VIDEO_FORMAT_I420, 320, 240, "bt601"},
  {GST_VIDEO_FORMAT_NV12, 320, 240, "bt601"},
  {GST_VIDEO_FORMAT_I420, 320, 240, "bt709"},
  {GST_VIDEO_FORMAT_NV12, 320, 240, "bt709"},
  {GST_VIDEO_FORMAT_I420, 320, 240, "1:4:0:0"},      /* full range (JPEG) */
  {GST_VIDEO_FORMAT_NV12, 320, 240, "1:4:0:0"},
  /* odd sizes: chroma planes round up, rows are padded */
  {GST_VIDEO_FORMAT_I420, 321, 241, "bt601"},
  {GST_VIDEO_FORMAT_NV12, 321, 241, "bt709"},
  {GST_VIDEO_FORMAT_RGB, 321, 241, NULL},
  {GST_VIDEO_FORMAT_BGRx, 321, 241, NULL},
};

GST_START_TEST (test_format_results_equal_engine)
{
  GstVideoInfo info;
  GstHarness *h;
  GstBuffer *in, *out;
  GBytes *before;
  GstDdamfnMeta *meta;
  const struct
  {
    gint id, x, y, w, h;        /* as injected */
    gint cx, cy, cw, ch;        /* clipped */
  } rois[] = {
    {7, 40, 30, 120, 120, 40, 30, 120, 120},
    {8, 200, 100, 64, 80, 200, 100, 64, 80},
    {9, 280, 180, 80, 80, 280, 180, 0, 0},      /* right/bottom edges: clipped */
  };

  info_init (&info, format_cases[__i__].format, format_cases[__i__].width,
      format_cases[__i__].height, format_cases[__i__].colorimetry);
  h = make_harness (make_filter (), &info);

  in = make_frame (&info, __i__);
  for (guint i = 0; i < G_N_ELEMENTS (rois); i++)
    add_roi (in, "face", rois[i].id, rois[i].x, rois[i].y, rois[i].w,
        rois[i].h);
  before = buffer_bytes (in);
  out = gst_harness_push_and_pull (h, in);
  fail_unless (out != NULL);

  assert_pixels_equal (out, before);
  meta = gst_buffer_get_ddamfn_meta (out);
  fail_unless (meta != NULL);
  fail_unless_equals_int (meta->n_faces, 3);
  assert_meta_consistent (out);

  for (guint i = 0; i < G_N_ELEMENTS (rois); i++) {
    const GstDdamfnFace *face = find_face (meta, rois[i].id);
    gint cw = rois[i].cw ? rois[i].cw : info.width - rois[i].cx;
    gint ch = rois[i].ch ? rois[i].ch : info.height - rois[i].cy;
    DdamfnResult r;

    fail_unless (face != NULL);
    fail_unless_equals_int (face->x, rois[i].cx);
    fail_unless_equals_int (face->y, rois[i].cy);
    fail_unless_equals_int (face->w, cw);
    fail_unless_equals_int (face->h, ch);
    fail_unless_equals_int (face->track_id, i + 1);
    engine_result (out, &info, rois[i].cx, rois[i].cy, cw, ch, 1.0f, NULL,
        &r);
    assert_face_equals_result (face, &r);
    fail_unless (face->expr_label != NULL);
    fail_unless (face->expr_label == g_intern_string
        (ddamfn_model_get_expression_label (ref_model, r.expr_index)));
    for (gint k = 0; k < face->n_au; k++)
      fail_unless (face->au_names[k] == g_intern_string
          (ddamfn_model_get_au_name (ref_model, k)));
  }

  g_bytes_unref (before);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_crop_scale_is_applied)
{
  GstVideoInfo info;
  GstHarness *h;
  GstElement *e = make_filter ();
  GstBuffer *in, *out;
  GstDdamfnMeta *meta;
  DdamfnResult r;

  g_object_set (e, "crop-scale", 1.5, NULL);
  info_init (&info, GST_VIDEO_FORMAT_BGRx, 320, 240, NULL);
  h = make_harness (e, &info);
  in = make_frame (&info, 3);
  add_roi (in, "face", 1, 100, 60, 90, 100);
  out = gst_harness_push_and_pull (h, in);
  meta = gst_buffer_get_ddamfn_meta (out);
  fail_unless (meta && meta->n_faces == 1);
  /* the meta keeps the detector's box; the crop is enlarged */
  fail_unless_equals_int (meta->faces[0].w, 90);
  engine_result (out, &info, 100, 60, 90, 100, 1.5f, NULL, &r);
  assert_face_equals_result (&meta->faces[0], &r);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Upstream keeps a reference: the buffer must become writable for the
 * metas without the pixels being copied. */
GST_START_TEST (test_shared_buffer_pixels_not_copied)
{
  GstVideoInfo info;
  GstHarness *h;
  GstBuffer *in, *out;

  info_init (&info, GST_VIDEO_FORMAT_RGB, 320, 240, NULL);
  h = make_harness (make_filter (), &info);
  in = make_frame (&info, 1);
  add_roi (in, "face", 1, 10, 10, 100, 100);

  out = gst_harness_push_and_pull (h, gst_buffer_ref (in));
  fail_unless (out != in);
  fail_unless (gst_buffer_peek_memory (out, 0) == gst_buffer_peek_memory (in,
          0), "the frame memory was copied");
  fail_unless (gst_buffer_get_ddamfn_meta (out) != NULL);
  fail_unless (gst_buffer_get_ddamfn_meta (in) == NULL);
  gst_buffer_unref (out);
  gst_buffer_unref (in);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* Hostile ROIs                                                         */
/* ------------------------------------------------------------------ */

GST_START_TEST (test_hostile_rois_clipped_or_skipped)
{
  GstVideoInfo info;
  GstHarness *h;
  GstElement *e = make_filter ();
  GstBuffer *in, *out;
  GBytes *before;
  GstDdamfnMeta *meta;
  const GstDdamfnFace *f;
  DdamfnResult r;

  info_init (&info, GST_VIDEO_FORMAT_RGBA, 320, 240, NULL);
  h = make_harness (e, &info);
  in = make_frame (&info, 11);
  add_roi (in, "face", 1, -20, -10, 80, 80);    /* negative: 0,0 60x70 */
  add_roi (in, "face", 2, 300, 200, 100, 100);  /* part outside: 20x40 */
  add_roi (in, "face", 3, 400, 10, 50, 50);     /* wholly right */
  add_roi (in, "face", 4, 10, 500, 50, 50);     /* wholly below */
  add_roi (in, "face", 5, -100, -100, 50, 50);  /* wholly above-left */
  add_roi (in, "face", 6, 50, 50, 0, 0);        /* empty */
  add_roi (in, "face", 7, 50, 50, 0, 40);       /* zero width */
  add_roi (in, "face", 8, 60, 60, 1, 1);        /* one pixel */
  add_roi (in, "face", 9, 319, 239, 40, 40);    /* 1x1 after clipping */
  add_roi (in, "face", 10, -5, -5, G_MAXUINT, G_MAXUINT);      /* huge */
  add_roi (in, "face", 11, G_MAXINT, G_MAXINT, G_MAXUINT, G_MAXUINT);
  add_roi (in, "face", 12, 100, 100, 15, 40);   /* below min-face-size */
  before = buffer_bytes (in);
  out = gst_harness_push_and_pull (h, in);

  assert_pixels_equal (out, before);
  meta = gst_buffer_get_ddamfn_meta (out);
  fail_unless (meta != NULL);
  fail_unless_equals_int (meta->n_faces, 3);
  assert_meta_consistent (out);

  f = find_face (meta, 1);
  fail_unless (f && f->x == 0 && f->y == 0 && f->w == 60 && f->h == 70);
  engine_result (out, &info, 0, 0, 60, 70, 1.0f, NULL, &r);
  assert_face_equals_result (f, &r);

  f = find_face (meta, 2);
  fail_unless (f && f->x == 300 && f->y == 200 && f->w == 20 && f->h == 40);
  engine_result (out, &info, 300, 200, 20, 40, 1.0f, NULL, &r);
  assert_face_equals_result (f, &r);

  f = find_face (meta, 10);
  fail_unless (f && f->x == 0 && f->y == 0 && f->w == 320 && f->h == 240);

  for (gint id = 3; id <= 12; id++) {
    GstVideoRegionOfInterestMeta *roi;
    if (id == 10)
      continue;
    fail_unless (find_face (meta, id) == NULL, "ROI %d analysed", id);
    roi = gst_buffer_get_video_region_of_interest_meta_id (out, id);
    fail_unless (gst_video_region_of_interest_meta_get_param (roi,
            "ddamfn") == NULL);
  }

  g_bytes_unref (before);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_tiny_faces_with_min_face_size_zero)
{
  GstVideoInfo info;
  GstHarness *h;
  GstElement *e = make_filter ();
  GstBuffer *in, *out;
  GstDdamfnMeta *meta;
  DdamfnResult r;

  g_object_set (e, "min-face-size", 0, NULL);
  info_init (&info, GST_VIDEO_FORMAT_I420, 64, 48, NULL);
  h = make_harness (e, &info);
  in = make_frame (&info, 5);
  add_roi (in, "face", 1, 10, 10, 1, 1);
  add_roi (in, "face", 2, 63, 47, 5, 5);        /* 1x1 after clipping */
  add_roi (in, "face", 3, 0, 0, 1, 48);
  add_roi (in, "face", 4, 20, 20, 0, 0);        /* still empty */
  out = gst_harness_push_and_pull (h, in);
  meta = gst_buffer_get_ddamfn_meta (out);
  fail_unless (meta != NULL);
  fail_unless_equals_int (meta->n_faces, 3);
  assert_meta_consistent (out);
  engine_result (out, &info, 10, 10, 1, 1, 1.0f, NULL, &r);
  assert_face_equals_result (find_face (meta, 1), &r);
  engine_result (out, &info, 63, 47, 1, 1, 1.0f, NULL, &r);
  assert_face_equals_result (find_face (meta, 2), &r);
  fail_unless (find_face (meta, 4) == NULL);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

typedef struct
{
  gint id;
  guint64 area;
} IdArea;

static gint
compare_area_desc (gconstpointer a, gconstpointer b)
{
  const IdArea *x = a, *y = b;
  if (x->area != y->area)
    return x->area > y->area ? -1 : 1;
  return x->id - y->id;
}

GST_START_TEST (test_ten_thousand_rois_keep_largest)
{
  GstVideoInfo info;
  GstHarness *h;
  GstBuffer *in, *out;
  GstDdamfnMeta *meta;
  GArray *expected = g_array_new (FALSE, FALSE, sizeof (IdArea));
  GRand *rand = g_rand_new_with_seed (42);
  const gint n = 10000;
  gint64 t0;

  info_init (&info, GST_VIDEO_FORMAT_NV12, 640, 480, NULL);
  h = make_harness (make_filter (), &info);
  in = make_frame (&info, 2);
  for (gint i = 0; i < n; i++) {
    gint x = g_rand_int_range (rand, -200, 700);
    gint y = g_rand_int_range (rand, -200, 600);
    gint w = g_rand_int_range (rand, 0, 300);
    gint hh = g_rand_int_range (rand, 0, 300);
    gint x0 = CLAMP (x, 0, 640), y0 = CLAMP (y, 0, 480);
    gint x1 = CLAMP (x + w, 0, 640), y1 = CLAMP (y + hh, 0, 480);
    const gchar *type = (i % 10 == 3) ? "hand" : "face";

    add_roi (in, type, i, x, y, w, hh);
    if (strcmp (type, "face") == 0 && x1 - x0 >= 16 && y1 - y0 >= 16) {
      IdArea ia = { i, (guint64) (x1 - x0) * (y1 - y0) };
      g_array_append_val (expected, ia);
    }
  }
  g_array_sort (expected, compare_area_desc);

  t0 = g_get_monotonic_time ();
  out = gst_harness_push_and_pull (h, in);
  GST_INFO ("10000 ROIs: %.1f ms", (g_get_monotonic_time () - t0) / 1000.0);
  meta = gst_buffer_get_ddamfn_meta (out);
  fail_unless (meta != NULL);
  fail_unless_equals_int (meta->n_faces, 16);
  for (guint i = 0; i < 16; i++) {
    IdArea *ia = &g_array_index (expected, IdArea, i);
    const GstDdamfnFace *f = find_face (meta, ia->id);
    fail_unless (f != NULL, "face %d (rank %u) missing", ia->id, i);
    fail_unless_equals_uint64 ((guint64) f->w * f->h, ia->area);
  }
  assert_meta_consistent (out);

  g_array_unref (expected);
  g_rand_free (rand);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_max_faces_keeps_largest)
{
  GstVideoInfo info;
  GstHarness *h;
  GstElement *e = make_filter ();
  GstBuffer *in, *out;
  GstDdamfnMeta *meta;

  g_object_set (e, "max-faces", 2, NULL);
  info_init (&info, GST_VIDEO_FORMAT_RGB, 320, 240, NULL);
  h = make_harness (e, &info);
  in = make_frame (&info, 4);
  add_roi (in, "face", 1, 0, 0, 20, 20);
  add_roi (in, "face", 2, 30, 0, 90, 90);
  add_roi (in, "face", 3, 130, 0, 40, 40);
  add_roi (in, "face", 4, 180, 0, 60, 70);
  out = gst_harness_push_and_pull (h, in);
  meta = gst_buffer_get_ddamfn_meta (out);
  fail_unless_equals_int (meta->n_faces, 2);
  fail_unless (find_face (meta, 2) && find_face (meta, 4));
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_roi_type_selects_rois)
{
  GstVideoInfo info;
  GstElement *e;
  GstHarness *h;
  GstBuffer *in, *out;
  GstDdamfnMeta *meta;
  const gchar *types[] = { "face", "", "hand" };
  const guint expected[] = { 2, 3, 1 };

  info_init (&info, GST_VIDEO_FORMAT_BGR, 320, 240, NULL);
  for (guint t = 0; t < G_N_ELEMENTS (types); t++) {
    e = make_filter ();
    g_object_set (e, "roi-type", types[t], NULL);
    h = make_harness (e, &info);
    in = make_frame (&info, t);
    add_roi (in, "face", 1, 0, 0, 50, 50);
    add_roi (in, "hand", 2, 100, 0, 50, 50);
    add_roi (in, "face", 3, 200, 0, 50, 50);
    out = gst_harness_push_and_pull (h, in);
    meta = gst_buffer_get_ddamfn_meta (out);
    fail_unless_equals_int (meta->n_faces, expected[t]);
    fail_unless_equals_int (find_face (meta, 2) != NULL, t != 0);
    assert_meta_consistent (out);
    gst_buffer_unref (out);
    gst_harness_teardown (h);
  }
}

GST_END_TEST;

GST_START_TEST (test_frame_without_faces_gets_empty_meta)
{
  GstVideoInfo info;
  GstHarness *h;
  GstBuffer *out;
  GstDdamfnMeta *meta;

  info_init (&info, GST_VIDEO_FORMAT_RGB, 32, 32, NULL);
  h = make_harness (make_filter (), &info);
  out = gst_harness_push_and_pull (h, make_frame (&info, 0));
  meta = gst_buffer_get_ddamfn_meta (out);
  fail_unless (meta != NULL);
  fail_unless_equals_int (meta->n_faces, 0);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* Landmarks                                                            */
/* ------------------------------------------------------------------ */

static void
add_landmarks (GstVideoRegionOfInterestMeta * roi, const float *lm, gint n)
{
  GstStructure *st = gst_structure_new_empty ("landmarks");

  for (gint i = 0; i < n; i++) {
    gchar xn[8], yn[8];
    g_snprintf (xn, sizeof (xn), "x%d", i);
    g_snprintf (yn, sizeof (yn), "y%d", i);
    gst_structure_set (st, xn, G_TYPE_DOUBLE, (gdouble) lm[2 * i], yn,
        G_TYPE_DOUBLE, (gdouble) lm[2 * i + 1], NULL);
  }
  gst_video_region_of_interest_meta_add_param (roi, st);
}

GST_START_TEST (test_landmarks_align_the_face)
{
  GstVideoInfo info;
  GstHarness *h;
  GstBuffer *in, *out;
  GstDdamfnMeta *meta;
  DdamfnResult with_lm, with_box;
  const float lm[10] = { 130, 110, 170, 108, 150, 130, 135, 152, 166, 150 };
  const float bad[10] = { 150, 120, 150, 120, 150, 120, 150, 120, 150, 120 };

  info_init (&info, GST_VIDEO_FORMAT_I420, 320, 240, "bt709");
  h = make_harness (make_filter (), &info);
  in = make_frame (&info, 9);
  add_landmarks (add_roi (in, "face", 1, 110, 80, 90, 100), lm, 5);
  add_landmarks (add_roi (in, "face", 2, 10, 10, 60, 60), lm, 4);       /* incomplete */
  add_landmarks (add_roi (in, "face", 3, 200, 100, 60, 60), bad, 5);    /* degenerate */
  out = gst_harness_push_and_pull (h, in);
  meta = gst_buffer_get_ddamfn_meta (out);
  fail_unless_equals_int (meta->n_faces, 3);
  assert_meta_consistent (out);

  engine_result (out, &info, 0, 0, 0, 0, 1.0f, lm, &with_lm);
  engine_result (out, &info, 110, 80, 90, 100, 1.0f, NULL, &with_box);
  fail_unless (results_differ (&with_lm, &with_box));
  assert_face_equals_result (find_face (meta, 1), &with_lm);

  /* without all five points, or with unusable ones: the box is cropped */
  engine_result (out, &info, 10, 10, 60, 60, 1.0f, NULL, &with_box);
  assert_face_equals_result (find_face (meta, 2), &with_box);
  engine_result (out, &info, 200, 100, 60, 60, 1.0f, NULL, &with_box);
  assert_face_equals_result (find_face (meta, 3), &with_box);

  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* ddamfnfacedetect's six keypoints (layout "blazeface": right eye, left
 * eye, nose tip, mouth centre, ears) align the face on four points: the
 * result is the engine's for the mouth centre given as both corners. */
GST_START_TEST (test_blazeface_keypoints_align_the_face)
{
  GstVideoInfo info;
  GstHarness *h;
  GstBuffer *in, *out;
  GstVideoRegionOfInterestMeta *roi;
  GstDdamfnMeta *meta;
  DdamfnResult expected, five;
  const float kp[12] = { 130, 110, 170, 108, 150, 130, 151, 151, 112, 115,
    188, 112
  };
  const float as_five[10] = { 130, 110, 170, 108, 150, 130, 151, 151, 151,
    151
  };

  info_init (&info, GST_VIDEO_FORMAT_RGB, 320, 240, NULL);
  h = make_harness (make_filter (), &info);
  in = make_frame (&info, 5);
  roi = add_roi (in, "face", 1, 110, 80, 90, 100);
  add_landmarks (roi, kp, 6);
  gst_structure_set (gst_video_region_of_interest_meta_get_param (roi,
          "landmarks"), "layout", G_TYPE_STRING, "blazeface", NULL);
  out = gst_harness_push_and_pull (h, in);
  meta = gst_buffer_get_ddamfn_meta (out);
  fail_unless_equals_int (meta->n_faces, 1);
  engine_result (out, &info, 0, 0, 0, 0, 1.0f, as_five, &expected);
  assert_face_equals_result (find_face (meta, 1), &expected);
  /* read as five points (ears as mouth corners) it would differ */
  engine_result (out, &info, 0, 0, 0, 0, 1.0f, kp, &five);
  fail_unless (results_differ (&expected, &five));
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* Tracking, interval, smoothing                                        */
/* ------------------------------------------------------------------ */

GST_START_TEST (test_inference_interval_reuses_results)
{
  GstVideoInfo info;
  GstElement *e = make_filter ();
  GstHarness *h;
  DdamfnResult inferred;
  const gint n_frames = 10;

  g_object_set (e, "inference-interval", 3, NULL);
  info_init (&info, GST_VIDEO_FORMAT_RGBx, 160, 120, NULL);
  h = make_harness (e, &info);

  for (gint k = 0; k < n_frames; k++) {
    GstBuffer *in = make_frame (&info, 100 + k), *out;
    GstDdamfnMeta *meta;
    DdamfnResult now;

    /* the box moves a little; the track continues */
    add_roi (in, "face", 1, 20 + k, 20, 80, 80);
    out = gst_harness_push_and_pull (h, in);
    meta = gst_buffer_get_ddamfn_meta (out);
    fail_unless_equals_int (meta->n_faces, 1);
    fail_unless_equals_int (meta->faces[0].track_id, 1);
    fail_unless_equals_int (meta->faces[0].x, 20 + k);
    assert_meta_consistent (out);

    engine_result (out, &info, 20 + k, 20, 80, 80, 1.0f, NULL, &now);
    if (k % 3 == 0) {
      inferred = now;
    } else {
      /* the pixels changed, the network would say something else... */
      fail_unless (results_differ (&now, &inferred));
    }
    /* ...yet the element re-attached the result of frame k - k % 3 */
    assert_face_equals_result (&meta->faces[0], &inferred);
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_new_face_is_inferred_at_once)
{
  GstVideoInfo info;
  GstElement *e = make_filter ();
  GstHarness *h;
  GstBuffer *in, *out;
  GstDdamfnMeta *meta;
  DdamfnResult r;

  g_object_set (e, "inference-interval", 100, NULL);
  info_init (&info, GST_VIDEO_FORMAT_RGB, 320, 240, NULL);
  h = make_harness (e, &info);
  in = make_frame (&info, 1);
  add_roi (in, "face", 1, 10, 10, 80, 80);
  gst_buffer_unref (gst_harness_push_and_pull (h, in));

  in = make_frame (&info, 2);
  add_roi (in, "face", 1, 10, 10, 80, 80);
  add_roi (in, "face", 2, 200, 100, 80, 80);
  out = gst_harness_push_and_pull (h, in);
  meta = gst_buffer_get_ddamfn_meta (out);
  fail_unless_equals_int (meta->n_faces, 2);
  fail_unless_equals_int (find_face (meta, 2)->track_id, 2);
  engine_result (out, &info, 200, 100, 80, 80, 1.0f, NULL, &r);
  assert_face_equals_result (find_face (meta, 2), &r);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_smoothing_is_exponential)
{
  GstVideoInfo info;
  GstElement *e = make_filter ();
  GstHarness *h;
  DdamfnResult s;
  const float a = 0.6f;

  g_object_set (e, "smoothing", (gdouble) a, NULL);
  info_init (&info, GST_VIDEO_FORMAT_BGRA, 160, 120, NULL);
  h = make_harness (e, &info);

  for (gint k = 0; k < 5; k++) {
    GstBuffer *in = make_frame (&info, 200 + k), *out;
    GstDdamfnMeta *meta;
    DdamfnResult r;
    const GstDdamfnFace *f;
    gint best = 0;

    add_roi (in, "face", 1, 30, 20, 90, 90);
    out = gst_harness_push_and_pull (h, in);
    meta = gst_buffer_get_ddamfn_meta (out);
    fail_unless_equals_int (meta->n_faces, 1);
    f = &meta->faces[0];
    engine_result (out, &info, 30, 20, 90, 90, 1.0f, NULL, &r);
    if (k == 0) {
      s = r;
    } else {
      s.valence = a * s.valence + (1 - a) * r.valence;
      s.arousal = a * s.arousal + (1 - a) * r.arousal;
      for (gint i = 0; i < s.n_expr; i++)
        s.expr_probs[i] = a * s.expr_probs[i] + (1 - a) * r.expr_probs[i];
      for (gint i = 0; i < s.n_au; i++)
        s.au_probs[i] = a * s.au_probs[i] + (1 - a) * r.au_probs[i];
      s.au_active = 0;
      for (gint i = 0; i < s.n_au; i++)
        if (s.au_probs[i] >= ddamfn_model_get_au_threshold (ref_model, i))
          s.au_active |= 1u << i;
      for (gint i = 1; i < s.n_expr; i++)
        if (s.expr_probs[i] > s.expr_probs[best])
          best = i;
      s.expr_index = best;
      fail_unless (results_differ (&s, &r));
    }
    assert_face_equals_result (f, &s);
    assert_meta_consistent (out);
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);
}

GST_END_TEST;

static GstDdamfnMeta *
push_boxes (GstHarness * h, const GstVideoInfo * info, GstBuffer ** out,
    const gint (*boxes)[4], gint n)
{
  GstBuffer *in = make_frame (info, n);

  for (gint i = 0; i < n; i++)
    add_roi (in, "face", i, boxes[i][0], boxes[i][1], boxes[i][2],
        boxes[i][3]);
  *out = gst_harness_push_and_pull (h, in);
  return gst_buffer_get_ddamfn_meta (*out);
}

GST_START_TEST (test_track_ids_follow_faces_and_reset_on_flush)
{
  GstVideoInfo info;
  GstHarness *h;
  GstBuffer *out;
  GstDdamfnMeta *meta;
  GstSegment segment;
  const gint a[][4] = { {10, 10, 80, 80} };
  const gint ab[][4] = { {14, 12, 80, 80}, {200, 100, 90, 90} };
  const gint b[][4] = { {200, 100, 90, 90} };

  info_init (&info, GST_VIDEO_FORMAT_RGB, 320, 240, NULL);
  h = make_harness (make_filter (), &info);

  meta = push_boxes (h, &info, &out, a, 1);
  fail_unless_equals_int (meta->faces[0].track_id, 1);
  gst_buffer_unref (out);
  meta = push_boxes (h, &info, &out, ab, 2);
  fail_unless_equals_int (find_face (meta, 0)->track_id, 1);
  fail_unless_equals_int (find_face (meta, 1)->track_id, 2);
  gst_buffer_unref (out);

  /* a face unseen for more than five frames loses its track */
  for (gint k = 0; k < 6; k++) {
    meta = push_boxes (h, &info, &out, b, 1);
    fail_unless_equals_int (meta->faces[0].track_id, 2);
    gst_buffer_unref (out);
  }
  meta = push_boxes (h, &info, &out, a, 1);
  fail_unless_equals_int (meta->faces[0].track_id, 3);
  gst_buffer_unref (out);

  /* after a flush the numbering starts again */
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
  gst_segment_init (&segment, GST_FORMAT_TIME);
  fail_unless (gst_harness_push_event (h, gst_event_new_segment (&segment)));
  meta = push_boxes (h, &info, &out, b, 1);
  fail_unless_equals_int (meta->faces[0].track_id, 1);
  gst_buffer_unref (out);

  gst_harness_teardown (h);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* Models                                                               */
/* ------------------------------------------------------------------ */

GST_START_TEST (test_single_task_model_has_no_va_nor_aus)
{
  GstVideoInfo info;
  GstElement *e = make_filter ();
  GstHarness *h;
  GstBuffer *in, *out;
  GstDdamfnMeta *meta;
  GstStructure *st;
  const GstDdamfnFace *f;

  g_object_set (e, "model", single_model_path, NULL);
  info_init (&info, GST_VIDEO_FORMAT_RGB, 160, 120, NULL);
  h = make_harness (e, &info);
  in = make_frame (&info, 1);
  add_roi (in, "face", 1, 10, 10, 80, 80);
  out = gst_harness_push_and_pull (h, in);
  meta = gst_buffer_get_ddamfn_meta (out);
  fail_unless_equals_int (meta->n_faces, 1);
  f = &meta->faces[0];
  fail_if (f->has_va);
  fail_unless_equals_int (f->n_expr, 7);
  fail_unless_equals_int (f->n_au, 0);
  fail_unless (f->expr_label != NULL);
  assert_meta_consistent (out);
  st = gst_video_region_of_interest_meta_get_param
      (gst_buffer_get_video_region_of_interest_meta_id (out, 1), "ddamfn");
  fail_if (gst_structure_has_field (st, "valence"));
  fail_if (gst_structure_has_field (st, "au-active"));
  fail_unless (gst_structure_has_field (st, "expression"));
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

static Suite *
ddamfnfilter_suite (void)
{
  Suite *s = suite_create ("ddamfnfilter");
  TCase *tc_formats = tcase_create ("formats");
  TCase *tc_rois = tcase_create ("rois");
  TCase *tc_tracking = tcase_create ("tracking");

  suite_add_tcase (s, tc_formats);
  tcase_add_loop_test (tc_formats, test_format_results_equal_engine, 0,
      G_N_ELEMENTS (format_cases));
  tcase_add_test (tc_formats, test_crop_scale_is_applied);
  tcase_add_test (tc_formats, test_shared_buffer_pixels_not_copied);
  tcase_add_test (tc_formats, test_single_task_model_has_no_va_nor_aus);

  suite_add_tcase (s, tc_rois);
  tcase_add_test (tc_rois, test_hostile_rois_clipped_or_skipped);
  tcase_add_test (tc_rois, test_tiny_faces_with_min_face_size_zero);
  tcase_add_test (tc_rois, test_ten_thousand_rois_keep_largest);
  tcase_add_test (tc_rois, test_max_faces_keeps_largest);
  tcase_add_test (tc_rois, test_roi_type_selects_rois);
  tcase_add_test (tc_rois, test_frame_without_faces_gets_empty_meta);
  tcase_add_test (tc_rois, test_landmarks_align_the_face);
  tcase_add_test (tc_rois, test_blazeface_keypoints_align_the_face);

  suite_add_tcase (s, tc_tracking);
  tcase_add_test (tc_tracking, test_inference_interval_reuses_results);
  tcase_add_test (tc_tracking, test_new_face_is_inferred_at_once);
  tcase_add_test (tc_tracking, test_smoothing_is_exponential);
  tcase_add_test (tc_tracking, test_track_ids_follow_faces_and_reset_on_flush);

  /* generous: valgrind runs are slow */
  tcase_set_timeout (tc_formats, 3600);
  tcase_set_timeout (tc_rois, 3600);
  tcase_set_timeout (tc_tracking, 3600);
  return s;
}

int
main (int argc, char **argv)
{
  return element_test_main (argc, argv, ddamfnfilter_suite, "ddamfnfilter");
}
