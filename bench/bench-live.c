/* ddamfnfilter on a live 30 fps stream it cannot keep up with: synchronous
 * mode against live mode.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * usage: bench-live MODEL [--load L | --faces N] [--seconds S]
 *                         [--width W --height H] [--modes sync,sync-qos,live]
 *
 * videotestsrc is-live=true paces 30 frames per second; a pad probe on its
 * output marks N fixed face boxes on every frame (stable tracks);
 * ddamfnfilter (one network thread) analyses them; fakesink sync=true
 * renders them on the pipeline clock. First the engine alone is timed on a
 * batch of faces on one thread; N is chosen so that the stream asks L
 * times (default 3) what one core analyses (unless --faces is given), and
 * the load is printed: faces per second the stream asks for over faces
 * per second one core analyses.
 *
 * Per mode, over the frames rendered after the first second: output
 * frames per second; end-to-end latency (clock time at render minus the
 * frame's capture running time), median and 95th percentile; the share of
 * faces with a result, and with a fresh one (at most 3 frames = 100 ms
 * old); the median result age. Needs GST_PLUGIN_PATH=build/gst-plugin.
 */
#include <gst/gst.h>
#include <gst/base/gstbasesink.h>
#include <gst/video/video.h>
#include <gst/ddamfn/gstddamfnmeta.h>
#include <ddamfn/ddamfn.h>

#include <stdlib.h>
#include <string.h>

#include "bench-stats.h"

#define FRESH_AGE 3
#define FPS 30

static gint n_faces = 0;
static gdouble load = 3.0;
static gint seconds = 10;
static gint width = 640;
static gint height = 480;

typedef struct
{
  GstElement *sink;
  GstClockTime warmup_end;      /* running time */
  GArray *latency_ms;           /* gdouble */
  GArray *ages;                 /* gdouble, faces with a result */
  GstClockTime first, last;     /* running time of first / last render */
  guint frames;
  guint64 faces, with_result, fresh;
} Stats;

/* The same N boxes on every frame, on a grid. */
static GstPadProbeReturn
inject_faces (G_GNUC_UNUSED GstPad * pad, GstPadProbeInfo * info,
    G_GNUC_UNUSED gpointer data)
{
  GstBuffer *buf = gst_buffer_make_writable (GST_PAD_PROBE_INFO_BUFFER (info));
  gint cols = 4, side = MIN (width / cols, height / 3) - 10;

  for (gint i = 0; i < n_faces; i++) {
    gint x = (i % cols) * (width / cols) + 5;
    gint y = ((i / cols) % 3) * (height / 3) + 5;
    GstVideoRegionOfInterestMeta *roi =
        gst_buffer_add_video_region_of_interest_meta (buf, "face", x, y,
        side, side);
    roi->id = i;
  }
  GST_PAD_PROBE_INFO_DATA (info) = buf;
  return GST_PAD_PROBE_OK;
}

static void
on_handoff (G_GNUC_UNUSED GstElement * sink, GstBuffer * buf,
    G_GNUC_UNUSED GstPad * pad, gpointer data)
{
  Stats *s = data;
  GstBaseSink *bs = GST_BASE_SINK (s->sink);
  GstClock *clock = gst_element_get_clock (s->sink);
  GstClockTime now, rt;
  GstDdamfnMeta *meta;
  gdouble ms;

  if (clock == NULL)
    return;
  now = gst_clock_get_time (clock) - gst_element_get_base_time (s->sink);
  gst_object_unref (clock);
  rt = gst_segment_to_running_time (&bs->segment, GST_FORMAT_TIME,
      GST_BUFFER_PTS (buf));
  if (!GST_CLOCK_TIME_IS_VALID (rt) || now < s->warmup_end)
    return;

  if (s->frames == 0)
    s->first = now;
  s->last = now;
  s->frames++;
  ms = (gdouble) GST_CLOCK_DIFF (rt, now) / GST_MSECOND;
  g_array_append_val (s->latency_ms, ms);

  meta = gst_buffer_get_ddamfn_meta (buf);
  for (guint i = 0; meta && i < meta->n_faces; i++) {
    gint age = meta->faces[i].result_age;
    s->faces++;
    if (age >= 0) {
      gdouble a = age;
      s->with_result++;
      g_array_append_val (s->ages, a);
    }
    if (age >= 0 && age <= FRESH_AGE)
      s->fresh++;
  }
}

static gdouble
percentile (GArray * a, gdouble p)
{
  gdouble *v;
  gdouble r;
  guint k;

  if (a->len == 0)
    return 0.0;
  v = g_memdup2 (a->data, a->len * sizeof (gdouble));
  bench_median (v, a->len);     /* sorts */
  k = (guint) (p * (a->len - 1) + 0.5);
  r = v[k];
  g_free (v);
  return r;
}

/* One mode for SECONDS seconds; prints its row. */
static gboolean
run_mode (const gchar * model, const gchar * mode)
{
  gboolean live = g_str_has_prefix (mode, "live");
  gboolean qos = strstr (mode, "qos") != NULL;
  gchar *desc = g_strdup_printf ("videotestsrc name=src is-live=true "
      "pattern=ball ! video/x-raw,format=RGB,width=%d,height=%d,"
      "framerate=%d/1 ! ddamfnfilter name=f model=\"%s\" n-threads=1 "
      "live=%s qos=%s ! fakesink name=sink sync=true qos=%s "
      "signal-handoffs=true", width, height, FPS, model,
      live ? "true" : "false", qos ? "true" : "false", qos ? "true" : "false");
  GError *error = NULL;
  GstElement *pipeline = gst_parse_launch (desc, &error);
  GstElement *src;
  GstPad *pad;
  GstBus *bus;
  GstMessage *msg;
  Stats s = { 0 };
  gdouble window;

  if (pipeline == NULL) {
    g_printerr ("bench-live: %s\n", error->message);
    g_clear_error (&error);
    g_free (desc);
    return FALSE;
  }
  s.sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  s.warmup_end = GST_SECOND;
  s.latency_ms = g_array_new (FALSE, FALSE, sizeof (gdouble));
  s.ages = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_signal_connect (s.sink, "handoff", G_CALLBACK (on_handoff), &s);
  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  pad = gst_element_get_static_pad (src, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, inject_faces, NULL,
      NULL);
  gst_object_unref (pad);
  gst_object_unref (src);

  bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, (seconds + 1) * GST_SECOND,
      GST_MESSAGE_ERROR);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  if (msg) {
    gst_message_parse_error (msg, &error, NULL);
    g_printerr ("bench-live: %s: %s\n", mode, error->message);
    g_clear_error (&error);
    gst_message_unref (msg);
  }

  window = (gdouble) (s.last - s.first) / GST_SECOND;
  g_print ("| %s | %.1f | %.0f | %.0f | %.1f %% | %.1f %% | %.0f |\n", mode,
      s.frames > 1 && window > 0 ? (s.frames - 1) / window : 0.0,
      percentile (s.latency_ms, 0.5), percentile (s.latency_ms, 0.95),
      s.faces ? 100.0 * s.with_result / s.faces : 0.0,
      s.faces ? 100.0 * s.fresh / s.faces : 0.0, percentile (s.ages, 0.5));

  g_array_unref (s.latency_ms);
  g_array_unref (s.ages);
  gst_object_unref (s.sink);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  g_free (desc);
  return msg == NULL;
}

/* Median ms per face of the engine on a batch of N_FACES faces, one
 * thread. */
static gdouble
engine_ms_per_face (const gchar * path, gint n_faces)
{
  GError *error = NULL;
  DdamfnModel *model = ddamfn_model_open (path, &error);
  DdamfnSession *session;
  DdamfnResult *results;
  float *input;
  gdouble t[7];

  if (model == NULL) {
    g_printerr ("bench-live: %s\n", error->message);
    exit (1);
  }
  session = ddamfn_session_new (model, 1, &error);
  input = g_new (float, (gsize) n_faces * DDAMFN_INPUT_FLOATS);
  results = g_new (DdamfnResult, n_faces);
  for (gsize i = 0; i < (gsize) n_faces * DDAMFN_INPUT_FLOATS; i++)
    input[i] = (float) ((i * 2654435761u) % 1000) / 500.0f - 1.0f;
  ddamfn_session_run (session, input, n_faces, results, NULL);
  for (gint r = 0; r < 7; r++) {
    gint64 t0 = g_get_monotonic_time ();
    ddamfn_session_run (session, input, n_faces, results, NULL);
    t[r] = (g_get_monotonic_time () - t0) / 1000.0 / n_faces;
  }
  g_free (input);
  g_free (results);
  ddamfn_session_free (session);
  ddamfn_model_unref (model);
  return bench_median (t, 7);
}

int
main (int argc, char **argv)
{
  gchar *modes = NULL;
  gchar **list;
  gdouble ms;
  gboolean ok = TRUE;
  GOptionEntry entries[] = {
    {"load", 0, 0, G_OPTION_ARG_DOUBLE, &load,
        "Faces per frame so that the stream asks L times what one core "
        "analyses (3)", "L"},
    {"faces", 0, 0, G_OPTION_ARG_INT, &n_faces, "Faces per frame (instead "
          "of --load)", "N"},
    {"seconds", 0, 0, G_OPTION_ARG_INT, &seconds, "Seconds per mode (10)",
        "S"},
    {"width", 0, 0, G_OPTION_ARG_INT, &width, "Frame width (640)", "W"},
    {"height", 0, 0, G_OPTION_ARG_INT, &height, "Frame height (480)", "H"},
    {"modes", 0, 0, G_OPTION_ARG_STRING, &modes,
        "Comma-separated: sync, sync-qos, live (all three)", "LIST"},
    {NULL}
  };
  GOptionContext *ctx = g_option_context_new ("MODEL");

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, NULL) || argc != 2
      || n_faces < 0 || n_faces > 12 || seconds < 2 || load <= 0) {
    g_printerr ("usage: bench-live MODEL [--load L | --faces 1..12] "
        "[--seconds S>=2] [--modes sync,sync-qos,live]\n");
    return 2;
  }
  g_option_context_free (ctx);

  if (n_faces == 0) {
    ms = engine_ms_per_face (argv[1], 4);
    n_faces = CLAMP ((gint) (load * 1000.0 / ms / FPS + 0.5), 1, 12);
  }
  ms = engine_ms_per_face (argv[1], n_faces);
  g_print ("engine, 1 thread, batch %d: %.2f ms per face -> one core "
      "analyses %.0f faces/s; the stream asks %d x %d = %d faces/s: load "
      "%.2fx\n\n", n_faces, ms, 1000.0 / ms, n_faces, FPS, n_faces * FPS,
      n_faces * FPS * ms / 1000.0);
  g_print ("%d faces per %dx%d frame at %d fps, %d s per mode (first second "
      "not counted); fresh = result at most %d frames old\n\n", n_faces,
      width, height, FPS, seconds, FRESH_AGE);
  g_print ("| mode | output fps | latency median ms | latency p95 ms | "
      "faces with a result | fresh results | median age (frames) |\n");
  g_print ("|---|---|---|---|---|---|---|\n");

  list = g_strsplit (modes ? modes : "sync,sync-qos,live", ",", -1);
  for (gchar ** m = list; *m; m++)
    ok &= run_mode (argv[1], *m);
  g_strfreev (list);
  g_free (modes);
  return ok ? 0 : 1;
}
