/* What ddamfnfilter holds between start and stop: the model, the session
 * that runs it, the tracks of faces, the analytics writer and, in live
 * mode, the worker thread.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_DDAMFN_ENGINE_H__
#define __GST_DDAMFN_ENGINE_H__

#include <gst/gst.h>
#include <ddamfn/ddamfn.h>

#include "gstddamfnanalytics.h"
#include "gstddamfntracks.h"
#include "gstddamfnworker.h"

G_BEGIN_DECLS

typedef struct
{
  DdamfnModel *model;
  DdamfnSession *session;
  GstDdamfnTracks *tracks;
  GstDdamfnAnalytics *analytics;        /* NULL before GStreamer 1.24 */
  GstDdamfnWorker *worker;      /* live mode only; then it owns the session */
  GstDdamfnJob *job;            /* synchronous mode: the batch, reused */
  GstDdamfnCrop crop;           /* the model's normalisation */
} GstDdamfnEngine;

/* Loads the model at PATH (NULL: the default) and sets up a session of
 * N_THREADS threads and, when LIVE, a worker with a queue of QUEUE_SIZE
 * frames; FALSE after posting an element error on ELEMENT (ENGINE is then
 * empty). */
gboolean gst_ddamfn_engine_start (GstDdamfnEngine * engine,
    GstElement * element, const gchar * path, const gchar * card,
    const gchar * preset, guint n_threads,
    gboolean live, guint queue_size);

/* Frees everything (the worker first, as it uses the session). */
void gst_ddamfn_engine_release (GstDdamfnEngine * engine);

/* Forgets every track (start, flush, new frame size): results still in
 * the worker carry the old generation and are dropped when they come. */
void gst_ddamfn_engine_reset (GstDdamfnEngine * engine);

G_END_DECLS

#endif /* __GST_DDAMFN_ENGINE_H__ */
