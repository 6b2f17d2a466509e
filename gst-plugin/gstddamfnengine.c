/* What ddamfnfilter holds between start and stop (gstddamfnengine.h).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "gstddamfnengine.h"
#include "gstddamfnmodelcache.h"

GST_DEBUG_CATEGORY_EXTERN (gst_ddamfn_filter_debug);
#define GST_CAT_DEFAULT gst_ddamfn_filter_debug

void
gst_ddamfn_engine_release (GstDdamfnEngine * engine)
{
  g_clear_pointer (&engine->worker, gst_ddamfn_worker_free);
  g_clear_pointer (&engine->job, gst_ddamfn_job_free);
  g_clear_pointer (&engine->tracks, gst_ddamfn_tracks_free);
  g_clear_pointer (&engine->analytics, gst_ddamfn_analytics_free);
  g_clear_pointer (&engine->session, ddamfn_session_free);
  g_clear_pointer (&engine->model, gst_ddamfn_model_cache_release);
}

void
gst_ddamfn_engine_reset (GstDdamfnEngine * engine)
{
  if (engine->tracks)
    gst_ddamfn_tracks_reset (engine->tracks);
  if (engine->analytics)
    gst_ddamfn_analytics_reset (engine->analytics);
  if (engine->worker)
    gst_ddamfn_worker_flush (engine->worker);
}

gboolean
gst_ddamfn_engine_start (GstDdamfnEngine * engine, GstElement * element,
    const gchar * path, const gchar * card, const gchar * preset,
    guint n_threads, gboolean live, guint queue_size)
{
  GError *error = NULL;

  gst_ddamfn_engine_release (engine);
  engine->model = gst_ddamfn_model_cache_open (element, path, card,
      preset);
  if (engine->model == NULL)
    return FALSE;

  engine->session = ddamfn_session_new (engine->model, (int) n_threads,
      &error);
  if (engine->session == NULL) {
    GST_ELEMENT_ERROR (element, LIBRARY, INIT,
        ("Could not set up the model: %s", error->message), (NULL));
    g_clear_error (&error);
    gst_ddamfn_engine_release (engine);
    return FALSE;
  }

  if (live) {
    engine->worker = gst_ddamfn_worker_new (engine->session, queue_size,
        &error);
    if (engine->worker == NULL) {
      GST_ELEMENT_ERROR (element, RESOURCE, FAILED,
          ("Could not start the live-mode thread: %s", error->message),
          (NULL));
      g_clear_error (&error);
      gst_ddamfn_engine_release (engine);
      return FALSE;
    }
  } else {
    engine->job = gst_ddamfn_job_new (0,
        ddamfn_model_get_input_floats (engine->model));
  }

  engine->tracks = gst_ddamfn_tracks_new (engine->model);
  engine->analytics = gst_ddamfn_analytics_new (engine->model);
  engine->crop.model = engine->model;
  gst_ddamfn_engine_reset (engine);
  return TRUE;
}
