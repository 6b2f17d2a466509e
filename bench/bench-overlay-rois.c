/* Memory and time of one frame with thousands of full-frame ROIs, the
 * hostile case of issue 13: ddamfnoverlay alone on a frame whose results are
 * already attached, and ddamfnfilter max-faces=256 ! ddamfnoverlay.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * usage: GST_PLUGIN_PATH=build/gst-plugin build/bench/bench-overlay-rois
 *        MODE FORMAT [N_ROIS [MODEL]]
 *   MODE overlay:  ddamfnoverlay on a 2264x1324 FORMAT frame carrying
 *                  N_ROIS (default 4000) full-frame ROIs and a GstDdamfnMeta
 *                  of 256 full-frame faces (what the filter attaches with
 *                  max-faces=256); five runs, the median time per frame
 *   MODE pipeline: the same frame with the ROIs only through
 *                  "ddamfnfilter model=MODEL max-faces=256 ! ddamfnoverlay",
 *                  once
 * Prints the time and the process's peak resident memory (getrusage), so
 * run one MODE per process.
 */
#include <gst/gst.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <gst/ddamfn/gstddamfnmeta.h>

#include "bench-stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define WIDTH 2264
#define HEIGHT 1324
#define RUNS 5

static glong
peak_rss_kb (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

static GstBuffer *
make_frame (const GstVideoInfo * info, guint n_rois, gboolean with_results)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (info),
      NULL);
  GstMapInfo map;

  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  for (gsize i = 0; i < map.size; i++)
    map.data[i] = (guint8) (i * 7 + (i >> 11));
  gst_buffer_unmap (buf, &map);
  for (guint i = 0; i < n_rois; i++)
    gst_buffer_add_video_region_of_interest_meta (buf, "face", 0, 0, WIDTH,
        HEIGHT);
  if (with_results) {
    static const gchar *labels[8] = { "Neutral", "Happy", "Sad", "Surprise",
      "Fear", "Disgust", "Anger", "Contempt"
    };
    GstDdamfnFace *faces = g_new0 (GstDdamfnFace, 256);

    for (guint i = 0; i < 256; i++) {
      GstDdamfnFace *f = &faces[i];

      f->roi_id = -1;
      f->track_id = i + 1;
      f->w = WIDTH;
      f->h = HEIGHT;
      f->has_va = TRUE;
      f->valence = 0.3f;
      f->arousal = -0.2f;
      f->n_expr = 8;
      f->expr_index = i % 8;
      for (gint k = 0; k < 8; k++)
        f->expr_probs[k] = 0.125f;
      f->expr_label = g_intern_string (labels[i % 8]);
    }
    gst_buffer_add_ddamfn_meta (buf, faces, 256);
    g_free (faces);
  }
  GST_BUFFER_PTS (buf) = 0;
  GST_BUFFER_DURATION (buf) = GST_SECOND / 25;
  return buf;
}

int
main (int argc, char **argv)
{
  const gchar *mode, *format, *model = NULL;
  guint n_rois = 4000;
  GstVideoInfo info;
  GstHarness *h;
  GstCaps *caps;
  gdouble times[RUNS];
  gint runs;
  glong before;

  gst_init (&argc, &argv);
  if (argc < 3) {
    fprintf (stderr, "usage: %s overlay|pipeline FORMAT [N_ROIS [MODEL]]\n",
        argv[0]);
    return 2;
  }
  mode = argv[1];
  format = argv[2];
  if (argc > 3)
    n_rois = (guint) atoi (argv[3]);
  if (argc > 4)
    model = argv[4];
  if (g_str_equal (mode, "pipeline") && model == NULL) {
    fprintf (stderr, "pipeline mode needs N_ROIS and MODEL\n");
    return 2;
  }
  gst_video_info_set_format (&info, gst_video_format_from_string (format),
      WIDTH, HEIGHT);
  GST_VIDEO_INFO_FPS_N (&info) = 25;

  if (g_str_equal (mode, "overlay")) {
    h = gst_harness_new ("ddamfnoverlay");
    runs = RUNS;
  } else {
    gchar *desc = g_strdup_printf ("ddamfnfilter model=\"%s\" max-faces=256 "
        "! ddamfnoverlay", model);

    h = gst_harness_new_parse (desc);
    g_free (desc);
    runs = 1;
  }
  caps = gst_video_info_to_caps (&info);
  gst_harness_set_caps (h, gst_caps_ref (caps), caps);

  before = peak_rss_kb ();
  for (gint r = 0; r < runs; r++) {
    GstBuffer *in = make_frame (&info, n_rois, runs > 1);
    GstBuffer *out;
    gdouble t0 = g_get_monotonic_time () / 1e6;

    if (gst_harness_push (h, in) != GST_FLOW_OK) {
      fprintf (stderr, "push failed\n");
      return 1;
    }
    out = gst_harness_pull (h);
    times[r] = g_get_monotonic_time () / 1e6 - t0;
    gst_buffer_unref (out);
  }
  printf ("%s %s %dx%d, %u full-frame ROIs: %.3f s per frame (median of "
      "%d), peak RSS %.1f MB (%.1f MB before the first frame)\n", mode,
      format, WIDTH, HEIGHT, n_rois, bench_median (times, runs), runs,
      peak_rss_kb () / 1024.0, before / 1024.0);
  gst_harness_teardown (h);
  return 0;
}
