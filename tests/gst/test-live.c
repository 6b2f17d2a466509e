/* ddamfnfilter's live mode and QoS: results arrive after their buffer,
 * carry their age, equal what the engine says about the frame they were
 * computed on; flushes, state changes and EOS with work in flight neither
 * deadlock nor leak; late buffers skip the network under QoS.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "element-common.h"

#define W 160
#define H 120

static GstBuffer *
frame_with_faces (const GstVideoInfo * info, guint seed, guint64 n)
{
  GstBuffer *buf = make_frame (info, seed);

  GST_BUFFER_PTS (buf) = n * GST_SECOND / 30;
  GST_BUFFER_DURATION (buf) = GST_SECOND / 30;
  add_roi (buf, "face", 1, 10, 10, 60, 60);
  add_roi (buf, "face", 2, 90, 40, 56, 64);
  return buf;
}

static GstHarness *
live_harness (const GstVideoInfo * info, guint queue_size)
{
  GstElement *e = make_filter ();

  g_object_set (e, "live", TRUE, "queue-size", queue_size, NULL);
  return make_harness (e, info);
}

/* The first buffer leaves before any result exists: both faces are listed
 * without one (result_age -1, result-age -1 in the ROI, nothing else). */
GST_START_TEST (test_live_first_buffer_has_no_results)
{
  GstVideoInfo info;
  GstHarness *h;
  GstBuffer *out;
  GstDdamfnMeta *meta;

  info_init (&info, GST_VIDEO_FORMAT_RGB, W, H, NULL);
  h = live_harness (&info, 1);
  out = gst_harness_push_and_pull (h, frame_with_faces (&info, 1, 0));
  meta = gst_buffer_get_ddamfn_meta (out);
  fail_unless (meta != NULL);
  fail_unless_equals_int (meta->n_faces, 2);
  for (guint i = 0; i < 2; i++) {
    const GstDdamfnFace *f = &meta->faces[i];
    GstVideoRegionOfInterestMeta *roi =
        gst_buffer_get_video_region_of_interest_meta_id (out, f->roi_id);
    GstStructure *st = gst_video_region_of_interest_meta_get_param (roi,
        "ddamfn");
    gint age = 0;

    fail_unless_equals_int (f->result_age, -1);
    fail_if (f->has_va);
    fail_unless_equals_int (f->n_expr, 0);
    fail_unless_equals_int (f->n_au, 0);
    fail_unless (st != NULL);
    fail_unless (gst_structure_get_int (st, "result-age", &age));
    fail_unless_equals_int (age, -1);
    fail_if (gst_structure_has_field (st, "expression"));
    fail_if (gst_structure_has_field (st, "valence"));
  }
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Pushes frames of the same picture until both faces carry a result (at
 * most LIMIT frames, 20 ms apart); returns the last output. */
static GstBuffer *
push_until_results (GstHarness * h, const GstVideoInfo * info, guint seed,
    guint64 *n, guint limit)
{
  GstBuffer *out = NULL;

  for (guint k = 0; k < limit; k++) {
    GstDdamfnMeta *meta;
    gboolean all = TRUE;

    if (out)
      gst_buffer_unref (out);
    out = gst_harness_push_and_pull (h, frame_with_faces (info, seed, (*n)++));
    meta = gst_buffer_get_ddamfn_meta (out);
    fail_unless (meta != NULL && meta->n_faces == 2);
    for (guint i = 0; i < meta->n_faces; i++)
      all &= meta->faces[i].result_age >= 0;
    if (all)
      return out;
    g_usleep (20000);
  }
  fail ("no results after %u frames", limit);
  return out;
}

/* Results that arrive are the engine's for the faces (same picture on
 * every frame), at least one frame old, on the same tracks. */
GST_START_TEST (test_live_results_equal_the_engine)
{
  GstVideoInfo info;
  GstHarness *h;
  GstBuffer *out, *ref;
  GstDdamfnMeta *meta;
  guint64 n = 0;

  info_init (&info, GST_VIDEO_FORMAT_RGB, W, H, NULL);
  h = live_harness (&info, 1);
  out = push_until_results (h, &info, 3, &n, 500);
  meta = gst_buffer_get_ddamfn_meta (out);
  ref = frame_with_faces (&info, 3, 0);
  for (guint i = 0; i < meta->n_faces; i++) {
    const GstDdamfnFace *f = &meta->faces[i];
    DdamfnResult r;

    fail_unless (f->result_age >= 1, "age %d", f->result_age);
    fail_unless (f->result_age < (gint) n);
    fail_unless_equals_int (f->track_id, f->roi_id);    /* 1, 2 in order */
    engine_result (ref, &info, f->x, f->y, f->w, f->h, 1.0f, NULL, &r);
    assert_face_equals_result (f, &r);
    assert_roi_param_matches_face (gst_buffer_get_video_region_of_interest_meta_id (out,
            f->roi_id), f);
  }
  assert_meta_consistent (out);
  gst_buffer_unref (ref);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Eight faces, more than the worker analyses per frame once it has timed
 * itself: every track gets results again and again (its result age drops
 * back), none is starved by the others. */
GST_START_TEST (test_live_every_track_gets_its_turn)
{
  GstVideoInfo info;
  GstHarness *h;
  gint last_age[8], refreshed[8] = { 0 };
  guint64 n;
  gboolean all = FALSE;

  for (gint i = 0; i < 8; i++)
    last_age[i] = -1;
  info_init (&info, GST_VIDEO_FORMAT_RGB, W, H, NULL);
  h = live_harness (&info, 1);
  for (n = 0; n < 600 && !all; n++) {
    GstBuffer *in = make_frame (&info, 4), *out;
    GstDdamfnMeta *meta;

    GST_BUFFER_PTS (in) = n * GST_SECOND / 30;
    GST_BUFFER_DURATION (in) = GST_SECOND / 30;
    for (gint i = 0; i < 8; i++)
      add_roi (in, "face", i, (i % 4) * 40 + 2, (i / 4) * 60 + 2, 36, 36);
    out = gst_harness_push_and_pull (h, in);
    meta = gst_buffer_get_ddamfn_meta (out);
    fail_unless_equals_int (meta->n_faces, 8);
    all = TRUE;
    for (guint k = 0; k < 8; k++) {
      const GstDdamfnFace *f = &meta->faces[k];
      gint id = f->roi_id;

      fail_unless (id >= 0 && id < 8);
      /* a new result: none before, or younger than the last one grown */
      if (f->result_age >= 0 && (last_age[id] < 0
              || f->result_age <= last_age[id]))
        refreshed[id]++;
      last_age[id] = f->result_age;
      all &= refreshed[id] >= 3;
    }
    gst_buffer_unref (out);
    g_usleep (10000);
  }
  for (gint i = 0; i < 8; i++)
    fail_unless (refreshed[i] >= 3, "face %d: %d results in %" G_GUINT64_FORMAT
        " frames", i, refreshed[i], n);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* After a flush the old tracks and the results still in the worker are
 * forgotten: the next buffer has tracks from 1 again and no results. */
GST_START_TEST (test_live_flush_forgets_results)
{
  GstVideoInfo info;
  GstHarness *h;
  GstBuffer *out;
  GstDdamfnMeta *meta;
  GstSegment segment;
  guint64 n = 0;

  info_init (&info, GST_VIDEO_FORMAT_RGB, W, H, NULL);
  h = live_harness (&info, 2);
  gst_buffer_unref (push_until_results (h, &info, 5, &n, 500));
  /* work in flight during the flush */
  gst_buffer_unref (gst_harness_push_and_pull (h, frame_with_faces (&info, 5,
              n++)));
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
  gst_segment_init (&segment, GST_FORMAT_TIME);
  fail_unless (gst_harness_push_event (h, gst_event_new_segment (&segment)));

  out = gst_harness_push_and_pull (h, frame_with_faces (&info, 5, 0));
  meta = gst_buffer_get_ddamfn_meta (out);
  fail_unless_equals_int (meta->n_faces, 2);
  for (guint i = 0; i < 2; i++) {
    fail_unless_equals_int (meta->faces[i].result_age, -1);
    fail_unless (meta->faces[i].track_id <= 2);
  }
  gst_buffer_unref (out);
  gst_buffer_unref (push_until_results (h, &info, 5, &n, 500));
  gst_harness_teardown (h);
}

GST_END_TEST;

/* PLAYING -> NULL -> PLAYING with frames in the worker's queue, many
 * times, and EOS right after frames: no deadlock, no leak (run under ASan),
 * every buffer out. */
GST_START_TEST (test_live_state_changes_and_eos_with_work_in_flight)
{
  GstElement *pipeline, *src, *sink, *f;
  GstVideoInfo info;
  GstCaps *caps;

  info_init (&info, GST_VIDEO_FORMAT_RGB, W, H, NULL);
  caps = gst_video_info_to_caps (&info);
  pipeline = gst_parse_launch ("appsrc name=src format=time ! "
      "ddamfnfilter name=f live=true ! appsink name=sink sync=false", NULL);
  f = gst_bin_get_by_name (GST_BIN (pipeline), "f");
  g_object_set (f, "model", model_path, NULL);
  gst_object_unref (f);
  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_object_set (src, "caps", caps, NULL);

  for (gint round = 0; round < 6; round++) {
    guint pulled = 0;
    GstSample *sample;

    fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
        GST_STATE_CHANGE_FAILURE);
    for (guint64 n = 0; n < 8; n++)
      fail_unless_equals_int (gst_app_src_push_buffer (GST_APP_SRC (src),
              frame_with_faces (&info, round, n)), GST_FLOW_OK);
    if (round % 2 == 0) {
      /* stop with the worker busy */
      sample = gst_app_sink_pull_sample (GST_APP_SINK (sink));
      fail_unless (sample != NULL);
      gst_sample_unref (sample);
    } else {
      gst_app_src_end_of_stream (GST_APP_SRC (src));
      while ((sample = gst_app_sink_pull_sample (GST_APP_SINK (sink)))) {
        fail_unless (gst_buffer_get_ddamfn_meta (gst_sample_get_buffer
                (sample)) != NULL);
        gst_sample_unref (sample);
        pulled++;
      }
      fail_unless_equals_int (pulled, 8);
    }
    fail_unless_equals_int (gst_element_set_state (pipeline,
            GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
  }
  gst_caps_unref (caps);
  gst_object_unref (src);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
}

GST_END_TEST;

/* A QoS event from downstream that says buffers before 1 s are too late:
 * with qos=true those buffers pass without inference (the faces keep
 * their last results, one frame older each time) and a QoS message is
 * posted for each; with qos=false (the default) they are analysed. */
static void
run_qos (gboolean qos, gint * ages, guint * qos_messages)
{
  GstVideoInfo info;
  GstElement *e = make_filter ();
  GstBus *bus = gst_bus_new ();
  GstHarness *h;
  GstMessage *msg;

  g_object_set (e, "qos", qos, NULL);
  gst_element_set_bus (e, bus);
  info_init (&info, GST_VIDEO_FORMAT_RGB, W, H, NULL);
  h = make_harness (e, &info);

  for (guint64 n = 0; n < 4; n++) {
    GstBuffer *out;
    GstDdamfnMeta *meta;

    if (n == 1)
      fail_unless (gst_harness_push_upstream_event (h,
              gst_event_new_qos (GST_QOS_TYPE_UNDERFLOW, 0.5,
                  GST_SECOND / 2, GST_SECOND / 2)));
    out = gst_harness_push_and_pull (h, frame_with_faces (&info, 9, n));
    meta = gst_buffer_get_ddamfn_meta (out);
    fail_unless (meta != NULL && meta->n_faces == 2);
    fail_unless_equals_int (meta->faces[0].result_age,
        meta->faces[1].result_age);
    ages[n] = meta->faces[0].result_age;
    gst_buffer_unref (out);
  }

  *qos_messages = 0;
  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_QOS))) {
    guint64 processed, dropped;
    GstFormat format;

    gst_message_parse_qos_stats (msg, &format, &processed, &dropped);
    fail_unless_equals_int (format, GST_FORMAT_BUFFERS);
    (*qos_messages)++;
    fail_unless_equals_int ((gint) dropped, (gint) * qos_messages);
    gst_message_unref (msg);
  }
  /* the messages left on the bus hold the element, which holds the bus */
  gst_element_set_bus (e, NULL);
  gst_bus_set_flushing (bus, TRUE);
  gst_harness_teardown (h);
  gst_object_unref (bus);
}

GST_START_TEST (test_qos_skips_inference_for_late_buffers)
{
  gint ages[4];
  guint messages;

  /* earliest time 0.5 s + 2 * 0.5 s: frames 1-3 (33-100 ms) are late */
  run_qos (TRUE, ages, &messages);
  fail_unless_equals_int (ages[0], 0);
  fail_unless_equals_int (ages[1], 1);
  fail_unless_equals_int (ages[2], 2);
  fail_unless_equals_int (ages[3], 3);
  fail_unless_equals_int (messages, 3);

  run_qos (FALSE, ages, &messages);
  for (gint i = 0; i < 4; i++)
    fail_unless_equals_int (ages[i], 0);
  fail_unless_equals_int (messages, 0);
}

GST_END_TEST;

/* inference-interval: results reused in between are 1, 2, … frames old. */
GST_START_TEST (test_sync_result_age_with_interval)
{
  GstVideoInfo info;
  GstElement *e = make_filter ();
  GstHarness *h;

  g_object_set (e, "inference-interval", 3, NULL);
  info_init (&info, GST_VIDEO_FORMAT_RGB, W, H, NULL);
  h = make_harness (e, &info);
  for (guint64 n = 0; n < 7; n++) {
    GstBuffer *out = gst_harness_push_and_pull (h,
        frame_with_faces (&info, 2, n));
    GstDdamfnMeta *meta = gst_buffer_get_ddamfn_meta (out);

    fail_unless_equals_int (meta->n_faces, 2);
    fail_unless_equals_int (meta->faces[0].result_age, (gint) (n % 3));
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_live_properties)
{
  GstElement *e = make_filter ();
  gboolean live;
  guint queue_size;

  g_object_get (e, "live", &live, "queue-size", &queue_size, NULL);
  fail_if (live);
  fail_unless_equals_int (queue_size, 1);
  gst_object_unref (e);
}

GST_END_TEST;

static Suite *
ddamfnfilter_live_suite (void)
{
  Suite *s = suite_create ("ddamfnfilter-live");
  TCase *tc = tcase_create ("live");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_live_properties);
  tcase_add_test (tc, test_live_first_buffer_has_no_results);
  tcase_add_test (tc, test_live_results_equal_the_engine);
  tcase_add_test (tc, test_live_every_track_gets_its_turn);
  tcase_add_test (tc, test_live_flush_forgets_results);
  tcase_add_test (tc, test_live_state_changes_and_eos_with_work_in_flight);
  tcase_add_test (tc, test_qos_skips_inference_for_late_buffers);
  tcase_add_test (tc, test_sync_result_age_with_interval);
  tcase_set_timeout (tc, 3600);
  return s;
}

int
main (int argc, char **argv)
{
  return element_test_main (argc, argv, ddamfnfilter_live_suite,
      "ddamfnfilter-live");
}
