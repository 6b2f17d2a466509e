/* ddamfnfacedetect with a synthetic BlazeFace-shaped model
 * (make-detector-model.py: random weights, deterministic detections):
 * what the element attaches, whatever the pixel format, the interval, the
 * state changes and caps changes; errors for missing models.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include <string.h>

typedef struct
{
  guint x, y, w, h;
  gint id;
  gdouble conf, kp[12];
} Roi;

static GstElement *
make_detector (void)
{
  GstElement *e = gst_element_factory_make ("ddamfnfacedetect", NULL);

  fail_unless (e != NULL);
  /* the synthetic model's boxes are small: keep every one of them */
  g_object_set (e, "model", g_getenv ("DDAMFN_TEST_DETECTOR"),
      "min-confidence", 0.0, "min-face-size", 0, NULL);
  return e;
}

/* A harness around E, which it owns from then on (E stays usable until
 * the teardown). The harness takes a reference of its own and leaves the
 * caller's floating one alone: ours is sunk and dropped here, or E leaks
 * (LeakSanitizer found it). */
static GstHarness *
harness (GstElement * e, GstVideoFormat format, gint w, gint h)
{
  GstHarness *hn;
  GstVideoInfo info;
  GstCaps *caps;

  gst_object_ref_sink (e);
  hn = gst_harness_new_with_element (e, "sink", "src");
  gst_object_unref (e);

  gst_video_info_set_format (&info, format, w, h);
  caps = gst_video_info_to_caps (&info);
  gst_caps_set_simple (caps, "framerate", GST_TYPE_FRACTION, 25, 1, NULL);
  gst_harness_set_src_caps (hn, caps);
  return hn;
}

/* A picture as FORMAT: R = 2x, G = 2y, B = 100 (x, y on a 128 grid),
 * the same colours in every packed layout. */
static GstBuffer *
picture (GstVideoFormat format, gint w, gint h, guint shift)
{
  GstVideoInfo info;
  GstVideoFrame f;
  GstBuffer *b;

  gst_video_info_set_format (&info, format, w, h);
  b = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&info), NULL);
  fail_unless (gst_video_frame_map (&f, &info, b, GST_MAP_WRITE));
  for (gint y = 0; y < h; y++)
    for (gint x = 0; x < w; x++) {
      const guint8 rgb[3] = { (guint8) (((x + shift) * 2) & 0xff),
        (guint8) ((y * 2) & 0xff), 100
      };
      if (GST_VIDEO_INFO_IS_RGB (&info)) {
        guint8 *p = (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&f, 0)
            + y * GST_VIDEO_FRAME_PLANE_STRIDE (&f, 0)
            + x * GST_VIDEO_FRAME_COMP_PSTRIDE (&f, 0);
        for (gint c = 0; c < 3; c++)
          p[GST_VIDEO_FRAME_COMP_OFFSET (&f, c)] = rgb[c];
      } else {
        guint8 *yp = (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&f, 0);
        yp[y * GST_VIDEO_FRAME_PLANE_STRIDE (&f, 0) + x] = rgb[0] / 2 + 60;
        if (!(x & 1) && !(y & 1)) {
          gint cx = x / 2, cy = y / 2;
          if (format == GST_VIDEO_FORMAT_I420) {
            ((guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&f, 1))[cy *
                GST_VIDEO_FRAME_PLANE_STRIDE (&f, 1) + cx] = rgb[1];
            ((guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&f, 2))[cy *
                GST_VIDEO_FRAME_PLANE_STRIDE (&f, 2) + cx] = 128;
          } else {
            guint8 *uv = (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&f, 1)
                + cy * GST_VIDEO_FRAME_PLANE_STRIDE (&f, 1) + 2 * cx;
            uv[0] = rgb[1];
            uv[1] = 128;
          }
        }
      }
    }
  gst_video_frame_unmap (&f);
  return b;
}

/* The face ROIs of B in id order; checks ids 0 … n − 1, each reachable,
 * each with its parameters. */
static guint
rois (GstBuffer * b, Roi * out, guint max)
{
  guint n = 0;
  gpointer state = NULL;
  GstMeta *m;

  /* memcmp compares whole records, padding included */
  memset (out, 0, sizeof (Roi) * max);
  while ((m = gst_buffer_iterate_meta_filtered (b, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE)))
    n++;
  fail_unless (n <= max);
  for (guint i = 0; i < n; i++) {
    GstVideoRegionOfInterestMeta *r =
        gst_buffer_get_video_region_of_interest_meta_id (b, (gint) i);
    GstStructure *det, *lm;

    fail_unless (r != NULL, "no ROI with id %u of %u", i, n);
    fail_unless (r->roi_type == g_quark_from_static_string ("face"));
    det = gst_video_region_of_interest_meta_get_param (r, "detection");
    lm = gst_video_region_of_interest_meta_get_param (r, "landmarks");
    fail_unless (det && lm);
    fail_unless (gst_structure_get_double (det, "confidence", &out[i].conf));
    fail_unless_equals_string (gst_structure_get_string (lm, "layout"),
        "blazeface");
    for (gint k = 0; k < 6; k++) {
      gchar xn[4], yn[4];
      g_snprintf (xn, sizeof xn, "x%d", k);
      g_snprintf (yn, sizeof yn, "y%d", k);
      fail_unless (gst_structure_get_double (lm, xn, &out[i].kp[2 * k]));
      fail_unless (gst_structure_get_double (lm, yn, &out[i].kp[2 * k + 1]));
    }
    out[i].x = r->x;
    out[i].y = r->y;
    out[i].w = r->w;
    out[i].h = r->h;
    out[i].id = r->id;
    /* clipped to the frame */
    fail_unless (r->w > 0 && r->h > 0);
  }
  return n;
}

static guint
detect_once (GstVideoFormat format, gint w, gint h, Roi * out, guint max)
{
  GstHarness *hn = harness (make_detector (), format, w, h);
  GstBuffer *b = gst_harness_push_and_pull (hn, picture (format, w, h, 0));
  guint n = rois (b, out, max);

  for (guint i = 0; i < n; i++)
    fail_unless (out[i].x + out[i].w <= (guint) w
        && out[i].y + out[i].h <= (guint) h);
  gst_buffer_unref (b);
  gst_harness_teardown (hn);
  return n;
}

GST_START_TEST (test_packed_formats_give_the_same_faces)
{
  const GstVideoFormat formats[] = { GST_VIDEO_FORMAT_BGR,
    GST_VIDEO_FORMAT_RGBx, GST_VIDEO_FORMAT_BGRx, GST_VIDEO_FORMAT_xRGB,
    GST_VIDEO_FORMAT_xBGR, GST_VIDEO_FORMAT_RGBA, GST_VIDEO_FORMAT_BGRA,
    GST_VIDEO_FORMAT_ARGB, GST_VIDEO_FORMAT_ABGR
  };
  Roi ref[16], got[16];
  guint n = detect_once (GST_VIDEO_FORMAT_RGB, 160, 120, ref, 16);

  fail_unless (n >= 1, "the synthetic model finds something at 0");
  for (guint f = 0; f < G_N_ELEMENTS (formats); f++) {
    fail_unless_equals_int (detect_once (formats[f], 160, 120, got, 16), n);
    for (guint i = 0; i < n; i++)
      fail_unless (memcmp (&ref[i], &got[i], sizeof ref[i]) == 0,
          "format %d face %u differs", formats[f], i);
  }
}

GST_END_TEST;

GST_START_TEST (test_i420_and_nv12_give_the_same_faces)
{
  Roi a[16], b[16];
  guint n = detect_once (GST_VIDEO_FORMAT_I420, 161, 121, a, 16);

  fail_unless_equals_int (detect_once (GST_VIDEO_FORMAT_NV12, 161, 121, b,
          16), n);
  for (guint i = 0; i < n; i++)
    fail_unless (memcmp (&a[i], &b[i], sizeof a[i]) == 0);
}

GST_END_TEST;

GST_START_TEST (test_max_faces_and_confidence)
{
  GstElement *e = make_detector ();
  GstHarness *hn = harness (e, GST_VIDEO_FORMAT_RGB, 160, 120);
  Roi r[16];
  GstBuffer *b;
  guint n;

  g_object_set (e, "max-faces", 1, NULL);
  b = gst_harness_push_and_pull (hn, picture (GST_VIDEO_FORMAT_RGB, 160, 120,
          0));
  fail_unless_equals_int (rois (b, r, 16), 1);
  gst_buffer_unref (b);
  g_object_set (e, "max-faces", 16, "min-confidence", 1.0, NULL);
  b = gst_harness_push_and_pull (hn, picture (GST_VIDEO_FORMAT_RGB, 160, 120,
          0));
  n = rois (b, r, 16);
  for (guint i = 0; i < n; i++)
    fail_unless (r[i].conf >= 1.0);
  gst_buffer_unref (b);
  gst_harness_teardown (hn);
}

GST_END_TEST;

/* Between detections the last faces are attached again; a flush forgets
 * them. */
GST_START_TEST (test_inference_interval_repeats_faces)
{
  GstElement *e = make_detector ();
  GstHarness *hn = harness (e, GST_VIDEO_FORMAT_RGB, 160, 120);
  Roi first[16], again[16], fresh[16];
  GstSegment seg;
  GstBuffer *b;
  guint n0, n1;

  g_object_set (e, "inference-interval", 3, NULL);
  b = gst_harness_push_and_pull (hn, picture (GST_VIDEO_FORMAT_RGB, 160, 120,
          0));
  n0 = rois (b, first, 16);
  gst_buffer_unref (b);
  /* a different picture, not looked at: the same faces */
  b = gst_harness_push_and_pull (hn, picture (GST_VIDEO_FORMAT_RGB, 160, 120,
          40));
  fail_unless_equals_int (rois (b, again, 16), n0);
  fail_unless (memcmp (first, again, n0 * sizeof (Roi)) == 0);
  gst_buffer_unref (b);
  /* after a flush the new picture is looked at */
  gst_harness_push_event (hn, gst_event_new_flush_start ());
  gst_harness_push_event (hn, gst_event_new_flush_stop (TRUE));
  gst_segment_init (&seg, GST_FORMAT_TIME);
  gst_harness_push_event (hn, gst_event_new_segment (&seg));
  b = gst_harness_push_and_pull (hn, picture (GST_VIDEO_FORMAT_RGB, 160, 120,
          40));
  n1 = rois (b, fresh, 16);
  fail_unless (n1 != n0 || memcmp (first, fresh, n0 * sizeof (Roi)) != 0,
      "the shifted picture gives other faces");
  gst_buffer_unref (b);
  gst_harness_teardown (hn);
}

GST_END_TEST;

GST_START_TEST (test_caps_change_and_state_cycles)
{
  GstElement *e = make_detector ();
  GstHarness *hn = harness (e, GST_VIDEO_FORMAT_RGB, 160, 120);
  GstBuffer *b;
  Roi r[16];

  b = gst_harness_push_and_pull (hn, picture (GST_VIDEO_FORMAT_RGB, 160, 120,
          0));
  gst_buffer_unref (b);
  gst_harness_set_src_caps_str (hn, "video/x-raw,format=NV12,width=33,"
      "height=17,framerate=25/1");
  b = gst_harness_push_and_pull (hn, picture (GST_VIDEO_FORMAT_NV12, 33, 17,
          0));
  rois (b, r, 16);
  gst_buffer_unref (b);
  for (int i = 0; i < 3; i++) {
    fail_unless (gst_element_set_state (e, GST_STATE_NULL)
        == GST_STATE_CHANGE_SUCCESS);
    fail_unless (gst_element_set_state (e, GST_STATE_PLAYING)
        != GST_STATE_CHANGE_FAILURE);
  }
  gst_harness_teardown (hn);
}

GST_END_TEST;

GST_START_TEST (test_missing_model_is_an_error)
{
  GstElement *e = gst_element_factory_make ("ddamfnfacedetect", NULL);
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  GError *err = NULL;
  gchar *debug = NULL;

  g_object_set (e, "model", "/nonexistent/blazeface.safetensors", NULL);
  gst_element_set_bus (e, bus);
  fail_unless (gst_element_set_state (e, GST_STATE_PAUSED)
      == GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  gst_message_parse_error (msg, &err, &debug);
  fail_unless (strstr (err->message, "Could not load the face detector "
          "model") != NULL, "%s", err->message);
  fail_unless (strstr (debug, "fetch-detector.sh") != NULL, "%s", debug);
  g_clear_error (&err);
  g_free (debug);
  gst_message_unref (msg);
  gst_element_set_state (e, GST_STATE_NULL);
  gst_element_set_bus (e, NULL);
  gst_object_unref (bus);
  gst_object_unref (e);
}

GST_END_TEST;

static Suite *
facedetect_suite (void)
{
  Suite *s = suite_create ("ddamfnfacedetect");
  TCase *tc = tcase_create ("element");

  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_packed_formats_give_the_same_faces);
  tcase_add_test (tc, test_i420_and_nv12_give_the_same_faces);
  tcase_add_test (tc, test_max_faces_and_confidence);
  tcase_add_test (tc, test_inference_interval_repeats_faces);
  tcase_add_test (tc, test_caps_change_and_state_cycles);
  tcase_add_test (tc, test_missing_model_is_an_error);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (facedetect);
