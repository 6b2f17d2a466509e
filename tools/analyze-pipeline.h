/* ddamfn-analyze: the GStreamer side of a run.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __ANALYZE_PIPELINE_H__
#define __ANALYZE_PIPELINE_H__

#include <gst/gst.h>

#include "tool-video-link.h"

#include "analyze-input.h"
#include "analyze-output.h"

G_BEGIN_DECLS

typedef enum
{
  ANALYZE_DETECTOR_BLAZEFACE,   /* ddamfnfacedetect */
  ANALYZE_DETECTOR_OPENCV,      /* facedetect */
} AnalyzeDetector;

/* One run of the program: what it was asked, its pipeline, what the
 * streaming threads collected and what the main thread shows. */
typedef struct
{
  /* the request */
  const gchar *video;           /* as the user gave it, for messages */
  AnalyzeInputKind input_kind;
  gchar *location;              /* the file's path, the URI or the device */
  gint64 limit;                 /* --duration in ns, 0: to the end */
  const gchar *model;
  const gchar *card;            /* NULL: the model's own */
  const gchar *preset;          /* NULL: none */
  AnalyzeDetector detector;
  const gchar *detector_model;  /* NULL: the element's default */
  guint inference_interval;
  gdouble smoothing;
  AnalyzeLabels labels;
  AnalyzeFile *csv, *jsonl, *annotated, *plot;

  GstElement *pipeline;
  GstElement *decodebin;
  GstElement *convert;          /* where decodebin's video pad goes */
  GstPad *probe_pad;            /* ddamfnfilter's src pad */
  GMainLoop *loop;
  ToolVideoLink video_link;     /* decodebin's video to convert, and
                                 * whether the input offered any */

  /* written by the streaming threads */
  guint64 next_frame;
  guint64 frames_with_faces;
  GstClockTime last_pts;        /* at videoconvert's sink */
  gint frames;                  /* atomic, for the progress display */
  GArray *points;               /* AnalyzePoint */
  gint stream_failed;           /* atomic: an error was posted */
  GstClockTime first_pts;       /* at videoconvert's sink, for --duration */
  gint stop_requested;          /* atomic: analyze-stop was posted */

  /* what the decoder said of damage, main thread */
  guint n_warnings;
  gchar *first_warning;
  guint64 dropped;              /* frames the decoder could not decode */
  guint64 declared_frames;      /* by the file's own header, 0 = unknown */

  /* main thread */
  gchar *error;                 /* the first error, for the user */
  gchar *stop_reason;           /* why the run ended before the input did */
  guint stop_timeout;           /* source id while the end is awaited */
  gint64 start_us;
  gint64 duration;
  gboolean tty;
  FILE *term;                   /* the real stderr while a library's output
                                 * is captured (analyze-stderr.c) */
  struct _AnalyzeStderr *capture;
  gint next_percent;
  gint last_percent;            /* last one printed, −1 before the first */
  gint64 last_line_us;
} Analysis;

void analysis_fail (Analysis * a, gchar * message);
void analysis_request_stop (Analysis * a, const gchar * reason);
const gchar *analysis_muxer_for (const gchar * path);
gboolean analysis_build_pipeline (Analysis * a);
gchar *analysis_describe_error (Analysis * a, GstMessage * msg);
gchar *analysis_no_video_message (Analysis * a);
void analysis_note_decoder_message (Analysis * a, GstMessage * msg);
gchar *analysis_describe_damage (Analysis * a, gint64 container_duration,
    gdouble frame_interval);

G_END_DECLS

#endif /* __ANALYZE_PIPELINE_H__ */
