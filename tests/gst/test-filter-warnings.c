/* ddamfnfilter says so, once per stream, when a pipeline cannot give
 * results: no face metadata for a while (no detector upstream), regions of
 * another type only, and frames ddamfnoverlay drew on before the filter;
 * and the defaults the elements share.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "element-common.h"

#define W 96
#define H 72
/* gst-plugin/gstddamfnwatch.h: GST_DDAMFN_WATCH_FRAMES */
#define WATCH_FRAMES 60

/* Warnings posted on BUS so far; the first one's text in *TEXT. */
static guint
pop_warnings (GstBus * bus, gchar ** text)
{
  GstMessage *msg;
  guint n = 0;

  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING))) {
    if (n++ == 0 && text) {
      GError *err = NULL;
      gchar *debug = NULL;

      gst_message_parse_warning (msg, &err, &debug);
      *text = g_strdup (err->message);
      g_error_free (err);
      g_free (debug);
    }
    gst_message_unref (msg);
  }
  return n;
}

static GstBus *
attach_bus (GstHarness * h)
{
  GstBus *bus = gst_bus_new ();

  gst_element_set_bus (h->element, bus);
  return bus;
}

static void
detach_bus (GstHarness * h, GstBus * bus)
{
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
}

/* Pushes one frame with ROI_TYPE regions (NULL: none) through H. */
static void
push_frame (GstHarness * h, const GstVideoInfo * info, const gchar * roi_type,
    guint seed)
{
  GstBuffer *buf = make_frame (info, seed);

  if (roi_type)
    add_roi (buf, roi_type, 0, 20, 10, 40, 40);
  gst_buffer_unref (gst_harness_push_and_pull (h, buf));
}

GST_START_TEST (test_no_face_metadata_warns_once_after_a_while)
{
  GstVideoInfo info;
  GstHarness *h;
  GstBus *bus;
  gchar *text = NULL;

  info_init (&info, GST_VIDEO_FORMAT_RGB, W, H, NULL);
  h = make_harness (make_filter (), &info);
  bus = attach_bus (h);

  for (guint i = 0; i < WATCH_FRAMES - 1; i++)
    push_frame (h, &info, NULL, i);
  fail_unless_equals_int (pop_warnings (bus, NULL), 0);
  push_frame (h, &info, NULL, 99);
  fail_unless_equals_int (pop_warnings (bus, &text), 1);
  fail_unless (g_str_has_prefix (text,
          "No face metadata on the first 60 frames: nothing is analysed."),
      "%s", text);
  fail_unless (strstr (text, "ddamfnfacedetect") != NULL, "%s", text);
  g_free (text);

  /* said once: a long stream does not repeat it */
  for (guint i = 0; i < 3 * WATCH_FRAMES; i++)
    push_frame (h, &info, NULL, i);
  fail_unless_equals_int (pop_warnings (bus, NULL), 0);

  detach_bus (h, bus);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_faces_seen_once_keep_it_quiet)
{
  GstVideoInfo info;
  GstHarness *h;
  GstBus *bus;

  info_init (&info, GST_VIDEO_FORMAT_RGB, W, H, NULL);
  h = make_harness (make_filter (), &info);
  bus = attach_bus (h);

  /* a face on the 10th frame, then a long stretch without faces: the
   * detector is there, the video just shows nobody */
  for (guint i = 0; i < 3 * WATCH_FRAMES; i++)
    push_frame (h, &info, i == 9 ? "face" : NULL, i);
  fail_unless_equals_int (pop_warnings (bus, NULL), 0);

  detach_bus (h, bus);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_regions_of_another_type_warn)
{
  GstVideoInfo info;
  GstHarness *h;
  GstBus *bus;
  gchar *text = NULL;

  info_init (&info, GST_VIDEO_FORMAT_RGB, W, H, NULL);
  h = make_harness (make_filter (), &info);
  bus = attach_bus (h);

  for (guint i = 0; i < WATCH_FRAMES; i++)
    push_frame (h, &info, i % 2 ? "Face" : NULL, i);
  fail_unless_equals_int (pop_warnings (bus, &text), 1);
  fail_unless (g_str_has_prefix (text, "Regions of interest arrive but none "
          "has the type \"face\" in the first 60 frames"), "%s", text);
  fail_unless (strstr (text, "roi-type") != NULL, "%s", text);
  g_free (text);
  detach_bus (h, bus);
  gst_harness_teardown (h);

  /* roi-type "" takes every region: nothing to say */
  h = make_harness (make_filter (), &info);
  g_object_set (h->element, "roi-type", "", NULL);
  bus = attach_bus (h);
  for (guint i = 0; i < WATCH_FRAMES; i++)
    push_frame (h, &info, i % 2 ? "Face" : NULL, i);
  fail_unless_equals_int (pop_warnings (bus, NULL), 0);
  detach_bus (h, bus);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* OVERLAY_FIRST: frames go through ddamfnoverlay, then ddamfnfilter;
 * otherwise the right order. Returns the warnings of the filter. */
static guint
run_overlay_and_filter (gboolean overlay_first, guint n_frames,
    gchar ** text)
{
  GstVideoInfo info;
  GstHarness *o, *f;
  GstBus *bus;
  guint n;

  info_init (&info, GST_VIDEO_FORMAT_BGRx, W, H, NULL);
  o = make_harness (gst_element_factory_make ("ddamfnoverlay", NULL), &info);
  f = make_harness (make_filter (), &info);
  bus = attach_bus (f);
  for (guint i = 0; i < n_frames; i++) {
    GstBuffer *buf = make_frame (&info, i);

    add_roi (buf, "face", 0, 20, 10, 40, 40);
    if (overlay_first)
      buf = gst_harness_push_and_pull (f, gst_harness_push_and_pull (o, buf));
    else
      buf = gst_harness_push_and_pull (o, gst_harness_push_and_pull (f, buf));
    fail_unless (buf != NULL);
    gst_buffer_unref (buf);
  }
  n = pop_warnings (bus, text);
  detach_bus (f, bus);
  gst_harness_teardown (f);
  gst_harness_teardown (o);
  return n;
}

GST_START_TEST (test_overlay_before_filter_warns_once)
{
  gchar *text = NULL;

  /* on the first drawn frame, once */
  fail_unless_equals_int (run_overlay_and_filter (TRUE, 1, &text), 1);
  fail_unless (strstr (text, "ddamfnoverlay drew on these frames before "
          "ddamfnfilter") != NULL, "%s", text);
  fail_unless (strstr (text, "Place ddamfnoverlay after ddamfnfilter") !=
      NULL, "%s", text);
  g_free (text);
  fail_unless_equals_int (run_overlay_and_filter (TRUE, 5, NULL), 1);
  /* filter, then overlay: nothing to say */
  fail_unless_equals_int (run_overlay_and_filter (FALSE, 5, NULL), 0);
}

GST_END_TEST;

/* A probe marking one face on every buffer, as a detector would. */
static GstPadProbeReturn
add_face_probe (G_GNUC_UNUSED GstPad * pad, GstPadProbeInfo * info,
    G_GNUC_UNUSED gpointer data)
{
  GstBuffer *buf = gst_buffer_make_writable (GST_PAD_PROBE_INFO_BUFFER (info));

  add_roi (buf, "face", 0, 20, 10, 40, 40);
  GST_PAD_PROBE_INFO_DATA (info) = buf;
  return GST_PAD_PROBE_OK;
}

/* The marker follows the buffer through elements that copy metas. */
GST_START_TEST (test_overlay_marker_survives_videoconvert)
{
  GstElement *pipeline;
  GstMessage *msg;
  GError *err = NULL;
  GstElement *src;
  GstPad *pad;
  gchar *launch = g_strdup_printf ("videotestsrc name=src num-buffers=3 ! "
      "video/x-raw,format=BGRx,width=%d,height=%d ! "
      "ddamfnoverlay ! videoconvert ! "
      "video/x-raw,format=I420 ! ddamfnfilter model=\"%s\" name=f ! fakesink",
      W, H, model_path);

  pipeline = gst_parse_launch (launch, &err);
  g_free (launch);
  fail_unless (pipeline != NULL, "%s", err ? err->message : "");
  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  pad = gst_element_get_static_pad (src, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, add_face_probe, NULL,
      NULL);
  gst_object_unref (pad);
  gst_object_unref (src);
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_timed_pop_filtered (GST_ELEMENT_BUS (pipeline),
      10 * GST_SECOND, GST_MESSAGE_WARNING | GST_MESSAGE_EOS |
      GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  fail_unless_equals_int (GST_MESSAGE_TYPE (msg), GST_MESSAGE_WARNING);
  fail_unless_equals_string (GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), "f");
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}

GST_END_TEST;

/* One default for the same setting across the elements (the blurbs say
 * why): no QoS frame skipping, 16-pixel minimum face. */
GST_START_TEST (test_defaults_agree_across_elements)
{
  const gchar *names[] = { "ddamfnfacedetect", "ddamfnfilter",
    "ddamfnoverlay"
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    GstElement *e = gst_element_factory_make (names[i], NULL);
    gboolean qos = TRUE;
    GParamSpec *p;

    fail_unless (e != NULL, "%s", names[i]);
    g_object_get (e, "qos", &qos, NULL);
    fail_unless (!qos, "%s has qos on by default", names[i]);
    p = g_object_class_find_property (G_OBJECT_GET_CLASS (e),
        "min-face-size");
    if (i < 2) {
      fail_unless (p != NULL);
      fail_unless_equals_int (G_PARAM_SPEC_UINT (p)->default_value, 16);
      fail_unless (strstr (g_param_spec_get_blurb (p), "too little detail") !=
          NULL);
    }
    gst_object_unref (e);
  }
}

GST_END_TEST;

static Suite *
filter_warnings_suite (void)
{
  Suite *s = suite_create ("ddamfnfilter-warnings");
  TCase *tc = tcase_create ("warnings");

  tcase_set_timeout (tc, 300);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_no_face_metadata_warns_once_after_a_while);
  tcase_add_test (tc, test_faces_seen_once_keep_it_quiet);
  tcase_add_test (tc, test_regions_of_another_type_warn);
  tcase_add_test (tc, test_overlay_before_filter_warns_once);
  tcase_add_test (tc, test_overlay_marker_survives_videoconvert);
  tcase_add_test (tc, test_defaults_agree_across_elements);
  return s;
}

int
main (int argc, char **argv)
{
  return element_test_main (argc, argv, filter_warnings_suite,
      "ddamfnfilter-warnings");
}
