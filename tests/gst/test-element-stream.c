/* Element tests of ddamfnfilter, behaviour in a stream: model errors,
 * state cycling, flushing seeks, renegotiation, EOS, element messages, two
 * filters in a row, property defaults, and GstDdamfnMeta under copies and
 * scaling.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Environment: as test-element.c.
 */
#include "element-common.h"

/* Sets a pipeline with a filter using MODEL to PAUSED and returns the text
 * of the error it posts. */
static gchar *
start_error_message (const gchar * model)
{
  GstElement *pipeline = gst_pipeline_new (NULL);
  GstElement *src = gst_element_factory_make ("fakesrc", NULL);
  GstElement *filter = gst_element_factory_make ("ddamfnfilter", NULL);
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;
  GError *error = NULL;
  gchar *debug = NULL, *text;

  if (model)
    g_object_set (filter, "model", model, NULL);
  gst_bin_add_many (GST_BIN (pipeline), src, filter, sink, NULL);
  fail_unless (gst_element_link_many (src, filter, sink, NULL));
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_PAUSED),
      GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "no error message on the bus");
  fail_unless (GST_MESSAGE_SRC (msg) == GST_OBJECT (filter));
  gst_message_parse_error (msg, &error, &debug);
  text = g_strdup (error->message);
  GST_INFO ("error: %s (%s)", error->message, debug);
  g_error_free (error);
  g_free (debug);
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  return text;
}

static void
assert_error_carries_loader_text (const gchar * path)
{
  GError *error = NULL;
  gchar *text;

  fail_unless (ddamfn_model_open (path, &error) == NULL);
  text = start_error_message (path);
  fail_unless (strstr (text, error->message) != NULL,
      "\"%s\" does not contain the loader's \"%s\"", text, error->message);
  g_free (text);
  g_error_free (error);
}

GST_START_TEST (test_missing_model_posts_loader_error)
{
  assert_error_carries_loader_text ("/nonexistent/dir/model.safetensors");
}

GST_END_TEST;

GST_START_TEST (test_invalid_model_posts_loader_error)
{
  gchar *dir = g_dir_make_tmp (NULL, NULL);
  gchar *garbage = g_build_filename (dir, "garbage.safetensors", NULL);
  gchar *truncated = g_build_filename (dir, "truncated.safetensors", NULL);
  gchar *contents;
  gsize len;

  fail_unless (g_file_set_contents (garbage, "this is not a model", -1,
          NULL));
  fail_unless (g_file_get_contents (model_path, &contents, &len, NULL));
  fail_unless (g_file_set_contents (truncated, contents, len / 2, NULL));
  g_free (contents);

  assert_error_carries_loader_text (garbage);
  assert_error_carries_loader_text (truncated);

  g_unlink (garbage);
  g_unlink (truncated);
  g_rmdir (dir);
  g_free (garbage);
  g_free (truncated);
  g_free (dir);
}

GST_END_TEST;

GST_START_TEST (test_no_model_set_posts_error)
{
  gchar *text;

  /* without the property, the variable or an installed default model */
  g_unsetenv ("DDAMFN_MODEL");
  if (g_file_test (ddamfn_model_get_default_path (), G_FILE_TEST_EXISTS)) {
    g_print ("note: %s is installed: ddamfnfilter has a model without "
        "being told one\n", ddamfn_model_get_default_path ());
    return;
  }
  text = start_error_message (NULL);
  fail_unless (strstr (text, "\"model\" property") != NULL, "%s", text);
  fail_unless (strstr (text, "DDAMFN_MODEL") != NULL, "%s", text);
  fail_unless (strstr (text, ddamfn_model_get_default_path ()) != NULL, "%s",
      text);
  g_free (text);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* Stream life: states, seeks, caps, EOS, messages                      */
/* ------------------------------------------------------------------ */

GST_START_TEST (test_state_cycling)
{
  GstElement *pipeline, *src, *sink;
  GstVideoInfo info;
  GstCaps *caps;

  pipeline = gst_parse_launch ("appsrc name=src format=time ! "
      "ddamfnfilter name=f ! appsink name=sink sync=false", NULL);
  fail_unless (pipeline != NULL);
  {
    GstElement *f = gst_bin_get_by_name (GST_BIN (pipeline), "f");
    g_object_set (f, "model", model_path, NULL);
    gst_object_unref (f);
  }
  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  info_init (&info, GST_VIDEO_FORMAT_RGB, 64, 64, NULL);
  caps = gst_video_info_to_caps (&info);
  g_object_set (src, "caps", caps, NULL);
  gst_caps_unref (caps);

  for (gint i = 0; i < 50; i++) {
    GstBuffer *in = make_frame (&info, i);
    GstSample *sample;
    GstDdamfnMeta *meta;

    add_roi (in, "face", 1, 8, 8, 48, 48);
    GST_BUFFER_PTS (in) = 0;
    fail_if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
        GST_STATE_CHANGE_FAILURE);
    fail_unless_equals_int (gst_app_src_push_buffer (GST_APP_SRC (src), in),
        GST_FLOW_OK);
    sample = gst_app_sink_pull_sample (GST_APP_SINK (sink));
    fail_unless (sample != NULL);
    meta = gst_buffer_get_ddamfn_meta (gst_sample_get_buffer (sample));
    fail_unless (meta && meta->n_faces == 1);
    fail_unless_equals_int (meta->faces[0].track_id, 1);
    gst_sample_unref (sample);
    fail_if (gst_element_set_state (pipeline, GST_STATE_NULL) ==
        GST_STATE_CHANGE_FAILURE);
  }
  gst_object_unref (src);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
}

GST_END_TEST;

static GstPadProbeReturn
add_face_probe (G_GNUC_UNUSED GstPad * pad, GstPadProbeInfo * info,
    G_GNUC_UNUSED gpointer user_data)
{
  GstBuffer *buf = gst_buffer_make_writable (GST_PAD_PROBE_INFO_BUFFER (info));

  add_roi (buf, "face", 1, 16, 16, 64, 64);
  GST_PAD_PROBE_INFO_DATA (info) = buf;
  return GST_PAD_PROBE_OK;
}

GST_START_TEST (test_flushing_seek)
{
  GstElement *pipeline, *filter, *sink;
  GstPad *pad;
  GstSample *sample;
  GstBus *bus;
  GstMessage *msg;
  gint n_after = 0;

  pipeline = gst_parse_launch ("videotestsrc ! "
      "video/x-raw,format=I420,width=128,height=96,framerate=25/1 ! "
      "ddamfnfilter name=f ! appsink name=sink sync=false", NULL);
  filter = gst_bin_get_by_name (GST_BIN (pipeline), "f");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_object_set (filter, "model", model_path, NULL);
  pad = gst_element_get_static_pad (filter, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, add_face_probe, NULL,
      NULL);
  gst_object_unref (pad);

  fail_if (gst_element_set_state (pipeline, GST_STATE_PAUSED) ==
      GST_STATE_CHANGE_FAILURE);
  fail_unless_equals_int (gst_element_get_state (pipeline, NULL, NULL,
          GST_CLOCK_TIME_NONE), GST_STATE_CHANGE_SUCCESS);
  sample = gst_app_sink_pull_preroll (GST_APP_SINK (sink));
  fail_unless (gst_buffer_get_ddamfn_meta (gst_sample_get_buffer (sample)));
  gst_sample_unref (sample);

  fail_unless (gst_element_seek (pipeline, 1.0, GST_FORMAT_TIME,
          GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE, GST_SEEK_TYPE_SET,
          GST_SECOND, GST_SEEK_TYPE_SET, 2 * GST_SECOND));
  fail_unless_equals_int (gst_element_get_state (pipeline, NULL, NULL,
          GST_CLOCK_TIME_NONE), GST_STATE_CHANGE_SUCCESS);
  fail_if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);

  while ((sample = gst_app_sink_pull_sample (GST_APP_SINK (sink)))) {
    GstBuffer *buf = gst_sample_get_buffer (sample);
    GstDdamfnMeta *meta = gst_buffer_get_ddamfn_meta (buf);

    fail_unless (GST_BUFFER_PTS (buf) >= GST_SECOND);
    fail_unless (GST_BUFFER_PTS (buf) < 2 * GST_SECOND);
    fail_unless (meta && meta->n_faces == 1);
    /* the tracker restarted at the flush */
    fail_unless_equals_int (meta->faces[0].track_id, 1);
    n_after++;
    gst_sample_unref (sample);
  }
  fail_unless (gst_app_sink_is_eos (GST_APP_SINK (sink)));
  fail_unless_equals_int (n_after, 25);

  bus = gst_element_get_bus (pipeline);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_if (msg != NULL);
  gst_object_unref (bus);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (filter);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
}

GST_END_TEST;

GST_START_TEST (test_renegotiation_size_and_format)
{
  GstVideoInfo info_a, info_b;
  GstHarness *h;
  GstBuffer *in, *out;
  GstDdamfnMeta *meta;
  DdamfnResult r;
  GBytes *before;

  info_init (&info_a, GST_VIDEO_FORMAT_RGB, 320, 240, NULL);
  info_init (&info_b, GST_VIDEO_FORMAT_NV12, 176, 144, "bt709");
  h = make_harness (make_filter (), &info_a);

  for (gint round = 0; round < 2; round++) {
    in = make_frame (&info_a, round);
    add_roi (in, "face", 1, 200, 100, 100, 100);
    out = gst_harness_push_and_pull (h, in);
    meta = gst_buffer_get_ddamfn_meta (out);
    fail_unless_equals_int (meta->n_faces, 1);
    engine_result (out, &info_a, 200, 100, 100, 100, 1.0f, NULL, &r);
    assert_face_equals_result (&meta->faces[0], &r);
    gst_buffer_unref (out);

    gst_harness_set_src_caps (h, gst_video_info_to_caps (&info_b));
    in = make_frame (&info_b, 10 + round);
    add_roi (in, "face", 1, 150, 100, 100, 100);        /* clipped to 26x44 */
    before = buffer_bytes (in);
    out = gst_harness_push_and_pull (h, in);
    assert_pixels_equal (out, before);
    meta = gst_buffer_get_ddamfn_meta (out);
    fail_unless_equals_int (meta->n_faces, 1);
    fail_unless_equals_int (meta->faces[0].w, 26);
    fail_unless_equals_int (meta->faces[0].h, 44);
    /* a new frame size starts new tracks */
    fail_unless_equals_int (meta->faces[0].track_id, 1);
    engine_result (out, &info_b, 150, 100, 26, 44, 1.0f, NULL, &r);
    assert_face_equals_result (&meta->faces[0], &r);
    g_bytes_unref (before);
    gst_buffer_unref (out);

    gst_harness_set_src_caps (h, gst_video_info_to_caps (&info_a));
  }
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_eos_is_forwarded)
{
  GstVideoInfo info;
  GstHarness *h;
  GstEvent *ev;
  gboolean seen_eos = FALSE;

  info_init (&info, GST_VIDEO_FORMAT_RGB, 64, 64, NULL);
  h = make_harness (make_filter (), &info);
  gst_buffer_unref (gst_harness_push_and_pull (h, make_frame (&info, 0)));
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  while ((ev = gst_harness_try_pull_event (h))) {
    if (GST_EVENT_TYPE (ev) == GST_EVENT_EOS)
      seen_eos = TRUE;
    gst_event_unref (ev);
  }
  fail_unless (seen_eos);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_post_messages)
{
  GstVideoInfo info;
  GstElement *e = make_filter ();
  GstHarness *h;
  GstBus *bus = gst_bus_new ();
  GstBuffer *in, *out;
  GstMessage *msg;
  const GstStructure *st;
  const GValue *faces;
  const GstStructure *fs;
  guint64 ts;
  guint x, w;
  gint roi_id;
  gdouble v;

  g_object_set (e, "post-messages", TRUE, NULL);
  gst_element_set_bus (e, bus);
  info_init (&info, GST_VIDEO_FORMAT_RGB, 160, 120, NULL);
  h = make_harness (e, &info);

  for (gint k = 0; k < 3; k++) {
    in = make_frame (&info, k);
    GST_BUFFER_PTS (in) = k * 40 * GST_MSECOND;
    if (k != 1)
      add_roi (in, "face", 5, -10, 10, 80, 80);
    out = gst_harness_push_and_pull (h, in);

    msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT);
    fail_unless (msg != NULL);
    st = gst_message_get_structure (msg);
    fail_unless (gst_structure_has_name (st, "ddamfn"));
    fail_unless (gst_structure_get_uint64 (st, "timestamp", &ts));
    fail_unless_equals_uint64 (ts, k * 40 * GST_MSECOND);
    fail_unless (gst_structure_get_uint64 (st, "running-time", &ts));
    fail_unless_equals_uint64 (ts, k * 40 * GST_MSECOND);
    fail_unless (gst_structure_get_uint64 (st, "stream-time", &ts));
    fail_unless_equals_uint64 (ts, k * 40 * GST_MSECOND);
    faces = gst_structure_get_value (st, "faces");
    fail_unless (faces && GST_VALUE_HOLDS_LIST (faces));
    fail_unless_equals_int (gst_value_list_get_size (faces), k != 1);
    if (k != 1) {
      const GstDdamfnFace *face = &gst_buffer_get_ddamfn_meta (out)->faces[0];
      fs = gst_value_get_structure (gst_value_list_get_value (faces, 0));
      fail_unless (gst_structure_get_uint (fs, "x", &x) && x == 0);
      fail_unless (gst_structure_get_uint (fs, "w", &w) && w == 70);
      fail_unless (gst_structure_get_int (fs, "roi-id", &roi_id)
          && roi_id == 5);
      fail_unless (gst_structure_get_double (fs, "valence", &v));
      fail_unless_six_decimals_of (v, face->valence);
      fail_unless_equals_string (gst_structure_get_string (fs, "expression"),
          face->expr_label);
    }
    gst_message_unref (msg);
    fail_if (gst_bus_have_pending (bus), "more than one message per buffer");
    gst_buffer_unref (out);
  }

  gst_harness_teardown (h);
  gst_bus_set_flushing (bus, TRUE);
  gst_object_unref (bus);
}

GST_END_TEST;

GST_START_TEST (test_two_filters_do_not_duplicate)
{
  GstVideoInfo info;
  GstHarness *h;
  GstBuffer *in, *out;
  GstDdamfnMeta *meta;
  gchar *desc;
  guint n_meta = 0;
  gpointer state = NULL;

  desc = g_strdup_printf ("ddamfnfilter model=%s ! ddamfnfilter model=%s",
      model_path, model_path);
  h = gst_harness_new_parse (desc);
  g_free (desc);
  info_init (&info, GST_VIDEO_FORMAT_RGB, 160, 120, NULL);
  gst_harness_set_src_caps (h, gst_video_info_to_caps (&info));
  in = make_frame (&info, 0);
  add_roi (in, "face", 1, 20, 20, 80, 80);
  out = gst_harness_push_and_pull (h, in);
  while (gst_buffer_iterate_meta_filtered (out, &state,
          GST_DDAMFN_META_API_TYPE))
    n_meta++;
  fail_unless_equals_int (n_meta, 1);
  meta = gst_buffer_get_ddamfn_meta (out);
  fail_unless_equals_int (meta->n_faces, 1);
  assert_meta_consistent (out);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* The meta                                                             */
/* ------------------------------------------------------------------ */

static void
fill_face (GstDdamfnFace * f, gint roi_id, guint x, guint y, guint w, guint h)
{
  memset (f, 0, sizeof (*f));
  f->roi_id = roi_id;
  f->track_id = roi_id + 100;
  f->x = x;
  f->y = y;
  f->w = w;
  f->h = h;
  f->has_va = TRUE;
  f->valence = 0.25f;
  f->arousal = -0.5f;
  f->n_expr = 2;
  f->expr_index = 1;
  f->expr_probs[0] = 0.3f;
  f->expr_probs[1] = 0.7f;
  f->expr_label = g_intern_static_string ("Happy");
  f->n_au = 1;
  f->au_probs[0] = 0.9f;
  f->au_active = 1;
  f->au_names[0] = g_intern_static_string ("AU12");
}

GST_START_TEST (test_meta_survives_copy)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, 16, NULL), *copy, *writable;
  GstDdamfnFace faces[2];
  GstDdamfnMeta *meta, *cmeta;
  gchar label[] = "Happy";

  fill_face (&faces[0], 1, 10, 20, 30, 40);
  fill_face (&faces[1], 2, 0, 0, 5, 5);
  faces[1].expr_label = label;  /* not interned by the caller */
  meta = gst_buffer_add_ddamfn_meta (buf, faces, 2);
  fail_unless (meta != NULL);
  fail_unless (meta->faces != faces);
  fail_unless (meta->faces[1].expr_label == g_intern_string ("Happy"));
  fail_unless (gst_buffer_get_ddamfn_meta (buf) == meta);

  copy = gst_buffer_copy (buf);
  cmeta = gst_buffer_get_ddamfn_meta (copy);
  fail_unless (cmeta != NULL && cmeta != meta);
  fail_unless_equals_int (cmeta->n_faces, 2);
  fail_unless (cmeta->faces != meta->faces);
  fail_unless (memcmp (cmeta->faces, meta->faces,
          2 * sizeof (GstDdamfnFace)) == 0);
  cmeta->faces[0].valence = 1.0f;
  fail_unless_equals_float (meta->faces[0].valence, 0.25f);

  /* adding again replaces: one meta per buffer */
  gst_buffer_add_ddamfn_meta (copy, faces, 1);
  fail_unless (gst_buffer_get_ddamfn_meta (copy) == cmeta);
  fail_unless_equals_int (cmeta->n_faces, 1);

  writable = gst_buffer_make_writable (gst_buffer_ref (buf));
  fail_unless (writable != buf);
  fail_unless (gst_buffer_get_ddamfn_meta (writable) != meta);
  fail_unless_equals_int (gst_buffer_get_ddamfn_meta (writable)->n_faces, 2);

  gst_buffer_unref (writable);
  gst_buffer_unref (copy);
  gst_buffer_unref (buf);
}

GST_END_TEST;

GST_START_TEST (test_meta_scaled_by_videoscale)
{
  GstHarness *h = gst_harness_new ("videoscale");
  GstVideoInfo in_info, out_info;
  GstBuffer *in, *out;
  GstDdamfnFace faces[2];
  GstDdamfnMeta *meta;

  info_init (&in_info, GST_VIDEO_FORMAT_RGB, 320, 240, NULL);
  info_init (&out_info, GST_VIDEO_FORMAT_RGB, 160, 480, NULL);
  gst_harness_set_caps (h, gst_video_info_to_caps (&in_info),
      gst_video_info_to_caps (&out_info));
  in = make_frame (&in_info, 0);
  fill_face (&faces[0], 1, 100, 50, 61, 40);
  fill_face (&faces[1], 2, 319, 239, 1, 1);
  gst_buffer_add_ddamfn_meta (in, faces, 2);
  out = gst_harness_push_and_pull (h, in);
  meta = gst_buffer_get_ddamfn_meta (out);
  fail_unless (meta != NULL);
  fail_unless_equals_int (meta->n_faces, 2);
  fail_unless_equals_int (meta->faces[0].x, 50);
  fail_unless_equals_int (meta->faces[0].y, 100);
  fail_unless_equals_int (meta->faces[0].w, 31);
  fail_unless_equals_int (meta->faces[0].h, 80);
  fail_unless_equals_float (meta->faces[0].valence, 0.25f);
  /* at least a pixel, inside the frame */
  fail_unless (meta->faces[1].w >= 1 && meta->faces[1].h >= 1);
  fail_unless (meta->faces[1].x + meta->faces[1].w <= 160);
  fail_unless (meta->faces[1].y + meta->faces[1].h <= 480);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Elements that move pixels treat GstDdamfnMeta as they treat the ROI
 * meta it describes (same tags): kept by videoconvert, dropped by
 * videocrop; videoflip copies both unchanged in GStreamer 1.22 and drops
 * both in 1.26 (-1: whichever, as long as the two agree). */
GST_START_TEST (test_meta_follows_roi_meta)
{
  const gchar *elements[] = { "videoconvert", "videocrop left=8",
    "videoflip method=horizontal-flip"
  };
  const gint kept[] = { TRUE, FALSE, -1 };

  for (guint i = 0; i < G_N_ELEMENTS (elements); i++) {
    GstHarness *h = gst_harness_new_parse (elements[i]);
    GstVideoInfo info;
    GstBuffer *in, *out;
    GstDdamfnFace face;
    GstDdamfnMeta *meta;

    info_init (&info, GST_VIDEO_FORMAT_RGBx, 64, 64, NULL);
    gst_harness_set_src_caps (h, gst_video_info_to_caps (&info));
    in = make_frame (&info, 0);
    add_roi (in, "face", 1, 0, 0, 10, 10);
    fill_face (&face, 1, 0, 0, 10, 10);
    gst_buffer_add_ddamfn_meta (in, &face, 1);
    out = gst_harness_push_and_pull (h, in);
    meta = gst_buffer_get_ddamfn_meta (out);
    if (kept[i] >= 0)
      fail_unless_equals_int (meta != NULL, kept[i]);
    fail_unless_equals_int (meta != NULL,
        gst_buffer_get_video_region_of_interest_meta_id (out, 1) != NULL);
    if (meta)
      fail_unless (memcmp (&meta->faces[0], &face, sizeof (face)) == 0);
    gst_buffer_unref (out);
    gst_harness_teardown (h);
  }
}

GST_END_TEST;

GST_START_TEST (test_properties_defaults)
{
  GstElement *e = gst_element_factory_make ("ddamfnfilter", NULL);
  gchar *model, *roi_type;
  guint min_size, max_faces, interval, n_threads;
  gdouble smoothing, crop_scale;
  gboolean post;

  g_object_get (e, "model", &model, "roi-type", &roi_type, "min-face-size",
      &min_size, "max-faces", &max_faces, "inference-interval", &interval,
      "smoothing", &smoothing, "crop-scale", &crop_scale, "n-threads",
      &n_threads, "post-messages", &post, NULL);
  fail_unless (model == NULL);
  fail_unless_equals_string (roi_type, "face");
  fail_unless_equals_int (min_size, 16);
  fail_unless_equals_int (max_faces, 16);
  fail_unless_equals_int (interval, 1);
  fail_unless_equals_float (smoothing, 0.0);
  fail_unless_equals_float (crop_scale, 0.0);     /* the card's */
  fail_unless_equals_int (n_threads, 1);
  fail_if (post);
  g_free (roi_type);
  gst_object_unref (e);
}

GST_END_TEST;

static Suite *
ddamfnfilter_stream_suite (void)
{
  Suite *s = suite_create ("ddamfnfilter-stream");
  TCase *tc_models = tcase_create ("models");
  TCase *tc_stream = tcase_create ("stream");
  TCase *tc_meta = tcase_create ("meta");

  suite_add_tcase (s, tc_models);
  tcase_add_test (tc_models, test_missing_model_posts_loader_error);
  tcase_add_test (tc_models, test_invalid_model_posts_loader_error);
  tcase_add_test (tc_models, test_no_model_set_posts_error);

  suite_add_tcase (s, tc_stream);
  tcase_add_test (tc_stream, test_state_cycling);
  tcase_add_test (tc_stream, test_flushing_seek);
  tcase_add_test (tc_stream, test_renegotiation_size_and_format);
  tcase_add_test (tc_stream, test_eos_is_forwarded);
  tcase_add_test (tc_stream, test_post_messages);
  tcase_add_test (tc_stream, test_two_filters_do_not_duplicate);
  tcase_add_test (tc_stream, test_properties_defaults);

  suite_add_tcase (s, tc_meta);
  tcase_add_test (tc_meta, test_meta_survives_copy);
  tcase_add_test (tc_meta, test_meta_scaled_by_videoscale);
  tcase_add_test (tc_meta, test_meta_follows_roi_meta);

  /* generous: valgrind runs are slow */
  tcase_set_timeout (tc_models, 3600);
  tcase_set_timeout (tc_stream, 3600);
  tcase_set_timeout (tc_meta, 3600);
  return s;
}

int
main (int argc, char **argv)
{
  return element_test_main (argc, argv, ddamfnfilter_stream_suite,
      "ddamfnfilter-stream");
}
