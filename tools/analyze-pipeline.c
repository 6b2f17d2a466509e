/* ddamfn-analyze: the GStreamer side of a run, from the pipeline it builds
 * to the records its probe takes from every frame.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The pipeline: filesrc ! decodebin (or uridecodebin for a URI, v4l2src !
 * decodebin for a capture device) ! videoconvert ! ddamfnfacedetect (or
 * OpenCV's facedetect) ! queue !
 * ddamfnfilter ! (queue ! ddamfnoverlay ! videoconvert ! encoder ! muxer !
 * filesink | fakesink); the queues put face detection, the network and the
 * encoder on threads of their own. A buffer probe after ddamfnfilter turns
 * the GstDdamfnMeta of every frame into records.
 */
#include "analyze-pipeline.h"
#include "analyze-plot.h"

#include <gst/video/video.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Keeps the first error for the user and stops the main loop. Takes
 * MESSAGE. Main thread only. */
void
analysis_fail (Analysis * a, gchar * message)
{
  if (a->error == NULL)
    a->error = message;
  else
    g_free (message);
  if (a->loop)
    g_main_loop_quit (a->loop);
}

/**
 * analysis_request_stop:
 * @reason: why, for the summary ("--duration 2 s", "SIGINT").
 *
 * Ends the run at this frame as the end of the input would: the main
 * thread sends EOS through the pipeline and the outputs are written. Any
 * thread, the first request counts.
 */
void
analysis_request_stop (Analysis * a, const gchar * reason)
{
  if (g_atomic_int_compare_and_exchange (&a->stop_requested, 0, 1))
    gst_element_post_message (a->pipeline,
        gst_message_new_application (GST_OBJECT (a->pipeline),
            gst_structure_new ("analyze-stop", "reason", G_TYPE_STRING,
                reason, NULL)));
}

/* ------------------------------------------------------------------ */
/* Records                                                              */
/* ------------------------------------------------------------------ */

static void stream_error (Analysis * a, gchar * message);

static gdouble
stream_time_seconds (GstPad * pad, GstBuffer * buf)
{
  GstEvent *event;
  const GstSegment *segment;
  guint64 t = GST_CLOCK_TIME_NONE;

  if (!GST_BUFFER_PTS_IS_VALID (buf))
    return NAN;
  event = gst_pad_get_sticky_event (pad, GST_EVENT_SEGMENT, 0);
  if (event == NULL)
    return GST_BUFFER_PTS (buf) / (gdouble) GST_SECOND;
  gst_event_parse_segment (event, &segment);
  t = gst_segment_to_stream_time (segment, GST_FORMAT_TIME,
      GST_BUFFER_PTS (buf));
  gst_event_unref (event);
  return GST_CLOCK_TIME_IS_VALID (t) ? t / (gdouble) GST_SECOND : NAN;
}

/* From the streaming thread: the first error stops the run (through the
 * bus, in the main thread). Takes MESSAGE. */
static void
stream_error (Analysis * a, gchar * message)
{
  if (g_atomic_int_compare_and_exchange (&a->stream_failed, 0, 1))
    gst_element_post_message (a->pipeline,
        gst_message_new_application (GST_OBJECT (a->pipeline),
            gst_structure_new ("analyze-error", "message", G_TYPE_STRING,
                message, NULL)));
  g_free (message);
}

static void
report_write_error (Analysis * a, const AnalyzeFile * file, gint err)
{
  stream_error (a, g_strdup_printf ("cannot write %s: %s", file->path,
          g_strerror (err)));
}

static gint
compare_faces_by_track (gconstpointer a, gconstpointer b)
{
  const GstDdamfnFace *fa = *(const GstDdamfnFace * const *) a;
  const GstDdamfnFace *fb = *(const GstDdamfnFace * const *) b;

  return fa->track_id < fb->track_id ? -1 : fa->track_id > fb->track_id;
}

/* After ddamfnfilter: one record per face of the frame, by track id
 * (facedetect lists the faces of a frame in no fixed order). */
static GstPadProbeReturn
on_analysed_buffer (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  Analysis *a = user_data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  GstDdamfnMeta *meta = gst_buffer_get_ddamfn_meta (buf);
  guint n_faces = meta ? meta->n_faces : 0;
  const GstDdamfnFace **faces = g_newa (const GstDdamfnFace *, n_faces + 1);
  AnalyzeRecord record;

  for (guint i = 0; i < n_faces; i++)
    faces[i] = &meta->faces[i];
  qsort (faces, n_faces, sizeof (faces[0]), compare_faces_by_track);

  record.frame = a->next_frame++;
  record.timestamp = stream_time_seconds (pad, buf);
  for (guint i = 0; i < n_faces; i++) {
    const GstDdamfnFace *f = faces[i];
    AnalyzePoint point = {
      record.frame, f->track_id,
      isnan (record.timestamp) ? 0.0f : (gfloat) record.timestamp,
      f->valence, f->arousal,
      (gint8) (f->n_expr > 0 ? f->expr_index : -1), f->has_va
    };

    record.face = f;
    if (a->csv && !analyze_csv_write_record (a->csv->fp, &a->labels,
            &record))
      report_write_error (a, a->csv, errno);
    if (a->jsonl && !analyze_jsonl_write_record (a->jsonl->fp, &record))
      report_write_error (a, a->jsonl, errno);
    g_array_append_val (a->points, point);
  }
  if (meta != NULL && meta->n_faces > 0)
    a->frames_with_faces++;
  g_atomic_int_inc (&a->frames);
  return GST_PAD_PROBE_OK;
}

/* Some decoders repeat the timestamp of the previous frame (avdec_mpeg4 on
 * AVI files with packed B-frames does, on every fourth frame or so); the
 * muxers then drop those frames and records would share a time. A repeated
 * or decreasing timestamp becomes the previous one plus a frame. */
static GstPadProbeReturn
keep_timestamps_increasing (GstPad * pad, GstPadProbeInfo * info,
    gpointer user_data)
{
  Analysis *a = user_data;
  GstBuffer *buf;
  GstClockTime pts, step;

  if (info->type & GST_PAD_PROBE_TYPE_EVENT_BOTH) {
    GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);

    if (GST_EVENT_TYPE (event) == GST_EVENT_SEGMENT
        || GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP)
      a->last_pts = GST_CLOCK_TIME_NONE;
    return GST_PAD_PROBE_OK;
  }

  buf = GST_PAD_PROBE_INFO_BUFFER (info);
  pts = GST_BUFFER_PTS (buf);
  if (GST_CLOCK_TIME_IS_VALID (pts) && GST_CLOCK_TIME_IS_VALID (a->last_pts)
      && pts <= a->last_pts) {
    step = GST_BUFFER_DURATION (buf);
    if (!GST_CLOCK_TIME_IS_VALID (step) || step == 0) {
      GstCaps *caps = gst_pad_get_current_caps (pad);
      GstVideoInfo vinfo;

      step = GST_MSECOND;
      if (caps && gst_video_info_from_caps (&vinfo, caps) && vinfo.fps_n > 0)
        step = gst_util_uint64_scale_int (GST_SECOND, vinfo.fps_d,
            vinfo.fps_n);
      if (caps)
        gst_caps_unref (caps);
    }
    buf = gst_buffer_make_writable (buf);
    GST_BUFFER_PTS (buf) = a->last_pts + step;
    GST_PAD_PROBE_INFO_DATA (info) = buf;
    pts = GST_BUFFER_PTS (buf);
  }
  if (GST_CLOCK_TIME_IS_VALID (pts))
    a->last_pts = pts;
  /* --duration: frames from then on are not analysed */
  if (a->limit > 0 && GST_CLOCK_TIME_IS_VALID (pts)) {
    if (!GST_CLOCK_TIME_IS_VALID (a->first_pts))
      a->first_pts = pts;
    if (pts >= a->first_pts && pts - a->first_pts >= (GstClockTime) a->limit) {
      analysis_request_stop (a, "--duration");
      return GST_PAD_PROBE_DROP;
    }
  }
  return GST_PAD_PROBE_OK;
}

/* ------------------------------------------------------------------ */
/* Pipeline                                                             */
/* ------------------------------------------------------------------ */

static const gchar *
package_hint (const gchar * factory)
{
  if (g_str_equal (factory, "facedetect"))
    return " (install gstreamer1.0-opencv)";
  if (g_str_has_prefix (factory, "ddamfn"))
    return " (install gst-ddamfn, or set GST_PLUGIN_PATH to its build/"
        "gst-plugin)";
  if (g_str_equal (factory, "h264parse"))
    return " (install gstreamer1.0-plugins-bad)";
  if (g_str_equal (factory, "matroskamux") || g_str_equal (factory, "mp4mux"))
    return " (install gstreamer1.0-plugins-good)";
  return " (install gstreamer1.0-plugins-base)";
}

static GstElement *
make (Analysis * a, const gchar * factory)
{
  GstElement *e = gst_element_factory_make (factory, NULL);

  if (e == NULL) {
    analysis_fail (a, g_strdup_printf ("GStreamer element %s not found%s",
            factory, package_hint (factory)));
    return NULL;
  }
  gst_bin_add (GST_BIN (a->pipeline), e);
  return e;
}

/* The first H.264 encoder there is (x264enc from gstreamer1.0-plugins-ugly
 * first: OpenH264 prints an error line on every run, see analyze-stderr.c),
 * else MPEG-4 part 2 (gstreamer1.0-libav);
 * *PARSER gets the parser the muxers need between them, if any. */
static GstElement *
make_encoder (Analysis * a, const gchar ** parser)
{
  GstElement *e;

  *parser = "h264parse";
  if ((e = gst_element_factory_make ("x264enc", NULL))) {
    gst_util_set_object_arg (G_OBJECT (e), "speed-preset", "veryfast");
    g_object_set (e, "bitrate", 4000, NULL);    /* kbit/s */
  } else if ((e = gst_element_factory_make ("openh264enc", NULL))) {
    g_object_set (e, "bitrate", 4000000, NULL); /* bit/s */
  } else if ((e = gst_element_factory_make ("avenc_mpeg4", NULL))) {
    gst_util_set_object_arg (G_OBJECT (e), "pass", "quant");
    g_object_set (e, "quantizer", 3.0f, NULL);
    *parser = NULL;
  } else {
    analysis_fail (a, g_strdup ("no video encoder found: install "
            "gstreamer1.0-plugins-ugly (x264enc), gstreamer1.0-plugins-bad "
            "(openh264enc) or gstreamer1.0-libav (avenc_mpeg4)"));
    return NULL;
  }
  gst_bin_add (GST_BIN (a->pipeline), e);
  return e;
}

/* The muxer for the name of the annotated video, NULL when unknown. */
const gchar *
analysis_muxer_for (const gchar * path)
{
  gchar *lower = g_ascii_strdown (path, -1);
  const gchar *muxer = NULL;

  if (g_str_has_suffix (lower, ".mkv"))
    muxer = "matroskamux";
  else if (g_str_has_suffix (lower, ".mp4") || g_str_has_suffix (lower,
          ".m4v") || g_str_has_suffix (lower, ".mov"))
    muxer = "mp4mux";
  g_free (lower);
  return muxer;
}

/* queue ! ddamfnoverlay ! videoconvert ! I420 ! encoder ! [parser] ! muxer !
 * fdsink, fed by UPSTREAM. */
static gboolean
add_annotated_branch (Analysis * a, GstElement * upstream)
{
  GstElement *queue, *overlay, *convert, *caps, *enc, *parse = NULL, *mux,
      *sink;
  const gchar *parser;
  GstCaps *i420;

  if (!(queue = make (a, "queue")) || !(overlay = make (a, "ddamfnoverlay"))
      || !(convert = make (a, "videoconvert"))
      || !(caps = make (a, "capsfilter"))
      || !(enc = make_encoder (a, &parser))
      || (parser && !(parse = make (a, parser)))
      || !(mux = make (a, analysis_muxer_for (a->annotated->path)))
      || !(sink = make (a, "fdsink")))
    return FALSE;

  i420 = gst_caps_from_string ("video/x-raw, format=I420");
  g_object_set (caps, "caps", i420, NULL);
  gst_caps_unref (i420);
  /* the temporary file's own descriptor: nothing is created by name */
  g_object_set (sink, "fd", a->annotated->fd, NULL);
  if (!gst_element_link_many (upstream, queue, overlay, convert, caps, enc,
          NULL) || (parse && !gst_element_link (enc, parse))
      || !gst_element_link_many (parse ? parse : enc, mux, sink, NULL)) {
    analysis_fail (a, g_strdup ("cannot link the elements that write the "
            "annotated video"));
    return FALSE;
  }
  return TRUE;
}

/* Why there is no video to analyse: none in the file, or one that gave no
 * frame. */
gchar *
analysis_no_video_message (Analysis * a)
{
  if (g_atomic_int_get (&a->video_link.seen))
    return g_strdup_printf ("cannot decode %s: its video stream gave no "
        "frame that could be decoded (the file looks damaged)", a->video);
  return g_strdup_printf ("cannot decode %s: no video stream", a->video);
}

/* Every stream of the file is known: without a video one the run ends here
 * (waiting for the audio to run out, or for the error an unlinked audio pad
 * may or may not raise, could take as long as the file or for ever). */
static void
on_no_more_pads (GstElement * decodebin, gpointer user_data)
{
  Analysis *a = user_data;

  (void) decodebin;
  if (!a->video_link.linked)
    stream_error (a, analysis_no_video_message (a));
}

/* What reads the input and decodes it: SRC ! a->decodebin, or for a URI
 * a->decodebin alone (uridecodebin; *SRC is NULL). */
static gboolean
make_source (Analysis * a, GstElement ** src)
{
  *src = NULL;
  switch (a->input_kind) {
    case ANALYZE_INPUT_URI:
      if (!(a->decodebin = make (a, "uridecodebin")))
        return FALSE;
      g_object_set (a->decodebin, "uri", a->location, NULL);
      return TRUE;
    case ANALYZE_INPUT_DEVICE:
      if (!(*src = make (a, "v4l2src")))
        return FALSE;
      g_object_set (*src, "device", a->location, NULL);
      break;
    case ANALYZE_INPUT_FILE:
    default:
      if (!(*src = make (a, "filesrc")))
        return FALSE;
      g_object_set (*src, "location", a->location, NULL);
      break;
  }
  return (a->decodebin = make (a, "decodebin")) != NULL;
}

gboolean
analysis_build_pipeline (Analysis * a)
{
  GstElement *src, *detect, *queue, *filter, *sink;
  gchar *profile = NULL;
  GstPad *pad;

  a->pipeline = gst_pipeline_new ("analyze");
  if (!make_source (a, &src) || !(a->convert = make (a, "videoconvert"))
      || !(detect = make (a, a->detector == ANALYZE_DETECTOR_OPENCV ?
                  "facedetect" : "ddamfnfacedetect"))
      || !(queue = make (a, "queue"))
      || !(filter = make (a, "ddamfnfilter")))
    return FALSE;

  if (a->detector == ANALYZE_DETECTOR_OPENCV) {
    g_object_get (detect, "profile", &profile, NULL);
    if (profile == NULL || !g_file_test (profile, G_FILE_TEST_IS_REGULAR)) {
      analysis_fail (a, g_strdup_printf ("facedetect's cascade %s is missing "
              "(install opencv-data)", profile ? profile : "(none)"));
      g_free (profile);
      return FALSE;
    }
    g_free (profile);
    g_object_set (detect, "display", FALSE, NULL);
    gst_util_set_object_arg (G_OBJECT (detect), "updates", "none");
  } else if (a->detector_model) {
    g_object_set (detect, "model", a->detector_model, NULL);
  }

  g_object_set (filter, "model", a->model, "card", a->card, "preset",
      a->preset, "inference-interval",
      a->inference_interval, "smoothing", a->smoothing, NULL);

  if ((src && !gst_element_link (src, a->decodebin))
      || !gst_element_link_many (a->convert, detect, queue, filter, NULL)) {
    analysis_fail (a, g_strdup ("cannot link the analysis elements"));
    return FALSE;
  }
  a->video_link.convert = a->convert;
  tool_video_link_connect (&a->video_link, a->decodebin);
  g_signal_connect (a->decodebin, "no-more-pads",
      G_CALLBACK (on_no_more_pads), a);
  a->last_pts = a->first_pts = GST_CLOCK_TIME_NONE;
  pad = gst_element_get_static_pad (a->convert, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER |
      GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM | GST_PAD_PROBE_TYPE_EVENT_FLUSH,
      keep_timestamps_increasing, a, NULL);
  gst_object_unref (pad);

  if (a->annotated) {
    if (!add_annotated_branch (a, filter))
      return FALSE;
  } else {
    if (!(sink = make (a, "fakesink")))
      return FALSE;
    g_object_set (sink, "sync", FALSE, NULL);
    gst_element_link (filter, sink);
  }

  a->probe_pad = gst_element_get_static_pad (filter, "src");
  gst_pad_add_probe (a->probe_pad, GST_PAD_PROBE_TYPE_BUFFER,
      on_analysed_buffer, a, NULL);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Errors                                                               */
/* ------------------------------------------------------------------ */

/* One line for the user about an error message of the pipeline. */
gchar *
analysis_describe_error (Analysis * a, GstMessage * msg)
{
  GError *err = NULL;
  gchar *debug = NULL, *text;
  GstObject *src = GST_MESSAGE_SRC (msg);

  gst_message_parse_error (msg, &err, &debug);
  if (g_error_matches (err, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND)
      || g_error_matches (err, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_OPEN_READ)
      || (a->input_kind != ANALYZE_INPUT_FILE
          && err->domain == GST_RESOURCE_ERROR))
    text = g_strdup_printf ("cannot read %s: %s", a->video, err->message);
  else if (src && gst_object_has_as_ancestor (src, GST_OBJECT (a->decodebin))
      && !a->video_link.linked)
    text = g_error_matches (err, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED) ?
        analysis_no_video_message (a) :
        g_strdup_printf ("cannot decode %s: %s", a->video, err->message);
  else if (src && (GST_OBJECT (a->decodebin) == src
          || gst_object_has_as_ancestor (src, GST_OBJECT (a->decodebin))))
    text = g_strdup_printf ("cannot decode %s: %s", a->video, err->message);
  else
    text = g_strdup_printf ("%s: %s", src ? GST_OBJECT_NAME (src) : "pipeline",
        err->message);
  g_error_free (err);
  g_free (debug);
  return text;
}

static gboolean
from_decoder (Analysis * a, GstMessage * msg)
{
  GstObject *src = GST_MESSAGE_SRC (msg);

  return src && a->decodebin && (src == GST_OBJECT (a->decodebin)
      || gst_object_has_as_ancestor (src, GST_OBJECT (a->decodebin)));
}

/* Counts the warnings of the demuxer and decoder and the frames the
 * decoder dropped (its QoS messages carry the running total). */
void
analysis_note_decoder_message (Analysis * a, GstMessage * msg)
{
  if (!from_decoder (a, msg))
    return;
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_WARNING) {
    GError *err = NULL;

    gst_message_parse_warning (msg, &err, NULL);
    if (a->n_warnings++ == 0)
      a->first_warning = g_strdup_printf ("%s: %s",
          GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), err->message);
    g_error_free (err);
  } else if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_QOS) {
    GstFormat format;
    guint64 processed, dropped;

    gst_message_parse_qos_stats (msg, &format, &processed, &dropped);
    if (format == GST_FORMAT_BUFFERS && dropped != G_MAXUINT64)
      a->dropped = MAX (a->dropped, dropped);
  }
}

/* NULL when the video read cleanly; otherwise a line for the user: the
 * frames read against those the container's duration implies, the frames
 * the decoder dropped, its warnings. */
gchar *
analysis_describe_damage (Analysis * a, gint64 container_duration,
    gdouble frame_interval)
{
  guint64 expected = 0;
  GString *s;

  if (container_duration > 0 && frame_interval > 0)
    expected = (guint64) llround (container_duration / (gdouble) GST_SECOND
        / frame_interval);
  /* one frame of slack: durations are rounded */
  if (a->n_warnings == 0 && a->dropped == 0 && a->next_frame + 1 >= expected
      && a->next_frame >= a->declared_frames)
    return NULL;

  s = g_string_new (NULL);
  g_string_append_printf (s, "%s looks damaged: %" G_GUINT64_FORMAT
      " frames read", a->video, a->next_frame);
  /* a demuxer that rebuilt a lost index reports the shorter duration of
   * what is left: the header's count, written before, tells the loss */
  if (a->declared_frames > a->next_frame && a->declared_frames > expected + 1)
    g_string_append_printf (s, " of the %" G_GUINT64_FORMAT " its header "
        "declares (the file is truncated or its index lost)",
        a->declared_frames);
  else if (expected > 0)
    g_string_append_printf (s, " of the %" G_GUINT64_FORMAT " its duration "
        "(%.1f s) implies", expected, container_duration / (gdouble)
        GST_SECOND);
  if (a->dropped > 0)
    g_string_append_printf (s, "; the decoder dropped %" G_GUINT64_FORMAT
        " undecodable frame%s", a->dropped, a->dropped == 1 ? "" : "s");
  if (a->n_warnings > 0)
    g_string_append_printf (s, "; %u decoder warning%s, the first: %s",
        a->n_warnings, a->n_warnings == 1 ? "" : "s", a->first_warning);
  return g_string_free (s, FALSE);
}
