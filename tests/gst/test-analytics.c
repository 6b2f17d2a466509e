/* GStreamer analytics metadata (1.24 and later): ddamfnfilter takes faces
 * given only as object detection entries, analyses a face given both as an
 * ROI and as an object detection once, and relates a classification entry
 * (the expression probabilities) and a tracking entry (the track id) to
 * each face's detection; ddamfnfacedetect's detections are drawn by the
 * upstream objectdetectionoverlay where our faces are.
 *
 *   test-analytics SHARED_DATA_DIR DETECTOR_MODEL [FRAME_OUT.ppm]
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "element-common.h"

#include <gst/analytics/analytics.h>

static const gchar *shared_data_dir, *detector_model, *frame_out;

static GstAnalyticsRelationMeta *
relation_meta (GstBuffer * buf)
{
  GstAnalyticsRelationMeta *rmeta = gst_buffer_get_analytics_relation_meta
      (buf);

  return rmeta ? rmeta : gst_buffer_add_analytics_relation_meta (buf);
}

static guint
add_od (GstBuffer * buf, const gchar * type, gint x, gint y, gint w, gint h,
    gfloat conf)
{
  GstAnalyticsODMtd od;

  fail_unless (gst_analytics_relation_meta_add_od_mtd (relation_meta (buf),
          g_quark_from_string (type), x, y, w, h, conf, &od));
  return od.id;
}

static guint
count_entries (GstBuffer * buf, GstAnalyticsMtdType type)
{
  GstAnalyticsRelationMeta *rmeta = gst_buffer_get_analytics_relation_meta
      (buf);
  gpointer state = NULL;
  GstAnalyticsMtd mtd;
  guint n = 0;

  if (rmeta == NULL)
    return 0;
  while (gst_analytics_relation_meta_iterate (rmeta, &state, type, &mtd))
    n++;
  return n;
}

/* The face of META whose box is X, Y, W, H. */
static const GstDdamfnFace *
face_at (GstDdamfnMeta * meta, gint x, gint y, gint w, gint h)
{
  for (guint i = 0; i < meta->n_faces; i++) {
    const GstDdamfnFace *f = &meta->faces[i];

    if ((gint) f->x == x && (gint) f->y == y && (gint) f->w == w
        && (gint) f->h == h)
      return f;
  }
  return NULL;
}

/* The classification and tracking entries related to detection OD_ID must
 * say what FACE says: the expression labels with its probabilities (the
 * top one its expression) and its track id. */
static void
assert_results_related (GstBuffer * buf, guint od_id,
    const GstDdamfnFace * face)
{
  GstAnalyticsRelationMeta *rmeta = gst_buffer_get_analytics_relation_meta
      (buf);
  GstAnalyticsClsMtd cls;
  GstAnalyticsTrackingMtd trk;
  GstAnalyticsODMtd od;
  gpointer state = NULL;
  guint64 track_id;
  GstClockTime first, last;
  gboolean lost;

  fail_unless (rmeta != NULL);
  fail_unless (face->n_expr > 0);
  fail_unless (gst_analytics_relation_meta_get_direct_related (rmeta, od_id,
          GST_ANALYTICS_REL_TYPE_ANY, gst_analytics_cls_mtd_get_mtd_type (),
          &state, (GstAnalyticsMtd *) & cls));
  fail_unless_equals_int (gst_analytics_cls_mtd_get_length (&cls),
      face->n_expr);
  for (gint k = 0; k < face->n_expr; k++) {
    fail_unless (gst_analytics_cls_mtd_get_level (&cls, k) ==
        face->expr_probs[k]);
    fail_unless_equals_string (g_quark_to_string
        (gst_analytics_cls_mtd_get_quark (&cls, k)),
        ddamfn_model_get_expression_label (ref_model, k));
  }
  fail_unless_equals_string (g_quark_to_string (gst_analytics_cls_mtd_get_quark
          (&cls, face->expr_index)), face->expr_label);
  /* and back: the classification leads to its detection */
  state = NULL;
  fail_unless (gst_analytics_relation_meta_get_direct_related (rmeta, cls.id,
          GST_ANALYTICS_REL_TYPE_IS_PART_OF,
          gst_analytics_od_mtd_get_mtd_type (), &state,
          (GstAnalyticsMtd *) & od));
  fail_unless_equals_int (od.id, od_id);

  state = NULL;
  fail_unless (gst_analytics_relation_meta_get_direct_related (rmeta, od_id,
          GST_ANALYTICS_REL_TYPE_RELATE_TO,
          gst_analytics_tracking_mtd_get_mtd_type (), &state,
          (GstAnalyticsMtd *) & trk));
  fail_unless (gst_analytics_tracking_mtd_get_info (&trk, &track_id, &first,
          &last, &lost));
  fail_unless_equals_uint64 (track_id, face->track_id);
  fail_unless_equals_uint64 (last, GST_BUFFER_PTS (buf));
  fail_if (lost);
}

GST_START_TEST (test_faces_given_only_as_detections_are_analysed)
{
  GstVideoInfo info;
  GstHarness *h;
  GstBuffer *in, *out;
  GstDdamfnMeta *meta;
  guint od_a, od_b;

  info_init (&info, GST_VIDEO_FORMAT_RGB, 320, 240, NULL);
  h = make_harness (make_filter (), &info);
  in = make_frame (&info, 3);
  GST_BUFFER_PTS (in) = 40 * GST_MSECOND;
  od_a = add_od (in, "face", 40, 30, 120, 120, 0.9f);
  od_b = add_od (in, "face", 200, 100, 64, 80, 0.8f);
  add_od (in, "car", 10, 10, 100, 100, 0.99f);  /* not a face: ignored */
  out = gst_harness_push_and_pull (h, in);

  meta = gst_buffer_get_ddamfn_meta (out);
  fail_unless (meta != NULL);
  fail_unless_equals_int (meta->n_faces, 2);
  {
    const GstDdamfnFace *a = face_at (meta, 40, 30, 120, 120);
    const GstDdamfnFace *b = face_at (meta, 200, 100, 64, 80);
    DdamfnResult r;

    fail_unless (a != NULL && b != NULL);
    fail_unless_equals_int (a->roi_id, -1);
    fail_unless_equals_int (b->roi_id, -1);
    fail_unless (a->track_id != b->track_id);
    /* the network saw the same crops as the engine run directly */
    engine_result (out, &info, 40, 30, 120, 120, 1.0f, NULL, &r);
    assert_face_equals_result (a, &r);
    engine_result (out, &info, 200, 100, 64, 80, 1.0f, NULL, &r);
    assert_face_equals_result (b, &r);
    assert_results_related (out, od_a, a);
    assert_results_related (out, od_b, b);
  }
  fail_unless_equals_int (count_entries (out,
          gst_analytics_cls_mtd_get_mtd_type ()), 2);
  fail_unless_equals_int (count_entries (out,
          gst_analytics_tracking_mtd_get_mtd_type ()), 2);
  /* no ROI meta was made up for them */
  fail_unless (gst_buffer_get_video_region_of_interest_meta (out) == NULL);

  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_face_given_both_ways_is_analysed_once)
{
  GstVideoInfo info;
  GstHarness *h;
  GstBuffer *in, *out;
  GstDdamfnMeta *meta;
  GstVideoRegionOfInterestMeta *linked, *same_box;
  guint od_linked, od_same_box, od_alone;

  info_init (&info, GST_VIDEO_FORMAT_RGB, 320, 240, NULL);
  h = make_harness (make_filter (), &info);
  in = make_frame (&info, 4);
  /* linked through the ROI's "analytics" parameter (as ddamfnfacedetect
   * does): the detection's box differs a little, the link decides */
  linked = add_roi (in, "face", 5, 40, 30, 120, 120);
  od_linked = add_od (in, "face", 41, 31, 118, 118, 0.9f);
  gst_video_region_of_interest_meta_add_param (linked,
      gst_structure_new ("analytics", "od-id", G_TYPE_UINT, od_linked, NULL));
  /* no link, but the same type and box: the same face */
  same_box = add_roi (in, "face", 6, 200, 100, 64, 80);
  od_same_box = add_od (in, "face", 200, 100, 64, 80, 0.8f);
  /* a detection of its own */
  od_alone = add_od (in, "face", 150, 160, 60, 60, 0.7f);
  out = gst_harness_push_and_pull (h, in);

  meta = gst_buffer_get_ddamfn_meta (out);
  fail_unless (meta != NULL);
  fail_unless_equals_int (meta->n_faces, 3);
  fail_unless (find_face (meta, 5) != NULL);
  fail_unless (find_face (meta, 6) != NULL);
  fail_unless (face_at (meta, 150, 160, 60, 60) != NULL);
  fail_unless_equals_int (face_at (meta, 150, 160, 60, 60)->roi_id, -1);
  /* one classification per face, each related to the face's detection */
  fail_unless_equals_int (count_entries (out,
          gst_analytics_cls_mtd_get_mtd_type ()), 3);
  fail_unless_equals_int (count_entries (out,
          gst_analytics_od_mtd_get_mtd_type ()), 3);
  assert_results_related (out, od_linked, find_face (meta, 5));
  assert_results_related (out, od_same_box, find_face (meta, 6));
  assert_results_related (out, od_alone, face_at (meta, 150, 160, 60, 60));
  /* the ROI results are still written for ROI consumers */
  assert_roi_param_matches_face (same_box, find_face (meta, 6));
  assert_meta_consistent (out);

  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_roi_only_face_gets_a_linked_detection)
{
  GstVideoInfo info;
  GstHarness *h;
  GstBuffer *in, *out;
  GstDdamfnMeta *meta;
  GstVideoRegionOfInterestMeta *roi;
  GstAnalyticsODMtd od;
  GstStructure *link;
  guint od_id;
  gint x, y, w, hh;
  gfloat conf;

  info_init (&info, GST_VIDEO_FORMAT_I420, 320, 240, NULL);
  h = make_harness (make_filter (), &info);
  in = make_frame (&info, 5);
  add_roi (in, "face", 3, 60, 40, 100, 110);
  gst_video_region_of_interest_meta_add_param
      (gst_buffer_get_video_region_of_interest_meta_id (in, 3),
      gst_structure_new ("detection", "confidence", G_TYPE_DOUBLE, 0.75,
          NULL));
  out = gst_harness_push_and_pull (h, in);

  meta = gst_buffer_get_ddamfn_meta (out);
  fail_unless (meta != NULL);
  fail_unless_equals_int (meta->n_faces, 1);
  roi = gst_buffer_get_video_region_of_interest_meta_id (out, 3);
  fail_unless (roi != NULL);
  link = gst_video_region_of_interest_meta_get_param (roi, "analytics");
  fail_unless (link != NULL);
  fail_unless (gst_structure_get_uint (link, "od-id", &od_id));
  fail_unless (gst_analytics_relation_meta_get_od_mtd
      (gst_buffer_get_analytics_relation_meta (out), od_id, &od));
  fail_unless_equals_string (g_quark_to_string
      (gst_analytics_od_mtd_get_obj_type (&od)), "face");
  fail_unless (gst_analytics_od_mtd_get_location (&od, &x, &y, &w, &hh,
          &conf));
  fail_unless_equals_int (x, 60);
  fail_unless_equals_int (y, 40);
  fail_unless_equals_int (w, 100);
  fail_unless_equals_int (hh, 110);
  fail_unless (conf == 0.75f);
  assert_results_related (out, od_id, find_face (meta, 3));

  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* The detections of ddamfnfacedetect on a real photo: one per ROI, same
 * box and type, linked both ways. */
static void
assert_detections_match_rois (GstBuffer * buf)
{
  GstAnalyticsRelationMeta *rmeta = gst_buffer_get_analytics_relation_meta
      (buf);
  gpointer state = NULL;
  GstMeta *m;
  guint n_rois = 0;

  fail_unless (rmeta != NULL);
  while ((m = gst_buffer_iterate_meta_filtered (buf, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
    GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *) m;
    GstStructure *link = gst_video_region_of_interest_meta_get_param (roi,
        "analytics");
    GstStructure *det = gst_video_region_of_interest_meta_get_param (roi,
        "detection");
    GstAnalyticsODMtd od;
    guint od_id;
    gint x, y, w, h;
    gfloat conf;
    gdouble score;

    fail_unless (link != NULL && gst_structure_get_uint (link, "od-id",
            &od_id));
    fail_unless (gst_analytics_relation_meta_get_od_mtd (rmeta, od_id, &od));
    fail_unless (gst_analytics_od_mtd_get_obj_type (&od) == roi->roi_type);
    fail_unless (gst_analytics_od_mtd_get_location (&od, &x, &y, &w, &h,
            &conf));
    fail_unless (x == (gint) roi->x && y == (gint) roi->y
        && w == (gint) roi->w && h == (gint) roi->h);
    fail_unless (gst_structure_get_double (det, "confidence", &score));
    fail_unless (conf == (gfloat) score);
    /* the landmarks stay reachable from the detection, through its ROI */
    fail_unless (gst_video_region_of_interest_meta_get_param (roi,
            "landmarks") != NULL);
    n_rois++;
  }
  fail_unless (n_rois >= 1);
  fail_unless_equals_int (count_entries (buf,
          gst_analytics_od_mtd_get_mtd_type ()), n_rois);
}

static GstSample *
run_photo_pipeline (const gchar * tail)
{
  gchar *photo = g_build_filename (shared_data_dir, "messi5.jpg", NULL);
  gchar *desc = g_strdup_printf ("filesrc location=\"%s\" ! jpegdec ! "
      "videoconvert ! video/x-raw,format=RGB ! ddamfnfacedetect model=\"%s\" ! "
      "ddamfnfilter model=\"%s\" ! %s appsink name=sink sync=false "
      "caps=video/x-raw,format=RGB", photo, detector_model, model_path, tail);
  GError *error = NULL;
  GstElement *pipe = gst_parse_launch (desc, &error);
  GstElement *sink;
  GstSample *sample;

  fail_unless (pipe != NULL, "%s", error ? error->message : desc);
  sink = gst_bin_get_by_name (GST_BIN (pipe), "sink");
  fail_unless (gst_element_set_state (pipe, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 60 * GST_SECOND);
  fail_unless (sample != NULL, "no frame came out of %s", desc);
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipe);
  g_free (desc);
  g_free (photo);
  return sample;
}

static void
save_ppm (GstVideoFrame * frame, const gchar * path)
{
  FILE *f = fopen (path, "wb");
  gint w = GST_VIDEO_FRAME_WIDTH (frame), h = GST_VIDEO_FRAME_HEIGHT (frame);

  fail_unless (f != NULL);
  fprintf (f, "P6\n%d %d\n255\n", w, h);
  for (gint y = 0; y < h; y++)
    fwrite ((guint8 *) GST_VIDEO_FRAME_PLANE_DATA (frame, 0)
        + y * GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0), 3, w, f);
  fclose (f);
}

static gboolean
is_green (const guint8 * p)
{
  return p[1] >= 200 && p[0] <= 60 && p[2] <= 60;
}

GST_START_TEST (test_objectdetectionoverlay_draws_our_faces)
{
  GstSample *plain, *drawn;
  GstBuffer *buf;
  GstVideoInfo info;
  GstVideoFrame a, b;
  GstAnalyticsRelationMeta *rmeta;
  GstAnalyticsODMtd od;
  gpointer state = NULL;
  guint n_boxes = 0;

  if (gst_element_factory_find ("objectdetectionoverlay") == NULL) {
    /* a skip would hide that the interop is untested: fail */
    fail ("objectdetectionoverlay (gst-plugins-bad, GStreamer 1.24+) is "
        "not installed");
  }
  plain = run_photo_pipeline ("");
  drawn = run_photo_pipeline ("objectdetectionoverlay draw-labels=false "
      "object-detection-outline-color=0xFF00FF00 ! ");
  buf = gst_sample_get_buffer (drawn);
  assert_detections_match_rois (buf);
  fail_unless (gst_buffer_get_ddamfn_meta (buf) != NULL);

  fail_unless (gst_video_info_from_caps (&info, gst_sample_get_caps (drawn)));
  fail_unless (gst_video_frame_map (&a, &info, gst_sample_get_buffer (plain),
          GST_MAP_READ));
  fail_unless (gst_video_frame_map (&b, &info, buf, GST_MAP_READ));
  rmeta = gst_buffer_get_analytics_relation_meta (buf);
  while (gst_analytics_relation_meta_iterate (rmeta, &state,
          gst_analytics_od_mtd_get_mtd_type (), (GstAnalyticsMtd *) & od)) {
    gint x, y, w, h, stride = GST_VIDEO_FRAME_PLANE_STRIDE (&b, 0);
    gfloat conf;
    guint on_edge = 0, samples = 0;
    const guint8 *pa = GST_VIDEO_FRAME_PLANE_DATA (&a, 0);
    const guint8 *pb = GST_VIDEO_FRAME_PLANE_DATA (&b, 0);

    fail_unless (gst_analytics_od_mtd_get_location (&od, &x, &y, &w, &h,
            &conf));
    /* the four edges, corners left out: the outline colour (or next to
     * it, the line may straddle the edge) where the plain frame had none */
    for (gint t = 4; t < w - 4; t++)
      for (gint e = 0; e < 2; e++) {
        gint yy = e ? y + h - 1 : y;
        gboolean hit = FALSE;

        for (gint d = -1; d <= 1; d++) {
          gint row = CLAMP (yy + d, 0, GST_VIDEO_FRAME_HEIGHT (&b) - 1);
          hit |= is_green (pb + row * stride + (x + t) * 3);
        }
        on_edge += hit;
        samples++;
      }
    for (gint t = 4; t < h - 4; t++)
      for (gint e = 0; e < 2; e++) {
        gint xx = e ? x + w - 1 : x;
        gboolean hit = FALSE;

        for (gint d = -1; d <= 1; d++) {
          gint col = CLAMP (xx + d, 0, GST_VIDEO_FRAME_WIDTH (&b) - 1);
          hit |= is_green (pb + (y + t) * stride + col * 3);
        }
        on_edge += hit;
        samples++;
      }
    fail_unless (on_edge >= samples * 95 / 100,
        "box %d,%d %dx%d: %u of %u edge samples drawn", x, y, w, h, on_edge,
        samples);
    /* inside the box the picture is untouched */
    fail_unless (memcmp (pa + (y + h / 2) * stride + (x + w / 4) * 3,
            pb + (y + h / 2) * stride + (x + w / 4) * 3, (w / 2) * 3) == 0);
    n_boxes++;
  }
  fail_unless (n_boxes >= 1);
  if (frame_out)
    save_ppm (&b, frame_out);
  gst_video_frame_unmap (&a);
  gst_video_frame_unmap (&b);
  gst_sample_unref (plain);
  gst_sample_unref (drawn);
}

GST_END_TEST;

static Suite *
analytics_suite (void)
{
  Suite *s = suite_create ("analytics");
  TCase *tc = tcase_create ("general");

  tcase_set_timeout (tc, 120);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_faces_given_only_as_detections_are_analysed);
  tcase_add_test (tc, test_face_given_both_ways_is_analysed_once);
  tcase_add_test (tc, test_roi_only_face_gets_a_linked_detection);
  tcase_add_test (tc, test_objectdetectionoverlay_draws_our_faces);
  return s;
}

int
main (int argc, char **argv)
{
  if (argc < 3) {
    g_printerr ("usage: %s SHARED_DATA_DIR DETECTOR_MODEL [FRAME.ppm]\n",
        argv[0]);
    return 2;
  }
  shared_data_dir = argv[1];
  detector_model = argv[2];
  frame_out = argc > 3 ? argv[3] : NULL;
  return element_test_main (argc, argv, analytics_suite, "test-analytics");
}
