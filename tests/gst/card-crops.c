/* card-crops: runs VIDEO through ddamfnfacedetect ! ddamfnfilter with
 * MODEL and, for every face the filter analysed on a frame, cuts the same
 * face again with the library's card-driven preprocessing
 * (ddamfn_model_prepare_box / _landmarks, as the card says) from the same
 * frame, so that a test can give those crops to a reference runtime and
 * compare its answers with the filter's.
 *
 * usage: card-crops MODEL VIDEO OUT_PREFIX MAX_FACES
 * writes OUT_PREFIX.in.f32 (the crops, model input layout, float32),
 * OUT_PREFIX.json ({"faces": [{"frame", "x", "y", "w", "h",
 * "expr_probs", "valence", "arousal"}], "input_floats": N, "card": ...}).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <ddamfn/ddamfn.h>
#include <gst/app/gstappsink.h>
#include <gst/ddamfn/gstddamfnmeta.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <stdio.h>
#include <stdlib.h>

static void
die (const char *what)
{
  fprintf (stderr, "card-crops: %s\n", what);
  exit (1);
}

/* One frame's analysed faces: the crop of each (fresh results only, so
 * that the filter's answer belongs to this very frame). */
static guint
cut_faces (DdamfnModel * model, GstSample * sample, FILE * crops,
    GString * json, guint64 frame, guint room)
{
  GstBuffer *buf = gst_sample_get_buffer (sample);
  GstDdamfnMeta *meta = gst_buffer_get_ddamfn_meta (buf);
  const gsize floats = ddamfn_model_get_input_floats (model);
  float *t = g_new (float, floats);
  GstVideoInfo info;
  GstVideoFrame vf;
  guint n = 0;

  if (meta == NULL || meta->n_faces == 0) {
    g_free (t);
    return 0;
  }
  if (!gst_video_info_from_caps (&info, gst_sample_get_caps (sample))
      || !gst_video_frame_map (&vf, &info, buf, GST_MAP_READ))
    die ("cannot map a frame");
  for (guint i = 0; i < meta->n_faces && n < room; i++) {
    const GstDdamfnFace *f = &meta->faces[i];
    DdamfnImage img = {.format = DDAMFN_PIXEL_RGB,.width = info.width,
      .height = info.height
    };
    DdamfnBox box = { f->x, f->y, f->w, f->h };
    GError *error = NULL;

    if (f->result_age != 0 || f->n_expr == 0)
      continue;
    img.planes[0] = GST_VIDEO_FRAME_PLANE_DATA (&vf, 0);
    img.strides[0] = GST_VIDEO_FRAME_PLANE_STRIDE (&vf, 0);
    if (!ddamfn_model_prepare_box (model, &img, &box, 0.f, t, &error))
      die (error->message);
    if (fwrite (t, sizeof (float), floats, crops) != floats)
      die ("cannot write the crops");
    g_string_append_printf (json, "%s{\"frame\": %" G_GUINT64_FORMAT
        ", \"x\": %u, \"y\": %u, \"w\": %u, \"h\": %u, \"expr_probs\": [",
        json->str[json->len - 1] == '[' ? "" : ", ", frame, f->x, f->y,
        f->w, f->h);
    for (int k = 0; k < f->n_expr; k++)
      g_string_append_printf (json, "%s%.9g", k ? ", " : "",
          f->expr_probs[k]);
    g_string_append (json, "]");
    if (f->has_va)
      g_string_append_printf (json, ", \"valence\": %.9g, \"arousal\": %.9g",
          f->valence, f->arousal);
    g_string_append (json, "}");
    n++;
  }
  gst_video_frame_unmap (&vf);
  g_free (t);
  return n;
}

int
main (int argc, char **argv)
{
  GError *error = NULL;
  GstElement *pipe, *sink, *filter;
  DdamfnModel *model;
  GString *json = g_string_new ("{\"faces\": [");
  FILE *crops;
  char *path, *desc, *card;
  guint64 frame = 0;
  guint n = 0, max;

  gst_init (&argc, &argv);
  if (argc != 5)
    die ("usage: card-crops MODEL VIDEO OUT_PREFIX MAX_FACES");
  max = (guint) atoi (argv[4]);
  model = ddamfn_model_open (argv[1], &error);
  if (model == NULL)
    die (error->message);
  if (ddamfn_model_get_input_spec (model)->crop != DDAMFN_CROP_BOX)
    die ("this check cuts box crops: give a model whose card crops boxes");
  desc = g_strdup_printf ("filesrc location=\"%s\" ! decodebin ! "
      "videoconvert ! video/x-raw,format=RGB ! ddamfnfacedetect ! "
      "ddamfnfilter name=f ! appsink name=s sync=false", argv[2]);
  pipe = gst_parse_launch (desc, &error);
  g_free (desc);
  if (pipe == NULL)
    die (error->message);
  filter = gst_bin_get_by_name (GST_BIN (pipe), "f");
  g_object_set (filter, "model", argv[1], NULL);
  gst_object_unref (filter);
  sink = gst_bin_get_by_name (GST_BIN (pipe), "s");
  path = g_strdup_printf ("%s.in.f32", argv[3]);
  crops = fopen (path, "wb");
  if (crops == NULL)
    die ("cannot create the crops file");
  if (gst_element_set_state (pipe, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE)
    die ("the pipeline does not start");
  while (n < max) {
    GstSample *s = gst_app_sink_pull_sample (GST_APP_SINK (sink));
    if (s == NULL)
      break;
    n += cut_faces (model, s, crops, json, frame++, max - n);
    gst_sample_unref (s);
  }
  gst_element_set_state (pipe, GST_STATE_NULL);
  if (fclose (crops) != 0)
    die ("cannot write the crops file");
  card = ddamfn_model_get_card_json (model);
  g_string_append_printf (json, "], \"frames\": %" G_GUINT64_FORMAT
      ", \"input_floats\": %" G_GSIZE_FORMAT ", \"card_name\": \"%s\", "
      "\"card\": %s}\n", frame, ddamfn_model_get_input_floats (model),
      ddamfn_model_get_card_name (model), card);
  g_free (card);
  g_free (path);
  path = g_strdup_printf ("%s.json", argv[3]);
  if (!g_file_set_contents (path, json->str, -1, &error))
    die (error->message);
  printf ("%u faces on %" G_GUINT64_FORMAT " frames\n", n, frame);
  g_free (path);
  g_string_free (json, TRUE);
  gst_object_unref (sink);
  gst_object_unref (pipe);
  ddamfn_model_unref (model);
  return n > 0 ? 0 : 1;
}
