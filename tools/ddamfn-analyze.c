/* ddamfn-analyze: facial affect of every face of a video, as CSV, JSON
 * Lines, an annotated video and a PNG timeline.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Options, the run with its progress display, the outputs and the summary;
 * the pipeline and its probe are in analyze-pipeline.c. Outputs are written
 * under temporary names and renamed only when the whole run succeeded;
 * analyze-signals.c makes sure a signal leaves all of them or none.
 */
#include "ddamfn-tool.h"
#include "analyze-output.h"
#include "analyze-paths.h"
#include "analyze-container.h"
#include "analyze-input.h"
#include "analyze-pipeline.h"
#include "analyze-plot.h"
#include "analyze-signals.h"
#include "analyze-stderr.h"

#include <ddamfn/ddamfn.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROGRAM "ddamfn-analyze"
/* Exit status of a run that finished on a damaged video. */
#define EXIT_DAMAGED 3

static gchar *opt_model;
static gchar *opt_card;
static gchar *opt_preset;
static gchar *opt_csv;
static gchar *opt_jsonl;
static gchar *opt_annotated;
static gchar *opt_plot;
static gint opt_interval = 1;
static gdouble opt_smoothing = 0.0;
static gchar **opt_inputs;
static gchar *opt_detector;
static gchar *opt_detector_model;
static gdouble opt_duration;
static AnalyzePlotFormat plot_format;

static GOptionEntry entries[] = {
  {"model", 'm', 0, G_OPTION_ARG_FILENAME, &opt_model,
        "Model file (.safetensors from ddamfn-convert, .onnx, TensorFlow.js "
        "model.json; default: $DDAMFN_MODEL, else the installed default: "
        "DDAMFN++ AffectNet-8, else the FER2013 mini-Xception)", "FILE"},
  {"card", 0, 0, G_OPTION_ARG_FILENAME, &opt_card,
        "Model card (JSON) describing the model's input and outputs "
        "(default: the file's own, NAME.card.json beside it, or a preset "
        "chosen from its shapes)", "FILE"},
  {"preset", 0, 0, G_OPTION_ARG_STRING, &opt_preset,
        "Model card preset: ddamfn, fer2013-mini-xception, enet_b0_8_va_mtl, "
        "enet_b0_8_best_afew, enet_b2_8, emotion-ferplus-8", "NAME"},
  {"csv", 0, 0, G_OPTION_ARG_FILENAME, &opt_csv,
      "Write one row per face per frame", "FILE.csv"},
  {"jsonl", 0, 0, G_OPTION_ARG_FILENAME, &opt_jsonl,
      "Write the same records as JSON Lines", "FILE.jsonl"},
  {"annotated", 0, 0, G_OPTION_ARG_FILENAME, &opt_annotated,
      "Write the video with the results drawn on it (.mkv or .mp4)", "FILE"},
  {"plot", 0, 0, G_OPTION_ARG_FILENAME, &opt_plot,
        "Draw valence and arousal over time (when the model gives them), "
        "the expressions per tracked face and their distribution",
      "FILE.png|.svg|.pdf"},
  {"inference-interval", 0, 0, G_OPTION_ARG_INT, &opt_interval,
        "Run the network on a tracked face every N frames (default 1)",
      "N"},
  {"smoothing", 0, 0, G_OPTION_ARG_DOUBLE, &opt_smoothing,
        "Exponential smoothing of each face's results, 0 (none) to 1",
      "A"},
  {"duration", 0, 0, G_OPTION_ARG_DOUBLE, &opt_duration,
        "Analyse the first SECONDS of the input, then write the outputs "
        "(for a stream or a capture device, which may not end by itself; "
        "Ctrl-C ends those too)", "SECONDS"},
  {"detector", 0, 0, G_OPTION_ARG_STRING, &opt_detector,
        "Face detector: blazeface (default: ddamfnfacedetect, MediaPipe's "
        "BlazeFace with landmarks, so faces are aligned) or opencv "
        "(facedetect, OpenCV's Haar cascade)", "NAME"},
  {"detector-model", 0, 0, G_OPTION_ARG_FILENAME, &opt_detector_model,
        "BlazeFace model for --detector blazeface (default: the installed "
        "full-range model)", "FILE"},
  {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_inputs,
      NULL, "VIDEO|URI|DEVICE"},
  {NULL}
};

static gboolean
on_stop_timeout (gpointer user_data)
{
  Analysis *a = user_data;

  a->stop_timeout = 0;
  analysis_fail (a, g_strdup_printf ("%s did not end within 10 s of the "
          "request (%s)", a->video, a->stop_reason));
  return G_SOURCE_REMOVE;
}

/* Main thread: --duration was reached or SIGINT came: EOS through the
 * pipeline ends the run as the end of the input does. */
static void
stop_at_this_frame (Analysis * a, const gchar * reason)
{
  if (a->stop_reason != NULL)
    return;
  if (g_strcmp0 (reason, "--duration") == 0) {
    gchar buf[G_ASCII_DTOSTR_BUF_SIZE];

    a->stop_reason = g_strdup_printf ("--duration %s s reached",
        g_ascii_dtostr (buf, sizeof (buf), opt_duration));
  } else {
    a->stop_reason = g_strdup_printf ("stopped by %s", reason);
  }
  gst_element_send_event (a->pipeline, gst_event_new_eos ());
  a->stop_timeout = g_timeout_add_seconds (10, on_stop_timeout, a);
}

/* From the signal thread, on the first SIGINT (inputs that may not end). */
static void
stop_on_sigint (gpointer data)
{
  analysis_request_stop (data, "SIGINT");
}

static gboolean
on_bus_message (GstBus * bus, GstMessage * msg, gpointer user_data)
{
  Analysis *a = user_data;

  (void) bus;
  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ERROR:
      analysis_fail (a, analysis_describe_error (a, msg));
      break;
    case GST_MESSAGE_EOS:
      if (!a->video_link.linked)
        analysis_fail (a, analysis_no_video_message (a));
      g_main_loop_quit (a->loop);
      break;
    case GST_MESSAGE_WARNING:
    case GST_MESSAGE_QOS:
      analysis_note_decoder_message (a, msg);
      break;
    case GST_MESSAGE_APPLICATION:{
      const GstStructure *s = gst_message_get_structure (msg);

      if (gst_structure_has_name (s, "analyze-error"))
        analysis_fail (a, g_strdup (gst_structure_get_string (s, "message")));
      else if (gst_structure_has_name (s, "analyze-stop"))
        stop_at_this_frame (a, gst_structure_get_string (s, "reason"));
      break;
    }
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
}

static void
format_clock (gchar * buf, gsize size, gint64 t)
{
  if (t < 0) {
    g_strlcpy (buf, "--:--.-", size);
    return;
  }
  g_snprintf (buf, size, "%02d:%04.1f", (gint) (t / GST_SECOND / 60),
      fmod (t / (gdouble) GST_SECOND, 60.0));
}

/* On a terminal one line redrawn in place; otherwise a line every 10 %
 * (every 5 s when the length is unknown). */
static void
show_progress (Analysis * a, gboolean final)
{
  gint64 pos = -1, now = g_get_monotonic_time ();
  gint frames = g_atomic_int_get (&a->frames);
  gdouble elapsed = (now - a->start_us) / 1e6;
  gdouble fps = elapsed > 0 ? frames / elapsed : 0;
  gint percent = -1;
  gchar p[16], d[16];

  gint64 total;

  if (!gst_element_query_position (a->pipeline, GST_FORMAT_TIME, &pos))
    pos = -1;
  if (a->duration <= 0
      && !gst_element_query_duration (a->pipeline, GST_FORMAT_TIME,
          &a->duration))
    a->duration = -1;
  /* how much will be analysed: the input, or less with --duration */
  total = a->duration;
  if (a->limit > 0 && (total <= 0 || a->limit < total))
    total = a->limit;
  if (a->limit > 0 && GST_CLOCK_TIME_IS_VALID (a->first_pts) && pos >= 0)
    pos = MAX (pos - (gint64) a->first_pts, 0);
  if (final && total > 0 && a->stop_reason == NULL)
    pos = total;
  if (pos >= 0 && total > 0)
    percent = (gint) CLAMP (100 * pos / total, 0, 100);
  format_clock (p, sizeof (p), pos);
  format_clock (d, sizeof (d), total);

  if (a->tty) {
    gchar bar[31];
    gint filled = percent < 0 ? 0 : percent * 30 / 100;

    memset (bar, '#', filled);
    memset (bar + filled, '.', 30 - filled);
    bar[30] = '\0';
    analyze_stderr_lock (a->capture);
    fprintf (a->term, "\r%3d%% [%s] %s / %s  %d frames  %.1f fps \033[K",
        MAX (percent, 0), bar, p, d, frames, fps);
    if (final)
      fputc ('\n', a->term);
    fflush (a->term);
    analyze_stderr_unlock (a->capture);
    return;
  }
  if (final && percent >= 0 && percent == a->last_percent)
    return;
  if (final || (percent >= 0 && percent >= a->next_percent)
      || (percent < 0 && now - a->last_line_us >= 5 * G_USEC_PER_SEC)) {
    analyze_stderr_lock (a->capture);
    fprintf (a->term, "progress: %3d%%  %s / %s  %d frames  %.1f fps\n",
        MAX (percent, 0), p, d, frames, fps);
    fflush (a->term);
    analyze_stderr_unlock (a->capture);
    a->last_line_us = now;
    a->last_percent = percent;
    if (percent >= 0)
      a->next_percent = (percent / 10 + 1) * 10;
  }
}

static gboolean
on_progress_tick (gpointer user_data)
{
  show_progress (user_data, FALSE);
  return G_SOURCE_CONTINUE;
}

static void
run_pipeline (Analysis * a)
{
  GstBus *bus = gst_element_get_bus (a->pipeline);
  guint bus_watch, tick;

  a->capture = analyze_stderr_capture (a->tty);
  a->term = analyze_stderr_terminal (a->capture);
  a->loop = g_main_loop_new (NULL, FALSE);
  bus_watch = gst_bus_add_watch (bus, on_bus_message, a);
  a->start_us = a->last_line_us = g_get_monotonic_time ();
  a->next_percent = 10;
  a->last_percent = -1;
  tick = g_timeout_add (a->tty ? 250 : 500, on_progress_tick, a);

  if (gst_element_set_state (a->pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);

    if (msg) {
      analysis_fail (a, analysis_describe_error (a, msg));
      gst_message_unref (msg);
    } else {
      analysis_fail (a, g_strdup_printf ("cannot start the pipeline for %s",
              a->video));
    }
  } else {
    g_main_loop_run (a->loop);
  }
  if (a->error == NULL)
    show_progress (a, TRUE);
  else if (a->tty)
    fputc ('\n', a->term);
  analyze_stderr_release (a->capture);
  a->capture = NULL;
  a->term = stderr;

  g_source_remove (tick);
  g_source_remove (bus_watch);
  if (a->stop_timeout)
    g_source_remove (a->stop_timeout);
  a->stop_timeout = 0;
  gst_object_unref (bus);
}

/* ------------------------------------------------------------------ */
/* Outputs and summary                                                  */
/* ------------------------------------------------------------------ */

static gdouble
frame_interval (Analysis * a)
{
  GstCaps *caps = gst_pad_get_current_caps (a->probe_pad);
  GstVideoInfo info;
  gdouble dt = 0;

  if (caps && gst_video_info_from_caps (&info, caps) && info.fps_n > 0)
    dt = info.fps_d / (gdouble) info.fps_n;
  if (caps)
    gst_caps_unref (caps);
  return dt;
}

static void
discard_outputs (Analysis * a)
{
  g_clear_pointer (&a->csv, analyze_file_discard);
  g_clear_pointer (&a->jsonl, analyze_file_discard);
  g_clear_pointer (&a->annotated, analyze_file_discard);
  g_clear_pointer (&a->plot, analyze_file_discard);
}

/* Draws the plot, then renames every output; on any failure none is. */
static gboolean
finish_outputs (Analysis * a, gdouble dt)
{
  AnalyzeFile **files[] = { &a->csv, &a->jsonl, &a->plot, &a->annotated };
  AnalyzeFile *list[G_N_ELEMENTS (files)];
  GError *error = NULL;

  if (a->plot) {
    gchar *base = g_path_get_basename (a->video);
    gchar *title = g_strdup_printf (a->labels.has_va ?
        "%s: valence, arousal and expressions of every tracked face" :
        "%s: expressions of every tracked face", base);
    AnalyzePlotInfo info = { title, a->duration / (gdouble) GST_SECOND, dt,
      a->next_frame, plot_format
    };
    gboolean ok = analyze_plot_write (a->plot->fp, &info, &a->labels,
        a->points, &error);

    g_free (title);
    g_free (base);
    if (!ok) {
      analysis_fail (a, g_strdup_printf ("cannot write %s: %s", a->plot->path,
              error->message));
      g_error_free (error);
      return FALSE;
    }
  }
  for (guint i = 0; i < G_N_ELEMENTS (files); i++) {
    list[i] = *files[i];
    *files[i] = NULL;
  }
  if (!analyze_files_commit (list, G_N_ELEMENTS (list), &error)) {
    analysis_fail (a, g_strdup (error->message));
    g_error_free (error);
    return FALSE;
  }
  return TRUE;
}

static void
print_summary (Analysis * a, gdouble elapsed)
{
  guint64 counts[GST_DDAMFN_META_MAX_EXPRESSIONS] = { 0 };
  guint64 n_va = 0, n_expr = 0;
  gdouble sum_v = 0, sum_a = 0;
  GHashTable *tracks = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < a->points->len; i++) {
    const AnalyzePoint *pt = &g_array_index (a->points, AnalyzePoint, i);

    g_hash_table_add (tracks, GUINT_TO_POINTER (pt->track_id));
    if (pt->has_va) {
      sum_v += pt->valence;
      sum_a += pt->arousal;
      n_va++;
    }
    if (pt->expr_index >= 0 && pt->expr_index < a->labels.n_expr) {
      counts[pt->expr_index]++;
      n_expr++;
    }
  }

  if (a->labels.model != NULL)
    printf ("model: %s\n", a->labels.model);
  printf ("%s: %" G_GUINT64_FORMAT " frames in %.1f s (%.1f frames/s)%s%s\n",
      a->video, a->next_frame, elapsed, elapsed > 0 ? a->next_frame /
      elapsed : 0.0, a->stop_reason ? "; " : "",
      a->stop_reason ? a->stop_reason : "");
  printf ("faces: %u records on %" G_GUINT64_FORMAT " frames, %u tracked "
      "face%s\n", a->points->len, a->frames_with_faces,
      g_hash_table_size (tracks), g_hash_table_size (tracks) == 1 ? "" : "s");
  if (n_va > 0)
    printf ("mean valence %+.3f, mean arousal %+.3f\n", sum_v / n_va,
        sum_a / n_va);
  else if (!a->labels.has_va)
    printf ("the model predicts no valence or arousal%s\n", opt_plot ?
        ": the plot shows its expressions only" : "");
  if (n_expr > 0) {
    printf ("expressions:\n");
    for (gint k = 0; k < a->labels.n_expr; k++) {
      gdouble share = (gdouble) counts[k] / n_expr;
      gchar bar[41];
      gint len = (gint) lround (share * 40);

      memset (bar, '#', len);
      bar[len] = '\0';
      printf ("  %-12s %6" G_GUINT64_FORMAT "  %5.1f %%  %s\n",
          a->labels.expr_labels[k], counts[k], 100 * share, bar);
    }
  }
  g_hash_table_unref (tracks);
}

/* ------------------------------------------------------------------ */
/* Setup                                                                */
/* ------------------------------------------------------------------ */

static gboolean
load_labels (AnalyzeLabels * labels, GError ** error)
{
  DdamfnModel *model = ddamfn_model_open_with_card (opt_model, opt_card,
      opt_preset, error);

  if (model == NULL)
    return FALSE;
  memset (labels, 0, sizeof (*labels));
  /* Which model ran, and why that one: the summary's first line (a run
   * that fails prints nothing on stdout). */
  {
    gchar *desc = g_strdup_printf ("%s: %s", opt_model,
        ddamfn_model_get_card_name (model));

    labels->model = g_intern_string (desc);
    g_free (desc);
  }
  labels->n_expr = MIN (ddamfn_model_get_n_expressions (model),
      GST_DDAMFN_META_MAX_EXPRESSIONS);
  for (gint k = 0; k < labels->n_expr; k++)
    labels->expr_labels[k] =
        g_intern_string (ddamfn_model_get_expression_label (model, k));
  labels->has_va = ddamfn_model_has_va (model);
  labels->n_au = MIN (ddamfn_model_get_n_aus (model), GST_DDAMFN_META_N_AU);
  for (gint k = 0; k < labels->n_au; k++)
    labels->au_names[k] = g_intern_string (ddamfn_model_get_au_name (model,
            k));
  ddamfn_model_unref (model);
  return TRUE;
}

/* Every output must differ from the others and from the input, and be
 * absent or a regular file. */
static gchar *
check_output_paths (const gchar * video)
{
  const gchar *options[] = { "--csv", "--jsonl", "--annotated", "--plot" };
  const gchar *paths[] = { opt_csv, opt_jsonl, opt_annotated, opt_plot };

  return analyze_check_output_paths (video, options, paths,
      G_N_ELEMENTS (paths));
}

static AnalyzeFile *
open_output (Analysis * a, const gchar * path, gboolean stream)
{
  GError *error = NULL;
  AnalyzeFile *file;

  if (path == NULL || a->error)
    return NULL;
  file = analyze_file_create (path, stream, &error);
  if (file == NULL) {
    analysis_fail (a, g_strdup (error->message));
    g_error_free (error);
  }
  return file;
}

static gint
die (Analysis * a, gint code)
{
  discard_outputs (a);
  g_printerr (PROGRAM ": %s\n", a->error ? a->error : "failed");
  /* what the early returns of main () would leave */
  g_clear_pointer (&a->error, g_free);
  g_clear_pointer (&a->points, g_array_unref);
  g_clear_pointer (&a->location, g_free);
  return code;
}

/* --detector and --detector-model; FALSE (with a message) when wrong. */
static gboolean
choose_detector (Analysis * a)
{
  if (opt_detector == NULL || g_str_equal (opt_detector, "blazeface"))
    a->detector = ANALYZE_DETECTOR_BLAZEFACE;
  else if (g_str_equal (opt_detector, "opencv"))
    a->detector = ANALYZE_DETECTOR_OPENCV;
  else {
    g_printerr (PROGRAM ": --detector %s: must be blazeface or opencv\n",
        opt_detector);
    return FALSE;
  }
  if (opt_detector_model && a->detector != ANALYZE_DETECTOR_BLAZEFACE) {
    g_printerr (PROGRAM ": --detector-model goes with --detector "
        "blazeface\n");
    return FALSE;
  }
  a->detector_model = opt_detector_model;
  return TRUE;
}

/* Parses and checks the command line: 0 when it is good, else the exit
 * status (2) after the message. */
static gint
parse_options (int *argc, char ***argv)
{
  GOptionContext *ctx;
  GError *error = NULL;

  ctx = g_option_context_new (NULL);
  g_option_context_set_summary (ctx, "Finds the faces of a video (a "
      "file, a URI such as rtsp:// or http://, or a capture device such as "
      "/dev/video0) with BlazeFace (ddamfnfacedetect) or OpenCV's "
      "facedetect, reads their expression, valence, arousal and action "
      "units with the model, and writes them as CSV, JSON Lines, an "
      "annotated video and a PNG timeline. Outputs appear only when the "
      "whole video was analysed: a file to its end, a URI or a device to its "
      "end, --duration or Ctrl-C (a second Ctrl-C abandons the run)."
      "\n\nExit status: 0 success; 1 failure "
      "(no output written); 2 bad usage; 3 the video was damaged (decoder "
      "warnings, undecodable frames or fewer frames than its duration "
      "implies): the outputs hold what could be read; 128 + N when signal "
      "N ended the run.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, argc, argv, &error)) {
    g_printerr (PROGRAM ": %s (see --help)\n", error->message);
    g_error_free (error);
    g_option_context_free (ctx);
    return 2;
  }
  g_option_context_free (ctx);

  if (opt_inputs == NULL || opt_inputs[0] == NULL || opt_inputs[1] != NULL) {
    g_printerr (PROGRAM ": usage: " PROGRAM " [--model MODEL] VIDEO|URI|DEVICE "
        "[--duration SECONDS] [--csv "
        "FILE] [--jsonl FILE] [--annotated FILE.mkv|.mp4] [--plot FILE.png] "
        "(see --help)\n");
    return 2;
  }
  if (opt_interval < 1) {
    g_printerr (PROGRAM ": --inference-interval %d: must be at least 1\n",
        opt_interval);
    return 2;
  }
  if (!(opt_smoothing >= 0 && opt_smoothing <= 1)) {
    gchar buf[G_ASCII_DTOSTR_BUF_SIZE];

    g_printerr (PROGRAM ": --smoothing %s: must be between 0 and 1\n",
        g_ascii_dtostr (buf, sizeof (buf), opt_smoothing));
    return 2;
  }
  if (!(opt_duration >= 0 && opt_duration <= 1e6)) {
    g_printerr (PROGRAM ": --duration: must be a number of seconds above "
        "0\n");
    return 2;
  }
  return 0;
}

int
main (int argc, char **argv)
{
  GError *error = NULL;
  Analysis a = { 0 };
  gchar *damage = NULL;
  gint code;

  /* Before any other thread of ours exists: they all inherit the blocked
   * signals. */
  ddamfn_tool_setup_blas ();
  analyze_signals_start (isatty (fileno (stderr)));
  setlocale (LC_ALL, "");
#if defined(ANALYZE_BUILD_DIR) && defined(ANALYZE_BUILD_PLUGIN_DIR)
  ddamfn_tool_prefer_build_plugin (ANALYZE_BUILD_DIR, ANALYZE_BUILD_PLUGIN_DIR);
#endif
  /* facedetect also opens optional nose, mouth and eye cascades that Debian
   * does not ship; OpenCV's complaints about them would bury our own
   * messages. An explicit OPENCV_LOG_LEVEL is kept. */
  g_setenv ("OPENCV_LOG_LEVEL", "OFF", FALSE);
  if ((code = parse_options (&argc, &argv)) != 0)
    return code;
  a.limit = (gint64) (opt_duration * GST_SECOND);
  if (!choose_detector (&a))
    return 2;
  a.video = opt_inputs[0];
  a.card = opt_card;
  a.preset = opt_preset;
  /* --model, else $DDAMFN_MODEL, else the installed default model */
  a.model = ddamfn_model_find (opt_model, "--model", &error);
  if (a.model == NULL) {
    g_printerr (PROGRAM ": %s\n", error->message);
    return 2;
  }
  g_free (opt_model);
  opt_model = (gchar *) a.model;
  a.inference_interval = (guint) opt_interval;
  a.smoothing = opt_smoothing;
  a.tty = isatty (fileno (stderr));
  a.points = g_array_new (FALSE, FALSE, sizeof (AnalyzePoint));

  {
    AnalyzeInput input;
    gboolean usage = FALSE;

    if (!analyze_input_classify (a.video, &input, &usage, &a.error))
      return die (&a, usage ? 2 : 1);
    a.input_kind = input.kind;
    a.location = input.location;        /* a owns it */
  }
  if ((a.error = check_output_paths (a.location)))
    return die (&a, 2);
  if (opt_plot && !analyze_plot_format_for (opt_plot, &plot_format)) {
    a.error = g_strdup_printf ("--plot %s: name it .png, .svg or .pdf",
        opt_plot);
    return die (&a, 2);
  }
  if (opt_annotated && analysis_muxer_for (opt_annotated) == NULL) {
    a.error = g_strdup_printf ("--annotated %s: name it .mkv or .mp4",
        opt_annotated);
    return die (&a, 2);
  }
  if (!load_labels (&a.labels, &error)) {
    a.error = g_strdup_printf ("cannot use the model: %s", error->message);
    g_error_free (error);
    return die (&a, 1);
  }

  a.csv = open_output (&a, opt_csv, TRUE);
  a.jsonl = open_output (&a, opt_jsonl, TRUE);
  a.annotated = open_output (&a, opt_annotated, FALSE);
  a.plot = open_output (&a, opt_plot, TRUE);
  if (a.error)
    return die (&a, 1);
  if (a.csv && !analyze_csv_write_header (a.csv->fp, &a.labels)) {
    a.error = g_strdup_printf ("cannot write %s: %s", opt_csv,
        g_strerror (errno));
    return die (&a, 1);
  }

  if (a.input_kind == ANALYZE_INPUT_FILE)
    a.declared_frames = analyze_avi_declared_frames (a.location);
  if (analysis_build_pipeline (&a)) {
    /* A stream or a device may never end: Ctrl-C ends it cleanly. */
    if (a.input_kind != ANALYZE_INPUT_FILE)
      analyze_signals_set_stop (stop_on_sigint, &a);
    run_pipeline (&a);
    analyze_signals_set_stop (NULL, NULL);
  }
  if (a.error == NULL) {
    gdouble elapsed = (g_get_monotonic_time () - a.start_us) / 1e6;
    gdouble dt = frame_interval (&a);
    gint64 container_duration = a.duration;

    /* ended early on purpose: not a sign of damage */
    if (a.stop_reason != NULL) {
      container_duration = -1;
      a.declared_frames = 0;
      a.duration = -1;
    }
    if (a.duration <= 0 && a.next_frame > 0)
      a.duration = (gint64) (a.next_frame * dt * GST_SECOND);
    gst_element_set_state (a.pipeline, GST_STATE_NULL);
    if (finish_outputs (&a, dt)) {
      print_summary (&a, elapsed);
      damage = analysis_describe_damage (&a, container_duration, dt);
    }
  }
  if (a.pipeline)
    gst_element_set_state (a.pipeline, GST_STATE_NULL);

  code = 0;
  if (a.error) {
    code = die (&a, 1);
  } else if (damage) {
    /* The outputs hold every frame that could be read. */
    g_printerr (PROGRAM ": warning: %s; the outputs hold the frames that "
        "were read\n", damage);
    code = EXIT_DAMAGED;
  }
  g_free (damage);
  g_free (a.first_warning);
  g_free (a.stop_reason);
  g_free (a.location);

  if (a.probe_pad)
    gst_object_unref (a.probe_pad);
  if (a.pipeline)
    gst_object_unref (a.pipeline);
  if (a.loop)
    g_main_loop_unref (a.loop);
  g_clear_pointer (&a.points, g_array_unref);
  return code;
}
