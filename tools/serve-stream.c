/* ddamfn-serve: one stream, its pipeline, its outputs and its latency.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each stream is a GstPipeline of its own:
 *   uridecodebin (v4l2src ! decodebin for a capture device) ! videoconvert
 *   ! ddamfnfacedetect ! queue ! ddamfnfilter ! ddamfnjson source=NAME
 *   ! filesink | ddamfnpublish (a tee with a queue a branch for both)
 * with a bus watch on the one main loop of the process. An error stops
 * this pipeline only. The JSON Lines file is written under a temporary
 * name beside its final one and renamed into place when EOS reached every
 * sink, so it is complete or absent; a failed stream removes its temporary
 * file.
 */
#include "serve-stream.h"
#include "serve-latency.h"
#include "tool-video-link.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* How long a stream may take to drain after EOS was sent into it. */
#define STOP_TIMEOUT_S 30

struct _ServeStream
{
  ServeStreamConfig *config;
  const ServeModelSettings *model;
  ServeStreamEndedFunc ended;
  gpointer ended_data;

  ServeStreamState state;
  GstElement *pipeline, *decodebin, *convert;
  guint bus_watch, stop_timeout;
  gchar *stop_reason;
  gchar *tmp_jsonl;             /* the temporary file while it runs */
  ToolVideoLink video;          /* decodebin's video to convert */
  gint failing;                 /* atomic: set on streaming threads */

  ServeLatency *latency;
  gint frames;                  /* atomic: records out of ddamfnjson */
  gint64 last_stats_us;
  gint last_stats_frames;
};

static mode_t file_mode = 0644;

/* Main thread, before any stream: new files get the mode the umask
 * gives (mkstemp makes them 0600). */
void
serve_stream_init (void)
{
  mode_t mask = umask (022);

  umask (mask);
  file_mode = 0666 & ~mask;
}

ServeStream *
serve_stream_new (ServeStreamConfig * config, const ServeModelSettings * model,
    ServeStreamEndedFunc ended, gpointer data)
{
  ServeStream *s = g_new0 (ServeStream, 1);

  s->config = config;
  s->model = model;
  s->ended = ended;
  s->ended_data = data;
  s->state = SERVE_STREAM_NEW;
  s->latency = serve_latency_new ();
  return s;
}

ServeStreamState
serve_stream_get_state (const ServeStream * s)
{
  return s->state;
}

const ServeStreamConfig *
serve_stream_get_config (const ServeStream * s)
{
  return s->config;
}

gboolean
serve_stream_is_active (const ServeStream * s)
{
  return s->state == SERVE_STREAM_RUNNING
      || s->state == SERVE_STREAM_STOPPING;
}

/* ------------------------------------------------------------------ */
/* Ending                                                               */
/* ------------------------------------------------------------------ */

static void
shut_down (ServeStream * s)
{
  if (s->stop_timeout)
    g_source_remove (s->stop_timeout);
  s->stop_timeout = 0;
  if (s->pipeline)
    gst_element_set_state (s->pipeline, GST_STATE_NULL);
}

static void
discard_output (ServeStream * s)
{
  if (s->tmp_jsonl) {
    g_unlink (s->tmp_jsonl);
    g_clear_pointer (&s->tmp_jsonl, g_free);
  }
}

/* Main thread: reports MESSAGE (taken) and stops this stream alone. */
static void
stream_fail (ServeStream * s, gchar * message)
{
  if (!serve_stream_is_active (s) && s->state != SERVE_STREAM_NEW) {
    g_free (message);
    return;
  }
  g_printerr (SERVE_PROGRAM ": stream %s: %s\n", s->config->name, message);
  g_free (message);
  shut_down (s);
  discard_output (s);
  s->state = SERVE_STREAM_FAILED;
  if (s->ended)
    s->ended (s, s->ended_data);
}

/* Main thread, at EOS: the sinks have everything; the file goes into
 * place. */
static void
stream_finish (ServeStream * s)
{
  shut_down (s);
  if (s->tmp_jsonl && g_rename (s->tmp_jsonl, s->config->jsonl) != 0) {
    stream_fail (s, g_strdup_printf ("cannot rename %s to %s: %s",
            s->tmp_jsonl, s->config->jsonl, g_strerror (errno)));
    return;
  }
  g_clear_pointer (&s->tmp_jsonl, g_free);
  s->state = SERVE_STREAM_DONE;
  printf ("stream %s: done, %d frames%s%s%s\n", s->config->name,
      g_atomic_int_get (&s->frames), s->stop_reason ? " (" : "",
      s->stop_reason ? s->stop_reason : "", s->stop_reason ? ")" : "");
  fflush (stdout);
  if (s->ended)
    s->ended (s, s->ended_data);
}

/* Any thread: the first error of a streaming thread goes to the main
 * thread through the bus. Takes MESSAGE. */
static void
post_failure (ServeStream * s, gchar * message)
{
  if (g_atomic_int_compare_and_exchange (&s->failing, 0, 1))
    gst_element_post_message (s->pipeline,
        gst_message_new_application (GST_OBJECT (s->pipeline),
            gst_structure_new ("serve-error", "message", G_TYPE_STRING,
                message, NULL)));
  g_free (message);
}

static gboolean
on_stop_timeout (gpointer user_data)
{
  ServeStream *s = user_data;

  s->stop_timeout = 0;
  stream_fail (s, g_strdup_printf ("did not end within %d s of the "
          "request (%s); its output is discarded", STOP_TIMEOUT_S,
          s->stop_reason));
  return G_SOURCE_REMOVE;
}

/* Main thread: EOS into the pipeline; the outputs are finalized when it
 * comes out at the sinks. */
void
serve_stream_stop (ServeStream * s, const gchar * reason)
{
  if (s->state != SERVE_STREAM_RUNNING)
    return;
  s->state = SERVE_STREAM_STOPPING;
  s->stop_reason = g_strdup (reason);
  gst_element_send_event (s->pipeline, gst_event_new_eos ());
  s->stop_timeout = g_timeout_add_seconds (STOP_TIMEOUT_S, on_stop_timeout,
      s);
}

/* Main thread: stops at once; the output of an unfinished stream is
 * removed. */
void
serve_stream_abort (ServeStream * s)
{
  if (!serve_stream_is_active (s))
    return;
  shut_down (s);
  discard_output (s);
  s->state = SERVE_STREAM_FAILED;
}

void
serve_stream_free (ServeStream * s)
{
  if (s == NULL)
    return;
  shut_down (s);
  discard_output (s);
  if (s->bus_watch)
    g_source_remove (s->bus_watch);
  if (s->pipeline)
    gst_object_unref (s->pipeline);
  serve_latency_free (s->latency);
  serve_stream_config_free (s->config);
  g_free (s->stop_reason);
  g_free (s);
}

/* ------------------------------------------------------------------ */
/* Messages                                                             */
/* ------------------------------------------------------------------ */

static gboolean
inside (GstObject * obj, GstElement * bin)
{
  return obj && bin && (obj == GST_OBJECT (bin)
      || gst_object_has_as_ancestor (obj, GST_OBJECT (bin)));
}

static gchar *
no_video_message (ServeStream * s)
{
  if (g_atomic_int_get (&s->video.seen))
    return g_strdup_printf ("cannot decode %s: its video stream gave no "
        "frame that could be decoded", s->config->uri);
  return g_strdup_printf ("cannot decode %s: no video stream",
      s->config->uri);
}

/* One line for the user about an error message of the pipeline. */
static gchar *
describe_error (ServeStream * s, GstMessage * msg)
{
  GError *err = NULL;
  GstObject *src = GST_MESSAGE_SRC (msg);
  const gchar *factory = "";
  gchar *text;

  gst_message_parse_error (msg, &err, NULL);
  if (src && GST_IS_ELEMENT (src) && gst_element_get_factory (GST_ELEMENT
          (src)))
    factory = GST_OBJECT_NAME (gst_element_get_factory (GST_ELEMENT (src)));
  if (inside (src, s->decodebin) || g_str_equal (factory, "v4l2src")) {
    if (err->domain == GST_RESOURCE_ERROR)
      text = g_strdup_printf ("cannot read %s: %s", s->config->uri,
          err->message);
    else if (!s->video.linked && g_error_matches (err, GST_STREAM_ERROR,
            GST_STREAM_ERROR_FAILED))
      text = no_video_message (s);
    else
      text = g_strdup_printf ("cannot decode %s: %s", s->config->uri,
          err->message);
  } else if (g_str_equal (factory, "ddamfnpublish")) {
    text = g_strdup_printf ("%s: %s", s->config->mqtt, err->message);
  } else if (g_str_equal (factory, "filesink")) {
    text = g_strdup_printf ("cannot write %s: %s", s->config->jsonl,
        err->message);
  } else {
    text = g_strdup_printf ("%s: %s", src ? GST_OBJECT_NAME (src) :
        "pipeline", err->message);
  }
  g_error_free (err);
  return text;
}

static gboolean
on_bus_message (GstBus * bus, GstMessage * msg, gpointer user_data)
{
  ServeStream *s = user_data;

  (void) bus;
  if (!serve_stream_is_active (s))
    return G_SOURCE_CONTINUE;
  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ERROR:
      stream_fail (s, describe_error (s, msg));
      break;
    case GST_MESSAGE_EOS:
      if (!s->video.linked)
        stream_fail (s, no_video_message (s));
      else
        stream_finish (s);
      break;
    case GST_MESSAGE_APPLICATION:{
      const GstStructure *st = gst_message_get_structure (msg);

      if (gst_structure_has_name (st, "serve-error"))
        stream_fail (s, g_strdup (gst_structure_get_string (st, "message")));
      break;
    }
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------ */
/* Decoding                                                             */
/* ------------------------------------------------------------------ */

/* All streams of the input are known: without video there is nothing to
 * wait for. */
static void
on_no_more_pads (GstElement * decodebin, gpointer user_data)
{
  ServeStream *s = user_data;

  (void) decodebin;
  if (!s->video.linked)
    post_failure (s, no_video_message (s));
}

/* ------------------------------------------------------------------ */
/* Probes                                                               */
/* ------------------------------------------------------------------ */

static GstPadProbeReturn
on_detect_input (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  ServeStream *s = user_data;

  (void) pad;
  serve_latency_enter (s->latency,
      GST_BUFFER_PTS (GST_PAD_PROBE_INFO_BUFFER (info)));
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_record_output (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  ServeStream *s = user_data;

  (void) pad;
  serve_latency_leave (s->latency,
      GST_BUFFER_PTS (GST_PAD_PROBE_INFO_BUFFER (info)));
  g_atomic_int_inc (&s->frames);
  return GST_PAD_PROBE_OK;
}

static void
add_probe (GstElement * e, const gchar * pad_name, GstPadProbeCallback cb,
    ServeStream * s)
{
  GstPad *pad = gst_element_get_static_pad (e, pad_name);

  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, cb, s, NULL);
  gst_object_unref (pad);
}

/* ------------------------------------------------------------------ */
/* Building                                                             */
/* ------------------------------------------------------------------ */

static GstElement *
make (ServeStream * s, const gchar * factory)
{
  GstElement *e = gst_element_factory_make (factory, NULL);

  if (e == NULL) {
    stream_fail (s, g_strdup_printf ("GStreamer element %s not found%s",
            factory, g_str_has_prefix (factory, "ddamfn") ? " (install "
            "gst-ddamfn, or set GST_PLUGIN_PATH to its build/gst-plugin)" :
            g_str_equal (factory, "v4l2src") ? " (install "
            "gstreamer1.0-plugins-good)" : " (install "
            "gstreamer1.0-plugins-base)"));
    return NULL;
  }
  gst_bin_add (GST_BIN (s->pipeline), e);
  return e;
}

static gboolean
is_device (const gchar * uri)
{
  GStatBuf st;

  if (strstr (uri, "://") != NULL)
    return FALSE;
  if (g_str_has_prefix (uri, "/dev/video"))
    return TRUE;
  return g_stat (uri, &st) == 0 && S_ISCHR (st.st_mode);
}

/* uridecodebin, or v4l2src ! decodebin; the decoder links itself to
 * videoconvert when its video pad appears. */
static gboolean
build_source (ServeStream * s)
{
  const gchar *uri = s->config->uri;

  if (is_device (uri)) {
    GstElement *src = make (s, "v4l2src");

    if (src == NULL || !(s->decodebin = make (s, "decodebin")))
      return FALSE;
    g_object_set (src, "device", uri, NULL);
    if (!gst_element_link (src, s->decodebin)) {
      stream_fail (s, g_strdup_printf ("cannot link v4l2src to decodebin"));
      return FALSE;
    }
  } else {
    gchar *full = strstr (uri, "://") ? g_strdup (uri) :
        gst_filename_to_uri (uri, NULL);

    if (full == NULL || !(s->decodebin = make (s, "uridecodebin"))) {
      if (full == NULL)
        stream_fail (s, g_strdup_printf ("cannot read %s: not a path or a "
                "URI", uri));
      g_free (full);
      return FALSE;
    }
    g_object_set (s->decodebin, "uri", full, NULL);
    g_free (full);
  }
  tool_video_link_connect (&s->video, s->decodebin);
  g_signal_connect (s->decodebin, "no-more-pads",
      G_CALLBACK (on_no_more_pads), s);
  return TRUE;
}

/* The temporary file beside the JSON Lines file, made now so that a
 * directory that is not there or not writable fails the stream at once. */
static GstElement *
make_file_sink (ServeStream * s)
{
  /* g_mkstemp replaces the six trailing X's with random characters */
  gchar *random = g_strnfill (6, 'X');
  gchar *tmpl = g_strconcat (s->config->jsonl, ".part-", random, NULL);
  GstElement *sink;
  gint fd;

  g_free (random);
  fd = g_mkstemp (tmpl);
  if (fd < 0) {
    stream_fail (s, g_strdup_printf ("cannot write %s: %s", s->config->jsonl,
            g_strerror (errno)));
    g_free (tmpl);
    return NULL;
  }
  if (fchmod (fd, file_mode) != 0) {
    /* the file stays 0600: not worth failing the stream for */
  }
  close (fd);
  s->tmp_jsonl = tmpl;
  if (!(sink = make (s, "filesink")))
    return NULL;
  g_object_set (sink, "location", s->tmp_jsonl, "sync", FALSE, "async",
      FALSE, NULL);
  return sink;
}

static GstElement *
make_publish_sink (ServeStream * s)
{
  GstElement *sink = make (s, "ddamfnpublish");

  if (sink)
    g_object_set (sink, "uri", s->config->mqtt, NULL);
  return sink;
}

/* ddamfnjson's records to the file, the broker, or through a tee to both. */
static gboolean
build_outputs (ServeStream * s, GstElement * json)
{
  GstElement *file = NULL, *publish = NULL, *tee, *q1, *q2;

  if (s->config->jsonl && !(file = make_file_sink (s)))
    return FALSE;
  if (s->config->mqtt && !(publish = make_publish_sink (s)))
    return FALSE;
  if (file == NULL || publish == NULL)
    return gst_element_link (json, file ? file : publish);
  if (!(tee = make (s, "tee")) || !(q1 = make (s, "queue"))
      || !(q2 = make (s, "queue")))
    return FALSE;
  return gst_element_link (json, tee)
      && gst_element_link_many (tee, q1, file, NULL)
      && gst_element_link_many (tee, q2, publish, NULL);
}

static gboolean
build_pipeline (ServeStream * s)
{
  GstElement *detect, *queue, *filter, *json;
  gchar *name = g_strdup_printf ("stream-%s", s->config->name);

  s->pipeline = gst_pipeline_new (name);
  g_free (name);
  if (!build_source (s) || !(s->convert = make (s, "videoconvert"))
      || !(detect = make (s, "ddamfnfacedetect"))
      || !(queue = make (s, "queue"))
      || !(filter = make (s, "ddamfnfilter"))
      || !(json = make (s, "ddamfnjson")))
    return FALSE;
  s->video.convert = s->convert;
  g_object_set (filter, "model", s->model->model, "card", s->model->card,
      "preset", s->model->preset, NULL);
  if (s->config->inference_interval > 0)
    g_object_set (filter, "inference-interval",
        s->config->inference_interval, NULL);
  g_object_set (json, "source", s->config->name, NULL);
  if (!gst_element_link_many (s->convert, detect, queue, filter, json, NULL)
      || !build_outputs (s, json)) {
    if (serve_stream_is_active (s) || s->state == SERVE_STREAM_NEW)
      stream_fail (s, g_strdup ("cannot link the elements of the "
              "pipeline"));
    return FALSE;
  }
  add_probe (detect, "sink", on_detect_input, s);
  add_probe (json, "src", on_record_output, s);
  return TRUE;
}

/* Main thread. Failures are reported (and the ended callback called)
 * here or later from the bus. */
void
serve_stream_start (ServeStream * s)
{
  GstBus *bus;

  if (s->state != SERVE_STREAM_NEW)
    return;
  if (!build_pipeline (s))
    return;
  bus = gst_element_get_bus (s->pipeline);
  s->bus_watch = gst_bus_add_watch (bus, on_bus_message, s);
  s->state = SERVE_STREAM_RUNNING;
  s->last_stats_us = g_get_monotonic_time ();
  if (gst_element_set_state (s->pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);

    if (msg) {
      stream_fail (s, describe_error (s, msg));
      gst_message_unref (msg);
    } else {
      stream_fail (s, g_strdup_printf ("cannot start the pipeline for %s",
              s->config->uri));
    }
  }
  gst_object_unref (bus);
}

/* ------------------------------------------------------------------ */
/* Statistics                                                           */
/* ------------------------------------------------------------------ */

/* One line: frames so far, the rate since the last line, latency. */
void
serve_stream_print_stats (ServeStream * s)
{
  gint64 now = g_get_monotonic_time ();
  gint frames = g_atomic_int_get (&s->frames);
  gdouble dt = (now - s->last_stats_us) / 1e6;
  gdouble rate = dt > 0 ? (frames - s->last_stats_frames) / dt : 0.0;
  gdouble p50, p95;

  if (serve_latency_percentiles (s->latency, &p50, &p95))
    printf ("stats %s: %d frames, %.1f frames/s, latency p50 %.1f ms p95 "
        "%.1f ms\n", s->config->name, frames, rate, p50, p95);
  else
    printf ("stats %s: %d frames, %.1f frames/s, latency p50 - ms p95 - "
        "ms\n", s->config->name, frames, rate);
  s->last_stats_us = now;
  s->last_stats_frames = frames;
}
