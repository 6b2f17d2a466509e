/* One ONNX file in two GStreamer elements on the same frames: upstream's
 * onnxinference (gst-plugins-bad, ONNX Runtime inside) and ddamfnfilter
 * (this engine), frames/s and CPU time in one run.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * usage: GST_PLUGIN_PATH=build/gst-plugin build/bench/bench-onnxinference
 *        MODEL.onnx VIDEO [ROUNDS]
 * (bench/onnxinference.sh makes the model and runs it: onnxinference wants
 * every output named in the model's metadata, "output" → a tensor id)
 *
 * The video is decoded once and scaled to the model's input (SIZE × SIZE
 * RGB, SIZE from the model's input: 224 for the EfficientNet-B0 fixture),
 * and the frames are kept in memory. Each round then pushes every frame
 * through
 *
 *   appsrc ! onnxinference model-file=MODEL input-image-format=chw
 *       input-tensor-scale=255 optimization-level=enable-all ! fakesink
 *   appsrc ! ddamfnfilter model=MODEL ! fakesink
 *
 * where each frame pushed to ddamfnfilter carries one region of interest
 * covering it, so that both elements run the network once per frame on
 * the same pixels (onnxinference always takes the whole frame). The time
 * is from the first push to the end of stream; the CPU time is the
 * process's (every thread, ONNX Runtime's pool included) over that span.
 * The median of the rounds is printed. ONNX Runtime picks its own thread
 * count (the element has no property for it); ddamfnfilter runs one
 * thread per frame here (n-threads splits a frame's faces).
 */
#include <gst/gst.h>
#include <gst/app/gstappsrc.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bench-stats.h"

#define MAX_FRAMES 600

static double
cpu_s (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6
      + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* Every frame of VIDEO as SIZE × SIZE RGB: up to MAX_FRAMES buffers. */
static GPtrArray *
decode (const char *video, int size, GstCaps ** caps)
{
  char *desc = g_strdup_printf ("filesrc location=\"%s\" ! decodebin ! "
      "videoconvert ! videoscale ! video/x-raw,format=RGB,width=%d,"
      "height=%d ! appsink name=out sync=false", video, size, size);
  GError *error = NULL;
  GstElement *p = gst_parse_launch (desc, &error);
  GPtrArray *frames = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_buffer_unref);
  GstAppSink *sink;
  GstSample *s;

  g_free (desc);
  if (p == NULL || error != NULL) {
    fprintf (stderr, "bench-onnxinference: decoding %s: %s\n", video,
        error ? error->message : "cannot be set up");
    exit (1);
  }
  sink = GST_APP_SINK (gst_bin_get_by_name (GST_BIN (p), "out"));
  gst_element_set_state (p, GST_STATE_PLAYING);
  while (frames->len < MAX_FRAMES && (s = gst_app_sink_pull_sample (sink))) {
    if (*caps == NULL)
      *caps = gst_caps_copy (gst_sample_get_caps (s));
    g_ptr_array_add (frames, gst_buffer_ref (gst_sample_get_buffer (s)));
    gst_sample_unref (s);
  }
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (p);
  if (frames->len == 0) {
    fprintf (stderr, "bench-onnxinference: no frames decoded from %s\n",
        video);
    exit (1);
  }
  return frames;
}

/* One pass of FRAMES through "appsrc ! ELEMENT ! fakesink": wall and CPU
 * seconds. ROI: each frame gets a region of interest covering it. */
static void
run_once (const char *element, GPtrArray * frames, GstCaps * caps,
    gboolean roi, int size, double *wall, double *cpu)
{
  char *desc = g_strdup_printf ("appsrc name=src format=time ! %s ! "
      "fakesink sync=false", element);
  GError *error = NULL;
  GstElement *p = gst_parse_launch (desc, &error);
  GstElement *src;
  GstBus *bus;
  GstMessage *msg;
  double t0, c0;

  g_free (desc);
  if (p == NULL || error != NULL) {
    /* a link that failed leaves a pipeline and an error */
    fprintf (stderr, "bench-onnxinference: %s: %s\n", element,
        error ? error->message : "cannot be made");
    exit (1);
  }
  src = gst_bin_get_by_name (GST_BIN (p), "src");
  g_object_set (src, "caps", caps, "block", TRUE, "max-buffers",
      (guint64) 4, NULL);
  bus = gst_element_get_bus (p);
  if (gst_element_set_state (p, GST_STATE_PAUSED) == GST_STATE_CHANGE_FAILURE) {
    fprintf (stderr, "bench-onnxinference: %s does not start\n", element);
    exit (1);
  }
  gst_element_set_state (p, GST_STATE_PLAYING);
  t0 = bench_now_s ();
  c0 = cpu_s ();
  for (guint i = 0; i < frames->len; i++) {
    GstBuffer *b = gst_buffer_copy (g_ptr_array_index (frames, i));

    GST_BUFFER_PTS (b) = i * GST_SECOND / 25;
    GST_BUFFER_DURATION (b) = GST_SECOND / 25;
    if (roi)
      gst_buffer_add_video_region_of_interest_meta (b, "face", 0, 0, size,
          size);
    if (gst_app_src_push_buffer (GST_APP_SRC (src), b) != GST_FLOW_OK)
      break;
  }
  gst_app_src_end_of_stream (GST_APP_SRC (src));
  msg = gst_bus_timed_pop_filtered (bus, GST_CLOCK_TIME_NONE,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  *wall = bench_now_s () - t0;
  *cpu = cpu_s () - c0;
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    GError *e = NULL;
    gst_message_parse_error (msg, &e, NULL);
    fprintf (stderr, "bench-onnxinference: %s: %s\n", element, e->message);
    exit (1);
  }
  gst_message_unref (msg);
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (src);
  gst_object_unref (p);
}

int
main (int argc, char **argv)
{
  const char *model, *video;
  int rounds = 3, size = 224;
  GstCaps *caps = NULL;
  GPtrArray *frames;
  char *upstream, *ours;
  struct
  {
    const char *name;
    char *element;
    gboolean roi;
    double wall[16], cpu[16];
  } runs[2];

  gst_init (&argc, &argv);
  if (argc < 3) {
    fprintf (stderr, "usage: %s MODEL.onnx VIDEO [ROUNDS]\n", argv[0]);
    return 2;
  }
  model = argv[1];
  video = argv[2];
  if (argc > 3)
    rounds = CLAMP (atoi (argv[3]), 1, 16);
  if (g_getenv ("BENCH_SIZE"))
    size = atoi (g_getenv ("BENCH_SIZE"));
  frames = decode (video, size, &caps);
  upstream = g_strdup_printf ("onnxinference model-file=\"%s\" "
      "input-image-format=chw input-tensor-scale=255 "
      "optimization-level=enable-all", model);
  ours = g_strdup_printf ("ddamfnfilter model=\"%s\"", model);
  runs[0].name = "onnxinference (ONNX Runtime)";
  runs[0].element = upstream;
  runs[0].roi = FALSE;
  runs[1].name = "ddamfnfilter";
  runs[1].element = ours;
  runs[1].roi = TRUE;

  /* one untimed pass each: model loading, caches */
  for (int k = 0; k < 2; k++) {
    double w, c;
    run_once (runs[k].element, frames, caps, runs[k].roi, size, &w, &c);
  }
  for (int r = 0; r < rounds; r++)
    for (int k = 0; k < 2; k++)
      run_once (runs[k].element, frames, caps, runs[k].roi, size,
          &runs[k].wall[r], &runs[k].cpu[r]);

  printf ("%u frames of %d x %d RGB from %s, model %s, median of %d "
      "rounds\n", frames->len, size, size, video, model, rounds);
  printf ("%-30s %10s %10s %12s %12s\n", "element", "frames/s", "CPU s",
      "CPU ms/frame", "wall ms/frame");
  {
    double fps[2];
    for (int k = 0; k < 2; k++) {
      double w = bench_median (runs[k].wall, rounds);
      double c = bench_median (runs[k].cpu, rounds);
      fps[k] = frames->len / w;
      printf ("%-30s %10.1f %10.2f %12.2f %12.2f\n", runs[k].name, fps[k], c,
          1e3 * c / frames->len, 1e3 * w / frames->len);
    }
    printf ("ddamfnfilter / onnxinference: %.2f x the frames/s, %.2f x "
        "the CPU time\n", fps[1] / fps[0], bench_median (runs[1].cpu,
            rounds) / bench_median (runs[0].cpu, rounds));
  }
  g_free (upstream);
  g_free (ours);
  g_ptr_array_unref (frames);
  gst_caps_unref (caps);
  return 0;
}
