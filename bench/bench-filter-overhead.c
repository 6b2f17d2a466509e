/* What ddamfnfilter costs per face on top of the network: ROI selection,
 * cropping (preprocessing), tracking, the typed meta, the ROI parameters.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * usage: GST_PLUGIN_PATH=build/gst-plugin build/bench/bench-filter-overhead MODEL
 *        [SECONDS_PER_CASE]
 *
 * MODEL is any model the element takes (DDAMFN .safetensors, .onnx,
 * TensorFlow.js model.json), with the card it brings or its shapes choose.
 *
 * For 1920×1080 RGB and I420 frames with 1, 4 and 16 faces of 200×200 px:
 *   element   — ddamfnfilter per buffer (harness push + pull included)
 *   network   — ddamfn_session_run alone on the same batch
 *   preproc   — ddamfn_model_prepare_box alone, per face (the crop the
 *               model's card asks for)
 *   reuse     — the element per buffer when every face re-uses its last
 *               result (inference-interval 10000): ROI selection, tracking
 *               and metas, no crop and no network
 *   own/face  — the element's own cost per face: preproc + reuse / faces
 *               (element − network is printed too, but it is the small
 *               difference of two large, noisy times)
 */
#include <gst/gst.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <gst/ddamfn/gstddamfnmeta.h>
#include <ddamfn/ddamfn.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static gdouble seconds_per_case = 2.0;

static gdouble
now (void)
{
  return g_get_monotonic_time () / 1e6;
}

static GstBuffer *
make_frame (const GstVideoInfo * info)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (info),
      NULL);
  GstMapInfo map;

  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  for (gsize i = 0; i < map.size; i++)
    map.data[i] = (guint8) ((i * 2654435761u) >> 24);
  gst_buffer_unmap (buf, &map);
  return buf;
}

static void
face_box (gint k, gint * x, gint * y)
{
  *x = 40 + (k % 8) * 230;
  *y = 40 + (k / 8) * 260;
}

/* A shallow copy of TEMPLATE (pixels shared) carrying N_FACES ROIs. */
static GstBuffer *
frame_with_faces (GstBuffer * tmpl, gint n_faces)
{
  GstBuffer *buf = gst_buffer_copy (tmpl);

  for (gint k = 0; k < n_faces; k++) {
    gint x, y;
    face_box (k, &x, &y);
    gst_buffer_add_video_region_of_interest_meta (buf, "face", x, y, 200,
        200);
  }
  return buf;
}

static gdouble
time_element (const gchar * model, const GstVideoInfo * info,
    GstBuffer * tmpl, gint n_faces, guint interval)
{
  GstElement *e = gst_element_factory_make ("ddamfnfilter", NULL);
  GstHarness *h;
  gdouble t0, t;
  gint n = 0;

  if (e == NULL) {
    g_printerr ("ddamfnfilter not found: set GST_PLUGIN_PATH\n");
    exit (1);
  }
  g_object_set (e, "model", model, "inference-interval", interval, NULL);
  h = gst_harness_new_with_element (e, "sink", "src");
  gst_object_unref (e);
  gst_harness_set_src_caps (h, gst_video_info_to_caps ((GstVideoInfo *)
          info));
  /* warm up: scratch memory, first inference of every track */
  gst_buffer_unref (gst_harness_push_and_pull (h, frame_with_faces (tmpl,
              n_faces)));

  t0 = now ();
  do {
    GstBuffer *out = gst_harness_push_and_pull (h, frame_with_faces (tmpl,
            n_faces));
    GstDdamfnMeta *meta = gst_buffer_get_ddamfn_meta (out);
    if (meta == NULL || (gint) meta->n_faces != n_faces) {
      g_printerr ("unexpected result\n");
      exit (1);
    }
    gst_buffer_unref (out);
    n++;
    t = now () - t0;
  } while (t < seconds_per_case);
  gst_harness_teardown (h);
  return t / n;
}

static void
image_from_frame (GstVideoFrame * frame, DdamfnImage * image)
{
  memset (image, 0, sizeof (*image));
  image->format = GST_VIDEO_FRAME_FORMAT (frame) == GST_VIDEO_FORMAT_I420 ?
      DDAMFN_PIXEL_I420 : DDAMFN_PIXEL_RGB;
  image->width = GST_VIDEO_FRAME_WIDTH (frame);
  image->height = GST_VIDEO_FRAME_HEIGHT (frame);
  image->yuv_matrix = DDAMFN_YUV_BT709;
  for (guint p = 0; p < GST_VIDEO_FRAME_N_PLANES (frame); p++) {
    image->planes[p] = GST_VIDEO_FRAME_PLANE_DATA (frame, p);
    image->strides[p] = GST_VIDEO_FRAME_PLANE_STRIDE (frame, p);
  }
}

/* Preprocessing per face and the network per batch, without GStreamer. */
static void
time_engine (DdamfnSession * session, const GstVideoInfo * info,
    GstBuffer * tmpl, gint n_faces, gdouble * preprocess, gdouble * network)
{
  DdamfnModel *model = ddamfn_session_get_model (session);
  const gsize floats = ddamfn_model_get_input_floats (model);
  float *input = g_new (float, (gsize) n_faces * floats);
  DdamfnResult *results = g_new (DdamfnResult, n_faces);
  GstVideoFrame frame;
  DdamfnImage image;
  gdouble t0, t;
  gint n = 0;

  gst_video_frame_map (&frame, (GstVideoInfo *) info, tmpl, GST_MAP_READ);
  image_from_frame (&frame, &image);

  t0 = now ();
  do {
    for (gint k = 0; k < n_faces; k++) {
      gint x, y;
      DdamfnBox box;
      face_box (k, &x, &y);
      box.x = x;
      box.y = y;
      box.w = box.h = 200;
      if (!ddamfn_model_prepare_box (model, &image, &box, 0.f,
              input + (gsize) k * floats, NULL))
        exit (1);
    }
    n++;
    t = now () - t0;
  } while (t < seconds_per_case / 2);
  *preprocess = t / n / n_faces;

  ddamfn_session_run (session, input, n_faces, results, NULL);
  n = 0;
  t0 = now ();
  do {
    if (!ddamfn_session_run (session, input, n_faces, results, NULL))
      exit (1);
    n++;
    t = now () - t0;
  } while (t < seconds_per_case);
  *network = t / n;

  gst_video_frame_unmap (&frame);
  g_free (input);
  g_free (results);
}

int
main (int argc, char **argv)
{
  const GstVideoFormat formats[] = { GST_VIDEO_FORMAT_RGB,
    GST_VIDEO_FORMAT_I420
  };
  const gint face_counts[] = { 1, 4, 16 };
  DdamfnModel *model;
  DdamfnSession *session;
  GError *error = NULL;

  gst_init (&argc, &argv);
  if (argc < 2) {
    g_printerr ("usage: %s MODEL [SECONDS_PER_CASE]\n", argv[0]);
    return 2;
  }
  if (argc > 2)
    seconds_per_case = g_ascii_strtod (argv[2], NULL);
  model = ddamfn_model_open (argv[1], &error);
  if (model == NULL) {
    g_printerr ("%s\n", error->message);
    return 1;
  }
  session = ddamfn_session_new (model, 1, &error);

  printf ("1920x1080, faces 200x200, 1 thread; times in ms\n");
  printf ("%-5s %5s %10s %10s %12s %12s %12s %10s\n", "fmt", "faces",
      "element", "network", "(el-net)/f", "preproc/face", "reuse/frame",
      "own/face");
  for (guint f = 0; f < G_N_ELEMENTS (formats); f++) {
    GstVideoInfo info;
    GstBuffer *tmpl;

    gst_video_info_set_format (&info, formats[f], 1920, 1080);
    info.colorimetry.matrix = GST_VIDEO_COLOR_MATRIX_BT709;
    tmpl = make_frame (&info);
    for (guint c = 0; c < G_N_ELEMENTS (face_counts); c++) {
      gint n = face_counts[c];
      gdouble element, network, preprocess, reuse;

      element = time_element (argv[1], &info, tmpl, n, 1);
      reuse = time_element (argv[1], &info, tmpl, n, 10000);
      time_engine (session, &info, tmpl, n, &preprocess, &network);
      printf ("%-5s %5d %10.3f %10.3f %12.3f %12.3f %12.3f %10.3f\n",
          gst_video_format_to_string (formats[f]), n, element * 1e3,
          network * 1e3, (element - network) / n * 1e3, preprocess * 1e3,
          reuse * 1e3, (preprocess + reuse / n) * 1e3);
    }
    gst_buffer_unref (tmpl);
  }

  ddamfn_session_free (session);
  ddamfn_model_unref (model);
  return 0;
}
