/* ddamfn-serve: facial affect of many video streams in one process, on one
 * loaded model.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Options, the set of streams and its changes (SIGHUP re-reads the
 * configuration), the signals that end the run, the statistics. A stream
 * and its pipeline are in serve-stream.c, the configuration file in
 * serve-config.c, the latency window in serve-latency.c.
 *
 * How the model is shared: every stream's ddamfnfilter is given the same
 * model, card and preset, and ddamfnfilter takes its model from the
 * plugin's process-wide cache (gst-plugin/gstddamfnmodelcache.c), keyed by
 * the files' identity (device, inode, size, mtime) and the preset: a
 * filter that starts while an entry exists takes a reference to that
 * DdamfnModel instead of loading the file again, and the entry goes when
 * its last user stops. The filter loads in its start (READY to PAUSED),
 * which runs inside gst_element_set_state (); the streams are started one
 * after another from the main thread, so no two first loads race. What
 * remains is the entry going away whenever no stream runs (every stream
 * of the configuration ended or failed, then SIGHUP adds new ones: the
 * file would be read again). So before any stream starts, this program
 * puts one ddamfnfilter of its own in a pipeline that stays PAUSED for the
 * whole run (the "anchor"): it loads the model once, which also checks it
 * before any stream starts, and holds the cache's entry for every stream
 * started later. Each filter then has only its own inference session and
 * tracks. tests/tools/test_serve.py checks under strace that the model
 * file is opened once.
 */
#include "ddamfn-tool.h"
#include "serve-config.h"
#include "serve-stream.h"

#include <ddamfn/ddamfn.h>
#include <glib-unix.h>
#include <gst/gst.h>

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROGRAM SERVE_PROGRAM

static gchar *opt_model;
static gchar *opt_card;
static gchar *opt_preset;
static gdouble opt_stats_interval = 5.0;
static gboolean opt_exit_when_done;
static gchar **opt_args;

static GOptionEntry entries[] = {
  {"model", 'm', 0, G_OPTION_ARG_FILENAME, &opt_model,
        "Model file, loaded once for every stream (default: $DDAMFN_MODEL, "
        "else the installed default)", "FILE"},
  {"card", 0, 0, G_OPTION_ARG_FILENAME, &opt_card,
      "Model card (JSON) describing the model's input and outputs", "FILE"},
  {"preset", 0, 0, G_OPTION_ARG_STRING, &opt_preset,
      "Model card preset (see ddamfn-analyze --help)", "NAME"},
  {"stats-interval", 0, 0, G_OPTION_ARG_DOUBLE, &opt_stats_interval,
        "Print frames, frames/s and latency of every running stream and the "
        "process's memory every SECONDS (default 5; 0: never)", "SECONDS"},
  {"exit-when-done", 0, 0, G_OPTION_ARG_NONE, &opt_exit_when_done,
        "Exit once every stream has ended (status 1 if any failed) instead "
        "of waiting for SIGHUP", NULL},
  {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_args,
      NULL, "CONFIG.ini"},
  {NULL}
};

typedef struct
{
  GMainLoop *loop;
  const gchar *config_path;
  ServeModelSettings model;
  GstElement *anchor;           /* holds the shared model, see above */
  GPtrArray *streams;           /* ServeStream: those of the configuration */
  GPtrArray *retiring;          /* ServeStream: removed, ending */
  guint check_source;
  gint signals;                 /* SIGINT and SIGTERM received */
  gint exit_code;
  gboolean any_failed;
} Server;

static void schedule_check (Server * srv);

/* ------------------------------------------------------------------ */
/* The set of streams                                                   */
/* ------------------------------------------------------------------ */

static void
on_stream_ended (ServeStream * s, gpointer data)
{
  Server *srv = data;

  if (serve_stream_get_state (s) == SERVE_STREAM_FAILED)
    srv->any_failed = TRUE;
  schedule_check (srv);
}

static guint
count_active (GPtrArray * list)
{
  guint n = 0;

  for (guint i = 0; i < list->len; i++)
    n += serve_stream_is_active (g_ptr_array_index (list, i));
  return n;
}

/* After a stream ended: frees the removed streams that have finished and
 * ends the run when nothing is left to wait for. */
static gboolean
check_streams (gpointer data)
{
  Server *srv = data;
  guint active;

  srv->check_source = 0;
  for (guint i = srv->retiring->len; i-- > 0;)
    if (!serve_stream_is_active (g_ptr_array_index (srv->retiring, i)))
      g_ptr_array_remove_index (srv->retiring, i);
  active = count_active (srv->streams) + count_active (srv->retiring);
  if (active > 0)
    return G_SOURCE_REMOVE;
  if (srv->signals > 0) {
    g_main_loop_quit (srv->loop);
  } else if (opt_exit_when_done) {
    srv->exit_code = srv->any_failed ? 1 : 0;
    g_main_loop_quit (srv->loop);
  }
  return G_SOURCE_REMOVE;
}

static void
schedule_check (Server * srv)
{
  if (srv->check_source == 0)
    srv->check_source = g_idle_add (check_streams, srv);
}

static void
start_stream (Server * srv, const ServeStreamConfig * c)
{
  ServeStreamConfig *copy = g_new0 (ServeStreamConfig, 1);
  ServeStream *s;

  copy->name = g_strdup (c->name);
  copy->uri = g_strdup (c->uri);
  copy->jsonl = g_strdup (c->jsonl);
  copy->mqtt = g_strdup (c->mqtt);
  copy->inference_interval = c->inference_interval;
  s = serve_stream_new (copy, &srv->model, on_stream_ended, srv);
  g_ptr_array_add (srv->streams, s);
  printf ("stream %s: started (%s)\n", c->name, c->uri);
  fflush (stdout);
  serve_stream_start (s);
}

/* Moves stream I out of the configuration's set; a running one gets EOS
 * and is freed once its outputs are finalized. */
static void
retire_stream (Server * srv, guint i, const gchar * reason)
{
  ServeStream *s = g_ptr_array_steal_index (srv->streams, i);

  g_ptr_array_add (srv->retiring, s);
  serve_stream_stop (s, reason);
  schedule_check (srv);
}

static const ServeStreamConfig *
find_config (GPtrArray * configs, const gchar * name)
{
  for (guint i = 0; i < configs->len; i++) {
    const ServeStreamConfig *c = g_ptr_array_index (configs, i);

    if (g_str_equal (c->name, name))
      return c;
  }
  return NULL;
}

static gboolean
has_stream (Server * srv, const gchar * name)
{
  for (guint i = 0; i < srv->streams->len; i++)
    if (g_str_equal (serve_stream_get_config (g_ptr_array_index
                (srv->streams, i))->name, name))
      return TRUE;
  return FALSE;
}

/* Brings the running set to CONFIGS: removed and changed groups are
 * stopped, new and changed ones started, failed ones retried, the others
 * left alone (a stream that finished stays finished). */
static void
apply_config (Server * srv, GPtrArray * configs)
{
  guint started = 0, stopped = 0, kept = 0;

  for (guint i = srv->streams->len; i-- > 0;) {
    ServeStream *s = g_ptr_array_index (srv->streams, i);
    const ServeStreamConfig *c = find_config (configs,
        serve_stream_get_config (s)->name);

    if (c == NULL) {
      stopped += serve_stream_is_active (s);
      retire_stream (srv, i, "removed from the configuration");
    } else if (!serve_stream_config_equal (c, serve_stream_get_config (s))) {
      stopped += serve_stream_is_active (s);
      retire_stream (srv, i, "changed in the configuration");
    } else if (serve_stream_get_state (s) == SERVE_STREAM_FAILED) {
      retire_stream (srv, i, "failed");
    } else {
      kept++;
    }
  }
  for (guint i = 0; i < configs->len; i++) {
    const ServeStreamConfig *c = g_ptr_array_index (configs, i);

    if (!has_stream (srv, c->name)) {
      start_stream (srv, c);
      started++;
    }
  }
  printf ("config: %u started, %u stopped, %u unchanged\n", started, stopped,
      kept);
  fflush (stdout);
  schedule_check (srv);
}

/* ------------------------------------------------------------------ */
/* Signals                                                              */
/* ------------------------------------------------------------------ */

static gboolean
on_sighup (gpointer data)
{
  Server *srv = data;
  gchar *message = NULL;
  GPtrArray *configs;

  if (srv->signals > 0)
    return G_SOURCE_CONTINUE;
  configs = serve_config_load (srv->config_path, &message);
  if (configs == NULL) {
    g_printerr (PROGRAM ": reload: %s; the running streams are kept\n",
        message);
    g_free (message);
    return G_SOURCE_CONTINUE;
  }
  printf ("config: reloaded %s\n", srv->config_path);
  apply_config (srv, configs);
  g_ptr_array_unref (configs);
  return G_SOURCE_CONTINUE;
}

static void
stop_all (GPtrArray * list, const gchar * reason, gboolean at_once)
{
  for (guint i = 0; i < list->len; i++) {
    if (at_once)
      serve_stream_abort (g_ptr_array_index (list, i));
    else
      serve_stream_stop (g_ptr_array_index (list, i), reason);
  }
}

static gboolean
on_stop_signal (Server * srv, gint signo)
{
  const gchar *name = signo == SIGINT ? "SIGINT" : "SIGTERM";
  gchar *reason;

  if (++srv->signals > 1) {
    g_printerr (PROGRAM ": second signal (%s): stopping at once; the "
        "outputs of unfinished streams are removed\n", name);
    stop_all (srv->streams, NULL, TRUE);
    stop_all (srv->retiring, NULL, TRUE);
    srv->exit_code = 128 + signo;
    g_main_loop_quit (srv->loop);
    return G_SOURCE_CONTINUE;
  }
  g_printerr (PROGRAM ": %s: ending every stream and finalizing its "
      "outputs (again to stop at once)\n", name);
  reason = g_strdup_printf ("stopped by %s", name);
  stop_all (srv->streams, reason, FALSE);
  g_free (reason);
  srv->exit_code = 0;
  srv->any_failed = FALSE;      /* from here on: failures of the stop */
  schedule_check (srv);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_sigint (gpointer data)
{
  return on_stop_signal (data, SIGINT);
}

static gboolean
on_sigterm (gpointer data)
{
  return on_stop_signal (data, SIGTERM);
}

/* ------------------------------------------------------------------ */
/* Statistics                                                           */
/* ------------------------------------------------------------------ */

/* Resident set size from /proc/self/statm (its second field, in pages);
 * -1 when unknown. */
static gdouble
resident_mib (void)
{
  gchar *text = NULL;
  gdouble mib = -1;
  unsigned long size, resident;

  if (g_file_get_contents ("/proc/self/statm", &text, NULL, NULL)
      && sscanf (text, "%lu %lu", &size, &resident) == 2)
    mib = resident * (gdouble) sysconf (_SC_PAGESIZE) / (1024.0 * 1024.0);
  g_free (text);
  return mib;
}

static gboolean
on_stats_tick (gpointer data)
{
  Server *srv = data;
  GPtrArray *lists[] = { srv->streams, srv->retiring };
  guint running = 0;

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++) {
    for (guint i = 0; i < lists[l]->len; i++) {
      ServeStream *s = g_ptr_array_index (lists[l], i);

      if (serve_stream_is_active (s)) {
        serve_stream_print_stats (s);
        running++;
      }
    }
  }
  printf ("stats process: RSS %.1f MiB, %u stream%s running\n",
      resident_mib (), running, running == 1 ? "" : "s");
  fflush (stdout);
  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------ */
/* Setup                                                                */
/* ------------------------------------------------------------------ */

/* The anchor pipeline: one ddamfnfilter, PAUSED, so the model is loaded
 * (once) and stays in the cache. FALSE with a message when it cannot be. */
static gboolean
load_shared_model (Server * srv)
{
  GstElement *filter = gst_element_factory_make ("ddamfnfilter", NULL);
  GstBus *bus;
  GstMessage *msg;

  if (filter == NULL) {
    g_printerr (PROGRAM ": GStreamer element ddamfnfilter not found "
        "(install gst-ddamfn, or set GST_PLUGIN_PATH to its "
        "build/gst-plugin)\n");
    return FALSE;
  }
  g_object_set (filter, "model", srv->model.model, "card", srv->model.card,
      "preset", srv->model.preset, NULL);
  srv->anchor = gst_pipeline_new ("shared-model");
  gst_bin_add (GST_BIN (srv->anchor), filter);
  if (gst_element_set_state (srv->anchor, GST_STATE_PAUSED) !=
      GST_STATE_CHANGE_FAILURE)
    return TRUE;
  bus = gst_element_get_bus (srv->anchor);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  if (msg) {
    GError *err = NULL;

    gst_message_parse_error (msg, &err, NULL);
    g_printerr (PROGRAM ": cannot use the model %s: %s\n", srv->model.model,
        err->message);
    g_error_free (err);
    gst_message_unref (msg);
  } else {
    g_printerr (PROGRAM ": cannot use the model %s\n", srv->model.model);
  }
  gst_object_unref (bus);
  return FALSE;
}

static gboolean
parse_options (int *argc, char ***argv)
{
  GOptionContext *ctx = g_option_context_new (NULL);
  GError *error = NULL;
  gboolean ok;

  g_option_context_set_summary (ctx, "Runs every stream of CONFIG.ini "
      "(one [stream NAME] group each, with uri= and jsonl= and/or mqtt=) "
      "through face detection and the model, all in this one process on "
      "one loaded model, and writes each stream's records as JSON Lines or "
      "publishes them over MQTT. SIGHUP re-reads CONFIG.ini (streams are "
      "added, removed or restarted); SIGINT or SIGTERM ends every stream "
      "with its outputs finalized (a second one stops at once)."
      "\n\nExit status: 0 success; 1 a stream failed (with "
      "--exit-when-done) or the model cannot be used; 2 bad usage or a bad "
      "CONFIG.ini; 128 + N when a second signal N stopped it at once.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  ok = g_option_context_parse (ctx, argc, argv, &error);
  g_option_context_free (ctx);
  if (!ok) {
    g_printerr (PROGRAM ": %s (see --help)\n", error->message);
    g_error_free (error);
    return FALSE;
  }
  if (opt_args == NULL || opt_args[0] == NULL || opt_args[1] != NULL) {
    g_printerr (PROGRAM ": usage: " PROGRAM " [--model FILE] [--card FILE] "
        "[--preset NAME] [--stats-interval SECONDS] [--exit-when-done] "
        "CONFIG.ini (see --help)\n");
    return FALSE;
  }
  if (!(opt_stats_interval == 0 || (opt_stats_interval >= 0.1
              && opt_stats_interval <= 86400))) {
    g_printerr (PROGRAM ": --stats-interval: must be 0 (off) or a number "
        "of seconds from 0.1 to 86400\n");
    return FALSE;
  }
  return TRUE;
}

static void
server_clear (Server * srv)
{
  /* streams first: their filters give the model back before the anchor */
  g_clear_pointer (&srv->streams, g_ptr_array_unref);
  g_clear_pointer (&srv->retiring, g_ptr_array_unref);
  if (srv->anchor) {
    gst_element_set_state (srv->anchor, GST_STATE_NULL);
    gst_clear_object (&srv->anchor);
  }
  if (srv->check_source)
    g_source_remove (srv->check_source);
  g_clear_pointer (&srv->loop, g_main_loop_unref);
}

int
main (int argc, char **argv)
{
  Server srv = { 0 };
  GPtrArray *configs;
  GError *error = NULL;
  gchar *message = NULL, *model_path;
  guint stats = 0, sig[3];

  ddamfn_tool_setup_blas ();
  setlocale (LC_ALL, "");
  setvbuf (stdout, NULL, _IOLBF, 0);
#if defined(SERVE_BUILD_DIR) && defined(SERVE_BUILD_PLUGIN_DIR)
  ddamfn_tool_prefer_build_plugin (SERVE_BUILD_DIR, SERVE_BUILD_PLUGIN_DIR);
#endif
  if (!parse_options (&argc, &argv))
    return 2;
  srv.config_path = opt_args[0];
  configs = serve_config_load (srv.config_path, &message);
  if (configs == NULL) {
    g_printerr (PROGRAM ": %s\n", message);
    g_free (message);
    return 2;
  }
  model_path = ddamfn_model_find (opt_model, "--model", &error);
  if (model_path == NULL) {
    g_printerr (PROGRAM ": %s\n", error->message);
    g_error_free (error);
    g_ptr_array_unref (configs);
    return 2;
  }
  srv.model = (ServeModelSettings) {
  model_path, opt_card, opt_preset};
  serve_stream_init ();
  srv.streams = g_ptr_array_new_with_free_func ((GDestroyNotify)
      serve_stream_free);
  srv.retiring = g_ptr_array_new_with_free_func ((GDestroyNotify)
      serve_stream_free);
  if (!load_shared_model (&srv)) {
    server_clear (&srv);
    g_ptr_array_unref (configs);
    g_free (model_path);
    return 1;
  }
  printf ("model: %s (loaded once, shared by every stream)\n", model_path);

  srv.loop = g_main_loop_new (NULL, FALSE);
  sig[0] = g_unix_signal_add (SIGHUP, on_sighup, &srv);
  sig[1] = g_unix_signal_add (SIGINT, on_sigint, &srv);
  sig[2] = g_unix_signal_add (SIGTERM, on_sigterm, &srv);
  if (opt_stats_interval > 0)
    stats = g_timeout_add ((guint) (opt_stats_interval * 1000),
        on_stats_tick, &srv);
  apply_config (&srv, configs);
  g_ptr_array_unref (configs);
  g_main_loop_run (srv.loop);

  if (stats)
    g_source_remove (stats);
  for (guint i = 0; i < G_N_ELEMENTS (sig); i++)
    g_source_remove (sig[i]);
  if (srv.signals == 1 && srv.any_failed)
    srv.exit_code = 1;
  server_clear (&srv);
  g_free (model_path);
  return srv.exit_code;
}
