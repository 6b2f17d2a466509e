/* What the ddamfnpublish test cases share: a broker and a subscriber per
 * case, pipelines run to EOS with their ddamfnpublish messages collected,
 * appsrc sessions that push records by hand, and checks of the counters.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef PUBLISH_COMMON_H
#define PUBLISH_COMMON_H

#include <gst/gst.h>
#include <gst/ddamfn/gstddamfnmeta.h>

#include "mqtt-helpers.h"

/* A failed check is reported and counted; the case goes on (one counter
 * for all the files of the test). */
extern gint publish_check_failures;

#define CHECK(cond, ...) G_STMT_START {                                  \
  if (!(cond)) {                                                         \
    g_printerr ("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);          \
    g_printerr (__VA_ARGS__);                                            \
    g_printerr ("\n");                                                   \
    g_atomic_int_inc (&publish_check_failures);                          \
  }                                                                      \
} G_STMT_END

typedef struct
{
  const gchar *name;
  const gchar *data;
  const gchar *model;
  gchar *work;                  /* this case's fresh directory */
  TestBroker broker;
  TestSubscriber *sub;
  gboolean skipped;
} Ctx;

/* Finds mosquitto (0: ready; 77: skip, not under CI; 1: fail), makes the
 * work directory, starts the broker and the subscriber. */
gint ctx_init (Ctx * c, const gchar * name, const gchar * mosquitto,
    const gchar * data, const gchar * model, const gchar * workdir);
/* Stops everything; the exit status. */
gint ctx_clear (Ctx * c);

typedef struct
{
  guint down, up;               /* ddamfnpublish-link messages */
  guint warnings;
  guint drop_warnings;          /* warnings about a full queue */
} LinkEvents;

/* Runs DESC (a ddamfnpublish named p) to EOS; the "ddamfnpublish" message
 * posted at EOS (NULL when none came or the pipeline failed). */
GstStructure *run_pipeline (Ctx * c, const gchar * desc, LinkEvents * ev,
    GError ** error);

/* An appsrc ! ddamfnpublish pipeline to topic faces/down. With a SOURCE,
 * record 0 of it is sent and acknowledged, then the broker is stopped and
 * the element's loss of the link awaited. */
typedef struct
{
  Ctx *c;
  GstElement *pipeline, *src, *sink;
  GstBus *bus;
  guint drop_warnings;
} Session;

Session *session_start (Ctx * c, const gchar * source, const gchar * props);
void wait_accepted (Session * s, guint64 n);
GstStructure *get_stats (Session * s);
/* EOS and its "ddamfnpublish" message (nullable), then NULL state. */
GstStructure *session_finish (Session * s);
/* NULL state at once; the stats property afterwards. */
GstStructure *session_abort (Session * s);

void check_uint64 (const GstStructure * st, const gchar * field,
    guint64 want, const gchar * what);
void check_uint (const GstStructure * st, const gchar * field, guint want,
    const gchar * what);
/* accepted, acknowledged, dropped as given, and complete. */
void check_counts (const GstStructure * st, const gchar * what,
    guint64 accepted, guint64 acknowledged, guint64 dropped);

guint count_files (const gchar * dir);

void case_settings (Ctx * c);
void case_netns (Ctx * c, const gchar * self_exe);
gint case_netns_inner (Ctx * c);

#endif /* PUBLISH_COMMON_H */
