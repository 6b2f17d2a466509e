/* Stream faults through ddamfnfilter: malformed ROI parameters, buffers
 * without video meta or with padded rows, 1×1 and 8K frames, a resolution
 * change every 10 frames, and the model file replaced on disk while the
 * element plays.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Environment: as test-element.c.
 */
#include "element-common.h"

#include <glib/gstdio.h>

/* Pushes BUF (taken) through H and returns the output buffer. */
static GstBuffer *
push_pull (GstHarness * h, GstBuffer * buf)
{
  fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_OK);
  return gst_harness_pull (h);
}

static void
assert_one_face_equals (GstBuffer * out, const DdamfnResult * want)
{
  GstDdamfnMeta *meta = gst_buffer_get_ddamfn_meta (out);

  fail_unless (meta != NULL, "no GstDdamfnMeta");
  fail_unless_equals_int (meta->n_faces, 1);
  assert_face_equals_result (&meta->faces[0], want);
  assert_meta_consistent (out);
}

/* A "landmarks" parameter that cannot be used — a field of the wrong type,
 * a missing point, non-finite values — makes the element crop the box, as
 * if there were no landmarks. */
GST_START_TEST (test_malformed_landmarks_fall_back_to_box)
{
  static const gchar *const params[] = {
    "landmarks, x0=(string)a, y0=(double)1, x1=(double)2, y1=(double)1, "
        "x2=(double)3, y2=(double)3, x3=(double)2, y3=(double)5, "
        "x4=(double)4, y4=(double)5",
    "landmarks, x0=(int)60, y0=(int)60, x1=(int)90, y1=(int)60, "
        "x2=(int)75, y2=(int)75, x3=(int)62, y3=(int)90, x4=(int)88, "
        "y4=(int)90",
    "landmarks, x0=(double)60, y0=(double)60, x1=(double)90, y1=(double)60",
    "landmarks",
    "landmarks, x0=(double)NaN, y0=(double)60, x1=(double)90, "
        "y1=(double)60, x2=(double)75, y2=(double)75, x3=(double)62, "
        "y3=(double)90, x4=(double)88, y4=(double)90",
    "landmarks, x0=(double)60, y0=(double)60, x1=(double)60, y1=(double)60, "
        "x2=(double)60, y2=(double)60, x3=(double)60, y3=(double)60, "
        "x4=(double)60, y4=(double)60",
  };
  GstVideoInfo info;
  GstHarness *h;
  DdamfnResult want;

  info_init (&info, GST_VIDEO_FORMAT_RGB, 200, 160, NULL);
  h = make_harness (make_filter (), &info);
  for (guint i = 0; i < G_N_ELEMENTS (params); i++) {
    GstBuffer *buf = make_frame (&info, i), *out;
    GstVideoRegionOfInterestMeta *roi = add_roi (buf, "face", 1, 40, 30, 96,
        100);
    GstStructure *st = gst_structure_from_string (params[i], NULL);

    fail_unless (st != NULL, "bad test structure %s", params[i]);
    gst_video_region_of_interest_meta_add_param (roi, st);
    engine_result (buf, &info, 40, 30, 96, 100, 1.0f, NULL, &want);
    out = push_pull (h, buf);
    assert_one_face_equals (out, &want);
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);
}

GST_END_TEST;

/* A stale "ddamfn" parameter of the wrong shape, left by someone else, is
 * replaced, not merged or trusted. */
GST_START_TEST (test_stale_result_param_replaced)
{
  GstVideoInfo info;
  GstHarness *h;
  GstBuffer *buf, *out;
  GstVideoRegionOfInterestMeta *roi;
  GstStructure *st;
  gpointer state = NULL;
  guint n = 0;

  info_init (&info, GST_VIDEO_FORMAT_BGRx, 160, 120, NULL);
  h = make_harness (make_filter (), &info);
  buf = make_frame (&info, 3);
  roi = add_roi (buf, "face", 4, 20, 10, 80, 90);
  gst_video_region_of_interest_meta_add_param (roi,
      gst_structure_new ("ddamfn", "valence", G_TYPE_STRING, "high",
          "expression-probs", G_TYPE_INT, 3, NULL));
  out = push_pull (h, buf);
  roi = (GstVideoRegionOfInterestMeta *) gst_buffer_iterate_meta_filtered (out,
      &state, GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE);
  fail_unless (roi != NULL);
  for (GList * l = roi->params; l; l = l->next)
    if (gst_structure_has_name (l->data, "ddamfn"))
      n++;
  fail_unless_equals_int (n, 1);
  st = gst_video_region_of_interest_meta_get_param (roi, "ddamfn");
  fail_unless (gst_structure_has_field_typed (st, "valence", G_TYPE_DOUBLE));
  assert_meta_consistent (out);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Copies FRAME's rows into a buffer whose rows are PAD bytes longer (and
 * whose planes start at odd offsets), described by a GstVideoMeta. */
static GstBuffer *
padded_copy (GstBuffer * src, const GstVideoInfo * info, gint pad)
{
  GstVideoInfo padded = *info;
  GstVideoFrame in, out;
  GstBuffer *dst;
  gsize offset = 3;

  for (guint p = 0; p < GST_VIDEO_INFO_N_PLANES (info); p++) {
    gint rows = GST_VIDEO_INFO_COMP_HEIGHT (info, p);
    padded.stride[p] = info->stride[p] + pad;
    padded.offset[p] = offset;
    offset += (gsize) padded.stride[p] * rows + 5;
  }
  padded.size = offset;
  dst = gst_buffer_new_allocate (NULL, offset, NULL);
  gst_buffer_memset (dst, 0, 0xa5, offset);
  gst_buffer_add_video_meta_full (dst, GST_VIDEO_FRAME_FLAG_NONE,
      GST_VIDEO_INFO_FORMAT (info), GST_VIDEO_INFO_WIDTH (info),
      GST_VIDEO_INFO_HEIGHT (info), GST_VIDEO_INFO_N_PLANES (info),
      padded.offset, padded.stride);
  fail_unless (gst_video_frame_map (&in, (GstVideoInfo *) info, src,
          GST_MAP_READ));
  fail_unless (gst_video_frame_map (&out, &padded, dst, GST_MAP_WRITE));
  fail_unless (gst_video_frame_copy (&out, &in));
  gst_video_frame_unmap (&out);
  gst_video_frame_unmap (&in);
  return dst;
}

/* Rows padded to odd strides (with a GstVideoMeta saying so) and a plain
 * buffer without any video meta give the same results as the tight frame. */
GST_START_TEST (test_odd_strides_and_no_video_meta)
{
  static const GstVideoFormat formats[] = { GST_VIDEO_FORMAT_RGB,
    GST_VIDEO_FORMAT_BGRA, GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_NV12
  };

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++) {
    GstVideoInfo info;
    GstHarness *h;
    GstBuffer *tight, *padded, *bare, *out;
    DdamfnResult want;

    info_init (&info, formats[f], 201, 151, "bt601");
    h = make_harness (make_filter (), &info);
    tight = make_frame (&info, 10 + f);
    engine_result (tight, &info, 50, 20, 90, 110, 1.0f, NULL, &want);

    padded = padded_copy (tight, &info, 13);
    add_roi (padded, "face", 1, 50, 20, 90, 110);
    out = push_pull (h, padded);
    assert_one_face_equals (out, &want);
    gst_buffer_unref (out);

    /* the same bytes, but no GstVideoMeta: the caps' default layout */
    bare = gst_buffer_copy_deep (tight);
    gst_buffer_remove_meta (bare, (GstMeta *) gst_buffer_get_video_meta (bare));
    fail_unless (gst_buffer_get_video_meta (bare) == NULL);
    add_roi (bare, "face", 1, 50, 20, 90, 110);
    out = push_pull (h, bare);
    assert_one_face_equals (out, &want);
    gst_buffer_unref (out);

    gst_buffer_unref (tight);
    gst_harness_teardown (h);
  }
}

GST_END_TEST;

/* A buffer too small for the negotiated frame is an error, not a read
 * beyond its end. */
GST_START_TEST (test_short_buffer_is_an_error)
{
  GstVideoInfo info;
  GstHarness *h;
  GstBuffer *buf;

  info_init (&info, GST_VIDEO_FORMAT_RGB, 64, 64, NULL);
  h = make_harness (make_filter (), &info);
  buf = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&info) / 2, NULL);
  add_roi (buf, "face", 1, 0, 0, 64, 64);
  fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_ERROR);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* 1×1 frames, with an ROI covering the pixel and hostile ones around it. */
GST_START_TEST (test_one_pixel_frames)
{
  static const GstVideoFormat formats[] = { GST_VIDEO_FORMAT_RGBx,
    GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_NV12
  };

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++) {
    GstElement *e = make_filter ();
    GstVideoInfo info;
    GstHarness *h;
    GstBuffer *buf, *out;
    GstDdamfnMeta *meta;
    DdamfnResult want;

    g_object_set (e, "min-face-size", 0, NULL);
    info_init (&info, formats[f], 1, 1, "bt601");
    h = make_harness (e, &info);
    buf = make_frame (&info, f);
    engine_result (buf, &info, 0, 0, 1, 1, 1.0f, NULL, &want);
    add_roi (buf, "face", 1, 0, 0, 1, 1);
    add_roi (buf, "face", 2, 1, 1, 5, 5);       /* outside */
    add_roi (buf, "face", 3, -4, -4, 4, 4);     /* outside */
    out = push_pull (h, buf);
    meta = gst_buffer_get_ddamfn_meta (out);
    fail_unless (meta != NULL);
    fail_unless_equals_int (meta->n_faces, 1);
    fail_unless_equals_int (meta->faces[0].roi_id, 1);
    assert_face_equals_result (&meta->faces[0], &want);
    gst_buffer_unref (out);
    gst_harness_teardown (h);
  }
}

GST_END_TEST;

/* An 8K frame (7680×4320) in a packed and a planar format. */
GST_START_TEST (test_8k_frames)
{
  static const GstVideoFormat formats[] = { GST_VIDEO_FORMAT_BGRx,
    GST_VIDEO_FORMAT_NV12
  };

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++) {
    GstVideoInfo info;
    GstHarness *h;
    GstBuffer *buf, *out;
    DdamfnResult want;

    info_init (&info, formats[f], 7680, 4320, "bt709");
    h = make_harness (make_filter (), &info);
    buf = make_frame (&info, 80 + f);
    engine_result (buf, &info, 5000, 3000, 2000, 1300, 1.0f, NULL, &want);
    add_roi (buf, "face", 1, 5000, 3000, 2000, 1300);
    out = push_pull (h, buf);
    assert_one_face_equals (out, &want);
    gst_buffer_unref (out);
    gst_harness_teardown (h);
  }
}

GST_END_TEST;

/* 120 frames, the resolution (and every third time the format) changing
 * every 10 frames; every frame's face is analysed on the right geometry. */
GST_START_TEST (test_resolution_change_every_ten_frames)
{
  static const struct
  {
    GstVideoFormat format;
    gint w, h;
  } sizes[] = {
    {GST_VIDEO_FORMAT_RGB, 320, 240}, {GST_VIDEO_FORMAT_RGB, 161, 97},
    {GST_VIDEO_FORMAT_I420, 640, 360}, {GST_VIDEO_FORMAT_RGB, 128, 128},
    {GST_VIDEO_FORMAT_NV12, 99, 301}, {GST_VIDEO_FORMAT_BGRA, 720, 528},
  };
  GstVideoInfo info;
  GstHarness *h;

  info_init (&info, sizes[0].format, sizes[0].w, sizes[0].h, "bt601");
  h = make_harness (make_filter (), &info);
  for (guint i = 0; i < 120; i++) {
    guint s = (i / 10) % G_N_ELEMENTS (sizes);
    GstBuffer *buf, *out;
    DdamfnResult want;
    gint fw = sizes[s].w, fh = sizes[s].h;
    gint bw = fw / 2, bh = fh / 2;

    if (i % 10 == 0 && i > 0) {
      info_init (&info, sizes[s].format, fw, fh, "bt601");
      gst_harness_set_src_caps (h, gst_video_info_to_caps (&info));
    }
    buf = make_frame (&info, i);
    /* partly outside on one side, so clipping uses the current size */
    add_roi (buf, "face", 1, fw - bw / 2, fh / 4, bw, bh);
    engine_result (buf, &info, fw - bw / 2, fh / 4, bw / 2, bh, 1.0f,
        NULL, &want);
    out = push_pull (h, buf);
    assert_one_face_equals (out, &want);
    fail_unless_equals_int (gst_buffer_get_ddamfn_meta (out)->faces[0].w,
        bw / 2);
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);
}

GST_END_TEST;

static void
copy_file (const gchar * from, const gchar * to)
{
  gchar *data;
  gsize len;
  gchar *tmp = g_strconcat (to, ".tmp", NULL);

  fail_unless (g_file_get_contents (from, &data, &len, NULL));
  fail_unless (g_file_set_contents (tmp, data, len, NULL));
  /* replaced the way an update tool does: a new file renamed over it */
  fail_unless (g_rename (tmp, to) == 0);
  g_free (data);
  g_free (tmp);
}

/* The model file replaced on disk while playing: the element keeps the
 * model it loaded until it is restarted, then runs the new file. A file
 * overwritten in place behaves the same. */
GST_START_TEST (test_model_replaced_while_playing)
{
  gchar *dir = g_dir_make_tmp (NULL, NULL);
  gchar *path = g_build_filename (dir, "model.safetensors", NULL);
  GstElement *e;
  GstVideoInfo info;
  GstHarness *h;
  GstBuffer *frame, *out;
  GstDdamfnMeta *meta;
  DdamfnResult want;

  copy_file (model_path, path);
  info_init (&info, GST_VIDEO_FORMAT_RGB, 160, 120, NULL);
  frame = make_frame (&info, 42);
  add_roi (frame, "face", 1, 20, 10, 100, 100);
  engine_result (frame, &info, 20, 10, 100, 100, 1.0f, NULL, &want);

  e = gst_element_factory_make ("ddamfnfilter", NULL);
  g_object_set (e, "model", path, NULL);
  h = make_harness (e, &info);
  out = push_pull (h, gst_buffer_copy (frame));
  assert_one_face_equals (out, &want);
  gst_buffer_unref (out);

  /* the single-task model under the same name */
  copy_file (single_model_path, path);
  out = push_pull (h, gst_buffer_copy (frame));
  assert_one_face_equals (out, &want);  /* still the loaded model */
  gst_buffer_unref (out);

  /* deleted while playing: nothing changes either */
  fail_unless (g_unlink (path) == 0);
  out = push_pull (h, gst_buffer_copy (frame));
  assert_one_face_equals (out, &want);
  gst_buffer_unref (out);

  /* restarted: the new file is loaded */
  copy_file (single_model_path, path);
  fail_unless_equals_int (gst_element_set_state (h->element,
          GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
  fail_unless_equals_int (gst_element_set_state (h->element,
          GST_STATE_PLAYING), GST_STATE_CHANGE_SUCCESS);
  fail_unless (gst_harness_push_event (h,
          gst_event_new_stream_start ("restarted")));
  gst_harness_set_src_caps (h, gst_video_info_to_caps (&info));
  out = push_pull (h, gst_buffer_copy (frame));
  meta = gst_buffer_get_ddamfn_meta (out);
  fail_unless (meta != NULL && meta->n_faces == 1);
  fail_if (meta->faces[0].has_va, "still the multitask model");
  fail_unless_equals_int (meta->faces[0].n_expr, 7);
  fail_unless_equals_int (meta->faces[0].n_au, 0);
  gst_buffer_unref (out);

  gst_harness_teardown (h);
  gst_buffer_unref (frame);
  g_unlink (path);
  g_rmdir (dir);
  g_free (path);
  g_free (dir);
}

GST_END_TEST;

static Suite *
faults_suite (void)
{
  Suite *s = suite_create ("ddamfnfilter-faults");
  TCase *tc = tcase_create ("faults");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_malformed_landmarks_fall_back_to_box);
  tcase_add_test (tc, test_stale_result_param_replaced);
  tcase_add_test (tc, test_odd_strides_and_no_video_meta);
  tcase_add_test (tc, test_short_buffer_is_an_error);
  tcase_add_test (tc, test_one_pixel_frames);
  tcase_add_test (tc, test_8k_frames);
  tcase_add_test (tc, test_resolution_change_every_ten_frames);
  tcase_add_test (tc, test_model_replaced_while_playing);
  /* generous: sanitizer runs are slow */
  tcase_set_timeout (tc, 3600);
  return s;
}

int
main (int argc, char **argv)
{
  return element_test_main (argc, argv, faults_suite, "ddamfnfilter-faults");
}
