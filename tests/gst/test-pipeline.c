/* Pipeline tests with a real upstream: the stock opencv facedetect marks
 * faces on a photo and on a video, ddamfnfilter analyses them.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * usage: test-pipeline DATA_DIR MODEL
 * DATA_DIR holds messi5.jpg and Megamind.avi. Exits 77 (skipped) when the
 * data, the opencv plugin or its cascade file are missing.
 */
#include <gst/gst.h>
#include <gst/video/video.h>
#include <gst/ddamfn/gstddamfnmeta.h>

#include <stdio.h>
#include <string.h>

#include "soft-check.h"

#define SKIP 77

typedef struct
{
  guint frames;
  guint frames_with_faces;      /* facedetect found at least one */
  guint frames_with_results;    /* GstDdamfnMeta has at least one face */
  guint faces;
  guint messages;
  guint messages_with_faces;
  guint mismatches;
} Counts;

static guint
count_face_rois (GstBuffer * buf)
{
  gpointer state = NULL;
  GstMeta *meta;
  guint n = 0;

  while ((meta = gst_buffer_iterate_meta_filtered (buf, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
    GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *) meta;
    if (roi->roi_type == g_quark_from_static_string ("face"))
      n++;
  }
  return n;
}

/* After ddamfnfilter: facedetect's ROIs are still on the buffer; each must
 * have a result, in the typed meta and in its parameters. */
static GstPadProbeReturn
sink_probe (G_GNUC_UNUSED GstPad * pad, GstPadProbeInfo * info,
    gpointer user_data)
{
  Counts *counts = user_data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  GstDdamfnMeta *meta = gst_buffer_get_ddamfn_meta (buf);
  guint n_rois = count_face_rois (buf);
  guint n_faces = meta ? meta->n_faces : 0;

  counts->frames++;
  if (n_rois > 0)
    counts->frames_with_faces++;
  if (n_faces > 0)
    counts->frames_with_results++;
  counts->faces += n_faces;

  if (meta == NULL || n_faces != n_rois) {
    g_printerr ("frame %u (pts %" GST_TIME_FORMAT "): %u ROIs, %u results\n",
        counts->frames - 1, GST_TIME_ARGS (GST_BUFFER_PTS (buf)), n_rois,
        n_faces);
    counts->mismatches++;
    return GST_PAD_PROBE_OK;
  }
  for (guint i = 0; i < n_faces; i++) {
    GstDdamfnFace *face = &meta->faces[i];
    GstVideoRegionOfInterestMeta *roi =
        gst_buffer_get_video_region_of_interest_meta_id (buf, face->roi_id);
    gboolean ok = roi != NULL
        && gst_video_region_of_interest_meta_get_param (roi, "ddamfn")
        && face->has_va && face->n_expr == 8 && face->n_au == 12
        && face->expr_label != NULL && face->w > 0 && face->h > 0
        && face->valence >= -1 && face->valence <= 1;
    if (!ok)
      counts->mismatches++;
  }
  return GST_PAD_PROBE_OK;
}

static void
check_face_structure (const GstStructure * fs)
{
  const GValue *v;
  gdouble d;
  guint u;

  CHECK (gst_structure_get_double (fs, "valence", &d) && d >= -1 && d <= 1,
      "valence");
  CHECK (gst_structure_get_double (fs, "arousal", &d) && d >= -1 && d <= 1,
      "arousal");
  CHECK (gst_structure_get_string (fs, "expression") != NULL, "expression");
  CHECK (gst_structure_get_double (fs, "confidence", &d) && d > 0 && d <= 1,
      "confidence");
  v = gst_structure_get_value (fs, "expression-probs");
  CHECK (v && GST_VALUE_HOLDS_ARRAY (v)
      && gst_value_array_get_size (v) == 8, "expression-probs");
  v = gst_structure_get_value (fs, "au-probs");
  CHECK (v && GST_VALUE_HOLDS_ARRAY (v)
      && gst_value_array_get_size (v) == 12, "au-probs");
  v = gst_structure_get_value (fs, "au-active");
  CHECK (v && GST_VALUE_HOLDS_ARRAY (v), "au-active");
  CHECK (gst_structure_get_uint (fs, "track-id", &u) && u >= 1, "track-id");
  CHECK (gst_structure_get_uint (fs, "w", &u) && u > 0, "w");
}

/* Runs PIPELINE to EOS, checking every buffer at the sink and every
 * message of the filter. Returns the elapsed wall time in seconds. */
static gdouble
run (GstElement * pipeline, Counts * counts, gboolean print_first)
{
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  GstElement *filter = gst_bin_get_by_name (GST_BIN (pipeline), "f");
  GstPad *pad = gst_element_get_static_pad (sink, "sink");
  GstBus *bus = gst_element_get_bus (pipeline);
  gboolean done = FALSE;
  gint64 t0;

  memset (counts, 0, sizeof (*counts));
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, sink_probe, counts,
      NULL);
  gst_object_unref (pad);

  t0 = g_get_monotonic_time ();
  CHECK (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE, "set to PLAYING");
  while (!done) {
    GstMessage *msg = gst_bus_timed_pop_filtered (bus, 300 * GST_SECOND,
        GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_ELEMENT);
    const GstStructure *st;

    if (msg == NULL) {
      CHECK (FALSE, "timeout");
      break;
    }
    switch (GST_MESSAGE_TYPE (msg)) {
      case GST_MESSAGE_EOS:
        done = TRUE;
        break;
      case GST_MESSAGE_ERROR:{
        GError *error = NULL;
        gchar *debug = NULL;
        gst_message_parse_error (msg, &error, &debug);
        CHECK (FALSE, "error from %s: %s (%s)", GST_MESSAGE_SRC_NAME (msg),
            error->message, debug);
        g_error_free (error);
        g_free (debug);
        done = TRUE;
        break;
      }
      case GST_MESSAGE_ELEMENT:
        st = gst_message_get_structure (msg);
        if (GST_MESSAGE_SRC (msg) == GST_OBJECT (filter)
            && gst_structure_has_name (st, "ddamfn")) {
          const GValue *faces = gst_structure_get_value (st, "faces");
          guint n = faces ? gst_value_list_get_size (faces) : 0;

          counts->messages++;
          if (n > 0)
            counts->messages_with_faces++;
          for (guint i = 0; i < n; i++)
            check_face_structure (gst_value_get_structure
                (gst_value_list_get_value (faces, i)));
          if (print_first && n > 0 && counts->messages_with_faces == 1) {
            gchar *s = gst_structure_to_string (st);
            g_print ("%s\n", s);
            g_free (s);
          }
        }
        break;
      default:
        break;
    }
    gst_message_unref (msg);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (sink);
  gst_object_unref (filter);
  return (g_get_monotonic_time () - t0) / 1e6;
}

static GstElement *
make_pipeline (const gchar * description, const gchar * location,
    const gchar * model)
{
  GError *error = NULL;
  GstElement *pipeline = gst_parse_launch (description, &error);
  GstElement *e;

  if (pipeline == NULL)
    g_error ("cannot build \"%s\": %s", description, error->message);
  e = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  g_object_set (e, "location", location, NULL);
  gst_object_unref (e);
  e = gst_bin_get_by_name (GST_BIN (pipeline), "f");
  g_object_set (e, "model", model, NULL);
  gst_object_unref (e);
  return pipeline;
}

static void
test_photo (const gchar * path, const gchar * model)
{
  GstElement *pipeline = make_pipeline ("filesrc name=src ! jpegdec ! "
      "videoconvert ! facedetect display=false updates=none ! "
      "ddamfnfilter name=f post-messages=true ! fakesink name=sink",
      path, model);
  Counts c;

  run (pipeline, &c, TRUE);
  g_print ("messi5.jpg: %u frame, %u with faces, %u face(s) analysed\n",
      c.frames, c.frames_with_faces, c.faces);
  CHECK (c.frames == 1, "frames %u", c.frames);
  CHECK (c.faces == 1, "exactly one face expected, got %u", c.faces);
  CHECK (c.messages == 1 && c.messages_with_faces == 1, "messages %u/%u",
      c.messages, c.messages_with_faces);
  CHECK (c.mismatches == 0, "%u mismatches", c.mismatches);
  gst_object_unref (pipeline);
}

static void
test_video (const gchar * path, const gchar * model)
{
  GstElement *pipeline = make_pipeline ("filesrc name=src ! decodebin ! "
      "videoconvert ! facedetect display=false updates=none ! "
      "ddamfnfilter name=f post-messages=true ! fakesink name=sink sync=false",
      path, model);
  Counts c;
  gdouble secs;

  secs = run (pipeline, &c, FALSE);
  g_print ("Megamind.avi: %u frames, facedetect found faces on %u, results "
      "on %u (%u faces), %u messages (%u with faces); %.2f s, %.1f fps\n",
      c.frames, c.frames_with_faces, c.frames_with_results, c.faces,
      c.messages, c.messages_with_faces, secs, c.frames / secs);
  CHECK (c.frames == 270, "frames %u", c.frames);
  CHECK (c.frames_with_faces > 0, "facedetect found nothing");
  if (c.frames_with_faces != 251)
    g_print ("note: the data says 251 frames with faces, this opencv "
        "found %u\n", c.frames_with_faces);
  CHECK (c.frames_with_results == c.frames_with_faces,
      "results on %u frames, faces on %u", c.frames_with_results,
      c.frames_with_faces);
  CHECK (c.messages == c.frames, "messages %u for %u frames", c.messages,
      c.frames);
  CHECK (c.messages_with_faces == c.frames_with_faces, "messages with faces "
      "%u", c.messages_with_faces);
  CHECK (c.mismatches == 0, "%u frames without matching results",
      c.mismatches);
  gst_object_unref (pipeline);
}

static gboolean
have_elements (const gchar * const *names)
{
  for (; *names; names++) {
    GstElementFactory *f = gst_element_factory_find (*names);
    if (f == NULL) {
      g_print ("SKIP: GStreamer element %s is not installed%s\n", *names,
          strcmp (*names, "facedetect") == 0 ?
          " (package gstreamer1.0-opencv)" : "");
      return FALSE;
    }
    gst_object_unref (f);
  }
  return TRUE;
}

int
main (int argc, char **argv)
{
  const gchar *const needed[] = { "filesrc", "jpegdec", "decodebin",
    "videoconvert", "facedetect", "fakesink", "ddamfnfilter", NULL
  };
  gchar *photo, *video, *cascade = NULL;
  GstElement *fd;

  gst_init (&argc, &argv);
  if (argc != 3) {
    g_printerr ("usage: %s DATA_DIR MODEL\n", argv[0]);
    return 2;
  }
  if (!have_elements (needed))
    return SKIP;

  fd = gst_element_factory_make ("facedetect", NULL);
  g_object_get (fd, "profile", &cascade, NULL);
  gst_object_unref (fd);
  if (cascade == NULL || !g_file_test (cascade, G_FILE_TEST_EXISTS)) {
    g_print ("SKIP: facedetect's cascade %s is missing\n",
        cascade ? cascade : "(none)");
    g_free (cascade);
    return SKIP;
  }
  g_free (cascade);

  photo = g_build_filename (argv[1], "messi5.jpg", NULL);
  video = g_build_filename (argv[1], "Megamind.avi", NULL);
  if (!g_file_test (photo, G_FILE_TEST_EXISTS)
      || !g_file_test (video, G_FILE_TEST_EXISTS)) {
    g_print ("SKIP: %s or %s is missing\n", photo, video);
    return SKIP;
  }

  test_photo (photo, argv[2]);
  test_video (video, argv[2]);

  g_free (photo);
  g_free (video);
  return soft_check_exit_status ();
}
