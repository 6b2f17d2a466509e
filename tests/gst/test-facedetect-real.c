/* ddamfnfacedetect with the real BlazeFace models on real pictures:
 * messi5.jpg (exactly one face, keypoints where the eyes, nose and mouth
 * are) and Megamind.avi (a face on at least 250 of its 270 frames; the
 * number of frames with more than one face is printed). Frames go in as
 * the decoders give them (I420), without videoconvert. Every ROI must
 * have its own id, reachable through
 * gst_buffer_get_video_region_of_interest_meta_id, and carry the
 * "detection" and "landmarks" structures.
 *
 * usage: test-facedetect-real DATA_DIR MODEL_DIR
 * Exits 77 (skipped) when the data or the models are missing (models:
 * models/fetch-detector.sh MODEL_DIR; $DDAMFN_DETECTOR_DIR replaces it).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/gst.h>
#include <gst/video/video.h>

#include <stdio.h>
#include <string.h>

#include "soft-check.h"

#define SKIP 77

typedef struct
{
  guint frames, with_face, multi, rois, bad;
  double kp[12];                /* first face of the last frame */
  double box[4];
  double confidence;
} Counts;

static GstPadProbeReturn
probe (G_GNUC_UNUSED GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  Counts *c = data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  gpointer state = NULL;
  GstMeta *meta;
  guint n = 0;
  guint64 seen = 0;

  while ((meta = gst_buffer_iterate_meta_filtered (buf, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
    GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *) meta;
    GstStructure *det =
        gst_video_region_of_interest_meta_get_param (roi, "detection");
    GstStructure *lm =
        gst_video_region_of_interest_meta_get_param (roi, "landmarks");
    double conf = -1;

    if (roi->roi_type != g_quark_from_static_string ("face"))
      continue;
    n++;
    /* ids distinct, and each reaches its own ROI */
    if (roi->id < 0 || roi->id >= 64 || (seen & (G_GUINT64_CONSTANT (1) <<
                roi->id))
        || gst_buffer_get_video_region_of_interest_meta_id (buf,
            roi->id) != roi || det == NULL || lm == NULL
        || !gst_structure_get_double (det, "confidence", &conf)
        || g_strcmp0 (gst_structure_get_string (lm, "layout"),
            "blazeface") != 0) {
      c->bad++;
      continue;
    }
    seen |= G_GUINT64_CONSTANT (1) << roi->id;
    if (roi->id == 0) {
      for (int k = 0; k < 6; k++) {
        char xn[4], yn[4];
        g_snprintf (xn, sizeof xn, "x%d", k);
        g_snprintf (yn, sizeof yn, "y%d", k);
        if (!gst_structure_get_double (lm, xn, &c->kp[2 * k])
            || !gst_structure_get_double (lm, yn, &c->kp[2 * k + 1]))
          c->bad++;
      }
      c->box[0] = roi->x;
      c->box[1] = roi->y;
      c->box[2] = roi->w;
      c->box[3] = roi->h;
      c->confidence = conf;
    }
  }
  c->frames++;
  c->rois += n;
  c->with_face += n > 0;
  c->multi += n > 1;
  return GST_PAD_PROBE_OK;
}

static gboolean
run (const char *description, Counts * c)
{
  GError *error = NULL;
  GstElement *p = gst_parse_launch (description, &error);
  GstElement *det;
  GstPad *pad;
  GstBus *bus;
  GstMessage *msg;
  gboolean ok;

  if (p == NULL) {
    g_printerr ("%s: %s\n", description, error->message);
    g_clear_error (&error);
    return FALSE;
  }
  det = gst_bin_get_by_name (GST_BIN (p), "det");
  pad = gst_element_get_static_pad (det, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, probe, c, NULL);
  gst_object_unref (pad);
  gst_object_unref (det);
  gst_element_set_state (p, GST_STATE_PLAYING);
  bus = gst_element_get_bus (p);
  msg = gst_bus_timed_pop_filtered (bus, 300 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  ok = msg && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS;
  if (msg && !ok) {
    gst_message_parse_error (msg, &error, NULL);
    g_printerr ("%s: %s\n", description, error->message);
    g_clear_error (&error);
  }
  if (msg)
    gst_message_unref (msg);
  gst_object_unref (bus);
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (p);
  return ok;
}

static void
check_photo (const char *photo, const char *model)
{
  Counts c = { 0 };
  char *d = g_strdup_printf ("filesrc location=\"%s\" ! jpegdec ! "
      "ddamfnfacedetect name=det model=\"%s\" ! fakesink", photo, model);
  const double *k = c.kp;

  CHECK (run (d, &c), "photo pipeline ran");
  g_print ("messi5.jpg: %u face(s); face 0 box %.0f,%.0f %.0fx%.0f, "
      "confidence %.3f\n  right eye (%.1f, %.1f), left eye (%.1f, %.1f), "
      "nose tip (%.1f, %.1f), mouth centre (%.1f, %.1f), ears (%.1f, %.1f) "
      "(%.1f, %.1f)\n", c.rois, c.box[0], c.box[1], c.box[2], c.box[3],
      c.confidence, k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7], k[8],
      k[9], k[10], k[11]);
  CHECK (c.frames == 1 && c.rois == 1 && c.bad == 0,
      "exactly one face with id, confidence and landmarks (%u, bad %u)",
      c.rois, c.bad);
  /* the face: OpenCV's box of it is 226,94 38×38; eyes above the nose,
   * the nose above the mouth, the person's right eye on the image's left */
  CHECK (c.box[0] >= 210 && c.box[0] + c.box[2] <= 275 && c.box[1] >= 80
      && c.box[1] + c.box[3] <= 140, "box on Messi's face");
  CHECK (k[0] < k[2] && k[0] > c.box[0] && k[2] < c.box[0] + c.box[2],
      "eyes inside the box, right eye left of the left eye");
  CHECK (k[1] < k[5] && k[3] < k[5] && k[5] < k[7]
      && k[7] < c.box[1] + c.box[3], "eyes above nose above mouth");
  CHECK (k[4] > k[0] && k[4] < k[2] && k[6] > k[0] && k[6] < k[2],
      "nose and mouth between the eyes");
  g_free (d);
}

static void
check_video (const char *video, const char *model)
{
  Counts c = { 0 };
  char *d = g_strdup_printf ("filesrc location=\"%s\" ! decodebin ! "
      "ddamfnfacedetect name=det model=\"%s\" ! fakesink", video, model);

  CHECK (run (d, &c), "video pipeline ran");
  g_print ("Megamind.avi: %u frames, a face on %u, more than one on %u, "
      "%u faces in all\n", c.frames, c.with_face, c.multi, c.rois);
  CHECK (c.frames == 270, "270 frames (%u)", c.frames);
  CHECK (c.with_face >= 250, "a face on at least 250 frames (%u)",
      c.with_face);
  CHECK (c.bad == 0, "every ROI with its own id and parameters (bad %u)",
      c.bad);
  g_free (d);
}

int
main (int argc, char **argv)
{
  const char *dir;
  char *photo, *video, *full;

  gst_init (&argc, &argv);
  if (argc < 3) {
    g_printerr ("usage: %s DATA_DIR MODEL_DIR\n", argv[0]);
    return 2;
  }
  dir = g_getenv ("DDAMFN_DETECTOR_DIR");
  if (dir == NULL || dir[0] == '\0')
    dir = argv[2];
  photo = g_build_filename (argv[1], "messi5.jpg", NULL);
  video = g_build_filename (argv[1], "Megamind.avi", NULL);
  full = g_build_filename (dir, "blazeface-full-range.safetensors", NULL);
  if (!g_file_test (full, G_FILE_TEST_EXISTS)) {
    g_print ("SKIP: %s missing (models/fetch-detector.sh %s)\n", full, dir);
    return SKIP;
  }
  if (!g_file_test (photo, G_FILE_TEST_EXISTS)
      || !g_file_test (video, G_FILE_TEST_EXISTS)) {
    g_print ("SKIP: messi5.jpg / Megamind.avi missing in %s\n", argv[1]);
    return SKIP;
  }
  check_photo (photo, full);
  check_video (video, full);
  g_free (photo);
  g_free (video);
  g_free (full);
  return soft_check_exit_status ();
}
