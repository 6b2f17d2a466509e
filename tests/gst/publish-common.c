/* What the ddamfnpublish test cases share.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "publish-common.h"

#include <gst/app/gstappsrc.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

gint publish_check_failures;

static void
remove_tree (const gchar * path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const gchar *name;

  while (dir && (name = g_dir_read_name (dir))) {
    gchar *child = g_build_filename (path, name, NULL);
    if (g_file_test (child, G_FILE_TEST_IS_DIR)
        && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
      remove_tree (child);
    else
      g_unlink (child);
    g_free (child);
  }
  if (dir)
    g_dir_close (dir);
  g_rmdir (path);
}

gint
ctx_init (Ctx * c, const gchar * name, const gchar * mosquitto,
    const gchar * data, const gchar * model, const gchar * workdir)
{
  c->name = name;
  c->data = data;
  c->model = model;
  if (mosquitto == NULL || *mosquitto == '\0'
      || !g_file_test (mosquitto, G_FILE_TEST_IS_EXECUTABLE)) {
    if (g_strcmp0 (g_getenv ("CI"), "true") == 0) {
      g_printerr ("FAIL: mosquitto is not installed; CI must install it "
          "(tools/debian-packages.txt: mosquitto, libmosquitto-dev)\n");
      return 1;
    }
    g_print ("SKIP: mosquitto is not installed (apt-get install "
        "mosquitto)\n");
    return 77;
  }
  c->work = g_build_filename (workdir, name, NULL);
  remove_tree (c->work);
  g_mkdir_with_parents (c->work, 0700);
  c->broker.exe = g_strdup (mosquitto);
  c->broker.dir = g_build_filename (c->work, "broker", NULL);
  c->broker.host = g_strdup ("127.0.0.1");
  c->broker.port = test_free_port ();
  if (g_str_has_prefix (name, "netns"))
    return 0;                   /* its own broker, in a namespace */
  if (!test_broker_start (&c->broker)) {
    g_printerr ("FAIL: mosquitto does not start on port %d\n",
        c->broker.port);
    return 1;
  }
  c->sub = test_subscriber_new (c->broker.host, c->broker.port, "faces/#");
  if (c->sub == NULL) {
    test_broker_stop (&c->broker);
    return 1;
  }
  return 0;
}

gint
ctx_clear (Ctx * c)
{
  test_subscriber_free (c->sub);
  test_broker_stop (&c->broker);
  g_free (c->broker.exe);
  g_free (c->broker.dir);
  g_free (c->broker.host);
  g_free (c->broker.netns);
  if (publish_check_failures == 0)
    remove_tree (c->work);
  g_free (c->work);
  if (publish_check_failures) {
    g_printerr ("%d check(s) failed\n", publish_check_failures);
    return 1;
  }
  return c->skipped ? 77 : 0;
}

/* One bus message: counts link changes and warnings, keeps the
 * "ddamfnpublish" structure in *STATS. TRUE at EOS or ERROR. */
static gboolean
handle_message (GstMessage * msg, LinkEvents * ev, GstStructure ** stats,
    gboolean * failed)
{
  const GstStructure *st;
  GError *error = NULL;
  gchar *dbg = NULL;

  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_EOS:
      return TRUE;
    case GST_MESSAGE_ERROR:
      gst_message_parse_error (msg, &error, &dbg);
      g_printerr ("pipeline error: %s (%s)\n", error->message, dbg);
      g_error_free (error);
      g_free (dbg);
      *failed = TRUE;
      return TRUE;
    case GST_MESSAGE_WARNING:
      gst_message_parse_warning (msg, &error, NULL);
      g_print ("warning: %s\n", error->message);
      ev->warnings++;
      if (strstr (error->message, "is full"))
        ev->drop_warnings++;
      g_error_free (error);
      return FALSE;
    case GST_MESSAGE_ELEMENT:
      st = gst_message_get_structure (msg);
      if (gst_structure_has_name (st, "ddamfnpublish") && stats) {
        if (*stats)
          gst_structure_free (*stats);
        *stats = gst_structure_copy (st);
      } else if (gst_structure_has_name (st, "ddamfnpublish-link")) {
        gboolean up = FALSE;
        gst_structure_get_boolean (st, "connected", &up);
        if (up)
          ev->up++;
        else
          ev->down++;
      }
      return FALSE;
    default:
      return FALSE;
  }
}

GstStructure *
run_pipeline (Ctx * c, const gchar * desc, LinkEvents * ev, GError ** error)
{
  GstElement *pipeline = gst_parse_launch (desc, error);
  LinkEvents local = { 0 };
  GstStructure *stats = NULL;
  gboolean failed = FALSE;
  GstBus *bus;
  GstMessage *msg;

  (void) c;
  if (pipeline == NULL)
    return NULL;
  if (ev == NULL)
    ev = &local;
  bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  while ((msg = gst_bus_timed_pop (bus, 120 * GST_SECOND))) {
    gboolean done = handle_message (msg, ev, &stats, &failed);
    gst_message_unref (msg);
    if (done)
      break;
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  CHECK (!failed, "%s failed", desc);
  if (failed && stats) {
    gst_structure_free (stats);
    stats = NULL;
  }
  return stats;
}

/* Handles the messages waiting now. */
static void
drain_bus (Session * s, LinkEvents * ev)
{
  GstMessage *msg;
  gboolean failed = FALSE;

  while ((msg = gst_bus_pop (s->bus))) {
    handle_message (msg, ev, NULL, &failed);
    gst_message_unref (msg);
  }
  s->drop_warnings += ev->drop_warnings;
  ev->drop_warnings = 0;
  CHECK (!failed, "the session failed");
}

GstStructure *
get_stats (Session * s)
{
  GstStructure *st = NULL;

  g_object_get (s->sink, "stats", &st, NULL);
  return st;
}

static guint64
stat_u64 (Session * s, const gchar * field)
{
  GstStructure *st = get_stats (s);
  guint64 v = 0;

  gst_structure_get_uint64 (st, field, &v);
  gst_structure_free (st);
  return v;
}

void
wait_accepted (Session * s, guint64 n)
{
  LinkEvents ev = { 0 };

  for (gint i = 0; i < 200 && stat_u64 (s, "accepted") < n; i++)
    g_usleep (50 * 1000);
  drain_bus (s, &ev);
  CHECK (stat_u64 (s, "accepted") >= n, "only %" G_GUINT64_FORMAT
      " accepted of %" G_GUINT64_FORMAT, stat_u64 (s, "accepted"), n);
}

Session *
session_start (Ctx * c, const gchar * source, const gchar * props)
{
  Session *s = g_new0 (Session, 1);
  gchar *desc = g_strdup_printf ("appsrc name=src format=time "
      "caps=application/x-json,format=jsonl ! ddamfnpublish name=p "
      "eos-timeout=15000 uri=mqtt://127.0.0.1:%d/faces/down %s",
      c->broker.port, props);
  GError *error = NULL;
  LinkEvents ev = { 0 };

  s->c = c;
  s->pipeline = gst_parse_launch (desc, &error);
  CHECK (s->pipeline != NULL, "%s: %s", desc, error ? error->message : "");
  g_clear_error (&error);
  g_free (desc);
  if (s->pipeline == NULL) {
    g_free (s);
    return NULL;
  }
  s->src = gst_bin_get_by_name (GST_BIN (s->pipeline), "src");
  s->sink = gst_bin_get_by_name (GST_BIN (s->pipeline), "p");
  s->bus = gst_element_get_bus (s->pipeline);
  gst_element_set_state (s->pipeline, GST_STATE_PLAYING);
  if (source == NULL)
    return s;

  /* record 0 reaches the broker, then the broker goes */
  {
    gchar *text = gst_ddamfn_record_to_json (source, 0, 0, 0, NULL, NULL, 0,
        FALSE);
    gst_app_src_push_buffer (GST_APP_SRC (s->src),
        gst_buffer_new_wrapped (text, strlen (text)));
  }
  for (gint i = 0; i < 200 && stat_u64 (s, "acknowledged") < 1; i++)
    g_usleep (50 * 1000);
  CHECK (stat_u64 (s, "acknowledged") == 1, "record 0 not acknowledged");
  test_broker_stop (&c->broker);
  for (gint i = 0; i < 200 && ev.down == 0; i++) {
    drain_bus (s, &ev);
    if (ev.down == 0)
      g_usleep (50 * 1000);
  }
  CHECK (ev.down == 1, "the element did not notice the broker going");
  return s;
}

static void
session_free (Session * s)
{
  gst_element_set_state (s->pipeline, GST_STATE_NULL);
  gst_object_unref (s->bus);
  gst_object_unref (s->src);
  gst_object_unref (s->sink);
  gst_object_unref (s->pipeline);
  g_free (s);
}

GstStructure *
session_finish (Session * s)
{
  GstStructure *stats = NULL;
  LinkEvents ev = { 0 };
  gboolean failed = FALSE;
  GstMessage *msg;

  gst_app_src_end_of_stream (GST_APP_SRC (s->src));
  while ((msg = gst_bus_timed_pop (s->bus, 60 * GST_SECOND))) {
    gboolean done = handle_message (msg, &ev, &stats, &failed);
    gst_message_unref (msg);
    if (done)
      break;
  }
  CHECK (!failed, "the session failed");
  CHECK (stats != NULL, "no ddamfnpublish message at EOS");
  session_free (s);
  return stats;
}

GstStructure *
session_abort (Session * s)
{
  GstStructure *st;

  gst_element_set_state (s->pipeline, GST_STATE_NULL);
  st = get_stats (s);
  session_free (s);
  return st;
}

void
check_uint64 (const GstStructure * st, const gchar * field, guint64 want,
    const gchar * what)
{
  guint64 v = G_MAXUINT64;

  CHECK (st && gst_structure_get_uint64 (st, field, &v) && v == want,
      "%s: %s = %" G_GUINT64_FORMAT ", expected %" G_GUINT64_FORMAT, what,
      field, v, want);
}

void
check_uint (const GstStructure * st, const gchar * field, guint want,
    const gchar * what)
{
  guint v = G_MAXUINT;

  CHECK (st && gst_structure_get_uint (st, field, &v) && v == want,
      "%s: %s = %u, expected %u", what, field, v, want);
}

void
check_counts (const GstStructure * st, const gchar * what, guint64 accepted,
    guint64 acknowledged, guint64 dropped)
{
  gboolean complete = FALSE;

  check_uint64 (st, "accepted", accepted, what);
  check_uint64 (st, "acknowledged", acknowledged, what);
  check_uint64 (st, "dropped", dropped, what);
  CHECK (st && gst_structure_get_boolean (st, "complete", &complete)
      && complete, "%s: not complete at EOS", what);
  if (st) {
    gchar *text = gst_structure_to_string (st);
    g_print ("%s: %s\n", what, text);
    g_free (text);
  }
}

guint
count_files (const gchar * path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir && g_dir_read_name (dir))
    n++;
  if (dir)
    g_dir_close (dir);
  return n;
}
